#include "services/gateway/tests/tokens.h"

#include <stdlib.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace zhigai::gateway::testing {

std::string TempDir() {
  std::string pattern = "/tmp/zhigai-gateway-test-XXXXXX";
  char* dir = mkdtemp(pattern.data());
  return dir ? std::string(dir) : std::string("/tmp");
}

bool MakeTestPki(const std::string& dir, const std::string& client_subject) {
  std::string script = absl::StrCat(
      "set -e; cd '", dir, "'\n",
      "gen() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $1.key "
      "-out $1.csr -subj \"$2\" 2>/dev/null; }\n",
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
      "-out ca.pem -subj '/CN=zhigai test CA' -days 1 2>/dev/null\n",
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogueca.key "
      "-out rogueca.pem -subj '/CN=rogue CA' -days 1 2>/dev/null\n",
      "gen server '/CN=localhost'\n",
      "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext\n",
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
      "-extfile san.ext -out server.pem 2>/dev/null\n",
      "gen client '", client_subject, "'\n",
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
      "-out client.pem 2>/dev/null\n",
      "gen rogue '", client_subject, "'\n",
      "openssl x509 -req -in rogue.csr -CA rogueca.pem -CAkey rogueca.key -CAcreateserial "
      "-days 1 -out rogue.pem 2>/dev/null\n");
  std::string path = dir + "/pki.sh";
  WriteFile(path, script);
  return std::system(absl::StrCat("bash '", path, "'").c_str()) == 0;
}

}  // namespace zhigai::gateway::testing
