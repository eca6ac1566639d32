#include "services/feedback/store.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/db/enum_column.h"
#include "libs/db/errors.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/db/stored.h"
#include "libs/wire/typed_time.h"

namespace zhigai::feedback {
namespace {

using db::Connection;
using db::Param;
using db::Statement;

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

// ---- rating settings -----------------------------------------------------------------------
constexpr Statement kGetSettings{"feedback.get_settings",
                                 "SELECT change_period_days, version, " TS(
                                     "updated_at") " FROM rating_settings WHERE year = $1"};
constexpr Statement kInsertSettings{
    "feedback.insert_settings",
    "INSERT INTO rating_settings (year, change_period_days, version, updated_at)"
    " VALUES ($1, $2, 1, $3::timestamptz) ON CONFLICT (year) DO NOTHING"
    " RETURNING change_period_days, version, " TS("updated_at")};
constexpr Statement kUpdateSettings{
    "feedback.update_settings",
    "UPDATE rating_settings SET change_period_days = $2, version = version + 1,"
    " updated_at = $4::timestamptz WHERE year = $1 AND version = $3"
    " RETURNING change_period_days, version, " TS("updated_at")};

// ---- ratings -------------------------------------------------------------------------------
#define RATING_COLUMNS                                                                         \
  "id, engagement, institution_credit_code, enterprise_credit_code, engagement_year, content," \
  " results, comment, source, recorded_by, first_rated_date::text, last_change_date::text,"    \
  " version, " TS("created_at") ", " TS("updated_at") ", division_code"
constexpr Statement kLockRating{"feedback.lock_rating",
                                "SELECT " RATING_COLUMNS
                                " FROM ratings WHERE engagement = $1 FOR UPDATE"};
constexpr Statement kGetRating{"feedback.get_rating",
                               "SELECT " RATING_COLUMNS " FROM ratings WHERE engagement = $1"};
constexpr Statement kInsertRating{
    "feedback.insert_rating",
    "INSERT INTO ratings (engagement, institution_credit_code, enterprise_credit_code,"
    " division_code, engagement_year, content, results, comment, source, recorded_by,"
    " first_rated_date, last_change_date, version, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::date, $12::date, 1,"
    " $13::timestamptz, $13::timestamptz)"
    " ON CONFLICT (engagement) DO NOTHING RETURNING " RATING_COLUMNS};
constexpr Statement kUpdateRating{
    "feedback.update_rating",
    "UPDATE ratings SET content = $2, results = $3, comment = $4, source = $5, recorded_by = $6,"
    " version = version + 1, updated_at = $7::timestamptz WHERE id = $1"
    " RETURNING " RATING_COLUMNS};
constexpr Statement kInsertRatingRevision{
    "feedback.insert_rating_revision",
    "INSERT INTO rating_revisions (rating_id, version, content, results, comment, source, actor,"
    " actor_role, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz)"};
constexpr Statement kListRatings{
    "feedback.list_ratings",
    "SELECT " RATING_COLUMNS
    " FROM ratings WHERE ($1 = '' OR institution_credit_code = $1)"
    " AND ($2 = '' OR enterprise_credit_code = $2) AND ($3 = 0 OR engagement_year = $3)"
    " AND ($4 = '' OR division_code = $4) AND id > $5 ORDER BY id LIMIT $6"};

// ---- complaints ----------------------------------------------------------------------------
#define COMPLAINT_COLUMNS                                                                  \
  "id, complainant_credit_code, institution_credit_code, engagement, division_code, body," \
  " filed_date::text, outcome, outcome_reasons, coalesce(verification_date::text, ''),"    \
  " verified_by, version, " TS("created_at") ", " TS("updated_at")
constexpr Statement kInsertComplaint{
    "feedback.insert_complaint",
    "INSERT INTO complaints (complainant_credit_code, institution_credit_code, engagement,"
    " division_code, body, filed_by, filed_date, version, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7::date, 1, $8::timestamptz, $8::timestamptz)"
    " RETURNING " COMPLAINT_COLUMNS};
constexpr Statement kGetComplaint{"feedback.get_complaint",
                                  "SELECT " COMPLAINT_COLUMNS " FROM complaints WHERE id = $1"};
constexpr Statement kListComplaints{
    "feedback.list_complaints",
    "SELECT " COMPLAINT_COLUMNS
    " FROM complaints WHERE ($1 = '' OR institution_credit_code = $1)"
    " AND ($2 = '' OR complainant_credit_code = $2) AND ($3 = '' OR outcome = $3)"
    " AND ($4 = '' OR division_code = $4)"
    " AND (NOT $5::boolean OR outcome IN ('VERIFIED_SERIOUS', 'VERIFIED_NOT_SERIOUS'))"
    " AND id > $6 ORDER BY id LIMIT $7"};
constexpr Statement kVerifyComplaint{
    "feedback.verify_complaint",
    "UPDATE complaints SET outcome = $2, outcome_reasons = $3, verification_date = $4::date,"
    " verified_by = $5, version = version + 1, updated_at = $6::timestamptz"
    " WHERE id = $1 AND version = $7 AND outcome = 'PENDING' RETURNING " COMPLAINT_COLUMNS};
// R14.5 is decided over all of an institution's complaints: verifications of one institution
// take turns, so two verified at once cannot both miss the threshold.
constexpr Statement kLockInstitutionComplaints{
    "feedback.lock_institution_complaints",
    "SELECT pg_advisory_xact_lock(hashtextextended('feedback.complaints:' || $1, 0))"};
constexpr Statement kSeriousComplaints{
    "feedback.serious_complaints",
    "SELECT id, complainant_credit_code, verification_date::text FROM complaints"
    " WHERE institution_credit_code = $1 AND outcome = 'VERIFIED_SERIOUS' ORDER BY id"};

// ---- plagiarism and sanction orders --------------------------------------------------------
constexpr Statement kInsertFinding{
    "feedback.insert_finding",
    "INSERT INTO plagiarism_findings (institution_credit_code, finding_date, body, recorded_by,"
    " created_at) VALUES ($1, $2::date, '\\x', $3, $4::timestamptz) RETURNING id"};
constexpr Statement kSetFindingBody{"feedback.set_finding_body",
                                    "UPDATE plagiarism_findings SET body = $2 WHERE id = $1"};
// The body is stored whole at recording (kSetFindingBody); the table's columns are its index.
constexpr Statement kGetFinding{"feedback.get_finding",
                                "SELECT body FROM plagiarism_findings WHERE id = $1"};
constexpr Statement kListFindings{
    "feedback.list_findings",
    "SELECT body FROM plagiarism_findings WHERE ($1 = '' OR institution_credit_code = $1)"
    " AND ($2 = 0 OR extract(year FROM finding_date) = $2) AND id > $3 ORDER BY id LIMIT $4"};
// ON CONFLICT without a target covers both the command id and the one-bar-per-institution index.
constexpr Statement kInsertOrder{
    "feedback.insert_order",
    "INSERT INTO sanction_orders (command_id, institution_credit_code, kind, start_date,"
    " source_reference, created_at) VALUES ($1, $2, $3, $4::date, $5, $6::timestamptz)"
    " ON CONFLICT DO NOTHING RETURNING command_id"};

// ---- metrics -------------------------------------------------------------------------------
constexpr Statement kRatingCounts{
    "feedback.rating_counts",
    "SELECT institution_credit_code,"
    " count(*) FILTER (WHERE content = 'VERY_SATISFIED'),"
    " count(*) FILTER (WHERE content = 'FAIRLY_SATISFIED'),"
    " count(*) FILTER (WHERE content = 'AVERAGE'),"
    " count(*) FILTER (WHERE content = 'UNSATISFIED'),"
    " count(*) FILTER (WHERE results = 'VERY_SATISFIED'),"
    " count(*) FILTER (WHERE results = 'FAIRLY_SATISFIED'),"
    " count(*) FILTER (WHERE results = 'AVERAGE'),"
    " count(*) FILTER (WHERE results = 'UNSATISFIED')"
    " FROM ratings WHERE engagement_year = $1 AND institution_credit_code = ANY ($2::text[])"
    " GROUP BY institution_credit_code",
    10000};
constexpr Statement kComplaintCounts{
    "feedback.complaint_counts",
    "SELECT institution_credit_code, count(*) FILTER (WHERE outcome = 'VERIFIED_SERIOUS'),"
    " count(*) FROM complaints WHERE institution_credit_code = ANY ($2::text[])"
    " AND outcome IN ('VERIFIED_SERIOUS', 'VERIFIED_NOT_SERIOUS')"
    " AND verification_date BETWEEN make_date($1, 1, 1) AND make_date($1, 12, 31)"
    " GROUP BY institution_credit_code",
    10000};

absl::Status Raced(absl::string_view what) {
  return Error(absl::StatusCode::kAborted, "CONCURRENT_CREATE",
               absl::StrCat(what, " was created by a concurrent call; read it and retry"),
               "记录刚被同时创建，请刷新后重试");
}

absl::StatusOr<v1::Rating> RowToRating(const db::Result& r, int i) {
  v1::Rating out;
  out.set_engagement(r.String(i, 1));
  out.set_name(absl::StrCat(out.engagement(), "/rating"));
  out.set_institution_credit_code(r.String(i, 2));
  out.set_enterprise_credit_code(r.String(i, 3));
  out.set_engagement_year(static_cast<int32_t>(r.Int64(i, 4)));
  ASSIGN_OR_RETURN(v1::SatisfactionLevel content,
                   db::EnumColumn<v1::SatisfactionLevel>(r, i, 5, "ratings.content"));
  out.set_content(content);
  ASSIGN_OR_RETURN(v1::SatisfactionLevel results,
                   db::EnumColumn<v1::SatisfactionLevel>(r, i, 6, "ratings.results"));
  out.set_results(results);
  out.set_comment(r.String(i, 7));
  ASSIGN_OR_RETURN(v1::RatingSource source,
                   db::EnumColumn<v1::RatingSource>(r, i, 8, "ratings.source"));
  out.set_source(source);
  out.set_recorded_by(r.String(i, 9));
  if (auto dt = wire::DateFromText(r.String(i, 10))) *out.mutable_first_rated_date() = *dt;
  if (auto dt = wire::DateFromText(r.String(i, 11))) *out.mutable_last_change_date() = *dt;
  out.set_version(r.Int64(i, 12));
  if (auto ts = wire::TimestampFromText(r.String(i, 13))) *out.mutable_create_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(i, 14))) *out.mutable_update_time() = *ts;
  return out;
}

