#include "services/gateway/static_files.h"

#include <civetweb.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zhigai::gateway {
namespace {

namespace fs = std::filesystem;

// FNV-1a: the ETag only has to change when the bytes do.
std::string EtagOf(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return absl::StrFormat("\"%016x-%d\"", h, bytes.size());
}

void SendHeaders(mg_connection* conn, int status, const char* type, size_t length,
                 const std::string& request_id, const std::string& etag) {
  mg_response_header_start(conn, status);
  if (type) mg_response_header_add(conn, "Content-Type", type, -1);
  std::string len = absl::StrCat(length);
  mg_response_header_add(conn, "Content-Length", len.c_str(), -1);
  mg_response_header_add(conn, "X-Request-Id", request_id.c_str(), -1);
  mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
  // Pages only ever talk to the gateway that served them.
  mg_response_header_add(conn, "Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'", -1);
  mg_response_header_add(conn, "Referrer-Policy", "no-referrer", -1);
  if (!etag.empty()) {
    mg_response_header_add(conn, "ETag", etag.c_str(), -1);
    mg_response_header_add(conn, "Cache-Control", "no-cache", -1);
  } else {
    mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  }
  mg_response_header_send(conn);
}

}  // namespace

std::string ContentTypeOf(const std::string& name) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (absl::EndsWith(name, ext)) return type;
  }
  return "";
}

absl::StatusOr<std::unique_ptr<StaticFiles>> StaticFiles::Load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("--public_dir ", dir, " is not a folder"));
  }
  auto out = std::make_unique<StaticFiles>();
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string rel = fs::relative(it->path(), dir, ec).generic_string();
    std::string type = ContentTypeOf(rel);
    // Hidden files and unknown types (editor backups, notes) are never served.
    if (type.empty() || absl::StartsWith(rel, ".") || absl::StrContains(rel, "/.")) continue;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return absl::UnavailableError(absl::StrCat("cannot read ", it->path().string()));
    std::stringstream text;
    text << in.rdbuf();
    File f{type, "", text.str()};
    f.etag = EtagOf(f.body);
    out->files_[absl::StrCat("/", rel)] = std::move(f);
  }
  if (ec) return absl::UnavailableError(absl::StrCat("cannot list ", dir, ": ", ec.message()));
  if (!out->files_.contains("/index.html")) {
    return absl::NotFoundError(absl::StrCat("--public_dir ", dir, " has no index.html"));
  }
  return out;
}

const StaticFiles::File* StaticFiles::Find(const std::string& url_path) const {
  std::string path = url_path.empty() ? "/" : url_path;
  if (path.back() == '/') path += "index.html";
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

int StaticFiles::Serve(mg_connection* conn, const std::string& url_path, bool head,
                       const std::string& request_id) const {
  const File* f = Find(url_path);
  if (!f) {
    static const char kNotFound[] =
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>未找到 Not "
        "found</title><p>页面不存在 (page not found). <a href=\"/\">返回首页 Home</a></p></html>";
    SendHeaders(conn, 404, "text/html; charset=utf-8", sizeof(kNotFound) - 1, request_id, "");
    if (!head) mg_write(conn, kNotFound, sizeof(kNotFound) - 1);
    return 404;
  }
  const char* match = mg_get_header(conn, "If-None-Match");
  if (match && absl::StrContains(match, f->etag)) {
    SendHeaders(conn, 304, nullptr, 0, request_id, f->etag);
    return 304;
  }
  SendHeaders(conn, 200, f->content_type.c_str(), f->body.size(), request_id, f->etag);
  if (!head) mg_write(conn, f->body.data(), f->body.size());
  return 200;
}

}  // namespace zhigai::gateway
