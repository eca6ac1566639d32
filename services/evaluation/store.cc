#include "services/evaluation/store.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/db/enum_column.h"
#include "libs/db/errors.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/db/stored.h"
#include "libs/wire/typed_time.h"
#include "services/evaluation/public_change.h"
#include "services/evaluation/round_states.h"
#include "services/evaluation/store_internal.h"

namespace zhigai::evaluation {
namespace {

using db::Connection;
using db::Param;
using db::Statement;

// Rows per multi-row statement: big enough to amortise the round trip, small enough to keep
// each statement's parameter text a few MiB at most.
constexpr size_t kChunk = 1000;

#define TS(col) \
  "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '')"

constexpr Statement kInsertRound{
    "evaluation.insert_round",
    "INSERT INTO rounds (year, projects_year, tests_year, include_previous_directory, state,"
    " version, created_at, rule_version)"
    " VALUES ($1, $1 - 1, $1, $2, 'OPEN', 1, $3::timestamptz, $4)"};
// The counts: institutions in the snapshot, defence entries, and institutions still needing a
// defence entry (the SQL form of NeedsDefenceEntry: not excluded).
constexpr Statement kGetRound{
    "evaluation.get_round",
    "SELECT r.year, r.projects_year, r.tests_year, r.include_previous_directory, r.state,"
    " r.version, " TS("r.created_at") ", " TS("r.pulled_at") ", " TS("r.frozen_at") ", "
    TS("r.ranked_at") ", " TS("r.published_at") ","
    " (SELECT count(*) FROM snapshot_institutions s WHERE s.year = r.year),"
    " (SELECT count(*) FROM defence_scores d WHERE d.year = r.year),"
    " (SELECT count(*) FROM snapshot_institutions s WHERE s.year = r.year AND s.exclusion = ''"
    "   AND NOT EXISTS (SELECT 1 FROM defence_scores d"
    "                   WHERE d.year = s.year AND d.credit_code = s.credit_code)),"
    " r.publication, r.rule_version"
    " FROM rounds r WHERE r.year = $1"};
constexpr Statement kLockRound{
    "evaluation.lock_round",
    "SELECT state, version, pulled_at IS NOT NULL, publication FROM rounds WHERE year = $1"
    " FOR UPDATE"};
constexpr Statement kSetState{
    "evaluation.set_state",
    "UPDATE rounds SET state = $2, version = version + 1,"
    " frozen_at = CASE WHEN $2 = 'METRICS_FROZEN' THEN $3::timestamptz ELSE frozen_at END,"
    " ranked_at = CASE WHEN $2 = 'RANKED' THEN $3::timestamptz ELSE ranked_at END,"
    " published_at = CASE WHEN $2 = 'PUBLISHED' THEN $3::timestamptz ELSE published_at END,"
    " publication = CASE WHEN $2 = 'PUBLISHED' THEN 1 ELSE publication END"
    " WHERE year = $1 RETURNING version"};
constexpr Statement kSetPulled{
    "evaluation.set_pulled",
    "UPDATE rounds SET pulled_at = $2::timestamptz, version = version + 1 WHERE year = $1"
    " RETURNING version"};

constexpr Statement kDeleteScope{"evaluation.delete_scope",
                                 "DELETE FROM snapshot_scope WHERE year = $1"};
constexpr Statement kInsertScope{
    "evaluation.insert_scope",
    "INSERT INTO snapshot_scope (year, credit_code, display_name, reason, entries)"
    " SELECT $1, u.c, u.n, u.r, u.e FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])"
    " AS u(c, n, r, e)",
    30000};
constexpr Statement kListScope{
    "evaluation.list_scope",
    "SELECT credit_code, display_name, reason, entries FROM snapshot_scope WHERE year = $1"
    " AND credit_code > $2 AND ($3 = '' OR credit_code = $3)"
    " AND (NOT $4 OR reason = 'REMOVED_FROM_DIRECTORY') ORDER BY credit_code LIMIT $5"};
constexpr Statement kDeleteTests{"evaluation.delete_tests",
                                 "DELETE FROM snapshot_tests WHERE year = $1"};
constexpr Statement kDeleteInstitutions{"evaluation.delete_institutions",
                                        "DELETE FROM snapshot_institutions WHERE year = $1"};
constexpr Statement kDeleteSources{"evaluation.delete_sources",
                                   "DELETE FROM snapshot_sources WHERE year = $1"};
constexpr Statement kInsertSource{
    "evaluation.insert_source",
    "INSERT INTO snapshot_sources (year, source, method, source_year, pulled_at, institutions,"
    " intake_mode, as_of, source_revision)"
    " VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7, $8, $9)"};
constexpr Statement kInsertInstitutions{
    "evaluation.insert_institutions",
    "INSERT INTO snapshot_institutions (year, credit_code, display_name, directory_years,"
    " declared_diagnosis, declared_solution_design, approved_diagnosis,"
    " approved_solution_design, excuses_pending, content_very, content_fairly,"
    " content_average, content_unsatisfied, result_very, result_fairly, result_average,"
    " result_unsatisfied, verified_complaints, verified_serious_complaints, exclusion,"
    " exclusion_source, project_source, test_results_missing)"
    " SELECT $1, u.c, u.n, u.y::int[], u.dd, u.ds, u.ad, u.asd, u.ep, u.cv, u.cf, u.ca, u.cu,"
    " u.rv, u.rf, u.ra, u.ru, u.vc, u.vs, u.ex, u.es, u.ps, u.tm"
    " FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],"
    " $7::bigint[], $8::bigint[], $9::int[], $10::bigint[], $11::bigint[], $12::bigint[],"
    " $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[],"
    " $18::bigint[], $19::bigint[], $20::text[], $21::text[], $22::text[], $23::bigint[])"
    " AS u(c, n, y, dd, ds, ad, asd, ep, cv, cf, ca, cu, rv, rf, ra, ru, vc, vs, ex, es, ps, tm)",
    30000};
constexpr Statement kInsertTests{
    "evaluation.insert_tests",
    "INSERT INTO snapshot_tests (year, credit_code, seq, session, score_hundredths,"
    " full_marks_hundredths, unexcused_absence, no_result_at_close)"
    " SELECT $1, u.c, u.q, u.s, u.sc, u.fm, u.ua, u.nr"
    " FROM unnest($2::text[], $3::int[], $4::text[], $5::bigint[], $6::bigint[], $7::bool[],"
    " $8::bool[]) AS u(c, q, s, sc, fm, ua, nr)",
    30000};
#define SOURCE_COLUMNS \
  "source, method, source_year, " TS("pulled_at") ", institutions, intake_mode, as_of," \
  " source_revision"
constexpr Statement kListSources{"evaluation.list_sources",
                                 "SELECT " SOURCE_COLUMNS
                                 " FROM snapshot_sources WHERE year = $1 ORDER BY source"};
constexpr Statement kSnapshotCounts{
    "evaluation.snapshot_counts",
    "SELECT count(*), count(*) FILTER (WHERE exclusion = 'BARRED'),"
    " count(*) FILTER (WHERE exclusion = 'CANCELLED'), coalesce(sum(excuses_pending), 0),"
    " coalesce(sum(test_results_missing), 0)"
    " FROM snapshot_institutions WHERE year = $1"};
constexpr Statement kLoadInstitutions{
    "evaluation.load_institutions",
    "SELECT credit_code, display_name, array_to_string(directory_years, ','),"
    " declared_diagnosis, declared_solution_design, approved_diagnosis,"
    " approved_solution_design, excuses_pending, content_very, content_fairly,"
    " content_average, content_unsatisfied, result_very, result_fairly, result_average,"
    " result_unsatisfied, verified_complaints, verified_serious_complaints, exclusion,"
    " exclusion_source, project_source, test_results_missing FROM snapshot_institutions"
    " WHERE year = $1"
    " ORDER BY credit_code",
    30000};
constexpr Statement kLoadTests{
    "evaluation.load_tests",
    "SELECT credit_code, session, score_hundredths, full_marks_hundredths, unexcused_absence,"
    " no_result_at_close FROM snapshot_tests WHERE year = $1 ORDER BY credit_code, seq",
    30000};
constexpr Statement kLoadDefence{
    "evaluation.load_defence",
    "SELECT credit_code, array_to_string(member_scores_hundredths, ',') FROM defence_scores"
    " WHERE year = $1",
    30000};

constexpr Statement kCodesInSnapshot{"evaluation.codes_in_snapshot",
                                     "SELECT credit_code FROM snapshot_institutions WHERE year = $1"
                                     " AND credit_code = ANY ($2::text[])"};
constexpr Statement kUpsertDefence{
    "evaluation.upsert_defence",
    "INSERT INTO defence_scores (year, credit_code, member_scores_hundredths, recorded_by,"
    " recorded_at) SELECT $1, u.c, u.s::bigint[], $4, $5::timestamptz"
    " FROM unnest($2::text[], $3::text[]) AS u(c, s)"
    " ON CONFLICT (year, credit_code) DO UPDATE SET"
    " member_scores_hundredths = excluded.member_scores_hundredths,"
    " recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at"};
constexpr Statement kDefenceMissing{
    "evaluation.defence_missing",
    "SELECT count(*) FROM snapshot_institutions s WHERE s.year = $1 AND s.exclusion = ''"
    " AND NOT EXISTS (SELECT 1 FROM defence_scores d"
    "                 WHERE d.year = s.year AND d.credit_code = s.credit_code)"};

constexpr Statement kInsertSheets{
    "evaluation.insert_sheets",
    "INSERT INTO score_sheets (year, credit_code, position, excellent, sheet)"
    " SELECT $1, u.c, u.p, u.e, u.s"
    " FROM unnest($2::text[], $3::int[], $4::bool[], $5::bytea[]) AS u(c, p, e, s)",
    30000};
constexpr Statement kInsertExport{
    "evaluation.insert_export",
    "INSERT INTO round_exports (year, content, format, body) VALUES ($1, $2, $3, $4)", 30000};
constexpr Statement kDeleteSheets{"evaluation.delete_sheets",
                                  "DELETE FROM score_sheets WHERE year = $1", 30000};
constexpr Statement kDeleteRankingExports{
    "evaluation.delete_ranking_exports",
    "DELETE FROM round_exports WHERE year = $1 AND content = 'RANKING'"};
constexpr Statement kSetRankingSanctions{
    "evaluation.set_ranking_sanctions", "UPDATE rounds SET ranking_sanctions = $2 WHERE year = $1"};
constexpr Statement kGetRankingSanctions{"evaluation.get_ranking_sanctions",
                                         "SELECT ranking_sanctions FROM rounds WHERE year = $1"};
constexpr Statement kGetSheet{
    "evaluation.get_sheet", "SELECT sheet FROM score_sheets WHERE year = $1 AND credit_code = $2"};
constexpr Statement kListSheets{
    "evaluation.list_sheets",
    "SELECT sheet FROM score_sheets WHERE year = $1 AND credit_code > $2"
    " ORDER BY credit_code LIMIT $3"};
constexpr Statement kListDefence{
    "evaluation.list_defence",
    "SELECT credit_code, array_to_string(member_scores_hundredths, ','), " TS("recorded_at")
    " FROM defence_scores WHERE year = $1 AND credit_code > $2 AND ($3 = '' OR credit_code = $3)"
    " ORDER BY credit_code LIMIT $4"};
constexpr Statement kListRanking{
    "evaluation.list_ranking",
    "SELECT position, sheet FROM score_sheets WHERE year = $1 AND position > $2"
    " AND (NOT $3 OR excellent) ORDER BY position LIMIT $4"};
constexpr Statement kListSupersededRanking{
    "evaluation.list_superseded_ranking",
    "SELECT position, sheet FROM superseded_sheets WHERE year = $1 AND publication = $5"
    " AND position > $2 AND (NOT $3 OR excellent) ORDER BY position LIMIT $4"};
constexpr Statement kGetExport{
    "evaluation.get_export",
    "SELECT body FROM round_exports WHERE year = $1 AND content = $2 AND format = $3", 30000};

absl::Status Stale(int64_t sent, int64_t current) {
  return Error(absl::StatusCode::kAborted, "STALE_VERSION",
               absl::StrCat("the round was changed by someone else: you sent version ", sent,
                            ", the current version is ", current, "; read it again"),
               "考核已被他人修改，请刷新后重试");
}

absl::Status Audit(Connection& c, const Change& change, int year, int64_t version) {
  return db::Audit(c, change, "evaluation_round", absl::StrCat(year), version);
}

std::string IntArray(const std::vector<int64_t>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

std::string BoolArray(const std::vector<bool>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += values[i] ? 't' : 'f';
  }
  return out + "}";
}

// A comma-separated integer column; a part that does not parse is a corrupt row, not a part
// to skip (a dropped defence score would change the score sheet).
absl::StatusOr<std::vector<int64_t>> SplitInts(absl::string_view text, absl::string_view column) {
  std::vector<int64_t> out;
  if (text.empty()) return out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(part, &v)) {
      return absl::DataLossError(
          absl::StrCat(column, " holds \"", text, "\", which is not a list of integers"));
    }
    out.push_back(v);
  }
  return out;
}

