// A closed-loop load driver: `in_flight` workers each issue one call, wait for it, and issue the
// next, for a fixed duration; latencies of every call are kept for exact percentiles. ghz is not
// available here, so every benchmark of the project uses this one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace zhigai::bench {

struct LoadResult {
  int64_t calls = 0;
  int64_t errors = 0;
  double seconds = 0;
  double qps = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
};

// `call(worker, i)` performs one call and returns true on success. Stops after `duration` or
// `max_calls` (0 = unlimited), whichever comes first.
LoadResult RunClosedLoop(int in_flight, absl::Duration duration,
                         const std::function<bool(int worker, int64_t i)>& call,
                         int64_t max_calls = 0);

// The same with asynchronous calls (gRPC's callback API): `start(slot, i, done)` begins one
// call and arranges for done(ok) to run when it completes; the driver issues the slot's next
// call from there. Costs far fewer client threads than one blocking thread per call in flight,
// so more of the machine is left to the server under test.
using AsyncStart = std::function<void(int slot, int64_t i, std::function<void(bool)> done)>;
LoadResult RunClosedLoopAsync(int in_flight, absl::Duration duration, const AsyncStart& start,
                              int64_t max_calls = 0);

std::string FormatRow(const std::string& name, const LoadResult& r);
std::string TableHeader();

// Resident set size of a process in KiB (VmRSS) and its peak (VmHWM); 0 when unknown.
int64_t RssKib(int pid);
int64_t PeakRssKib(int pid);
// User + system CPU the process has used so far: CPU per call is steadier than QPS on a
// shared machine, because it does not depend on how much of the cores the process was given.
double CpuSeconds(int pid);

// Pins every thread of process `pid` (0: this process) to the given CPUs; threads it starts
// later inherit the mask. An empty list means every CPU the machine has. False if a thread
// could not be pinned (it may have exited meanwhile; the caller decides whether that matters).
bool PinProcess(int pid, const std::vector<int>& cpus);
// CPUs this machine lets the process run on.
int OnlineCpus();

}  // namespace zhigai::bench
