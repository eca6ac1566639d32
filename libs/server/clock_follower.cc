#include "libs/server/clock_follower.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/db/clock_table.h"
#include "libs/server/log.h"
#include "libs/server/scraped_gauges.h"

namespace zhigai::server {
namespace {

std::string InstanceName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return absl::StrCat(host, ":", getpid());
}

}  // namespace

ClockFollower::ClockFollower(core::BusinessClock& clock, db::Pool& pool, std::string conninfo,
                             std::string service)
    : clock_(clock), pool_(pool), service_(std::move(service)), instance_(InstanceName()) {
  listener_ = std::make_unique<db::NotificationListener>(
      std::move(conninfo), db::kClockChannel,
      [this](const std::string&) {
        std::lock_guard<std::mutex> lock(mu_);
        poke_ = true;
        cv_.notify_all();
      },
      [this](bool connected) {
        // A setting made while the listener was away is caught by the next read.
        if (connected) {
          std::lock_guard<std::mutex> lock(mu_);
          poke_ = true;
          cv_.notify_all();
        }
      });
}

ClockFollower::~ClockFollower() { Stop(); }

void ClockFollower::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stop_) return;
    stop_ = false;
  }
  listener_->Start();
  thread_ = std::thread([this] { Loop(); });
}

void ClockFollower::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
    cv_.notify_all();
  }
  listener_->Stop();
  if (thread_.joinable()) thread_.join();
}

absl::Status ClockFollower::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

absl::Status ClockFollower::SyncOnce() {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  auto reading = db::ReadClock(*lease);
  if (!reading.ok()) return reading.status();
  if (!reading->exists) {
    return absl::FailedPreconditionError(
        "the settable business clock needs the zhigai_clock schema: provision this service's "
        "role with `zhigai-admin provision ... --business-clock`");
  }
  const db::ClockSetting& s = reading->setting;
  if (s.generation > 0 && clock_.Apply(s.generation, s.offset)) {
    log::Info("business clock set",
              {{"generation", absl::StrCat(s.generation)}, {"set_by", s.set_by}});
  }
  if (auto st = db::ReportFollower(*lease, service_, instance_, clock_.generation()); !st.ok()) {
    return st;
  }
  synced_ = true;
  return absl::OkStatus();
}

void ClockFollower::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    poke_ = false;
    lock.unlock();
    absl::Status s = SyncOnce();
    lock.lock();
    if (!s.ok() && last_error_.ok()) {
      log::Warn("business clock not read", {{"error", std::string(s.message())}});
    }
    last_error_ = s;
    cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_ || poke_; });
  }
}

std::shared_ptr<prometheus::Collectable> ClockMetrics(const core::BusinessClock& clock) {
  // Read from the clock itself at each scrape, so they can never disagree with it.
  return ScrapedGauges({
      OneValue("zhigai_business_clock_settable",
               "1 when this process runs a settable business clock (rehearsals; never production)",
               [&clock] { return clock.settable() ? 1 : 0; }),
      OneValue("zhigai_business_clock_generation",
               "the operator's setting the business clock runs on (0: never set)",
               [&clock] { return static_cast<double>(clock.generation()); }),
      OneValue("zhigai_business_clock_offset_seconds", "business time minus wall time, in seconds",
               [&clock] { return absl::ToDoubleSeconds(clock.offset()); }),
  });
}

}  // namespace zhigai::server
