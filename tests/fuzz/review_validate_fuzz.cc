// Review CreateCall and CreateApplication: the first byte picks the request (even: call, odd:
// application), the rest is the serialized request, checked by the service's pure validators
// (validate.cc, which includes the domain's ValidateCall). Invariants: every violation names a
// field with a rule ID; the verdict is deterministic; an accepted definition survives the wire
// and is accepted again.
#include <cstdint>

#include "services/review/validate.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace zhigai;
using fuzz::Require;

const review::ReferenceData& Ref() {
  static const review::ReferenceData* ref = [] {
    auto industries = core::IndustryCatalog::Load(ZHIGAI_FUZZ_DATA "/industries.tsv");
    auto divisions = core::DivisionCatalog::Load(ZHIGAI_FUZZ_DATA "/divisions.tsv");
    Require(industries.ok() && divisions.ok(), "cannot load data/");
    return new review::ReferenceData{std::move(*industries), std::move(*divisions)};
  }();
  return *ref;
}

template <typename Message, typename Validate>
void Check(const Message& message, Validate validate) {
  absl::Status verdict = validate(message);
  fuzz::RequireExplained(verdict);
  fuzz::RequireSameVerdict(verdict, validate(message));
  if (!verdict.ok()) return;
  Require(validate(fuzz::RequireWireRoundTrip(message)).ok(), "a round-tripped request fails");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int body = static_cast<int>(size - 1);
  if (data[0] % 2 == 0) {
    review::v1::CreateCallRequest req;
    if (!req.ParseFromArray(data + 1, body)) return 0;
    Check(req.call(), [](const auto& c) { return review::ValidateCallDefinition(c, Ref()); });
  } else {
    review::v1::CreateApplicationRequest req;
    if (!req.ParseFromArray(data + 1, body)) return 0;
    Check(req.application(),
          [](const auto& a) { return review::ValidateApplicationContent(a, Ref()); });
  }
  return 0;
}
