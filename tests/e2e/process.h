// Starts a service binary as a child process for end-to-end tests, and stops it.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace zhigai::e2e {

int FreePort();

class ServiceProcess {
 public:
  // `env` is the child's whole environment (plus PATH); output goes to `log_path`.
  ServiceProcess(std::string binary, std::map<std::string, std::string> env,
                 std::vector<std::string> args, std::string log_path);
  ~ServiceProcess();
  // SIGTERM, then waits; returns the exit code (or 128+signal), -1 when it did not stop in time.
  int Terminate(int wait_seconds = 20);
  void Kill();
  pid_t pid() const { return pid_; }
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// Runs the binary to completion (settings errors, --migrate_only); returns its exit code.
int RunToExit(const std::string& binary, const std::map<std::string, std::string>& env,
              const std::vector<std::string>& args, std::string* output);

// Polls grpc.health.v1 until `service` reports SERVING or the timeout passes.
bool WaitServing(const std::string& target, const std::string& service, int timeout_ms);
// One health check: "SERVING", "NOT_SERVING", or the gRPC error text.
std::string HealthStatus(const std::string& target, const std::string& service);
// GET http://127.0.0.1:port/path and return the body ("" on failure).
std::string HttpGet(int port, const std::string& path);

}  // namespace zhigai::e2e