absl::StatusOr<v1::Complaint> RowToComplaint(const db::Result& r, int i) {
  ASSIGN_OR_RETURN(auto body, db::ParseStored<v1::Complaint>(r.Text(i, 5)));
  v1::Complaint c = std::move(body);
  c.set_name(absl::StrCat("complaints/", r.Int64(i, 0)));
  c.set_complainant_credit_code(r.String(i, 1));
  c.set_institution_credit_code(r.String(i, 2));
  c.set_engagement(r.String(i, 3));
  c.set_division_code(r.String(i, 4));
  if (auto dt = wire::DateFromText(r.String(i, 6))) *c.mutable_filed_date() = *dt;
  ASSIGN_OR_RETURN(v1::ComplaintOutcome outcome,
                   db::EnumColumn<v1::ComplaintOutcome>(r, i, 7, "complaints.outcome"));
  c.set_outcome(outcome);
  c.set_outcome_reasons(r.String(i, 8));
  if (auto dt = wire::DateFromText(r.String(i, 9))) *c.mutable_verification_date() = *dt;
  c.set_verified_by(r.String(i, 10));
  c.set_version(r.Int64(i, 11));
  if (auto ts = wire::TimestampFromText(r.String(i, 12))) *c.mutable_create_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(i, 13))) *c.mutable_update_time() = *ts;
  return c;
}