absl::string_view ExclusionName(Exclusion e) { return DescribeExclusion(e).reason; }

absl::StatusOr<Exclusion> ExclusionFromName(absl::string_view name) {
  if (auto e = ParseExclusion(name)) return *e;
  return absl::DataLossError(absl::StrCat("snapshot_institutions.exclusion holds \"", name,
                                          "\", which is not an exclusion"));
}

struct Locked {
  v1::RoundState state = v1::ROUND_STATE_UNSPECIFIED;
  int64_t version = 0;
  bool pulled = false;
  int publication = 0;
};

// The computed sheets in ranking order and the ranking's exports, as the current publication.
absl::Status WriteRanking(Connection& c, int year, const ComputedRound& computed) {
  for (size_t i = 0; i < computed.sheets.size(); i += kChunk) {
    std::vector<std::string> codes, bodies;
    std::vector<int64_t> positions;
    std::vector<bool> excellent;
    for (size_t j = i; j < computed.sheets.size() && j < i + kChunk; ++j) {
      const v1::ScoreSheet& sheet = computed.sheets[j];
      codes.push_back(sheet.credit_code());
      positions.push_back(static_cast<int64_t>(j));
      excellent.push_back(sheet.excellent());
      bodies.push_back(absl::StrCat("\\x", absl::BytesToHexString(sheet.SerializeAsString())));
    }
    ASSIGN_OR_RETURN(auto r, c.Exec(kInsertSheets, {year, db::TextArray(codes), IntArray(positions),
                                                    BoolArray(excellent), db::TextArray(bodies)}));
  }
  const std::pair<const char*, const std::string*> exports[] = {{"CSV", &computed.ranking_csv},
                                                                {"JSON", &computed.ranking_json}};
  for (const auto& [format, body] : exports) {
    ASSIGN_OR_RETURN(auto r, c.Exec(kInsertExport, {year, "RANKING", format, Param::Bytes(*body)}));
  }
  return absl::OkStatus();
}

