// Training CreateEvent: the input is a serialized CreateEventRequest, checked by the service's
// ValidatePlan (wire.cc) and then, as the service does for a stored event, mapped to
// the domain (ToDomain), validated (ValidateEvent) and judged by the R13 rules. Invariants:
// every violation names an "event.*" field with a rule ID; the verdict is deterministic; an
// accepted plan always maps to the domain (else its subsidy report could never be computed);
// every rule outcome names its rule and check, and a failed one its reason.
#include <cstdint>

#include "services/training/domain/audience.h"
#include "services/training/domain/content.h"
#include "services/training/domain/duration.h"
#include "services/training/domain/event_validation.h"
#include "services/training/domain/satisfaction.h"
#include "services/training/domain/testing/rules.h"
#include "services/training/wire.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace zhigai;
using fuzz::Require;

const training::ReferenceData& Ref() {
  static const training::ReferenceData* ref = [] {
    auto industries = core::IndustryCatalog::Load(ZHIGAI_FUZZ_DATA "/industries.tsv");
    auto divisions = core::DivisionCatalog::Load(ZHIGAI_FUZZ_DATA "/divisions.tsv");
    Require(industries.ok() && divisions.ok(), "cannot load data/");
    return new training::ReferenceData(
        training::ReferenceData::From(std::move(*industries), std::move(*divisions)));
  }();
  return *ref;
}

void RequireNamed(const training::RuleOutcome& o) {
  Require(!o.rule.empty() && !o.check.empty(), "a rule outcome without rule or check");
  Require(o.passed() == o.reason.empty(), "a failed outcome without reason (or a pass with one)");
  Require(o.passed() == training::AsStatus(o).ok(), "AsStatus disagrees with the outcome");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  training::v1::CreateEventRequest req;
  if (!req.ParseFromArray(data, static_cast<int>(size))) return 0;
  absl::Status verdict = training::ValidatePlan(req.event(), Ref(), "event.");
  fuzz::RequireExplained(verdict, "event.");
  fuzz::RequireSameVerdict(verdict, training::ValidatePlan(req.event(), Ref(), "event."));
  if (!verdict.ok()) return 0;
  Require(training::ValidatePlan(fuzz::RequireWireRoundTrip(req.event()), Ref(), "event.").ok(),
          "a round-tripped plan fails");
  auto event = training::ToDomain(req.event());
  Require(event.ok(), "an accepted plan does not map to the domain");
  absl::Status checked = training::ValidateEvent(*event);
  fuzz::RequireExplained(checked);
  if (!checked.ok()) return 0;
  RequireNamed(training::CheckDuration(*event, training::TestTrainingRulesV1()));
  RequireNamed(training::CheckAudience(*event, training::TestTrainingRulesV1()));
  RequireNamed(training::CheckNoFee(*event));
  RequireNamed(training::CheckIndustries(*event, Ref().five_plus_five_codes));
  RequireNamed(training::CheckSatisfaction(event->ratings, training::TestTrainingRulesV1()));
  return 0;
}
