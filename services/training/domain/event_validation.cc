#include "services/training/domain/event_validation.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::training {

absl::Status ValidateEvent(const TrainingEvent& event) {
  Violations violations;
  if (event.ends_at <= event.starts_at) {
    violations.Add("ends_at", "R13.1", "the event must end after it starts");
  }
  if (event.fee_fen < 0) {
    violations.Add("fee_fen", "R13.2", "the fee cannot be negative");
  }
  std::set<std::string> enterprises;
  for (size_t i = 0; i < event.attendance.size(); ++i) {
    const AttendanceRow& row = event.attendance[i];
    const std::string at = absl::StrCat("attendance[", i, "]");
    if (row.enterprise_credit_code.empty()) {
      violations.Add(absl::StrCat(at, ".enterprise_credit_code"), "R13.2",
                     "each attendance row names its enterprise");
    } else if (!enterprises.insert(row.enterprise_credit_code).second) {
      violations.Add(absl::StrCat(at, ".enterprise_credit_code"), "R13.2",
                     absl::StrCat("enterprise ", row.enterprise_credit_code,
                                  " is listed twice; give one row per enterprise"));
    }
    if (row.industry_code.empty()) {
      violations.Add(absl::StrCat(at, ".industry_code"), "R13.2",
                     "each attendance row names the enterprise's industry");
    }
    if (row.people < 1) {
      violations.Add(absl::StrCat(at, ".people"), "R13.2",
                     "an attendance row counts at least one person");
    }
  }
  if (event.ratings.total < 0) {
    violations.Add("ratings.total", "R13.4", "the number of ratings cannot be negative");
  }
  if (event.ratings.satisfied < 0 || event.ratings.satisfied > event.ratings.total) {
    violations.Add("ratings.satisfied", "R13.4",
                   "satisfied ratings must be between 0 and the number of ratings");
  }
  return violations.Finish("培训活动信息有误");
}

}  // namespace zhigai::training
