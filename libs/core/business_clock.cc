#include "libs/core/business_clock.h"

#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"

namespace zhigai::core {

absl::StatusOr<ClockMode> ParseClockMode(absl::string_view text) {
  if (text == "system") return ClockMode::kSystem;
  if (text == "settable") return ClockMode::kSettable;
  return absl::InvalidArgumentError(absl::StrCat(
      "--business_clock must be 'system' (production) or 'settable' (rehearsals), not '", text,
      "'"));
}

absl::string_view ClockModeName(ClockMode mode) {
  return mode == ClockMode::kSettable ? "settable" : "system";
}

absl::CivilDay BusinessClock::Today() const { return BusinessDayOf(Now()); }

bool BusinessClock::Apply(int64_t generation, absl::Duration offset) {
  if (mode_ != ClockMode::kSettable) return false;
  std::lock_guard<std::mutex> lock(apply_mu_);
  int64_t seen = generation_.load(std::memory_order_acquire);
  if (generation <= seen) return false;
  offset_us_.store(absl::ToInt64Microseconds(offset), std::memory_order_relaxed);
  generation_.store(generation, std::memory_order_release);
  return true;
}

namespace {
std::atomic<const BusinessClock*> g_process_clock{nullptr};
}  // namespace

void InstallProcessClock(const BusinessClock* clock) { g_process_clock.store(clock); }
const BusinessClock* ProcessClock() { return g_process_clock.load(); }
bool ProcessClockIsSettable() {
  const BusinessClock* c = ProcessClock();
  return c != nullptr && c->settable();
}

}  // namespace zhigai::core
