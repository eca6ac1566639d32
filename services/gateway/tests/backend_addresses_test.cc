// Backend addresses are resolved off the event loops; a worker only picks from the answer.
#include "services/gateway/backend_addresses.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <set>

namespace zhigai::gateway {
namespace {

TEST(BackendAddresses, NumericAndNamedAddressesResolveBeforeTheFirstPick) {
  BackendAddresses addresses({"127.0.0.1:7101", "[::1]:7102", "localhost:7103"});
  auto v4 = addresses.Pick("127.0.0.1:7101");
  ASSERT_TRUE(v4.ok()) << v4.status();
  ASSERT_EQ(v4->storage.ss_family, AF_INET);
  const auto* in = reinterpret_cast<const sockaddr_in*>(&v4->storage);
  EXPECT_EQ(ntohs(in->sin_port), 7101);
  EXPECT_EQ(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
  auto v6 = addresses.Pick("[::1]:7102");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->storage.ss_family, AF_INET6);
  EXPECT_TRUE(addresses.Pick("localhost:7103").ok());
}

TEST(BackendAddresses, UnresolvableAndMalformedAddressesAreUnavailableWithTheReason) {
  BackendAddresses addresses({"no-such-backend.invalid:7101", "registry"});
  auto unknown = addresses.Pick("no-such-backend.invalid:7101");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(unknown.status().message().find("cannot resolve no-such-backend.invalid:7101"),
            std::string::npos)
      << unknown.status();
  auto no_port = addresses.Pick("registry");
  EXPECT_EQ(no_port.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(no_port.status().message().find("has no port"), std::string::npos);
  EXPECT_EQ(addresses.Pick("never-configured:1").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace zhigai::gateway
