// When a sanction is in force, and whether an institution may serve (eligibility).
#pragma once

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "libs/core/sanction_rules.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace zhigai::registry {

// Last day (inclusive) a sanction starting on `start` is in force; `in_force`: the version of
// data/sanction-rules.tsv in force on `start` (issue 26).
// R14.4: a CANCEL runs to 31 December of the start's year.
// R14.5 decision: a BAR runs three years (version 1) from the start: [start, start + 3 years),
// so its last day is the day before the third anniversary (29 Feb starts end on 28 Feb three
// years on).
absl::CivilDay SanctionLastDay(v1::SanctionKind kind, absl::CivilDay start,
                               const core::SanctionRules& in_force);

// The direction that a service kind needs (R3.1): diagnosis and solution design are the
// CONSULTING direction, training is TRAINING.
common::v1::Direction DirectionFor(common::v1::ServiceKind kind);

struct EntryFact {
  std::string name;  // directoryEntries/{id}
  common::v1::DirectoryLevel level = common::v1::DIRECTORY_LEVEL_UNSPECIFIED;
  std::string division_code;
  common::v1::Direction direction = common::v1::DIRECTION_UNSPECIFIED;
  v1::EntryStatus status = v1::ENTRY_STATUS_UNSPECIFIED;
};

struct SanctionFact {
  std::string name;
  v1::SanctionKind kind = v1::SANCTION_KIND_UNSPECIFIED;
  absl::CivilDay start;
  absl::CivilDay last_day;
  bool lifted = false;
  absl::CivilDay lifted_on;  // when lifted: the first day it no longer applies
};

// In force on `day`: from its start to its last day, and before its lift day if lifted (a lift
// ends a sanction early, RULES.md R14.5 2026-12).
bool InForceOn(const SanctionFact& s, absl::CivilDay day);

// Decides eligibility on `date` from the institution's entries of that year and its
// sanctions. Every reason that applies is listed, not only the first.
v1::Eligibility DecideEligibility(const v1::CheckEligibilityRequest& request, absl::CivilDay date,
                                  bool institution_known, const std::vector<EntryFact>& entries,
                                  const std::vector<SanctionFact>& sanctions);

}  // namespace zhigai::registry
