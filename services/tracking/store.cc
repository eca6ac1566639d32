#include "services/tracking/store.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/db/enum_column.h"
#include "libs/db/errors.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/db/stored.h"
#include "libs/wire/typed_time.h"
#include "services/tracking/copy_in.h"
#include "services/tracking/domain/consulting_kind.h"
#include "services/tracking/domain/need.h"
#include "services/tracking/domain/project_metrics.h"

namespace zhigai::tracking {
namespace {

using db::Connection;
using db::Param;
using db::Statement;

#define UTC_TEXT(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

// Enterprises.
constexpr Statement kInsertEnterprise{
    "tracking.insert_enterprise",
    "INSERT INTO enterprises (credit_code, division_code, body, version, created_at)"
    " VALUES ($1, $2, $3, 1, $4::timestamptz)"};
constexpr Statement kGetEnterprise{"tracking.get_enterprise",
                                   "SELECT body FROM enterprises WHERE credit_code = $1"};
constexpr Statement kListEnterprises{
    "tracking.list_enterprises",
    "SELECT body FROM enterprises WHERE credit_code > $1 AND ($2 = '' OR division_code = $2)"
    " ORDER BY credit_code LIMIT $3"};
constexpr Statement kEnterpriseDivision{
    "tracking.enterprise_division", "SELECT division_code FROM enterprises WHERE credit_code = $1"};

// Needs.
constexpr Statement kInsertNeed{
    "tracking.insert_need",
    "INSERT INTO needs (enterprise_credit_code, division_code, state, body, version)"
    " VALUES ($1, $2, 'OPEN', '\\x', 1) RETURNING id"};
constexpr Statement kSetNeedBody{"tracking.set_need_body",
                                 "UPDATE needs SET body = $2 WHERE id = $1"};
constexpr Statement kGetNeed{"tracking.get_need", "SELECT body FROM needs WHERE id = $1"};
constexpr Statement kLockNeed{"tracking.lock_need",
                              "SELECT body, version FROM needs WHERE id = $1 FOR UPDATE"};
constexpr Statement kUpdateNeed{
    "tracking.update_need",
    "UPDATE needs SET state = $2, assignee = $3, body = $4, version = $5 WHERE id = $1"};
constexpr Statement kListNeeds{
    "tracking.list_needs",
    "SELECT body FROM needs WHERE id > $1 AND ($2 = '' OR division_code = $2)"
    " AND ($3 = '' OR enterprise_credit_code = $3) AND ($4 = '' OR assignee = $4)"
    " AND ($5 = '' OR state = $5) ORDER BY id LIMIT $6"};

// Engagements.
constexpr Statement kInsertEngagement{
    "tracking.insert_engagement",
    "INSERT INTO engagements (institution_credit_code, enterprise_credit_code, division_code,"
    " state, need_id, body, version) VALUES ($1, $2, $3, 'REPORTED', $4::bigint, '\\x', 1)"
    " RETURNING id"};
constexpr Statement kSetEngagementBody{"tracking.set_engagement_body",
                                       "UPDATE engagements SET body = $2 WHERE id = $1"};
constexpr Statement kGetEngagement{"tracking.get_engagement",
                                   "SELECT body FROM engagements WHERE id = $1"};
constexpr Statement kLockEngagement{
    "tracking.lock_engagement",
    "SELECT body, version, coalesce(need_id, 0) FROM engagements WHERE id = $1 FOR UPDATE"};
constexpr Statement kUpdateEngagement{
    "tracking.update_engagement",
    "UPDATE engagements SET state = $2, body = $3, version = $4 WHERE id = $1"};
constexpr Statement kListEngagements{
    "tracking.list_engagements",
    "SELECT body FROM engagements WHERE id > $1 AND ($2 = '' OR division_code = $2)"
    " AND ($3 = '' OR institution_credit_code = $3) AND ($4 = '' OR enterprise_credit_code = $4)"
    " AND ($5 = '' OR state = $5) ORDER BY id LIMIT $6"};

// Projects. The batch is read in one statement and written in one: a multi-row upsert from
// arrays whose guard keeps the newest revision even when two pushes race.
// $2 is the batch's smallest id. When no stored id is at or above it (a platform numbering its
// projects in order, pushing new ones), none of the batch is stored: one index descent then
// answers instead of one probe per id. Both parts read the same snapshot, so the answer is
// the probe's. ORDER BY ... LIMIT 1 keeps that part on the primary key in a generic plan too.
constexpr Statement kPriorProjects{
    "tracking.prior_projects",
    "SELECT project_id, revision, content_hash FROM projects WHERE project_id = ANY ($1::text[])"
    " AND (SELECT project_id FROM projects WHERE project_id >= $2::text COLLATE \"C\""
    " ORDER BY project_id LIMIT 1) IS NOT NULL"};
// The columns of a project row from the 14 arrays $1..$14 and the time $15.
#define PROJECT_ROWS                                                                            \
  " SELECT t.pid, t.rev, t.hash, t.inst, t.ent, t.kind, t.decl::date, t.yr, t.co,"              \
  " NULLIF(t.cd, '')::date, t.yo, NULLIF(t.yd, '')::date, t.ab, t.sub, s.seq, $15::timestamptz" \
  " FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],"      \
  " $7::text[], $8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bool[],"     \
  " $14::bigint[]) AS t(pid, rev, hash, inst, ent, kind, decl, yr, co, cd, yo, yd, ab, sub)"    \
  " CROSS JOIN (SELECT nextval('intake_seq') AS seq) s"
// Projects not stored when the batch was read go in by COPY. A concurrent push that inserted
// one of them first makes it fail on the primary key, and the batch is judged again.
constexpr CopyStatement kCopyProjects{
    "tracking.copy_projects",
    "COPY projects (project_id, revision, content_hash, institution_credit_code,"
    " enterprise_credit_code, kind, declaration_date, year, city_outcome, city_outcome_date,"
    " county_outcome, county_outcome_date, approved_by_both, subsidy_fen, change_seq, updated_at)"
    " FROM STDIN (FORMAT binary)"};
// New rows per COPY statement. A binary COPY buffers up to 1000 rows before it writes them (a
// text one flushes every 64 KB, about 280 projects), with one tuple slot per buffered row, and
// PostgreSQL 15's cost of making and dropping those slots grows faster than linearly with
// their number (table_slot_create and ExecDropSingleTupleTableSlot in the profile). One COPY
// of 1000 binary rows cost more database CPU than the text one; four of 250 cost about a tenth
// less (64 to 1000 tried in tracking_push_bench).
constexpr std::size_t kCopyRows = 250;
constexpr Statement kNextIntakeSeq{"tracking.next_intake_seq", "SELECT nextval('intake_seq')"};
// Newer revisions of stored projects, guarded in SQL so an older revision never overwrites a
// newer one whatever races; RETURNING tells which rows were written.
constexpr Statement kUpdateProjects{
    "tracking.update_projects",
    "UPDATE projects p SET revision = n.rev, content_hash = n.hash,"
    " institution_credit_code = n.inst, enterprise_credit_code = n.ent, kind = n.kind,"
    " declaration_date = n.decl, year = n.yr, city_outcome = n.co, city_outcome_date = n.cd,"
    " county_outcome = n.yo, county_outcome_date = n.yd, approved_by_both = n.ab,"
    " subsidy_fen = n.sub, change_seq = n.seq, updated_at = n.at FROM (" PROJECT_ROWS
    ") AS n(pid, rev, hash, inst, ent, kind, decl, yr, co, cd, yo, yd, ab, sub, seq, at)"
    " WHERE p.project_id = n.pid AND p.revision < n.rev RETURNING p.project_id"};
// The checksum of checksum.h, in SQL: lines sorted bytewise ("C"), concatenated, SHA-256.
constexpr Statement kYearChecksum{
    "tracking.year_checksum",
    "SELECT count(*), encode(sha256(convert_to(coalesce(string_agg(line, '' ORDER BY line"
    " COLLATE \"C\"), ''), 'UTF8')), 'hex') FROM (SELECT project_id || ':' || revision || E'\\n'"
    " AS line FROM projects WHERE year = $1 AND ($2 = '' OR institution_credit_code = $2)) l",
    10000};
constexpr Statement kYearCountsByInstitution{
    "tracking.year_counts_by_institution",
    "SELECT institution_credit_code, count(*) FROM projects WHERE year = $1 GROUP BY 1", 10000};
constexpr Statement kInsertReconciliation{
    "tracking.insert_reconciliation",
    "INSERT INTO reconciliations (year, matched, body, created_at)"
    " VALUES ($1, $2, '\\x', $3::timestamptz) RETURNING id"};
constexpr Statement kSetReconciliationBody{"tracking.set_reconciliation_body",
                                           "UPDATE reconciliations SET body = $2 WHERE id = $1"};
constexpr Statement kLastReconciliation{
    "tracking.last_reconciliation",
    "SELECT body FROM reconciliations WHERE year = $1 ORDER BY id DESC LIMIT 1"};
constexpr Statement kIngestByInstitution{
    "tracking.ingest_by_institution",
    "SELECT institution_credit_code, count(*),"
    " count(*) FILTER (WHERE kind = 'DIAGNOSIS'),"
    " count(*) FILTER (WHERE kind = 'SOLUTION_DESIGN'),"
    " count(*) FILTER (WHERE kind = 'DIAGNOSIS' AND approved_by_both),"
    " count(*) FILTER (WHERE kind = 'SOLUTION_DESIGN' AND approved_by_both),"
    " count(*) FILTER (WHERE city_outcome = 'REJECTED' OR county_outcome = 'REJECTED'),"
    " count(*) FILTER (WHERE NOT approved_by_both AND city_outcome <> 'REJECTED'"
    " AND county_outcome <> 'REJECTED'),"
    " coalesce(sum(subsidy_fen), 0), " UTC_TEXT("max(updated_at)")
    " FROM projects WHERE year = $1 AND ($2 = '' OR institution_credit_code = $2)"
    " GROUP BY 1 ORDER BY 1",
    10000};
// The figures and the data state they come from, read by one statement (one snapshot): a push
// between two statements could otherwise name a state whose figures were not the ones read.
// Without data the statement still answers one row (the state 0/''), with NULL figures.
constexpr Statement kRecordFigures{
    "tracking.record_figures",
    "WITH y AS (SELECT * FROM projects WHERE year = $1),"
    " src AS (SELECT coalesce(max(change_seq), 0) AS seq,"
    " coalesce(" UTC_TEXT("max(updated_at)") ", '') AS as_of FROM y),"
    " f AS (SELECT institution_credit_code, kind, count(*) AS declared,"
    " count(*) FILTER (WHERE approved_by_both) AS approved FROM y"
    " WHERE cardinality($2::text[]) = 0 OR institution_credit_code = ANY ($2::text[])"
    " GROUP BY 1, 2)"
    " SELECT src.seq, src.as_of, f.institution_credit_code, f.kind, f.declared, f.approved,"
    " 0::bigint, '' FROM src LEFT JOIN f ON true ORDER BY 3, 4",
    10000};

// Counts mode: small batches, serialised by one transaction-level advisory lock so that the
// decision for each row is exact whatever else is pushing.
constexpr Statement kLockCounts{"tracking.lock_counts",
                                "SELECT pg_advisory_xact_lock(hashtext('zhigai.tracking.counts'))"};
constexpr Statement kCountHistory{
    "tracking.count_history",
    "SELECT year, institution_credit_code, kind, revision, content_hash, ordered_by_as_of"
    " FROM project_count_revisions WHERE (year, institution_credit_code, kind) IN"
    " (SELECT * FROM unnest($1::int[], $2::text[], $3::text[]))"};
constexpr Statement kCountCurrent{
    "tracking.count_current",
    "SELECT year, institution_credit_code, kind, revision FROM project_counts"
    " WHERE (year, institution_credit_code, kind) IN"
    " (SELECT * FROM unnest($1::int[], $2::text[], $3::text[]))"};
constexpr Statement kInsertCountRevision{
    "tracking.insert_count_revision",
    "INSERT INTO project_count_revisions (year, institution_credit_code, kind, revision,"
    " declared, approved_by_both, content_hash, platform_as_of, received_at, ordered_by_as_of)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')::timestamptz, $9::timestamptz,"
    " $10::boolean)"};
constexpr Statement kUpsertCountCurrent{
    "tracking.upsert_count_current",
    "INSERT INTO project_counts (year, institution_credit_code, kind, revision, declared,"
    " approved_by_both, platform_as_of, received_at, change_seq, ordered_by_as_of)"
    " VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, '')::timestamptz, $8::timestamptz,"
    " nextval('intake_seq'), $9::boolean) ON CONFLICT (year, institution_credit_code, kind)"
    " DO UPDATE SET ordered_by_as_of = EXCLUDED.ordered_by_as_of, revision = EXCLUDED.revision, "
    "declared = EXCLUDED.declared,"
    " approved_by_both = EXCLUDED.approved_by_both, platform_as_of = EXCLUDED.platform_as_of,"
    " received_at = EXCLUDED.received_at, change_seq = EXCLUDED.change_seq"
    " WHERE project_counts.revision < EXCLUDED.revision"};
constexpr Statement kListCountRevisions{
    "tracking.list_count_revisions",
    "SELECT r.year, r.institution_credit_code, r.kind, r.revision, r.declared,"
    " r.approved_by_both, coalesce(" UTC_TEXT("r.platform_as_of") ", ''),"
    " " UTC_TEXT("r.received_at") ", coalesce(c.revision = r.revision, false)"
    " FROM project_count_revisions r LEFT JOIN project_counts c"
    " USING (year, institution_credit_code, kind)"
    " WHERE r.year = $1 AND ($2 = '' OR r.institution_credit_code = $2) AND ($3 = '' OR r.kind = $3)"
    " AND (r.institution_credit_code, r.kind, r.revision) > ($4, $5, $6::bigint)"
    " ORDER BY r.institution_credit_code, r.kind, r.revision LIMIT $7"};
// The page and the year's data state in one statement, so both come from one snapshot.
constexpr Statement kListProjects{
    "tracking.list_projects",
    "WITH s AS (SELECT coalesce(max(change_seq), 0) AS seq FROM projects WHERE year = $1),"
    " p AS (SELECT * FROM projects WHERE year = $1 AND ($2 = '' OR institution_credit_code = $2)"
    " AND ($3 = '' OR kind = $3) AND (institution_credit_code, project_id) > ($4, $5)"
    " ORDER BY institution_credit_code, project_id LIMIT $6)"
    " SELECT s.seq, p.project_id, p.revision, p.institution_credit_code,"
    " p.enterprise_credit_code, p.kind, p.declaration_date::text, p.city_outcome,"
    " coalesce(p.city_outcome_date::text, ''), p.county_outcome,"
    " coalesce(p.county_outcome_date::text, ''), p.subsidy_fen, p.approved_by_both,"
    " p.change_seq, " UTC_TEXT("p.updated_at") " FROM s LEFT JOIN p ON true"
    " ORDER BY p.institution_credit_code, p.project_id"};
constexpr Statement kCountFigures{
    "tracking.count_figures",
    "WITH y AS (SELECT * FROM project_counts WHERE year = $1),"
    " src AS (SELECT coalesce(max(change_seq), 0) AS seq, coalesce("
    UTC_TEXT("max(coalesce(platform_as_of, received_at))") ", '') AS as_of FROM y)"
    " SELECT src.seq, src.as_of, f.institution_credit_code, f.kind, f.declared,"
    " f.approved_by_both, CASE WHEN f.ordered_by_as_of THEN 0 ELSE f.revision END,"
    " coalesce(" UTC_TEXT("f.platform_as_of") ", '')"
    " FROM src LEFT JOIN y f ON cardinality($2::text[]) = 0"
    " OR f.institution_credit_code = ANY ($2::text[]) ORDER BY 3, 4"};

// Intake settings.
constexpr Statement kGetIntake{"tracking.get_intake",
                               "SELECT mode, version, updated_by, " UTC_TEXT(
                                   "updated_at") " FROM intake_settings WHERE year = $1"};
constexpr Statement kInsertIntake{
    "tracking.insert_intake",
    "INSERT INTO intake_settings (year, mode, version, updated_by, updated_at)"
    " VALUES ($1, $2, 1, $3, $4::timestamptz) ON CONFLICT (year) DO NOTHING RETURNING version"};
constexpr Statement kUpdateIntake{
    "tracking.update_intake",
    "UPDATE intake_settings SET mode = $2, version = version + 1, updated_by = $4,"
    " updated_at = $5::timestamptz WHERE year = $1 AND version = $3 RETURNING version"};

template <typename Message>
absl::StatusOr<std::vector<Message>> ParseAll(const db::Result& r) {
  std::vector<Message> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto m = db::ParseStored<Message>(r.Text(i, 0));
    if (!m.ok()) return m.status();
    out.push_back(std::move(*m));
  }
  return out;
}

common::v1::ChangeStamp Stamp(const Change& change, const std::string& now) {
  common::v1::ChangeStamp stamp;
  stamp.set_actor(change.actor.subject);
  stamp.set_actor_role(change.actor.role);
  stamp.set_method(change.method);
  if (auto ts = wire::TimestampFromText(now)) *stamp.mutable_time() = *ts;
  return stamp;
}

// Writes a need's new body under the lock already held.
absl::Status WriteNeed(Connection& c, const Change& change, int64_t id, v1::Need& need,
                       int64_t version, const std::string& now) {
  need.set_version(version);
  if (auto ts = wire::TimestampFromText(now)) *need.mutable_update_time() = *ts;
  std::string assignee;
  if (!need.assignments().empty()) {
    const auto& last = *need.assignments().rbegin();
    if (last.state() == v1::PENDING || last.state() == v1::ACCEPTED) {
      assignee = last.institution_credit_code();
    }
  }
  if (auto u = c.Exec(kUpdateNeed, {id, v1::NeedState_Name(need.state()), assignee,
                                    Param::Bytes(need.SerializeAsString()), version});
      !u.ok()) {
    return u.status();
  }
  return db::Audit(c, change, "need", need.name(), version);
}

NeedState ToDomain(v1::NeedState s) {
  auto parsed = ParseNeedState(v1::NeedState_Name(s));
  return parsed.value_or(NeedState::kClosed);
}

// Binary COPY rows of kCopyProjects for these records, in its column order and types.
std::string ProjectRows(absl::Span<const ValidRecord* const> rows, int64_t seq, absl::Time now) {
  BinaryCopyRows out;
  out.Reserve(rows.size() * 260);
  for (const ValidRecord* v : rows) {
    const ProjectRecord& p = v->record;
    out.Row(16);
    out.Text(p.project_id);
    out.Int64(p.revision);
    out.Text(v->hash);
    out.Text(p.institution_credit_code);
    out.Text(p.enterprise_credit_code);
    out.Text(ConsultingKindName(p.kind));
    out.Date(p.declaration_date);
    out.Int32(ProjectYear(p));
    out.Text(ProjectOutcomeName(p.city.outcome));
    out.Date(p.city.decided_on);
    out.Text(ProjectOutcomeName(p.county.outcome));
    out.Date(p.county.decided_on);
    out.Bool(ApprovedByBoth(p));
    out.Int64(p.subsidy_fen);
    out.Int64(seq);
    out.Timestamp(now);
  }
  return std::move(out).Finish();
}

// The records' project ids as a text[] literal, as db::TextArray writes it, without copying
// each id into a vector first.
std::string IdArray(const std::vector<ValidRecord>& records) {
  std::size_t size = 2;
  for (const auto& r : records) size += r.record.project_id.size() + 3;
  std::string out;
  out.reserve(size);
  out.push_back('{');
  for (const auto& r : records) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    for (char c : r.record.project_id) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// The 15 parameters of PROJECT_ROWS for these records.
db::Params ProjectArrays(const std::vector<const ValidRecord*>& rows, const std::string& now) {
  std::vector<std::string> pid, rev, hash, inst, ent, kind, decl, year, co, cd, yo, yd, ab, sub;
  for (auto* v :
       {&pid, &rev, &hash, &inst, &ent, &kind, &decl, &year, &co, &cd, &yo, &yd, &ab, &sub}) {
    v->reserve(rows.size());
  }
  auto day = [](const std::optional<absl::CivilDay>& d) {
    return d ? core::FormatDate(*d) : std::string();
  };
  for (const ValidRecord* v : rows) {
    const ProjectRecord& p = v->record;
    pid.push_back(p.project_id);
    rev.push_back(absl::StrCat(p.revision));
    hash.push_back(v->hash);
    inst.push_back(p.institution_credit_code);
    ent.push_back(p.enterprise_credit_code);
    kind.emplace_back(ConsultingKindName(p.kind));
    decl.push_back(core::FormatDate(p.declaration_date));
    year.push_back(absl::StrCat(ProjectYear(p)));
    co.emplace_back(ProjectOutcomeName(p.city.outcome));
    cd.push_back(day(p.city.decided_on));
    yo.emplace_back(ProjectOutcomeName(p.county.outcome));
    yd.push_back(day(p.county.decided_on));
    ab.push_back(ApprovedByBoth(p) ? "t" : "f");
    sub.push_back(absl::StrCat(p.subsidy_fen));
  }
  return {db::TextArray(pid),  db::TextArray(rev),  db::TextArray(hash),
          db::TextArray(inst), db::TextArray(ent),  db::TextArray(kind),
          db::TextArray(decl), db::TextArray(year), db::TextArray(co),
          db::TextArray(cd),   db::TextArray(yo),   db::TextArray(yd),
          db::TextArray(ab),   db::TextArray(sub),  now};
}

}  // namespace

std::string TrackingStore::Now() const { return core::FormatTimestamp(clock_()); }

// ---------------------------------------------------------------------------------------
// Enterprises

absl::StatusOr<v1::Enterprise> TrackingStore::CreateEnterprise(const Change& change,
                                                               const std::string& key,
                                                               v1::Enterprise in) {
  v1::Enterprise out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    std::string now = Now();
    in.set_name(absl::StrCat("enterprises/", in.credit_code()));
    in.set_version(1);
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_create_time() = *ts;
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_update_time() = *ts;
    auto r = c.Exec(kInsertEnterprise, {in.credit_code(), in.division_code(),
                                        Param::Bytes(in.SerializeAsString()), now});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "enterprises_pkey") {
        return Error(absl::StatusCode::kAlreadyExists, "ENTERPRISE_EXISTS",
                     absl::StrCat("enterprise ", in.credit_code(), " is already registered"),
                     "该企业已登记");
      }
      return r.status();
    }
    out = in;
    return db::Audit(c, change, "enterprise", in.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Enterprise> TrackingStore::GetEnterprise(const std::string& code) {
  auto r = pool_.Exec(kGetEnterprise, {code});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return db::NotFound("enterprise", code);
  return db::ParseStored<v1::Enterprise>(r->Text(0, 0));
}

absl::StatusOr<std::vector<v1::Enterprise>> TrackingStore::ListEnterprises(
    const std::string& division, const std::string& after, int limit) {
  auto r = pool_.Exec(kListEnterprises, {after, division, limit});
  if (!r.ok()) return r.status();
  return ParseAll<v1::Enterprise>(*r);
}

// ---------------------------------------------------------------------------------------
// Needs

absl::StatusOr<v1::Need> TrackingStore::CreateNeed(const Change& change, const std::string& key,
                                                   v1::Need in) {
  v1::Need out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    auto division = c.Exec(kEnterpriseDivision, {in.enterprise_credit_code()});
    if (!division.ok()) return division.status();
    if (division->rows() == 0) {
      return RuleViolation("ENTERPRISE_NOT_REGISTERED", "R12.2",
                           absl::StrCat("enterprise ", in.enterprise_credit_code(),
                                        " must be registered before it records a need"),
                           "企业须先登记");
    }
    std::string now = Now();
    in.set_division_code(division->String(0, 0));
    auto r = c.Exec(kInsertNeed, {in.enterprise_credit_code(), in.division_code()});
    if (!r.ok()) return r.status();
    int64_t id = r->Int64(0, 0);
    in.set_name(absl::StrCat("needs/", id));
    in.set_state(v1::OPEN);
    in.clear_assignments();
    in.set_version(1);
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_create_time() = *ts;
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_update_time() = *ts;
    if (auto b = c.Exec(kSetNeedBody, {id, Param::Bytes(in.SerializeAsString())}); !b.ok()) {
      return b.status();
    }
    out = in;
    return db::Audit(c, change, "need", in.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Need> TrackingStore::GetNeed(int64_t id) {
  auto r = pool_.Exec(kGetNeed, {id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return db::NotFound("need", absl::StrCat("needs/", id));
  return db::ParseStored<v1::Need>(r->Text(0, 0));
}

absl::StatusOr<std::vector<v1::Need>> TrackingStore::ListNeeds(const NeedFilter& f,
                                                               int64_t after_id, int limit) {
  auto r = pool_.Exec(kListNeeds, {after_id, f.division_code, f.enterprise_credit_code, f.assignee,
                                   f.state, limit});
  if (!r.ok()) return r.status();
  return ParseAll<v1::Need>(*r);
}

absl::StatusOr<v1::Need> TrackingStore::UpdateNeed(const Change& change, int64_t id,
                                                   int64_t expected_version,
                                                   const NeedUpdate& apply) {
  v1::Need out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    auto row = c.Exec(kLockNeed, {id});
    if (!row.ok()) return row.status();
    if (row->rows() == 0) return db::NotFound("need", absl::StrCat("needs/", id));
    int64_t version = row->Int64(0, 1);
    if (version != expected_version) return db::StaleVersion("need", expected_version, version);
    auto current = db::ParseStored<v1::Need>(row->Text(0, 0));
    if (!current.ok()) return current.status();
    auto next = apply(*current);
    if (!next.ok()) return next.status();
    if (auto w = WriteNeed(c, change, id, *next, version + 1, Now()); !w.ok()) return w;
    out = std::move(*next);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

// ---------------------------------------------------------------------------------------
// Engagements

absl::StatusOr<std::optional<v1::Engagement>> TrackingStore::FindEngagementAnswer(
    const std::string& key) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  auto found = db::FindIdempotentResponse(**lease, key);
  if (!found.ok()) return found.status();
  if (!found->has_value() || (*found)->empty()) return std::optional<v1::Engagement>();
  v1::Engagement e;
  if (!e.ParseFromString(**found)) return absl::InternalError("stored answer does not parse");
  return std::optional<v1::Engagement>(std::move(e));
}

absl::StatusOr<v1::Engagement> TrackingStore::ReportEngagement(const Change& change,
                                                               const std::string& key,
                                                               v1::Engagement in, int64_t need_id) {
  v1::Engagement out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    std::string now = Now();
    if (need_id != 0) {
      auto row = c.Exec(kLockNeed, {need_id});
      if (!row.ok()) return row.status();
      if (row->rows() == 0) return db::NotFound("need", in.need());
      auto need = db::ParseStored<v1::Need>(row->Text(0, 0));
      if (!need.ok()) return need.status();
      if (need->enterprise_credit_code() != in.enterprise_credit_code()) {
        return RuleViolation("NEED_OF_OTHER_ENTERPRISE", "R12.2",
                             "the need belongs to another enterprise", "该需求不属于此企业");
      }
      // Served already through an assignment this institution accepted: nothing to change.
      bool accepted_by_caller =
          need->state() == v1::SERVED && !need->assignments().empty() &&
          need->assignments().rbegin()->state() == v1::ACCEPTED &&
          need->assignments().rbegin()->institution_credit_code() == in.institution_credit_code();
      if (!accepted_by_caller) {
        if (auto t = CheckNeedTransition(ToDomain(need->state()), NeedState::kServed); !t.ok()) {
          return t;
        }
        need->set_state(v1::SERVED);
        if (auto w = WriteNeed(c, change, need_id, *need, row->Int64(0, 1) + 1, now); !w.ok()) {
          return w;
        }
      }
    }
    auto r = c.Exec(kInsertEngagement,
                    {in.institution_credit_code(), in.enterprise_credit_code(), in.division_code(),
                     need_id == 0 ? Param(std::nullopt) : Param(need_id)});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "engagements_need_live") {
        return Error(absl::StatusCode::kAlreadyExists, "NEED_ALREADY_ENGAGED",
                     "another live engagement already serves this need", "该需求已有服务项目",
                     "R12.2");
      }
      return r.status();
    }
    int64_t id = r->Int64(0, 0);
    in.set_name(absl::StrCat("engagements/", id));
    in.set_state(v1::REPORTED);
    in.set_version(1);
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_create_time() = *ts;
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_update_time() = *ts;
    in.clear_history();
    auto* event = in.add_history();
    event->set_to_state(v1::REPORTED);
    *event->mutable_change() = Stamp(change, now);
    if (auto b = c.Exec(kSetEngagementBody, {id, Param::Bytes(in.SerializeAsString())}); !b.ok()) {
      return b.status();
    }
    out = in;
    return db::Audit(c, change, "engagement", in.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Engagement> TrackingStore::GetEngagement(int64_t id) {
  auto r = pool_.Exec(kGetEngagement, {id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return db::NotFound("engagement", absl::StrCat("engagements/", id));
  return db::ParseStored<v1::Engagement>(r->Text(0, 0));
}

absl::StatusOr<std::vector<v1::Engagement>> TrackingStore::ListEngagements(
    const EngagementFilter& f, int64_t after_id, int limit) {
  auto r = pool_.Exec(kListEngagements, {after_id, f.division_code, f.institution_credit_code,
                                         f.enterprise_credit_code, f.state, limit});
  if (!r.ok()) return r.status();
  return ParseAll<v1::Engagement>(*r);
}

absl::StatusOr<v1::Engagement> TrackingStore::UpdateEngagement(const Change& change, int64_t id,
                                                               int64_t expected_version,
                                                               const EngagementUpdate& apply,
                                                               const std::string& key) {
  v1::Engagement out;
  auto body = [&](Connection& c) -> absl::Status {
    auto row = c.Exec(kLockEngagement, {id});
    if (!row.ok()) return row.status();
    if (row->rows() == 0) return db::NotFound("engagement", absl::StrCat("engagements/", id));
    int64_t version = row->Int64(0, 1);
    int64_t need_id = row->Int64(0, 2);
    if (expected_version != 0 && version != expected_version) {
      return db::StaleVersion("engagement", expected_version, version);
    }
    auto current = db::ParseStored<v1::Engagement>(row->Text(0, 0));
    if (!current.ok()) return current.status();
    auto next = apply(*current);
    if (!next.ok()) return next.status();
    std::string now = Now();
    // The step the handler appended is stamped here, with the time the row is written.
    if (next->history_size() > current->history_size()) {
      *next->mutable_history(next->history_size() - 1)->mutable_change() = Stamp(change, now);
    }
    next->set_version(version + 1);
    if (auto ts = wire::TimestampFromText(now)) *next->mutable_update_time() = *ts;
    if (auto u =
            c.Exec(kUpdateEngagement, {id, v1::EngagementState_Name(next->state()),
                                       Param::Bytes(next->SerializeAsString()), next->version()});
        !u.ok()) {
      return u.status();
    }
    if (auto a = db::Audit(c, change, "engagement", next->name(), next->version()); !a.ok())
      return a;
    // A cancelled engagement leaves its need unserved again (R12.2), so the bureau can assign it.
    if (need_id != 0 && next->state() == v1::CANCELLED && current->state() != v1::CANCELLED) {
      auto need_row = c.Exec(kLockNeed, {need_id});
      if (!need_row.ok()) return need_row.status();
      if (need_row->rows() == 1) {
        auto need = db::ParseStored<v1::Need>(need_row->Text(0, 0));
        if (!need.ok()) return need.status();
        if (CheckNeedTransition(ToDomain(need->state()), NeedState::kOpen).ok() &&
            need->state() == v1::SERVED) {
          need->set_state(v1::OPEN);
          if (auto w = WriteNeed(c, change, need_id, *need, need_row->Int64(0, 1) + 1, now);
              !w.ok()) {
            return w;
          }
        }
      }
    }
    out = std::move(*next);
    return absl::OkStatus();
  };
  absl::Status s = key.empty() ? pool_.Transaction(body)
                               : db::RunIdempotent(pool_, key, change.method, &out, body);
  if (!s.ok()) return s;
  return out;
}

// ---------------------------------------------------------------------------------------
// Projects

absl::StatusOr<std::vector<StoredOutcome>> TrackingStore::PushProjects(
    const Change& change, const std::string& batch_label, const std::vector<ValidRecord>& records) {
  std::vector<StoredOutcome> outcomes;
  if (records.empty()) return outcomes;
  std::string id_array = IdArray(records);
  // Bytewise, as the "C" collation of project_id compares.
  std::string smallest_id =
      std::min_element(records.begin(), records.end(), [](const auto& a, const auto& b) {
        return a.record.project_id < b.record.project_id;
      })->record.project_id;
  for (int attempt = 0; attempt < 5; ++attempt) {
    bool raced = false;
    absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
      outcomes.clear();
      auto prior = c.Exec(kPriorProjects, {id_array, smallest_id});
      if (!prior.ok()) return prior.status();
      // A hash map keyed by views into the result and the records (both outlive the map), the
      // held hash a view too: no tree walks and no string copied per record.
      struct Held {
        int64_t revision = 0;
        absl::string_view hash;
        bool in_table = false;  // stored before this batch (UPDATE), else new (COPY)
        const ValidRecord* write = nullptr;
      };
      absl::flat_hash_map<absl::string_view, Held> state;
      state.reserve(records.size());
      for (int i = 0; i < prior->rows(); ++i) {
        state[prior->Text(i, 0)] = {prior->Int64(i, 1), prior->Text(i, 2), true};
      }
      outcomes.reserve(records.size());
      // Records are judged in batch order, so a batch holding two revisions of one project
      // behaves as if they had come one after the other; only the last one stored is written.
      for (const auto& r : records) {
        auto [it, added] = state.try_emplace(r.record.project_id);
        Held& h = it->second;
        RevisionDecision d = DecideRevision(!added, h.revision, h.hash, r.record.revision, r.hash);
        if (ShouldStore(d)) {
          h.revision = r.record.revision;
          h.hash = r.hash;
          h.write = &r;
        }
        outcomes.push_back({r.index, d, h.revision, absl::OkStatus()});
      }
      std::vector<const ValidRecord*> fresh, newer;
      // In batch order (a platform usually sends ids in order: then no sort is needed below).
      for (const auto& r : records) {
        const Held& h = state.find(r.record.project_id)->second;
        if (h.write == &r) (h.in_table ? newer : fresh).push_back(&r);
      }
      if (fresh.empty() && newer.empty()) return absl::OkStatus();  // a replay: nothing to write
      // In key order, as the primary key is: index pages are filled left to right.
      auto by_id = [](const ValidRecord* a, const ValidRecord* b) {
        return a->record.project_id < b->record.project_id;
      };
      for (auto* rows : {&fresh, &newer}) {
        if (!std::is_sorted(rows->begin(), rows->end(), by_id)) {
          std::sort(rows->begin(), rows->end(), by_id);
        }
      }
      int64_t written = static_cast<int64_t>(fresh.size() + newer.size());
      if (!fresh.empty()) {
        auto seq = c.Exec(kNextIntakeSeq);
        if (!seq.ok()) return seq.status();
        absl::Status copied = absl::OkStatus();
        absl::Time now = clock_();
        for (std::size_t at = 0; at < fresh.size() && copied.ok(); at += kCopyRows) {
          copied = CopyIn(c, kCopyProjects,
                          ProjectRows(absl::MakeConstSpan(fresh).subspan(at, kCopyRows),
                                      seq->Int64(0, 0), now));
        }
        if (!copied.ok()) {
          if (db::ConstraintOf(copied) == "projects_pkey") {
            raced = true;  // a concurrent push inserted one of them first: judge again
          }
          return copied;
        }
      }
      if (!newer.empty()) {
        auto updated = c.Exec(kUpdateProjects, ProjectArrays(newer, Now()));
        if (!updated.ok()) return updated.status();
        if (updated->rows() != static_cast<int>(newer.size())) {
          // A concurrent push stored a newer revision between our read and our write.
          raced = true;
          return absl::AbortedError("concurrent push");
        }
      }
      return db::Audit(c, change, "project_batch", batch_label, written);
    });
    if (raced) continue;
    if (!s.ok()) return s;
    return outcomes;
  }
  return Error(absl::StatusCode::kAborted, "CONCURRENT_PUSH",
               "concurrent pushes of the same projects kept racing; send the batch again",
               "同一项目正被并发推送，请重新推送该批次");
}

absl::StatusOr<v1::ProjectReconciliation> TrackingStore::Reconcile(
    const Change& change, const std::string& key, const v1::ReconcileProjectsRequest& claim) {
  v1::ProjectReconciliation out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    auto sum = c.Exec(kYearChecksum, {claim.year(), std::string()});
    if (!sum.ok()) return sum.status();
    v1::ProjectReconciliation rec;
    rec.set_year(claim.year());
    rec.set_claimed_count(claim.project_count());
    rec.set_claimed_checksum(claim.checksum());
    rec.set_stored_count(static_cast<int32_t>(sum->Int64(0, 0)));
    rec.set_stored_checksum(sum->String(0, 1));
    bool matched = rec.claimed_count() == rec.stored_count() &&
                   rec.claimed_checksum() == rec.stored_checksum();
    if (!claim.institutions().empty()) {
      auto by = c.Exec(kYearCountsByInstitution, {claim.year()});
      if (!by.ok()) return by.status();
      std::map<std::string, std::pair<int, int>> counts;  // code -> (claimed, stored)
      for (const auto& i : claim.institutions()) counts[i.credit_code()].first += i.project_count();
      for (int i = 0; i < by->rows(); ++i) {
        counts[by->String(i, 0)].second = static_cast<int>(by->Int64(i, 1));
      }
      for (const auto& [code, pair] : counts) {
        if (pair.first == pair.second) continue;
        auto* d = rec.add_differences();
        d->set_credit_code(code);
        d->set_claimed_count(pair.first);
        d->set_stored_count(pair.second);
      }
      matched = matched && rec.differences().empty();
    }
    rec.set_matched(matched);
    std::string now = Now();
    if (auto ts = wire::TimestampFromText(now)) *rec.mutable_create_time() = *ts;
    auto r = c.Exec(kInsertReconciliation, {claim.year(), matched, now});
    if (!r.ok()) return r.status();
    int64_t id = r->Int64(0, 0);
    rec.set_name(absl::StrCat("reconciliations/", id));
    if (auto b = c.Exec(kSetReconciliationBody, {id, Param::Bytes(rec.SerializeAsString())});
        !b.ok()) {
      return b.status();
    }
    out = rec;
    return db::Audit(c, change, "reconciliation", rec.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::IngestSummary> TrackingStore::IngestSummary(int year,
                                                               const std::string& institution) {
  v1::IngestSummary out;
  out.set_year(year);
  auto setting = GetIntakeSetting(year);
  if (!setting.ok()) return setting.status();
  out.set_intake_mode(setting->mode());
  auto sum = pool_.Exec(kYearChecksum, {year, institution});
  if (!sum.ok()) return sum.status();
  out.set_projects(static_cast<int32_t>(sum->Int64(0, 0)));
  out.set_checksum(sum->String(0, 1));
  auto rows = pool_.Exec(kIngestByInstitution, {year, institution});
  if (!rows.ok()) return rows.status();
  for (int i = 0; i < rows->rows(); ++i) {
    auto* r = out.add_institutions();
    r->set_credit_code(rows->String(i, 0));
    r->set_projects(static_cast<int32_t>(rows->Int64(i, 1)));
    r->set_declared_diagnosis(static_cast<int32_t>(rows->Int64(i, 2)));
    r->set_declared_solution_design(static_cast<int32_t>(rows->Int64(i, 3)));
    r->set_approved_diagnosis(static_cast<int32_t>(rows->Int64(i, 4)));
    r->set_approved_solution_design(static_cast<int32_t>(rows->Int64(i, 5)));
    r->set_rejected_by_either(static_cast<int32_t>(rows->Int64(i, 6)));
    r->set_pending(static_cast<int32_t>(rows->Int64(i, 7)));
    r->set_subsidy_fen(rows->Int64(i, 8));
    if (auto ts = wire::TimestampFromText(rows->String(i, 9))) *r->mutable_last_update_time() = *ts;
  }
  auto last = pool_.Exec(kLastReconciliation, {year});
  if (!last.ok()) return last.status();
  if (last->rows() == 1) {
    auto rec = db::ParseStored<v1::ProjectReconciliation>(last->Text(0, 0));
    if (!rec.ok()) return rec.status();
    *out.mutable_last_reconciliation() = std::move(*rec);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Counts mode

absl::StatusOr<std::vector<StoredOutcome>> TrackingStore::PushCounts(
    const Change& change, const std::vector<ValidCounts>& rows) {
  std::vector<StoredOutcome> outcomes;
  if (rows.empty()) return outcomes;
  using Key = std::tuple<int, std::string, std::string>;
  auto key_of = [](const ProjectCounts& c) {
    return Key{c.year, c.institution_credit_code, std::string(ConsultingKindName(c.kind))};
  };
  std::vector<std::string> years, codes, kinds;
  for (const auto& r : rows) {
    auto [y, code, kind] = key_of(r.counts);
    years.push_back(absl::StrCat(y));
    codes.push_back(code);
    kinds.push_back(kind);
  }
  db::Params keys = {db::TextArray(years), db::TextArray(codes), db::TextArray(kinds)};
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    outcomes.clear();
    if (auto l = c.Exec(kLockCounts); !l.ok()) return l.status();
    auto history = c.Exec(kCountHistory, keys);
    if (!history.ok()) return history.status();
    auto current = c.Exec(kCountCurrent, keys);
    if (!current.ok()) return current.status();
    std::map<Key, std::map<int64_t, std::string>> revisions;  // key -> revision -> hash
    std::map<Key, bool> by_as_of;                             // key -> its order
    std::map<Key, int64_t> highest;
    for (int i = 0; i < history->rows(); ++i) {
      Key k{static_cast<int>(history->Int64(i, 0)), history->String(i, 1), history->String(i, 2)};
      revisions[k][history->Int64(i, 3)] = history->String(i, 4);
      by_as_of[k] = history->Bool(i, 5);
    }
    for (int i = 0; i < current->rows(); ++i) {
      highest[{static_cast<int>(current->Int64(i, 0)), current->String(i, 1),
               current->String(i, 2)}] = current->Int64(i, 3);
    }
    std::string now = Now();
    for (const auto& row : rows) {
      const ProjectCounts& p = row.counts;
      Key k = key_of(p);
      if (auto order = by_as_of.find(k); order != by_as_of.end()) {
        absl::Status mixed = CheckCountsOrdering(
            order->second, p.ordered_by_as_of,
            absl::StrCat(p.year, "/", p.institution_credit_code, "/", std::get<2>(k)));
        if (!mixed.ok()) {
          auto top = highest.find(k);
          outcomes.push_back(
              {row.index, RevisionDecision::kStale, top == highest.end() ? 0 : top->second, mixed});
          continue;
        }
      }
      by_as_of[k] = p.ordered_by_as_of;
      auto& known = revisions[k];
      auto top = highest.find(k);
      std::optional<StoredRevision> existing;
      if (top != highest.end()) existing = StoredRevision{top->second, known[top->second]};
      RevisionDecision d;
      auto same = known.find(p.revision);
      if (same != known.end()) {
        // This revision was received before: a repeat, or a broken promise (CONFLICT).
        d = DecideRevision(StoredRevision{p.revision, same->second}, p.revision, row.hash);
      } else {
        d = DecideRevision(existing, p.revision, row.hash);
        // Every distinct revision is kept, a late (STALE) one too: the history, like the
        // current figures, ends the same whatever order revisions arrive in.
        auto ins =
            c.Exec(kInsertCountRevision,
                   {p.year, p.institution_credit_code, std::get<2>(k), p.revision, p.declared,
                    p.approved_by_both, row.hash, row.platform_as_of, now, p.ordered_by_as_of});
        if (!ins.ok()) return ins.status();
        known[p.revision] = row.hash;
        if (auto a =
                db::Audit(c, change, "project_counts",
                          absl::StrCat(p.year, "/", p.institution_credit_code, "/", std::get<2>(k)),
                          p.revision);
            !a.ok()) {
          return a;
        }
      }
      if (ShouldStore(d)) {
        auto up = c.Exec(kUpsertCountCurrent,
                         {p.year, p.institution_credit_code, std::get<2>(k), p.revision, p.declared,
                          p.approved_by_both, row.platform_as_of, now, p.ordered_by_as_of});
        if (!up.ok()) return up.status();
        highest[k] = p.revision;
      }
      outcomes.push_back({row.index, d, highest.count(k) ? highest[k] : 0, absl::OkStatus()});
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return outcomes;
}

absl::StatusOr<TrackingStore::ProjectPage> TrackingStore::ListProjects(
    int year, const std::string& institution, const std::string& kind, const std::string& after,
    int limit) {
  std::string a_code, a_id;
  if (size_t bar = after.find('|'); bar != std::string::npos) {
    a_code = after.substr(0, bar);
    a_id = after.substr(bar + 1);
  }
  auto r = pool_.Exec(kListProjects, {year, institution, kind, a_code, a_id, limit});
  if (!r.ok()) return r.status();
  ProjectPage out;
  for (int i = 0; i < r->rows(); ++i) {
    out.seq = r->Int64(i, 0);
    if (r->IsNull(i, 1)) continue;  // the year's state, no record on this page
    v1::StoredProjectRecord stored;
    v1::ProjectRecord* p = stored.mutable_record();
    p->set_project_id(r->String(i, 1));
    p->set_revision(r->Int64(i, 2));
    p->set_institution_credit_code(r->String(i, 3));
    p->set_enterprise_credit_code(r->String(i, 4));
    ASSIGN_OR_RETURN(common::v1::ServiceKind k,
                     db::EnumColumn<common::v1::ServiceKind>(*r, i, 5, "projects.kind"));
    p->set_kind(k);
    if (auto dt = wire::DateFromText(r->String(i, 6))) *p->mutable_declaration_date() = *dt;
    for (auto [col, set] : {std::pair{7, &v1::ProjectRecord::set_city_outcome},
                            std::pair{9, &v1::ProjectRecord::set_county_outcome}}) {
      v1::ProjectOutcome o = v1::PROJECT_OUTCOME_UNSPECIFIED;
      if (!v1::ProjectOutcome_Parse(absl::StrCat("OUTCOME_", r->Text(i, col)), &o)) {
        return absl::DataLossError(absl::StrCat("projects outcome of ", p->project_id(),
                                                " holds \"", r->Text(i, col),
                                                "\", which is not a ProjectOutcome"));
      }
      (p->*set)(o);
    }
    if (auto dt = wire::DateFromText(r->String(i, 8))) *p->mutable_city_outcome_date() = *dt;
    if (auto dt = wire::DateFromText(r->String(i, 10))) *p->mutable_county_outcome_date() = *dt;
    p->set_subsidy_fen(r->Int64(i, 11));
    stored.set_approved_by_both(r->Bool(i, 12));
    stored.set_change_seq(r->Int64(i, 13));
    if (auto ts = wire::TimestampFromText(r->String(i, 14))) *stored.mutable_update_time() = *ts;
    out.projects.push_back(std::move(stored));
  }
  return out;
}

absl::StatusOr<std::vector<v1::ProjectCountsRevision>> TrackingStore::ListCountRevisions(
    int year, const std::string& institution, const std::string& kind, const std::string& after,
    int limit) {
  std::vector<std::string> parts = absl::StrSplit(after, '|');
  std::string a_code, a_kind;
  int64_t a_rev = 0;
  if (parts.size() == 3) {
    a_code = parts[0];
    a_kind = parts[1];
    if (!absl::SimpleAtoi(parts[2], &a_rev)) a_rev = 0;
  }
  auto r = pool_.Exec(kListCountRevisions, {year, institution, kind, a_code, a_kind, a_rev, limit});
  if (!r.ok()) return r.status();
  std::vector<v1::ProjectCountsRevision> out;
  for (int i = 0; i < r->rows(); ++i) {
    v1::ProjectCountsRevision rev;
    auto* row = rev.mutable_row();
    row->set_year(static_cast<int32_t>(r->Int64(i, 0)));
    row->set_institution_credit_code(r->String(i, 1));
    ASSIGN_OR_RETURN(common::v1::ServiceKind k, db::EnumColumn<common::v1::ServiceKind>(
                                                    *r, i, 2, "project_count_revisions.kind"));
    row->set_kind(k);
    row->set_revision(r->Int64(i, 3));
    row->set_declared(r->Int64(i, 4));
    row->set_approved_by_both(r->Int64(i, 5));
    if (auto ts = wire::TimestampFromText(r->String(i, 6))) *row->mutable_as_of() = *ts;
    if (auto ts = wire::TimestampFromText(r->String(i, 7))) *rev.mutable_receive_time() = *ts;
    rev.set_current(r->Bool(i, 8));
    out.push_back(std::move(rev));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Intake setting and figures

absl::StatusOr<v1::IntakeSetting> TrackingStore::GetIntakeSetting(int year) {
  auto r = pool_.Exec(kGetIntake, {year});
  if (!r.ok()) return r.status();
  v1::IntakeSetting out;
  out.set_year(year);
  out.set_mode(v1::RECORDS);  // the default of a year never set
  if (r->rows() == 1) {
    ASSIGN_OR_RETURN(v1::IntakeMode mode,
                     db::EnumColumn<v1::IntakeMode>(*r, 0, 0, "intake_settings.mode"));
    out.set_mode(mode);
    out.set_version(r->Int64(0, 1));
    out.set_updated_by(r->String(0, 2));
    if (auto ts = wire::TimestampFromText(r->String(0, 3))) *out.mutable_update_time() = *ts;
  }
  return out;
}

absl::StatusOr<v1::IntakeSetting> TrackingStore::SetIntakeSetting(const Change& change, int year,
                                                                  v1::IntakeMode mode,
                                                                  int64_t expected_version) {
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    std::string now = Now();
    auto r =
        expected_version == 0
            ? c.Exec(kInsertIntake, {year, v1::IntakeMode_Name(mode), change.actor.subject, now})
            : c.Exec(kUpdateIntake, {year, v1::IntakeMode_Name(mode), expected_version,
                                     change.actor.subject, now});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) {
      auto current = c.Exec(kGetIntake, {year});
      if (!current.ok()) return current.status();
      return db::StaleVersion("intake setting", expected_version,
                              current->rows() == 1 ? current->Int64(0, 1) : 0);
    }
    return db::Audit(c, change, "intake_setting", absl::StrCat(year), r->Int64(0, 0));
  });
  if (!s.ok()) return s;
  return GetIntakeSetting(year);
}

namespace {
MetricsSource FiguresOf(const db::Result& r) {
  MetricsSource out;
  for (int i = 0; i < r.rows(); ++i) {
    if (i == 0) {
      out.seq = r.Int64(0, 0);
      out.as_of = r.String(0, 1);
    }
    if (r.IsNull(i, 2)) continue;  // the state row of a year without data
    out.figures.push_back({r.String(i, 2), r.String(i, 3), r.Int64(i, 4), r.Int64(i, 5),
                           r.Int64(i, 6), r.String(i, 7)});
  }
  return out;
}
}  // namespace

absl::StatusOr<MetricsSource> TrackingStore::RecordFigures(int year,
                                                           const std::vector<std::string>& codes) {
  auto r = pool_.Exec(kRecordFigures, {year, db::TextArray(codes)});
  if (!r.ok()) return r.status();
  return FiguresOf(*r);
}

absl::StatusOr<MetricsSource> TrackingStore::CountFigures(int year,
                                                          const std::vector<std::string>& codes) {
  auto r = pool_.Exec(kCountFigures, {year, db::TextArray(codes)});
  if (!r.ok()) return r.status();
  return FiguresOf(*r);
}

}  // namespace zhigai::tracking
