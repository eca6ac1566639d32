#include "services/evaluation/round_states.h"

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::evaluation {
namespace {

absl::Status Refuse(absl::string_view reason, absl::string_view english, absl::string_view chinese,
                    v1::RoundState state) {
  return RuleViolation(reason, "R10.1",
                       absl::StrCat(english, " (the round is ", v1::RoundState_Name(state), ")"),
                       chinese);
}

absl::Status AlreadyRanked(v1::RoundState state) {
  if (state == v1::PUBLISHED) {
    return Refuse("ROUND_ALREADY_PUBLISHED", "the round is published and can no longer change",
                  "考核结果已公布，不能再修改", state);
  }
  return Refuse("ROUND_ALREADY_RANKED", "the round is ranked and can no longer change",
                "考核已排名，不能再修改", state);
}

}  // namespace

absl::Status CheckStep(v1::RoundState state, Step step) {
  switch (step) {
    case Step::kPull:
      if (state == v1::OPEN) return absl::OkStatus();
      return Refuse("SNAPSHOT_FROZEN", "the snapshot is frozen: metrics can no longer be pulled",
                    "考核数据已冻结，不能重新拉取", state);
    case Step::kFreeze:
      if (state == v1::OPEN) return absl::OkStatus();
      return Refuse("ROUND_NOT_OPEN", "only an open round's snapshot can be frozen",
                    "仅开启状态的考核可冻结数据", state);
    case Step::kDefence:
      if (state == v1::METRICS_FROZEN || state == v1::DEFENCE_SCORED) return absl::OkStatus();
      if (state == v1::OPEN) {
        return Refuse("METRICS_NOT_FROZEN",
                      "defence scores are recorded once the snapshot is frozen",
                      "请先冻结考核数据再录入答辩成绩", state);
      }
      return AlreadyRanked(state);
    case Step::kRank:
      // RANKED: computed again, as when a sanction changed since (RULES.md S4, 2026-12).
      if (state == v1::DEFENCE_SCORED || state == v1::RANKED) return absl::OkStatus();
      if (state == v1::OPEN || state == v1::METRICS_FROZEN) {
        return Refuse("DEFENCE_NOT_SCORED",
                      "every institution to rank needs its defence entry before ranking",
                      "尚有机构未录入答辩成绩，不能排名", state);
      }
      return AlreadyRanked(state);
    case Step::kPublish:
      if (state == v1::RANKED) return absl::OkStatus();
      if (state == v1::PUBLISHED) return AlreadyRanked(state);
      return Refuse("ROUND_NOT_RANKED", "only a ranked round can be published",
                    "尚未排名，不能公布", state);
  }
  return absl::InternalError("unknown step");
}

}  // namespace zhigai::evaluation