absl::StatusOr<Locked> LockRound(Connection& c, int year) {
  ASSIGN_OR_RETURN(auto r, c.Exec(kLockRound, {year}));
  if (r.rows() == 0) return db::NotFound("evaluation round", absl::StrCat(year));
  Locked out;
  ASSIGN_OR_RETURN(out.state, db::EnumColumn<v1::RoundState>(r, 0, 0, "rounds.state"));
  out.version = r.Int64(0, 1);
  out.pulled = r.Bool(0, 2);
  out.publication = static_cast<int>(r.Int64(0, 3));
  return out;
}

absl::StatusOr<v1::Round> ReadRound(Connection& c, int year) {
  ASSIGN_OR_RETURN(auto r, c.Exec(kGetRound, {year}));
  if (r.rows() == 0) return db::NotFound("evaluation round", absl::StrCat(year));
  v1::Round out;
  out.set_name(RoundName(year));
  out.set_year(static_cast<int32_t>(r.Int64(0, 0)));
  out.set_projects_year(static_cast<int32_t>(r.Int64(0, 1)));
  out.set_tests_year(static_cast<int32_t>(r.Int64(0, 2)));
  out.set_include_previous_directory(r.Bool(0, 3));
  ASSIGN_OR_RETURN(v1::RoundState state, db::EnumColumn<v1::RoundState>(r, 0, 4, "rounds.state"));
  out.set_state(state);
  out.set_version(r.Int64(0, 5));
  if (auto ts = wire::TimestampFromText(r.String(0, 6))) *out.mutable_create_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(0, 7))) *out.mutable_pull_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(0, 8))) *out.mutable_freeze_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(0, 9))) *out.mutable_rank_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(0, 10))) *out.mutable_publish_time() = *ts;
  out.set_institution_count(static_cast<int32_t>(r.Int64(0, 11)));
  out.set_defence_recorded_count(static_cast<int32_t>(r.Int64(0, 12)));
  out.set_defence_missing_count(static_cast<int32_t>(r.Int64(0, 13)));
  out.set_publication(static_cast<int32_t>(r.Int64(0, 14)));
  out.set_rule_version(static_cast<int32_t>(r.Int64(0, 15)));
  return out;
}

