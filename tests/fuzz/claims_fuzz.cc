// The identity provider's claims → principal mapping. The input is taken twice: as a claims
// mapping file (ClaimsMapping::Parse) and as a token's claims mapped with the production
// mapping (services/gateway/claims.json). Invariants: no crash; a parsed mapping has roles and
// none is PUBLIC; a mapped principal is never PUBLIC, has a role the mapping names, and
// survives the principal header's encode/decode unchanged (what the backends will read).
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "services/gateway/authn.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using zhigai::fuzz::Require;
namespace gw = zhigai::gateway;
using zhigai::auth::Role;

const gw::ClaimsMapping& Production() {
  static const gw::ClaimsMapping* mapping = [] {
    std::ifstream in(ZHIGAI_FUZZ_CLAIMS);
    std::stringstream text;
    text << in.rdbuf();
    auto m = gw::ClaimsMapping::Parse(text.str());
    Require(m.ok(), "cannot load claims.json");
    return new gw::ClaimsMapping(std::move(*m));
  }();
  return *mapping;
}

void CheckMap(const gw::ClaimsMapping& mapping, const nlohmann::json& claims) {
  auto p = mapping.Map(claims);
  if (!p.ok()) {
    Require(p.status().code() == absl::StatusCode::kUnauthenticated, "not UNAUTHENTICATED");
    Require(!zhigai::ReasonOf(p.status()).empty(), "a refusal without a reason");
    return;
  }
  Require(p->role != Role::kPublic, "a token mapped to PUBLIC");
  bool named = false;
  for (const auto& [value, role] : mapping.roles) named = named || role == p->role;
  Require(named, "a role the mapping does not name");
  auto back = zhigai::auth::DecodePrincipal(zhigai::auth::EncodePrincipal(*p));
  Require(back.ok() && back->role == p->role && back->subject == p->subject &&
              back->credit_code == p->credit_code && back->division_code == p->division_code,
          "a mapped principal does not survive the principal header");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto doc = nlohmann::json::parse(text, nullptr, false);
  auto mapping = gw::ClaimsMapping::Parse(text);
  if (mapping.ok()) {
    Require(!mapping->roles.empty(), "a mapping without roles");
    for (const auto& [value, role] : mapping->roles) Require(role != Role::kPublic, "PUBLIC role");
    // A mapping applied to its own document's claims, e.g. {"role": [...]}: still no crash.
    if (doc.is_object()) CheckMap(*mapping, doc);
  }
  if (doc.is_object()) CheckMap(Production(), doc);
  return 0;
}
