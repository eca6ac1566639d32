#include "libs/server/idempotency.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <openssl/evp.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/db/idempotent.h"

namespace zhigai::server {
namespace {

// SHA-256 of the deterministic serialisation: equal messages give equal bytes whatever the
// order in which their map fields were filled.
std::string Fingerprint(const google::protobuf::Message& m) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&out);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), static_cast<size_t>(size)));
}

}  // namespace

std::string IdempotencyKey(const Call& call, const google::protobuf::Message& request,
                           absl::string_view id_field, bool scope_by_caller) {
  std::unique_ptr<google::protobuf::Message> body(request.New());
  body->CopyFrom(request);
  std::string id;
  if (const auto* field = body->GetDescriptor()->FindFieldByName(std::string(id_field))) {
    id = body->GetReflection()->GetString(*body, field);
    body->GetReflection()->ClearField(body.get(), field);
  }
  const std::string base = scope_by_caller
                               ? absl::StrCat(call.method, "|", call.principal.subject, "|", id)
                               : absl::StrCat(call.method, "|", id);
  return db::BindFingerprint(base, id_field, Fingerprint(*body));
}

std::string IdempotencyKey(const Call& call, absl::string_view id,
                           const google::protobuf::Message& body, absl::string_view id_field) {
  return db::BindFingerprint(absl::StrCat(call.method, "|", call.principal.subject, "|", id),
                             id_field, Fingerprint(body));
}

}  // namespace zhigai::server
