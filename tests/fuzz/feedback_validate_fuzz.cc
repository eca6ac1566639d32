// Feedback RateEngagement: the input is a serialized RateEngagementRequest; the two items are
// mapped as handlers.cc maps them (UNSPECIFIED or an unknown number → missing) and checked by
// ValidateRating. Invariants: a rating is accepted exactly when both items are known levels;
// a refusal names "content" (S2.1) and/or "results" (S2.2) and nothing else; points are one of
// Attachment 3's 10/8/5/0; the S2 means of any number of accepted ratings stay within 0–10.
#include <cstdint>
#include <optional>
#include <vector>

#include "services/feedback/domain/rating.h"
#include "services/feedback/domain/satisfaction_metrics.h"
#include "tests/fuzz/fuzz_check.h"
#include "zhigai/feedback/v1/feedback.pb.h"

namespace {

using namespace zhigai;
using fuzz::Require;
namespace v1 = feedback::v1;

std::optional<feedback::SatisfactionLevel> ToDomain(v1::SatisfactionLevel level) {
  if (level == v1::SATISFACTION_LEVEL_UNSPECIFIED || !v1::SatisfactionLevel_IsValid(level)) {
    return std::nullopt;
  }
  return feedback::ParseSatisfactionLevel(v1::SatisfactionLevel_Name(level));
}

bool Known(v1::SatisfactionLevel level) {
  return level != v1::SATISFACTION_LEVEL_UNSPECIFIED && v1::SatisfactionLevel_IsValid(level);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  v1::RateEngagementRequest req;
  if (!req.ParseFromArray(data, static_cast<int>(size))) return 0;
  auto rating = feedback::ValidateRating({ToDomain(req.content()), ToDomain(req.results())});
  fuzz::RequireExplained(rating.status());
  Require(rating.ok() == (Known(req.content()) && Known(req.results())),
          "a rating's verdict disagrees with its items");
  for (const auto& v : ViolationsOf(rating.status())) {
    Require(
        (v.field == "content" && v.rule == "S2.1") || (v.field == "results" && v.rule == "S2.2"),
        "a rating violation names another field or rule");
  }
  if (!rating.ok()) return 0;
  for (auto level : {rating->content, rating->results}) {
    int points = feedback::SatisfactionPoints(level);
    Require(points == 10 || points == 8 || points == 5 || points == 0, "points outside S2.1");
    Require(feedback::ParseSatisfactionLevel(feedback::SatisfactionLevelName(level)) == level,
            "a level's name does not parse back");
  }
  // The same rating received `version % 1000` times (the count comes from the input too).
  std::vector<feedback::Rating> ratings(static_cast<size_t>(req.version() % 1000 + 1000) % 1000,
                                        *rating);
  auto metrics = feedback::ComputeSatisfactionMetrics(ratings);
  Require(metrics.count == static_cast<int64_t>(ratings.size()), "a rating was not counted");
  Require(metrics.content_mean >= 0 && metrics.content_mean <= 10 && metrics.results_mean >= 0 &&
              metrics.results_mean <= 10,
          "an S2 mean outside 0-10");
  return 0;
}
