// The script format of the frame-proxy fuzzer: how input bytes become what a client and a
// backend send the gateway. Read from the front, a byte at a time, so that seeds can be written
// by hand (make_seeds.py writes them in this format); a script that runs out reads zeros.
//
//   script  := opening record*
//   opening := mode:u8 ...   mode & 1: raw bytes (len:u8 bytes), no preface
//                            otherwise: preface, SETTINGS, HEADERS on stream 1 with
//                            path:u8 (an index into kPaths) then headers (END_STREAM if mode & 2)
//   record  := kind:u8 ...   kind % 8:
//     0/1  a raw frame to the client / backend side: type:u8 flags:u8 stream payload(u16 length)
//     2/3  a header block to the client / backend side: stream flags:u8 headers
//     4/5  a gRPC message in DATA to the client / backend side: stream end:u8 prefix:u8
//          payload(u8 length) — prefix & 1 sets the compressed flag, prefix & 2 lies about the
//          length
//     6    let the gateway run for (u8 % 4) ms, reading what it sends on both sides
//     7    u8 & 1: the backend closes its connection; otherwise the client half-closes
//   stream  := u8: 0..4 → 0, 1, 3, 5, 2; otherwise the next 4 bytes (reserved bit included)
//   headers := count:u8 (% 8) then per header name:u8 (an index into kNames; the last: a name
//              of u8 length follows) and value:u8 (< 192: a typical value of that name; else a
//              value of u8 length follows)
#pragma once

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace zhigai::fuzz::frame_proxy {

inline constexpr int kMaxRecords = 64;
inline constexpr uint8_t kData = 0x0, kHeaders = 0x1, kSettings = 0x4;
inline constexpr uint8_t kEndStream = 0x1, kEndHeaders = 0x4;
inline constexpr char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// What a client may call: answered by the gateway itself, forwarded to the harness's backend
// (registry), refused before any backend, or unknown.
inline constexpr std::array<const char*, 8> kPaths = {
    "/grpc.health.v1.Health/Check",
    "/zhigai.registry.v1.RegistryService/ListDirectoryEntries",  // PUBLIC, unary
    "/zhigai.registry.v1.RegistryService/WatchPublicChanges",    // PUBLIC, server streaming
    "/zhigai.registry.v1.RegistryService/ImposeSanction",        // needs a bureau's token
    "/grpc.health.v1.Health/Watch",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "/zhigai.nothing.v1.Nothing/Missing",
    "",
};

struct Name {
  const char* name;
  std::array<const char*, 3> values;  // typical values, chosen by the value byte
};
inline constexpr std::array<Name, 17> kNames = {{
    {":method", {"POST", "GET", "CONNECT"}},
    {":scheme", {"http", "https", "ftp"}},
    {":path",
     {"/grpc.health.v1.Health/Check", "/zhigai.registry.v1.RegistryService/ListDirectoryEntries",
      "*"}},
    {":authority", {"gateway", "", "a:b:c"}},
    {":status", {"200", "500", "1000"}},
    {"content-type", {"application/grpc", "application/grpc+proto", "text/html"}},
    {"te", {"trailers", "gzip", ""}},
    {"grpc-timeout", {"1S", "100u", "99999999H"}},
    {"grpc-status", {"0", "13", "99"}},
    {"grpc-message", {"why%20not", "%zz", ""}},
    {"grpc-encoding", {"identity", "gzip", "zstd"}},
    {"authorization", {"Bearer a.b.c", "Bearer ", "Basic eDp5"}},
    {"x-request-id", {"fuzz-request-1", "", "\x7f\x01"}},
    {"x-zhigai-principal", {"CITY_BUREAU", "SERVICE", ""}},
    {"x-zhigai-internal-proof", {"frame-proxy-fuzz", "", "guess"}},
    {"content-length", {"0", "5", "-1"}},
    {"", {"", "", ""}},  // a name that follows in the script
}};

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | Byte();
    return v;
  }
  std::string Bytes(size_t length) {
    size_t n = std::min(length, size_ - std::min(pos_, size_));
    std::string out(reinterpret_cast<const char*>(data_ + std::min(pos_, size_)), n);
    pos_ += n;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

inline std::string Frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
  std::string f(9, '\0');
  size_t n = std::min<size_t>(payload.size(), 0xffffff);
  f[0] = static_cast<char>(n >> 16);
  f[1] = static_cast<char>(n >> 8);
  f[2] = static_cast<char>(n);
  f[3] = static_cast<char>(type);
  f[4] = static_cast<char>(flags);
  for (int i = 0; i < 4; ++i) f[5 + i] = static_cast<char>(stream >> (24 - 8 * i));
  return f + payload.substr(0, n);
}

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// HPACK without the dynamic table, so that every block stands alone (each side's decoder sees
// blocks from different encoders).
inline std::string Hpack(const HeaderList& headers) {
  nghttp2_hd_deflater* deflater = nullptr;
  if (nghttp2_hd_deflate_new(&deflater, 0) != 0) return "";
  std::vector<nghttp2_nv> nv;
  for (const auto& [name, value] : headers) {
    nv.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                  reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                  value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  std::string out(nghttp2_hd_deflate_bound(deflater, nv.data(), nv.size()), '\0');
  ssize_t n = nghttp2_hd_deflate_hd(deflater, reinterpret_cast<uint8_t*>(out.data()), out.size(),
                                    nv.data(), nv.size());
  nghttp2_hd_deflate_del(deflater);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

inline HeaderList ReadHeaders(Reader& in) {
  HeaderList out;
  for (int count = in.Byte() % 8; count > 0; --count) {
    const Name& n = kNames[in.Byte() % kNames.size()];
    std::string name = *n.name ? n.name : in.Bytes(in.Byte());
    uint8_t v = in.Byte();
    std::string value = v < 192 ? n.values[v % n.values.size()] : in.Bytes(in.Byte());
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

inline uint32_t ReadStream(Reader& in) {
  static constexpr uint32_t kCommon[] = {0, 1, 3, 5, 2};
  uint8_t s = in.Byte();
  return s < 5 ? kCommon[s] : in.U32();
}

inline std::string Opening(Reader& in) {
  uint8_t mode = in.Byte();
  if (mode & 1) return in.Bytes(in.Byte());
  HeaderList headers = {{":method", "POST"},
                        {":scheme", "http"},
                        {":path", kPaths[in.Byte() % kPaths.size()]},
                        {":authority", "gateway"},
                        {"content-type", "application/grpc"},
                        {"te", "trailers"}};
  for (auto& h : ReadHeaders(in)) headers.push_back(std::move(h));
  uint8_t flags = kEndHeaders | ((mode & 2) ? kEndStream : 0);
  return std::string(kPreface) + Frame(kSettings, 0, 0, "") +
         Frame(kHeaders, flags, 1, Hpack(headers));
}

enum class Action { kToClientSide, kToBackendSide, kRun, kClientHalfCloses, kBackendCloses };

struct Record {
  Action action;
  std::string bytes;
  int milliseconds = 0;
};

inline Record NextRecord(Reader& in) {
  uint8_t kind = in.Byte() % 8;
  Action side = kind % 2 == 0 ? Action::kToClientSide : Action::kToBackendSide;
  switch (kind) {
    case 0:
    case 1: {
      uint8_t type = in.Byte();
      uint8_t flags = in.Byte();
      uint32_t stream = ReadStream(in);
      size_t length = static_cast<size_t>(in.Byte()) << 8 | in.Byte();
      return {side, Frame(type, flags, stream, in.Bytes(length))};
    }
    case 2:
    case 3: {
      uint32_t stream = ReadStream(in);
      uint8_t f = in.Byte();  // high bit: raw flags; otherwise END_HEADERS and maybe END_STREAM
      uint8_t flags = (f & 0x80) ? (f & 0x7f) : (kEndHeaders | (f & kEndStream));
      return {side, Frame(kHeaders, flags, stream, Hpack(ReadHeaders(in)))};
    }
    case 4:
    case 5: {
      uint32_t stream = ReadStream(in);
      uint8_t end = in.Byte() & kEndStream;
      uint8_t prefix = in.Byte();
      std::string message = in.Bytes(in.Byte());
      uint32_t said = (prefix & 2) ? (message.size() + (16u << 20)) : message.size();  // over 4 MiB
      std::string payload(1, static_cast<char>(prefix & 1));
      for (int i = 0; i < 4; ++i) payload += static_cast<char>(said >> (24 - 8 * i));
      return {side, Frame(kData, end, stream, payload + message)};
    }
    case 6:
      return {Action::kRun, "", in.Byte() % 4};
    default:
      return {(in.Byte() & 1) ? Action::kBackendCloses : Action::kClientHalfCloses, ""};
  }
}

}  // namespace zhigai::fuzz::frame_proxy
