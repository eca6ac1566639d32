#include "services/registry/public_changes.h"

#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/db/params.h"
#include "libs/db/statement.h"
#include "libs/server/log.h"
#include "libs/wire/typed_time.h"

namespace zhigai::registry {
namespace {

using db::Param;
using db::Statement;

constexpr Statement kNextSequence{
    "registry.public_change_next",
    "UPDATE public_change_counter SET last_sequence = last_sequence + 1 RETURNING last_sequence"};
constexpr Statement kInsertChange{
    "registry.public_change_insert",
    "INSERT INTO public_changes (sequence, kind, change, at) VALUES ($1, $2, $3, $4)"};
constexpr Statement kNotifyChange{"registry.public_change_notify",
                                  "SELECT pg_notify('registry_public_changes', $1)"};

}  // namespace

absl::StatusOr<v1::PublicChange> AppendPublicChange(db::Connection& c, v1::PublicChange change,
                                                    absl::Time now) {
  ASSIGN_OR_RETURN(auto next, c.Exec(kNextSequence));
  const int64_t sequence = next.Int64(0, 0);
  change.set_sequence(sequence);
  *change.mutable_change_time() = wire::ToTimestamp(now);
  auto inserted = c.Exec(kInsertChange, {sequence, v1::PublicChangeKind_Name(change.kind()),
                                         Param::Bytes(change.SerializeAsString()),
                                         wire::TimestampText(change.change_time())});
  if (!inserted.ok()) return inserted.status();
  auto notified = c.Exec(kNotifyChange, {absl::StrCat(sequence)});
  if (!notified.ok()) return notified.status();
  return change;
}

PublicChangeHub::PublicChangeHub(Reader reader, size_t capacity)
    : reader_(std::move(reader)), capacity_(capacity) {}

PublicChangeHub::~PublicChangeHub() { Stop(); }

void PublicChangeHub::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { Pump(); });
}

void PublicChangeHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  grown_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PublicChangeHub::Bump() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    bumped_ = true;
  }
  wake_.notify_one();
}

absl::Status PublicChangeHub::PumpOnce() {
  int64_t after;
  {
    std::lock_guard<std::mutex> lock(mu_);
    after = tail_;
  }
  if (after < 0) {  // first read: start at the feed's end; older changes come from the table
    ASSIGN_OR_RETURN(auto end, reader_(0, 0));
    std::lock_guard<std::mutex> lock(mu_);
    tail_ = end.last_sequence;
    grown_.notify_all();
    return absl::OkStatus();
  }
  for (;;) {
    ASSIGN_OR_RETURN(auto page, reader_(after, 1000));
    if (page.changes.empty()) return absl::OkStatus();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& change : page.changes) {
        // The table is dense and read in order; anything else is a bug, never papered over.
        if (change.sequence() != tail_ + 1) {
          return absl::InternalError(absl::StrCat("public feed: expected sequence ", tail_ + 1,
                                                  ", read ", change.sequence()));
        }
        tail_ = change.sequence();
        recent_.push_back(std::move(change));
      }
      while (recent_.size() > capacity_) recent_.pop_front();
      after = tail_;
    }
    grown_.notify_all();
    if (page.changes.size() < 1000) return absl::OkStatus();
  }
}

void PublicChangeHub::Pump() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    bumped_ = false;
    lock.unlock();
    absl::Status s = PumpOnce();
    lock.lock();
    if (stop_) break;
    if (!s.ok()) {
      log::Warn("public feed not read; followers wait", {{"error", std::string(s.message())}});
      // The followers keep waiting; the next look is at most a second away.
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
      continue;
    }
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_ || bumped_; });
  }
}

PublicChangeHub::Outcome PublicChangeHub::Next(int64_t after, size_t max, absl::Duration timeout,
                                               std::vector<v1::PublicChange>* out) {
  std::unique_lock<std::mutex> lock(mu_);
  const bool arrived = grown_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                                       [&] { return stop_ || (tail_ >= 0 && tail_ > after); });
  if (stop_) return Outcome::kStopped;
  if (!arrived) return Outcome::kTimeout;
  const int64_t front = tail_ - static_cast<int64_t>(recent_.size()) + 1;  // first in memory
  if (after + 1 < front) return Outcome::kTooOld;
  for (size_t i = static_cast<size_t>(after + 1 - front); i < recent_.size() && out->size() < max;
       ++i) {
    out->push_back(recent_[i]);
  }
  return Outcome::kChanges;
}

}  // namespace zhigai::registry
