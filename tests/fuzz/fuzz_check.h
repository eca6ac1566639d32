// Shared invariant checks of the fuzz targets. A broken invariant prints what broke and aborts,
// so libFuzzer saves the input as a crash artifact like any other failure.
#pragma once

#include <google/protobuf/stubs/logging.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "libs/core/errors.h"

namespace zhigai::fuzz {

// Protobuf logs every string field with invalid UTF-8 it parses or serializes: expected here
// by the thousand, and it drowns libFuzzer's own report.
inline const bool kProtobufQuiet = (google::protobuf::SetLogHandler(nullptr), true);

inline void Require(bool holds, absl::string_view what) {
  if (holds) return;
  std::fprintf(stderr, "invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// A refusal tells the caller what to fix: bad input names every field (under `prefix`) with a
// rule ID and a description; any other refusal carries a reason, and a rule violation its rule.
inline void RequireExplained(const absl::Status& status, absl::string_view prefix = "") {
  // ZHIGAI_FUZZ_VERBOSE=1 prints each verdict, to see what the seeds reach.
  if (std::getenv("ZHIGAI_FUZZ_VERBOSE"))
    std::fprintf(stderr, "verdict: %s\n", status.ToString().c_str());
  if (status.ok()) return;
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    auto violations = ViolationsOf(status);
    Require(!violations.empty(), "INVALID_ARGUMENT without field violations");
    for (const auto& v : violations) {
      Require(!v.field.empty() && !v.rule.empty() && !v.description.empty(),
              "a violation without field, rule or description");
      Require(absl::StartsWith(v.field, prefix), "a violation outside the request's fields");
    }
    return;
  }
  Require(!ReasonOf(status).empty(), "a refusal without a reason");
  if (status.code() == absl::StatusCode::kFailedPrecondition) {
    Require(!RuleOf(status).empty(), "FAILED_PRECONDITION without a rule ID");
  }
}

// Two runs of a pure check on the same input give the same verdict and the same violations.
inline void RequireSameVerdict(const absl::Status& a, const absl::Status& b) {
  Require(a.code() == b.code() && a.message() == b.message(), "validation is not deterministic");
  auto va = ViolationsOf(a), vb = ViolationsOf(b);
  Require(va.size() == vb.size(), "validation is not deterministic (violations)");
  for (size_t i = 0; i < va.size(); ++i) {
    Require(va[i].field == vb[i].field && va[i].rule == vb[i].rule,
            "validation is not deterministic (violation order)");
  }
}

}  // namespace zhigai::fuzz

#include <google/protobuf/util/message_differencer.h>

namespace zhigai::fuzz {

// An accepted request survives the wire unchanged, so what was validated is what is stored.
template <typename Message>
Message RequireWireRoundTrip(const Message& message) {
  std::string bytes;
  Require(message.SerializeToString(&bytes), "an accepted request does not serialize");
  Message back;
  Require(back.ParseFromString(bytes), "an accepted request does not parse back");
  Require(google::protobuf::util::MessageDifferencer::Equals(message, back),
          "an accepted request changes on the wire");
  return back;
}

}  // namespace zhigai::fuzz