absl::StatusOr<std::vector<v1::Complaint>> RowsToComplaints(const db::Result& r) {
  std::vector<v1::Complaint> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(auto c, RowToComplaint(r, i));
    out.push_back(std::move(c));
  }
  return out;
}

const char* KindName(SanctionKind kind) { return kind == SanctionKind::kBar ? "BAR" : "CANCEL"; }

// Records the order and, when it is new, enqueues its command in the same transaction.
// Returns whether a command was enqueued.
absl::StatusOr<bool> PlaceOrder(Connection& c, const Change& change, const SanctionOrder& order,
                                const std::string& now) {
  auto r =
      c.Exec(kInsertOrder, {order.command_id, order.institution_credit_code, KindName(order.kind),
                            core::FormatDate(order.start), order.source_reference, now});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return false;  // ordered before: the registry has it or will get it
  RETURN_IF_ERROR(outbox::Enqueue(c, ToOutboxCommand(order)));
  RETURN_IF_ERROR(db::Audit(c, change, "sanction_order", order.command_id, 1));
  return true;
}

}  // namespace

std::string FeedbackStore::Now() const { return core::FormatTimestamp(clock_()); }

// ---- rating settings -----------------------------------------------------------------------

absl::StatusOr<v1::RatingSettings> FeedbackStore::GetRatingSettings(int year, int default_days) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetSettings, {year}));
  v1::RatingSettings out;
  out.set_name(absl::StrCat("ratingSettings/", year));
  out.set_year(year);
  out.set_change_period_days(default_days);
  if (r.rows() == 1) {
    out.set_change_period_days(static_cast<int32_t>(r.Int64(0, 0)));
    out.set_version(r.Int64(0, 1));
    if (auto ts = wire::TimestampFromText(r.String(0, 2))) *out.mutable_update_time() = *ts;
  }
  return out;
}

