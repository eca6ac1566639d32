#include "services/review/domain/staff.h"

namespace zhigai::review {

int FullYears(absl::CivilDay started, absl::CivilDay until) {
  if (until < started) return 0;
  int years = static_cast<int>(until.year() - started.year());
  const bool anniversary_reached =
      until.month() > started.month() ||
      (until.month() == started.month() && until.day() >= started.day());
  if (!anniversary_reached) --years;
  return years;
}

bool IsQualifiedProfessional(const StaffMember& member, absl::CivilDay closing_date,
                             const ApplicationRules& rules) {
  // Decision (R5.3): "related field" binds the title and both degree routes.
  if (member.title_in_related_field &&
      (member.title == TitleLevel::kIntermediate || member.title == TitleLevel::kSenior)) {
    return true;
  }
  if (!member.degree_in_related_field || !member.work_started.has_value()) return false;
  // Decision (R5.3): years of work are counted to the call's closing date.
  const int years = FullYears(*member.work_started, closing_date);
  switch (member.degree) {
    case DegreeLevel::kBachelor:
      return years >= rules.bachelor_min_full_years;
    case DegreeLevel::kMaster:
    case DegreeLevel::kDoctorate:
      return years >= rules.master_min_full_years;
    case DegreeLevel::kNone:
    case DegreeLevel::kAssociate:
      return false;
  }
  return false;
}

}  // namespace zhigai::review
