#include "services/evaluation/domain/score_sheet.h"

#include <algorithm>
#include <initializer_list>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/errors.h"
#include "services/evaluation/domain/bands.h"

namespace zhigai::evaluation {
namespace {

// Input bounds far above any real institution; they keep every intermediate product (10 ×
// ratings, 100 × approved, sums of hundredths) well inside 64 bits.
constexpr int64_t kMaxCount = 1'000'000;
constexpr std::size_t kMaxTests = 1'000;
constexpr int64_t kMaxFullMarksHundredths = 100'000'000;
constexpr std::size_t kMaxPanelMembers = 1'000;
constexpr int64_t kMaxDefenceHundredths = 100 * 100;

// The points, caps, maxima and bands come from the round's rule set (score_rules.h).

absl::Status NotRepresentable() {
  return Error(absl::StatusCode::kOutOfRange, "SCORE_NOT_REPRESENTABLE",
               "The inputs are too large to score exactly (S1–S3)",
               "评分输入数值过大，无法精确计算", "R11.1");
}

void CheckCount(Violations& v, absl::string_view field, absl::string_view rule, int64_t value) {
  if (value < 0 || value > kMaxCount) {
    v.Add(field, rule, absl::StrCat(field, " must be between 0 and ", kMaxCount));
  }
}

void CheckRatings(Violations& v, absl::string_view prefix, absl::string_view rule,
                  const RatingCounts& r) {
  CheckCount(v, absl::StrCat(prefix, ".very_satisfied"), rule, r.very_satisfied);
  CheckCount(v, absl::StrCat(prefix, ".fairly_satisfied"), rule, r.fairly_satisfied);
  CheckCount(v, absl::StrCat(prefix, ".average"), rule, r.average);
  CheckCount(v, absl::StrCat(prefix, ".unsatisfied"), rule, r.unsatisfied);
}

absl::Status Validate(const InstitutionInput& in) {
  Violations v;
  if (in.credit_code.empty()) v.Add("credit_code", "R0.1", "credit_code is required");
  CheckCount(v, "approved_diagnosis", "S1.1", in.approved_diagnosis);
  CheckCount(v, "approved_solution_design", "S1.1", in.approved_solution_design);
  CheckCount(v, "declared_projects", "S1.2", in.declared_projects);
  CheckCount(v, "approved_projects", "S1.2", in.approved_projects);
  if (in.approved_projects > in.declared_projects) {
    v.Add("approved_projects", "S1.2",
          absl::StrCat("approved_projects (", in.approved_projects,
                       ") cannot exceed declared_projects (", in.declared_projects, ")"));
  }
  if (in.tests.size() > kMaxTests) {
    v.Add("tests", "S1.3", absl::StrCat("at most ", kMaxTests, " tests"));
  }
  for (std::size_t i = 0; i < in.tests.size() && i < kMaxTests; ++i) {
    const TestResult& t = in.tests[i];
    if (t.full_marks_hundredths <= 0 || t.full_marks_hundredths > kMaxFullMarksHundredths) {
      v.Add(absl::StrCat("tests[", i, "].full_marks_hundredths"), "S1.3",
            absl::StrCat("full marks must be above 0 and at most ", kMaxFullMarksHundredths));
    } else if (t.score_hundredths < 0 || t.score_hundredths > t.full_marks_hundredths) {
      v.Add(absl::StrCat("tests[", i, "].score_hundredths"), "S1.3",
            "a test score must be between 0 and the test's full marks");
    }
  }
  CheckRatings(v, "content_ratings", "S2.1", in.content_ratings);
  CheckRatings(v, "result_ratings", "S2.2", in.result_ratings);
  if (in.defence_scores_hundredths.size() > kMaxPanelMembers) {
    v.Add("defence_scores_hundredths", "S3",
          absl::StrCat("at most ", kMaxPanelMembers, " panel scores"));
  }
  for (std::size_t i = 0; i < in.defence_scores_hundredths.size() && i < kMaxPanelMembers; ++i) {
    int64_t s = in.defence_scores_hundredths[i];
    if (s < 0 || s > kMaxDefenceHundredths) {
      v.Add(absl::StrCat("defence_scores_hundredths[", i, "]"), "S3",
            "a defence score must be between 0 and 100 points (0 to 10000 hundredths)");
    }
  }
  CheckCount(v, "verified_complaints", "S4", in.verified_complaints);
  return v.Finish("评分输入有误");
}

ScoreItem Item(absl::string_view id, absl::string_view title_english,
               absl::string_view title_chinese, int64_t max_points) {
  ScoreItem item;
  item.id = id;
  item.title_english = title_english;
  item.title_chinese = title_chinese;
  item.max_points = max_points;
  return item;
}

ScoreItem SuccessfulProjects(const InstitutionInput& in, const ScoreRules& rules) {
  ScoreItem item = Item("S1.1", "Successful service projects", "成功服务项目数量", rules.s1_1_cap);
  int64_t raw = in.approved_diagnosis * rules.diagnosis_points +
                in.approved_solution_design * rules.solution_design_points;
  int64_t points = std::min(raw, rules.s1_1_cap);
  item.inputs = absl::StrCat("diagnosis=", in.approved_diagnosis,
                             "; solution_design=", in.approved_solution_design);
  item.applied_english =
      absl::StrCat(in.approved_diagnosis, " diagnosis × ", rules.diagnosis_points, " + ",
                   in.approved_solution_design, " solution design × ", rules.solution_design_points,
                   " = ", raw, "; capped at ", rules.s1_1_cap, " → ", points);
  item.applied_chinese =
      absl::StrCat("诊断", in.approved_diagnosis, "项×", rules.diagnosis_points, "分 + 方案设计",
                   in.approved_solution_design, "项×", rules.solution_design_points, "分 = ", raw,
                   "分；", rules.s1_1_cap, "分封顶 → ", points, "分");
  item.points = Rational::Integer(points);
  return item;
}

ScoreItem PassRate(const InstitutionInput& in, const ScoreRules& rules) {
  ScoreItem item = Item("S1.2", "Project pass rate", "服务项目合格率", rules.s1_2_max);
  item.inputs =
      absl::StrCat("approved=", in.approved_projects, "; declared=", in.declared_projects);
  if (in.declared_projects == 0) {
    item.applied_english = "no project declared → 0";
    item.applied_chinese = "未申报项目 → 0分";
    return item;
  }
  const Band& band = PassRateBand(rules.pass_rate, in.approved_projects, in.declared_projects);
  // Display only; the band was chosen by the exact comparison in PassRateBand.
  std::string percent =
      Rational::Fraction(static_cast<__int128>(in.approved_projects) * 100, in.declared_projects)
          ->ToFixed2();
  item.applied_english =
      absl::StrCat("rate = ", in.approved_projects, " approved ÷ ", in.declared_projects,
                   " declared = ", percent, "%; band ", band.english, " → ", band.points);
  item.applied_chinese =
      absl::StrCat("合格率 = 合格", in.approved_projects, "项 ÷ 申报", in.declared_projects,
                   "项 = ", percent, "%；适用 ", band.chinese, " → ", band.points, "分");
  item.points = Rational::Integer(band.points);
  return item;
}

absl::StatusOr<ScoreItem> TestScore(const InstitutionInput& in, const ScoreRules& rules) {
  ScoreItem item = Item("S1.3", "Training test", "培训测评情况", rules.s1_3_max);
  if (in.tests.empty()) {
    item.inputs = "no test";
    item.applied_english = "no test taken in the evaluation year → 0";
    item.applied_chinese = "本年度未参加测评 → 0分";
    return item;
  }
  Rational sum;
  std::vector<std::string> shown;
  int absences = 0;
  for (const TestResult& t : in.tests) {
    // R8.1: an unexcused absence scores 0 for that test, whatever a result row might say.
    const int64_t score = t.unexcused_absence ? 0 : t.score_hundredths;
    std::optional<Rational> scaled =
        Rational::Fraction(static_cast<__int128>(score) * rules.s1_3_max, t.full_marks_hundredths);
    std::optional<Rational> next = scaled ? Sum(sum, *scaled) : std::nullopt;
    if (!next) return NotRepresentable();
    sum = *next;
    if (t.unexcused_absence) {
      ++absences;
      shown.push_back(t.no_result_at_close
                          ? "no result when the session closed: unexcused absence (R8.1) → 0.00"
                          : "unexcused absence (R8.1) → 0.00");
    } else {
      shown.push_back(absl::StrCat(FormatHundredths(t.score_hundredths), "/",
                                   FormatHundredths(t.full_marks_hundredths), " → ",
                                   scaled->ToFixed2()));
    }
  }
  std::optional<Rational> mean = Rational::Fraction(
      sum.numerator(), static_cast<__int128>(sum.denominator()) * in.tests.size());
  if (!mean) return NotRepresentable();
  item.inputs = absl::StrJoin(shown, "; ");
  item.applied_english = absl::StrCat(
      "mean over ", in.tests.size(), " test(s) of score ÷ full marks × ", rules.s1_3_max,
      absences > 0 ? absl::StrCat(", ", absences, " unexcused absence(s) scored 0 (R8.1)") : "",
      " → ", mean->ToFixed2());
  item.applied_chinese =
      absl::StrCat(in.tests.size(), "次测评按满分", rules.s1_3_max, "分折算后取平均",
                   absences > 0 ? absl::StrCat("（其中无故缺考", absences, "次，记0分）") : "",
                   " → ", mean->ToFixed2(), "分");
  item.points = *mean;
  return item;
}

ScoreItem Ratings(absl::string_view id, absl::string_view title_english,
                  absl::string_view title_chinese, const RatingCounts& r, const ScoreRules& rules) {
  ScoreItem item = Item(id, title_english, title_chinese, rules.s2_max);
  item.inputs =
      absl::StrCat("very_satisfied=", r.very_satisfied, "; fairly_satisfied=", r.fairly_satisfied,
                   "; average=", r.average, "; unsatisfied=", r.unsatisfied);
  int64_t count = r.very_satisfied + r.fairly_satisfied + r.average + r.unsatisfied;
  if (count == 0) {
    item.applied_english = "no rating received → 0";
    item.applied_chinese = "未收到企业评价 → 0分";
    return item;
  }
  int64_t points = r.very_satisfied * rules.very_satisfied_points +
                   r.fairly_satisfied * rules.fairly_satisfied_points +
                   r.average * rules.average_points + r.unsatisfied * rules.unsatisfied_points;
  // Counts are bounded by Validate, so the mean always fits.
  item.points = *Rational::Fraction(points, count);
  item.applied_english = absl::StrCat(
      "(", r.very_satisfied, " × ", rules.very_satisfied_points, " + ", r.fairly_satisfied, " × ",
      rules.fairly_satisfied_points, " + ", r.average, " × ", rules.average_points, " + ",
      r.unsatisfied, " × ", rules.unsatisfied_points, ") ÷ ", count, " ratings = ", points, " ÷ ",
      count, " → ", item.points.ToFixed2());
  item.applied_chinese = absl::StrCat(
      "(非常满意", r.very_satisfied, "×", rules.very_satisfied_points, " + 比较满意",
      r.fairly_satisfied, "×", rules.fairly_satisfied_points, " + 一般", r.average, "×",
      rules.average_points, " + 不满意", r.unsatisfied, "×", rules.unsatisfied_points, ") ÷ ",
      count, "份评价 = ", points, " ÷ ", count, " → ", item.points.ToFixed2(), "分");
  return item;
}

ScoreItem Defence(const InstitutionInput& in, const ScoreRules& rules) {
  ScoreItem item = Item("S3", "Defence", "业务答辩", rules.s3_max);
  const std::vector<int64_t>& scores = in.defence_scores_hundredths;
  if (scores.empty()) {
    // RULES.md is silent; like "no test taken" (S1.3) a defence with no score earns nothing.
    item.inputs = "no panel score";
    item.applied_english = "no defence score recorded → 0";
    item.applied_chinese = "无答辩评分 → 0分";
    return item;
  }
  std::vector<std::string> shown;
  int64_t sum = 0;
  for (int64_t s : scores) {
    sum += s;
    shown.push_back(FormatHundredths(s));
  }
  const Band& band = DefenceBand(rules.defence, sum, static_cast<int64_t>(scores.size()));
  std::string mean =
      Rational::Fraction(sum, static_cast<__int128>(scores.size()) * 100)->ToFixed2();
  // The exact "sum ÷ count" is shown beside the rounded mean: a mean such as 90.003 displays
  // as 90.00 yet belongs to "s > 90", and the quotient lets a reader see why.
  item.inputs = absl::StrJoin(shown, "; ");
  item.applied_english =
      absl::StrCat("mean of ", scores.size(), " panel score(s) = ", FormatHundredths(sum), " ÷ ",
                   scores.size(), " = ", mean, "; band ", band.english, " → ", band.points);
  item.applied_chinese =
      absl::StrCat(scores.size(), "位评委平均分 = ", FormatHundredths(sum), " ÷ ", scores.size(),
                   " = ", mean, "分；适用 ", band.chinese, " → ", band.points, "分");
  item.points = Rational::Integer(band.points);
  return item;
}

std::optional<Rational> SumOf(std::initializer_list<Rational> parts) {
  Rational total;
  for (const Rational& part : parts) {
    std::optional<Rational> next = Sum(total, part);
    if (!next) return std::nullopt;
    total = *next;
  }
  return total;
}

}  // namespace

const ExclusionText& DescribeExclusion(Exclusion exclusion) {
  static constexpr ExclusionText kNone = {"", "", "", ""};
  static constexpr ExclusionText kBarred = {
      "BARRED", "R14.5", "barred after verified serious complaints", "因经核实的严重投诉被禁入"};
  static constexpr ExclusionText kCancelled = {"CANCELLED", "R14.4",
                                               "eligibility cancelled for plagiarism this year",
                                               "因抄袭剽窃被取消本年度资格"};
  switch (exclusion) {
    case Exclusion::kBarred:
      return kBarred;
    case Exclusion::kCancelled:
      return kCancelled;
    case Exclusion::kNone:
      break;
  }
  return kNone;
}

std::optional<Exclusion> ParseExclusion(absl::string_view reason) {
  for (Exclusion e : {Exclusion::kNone, Exclusion::kBarred, Exclusion::kCancelled}) {
    if (DescribeExclusion(e).reason == reason) return e;
  }
  return std::nullopt;
}

absl::StatusOr<ScoreSheet> ComputeScoreSheet(const InstitutionInput& input,
                                             const ScoreRules& rules) {
  if (absl::Status s = Validate(input); !s.ok()) return s;
  ScoreSheet sheet;
  sheet.credit_code = input.credit_code;
  sheet.name = input.name;
  sheet.verified_complaints = input.verified_complaints;
  sheet.exclusion = input.exclusion;
  sheet.project_source = input.project_source;
  sheet.exclusion_sanction = input.exclusion_sanction;
  for (const TestResult& t : input.tests) sheet.test_sessions.push_back(t.session);
  sheet.items[kS1_1] = SuccessfulProjects(input, rules);
  sheet.items[kS1_2] = PassRate(input, rules);
  absl::StatusOr<ScoreItem> test = TestScore(input, rules);
  if (!test.ok()) return test.status();
  sheet.items[kS1_3] = *std::move(test);
  sheet.items[kS2_1] = Ratings("S2.1", "Service content", "服务内容", input.content_ratings, rules);
  sheet.items[kS2_2] = Ratings("S2.2", "Service results", "服务结果", input.result_ratings, rules);
  sheet.items[kS3] = Defence(input, rules);

  const auto& it = sheet.items;
  std::optional<Rational> s1 = SumOf({it[kS1_1].points, it[kS1_2].points, it[kS1_3].points});
  std::optional<Rational> s2 = SumOf({it[kS2_1].points, it[kS2_2].points});
  if (!s1 || !s2) return NotRepresentable();
  std::optional<Rational> total = SumOf({*s1, *s2, it[kS3].points});
  if (!total) return NotRepresentable();
  sheet.s1 = *s1;
  sheet.s2 = *s2;
  sheet.s3 = it[kS3].points;
  sheet.total = *total;
  return sheet;
}

absl::StatusOr<std::vector<ScoreSheet>> ComputeScoreSheets(
    absl::Span<const InstitutionInput> inputs, const ScoreRules& rules) {
  std::vector<absl::string_view> codes;
  codes.reserve(inputs.size());
  for (const InstitutionInput& in : inputs) codes.push_back(in.credit_code);
  std::sort(codes.begin(), codes.end());
  auto duplicate = std::adjacent_find(codes.begin(), codes.end());
  if (duplicate != codes.end()) {
    return InvalidField("credit_code", "R0.1",
                        absl::StrCat("credit code ", *duplicate, " appears more than once"),
                        "同一统一社会信用代码重复出现");
  }
  std::vector<ScoreSheet> sheets;
  sheets.reserve(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    absl::StatusOr<ScoreSheet> sheet = ComputeScoreSheet(inputs[i], rules);
    if (!sheet.ok()) {
      if (sheet.status().code() != absl::StatusCode::kInvalidArgument) return sheet.status();
      // Name the institution in each field path so the caller can find the bad row.
      std::vector<FieldViolation> violations = ViolationsOf(sheet.status());
      for (FieldViolation& v : violations)
        v.field = absl::StrCat("institutions[", i, "].", v.field);
      return InvalidFields(std::move(violations), ChineseOf(sheet.status()));
    }
    sheets.push_back(*std::move(sheet));
  }
  return sheets;
}

}  // namespace zhigai::evaluation
