#include "services/registry/public_changes.h"

#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/db/params.h"
#include "libs/db/statement.h"

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
  auto next = c.Exec(kNextSequence);
  if (!next.ok()) return next.status();
  const int64_t sequence = next->Int64(0, 0);
  change.set_sequence(sequence);
  change.set_change_time(core::FormatTimestamp(now));
  auto inserted =
      c.Exec(kInsertChange, {sequence, v1::PublicChangeKind_Name(change.kind()),
                             Param::Bytes(change.SerializeAsString()), change.change_time()});
  if (!inserted.ok()) return inserted.status();
  auto notified = c.Exec(kNotifyChange, {absl::StrCat(sequence)});
  if (!notified.ok()) return notified.status();
  return change;
}

void PublicChangeSignal::Bump() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

uint64_t PublicChangeSignal::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

bool PublicChangeSignal::WaitPast(uint64_t seen, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] {
    return shut_down_ || generation_ > seen;
  }) && !shut_down_;
}

void PublicChangeSignal::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    shut_down_ = true;
  }
  cv_.notify_all();
}

bool PublicChangeSignal::shut_down() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shut_down_;
}

}  // namespace zhigai::registry
