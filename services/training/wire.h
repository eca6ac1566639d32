// The training event between the wire and the R13 rules: validation of a plan as an
// institution sends it, the stored event as the domain sees it, and the subsidy report back.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/type/timeofday.pb.h"
#include "services/training/domain/event.h"
#include "services/training/domain/subsidy_report.h"
#include "services/training/reference_data.h"
#include "zhigai/training/v1/training.pb.h"

namespace zhigai::training {

// A time of day as minutes since midnight, in whole minutes; 24:00 only when `end` (an event may
// end at midnight, R13.1). `time` is null when the request left the field out.
absl::StatusOr<int> ParseClock(const google::type::TimeOfDay* time, absl::string_view field,
                               bool end);

// Every field of a plan (CreateEvent, UpdateEvent); field paths start with `prefix`
// ("event."). INVALID_ARGUMENT listing all bad fields. A fee above zero is well-formed input
// and is refused separately (FAILED_PRECONDITION FEE_CHARGED, R13.2).
absl::Status ValidatePlan(const v1::Event& event, const ReferenceData& ref,
                          absl::string_view prefix);

// The stored event as the rules read it; the county review counts as approved from APPROVED on.
absl::StatusOr<TrainingEvent> ToDomain(const v1::Event& event);

v1::Verdict ToProto(Verdict verdict);
void ToProto(const SubsidyReport& report, v1::SubsidyReport* out);

}  // namespace zhigai::training
