#include "services/feedback/engagement_directory.h"

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "services/feedback/store.h"

namespace zhigai::feedback {

absl::StatusOr<EngagementFacts> StoredEngagementDirectory::Get(const std::string& engagement) {
  auto facts = store_.GetEngagementFacts(engagement);
  if (!facts.ok()) return facts.status();
  if (!facts->has_value()) {
    return Error(absl::StatusCode::kNotFound, "ENGAGEMENT_NOT_FOUND",
                 absl::StrCat(engagement, " is not known to feedback (tracking has not reported it)"),
                 "未找到该服务项目");
  }
  return **facts;
}

}  // namespace zhigai::feedback