absl::StatusOr<v1::Snapshot> ReadSnapshot(Connection& c, int year) {
  auto round = c.Exec(kGetRound, {year});
  if (!round.ok()) return round.status();
  if (round->rows() == 0) return db::NotFound("evaluation round", absl::StrCat(year));
  v1::Snapshot out;
  out.set_name(absl::StrCat(RoundName(year), "/snapshot"));
  if (auto ts = wire::TimestampFromText(round->String(0, 7))) *out.mutable_pull_time() = *ts;
  ASSIGN_OR_RETURN(v1::RoundState state,
                   db::EnumColumn<v1::RoundState>(*round, 0, 4, "rounds.state"));
  out.set_frozen(state != v1::OPEN);
  ASSIGN_OR_RETURN(auto counts, c.Exec(kSnapshotCounts, {year}));
  out.set_institution_count(static_cast<int32_t>(counts.Int64(0, 0)));
  out.set_barred_count(static_cast<int32_t>(counts.Int64(0, 1)));
  out.set_cancelled_count(static_cast<int32_t>(counts.Int64(0, 2)));
  out.set_excuses_pending(static_cast<int32_t>(counts.Int64(0, 3)));
  out.set_test_results_missing(static_cast<int32_t>(counts.Int64(0, 4)));
  auto sources = c.Exec(kListSources, {year});
  if (!sources.ok()) return sources.status();
  for (int i = 0; i < sources->rows(); ++i) {
    v1::SourcePull* s = out.add_sources();
    s->set_source(sources->String(i, 0));
    s->set_method(sources->String(i, 1));
    s->set_year(static_cast<int32_t>(sources->Int64(i, 2)));
    if (auto ts = wire::TimestampFromText(sources->String(i, 3))) *s->mutable_pull_time() = *ts;
    s->set_institutions(static_cast<int32_t>(sources->Int64(i, 4)));
    s->set_intake_mode(sources->String(i, 5));
    if (auto ts = wire::TimestampFromText(sources->String(i, 6))) *s->mutable_as_of() = *ts;
    s->set_source_revision(sources->String(i, 7));
  }
  return out;
}

