#include "services/gateway/json_civil_forms.h"

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/errors.h"
#include "libs/wire/typed_time.h"

namespace zhigai::gateway {
namespace {

namespace pb = google::protobuf;

constexpr char kDate[] = "google.type.Date";
constexpr char kTimeOfDay[] = "google.type.TimeOfDay";

bool IsCivil(const pb::Descriptor& type) {
  return type.full_name() == kDate || type.full_name() == kTimeOfDay;
}

// Well-known types have JSON forms of their own; they never hold civil fields.
bool IsWellKnown(const pb::Descriptor& type) { return type.file()->package() == "google.protobuf"; }

// Whether a civil type is reachable from `type` through its message fields.
bool Reaches(const pb::Descriptor& type, absl::flat_hash_set<const pb::Descriptor*>& visiting) {
  if (IsCivil(type)) return true;
  if (IsWellKnown(type) || !visiting.insert(&type).second) return false;
  for (int i = 0; i < type.field_count(); ++i) {
    const pb::Descriptor* sub = type.field(i)->message_type();
    if (sub != nullptr && Reaches(*sub, visiting)) return true;
  }
  return false;
}

bool IsDigits(const std::string& s, size_t at, size_t n) {
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Number(const std::string& s, size_t at, size_t n) { return std::stoi(s.substr(at, n)); }

std::string DateText(const nlohmann::json& object) {
  auto part = [&](const char* key) { return object.contains(key) ? object[key].get<int>() : 0; };
  return absl::StrFormat("%04d-%02d-%02d", part("year"), part("month"), part("day"));
}

std::string TimeText(const nlohmann::json& object) {
  auto part = [&](const char* key) { return object.contains(key) ? object[key].get<int>() : 0; };
  std::string text = absl::StrFormat("%02d:%02d", part("hours"), part("minutes"));
  if (part("seconds") != 0 || part("nanos") != 0)
    absl::StrAppend(&text, absl::StrFormat(":%02d", part("seconds")));
  return text;
}

absl::Status Refuse(const std::string& path, const char* shape) {
  return InvalidField(path, "FORMAT", absl::StrCat("must be written ", shape),
                      absl::StrCat(path, "：应写作 ", shape));
}

// "YYYY-MM-DD" -> {"year", "month", "day"}.
absl::Status DateObject(const std::string& path, nlohmann::json& value) {
  if (!value.is_string()) return absl::OkStatus();  // an object (or an error for the parser)
  std::optional<google::type::Date> day = wire::DateFromShapedText(value.get<std::string>());
  if (!day) return Refuse(path, "YYYY-MM-DD, e.g. 2027-03-09");
  value = {{"year", day->year()}, {"month", day->month()}, {"day", day->day()}};
  return absl::OkStatus();
}

// "HH:MM" or "HH:MM:SS" -> {"hours", "minutes", "seconds"}.
absl::Status TimeObject(const std::string& path, nlohmann::json& value) {
  if (!value.is_string()) return absl::OkStatus();
  const std::string text = value.get<std::string>();
  const bool hm =
      text.size() == 5 && text[2] == ':' && IsDigits(text, 0, 2) && IsDigits(text, 3, 2);
  const bool hms = text.size() == 8 && text[2] == ':' && text[5] == ':' && IsDigits(text, 0, 2) &&
                   IsDigits(text, 3, 2) && IsDigits(text, 6, 2);
  if (!hm && !hms) return Refuse(path, "HH:MM, e.g. 09:30");
  value = {{"hours", Number(text, 0, 2)}, {"minutes", Number(text, 3, 2)}};
  if (hms) value["seconds"] = Number(text, 6, 2);
  return absl::OkStatus();
}

// Visits every value of a civil field in `object` (a JSON object printed or parsed as `type`),
// with its JSON path; `visit` returns a status that stops the walk.
template <typename Visit>
absl::Status Walk(const pb::Descriptor& type, nlohmann::json& object, const std::string& path,
                  Visit& visit) {
  if (!object.is_object() || !HasCivilFields(type)) return absl::OkStatus();
  for (int i = 0; i < type.field_count(); ++i) {
    const pb::FieldDescriptor& f = *type.field(i);
    const pb::Descriptor* sub = f.message_type();
    if (sub == nullptr || !HasCivilFields(*sub)) continue;
    if (f.is_map() && sub->map_value()->message_type() == nullptr) continue;
    // The parser takes the lowerCamel JSON name and the proto name alike.
    std::vector<const std::string*> keys = {&f.json_name()};
    if (f.name() != f.json_name()) keys.push_back(&f.name());
    for (const std::string* key : keys) {
      auto it = object.find(*key);
      if (it == object.end()) continue;
      const std::string here = path.empty() ? *key : absl::StrCat(path, ".", *key);
      const pb::Descriptor& element = f.is_map() ? *sub->map_value()->message_type() : *sub;
      auto one = [&](nlohmann::json& v, const std::string& at) -> absl::Status {
        return IsCivil(element) ? visit(element, at, v) : Walk(element, v, at, visit);
      };
      if (f.is_map()) {
        if (!it->is_object()) continue;
        for (auto& [k, v] : it->items()) {
          if (absl::Status s = one(v, absl::StrCat(here, "[", k, "]")); !s.ok()) return s;
        }
      } else if (f.is_repeated()) {
        if (!it->is_array()) continue;
        for (size_t n = 0; n < it->size(); ++n) {
          if (absl::Status s = one((*it)[n], absl::StrCat(here, "[", n, "]")); !s.ok()) return s;
        }
      } else if (absl::Status s = one(*it, here); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool HasCivilFields(const pb::Descriptor& type) {
  // Every HTTP/JSON call asks, for each message type on its way: readers share the lock, and
  // a type is written once, the first time it is seen.
  static std::shared_mutex mu;
  static auto* known = new absl::flat_hash_map<const pb::Descriptor*, bool>();
  {
    std::shared_lock<std::shared_mutex> read(mu);
    if (auto it = known->find(&type); it != known->end()) return it->second;
  }
  absl::flat_hash_set<const pb::Descriptor*> visiting;
  const bool has = Reaches(type, visiting);
  std::unique_lock<std::shared_mutex> write(mu);
  known->try_emplace(&type, has);
  return has;
}

void CivilObjectsToText(const pb::Descriptor& type, nlohmann::json& value) {
  auto visit = [](const pb::Descriptor& civil, const std::string&, nlohmann::json& v) {
    if (v.is_object()) v = civil.full_name() == kDate ? DateText(v) : TimeText(v);
    return absl::OkStatus();
  };
  Walk(type, value, "", visit).IgnoreError();
}

absl::Status CivilTextToObjects(const pb::Descriptor& type, nlohmann::json& value) {
  auto visit = [](const pb::Descriptor& civil, const std::string& path, nlohmann::json& v) {
    return civil.full_name() == kDate ? DateObject(path, v) : TimeObject(path, v);
  };
  return Walk(type, value, "", visit);
}

}  // namespace zhigai::gateway
