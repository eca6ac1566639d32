#include "services/feedback/handlers_util.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/core/text.h"
#include "libs/server/serve.h"
#include "services/feedback/handlers.h"

namespace zhigai::feedback {

// "engagements/{id}": tracking's resource name, a positive numeric id.
absl::Status CheckEngagementName(const std::string& name, absl::string_view field) {
  constexpr absl::string_view kPrefix = "engagements/";
  int64_t id = 0;
  if (absl::StartsWith(name, kPrefix) && absl::SimpleAtoi(name.substr(kPrefix.size()), &id) &&
      id > 0 && name.substr(kPrefix.size()) == absl::StrCat(id)) {
    return absl::OkStatus();
  }
  return InvalidField(field, "AIP-122", "must look like engagements/{id}",
                      "服务项目名称格式应为 engagements/{id}");
}

void CheckEvidence(const google::protobuf::RepeatedPtrField<std::string>& ids,
                   const std::string& field, size_t min, absl::string_view rule, Violations& v) {
  if (ids.size() < static_cast<int>(min) || ids.size() > static_cast<int>(kMaxEvidence)) {
    v.Add(field, rule,
          absl::StrCat(field, ": between ", min, " and ", kMaxEvidence, " evidence documents"));
  }
  for (int i = 0; i < ids.size(); ++i) {
    v.Absorb(core::ValidateLine(ids[i], absl::StrCat(field, "[", i, "]"), 1, 200, "FORMAT"));
  }
}

absl::Status OutsideDivision() {
  return server::Forbidden("OUTSIDE_DIVISION",
                           "a county bureau handles only its own division's engagements",
                           "县级经信部门只能处理本辖区事项");
}

absl::Status NotYours(absl::string_view what) {
  return server::Forbidden("NOT_OWN_RECORD", absl::StrCat("this ", what, " is not yours to see"),
                           "无权查看该记录");
}

// The caller's scope forced onto a filter: a filter naming someone else is refused rather than
// silently replaced.
absl::Status ScopeFilter(const std::string& own, std::string* filter, absl::string_view what) {
  if (own.empty()) return NotYours(what);
  if (!filter->empty() && *filter != own) return NotYours(what);
  *filter = own;
  return absl::OkStatus();
}

absl::CivilDay FeedbackHandlers::Today() const { return core::BusinessDayOf(d_.clock()); }

}  // namespace zhigai::feedback