absl::Status InsertInstitutions(Connection& c, int year,
                                absl::Span<const SnapshotInstitution> rows) {
  std::vector<std::string> codes, names, years, exclusions, sources, project_sources;
  std::vector<int64_t> dd, ds, ad, asd, ep, tm, cv, cf, ca, cu, rv, rf, ra, ru, vc, vs;
  for (const SnapshotInstitution& in : rows) {
    codes.push_back(in.credit_code);
    names.push_back(in.display_name);
    years.push_back(absl::StrCat("{", absl::StrJoin(in.directory_years, ","), "}"));
    dd.push_back(in.declared_diagnosis);
    ds.push_back(in.declared_solution_design);
    ad.push_back(in.approved_diagnosis);
    asd.push_back(in.approved_solution_design);
    ep.push_back(in.excuses_pending);
    tm.push_back(in.test_results_missing);
    cv.push_back(in.content.very_satisfied);
    cf.push_back(in.content.fairly_satisfied);
    ca.push_back(in.content.average);
    cu.push_back(in.content.unsatisfied);
    rv.push_back(in.results.very_satisfied);
    rf.push_back(in.results.fairly_satisfied);
    ra.push_back(in.results.average);
    ru.push_back(in.results.unsatisfied);
    vc.push_back(in.verified_complaints);
    vs.push_back(in.verified_serious_complaints);
    exclusions.emplace_back(ExclusionName(in.exclusion));
    sources.push_back(in.exclusion_source);
    project_sources.push_back(in.project_source);
  }
  return c
      .Exec(kInsertInstitutions, {year,
                                  db::TextArray(codes),
                                  db::TextArray(names),
                                  db::TextArray(years),
                                  IntArray(dd),
                                  IntArray(ds),
                                  IntArray(ad),
                                  IntArray(asd),
                                  IntArray(ep),
                                  IntArray(cv),
                                  IntArray(cf),
                                  IntArray(ca),
                                  IntArray(cu),
                                  IntArray(rv),
                                  IntArray(rf),
                                  IntArray(ra),
                                  IntArray(ru),
                                  IntArray(vc),
                                  IntArray(vs),
                                  db::TextArray(exclusions),
                                  db::TextArray(sources),
                                  db::TextArray(project_sources),
                                  IntArray(tm)})
      .status();
}

absl::Status InsertScope(Connection& c, int year, absl::Span<const ScopeRow> rows) {
  std::vector<std::string> codes, names, reasons, entries;
  for (const ScopeRow& row : rows) {
    codes.push_back(row.credit_code);
    names.push_back(row.display_name);
    reasons.emplace_back(DescribeScope(row.reason).reason);
    entries.push_back(absl::StrJoin(row.entries, ";", [](std::string* out, const ScopeEntryRow& e) {
      absl::StrAppend(out, e.year, "|", e.status, "|", e.name);
    }));
  }
  if (codes.empty()) return absl::OkStatus();
  return c
      .Exec(kInsertScope, {year, db::TextArray(codes), db::TextArray(names), db::TextArray(reasons),
                           db::TextArray(entries)})
      .status();
}

absl::Status InsertTests(Connection& c, int year, absl::Span<const SnapshotInstitution> rows) {
  std::vector<std::string> codes, sessions;
  std::vector<int64_t> seqs, scores, fulls;
  std::vector<bool> unexcused, no_result;
  for (const SnapshotInstitution& in : rows) {
    for (size_t i = 0; i < in.tests.size(); ++i) {
      codes.push_back(in.credit_code);
      seqs.push_back(static_cast<int64_t>(i));
      sessions.push_back(in.tests[i].session);
      scores.push_back(in.tests[i].score_hundredths);
      fulls.push_back(in.tests[i].full_marks_hundredths);
      unexcused.push_back(in.tests[i].unexcused_absence);
      no_result.push_back(in.tests[i].no_result_at_close);
    }
  }
  if (codes.empty()) return absl::OkStatus();
  return c
      .Exec(kInsertTests,
            {year, db::TextArray(codes), IntArray(seqs), db::TextArray(sessions), IntArray(scores),
             IntArray(fulls), BoolArray(unexcused), BoolArray(no_result)})
      .status();
}

}  // namespace

namespace store_internal {

absl::StatusOr<LockedRound> LockForUpdate(Connection& c, int year) {
  ASSIGN_OR_RETURN(Locked locked, LockRound(c, year));
  return LockedRound{locked.state, locked.version, locked.publication};
}
absl::StatusOr<v1::Round> ReadRoundIn(Connection& c, int year) { return ReadRound(c, year); }
absl::Status AuditRound(Connection& c, const Change& change, int year, int64_t version) {
  return Audit(c, change, year, version);
}
absl::Status StaleRound(int64_t sent, int64_t current) { return Stale(sent, current); }
absl::Status WriteCurrentRanking(Connection& c, int year, const ComputedRound& computed) {
  return WriteRanking(c, year, computed);
}

}  // namespace store_internal

std::string EvaluationStore::Now() const { return core::FormatTimestamp(clock_()); }

