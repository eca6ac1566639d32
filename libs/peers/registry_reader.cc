#include "libs/peers/registry_reader.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/peers/peer_call.h"
#include "libs/wire/typed_time.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"

namespace zhigai::peers {

struct GrpcRegistryReader::Stub {
  std::unique_ptr<registry::v1::RegistryService::Stub> stub;
};

GrpcRegistryReader::GrpcRegistryReader(RegistryReaderOptions options)
    : options_(std::move(options)), stub_(std::make_unique<Stub>()) {
  stub_->stub = registry::v1::RegistryService::NewStub(
      grpc::CreateChannel(options_.address, grpc::InsecureChannelCredentials()));
}

GrpcRegistryReader::~GrpcRegistryReader() = default;

absl::Status GrpcRegistryReader::InstitutionExists(const std::string& code,
                                                   const std::string& field) {
  registry::v1::GetInstitutionRequest req;
  req.set_name(absl::StrCat("institutions/", code));
  registry::v1::Institution out;
  grpc::ClientContext ctx;
  PrepareCall(ctx, options_.service, options_.internal_proof, options_.timeout);
  grpc::Status status = stub_->stub->GetInstitution(&ctx, req, &out);
  if (status.ok()) return absl::OkStatus();
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return Error(absl::StatusCode::kNotFound, "INSTITUTION_NOT_REGISTERED",
                 absl::StrCat(field, ": no institution ", code, " is registered (R2.1)"),
                 absl::StrCat("未登记的服务机构：", code), "R2.1");
  }
  return FromPeer(status, "registry", "GetInstitution", "R2.1");
}

absl::StatusOr<std::vector<LiftedBarFact>> GrpcRegistryReader::LiftedBars(const std::string& code) {
  std::vector<LiftedBarFact> out;
  std::string token;
  do {
    registry::v1::ListSanctionsRequest req;
    req.set_credit_code(code);
    req.set_page_size(1000);
    req.set_page_token(token);
    registry::v1::ListSanctionsResponse resp;
    grpc::ClientContext ctx;
    PrepareCall(ctx, options_.service, options_.internal_proof, options_.timeout);
    grpc::Status status = stub_->stub->ListSanctions(&ctx, req, &resp);
    if (!status.ok()) return FromPeer(status, "registry", "ListSanctions", "R14.5");
    for (const auto& s : resp.sanctions()) {
      if (s.kind() != registry::v1::BAR || !s.lifted()) continue;
      auto start = wire::ParseDate(s.start_date(), "start_date");
      auto lifted =
          wire::ParseDate(s.has_lift_date() ? s.lift_date() : s.start_date(), "lift_date");
      if (!start.ok() || !lifted.ok()) {
        return FromPeer(grpc::Status(grpc::StatusCode::INTERNAL, "unreadable sanction dates"),
                        "registry", "ListSanctions", "R14.5");
      }
      out.push_back({*start, *lifted});
    }
    token = resp.next_page_token();
  } while (!token.empty());
  return out;
}

}  // namespace zhigai::peers
