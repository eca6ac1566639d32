#include "libs/core/contact.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/errors.h"

namespace zhigai::core {
namespace {

constexpr absl::string_view kRule = "FORMAT";
constexpr std::size_t kMaxEmail = 254;  // RFC 5321 forward-path limit minus the angle brackets
constexpr std::size_t kMaxLocal = 64;
constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxExtension = 6;

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Area codes: 010 and 02x have three digits; every other area code has four (0577).
bool IsAreaCode(absl::string_view s) {
  if (!AllDigits(s) || s[0] != '0') return false;
  if (s.size() == 3) return s[1] == '1' ? s[2] == '0' : s[1] == '2';
  if (s.size() == 4) return s[1] >= '3';
  return false;
}

bool IsLocalNumber(absl::string_view s) {
  return (s.size() == 7 || s.size() == 8) && AllDigits(s) && s[0] >= '2';
}

bool IsLocalPartChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+/=?^_`{|}~.-").find(c) != absl::string_view::npos;
}

bool IsLabel(absl::string_view label) {
  if (label.empty() || label.size() > kMaxLabel) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

bool IsTopLevelLabel(absl::string_view label) {
  if (label.size() < 2) return false;
  for (char c : label) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status BadEmail(absl::string_view field, absl::string_view english,
                      absl::string_view chinese) {
  return InvalidField(field, kRule, absl::StrCat("is not a valid e-mail address: ", english),
                      absl::StrCat(field, "：电子邮箱格式错误，", chinese));
}

}  // namespace

bool IsMobilePhone(absl::string_view value) {
  return value.size() == 11 && AllDigits(value) && value[0] == '1' && value[1] >= '3';
}

bool IsLandlinePhone(absl::string_view value) {
  std::vector<absl::string_view> parts = absl::StrSplit(value, '-');
  if (parts.size() != 2 && parts.size() != 3) return false;
  if (!IsAreaCode(parts[0]) || !IsLocalNumber(parts[1])) return false;
  return parts.size() == 2 || (AllDigits(parts[2]) && parts[2].size() <= kMaxExtension);
}

absl::Status ValidatePhone(absl::string_view value, absl::string_view field) {
  if (value.empty()) {
    return InvalidField(field, kRule, "phone number is required",
                        absl::StrCat(field, "：联系电话不能为空"));
  }
  if (IsMobilePhone(value) || IsLandlinePhone(value)) return absl::OkStatus();
  return InvalidField(
      field, kRule,
      "is not a mainland phone number: expected a mobile number of 11 digits starting 13-19 "
      "(13812345678) or a landline with area code (0577-88886666, extension optional: "
      "0577-88886666-123), without spaces or +86",
      absl::StrCat(
          field,
          "：电话号码格式错误，应为以 13-19 开头的 11 位手机号（如 13812345678），或带区号的"
          "固定电话（如 0577-88886666，分机可写作 0577-88886666-123），不含空格和 +86"));
}

absl::Status ValidateEmail(absl::string_view value, absl::string_view field) {
  if (value.empty()) {
    return InvalidField(field, kRule, "e-mail address is required",
                        absl::StrCat(field, "：电子邮箱不能为空"));
  }
  if (value.size() > kMaxEmail) {
    return BadEmail(field, absl::StrCat("longer than ", kMaxEmail, " characters"),
                    absl::StrCat("长度超过 ", kMaxEmail, " 个字符"));
  }
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || byte <= 0x20 || byte == 0x7F) {
      return BadEmail(field, "only printable ASCII characters without spaces are allowed",
                      "只能包含不含空格的 ASCII 可见字符");
    }
  }
  std::size_t at = value.find('@');
  if (at == absl::string_view::npos || value.find('@', at + 1) != absl::string_view::npos) {
    return BadEmail(field, "needs exactly one '@'", "必须包含且仅包含一个 @");
  }
  absl::string_view local = value.substr(0, at);
  absl::string_view domain = value.substr(at + 1);

  if (local.empty() || local.size() > kMaxLocal) {
    return BadEmail(field,
                    absl::StrCat("the part before '@' must have 1 to ", kMaxLocal, " characters"),
                    absl::StrCat("@ 前的部分应为 1 至 ", kMaxLocal, " 个字符"));
  }
  for (char c : local) {
    if (!IsLocalPartChar(c)) {
      return BadEmail(field,
                      absl::StrCat("character '", std::string(1, c), "' is not allowed before '@'"),
                      absl::StrCat("@ 前不允许出现字符 '", std::string(1, c), "'"));
    }
  }
  if (local.front() == '.' || local.back() == '.' || absl::StrContains(local, "..")) {
    return BadEmail(field,
                    "the part before '@' may not start or end with a dot or hold two dots "
                    "in a row",
                    "@ 前的部分不能以点开头或结尾，也不能有连续的点");
  }

  std::vector<absl::string_view> labels = absl::StrSplit(domain, '.');
  if (labels.size() < 2) {
    return BadEmail(field, "the domain needs a top-level part (example.com)",
                    "域名缺少顶级域（如 example.com）");
  }
  for (absl::string_view label : labels) {
    if (!IsLabel(label)) {
      return BadEmail(
          field,
          absl::StrCat("each domain label must have 1 to ", kMaxLabel,
                       " letters, digits or inner hyphens"),
          absl::StrCat("域名的每一段应为 1 至 ", kMaxLabel, " 个字母、数字或中间的连字符"));
    }
  }
  if (!IsTopLevelLabel(labels.back())) {
    return BadEmail(field, "the top-level domain must be at least two letters",
                    "顶级域应至少为两个字母");
  }
  return absl::OkStatus();
}

}  // namespace zhigai::core