absl::StatusOr<v1::Round> EvaluationStore::CreateRound(const Change& change, const std::string& key,
                                                       int year, bool include_previous_directory,
                                                       int rule_version) {
  v1::Round out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    auto r = c.Exec(kInsertRound, {year, include_previous_directory, Now(), rule_version});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "rounds_pkey") {
        return Error(absl::StatusCode::kAlreadyExists, "ROUND_EXISTS",
                     absl::StrCat("the evaluation round of ", year, " already exists"),
                     "该年度考核已存在", "R10.1");
      }
      return r.status();
    }
    ASSIGN_OR_RETURN(auto round, ReadRound(c, year));
    out = round;
    return Audit(c, change, year, 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Round> EvaluationStore::GetRound(int year) {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  return ReadRound(*lease, year);
}

absl::StatusOr<v1::Snapshot> EvaluationStore::ReplaceSnapshot(const Change& change, int year,
                                                              const PulledSnapshot& snapshot) {
  v1::Snapshot out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto locked, LockRound(c, year));
    RETURN_IF_ERROR(CheckStep(locked.state, Step::kPull));
    for (const Statement* del :
         {&kDeleteTests, &kDeleteInstitutions, &kDeleteSources, &kDeleteScope}) {
      if (auto r = c.Exec(*del, {year}); !r.ok()) return r.status();
    }
    absl::Span<const ScopeRow> scope(snapshot.scope);
    for (size_t i = 0; i < scope.size(); i += kChunk) {
      RETURN_IF_ERROR(InsertScope(c, year, scope.subspan(i, kChunk)));
    }
    absl::Span<const SnapshotInstitution> all(snapshot.institutions);
    for (size_t i = 0; i < all.size(); i += kChunk) {
      absl::Span<const SnapshotInstitution> chunk = all.subspan(i, kChunk);
      RETURN_IF_ERROR(InsertInstitutions(c, year, chunk));
      RETURN_IF_ERROR(InsertTests(c, year, chunk));
    }
    absl::Time pulled = clock_();
    for (const SourcePull& p : snapshot.sources) {
      pulled = std::max(pulled, p.pulled_at);
      auto r = c.Exec(kInsertSource,
                      {year, p.source, p.method, p.year, core::FormatTimestamp(p.pulled_at),
                       p.institutions, p.intake_mode, p.as_of, p.source_revision});
      if (!r.ok()) return r.status();
    }
    auto v = c.Exec(kSetPulled, {year, core::FormatTimestamp(pulled)});
    if (!v.ok()) return v.status();
    RETURN_IF_ERROR(Audit(c, change, year, v->Int64(0, 0)));
    ASSIGN_OR_RETURN(out, ReadSnapshot(c, year));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Snapshot> EvaluationStore::GetSnapshot(int year) {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  return ReadSnapshot(*lease, year);
}

absl::StatusOr<std::vector<SnapshotInstitution>> EvaluationStore::LoadSnapshot(int year) {
  ASSIGN_OR_RETURN(auto rows, pool_.Exec(kLoadInstitutions, {year}));
  auto tests = pool_.Exec(kLoadTests, {year});
  if (!tests.ok()) return tests.status();
  std::vector<SnapshotInstitution> out;
  out.reserve(rows.rows());
  const db::Result& r = rows;
  for (int i = 0; i < r.rows(); ++i) {
    SnapshotInstitution in;
    in.credit_code = r.String(i, 0);
    in.display_name = r.String(i, 1);
    ASSIGN_OR_RETURN(std::vector<int64_t> years,
                     SplitInts(r.Text(i, 2), "snapshot_institutions.directory_years"));
    for (int64_t y : years) in.directory_years.push_back(static_cast<int>(y));
    in.declared_diagnosis = r.Int64(i, 3);
    in.declared_solution_design = r.Int64(i, 4);
    in.approved_diagnosis = r.Int64(i, 5);
    in.approved_solution_design = r.Int64(i, 6);
    in.excuses_pending = r.Int64(i, 7);
    in.content = {r.Int64(i, 8), r.Int64(i, 9), r.Int64(i, 10), r.Int64(i, 11)};
    in.results = {r.Int64(i, 12), r.Int64(i, 13), r.Int64(i, 14), r.Int64(i, 15)};
    in.verified_complaints = r.Int64(i, 16);
    in.verified_serious_complaints = r.Int64(i, 17);
    ASSIGN_OR_RETURN(in.exclusion, ExclusionFromName(r.Text(i, 18)));
    in.exclusion_source = r.String(i, 19);
    in.project_source = r.String(i, 20);
    in.test_results_missing = r.Int64(i, 21);
    out.push_back(std::move(in));
  }
  // Both lists are in credit-code order: one merge pass.
  size_t at = 0;
  for (int i = 0; i < tests->rows(); ++i) {
    absl::string_view code = tests->Text(i, 0);
    while (at < out.size() && out[at].credit_code < code) ++at;
    if (at == out.size() || out[at].credit_code != code) {
      return absl::InternalError("a snapshot test has no institution");
    }
    out[at].tests.push_back({tests->String(i, 1), tests->Int64(i, 2), tests->Int64(i, 3),
                             tests->Bool(i, 4), tests->Bool(i, 5)});
  }
  return out;
}

absl::StatusOr<v1::Round> EvaluationStore::Freeze(const Change& change, int year,
                                                  int64_t expected_version) {
  v1::Round out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto locked, LockRound(c, year));
    RETURN_IF_ERROR(CheckStep(locked.state, Step::kFreeze));
    if (locked.version != expected_version) return Stale(expected_version, locked.version);
    auto counts = c.Exec(kSnapshotCounts, {year});
    if (!counts.ok()) return counts.status();
    if (auto st = CheckFreezable(counts->Int64(0, 0), counts->Int64(0, 3), counts->Int64(0, 4));
        !st.ok())
      return st;
    auto v = c.Exec(kSetState, {year, "METRICS_FROZEN", Now()});
    if (!v.ok()) return v.status();
    RETURN_IF_ERROR(Audit(c, change, year, v->Int64(0, 0)));
    ASSIGN_OR_RETURN(out, ReadRound(c, year));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Round> EvaluationStore::RecordDefence(
    const Change& change, int year, const std::vector<DefenceEntryInput>& entries) {
  v1::Round out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto locked, LockRound(c, year));
    RETURN_IF_ERROR(CheckStep(locked.state, Step::kDefence));
    std::vector<std::string> codes, scores;
    for (const DefenceEntryInput& e : entries) {
      codes.push_back(e.credit_code);
      scores.push_back(IntArray(e.member_scores_hundredths));
    }
    auto known = c.Exec(kCodesInSnapshot, {year, db::TextArray(codes)});
    if (!known.ok()) return known.status();
    if (known->rows() != static_cast<int>(codes.size())) {
      std::set<std::string> in_round;
      for (int i = 0; i < known->rows(); ++i) in_round.insert(known->String(i, 0));
      std::vector<std::string> missing;
      for (const std::string& code : codes) {
        if (!in_round.count(code)) missing.push_back(code);
      }
      return RuleViolation(
          "INSTITUTION_NOT_IN_ROUND", "R10.1",
          absl::StrCat("not in this round's snapshot: ", absl::StrJoin(missing, ", ")),
          "该机构不在本年度考核范围内");
    }
    auto up = c.Exec(kUpsertDefence, {year, db::TextArray(codes), db::TextArray(scores),
                                      change.actor.subject, Now()});
    if (!up.ok()) return up.status();
    auto missing = c.Exec(kDefenceMissing, {year});
    if (!missing.ok()) return missing.status();
    v1::RoundState next = missing->Int64(0, 0) == 0 ? v1::DEFENCE_SCORED : v1::METRICS_FROZEN;
    auto v = c.Exec(kSetState, {year, v1::RoundState_Name(next), Now()});
    if (!v.ok()) return v.status();
    RETURN_IF_ERROR(Audit(c, change, year, v->Int64(0, 0)));
    ASSIGN_OR_RETURN(out, ReadRound(c, year));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<RoundInputs> EvaluationStore::LoadInputs(int year) {
  RoundInputs out;
  ASSIGN_OR_RETURN(auto round, GetRound(year));
  out.version = round.version();
  out.state = round.state();
  out.rule_version = round.rule_version();
  auto snapshot = LoadSnapshot(year);
  if (!snapshot.ok()) return snapshot.status();
  auto defence = pool_.Exec(kLoadDefence, {year});
  if (!defence.ok()) return defence.status();
  std::map<std::string, std::vector<int64_t>> scores;
  for (int i = 0; i < defence->rows(); ++i) {
    ASSIGN_OR_RETURN(scores[defence->String(i, 0)],
                     SplitInts(defence->Text(i, 1), "defence_scores.member_scores_hundredths"));
    out.with_defence_entry.insert(defence->String(i, 0));
  }
  static const std::vector<int64_t> kNone;
  out.inputs.reserve(snapshot->size());
  for (const SnapshotInstitution& in : *snapshot) {
    auto it = scores.find(in.credit_code);
    out.inputs.push_back(ToInput(in, it == scores.end() ? kNone : it->second));
  }
  return out;
}

absl::StatusOr<v1::Round> EvaluationStore::StoreRanking(const Change& change, int year,
                                                        int64_t expected_version,
                                                        const ComputedRound& computed,
                                                        const std::string& sanctions_fingerprint) {
  v1::Round out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto locked, LockRound(c, year));
    RETURN_IF_ERROR(CheckStep(locked.state, Step::kRank));
    if (locked.version != expected_version) return Stale(expected_version, locked.version);
    // A recomputation (the sanctions changed) replaces the earlier ranking and its exports.
    for (const Statement* clear : {&kDeleteSheets, &kDeleteRankingExports}) {
      if (auto r = c.Exec(*clear, {year}); !r.ok()) return r.status();
    }
    if (auto r = c.Exec(kSetRankingSanctions, {year, sanctions_fingerprint}); !r.ok()) {
      return r.status();
    }
    RETURN_IF_ERROR(WriteRanking(c, year, computed));
    auto v = c.Exec(kSetState, {year, "RANKED", Now()});
    if (!v.ok()) return v.status();
    RETURN_IF_ERROR(Audit(c, change, year, v->Int64(0, 0)));
    ASSIGN_OR_RETURN(out, ReadRound(c, year));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Round> EvaluationStore::Publish(const Change& change, int year,
                                                   int64_t expected_version,
                                                   const std::string& sanctions_now) {
  v1::Round out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto locked, LockRound(c, year));
    RETURN_IF_ERROR(CheckStep(locked.state, Step::kPublish));
    if (locked.version != expected_version) return Stale(expected_version, locked.version);
    auto ranked_under = c.Exec(kGetRankingSanctions, {year});
    if (!ranked_under.ok()) return ranked_under.status();
    if (auto st = CheckSanctionsUnchanged(ranked_under->String(0, 0), sanctions_now); !st.ok()) {
      return st;
    }
    auto v = c.Exec(kSetState, {year, "PUBLISHED", Now()});
    if (!v.ok()) return v.status();
    RETURN_IF_ERROR(Audit(c, change, year, v->Int64(0, 0)));
    // The publication enters the registry's public feed from the outbox (issue 25 item 2).
    if (auto st = outbox::Enqueue(c, RankingPublishedCommand(year, v->Int64(0, 0), 1)); !st.ok()) {
      return st;
    }
    ASSIGN_OR_RETURN(out, ReadRound(c, year));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::ScoreSheet> EvaluationStore::GetSheet(int year, const std::string& code) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetSheet, {year, code}));
  if (r.rows() == 0) return db::NotFound("score sheet", SheetName(year, code));
  return db::ParseStored<v1::ScoreSheet>(r.Text(0, 0));
}

