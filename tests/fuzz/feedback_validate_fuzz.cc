// Feedback RateEngagement: the input is a serialized RateEngagementRequest; the two items are
// mapped as handlers.cc maps them (UNSPECIFIED or an unknown number → missing) and checked by
// ValidateRating. Invariants: a rating is accepted exactly when both items are known levels;
// a refusal names "content" (S2.1) and/or "results" (S2.2) and nothing else; a level's name
// parses back to it. (The points of a level are s2.rating_points of the round's score rules,
// data/score-rules.tsv, which evaluation's own fuzzer covers.)
#include <cstdint>
#include <optional>

#include "services/feedback/domain/rating.h"
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
    Require(feedback::ParseSatisfactionLevel(feedback::SatisfactionLevelName(level)) == level,
            "a level's name does not parse back");
  }
  return 0;
}