absl::StatusOr<v1::RatingSettings> FeedbackStore::UpdateRatingSettings(const Change& change,
                                                                       int year, int days,
                                                                       int64_t expected_version) {
  v1::RatingSettings out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    std::string now = Now();
    ASSIGN_OR_RETURN(auto r, expected_version == 0
                                 ? c.Exec(kInsertSettings, {year, days, now})
                                 : c.Exec(kUpdateSettings, {year, days, expected_version, now}));
    if (r.rows() == 0) {
      auto current = c.Exec(kGetSettings, {year});
      if (!current.ok()) return current.status();
      return db::StaleVersion("the rating settings", expected_version,
                              current->rows() == 0 ? 0 : current->Int64(0, 1));
    }
    out.set_name(absl::StrCat("ratingSettings/", year));
    out.set_year(year);
    out.set_change_period_days(static_cast<int32_t>(r.Int64(0, 0)));
    out.set_version(r.Int64(0, 1));
    if (auto ts = wire::TimestampFromText(r.String(0, 2))) *out.mutable_update_time() = *ts;
    return db::Audit(c, change, "rating_settings", out.name(), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

// ---- ratings -------------------------------------------------------------------------------

absl::StatusOr<v1::Rating> FeedbackStore::SaveRating(
    const Change& change, const std::string& key, const RatingWrite& w,
    const std::function<absl::Status(absl::CivilDay, absl::CivilDay)>& may_change) {
  v1::Rating out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    const std::string now = Now();
    const std::string content = v1::SatisfactionLevel_Name(w.content);
    const std::string results = v1::SatisfactionLevel_Name(w.results);
    const std::string source = v1::RatingSource_Name(w.source);
    ASSIGN_OR_RETURN(auto current, c.Exec(kLockRating, {w.engagement}));
    absl::StatusOr<db::Result> r;
    if (current.rows() == 0) {
      if (w.expected_version != 0) return db::NotFound("rating of", w.engagement);
      r = c.Exec(kInsertRating,
                 {w.engagement, w.facts.institution_credit_code, w.facts.enterprise_credit_code,
                  w.facts.division_code, w.engagement_year, content, results, w.comment, source,
                  w.recorded_by, core::FormatDate(w.today),
                  core::FormatDate(w.today + w.change_period_days), now});
      if (!r.ok()) return r.status();
      if (r->rows() == 0) return Raced("the rating");
    } else {
      // One rating per engagement (S2.1): a second one is a change and names the version.
      if (w.expected_version == 0) {
        return Error(absl::StatusCode::kAlreadyExists, "RATING_EXISTS",
                     "the engagement is rated already; send the version read to change it",
                     "该服务已评价，如需修改请提供版本号", "S2.1");
      }
      ASSIGN_OR_RETURN(const v1::Rating stored, RowToRating(current, 0));
      if (stored.version() != w.expected_version) {
        return db::StaleVersion("the rating", w.expected_version, stored.version());
      }
      auto first = db::StoredDay(wire::DateText(stored.first_rated_date()));
      auto last = db::StoredDay(wire::DateText(stored.last_change_date()));
      if (!first.ok() || !last.ok()) return absl::InternalError("stored rating dates unreadable");
      RETURN_IF_ERROR(may_change(*first, *last));
      r = c.Exec(kUpdateRating,
                 {current.Int64(0, 0), content, results, w.comment, source, w.recorded_by, now});
      if (!r.ok()) return r.status();
    }
    ASSIGN_OR_RETURN(out, RowToRating(*r, 0));
    RETURN_IF_ERROR(
        c.Exec(kInsertRatingRevision, {r->Int64(0, 0), out.version(), content, results, w.comment,
                                       source, change.actor.subject, change.actor.role, now})
            .status());
    return db::Audit(c, change, "rating", out.name(), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<StoredRating> FeedbackStore::GetRating(const std::string& engagement) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetRating, {engagement}));
  if (r.rows() == 0) return db::NotFound("rating of", engagement);
  // The division scopes county bureaus; it is not part of the rating resource.
  ASSIGN_OR_RETURN(v1::Rating rating, RowToRating(r, 0));
  return StoredRating{r.Int64(0, 0), std::move(rating), r.String(0, 15)};
}

absl::StatusOr<std::vector<StoredRating>> FeedbackStore::ListRatings(const RatingFilter& f,
                                                                     int64_t after_id, int limit) {
  auto r =
      pool_.Exec(kListRatings, {f.institution, f.enterprise, f.year, f.division, after_id, limit});
  if (!r.ok()) return r.status();
  std::vector<StoredRating> out;
  for (int i = 0; i < r->rows(); ++i) {
    ASSIGN_OR_RETURN(v1::Rating rating, RowToRating(*r, i));
    out.push_back({r->Int64(i, 0), std::move(rating), r->String(i, 15)});
  }
  return out;
}

// ---- complaints ----------------------------------------------------------------------------

absl::StatusOr<v1::Complaint> FeedbackStore::FileComplaint(const Change& change,
                                                           const std::string& key, v1::Complaint in,
                                                           absl::CivilDay filed_on) {
  v1::Complaint out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    // The body keeps what the enterprise wrote; facts that are filtered on are columns.
    v1::Complaint body;
    body.set_description(in.description());
    *body.mutable_evidence_document_ids() = in.evidence_document_ids();
    *body.mutable_contact() = in.contact();
    ASSIGN_OR_RETURN(
        auto r, c.Exec(kInsertComplaint,
                       {in.complainant_credit_code(), in.institution_credit_code(), in.engagement(),
                        in.division_code(), Param::Bytes(body.SerializeAsString()),
                        change.actor.subject, core::FormatDate(filed_on), Now()}));
    auto complaint = RowToComplaint(r, 0);
    if (!complaint.ok()) return complaint.status();
    out = std::move(*complaint);
    return db::Audit(c, change, "complaint", out.name(), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Complaint> FeedbackStore::GetComplaint(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetComplaint, {id}));
  if (r.rows() == 0) return db::NotFound("complaint", absl::StrCat(id));
  return RowToComplaint(r, 0);
}

absl::StatusOr<std::vector<v1::Complaint>> FeedbackStore::ListComplaints(const ComplaintFilter& f,
                                                                         int64_t after_id,
                                                                         int limit) {
  ASSIGN_OR_RETURN(auto r,
                   pool_.Exec(kListComplaints, {f.institution, f.complainant, f.outcome, f.division,
                                                f.verified_only, after_id, limit}));
  return RowsToComplaints(r);
}

absl::StatusOr<std::vector<absl::CivilDay>> FeedbackStore::BarStartsOf(
    const std::string& institution) {
  static constexpr Statement kBarStarts{
      "feedback.bar_starts",
      "SELECT start_date::text FROM sanction_orders WHERE institution_credit_code = $1"
      " AND kind = 'BAR' ORDER BY start_date"};
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kBarStarts, {institution}));
  std::vector<absl::CivilDay> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto day = db::StoredDay(r.Text(i, 0));
    if (!day.ok()) return day.status();
    out.push_back(*day);
  }
  return out;
}

