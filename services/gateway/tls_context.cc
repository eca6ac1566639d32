#include "services/gateway/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/gateway/gateway.h"

namespace zhigai::gateway {
namespace {

absl::Status TlsError(absl::string_view what) {
  char reason[200] = "";
  ERR_error_string_n(ERR_get_error(), reason, sizeof(reason));
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", reason));
}

// gRPC speaks HTTP/2 only: a client that does not offer "h2" is refused at the handshake.
int SelectH2(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
             unsigned int inlen, void*) {
  for (unsigned int i = 0; i < inlen;) {
    unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == 2 && std::memcmp(in + i + 1, "h2", 2) == 0) {
      *out = in + i + 1;
      *outlen = 2;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

}  // namespace

void SslCtxFree::operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }

absl::StatusOr<absl::Time> EarliestNotAfter(absl::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return TlsError("certificate bundle");
  absl::Time earliest = absl::InfiniteFuture();
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    struct tm not_after {};
    const int converted = ASN1_TIME_to_tm(X509_get0_notAfter(cert), &not_after);
    X509_free(cert);
    if (converted != 1) return TlsError("certificate notAfter");
    earliest = std::min(earliest, absl::FromTM(not_after, absl::UTCTimeZone()));
    ++count;
  }
  ERR_clear_error();  // the end of the bundle reads as an error
  if (count == 0) return absl::InvalidArgumentError("the PEM bundle holds no certificate");
  return earliest;
}

absl::StatusOr<SslCtxPtr> NewServerTlsContext(const TlsOptions& tls) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return TlsError("TLS context");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  std::unique_ptr<BIO, decltype(&BIO_free)> chain(
      BIO_new_mem_buf(tls.cert_pem.data(), static_cast<int>(tls.cert_pem.size())), BIO_free);
  X509* leaf = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr);
  if (!leaf) return TlsError("--tls_cert_file holds no PEM certificate");
  int used = SSL_CTX_use_certificate(ctx.get(), leaf);
  X509_free(leaf);
  if (used != 1) return TlsError("--tls_cert_file");
  while (X509* extra = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr)) {
    SSL_CTX_add_extra_chain_cert(ctx.get(), extra);  // takes ownership
  }
  ERR_clear_error();  // the end of the chain reads as an error

  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
      BIO_new_mem_buf(tls.key_pem.data(), static_cast<int>(tls.key_pem.size())), BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  if (!key) return TlsError("--tls_key_file holds no PEM private key");
  used = SSL_CTX_use_PrivateKey(ctx.get(), key);
  EVP_PKEY_free(key);
  if (used != 1 || SSL_CTX_check_private_key(ctx.get()) != 1) {
    return TlsError("--tls_key_file does not match --tls_cert_file");
  }

  if (!tls.client_ca_pem.empty()) {
    std::unique_ptr<BIO, decltype(&BIO_free)> ca_bio(
        BIO_new_mem_buf(tls.client_ca_pem.data(), static_cast<int>(tls.client_ca_pem.size())),
        BIO_free);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    int count = 0;
    while (X509* ca = PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, ca);
      sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
      X509_free(ca);
      ++count;
    }
    ERR_clear_error();
    if (count == 0) {
      sk_X509_NAME_pop_free(names, X509_NAME_free);
      return absl::InvalidArgumentError("--tls_client_ca_file holds no PEM certificate");
    }
    SSL_CTX_set_client_CA_list(ctx.get(), names);  // takes ownership
    // Asked for and verified when given; a caller without one is anonymous or uses a token.
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  SSL_CTX_set_alpn_select_cb(ctx.get(), SelectH2, nullptr);
  // Client certificates are verified: a resumed TLS 1.2 session must name its context, or
  // OpenSSL refuses the resumption as a fatal error.
  static constexpr unsigned char kSessionContext[] = "zhigai-gateway";
  SSL_CTX_set_session_id_context(ctx.get(), kSessionContext, sizeof(kSessionContext) - 1);
  return ctx;
}

}  // namespace zhigai::gateway
