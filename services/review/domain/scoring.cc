#include "services/review/domain/scoring.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

const Criterion* FindCriterion(const Call& call, absl::string_view name) {
  for (const Criterion& c : call.criteria) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

int Sign(__int128 v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

}  // namespace

absl::Status ValidateScores(const Call& call, const std::vector<CriterionScore>& scores) {
  Violations v;
  std::set<std::string> seen;
  for (size_t i = 0; i < scores.size(); ++i) {
    const CriterionScore& s = scores[i];
    const Criterion* c = FindCriterion(call, s.criterion);
    if (c == nullptr) {
      v.Add(absl::StrCat("sheet.scores[", i, "].criterion"), "R7.1",
            absl::StrCat("\"", s.criterion, "\" is not a review criterion of this call"));
      continue;
    }
    if (!seen.insert(s.criterion).second) {
      v.Add(absl::StrCat("sheet.scores[", i, "].criterion"), "R7.1",
            absl::StrCat("criterion \"", s.criterion, "\" is scored twice"));
    }
    if (s.score_hundredths < 0 || s.score_hundredths > c->full_marks_hundredths) {
      v.Add(absl::StrCat("sheet.scores[", i, "].score_hundredths"), "R7.1",
            absl::StrCat("the score for \"", s.criterion, "\" must be between 0 and ",
                         c->full_marks_hundredths, " hundredths, got ", s.score_hundredths));
    }
  }
  for (const Criterion& c : call.criteria) {
    if (!seen.contains(c.name)) {
      v.Add("sheet.scores", "R7.1", absl::StrCat("criterion \"", c.name, "\" is not scored"));
    }
  }
  return v.Finish("专家评分有误：每项指标须评分一次，且不超过该项满分");
}

absl::StatusOr<int64_t> WeightedScore(const Call& call, const std::vector<CriterionScore>& scores) {
  absl::Status valid = ValidateScores(call, scores);
  if (!valid.ok()) return valid;
  int64_t total = 0;
  for (const CriterionScore& s : scores) {
    total += s.score_hundredths * FindCriterion(call, s.criterion)->weight_hundredths;
  }
  return total;
}

int64_t ApplicationScore::RoundedHundredths() const {
  if (experts_counted <= 0) return 0;
  const int64_t divisor = static_cast<int64_t>(experts_counted) * 100;
  return (sum_ten_thousandths + divisor / 2) / divisor;
}

absl::StatusOr<ApplicationScore> ComputeApplicationScore(
    const Call& call, const std::vector<ExpertScoreSheet>& sheets) {
  if (sheets.empty()) {
    return RuleViolation("NO_EXPERT_SCORES", "R7.1", "no expert has scored this application",
                         "尚无专家评分");
  }
  std::set<std::string> experts;
  std::vector<int64_t> weighted;
  for (const ExpertScoreSheet& sheet : sheets) {
    if (!experts.insert(sheet.expert_id).second) {
      return InvalidField("sheets.expert_id", "R7.1",
                          absl::StrCat("expert ", sheet.expert_id, " scored twice"),
                          "同一专家重复评分");
    }
    absl::StatusOr<int64_t> score = WeightedScore(call, sheet.scores);
    if (!score.ok()) return score.status();
    weighted.push_back(*score);
  }
  std::sort(weighted.begin(), weighted.end());
  ApplicationScore result;
  result.experts_scored = static_cast<int>(weighted.size());
  auto first = weighted.begin();
  auto last = weighted.end();
  if (result.experts_scored >= kTrimFromExperts) {
    ++first;  // the single lowest
    --last;   // the single highest
  }
  for (auto it = first; it != last; ++it) result.sum_ten_thousandths += *it;
  result.experts_counted = static_cast<int>(last - first);
  return result;
}

int CompareScores(const ApplicationScore& a, const ApplicationScore& b) {
  // a.sum / a.n  vs  b.sum / b.n  with positive n: compare a.sum * b.n with b.sum * a.n.
  const __int128 left = static_cast<__int128>(a.sum_ten_thousandths) * b.experts_counted;
  const __int128 right = static_cast<__int128>(b.sum_ten_thousandths) * a.experts_counted;
  return Sign(left - right);
}

bool MeetsCutOff(const ApplicationScore& score, int64_t cut_off_hundredths) {
  if (score.experts_counted <= 0) return false;  // unscored never passes a cut-off
  // sum / n (ten-thousandths) >= cut_off (hundredths)  <=>  sum >= cut_off * 100 * n.
  return static_cast<__int128>(score.sum_ten_thousandths) >=
         static_cast<__int128>(cut_off_hundredths) * 100 * score.experts_counted;
}

}  // namespace zhigai::review
