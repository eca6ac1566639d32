// Registry CreateInstitution: the input is a serialized CreateInstitutionRequest, checked by
// the domain's ValidateInstitution with the real reference data (data/). Invariants: every
// violation names an "institution.*" field with a rule ID; the verdict is deterministic; an
// accepted institution has a valid credit code (R0.1), survives the wire and is accepted again.
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/institution/profile.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace zhigai;
using fuzz::Require;

const institution::ReferenceData& Ref() {
  static const institution::ReferenceData* ref = [] {
    auto industries = core::IndustryCatalog::Load(ZHIGAI_FUZZ_DATA "/industries.tsv");
    auto divisions = core::DivisionCatalog::Load(ZHIGAI_FUZZ_DATA "/divisions.tsv");
    Require(industries.ok() && divisions.ok(), "cannot load data/");
    return new institution::ReferenceData{std::move(*industries), std::move(*divisions)};
  }();
  return *ref;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  registry::v1::CreateInstitutionRequest req;
  if (!req.ParseFromArray(data, static_cast<int>(size))) return 0;
  absl::Status verdict = institution::ValidateInstitution(req.institution(), Ref());
  fuzz::RequireExplained(verdict, "institution");
  fuzz::RequireSameVerdict(verdict, institution::ValidateInstitution(req.institution(), Ref()));
  if (!verdict.ok()) return 0;
  Require(core::ValidateCreditCode(req.institution().credit_code(), "c").ok(),
          "an institution with an invalid credit code was accepted");
  auto back = fuzz::RequireWireRoundTrip(req.institution());
  Require(institution::ValidateInstitution(back, Ref()).ok(), "a round-tripped institution fails");
  return 0;
}
