#include "services/review/domain/conflict.h"

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

// Every credit code that stands for the applicant: its own and each consortium member's.
std::vector<std::string> ApplicantCodes(const Applicant& applicant) {
  std::vector<std::string> codes;
  if (!applicant.credit_code.empty()) codes.push_back(applicant.credit_code);
  for (const ConsortiumMember& m : applicant.consortium) {
    if (!m.credit_code.empty()) codes.push_back(m.credit_code);
  }
  return codes;
}

}  // namespace

absl::Status CheckConflict(const Expert& expert, const ReviewedApplication& application) {
  const std::vector<std::string> codes = ApplicantCodes(application.applicant);
  for (const std::string& code : codes) {
    for (const std::string& tie : expert.declared_ties) {
      if (tie == code) {
        return RuleViolation("EXPERT_CONFLICT", "R7.1",
                             absl::StrCat("expert ", expert.id, " declared a tie to ", code,
                                          ", the applicant or a consortium member of application ",
                                          application.id, " (R7.1 part: declared tie)"),
                             "专家已申报与该申报单位（或联合体成员）存在关联关系，须回避");
      }
    }
    if (!expert.employer_credit_code.empty() && expert.employer_credit_code == code) {
      return RuleViolation("EXPERT_CONFLICT", "R7.1",
                           absl::StrCat("expert ", expert.id, " is employed by ", code,
                                        ", the applicant or a consortium member of application ",
                                        application.id, " (R7.1 part: employer)"),
                           "专家所在单位为该申报单位或其联合体成员，须回避");
    }
  }
  return absl::OkStatus();
}

}  // namespace zhigai::review
