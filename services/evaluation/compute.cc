#include "services/evaluation/compute.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "services/evaluation/domain/export.h"

namespace zhigai::evaluation {
namespace {

void SetExclusion(Exclusion exclusion, v1::Exclusion* out) {
  const ExclusionText& text = DescribeExclusion(exclusion);
  out->set_reason(std::string(text.reason));
  out->set_rule(std::string(text.rule));
  out->set_reason_en(std::string(text.english));
  out->set_reason_zh(std::string(text.chinese));
}

// Issue 28: the reads that list what each item counted. Codes and names are validated
// identifiers (no quotes or backslashes), so the JSON is written directly.
void AddSource(v1::ScoreItem* item, absl::string_view method, absl::string_view json) {
  v1::SourceQuery* q = item->add_sources();
  q->set_method(std::string(method));
  q->set_request_json(std::string(json));
}

void AddSources(int year, const ScoreSheet& sheet, v1::ScoreSheet* out) {
  const std::string& code = sheet.credit_code;
  // S1.1 and S1.2: the projects declared in Y−1, as records or as the platform's counts rows.
  const bool counts = absl::StartsWith(sheet.project_source, "counts:");
  const std::string projects_json =
      absl::StrCat(R"({"year":)", year - 1, R"(,"institutionCreditCode":")", code, R"("})");
  const char* projects_method = counts
                                    ? "zhigai.tracking.v1.TrackingService/ListProjectCountRevisions"
                                    : "zhigai.tracking.v1.TrackingService/ListProjectRecords";
  for (ItemIndex i : {kS1_1, kS1_2})
    AddSource(out->mutable_items(i), projects_method, projects_json);
  // S1.3: the year's sessions expecting it, and its result at each session counted.
  v1::ScoreItem* tests = out->mutable_items(kS1_3);
  AddSource(tests, "zhigai.training.v1.TrainingService/ListTestSessions",
            absl::StrCat(R"({"year":)", year, R"(,"creditCode":")", code, R"("})"));
  for (const std::string& session : sheet.test_sessions) {
    AddSource(tests, "zhigai.training.v1.TrainingService/ListTestResults",
              absl::StrCat(R"({"parent":")", session, R"(","creditCode":")", code, R"("})"));
  }
  // S2: the enterprises' ratings of its Y−1 engagements.
  for (ItemIndex i : {kS2_1, kS2_2}) {
    AddSource(out->mutable_items(i), "zhigai.feedback.v1.FeedbackService/ListRatings",
              absl::StrCat(R"({"institutionCreditCode":")", code, R"(","engagementYear":)",
                           year - 1, "}"));
  }
  // S3: the panel members' scores as recorded in this round.
  AddSource(out->mutable_items(kS3), "zhigai.evaluation.v1.EvaluationService/ListDefenceScores",
            absl::StrCat(R"({"parent":")", RoundName(year), R"("})"));
}

v1::ScoreSheet ToWire(int year, const ScoreSheet& sheet) {
  v1::ScoreSheet out;
  out.set_name(SheetName(year, sheet.credit_code));
  out.set_credit_code(sheet.credit_code);
  out.set_display_name(sheet.name);
  for (const ScoreItem& item : sheet.items) {
    v1::ScoreItem* w = out.add_items();
    w->set_id(std::string(item.id));
    w->set_title_en(std::string(item.title_english));
    w->set_title_zh(std::string(item.title_chinese));
    w->set_max_points(static_cast<int32_t>(item.max_points));
    w->set_inputs(item.inputs);
    w->set_applied_en(item.applied_english);
    w->set_applied_zh(item.applied_chinese);
    w->set_points(item.points.ToFixed2());
    w->set_points_exact(ExactText(item.points));
  }
  out.set_s1(sheet.s1.ToFixed2());
  out.set_s2(sheet.s2.ToFixed2());
  out.set_s3(sheet.s3.ToFixed2());
  out.set_total(sheet.total.ToFixed2());
  out.set_verified_complaints(static_cast<int32_t>(sheet.verified_complaints));
  if (sheet.exclusion != Exclusion::kNone) SetExclusion(sheet.exclusion, out.mutable_exclusion());
  out.set_project_source(sheet.project_source);
  out.set_exclusion_sanction(sheet.exclusion_sanction);
  AddSources(year, sheet, &out);
  return out;
}

}  // namespace

std::string RoundName(int year) { return absl::StrCat("evaluationRounds/", year); }
std::string SheetName(int year, const std::string& credit_code) {
  return absl::StrCat(RoundName(year), "/scoreSheets/", credit_code);
}

std::string ExactText(const Rational& value) {
  if (value.denominator() == 1) return absl::StrCat(value.numerator());
  return absl::StrCat(value.numerator(), "/", value.denominator());
}

absl::StatusOr<std::vector<ScoreSheet>> ScoreRound(absl::Span<const InstitutionInput> inputs,
                                                   const ScoreRules& rules) {
  return ComputeScoreSheets(inputs, rules);
}

absl::StatusOr<Ranking> RankRound(absl::Span<const ScoreSheet> sheets, const ScoreRules& rules) {
  return RankInstitutions(sheets, rules);
}

ComputedRound AssembleRound(int year, absl::Span<const ScoreSheet> sheets, const Ranking& ranking) {
  absl::flat_hash_map<absl::string_view, const ScoreSheet*> by_code;
  by_code.reserve(sheets.size());
  for (const ScoreSheet& s : sheets) by_code.emplace(s.credit_code, &s);
  ComputedRound out;
  out.sheets.reserve(sheets.size());
  for (const RankedInstitution& r : ranking.ranked) {
    v1::ScoreSheet w = ToWire(year, *by_code.at(r.credit_code));
    w.set_rank(static_cast<int32_t>(r.rank));
    w.set_excellent(r.excellent);
    w.set_decided_by(std::string(DecidedByName(r.decided_by)));
    out.sheets.push_back(std::move(w));
  }
  for (const UnrankedInstitution& u : ranking.not_ranked) {
    out.sheets.push_back(ToWire(year, *by_code.at(u.credit_code)));
  }
  out.ranking_csv = RankingCsv(ranking);
  out.ranking_json = RankingJson(ranking);
  return out;
}

absl::StatusOr<ComputedRound> ComputeRound(int year, absl::Span<const InstitutionInput> inputs,
                                           const ScoreRules& rules) {
  absl::StatusOr<std::vector<ScoreSheet>> sheets = ScoreRound(inputs, rules);
  if (!sheets.ok()) return sheets.status();
  absl::StatusOr<Ranking> ranking = RankRound(*sheets, rules);
  if (!ranking.ok()) return ranking.status();
  return AssembleRound(year, *sheets, *ranking);
}

absl::StatusOr<std::string> ExportSheets(absl::Span<const InstitutionInput> inputs,
                                         const ScoreRules& rules, bool csv) {
  absl::StatusOr<std::vector<ScoreSheet>> sheets = ScoreRound(inputs, rules);
  if (!sheets.ok()) return sheets.status();
  return csv ? ScoreSheetsCsv(*sheets) : ScoreSheetsJson(*sheets);
}

v1::RankingEntry RankingEntryOf(const v1::ScoreSheet& sheet) {
  v1::RankingEntry e;
  e.set_rank(sheet.rank());
  e.set_credit_code(sheet.credit_code());
  e.set_display_name(sheet.display_name());
  e.set_total(sheet.total());
  e.set_s1(sheet.s1());
  e.set_s3(sheet.s3());
  e.set_s2(sheet.s2());
  e.set_verified_complaints(sheet.verified_complaints());
  e.set_excellent(sheet.excellent());
  e.set_decided_by(sheet.decided_by());
  if (sheet.has_exclusion()) *e.mutable_exclusion() = sheet.exclusion();
  return e;
}

}  // namespace zhigai::evaluation
