// The test echo backend as a process (for the benchmark): listens on argv[1] until SIGTERM.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>

#include "services/gateway/tests/echo_backend.h"

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::string listen = argc > 1 ? argv[1] : "127.0.0.1:0";
  grpc::EnableDefaultHealthCheckService(true);  // so a launcher can wait until it serves
  zhigai::gateway::testing::EchoBackend backend(listen, /*quiet=*/true);
  std::printf("%d\n", backend.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  return 0;
}
