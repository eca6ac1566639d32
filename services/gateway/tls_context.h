// The gateway's TLS server context (OpenSSL): its certificate, HTTP/2 by ALPN as gRPC requires,
// and when a client CA is given, client certificates requested and verified but not required
// (browsers and token holders have none).
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace zhigai::gateway {

struct TlsOptions;

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const;
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

absl::StatusOr<SslCtxPtr> NewServerTlsContext(const TlsOptions& tls);

// The earliest notAfter of the certificates in a PEM bundle: a chain stops working when its
// first certificate expires. INVALID_ARGUMENT when the bundle holds no certificate.
absl::StatusOr<absl::Time> EarliestNotAfter(absl::string_view pem);

}  // namespace zhigai::gateway
