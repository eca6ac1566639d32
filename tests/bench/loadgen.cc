#include "tests/bench/loadgen.h"

#include <dirent.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"

namespace zhigai::bench {

LoadResult Summarise(const std::vector<std::vector<float>>& latencies,
                     const std::vector<int64_t>& errors,
                     std::chrono::steady_clock::time_point start);

LoadResult RunClosedLoop(int in_flight, absl::Duration duration,
                         const std::function<bool(int, int64_t)>& call, int64_t max_calls) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> issued{0};
  std::vector<std::vector<float>> latencies(in_flight);
  std::vector<int64_t> errors(in_flight, 0);
  auto start = std::chrono::steady_clock::now();
  auto end = start + absl::ToChronoNanoseconds(duration);
  std::vector<std::thread> workers;
  for (int w = 0; w < in_flight; ++w) {
    workers.emplace_back([&, w] {
      latencies[w].reserve(1 << 16);
      while (!stop.load(std::memory_order_relaxed)) {
        int64_t i = issued.fetch_add(1);
        if (max_calls && i >= max_calls) break;
        auto t0 = std::chrono::steady_clock::now();
        bool ok = call(w, i);
        auto t1 = std::chrono::steady_clock::now();
        latencies[w].push_back(std::chrono::duration<float, std::milli>(t1 - t0).count());
        if (!ok) ++errors[w];
        if (t1 >= end) stop = true;
      }
    });
  }
  for (auto& t : workers) t.join();
  return Summarise(latencies, errors, start);
}

LoadResult RunClosedLoopAsync(int in_flight, absl::Duration duration, const AsyncStart& start_call,
                              int64_t max_calls) {
  std::vector<std::vector<float>> latencies(in_flight);
  std::vector<int64_t> errors(in_flight, 0);
  std::atomic<int64_t> issued{0};
  std::atomic<int> running{in_flight};
  std::mutex mu;
  std::condition_variable all_done;
  auto start = std::chrono::steady_clock::now();
  auto end = start + absl::ToChronoNanoseconds(duration);
  // Each slot runs its calls one after another; its vectors are touched by one call at a time.
  std::function<void(int)> issue = [&](int slot) {
    int64_t i = issued.fetch_add(1);
    if ((max_calls && i >= max_calls) || std::chrono::steady_clock::now() >= end) {
      if (running.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lock(mu);
        all_done.notify_all();
      }
      return;
    }
    auto t0 = std::chrono::steady_clock::now();
    start_call(slot, i, [&, slot, t0](bool ok) {
      auto t1 = std::chrono::steady_clock::now();
      latencies[slot].push_back(std::chrono::duration<float, std::milli>(t1 - t0).count());
      if (!ok) ++errors[slot];
      issue(slot);
    });
  };
  for (int slot = 0; slot < in_flight; ++slot) latencies[slot].reserve(1 << 16);
  for (int slot = 0; slot < in_flight; ++slot) issue(slot);
  std::unique_lock<std::mutex> lock(mu);
  all_done.wait(lock, [&] { return running.load() == 0; });
  return Summarise(latencies, errors, start);
}

LoadResult Summarise(const std::vector<std::vector<float>>& latencies,
                     const std::vector<int64_t>& errors,
                     std::chrono::steady_clock::time_point start) {
  int in_flight = static_cast<int>(latencies.size());
  LoadResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<float> all;
  for (int w = 0; w < in_flight; ++w) {
    all.insert(all.end(), latencies[w].begin(), latencies[w].end());
    r.errors += errors[w];
  }
  r.calls = static_cast<int64_t>(all.size());
  r.qps = r.calls / r.seconds;
  if (!all.empty()) {
    std::sort(all.begin(), all.end());
    auto at = [&](double q) { return all[std::min(all.size() - 1, size_t(q * all.size()))]; };
    r.p50_ms = at(0.50);
    r.p90_ms = at(0.90);
    r.p99_ms = at(0.99);
    r.max_ms = all.back();
  }
  return r;
}

std::string TableHeader() {
  return "| workload | calls | errors | QPS | p50 ms | p90 ms | p99 ms | max ms |\n"
         "|---|---:|---:|---:|---:|---:|---:|---:|\n";
}

std::string FormatRow(const std::string& name, const LoadResult& r) {
  return absl::StrFormat("| %s | %d | %d | %.0f | %.3f | %.3f | %.3f | %.1f |\n", name, r.calls,
                         r.errors, r.qps, r.p50_ms, r.p90_ms, r.p99_ms, r.max_ms);
}

namespace {
int64_t StatusField(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size()));
  }
  return 0;
}
}  // namespace

int64_t RssKib(int pid) { return StatusField(pid, "VmRSS:"); }
int64_t PeakRssKib(int pid) { return StatusField(pid, "VmHWM:"); }

double CpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which may hold spaces, start after its closing parenthesis.
  size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

bool PinProcess(int pid, const std::vector<int>& cpus) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (cpus.empty()) {
    for (int c = 0; c < OnlineCpus(); ++c) CPU_SET(c, &mask);
  } else {
    for (int c : cpus) CPU_SET(c, &mask);
  }
  // sched_setaffinity acts on one thread: walk the process's task list.
  const std::string tasks = pid == 0 ? "/proc/self/task" : "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(tasks.c_str());
  if (dir == nullptr) return false;
  bool all = true;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const pid_t tid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (sched_setaffinity(tid, sizeof(mask), &mask) != 0) all = false;
  }
  closedir(dir);
  return all;
}

int OnlineCpus() { return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)); }

}  // namespace zhigai::bench