absl::StatusOr<VerifyResult> FeedbackStore::VerifyComplaint(
    const Change& change, int64_t id, int64_t expected_version, v1::ComplaintOutcome outcome,
    const std::string& reasons, absl::CivilDay verified_on,
    const std::function<std::vector<SanctionOrder>(const std::string&,
                                                   const std::vector<SeriousComplaint>&)>& decide) {
  VerifyResult out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    out = VerifyResult{};
    const std::string now = Now();
    ASSIGN_OR_RETURN(
        auto r, c.Exec(kVerifyComplaint, {id, v1::ComplaintOutcome_Name(outcome), reasons,
                                          core::FormatDate(verified_on), change.actor.subject, now,
                                          expected_version}));
    if (r.rows() == 0) {
      auto current = c.Exec(kGetComplaint, {id});
      if (!current.ok()) return current.status();
      if (current->rows() == 0) return db::NotFound("complaint", absl::StrCat(id));
      if (current->Text(0, 7) != "PENDING") {
        return RuleViolation(
            "COMPLAINT_ALREADY_DECIDED", "R14.5",
            absl::StrCat("the complaint was already decided: ", current->Text(0, 7)),
            "该投诉已有核实结论");
      }
      return db::StaleVersion("the complaint", expected_version, current->Int64(0, 11));
    }
    auto complaint = RowToComplaint(r, 0);
    if (!complaint.ok()) return complaint.status();
    out.complaint = std::move(*complaint);
    RETURN_IF_ERROR(
        db::Audit(c, change, "complaint", out.complaint.name(), out.complaint.version()));
    if (outcome != v1::VERIFIED_SERIOUS) return absl::OkStatus();

    const std::string& institution = out.complaint.institution_credit_code();
    RETURN_IF_ERROR(c.Exec(kLockInstitutionComplaints, {institution}).status());
    auto rows = c.Exec(kSeriousComplaints, {institution});
    if (!rows.ok()) return rows.status();
    std::vector<SeriousComplaint> serious;
    for (int i = 0; i < rows->rows(); ++i) {
      auto day = db::StoredDay(rows->Text(i, 2));
      if (!day.ok()) return day.status();
      serious.push_back({rows->Int64(i, 0), rows->String(i, 1), *day});
    }
    for (const SanctionOrder& order : decide(institution, serious)) {
      auto placed = PlaceOrder(c, change, order, now);
      if (!placed.ok()) return placed.status();
      out.ordered_sanction = out.ordered_sanction || *placed;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

// ---- plagiarism ----------------------------------------------------------------------------

absl::StatusOr<v1::PlagiarismFinding> FeedbackStore::RecordPlagiarismFinding(
    const Change& change, const std::string& key, v1::PlagiarismFinding in,
    absl::CivilDay finding_day, const std::function<SanctionOrder(const std::string&)>& order_for) {
  v1::PlagiarismFinding out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    const std::string now = Now();
    ASSIGN_OR_RETURN(
        auto r, c.Exec(kInsertFinding, {in.institution_credit_code(), core::FormatDate(finding_day),
                                        change.actor.subject, now}));
    const int64_t id = r.Int64(0, 0);
    in.set_name(absl::StrCat("plagiarismFindings/", id));
    in.set_recorded_by(change.actor.subject);
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_create_time() = *ts;
    auto body = c.Exec(kSetFindingBody, {id, Param::Bytes(in.SerializeAsString())});
    if (!body.ok()) return body.status();
    RETURN_IF_ERROR(db::Audit(c, change, "plagiarism_finding", in.name(), 1));
    // A second finding on the same day orders nothing new: one cancellation covers both.
    auto placed = PlaceOrder(c, change, order_for(in.name()), now);
    if (!placed.ok()) return placed.status();
    out = in;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::PlagiarismFinding> FeedbackStore::GetPlagiarismFinding(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetFinding, {id}));
  if (r.rows() == 0) return db::NotFound("plagiarism finding", absl::StrCat(id));
  return db::ParseStored<v1::PlagiarismFinding>(r.Text(0, 0));
}

absl::StatusOr<std::vector<v1::PlagiarismFinding>> FeedbackStore::ListPlagiarismFindings(
    const std::string& institution, int year, int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListFindings, {institution, year, after_id, limit}));
  std::vector<v1::PlagiarismFinding> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto f = db::ParseStored<v1::PlagiarismFinding>(r.Text(i, 0));
    if (!f.ok()) return f.status();
    out.push_back(std::move(*f));
  }
  return out;
}

