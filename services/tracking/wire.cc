#include "services/tracking/wire.h"

#include "libs/wire/typed_time.h"

namespace zhigai::tracking {

std::string OutcomeText(v1::ProjectOutcome o) {
  switch (o) {
    case v1::OUTCOME_PENDING:
      return "PENDING";
    case v1::OUTCOME_APPROVED:
      return "APPROVED";
    case v1::OUTCOME_REJECTED:
      return "REJECTED";
    default:
      return v1::ProjectOutcome_IsValid(o) ? v1::ProjectOutcome_Name(o) : "UNKNOWN";
  }
}

std::string KindText(int kind) {
  return common::v1::ServiceKind_IsValid(kind)
             ? common::v1::ServiceKind_Name(static_cast<common::v1::ServiceKind>(kind))
             : "UNKNOWN";
}

ProjectRecordInput ProjectInputFromWire(const v1::ProjectRecord& r) {
  ProjectRecordInput in;
  in.project_id = r.project_id();
  in.revision = r.revision();
  in.institution_credit_code = r.institution_credit_code();
  in.enterprise_credit_code = r.enterprise_credit_code();
  in.kind = KindText(r.kind());
  in.declaration_date = wire::DateText(r.declaration_date());
  in.city_outcome = OutcomeText(r.city_outcome());
  in.city_outcome_date = wire::DateText(r.city_outcome_date());
  in.county_outcome = OutcomeText(r.county_outcome());
  in.county_outcome_date = wire::DateText(r.county_outcome_date());
  in.subsidy_fen = r.subsidy_fen();
  return in;
}

}  // namespace zhigai::tracking
