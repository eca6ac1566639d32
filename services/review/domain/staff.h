// R5.3: who counts as a qualified professional (持中级及以上职称或视同).
#pragma once

#include "absl/time/civil_time.h"
#include "services/review/domain/applicant.h"
#include "services/review/domain/application_rules.h"

namespace zhigai::review {

// Completed years from `started` to `until`: a year is full on its anniversary
// (2021-06-30 -> 2026-06-30 is 5, -> 2026-06-29 is 4). A Feb 29 start reaches its
// anniversary on Mar 1 in common years. 0 when `until` is before `started`.
int FullYears(absl::CivilDay started, absl::CivilDay until);

// Whether the member holds, or is treated as holding, an intermediate-or-higher title in
// a related field, with years of work counted to `closing_date`. Decision (R5.3): "related
// field" applies to the title and to both degree routes. Residency is not looked at here. The
// years each degree route needs are the call's version of the rules (application_rules.h).
bool IsQualifiedProfessional(const StaffMember& member, absl::CivilDay closing_date,
                             const ApplicationRules& rules);

}  // namespace zhigai::review
