// The policy file: syntax, default deny, and the start-up coverage check.
#include "services/gateway/policy.h"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "services/gateway/linked_protos.h"

namespace zhigai::gateway {
namespace {

using auth::Role;
constexpr char kGet[] = "/zhigai.registry.v1.RegistryService/GetInstitution";

TEST(PolicyTest, ParsesRolesAndDeniesByDefault) {
  auto p = Policy::Parse(
      "# comment\n"
      "zhigai.registry.v1.RegistryService/GetInstitution  PUBLIC\tCITY_BUREAU  # trailing\n"
      "\n"
      "zhigai.registry.v1.RegistryService/LiftSanction -\n");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->Allows(kGet, Role::kPublic));
  EXPECT_TRUE(p->Allows(kGet, Role::kCityBureau));
  EXPECT_FALSE(p->Allows(kGet, Role::kInstitution));
  EXPECT_TRUE(p->Lists("/zhigai.registry.v1.RegistryService/LiftSanction"));
  for (Role r : AllRoles()) {
    EXPECT_FALSE(p->Allows("/zhigai.registry.v1.RegistryService/LiftSanction", r));
    EXPECT_FALSE(p->Allows("/zhigai.registry.v1.RegistryService/Unlisted", r));
  }
}

TEST(PolicyTest, RejectsBadLines) {
  EXPECT_FALSE(Policy::Parse("GetInstitution PUBLIC\n").ok());
  EXPECT_FALSE(Policy::Parse("zhigai.registry.v1.RegistryService/Get\n").ok());
  EXPECT_FALSE(Policy::Parse("zhigai.registry.v1.RegistryService/Get ADMIN\n").ok());
  EXPECT_FALSE(Policy::Parse("zhigai.registry.v1.RegistryService/Get - PUBLIC\n").ok());
  EXPECT_FALSE(Policy::Parse("a.S/M PUBLIC\na.S/M CITY_BUREAU\n").ok());
}

TEST(PolicyTest, CoverageCheckNamesEveryMissingMethod) {
  auto services = ServicesOf({"zhigai/registry/v1/registry.proto"});
  ASSERT_TRUE(services.ok());
  ASSERT_EQ(services->size(), 1u);
  auto partial = Policy::Parse("zhigai.registry.v1.RegistryService/GetInstitution PUBLIC\n");
  absl::Status s = partial->CheckCovers(*services);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("zhigai.registry.v1.RegistryService/LiftSanction"), std::string::npos);
  EXPECT_EQ(s.message().find("GetInstitution,"), std::string::npos);
}

TEST(PolicyTest, ShippedPolicyCoversEveryLinkedService) {
  auto policy = Policy::Load(ZHIGAI_GATEWAY_POLICY);
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto services = ServicesOf(LinkedProtoFiles());
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_GE(services->size(), 1u);
  EXPECT_TRUE(policy->CheckCovers(*services).ok()) << policy->CheckCovers(*services);
}

// The registry's public surface is exactly what DESIGN.md and the handlers make public.
TEST(PolicyTest, ShippedPolicyOpensOnlyPublishedRegistryDataToPublic) {
  auto policy = *Policy::Load(ZHIGAI_GATEWAY_POLICY);
  std::vector<std::string> public_methods;
  for (const auto& m : policy.Methods()) {
    if (absl::StartsWith(m, "/zhigai.registry.") && policy.Allows(m, Role::kPublic)) {
      public_methods.push_back(m);
    }
  }
  EXPECT_EQ(public_methods,
            (std::vector<std::string>{"/zhigai.registry.v1.RegistryService/GetInstitution",
                                      "/zhigai.registry.v1.RegistryService/ListCountyFilings",
                                      "/zhigai.registry.v1.RegistryService/ListDirectoryEntries",
                                      "/zhigai.registry.v1.RegistryService/ListPublicChanges",
                                      "/zhigai.registry.v1.RegistryService/WatchPublicChanges"}));
  const std::string r = "/zhigai.registry.v1.RegistryService/";
  EXPECT_EQ(policy.RolesFor(r + "LiftSanction"), RoleBit(Role::kCityBureau));
  // Only the services' outboxes feed the public feed; no outside caller may.
  EXPECT_EQ(policy.RolesFor(r + "RecordPublicChange"), 0u);
  EXPECT_EQ(policy.RolesFor(r + "FileCountyList"), RoleBit(Role::kCountyBureau));
  EXPECT_EQ(policy.RolesFor(r + "UpdateDirectoryEntry"),
            RoleBit(Role::kCityBureau) | RoleBit(Role::kCountyBureau));
}

}  // namespace
}  // namespace zhigai::gateway
