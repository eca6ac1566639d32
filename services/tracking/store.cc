// The tracking store's projects (the platform's pushes and counts, reconciliation, the intake
// setting) and the figures the evaluation pulls (all SQL). Parties are in store_parties.cc.
#include "services/tracking/store.h"

#include <algorithm>
#include <map>
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
#include "services/tracking/domain/project_metrics.h"

namespace zhigai::tracking {
namespace {

using db::Connection;
using db::Param;
using db::Statement;

#define UTC_TEXT(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

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
      ASSIGN_OR_RETURN(auto prior, c.Exec(kPriorProjects, {id_array, smallest_id}));
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
      for (int i = 0; i < prior.rows(); ++i) {
        state[prior.Text(i, 0)] = {prior.Int64(i, 1), prior.Text(i, 2), true};
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
    ASSIGN_OR_RETURN(auto sum, c.Exec(kYearChecksum, {claim.year(), std::string()}));
    v1::ProjectReconciliation rec;
    rec.set_year(claim.year());
    rec.set_claimed_count(claim.project_count());
    rec.set_claimed_checksum(claim.checksum());
    rec.set_stored_count(static_cast<int32_t>(sum.Int64(0, 0)));
    rec.set_stored_checksum(sum.String(0, 1));
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
  ASSIGN_OR_RETURN(auto setting, GetIntakeSetting(year));
  out.set_intake_mode(setting.mode());
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
        ASSIGN_OR_RETURN(
            auto up, c.Exec(kUpsertCountCurrent, {p.year, p.institution_credit_code, std::get<2>(k),
                                                  p.revision, p.declared, p.approved_by_both,
                                                  row.platform_as_of, now, p.ordered_by_as_of}));
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
  ASSIGN_OR_RETURN(auto r,
                   pool_.Exec(kListProjects, {year, institution, kind, a_code, a_id, limit}));
  ProjectPage out;
  for (int i = 0; i < r.rows(); ++i) {
    out.seq = r.Int64(i, 0);
    if (r.IsNull(i, 1)) continue;  // the year's state, no record on this page
    v1::StoredProjectRecord stored;
    v1::ProjectRecord* p = stored.mutable_record();
    p->set_project_id(r.String(i, 1));
    p->set_revision(r.Int64(i, 2));
    p->set_institution_credit_code(r.String(i, 3));
    p->set_enterprise_credit_code(r.String(i, 4));
    ASSIGN_OR_RETURN(common::v1::ServiceKind k,
                     db::EnumColumn<common::v1::ServiceKind>(r, i, 5, "projects.kind"));
    p->set_kind(k);
    if (auto dt = wire::DateFromText(r.String(i, 6))) *p->mutable_declaration_date() = *dt;
    for (auto [col, set] : {std::pair{7, &v1::ProjectRecord::set_city_outcome},
                            std::pair{9, &v1::ProjectRecord::set_county_outcome}}) {
      v1::ProjectOutcome o = v1::PROJECT_OUTCOME_UNSPECIFIED;
      if (!v1::ProjectOutcome_Parse(absl::StrCat("OUTCOME_", r.Text(i, col)), &o)) {
        return absl::DataLossError(absl::StrCat("projects outcome of ", p->project_id(),
                                                " holds \"", r.Text(i, col),
                                                "\", which is not a ProjectOutcome"));
      }
      (p->*set)(o);
    }
    if (auto dt = wire::DateFromText(r.String(i, 8))) *p->mutable_city_outcome_date() = *dt;
    if (auto dt = wire::DateFromText(r.String(i, 10))) *p->mutable_county_outcome_date() = *dt;
    p->set_subsidy_fen(r.Int64(i, 11));
    stored.set_approved_by_both(r.Bool(i, 12));
    stored.set_change_seq(r.Int64(i, 13));
    if (auto ts = wire::TimestampFromText(r.String(i, 14))) *stored.mutable_update_time() = *ts;
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
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListCountRevisions,
                                      {year, institution, kind, a_code, a_kind, a_rev, limit}));
  std::vector<v1::ProjectCountsRevision> out;
  for (int i = 0; i < r.rows(); ++i) {
    v1::ProjectCountsRevision rev;
    auto* row = rev.mutable_row();
    row->set_year(static_cast<int32_t>(r.Int64(i, 0)));
    row->set_institution_credit_code(r.String(i, 1));
    ASSIGN_OR_RETURN(common::v1::ServiceKind k, db::EnumColumn<common::v1::ServiceKind>(
                                                    r, i, 2, "project_count_revisions.kind"));
    row->set_kind(k);
    row->set_revision(r.Int64(i, 3));
    row->set_declared(r.Int64(i, 4));
    row->set_approved_by_both(r.Int64(i, 5));
    if (auto ts = wire::TimestampFromText(r.String(i, 6))) *row->mutable_as_of() = *ts;
    if (auto ts = wire::TimestampFromText(r.String(i, 7))) *rev.mutable_receive_time() = *ts;
    rev.set_current(r.Bool(i, 8));
    out.push_back(std::move(rev));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Intake setting and figures

absl::StatusOr<v1::IntakeSetting> TrackingStore::GetIntakeSetting(int year) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetIntake, {year}));
  v1::IntakeSetting out;
  out.set_year(year);
  out.set_mode(v1::RECORDS);  // the default of a year never set
  if (r.rows() == 1) {
    ASSIGN_OR_RETURN(v1::IntakeMode mode,
                     db::EnumColumn<v1::IntakeMode>(r, 0, 0, "intake_settings.mode"));
    out.set_mode(mode);
    out.set_version(r.Int64(0, 1));
    out.set_updated_by(r.String(0, 2));
    if (auto ts = wire::TimestampFromText(r.String(0, 3))) *out.mutable_update_time() = *ts;
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
      ASSIGN_OR_RETURN(auto current, c.Exec(kGetIntake, {year}));
      return db::StaleVersion("intake setting", expected_version,
                              current.rows() == 1 ? current.Int64(0, 1) : 0);
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
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kRecordFigures, {year, db::TextArray(codes)}));
  return FiguresOf(r);
}

absl::StatusOr<MetricsSource> TrackingStore::CountFigures(int year,
                                                          const std::vector<std::string>& codes) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kCountFigures, {year, db::TextArray(codes)}));
  return FiguresOf(r);
}

}  // namespace zhigai::tracking
