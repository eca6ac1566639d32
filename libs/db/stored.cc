#include "libs/db/stored.h"

#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"

namespace zhigai::db {

absl::Status NotFound(absl::string_view what, absl::string_view id) {
  return Error(absl::StatusCode::kNotFound, "NOT_FOUND", absl::StrCat(what, " ", id, " not found"),
               "记录不存在");
}

absl::Status StaleVersion(absl::string_view what, int64_t sent, int64_t current) {
  return Error(absl::StatusCode::kAborted, "STALE_VERSION",
               absl::StrCat(what, " was changed by someone else: you sent version ", sent,
                            ", the current version is ", current, "; read it again"),
               "记录已被他人修改，请刷新后重试");
}

absl::StatusOr<absl::CivilDay> StoredDay(absl::string_view text) {
  auto day = core::ParseDate(text, "stored date");
  if (!day.ok()) return absl::InternalError("stored date unreadable");
  return *day;
}

}  // namespace zhigai::db
