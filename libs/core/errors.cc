#include "libs/core/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace zhigai {
namespace {

constexpr absl::string_view kReasonUrl = "type.zhigai/reason";
constexpr absl::string_view kRuleUrl = "type.zhigai/rule";
constexpr absl::string_view kChineseUrl = "type.zhigai/zh";
constexpr absl::string_view kViolationsUrl = "type.zhigai/violations";
// ASCII unit/record separators pack the violations into one payload. A description may echo
// what a client sent (a duplicate code, say), so they are escaped where they occur in a part;
// an unescaped one would split a violation in two (found by tests/fuzz evaluation_score).
constexpr char kUnit = '\x1f';
constexpr char kRecord = '\x1e';

std::string Packable(absl::string_view part) {
  if (part.find_first_of("\x1e\x1f") == absl::string_view::npos) return std::string(part);
  return absl::StrReplaceAll(part, {{"\x1e", "\\x1e"}, {"\x1f", "\\x1f"}});
}

std::string Payload(const absl::Status& status, absl::string_view url) {
  auto cord = status.GetPayload(url);
  return cord ? std::string(*cord) : std::string();
}

}  // namespace

absl::Status Error(absl::StatusCode code, absl::string_view reason, absl::string_view english,
                   absl::string_view chinese, absl::string_view rule) {
  absl::Status status(code, english);
  status.SetPayload(kReasonUrl, absl::Cord(reason));
  if (!rule.empty()) status.SetPayload(kRuleUrl, absl::Cord(rule));
  if (!chinese.empty()) status.SetPayload(kChineseUrl, absl::Cord(chinese));
  return status;
}

absl::Status InvalidField(absl::string_view field, absl::string_view rule,
                          absl::string_view english, absl::string_view chinese) {
  return InvalidFields(
      {FieldViolation{std::string(field), std::string(rule), std::string(english)}}, chinese);
}

absl::Status InvalidFields(std::vector<FieldViolation> violations, absl::string_view chinese) {
  std::vector<std::string> parts;
  std::vector<std::string> encoded;
  for (const auto& v : violations) {
    parts.push_back(absl::StrCat(v.field, ": ", v.description, " (", v.rule, ")"));
    encoded.push_back(absl::StrCat(Packable(v.field), std::string(1, kUnit), Packable(v.rule),
                                   std::string(1, kUnit), Packable(v.description)));
  }
  absl::Status status =
      Error(absl::StatusCode::kInvalidArgument, "INVALID_FIELD", absl::StrJoin(parts, "; "),
            chinese, violations.size() == 1 ? violations[0].rule : "");
  status.SetPayload(kViolationsUrl, absl::Cord(absl::StrJoin(encoded, std::string(1, kRecord))));
  return status;
}

absl::Status RuleViolation(absl::string_view reason, absl::string_view rule,
                           absl::string_view english, absl::string_view chinese) {
  // Messages that already end with their rule ID keep a single one.
  std::string suffix = absl::StrCat("(", rule, ")");
  std::string message = absl::EndsWith(english, suffix) || rule.empty()
                            ? std::string(english)
                            : absl::StrCat(english, " ", suffix);
  return Error(absl::StatusCode::kFailedPrecondition, reason, message, chinese, rule);
}

std::string ReasonOf(const absl::Status& status) { return Payload(status, kReasonUrl); }
std::string RuleOf(const absl::Status& status) { return Payload(status, kRuleUrl); }
std::string ChineseOf(const absl::Status& status) { return Payload(status, kChineseUrl); }

std::vector<FieldViolation> ViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  std::string raw = Payload(status, kViolationsUrl);
  if (raw.empty()) return out;
  for (absl::string_view record : absl::StrSplit(raw, kRecord)) {
    std::vector<std::string> f = absl::StrSplit(record, absl::MaxSplits(kUnit, 2));
    f.resize(3);
    out.push_back({f[0], f[1], f[2]});
  }
  return out;
}

void Violations::Add(absl::string_view field, absl::string_view rule,
                     absl::string_view description) {
  list_.push_back({std::string(field), std::string(rule), std::string(description)});
}

void Violations::Absorb(const absl::Status& status) {
  if (status.ok()) return;
  auto found = ViolationsOf(status);
  if (found.empty()) {
    if (other_.ok()) other_ = status;
    return;
  }
  list_.insert(list_.end(), found.begin(), found.end());
}

absl::Status Violations::Finish(absl::string_view chinese) const {
  if (!other_.ok()) return other_;
  if (list_.empty()) return absl::OkStatus();
  // The Chinese summary names the fields too: a reader of the localized message alone (a
  // client that shows only it) still learns what to correct.
  std::vector<std::string> named;
  for (const FieldViolation& v : list_) named.push_back(absl::StrCat(v.field, "（", v.rule, "）"));
  return InvalidFields(list_, absl::StrCat(chinese, "：", absl::StrJoin(named, "；")));
}

}  // namespace zhigai