absl::StatusOr<std::vector<v1::ScoreSheet>> EvaluationStore::ListSheets(
    int year, const std::string& after_code, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListSheets, {year, after_code, limit}));
  std::vector<v1::ScoreSheet> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto sheet = db::ParseStored<v1::ScoreSheet>(r.Text(i, 0));
    if (!sheet.ok()) return sheet.status();
    out.push_back(std::move(*sheet));
  }
  return out;
}

absl::StatusOr<std::vector<v1::ScopeDecision>> EvaluationStore::ListScope(
    int year, const std::string& after_code, const std::string& only_code, bool left_out_only,
    int limit) {
  ASSIGN_OR_RETURN(auto r,
                   pool_.Exec(kListScope, {year, after_code, only_code, left_out_only, limit}));
  std::vector<v1::ScopeDecision> out;
  for (int i = 0; i < r.rows(); ++i) {
    v1::ScopeDecision d;
    d.set_credit_code(r.String(i, 0));
    d.set_display_name(r.String(i, 1));
    const ScopeReasonText* text = nullptr;
    for (ScopeReason reason : {ScopeReason::kInDirectory, ScopeReason::kRemovedButSanctioned,
                               ScopeReason::kRemovedFromDirectory}) {
      if (DescribeScope(reason).reason == r.Text(i, 2)) {
        text = &DescribeScope(reason);
        d.set_in_scope(InScope(reason));
      }
    }
    if (text == nullptr) {
      return absl::InternalError(
          absl::StrCat("scope row ", d.credit_code(), ": unknown reason ", r.Text(i, 2)));
    }
    d.set_reason(std::string(text->reason));
    d.set_rule(std::string(text->rule));
    d.set_reason_en(std::string(text->english));
    d.set_reason_zh(std::string(text->chinese));
    for (absl::string_view entry : absl::StrSplit(r.Text(i, 3), ';', absl::SkipEmpty())) {
      std::vector<absl::string_view> parts = absl::StrSplit(entry, '|');
      int entry_year = 0;
      if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &entry_year)) {
        return absl::InternalError(
            absl::StrCat("scope row ", d.credit_code(), ": bad entry ", entry));
      }
      v1::ScopeEntry* e = d.add_entries();
      e->set_year(entry_year);
      e->set_status(std::string(parts[1]));
      e->set_name(std::string(parts[2]));
    }
    out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<std::vector<v1::RecordedDefence>> EvaluationStore::ListDefence(
    int year, const std::string& after_code, const std::string& only_code, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListDefence, {year, after_code, only_code, limit}));
  std::vector<v1::RecordedDefence> out;
  for (int i = 0; i < r.rows(); ++i) {
    v1::RecordedDefence d;
    d.mutable_entry()->set_credit_code(r.String(i, 0));
    ASSIGN_OR_RETURN(std::vector<int64_t> scores,
                     SplitInts(r.Text(i, 1), "defence_scores.member_scores_hundredths"));
    for (int64_t score : scores) {
      d.mutable_entry()->add_member_scores_hundredths(score);
    }
    if (auto ts = wire::TimestampFromText(r.String(i, 2))) *d.mutable_record_time() = *ts;
    out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<int, v1::ScoreSheet>>> EvaluationStore::ListRanking(
    int year, bool excellent_only, int after_position, int limit, int publication) {
  ASSIGN_OR_RETURN(auto r,
                   publication == 0
                       ? pool_.Exec(kListRanking, {year, after_position, excellent_only, limit})
                       : pool_.Exec(kListSupersededRanking,
                                    {year, after_position, excellent_only, limit, publication}));
  std::vector<std::pair<int, v1::ScoreSheet>> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto sheet = db::ParseStored<v1::ScoreSheet>(r.Text(i, 1));
    if (!sheet.ok()) return sheet.status();
    out.emplace_back(static_cast<int>(r.Int64(i, 0)), std::move(*sheet));
  }
  return out;
}

absl::StatusOr<std::string> EvaluationStore::GetExport(int year, const std::string& content,
                                                       const std::string& format) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetExport, {year, content, format}));
  if (r.rows() == 0) return db::NotFound("export of round", RoundName(year));
  return db::DecodeBytea(r.Text(0, 0));
}

}  // namespace zhigai::evaluation
