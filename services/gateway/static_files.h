// The public pages (services/gateway/public/): read-only static files that the HTTP/JSON
// server answers GET and HEAD with. The folder is read once at start into memory, so a request
// never touches the disk and no URL can reach a file outside it (only the names found at start
// exist). Every answer carries its content type, an ETag and "Cache-Control: no-cache": the
// files have no fingerprinted names (no build step), so browsers revalidate and get 304.
#pragma once

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

struct mg_connection;

namespace zhigai::gateway {

class StaticFiles {
 public:
  struct File {
    std::string content_type;
    std::string etag;  // quoted, as sent
    std::string body;
  };

  // Reads every file of `dir` (and its sub-folders) whose type is known; an error when the
  // folder cannot be read or holds no index.html.
  static absl::StatusOr<std::unique_ptr<StaticFiles>> Load(const std::string& dir);

  // The file for a URL path ("/" and "/x/" mean index.html), or nullptr.
  const File* Find(const std::string& url_path) const;

  // Answers a GET or HEAD; returns the HTTP status sent.
  int Serve(mg_connection* conn, const std::string& url_path, bool head,
            const std::string& request_id) const;

  size_t size() const { return files_.size(); }

 private:
  absl::flat_hash_map<std::string, File> files_;  // by URL path ("/index.html")
};

// The content type of a file name by its extension; empty when the type is not served.
std::string ContentTypeOf(const std::string& name);

}  // namespace zhigai::gateway