// ---- metrics -------------------------------------------------------------------------------

absl::StatusOr<std::map<std::string, v1::InstitutionFeedbackMetrics>> FeedbackStore::BatchMetrics(
    int year, const std::vector<std::string>& codes) {
  std::map<std::string, v1::InstitutionFeedbackMetrics> out;
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  const std::string code_array = db::TextArray(codes);
  auto ratings = (lease)->Exec(kRatingCounts, {year, code_array});
  if (!ratings.ok()) return ratings.status();
  for (int i = 0; i < ratings->rows(); ++i) {
    auto& m = out[ratings->String(i, 0)];
    auto fill = [&](v1::RatingCounts* counts, int first) {
      counts->set_very_satisfied(static_cast<int32_t>(ratings->Int64(i, first)));
      counts->set_fairly_satisfied(static_cast<int32_t>(ratings->Int64(i, first + 1)));
      counts->set_average(static_cast<int32_t>(ratings->Int64(i, first + 2)));
      counts->set_unsatisfied(static_cast<int32_t>(ratings->Int64(i, first + 3)));
    };
    fill(m.mutable_content(), 1);
    fill(m.mutable_results(), 5);
  }
  auto complaints = (lease)->Exec(kComplaintCounts, {year, code_array});
  if (!complaints.ok()) return complaints.status();
  for (int i = 0; i < complaints->rows(); ++i) {
    auto& m = out[complaints->String(i, 0)];
    m.set_verified_serious_complaints(static_cast<int32_t>(complaints->Int64(i, 1)));
    m.set_verified_complaints(static_cast<int32_t>(complaints->Int64(i, 2)));
  }
  return out;
}

}  // namespace zhigai::feedback
