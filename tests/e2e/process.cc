#include "tests/e2e/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"

namespace zhigai::e2e {

namespace {

int EphemeralLow() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  return in >> low && low > 10000 ? low : 32768;
}

bool Bindable(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

// Below the kernel's ephemeral range, as tests/acceptance/stack.py does and for the same
// reason: a port bind(0) hands out can be taken as the local port of an outgoing connection
// before the service under test binds it. A per-process slice keeps parallel tests apart.
int FreePort() {
  static std::mutex mu;
  static std::set<int> handed_out;
  std::lock_guard<std::mutex> lock(mu);
  const int low = 10000, high = EphemeralLow() - 1;
  const int slots = std::max(1, (high - low) / 64);
  const int base = low + static_cast<int>(getpid() % slots) * 64;
  auto take = [&](int port) {
    if (handed_out.count(port) || !Bindable(port)) return false;
    handed_out.insert(port);
    return true;
  };
  for (int port = base; port < std::min(base + 64, high); ++port) {
    if (take(port)) return port;
  }
  for (int port = low; port < high; ++port) {
    if (take(port)) return port;
  }
  return 0;
}

namespace {
pid_t Spawn(const std::string& binary, const std::map<std::string, std::string>& env,
            const std::vector<std::string>& args, const std::string& log_path) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 1);
  dup2(fd, 2);
  std::vector<std::string> env_strings{"PATH=/usr/bin:/bin"};
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  for (char** e = environ; *e; ++e) {
    // gRPC's own switches (GRPC_TRACE, GRPC_VERBOSITY) reach the child for debugging.
    if (strncmp(*e, "GRPC_", 5) == 0) env_strings.push_back(*e);
  }
  std::vector<char*> envp, argv{const_cast<char*>(binary.c_str())};
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execve(binary.c_str(), argv.data(), envp.data());
  _exit(127);
}

int WaitExit(pid_t pid, int wait_seconds) {
  for (int i = 0; i < wait_seconds * 20; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

ServiceProcess::ServiceProcess(std::string binary, std::map<std::string, std::string> env,
                               std::vector<std::string> args, std::string log_path)
    : log_path_(std::move(log_path)) {
  pid_ = Spawn(binary, env, args, log_path_);
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) Kill();
}

int ServiceProcess::Terminate(int wait_seconds) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int code = WaitExit(pid_, wait_seconds);
  if (code != -1) pid_ = -1;
  return code;
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  WaitExit(pid_, 10);
  pid_ = -1;
}

std::string ServiceProcess::Log() const { return ReadFile(log_path_); }

int RunToExit(const std::string& binary, const std::map<std::string, std::string>& env,
              const std::vector<std::string>& args, std::string* output) {
  std::string log = "/tmp/zhigai-e2e-run-" + std::to_string(getpid()) + ".log";
  pid_t pid = Spawn(binary, env, args, log);
  int code = WaitExit(pid, 60);
  if (output) *output = ReadFile(log);
  unlink(log.c_str());
  return code;
}

std::string HealthStatus(const std::string& target, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  if (!s.ok()) return s.error_message();
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
}

bool WaitServing(const std::string& target, const std::string& service, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (HealthStatus(target, service) == "SERVING") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

}  // namespace zhigai::e2e
