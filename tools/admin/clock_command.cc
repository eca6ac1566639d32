#include "tools/admin/clock_command.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/core/errors.h"
#include "libs/db/clock_table.h"

namespace zhigai::admin {
namespace {

const absl::TimeZone kWenzhou = absl::FixedTimeZone(8 * 3600);

int Usage() {
  std::fprintf(stderr,
               "usage:\n"
               "  zhigai-admin clock show --admin <conninfo>\n"
               "  zhigai-admin clock set --admin <conninfo> --to <time> [--as <who>] "
               "[--expect <n>] [--wait <s>]\n"
               "  zhigai-admin clock advance --admin <conninfo> --by <duration> [--as <who>] "
               "[--expect <n>] [--wait <s>]\n"
               "<time>: 2026-03-02 (09:00 in Wenzhou), 2026-03-02T14:30 (Wenzhou), or RFC 3339 "
               "with an offset; <duration>: 90m, 36h, 14d\n"
               "set and advance return once every live service follows the new time; --expect n "
               "also waits until at least n processes do\n");
  return 2;
}

std::string Arg(const std::vector<std::string>& args, const std::string& flag) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag) return args[i + 1];
  }
  return "";
}

std::string Show(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, kWenzhou); }

bool ParseTime(const std::string& text, absl::Time* out) {
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, text, out, &err)) return true;
  if (absl::ParseTime("%Y-%m-%dT%H:%M", text, kWenzhou, out, &err)) return true;
  absl::Time day;
  if (absl::ParseTime("%Y-%m-%d", text, kWenzhou, &day, &err)) {
    *out = day + absl::Hours(9);
    return true;
  }
  return false;
}

bool ParseDuration(const std::string& text, absl::Duration* out) {
  if (text.size() >= 2 && text.back() == 'd') {
    int64_t days = 0;
    if (!absl::SimpleAtoi(text.substr(0, text.size() - 1), &days)) return false;
    *out = absl::Hours(24 * days);
    return true;
  }
  return absl::ParseDuration(text, out);
}

// Waits until every process that reported lately runs `generation`, and at least `expect`
// of them do. Prints who lags when it gives up.
bool WaitForFollowers(db::Connection& conn, int64_t generation, int expect, int wait_seconds,
                      int* following) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  std::string lagging;
  do {
    auto live = db::ListFollowers(conn, absl::Seconds(5));
    if (live.ok()) {
      int on = 0;
      lagging.clear();
      for (const db::Follower& f : *live) {
        if (f.generation >= generation) {
          ++on;
        } else {
          absl::StrAppend(&lagging, " ", f.service, "@", f.instance);
        }
      }
      *following = on;
      if (lagging.empty() && on >= expect) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  std::fprintf(stderr,
               "clock: after %ds, %d process(es) follow generation %lld (expected %d)%s%s\n",
               wait_seconds, *following, static_cast<long long>(generation), expect,
               lagging.empty() ? "" : "; still behind:", lagging.c_str());
  return false;
}

}  // namespace

int ClockCommand(const std::vector<std::string>& args) {
  if (args.size() < 2) return Usage();
  const std::string verb = args[1], admin = Arg(args, "--admin");
  if (admin.empty()) return Usage();
  auto conn = db::Connection::Open(admin);
  if (!conn.ok()) {
    std::fprintf(stderr, "clock: %s\n", std::string(conn.status().message()).c_str());
    return 1;
  }
  if (verb == "show") {
    auto reading = db::ReadClock(**conn);
    if (!reading.ok()) {
      std::fprintf(stderr, "clock: %s\n", std::string(reading.status().message()).c_str());
      return 1;
    }
    if (!reading->exists) {
      std::printf(
          "no settable business clock in this database (services run on the system "
          "clock)\n");
      return 0;
    }
    const db::ClockSetting& s = reading->setting;
    if (s.generation == 0) {
      std::printf("business time %s (never set: follows the wall clock), generation 0\n",
                  Show(absl::Now()).c_str());
    } else {
      std::printf("business time %s, generation %lld (set to %s at wall time %s by %s)\n",
                  Show(absl::Now() + s.offset).c_str(), static_cast<long long>(s.generation),
                  Show(s.business_at).c_str(), Show(s.wall_at).c_str(), s.set_by.c_str());
    }
    auto live = db::ListFollowers(**conn, absl::Seconds(5));
    if (live.ok()) {
      for (const db::Follower& f : *live) {
        std::printf("  %-10s %-28s generation %lld\n", f.service.c_str(), f.instance.c_str(),
                    static_cast<long long>(f.generation));
      }
    }
    return 0;
  }
  db::ClockChange change;
  change.set_by = Arg(args, "--as");
  if (change.set_by.empty()) change.set_by = "zhigai-admin";
  if (verb == "set") {
    absl::Time to;
    if (!ParseTime(Arg(args, "--to"), &to)) return Usage();
    change.to = to;
  } else if (verb == "advance") {
    absl::Duration by;
    if (!ParseDuration(Arg(args, "--by"), &by)) return Usage();
    change.by = by;
  } else {
    return Usage();
  }
  int expect = 0, wait_seconds = 10;
  if (std::string e = Arg(args, "--expect"); !e.empty() && !absl::SimpleAtoi(e, &expect)) {
    return Usage();
  }
  if (std::string w = Arg(args, "--wait"); !w.empty() && !absl::SimpleAtoi(w, &wait_seconds)) {
    return Usage();
  }
  auto set = db::SetBusinessTime(**conn, change);
  if (!set.ok()) {
    const std::string reason = ReasonOf(set.status());
    std::fprintf(stderr, "clock: %s%s%s\n", reason.empty() ? "" : reason.c_str(),
                 reason.empty() ? "" : ": ", std::string(set.status().message()).c_str());
    return reason == "BUSINESS_TIME_BACKWARDS" ? 3 : 1;
  }
  int following = 0;
  const bool agreed = WaitForFollowers(**conn, set->generation, expect, wait_seconds, &following);
  std::printf("%s generation %lld followers %d\n", Show(set->business_at).c_str(),
              static_cast<long long>(set->generation), following);
  return agreed ? 0 : 4;
}

}  // namespace zhigai::admin
