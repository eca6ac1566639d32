#include "libs/db/clock_table.h"

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/db/params.h"

namespace zhigai::db {
namespace {

// Times travel as Unix microseconds: no time zone or text format between C++ and SQL.
constexpr char kNowUs[] = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint";

constexpr Statement kRead{
    "clock.read",
    "SELECT generation, offset_us, business_us, wall_us, set_by FROM zhigai_clock.setting"
    " WHERE id = 1"};
constexpr Statement kSchemaExists{"clock.exists",
                                  "SELECT to_regclass('zhigai_clock.setting') IS NOT NULL"};
constexpr Statement kReport{
    "clock.report",
    "INSERT INTO zhigai_clock.followers (service, instance, generation, seen_at)"
    " VALUES ($1, $2, $3, clock_timestamp()) ON CONFLICT (service, instance) DO UPDATE"
    " SET generation = EXCLUDED.generation, seen_at = EXCLUDED.seen_at"};
constexpr Statement kFollowers{
    "clock.followers",
    "SELECT service, instance, generation,"
    " (extract(epoch FROM seen_at) * 1000000)::bigint FROM zhigai_clock.followers"
    " WHERE seen_at > clock_timestamp() - make_interval(secs => $1::float8)"
    " ORDER BY service, instance"};

bool IsPlainIdentifier(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return !(s[0] >= '0' && s[0] <= '9');
}

ClockSetting SettingOf(const Result& r) {
  ClockSetting s;
  s.generation = r.Int64(0, 0);
  s.offset = absl::Microseconds(r.Int64(0, 1));
  s.business_at = absl::FromUnixMicros(r.Int64(0, 2));
  s.wall_at = absl::FromUnixMicros(r.Int64(0, 3));
  s.set_by = r.String(0, 4);
  return s;
}

}  // namespace

absl::Status ProvisionClock(Connection& admin, const std::string& role) {
  if (!IsPlainIdentifier(role)) {
    return absl::InvalidArgumentError(absl::StrCat("role must be a lower-case identifier: ", role));
  }
  // Provisioners take turns (see ProvisionServiceSchema): CREATE ... IF NOT EXISTS races.
  if (auto s = admin.ExecScript("SELECT pg_advisory_lock(hashtext('zhigai.provision'))"); !s.ok()) {
    return s;
  }
  absl::Status result = admin.ExecScript(
      absl::StrCat("CREATE SCHEMA IF NOT EXISTS zhigai_clock;\n"
                   // One row: the setting in force. Its generation counts the settings made.
                   "CREATE TABLE IF NOT EXISTS zhigai_clock.setting (\n"
                   "  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),\n"
                   "  generation bigint NOT NULL CHECK (generation > 0),\n"
                   "  offset_us bigint NOT NULL,\n"
                   "  business_us bigint NOT NULL,\n"
                   "  wall_us bigint NOT NULL,\n"
                   "  set_by text NOT NULL);\n"
                   // Every setting ever made, for whoever asks later why a date was what it was.
                   "CREATE TABLE IF NOT EXISTS zhigai_clock.history (\n"
                   "  generation bigint PRIMARY KEY,\n"
                   "  offset_us bigint NOT NULL,\n"
                   "  business_us bigint NOT NULL,\n"
                   "  wall_us bigint NOT NULL,\n"
                   "  set_by text NOT NULL);\n"
                   "CREATE TABLE IF NOT EXISTS zhigai_clock.followers (\n"
                   "  service text NOT NULL,\n"
                   "  instance text NOT NULL,\n"
                   "  generation bigint NOT NULL,\n"
                   "  seen_at timestamptz NOT NULL,\n"
                   "  PRIMARY KEY (service, instance));\n"
                   "REVOKE ALL ON SCHEMA zhigai_clock FROM PUBLIC;\n"
                   "GRANT USAGE ON SCHEMA zhigai_clock TO ",
                   role,
                   ";\n"
                   "GRANT SELECT ON zhigai_clock.setting TO ",
                   role,
                   ";\n"
                   "GRANT SELECT, INSERT, UPDATE ON zhigai_clock.followers TO ",
                   role, ";\n"));
  (void)admin.ExecScript("SELECT pg_advisory_unlock(hashtext('zhigai.provision'))");
  return result;
}

absl::StatusOr<ClockReading> ReadClock(Connection& conn) {
  ClockReading out;
  auto exists = conn.Exec(kSchemaExists);
  if (!exists.ok()) return exists.status();
  out.exists = exists->Bool(0, 0);
  if (!out.exists) return out;
  ASSIGN_OR_RETURN(auto r, conn.Exec(kRead));
  if (r.rows() == 1) out.setting = SettingOf(r);
  return out;
}

absl::StatusOr<ClockSetting> SetBusinessTime(Connection& admin, const ClockChange& change) {
  if (change.to.has_value() == change.by.has_value()) {
    return absl::InvalidArgumentError("give either the business time to set or a duration");
  }
  if (change.by && *change.by < absl::ZeroDuration()) {
    return RuleViolation("BUSINESS_TIME_BACKWARDS", "CLOCK",
                         "the business clock only moves forward: the duration is negative",
                         "业务时钟只能向前调整");
  }
  if (change.set_by.empty()) return absl::InvalidArgumentError("say who sets the clock");
  RETURN_IF_ERROR(admin.ExecScript("BEGIN"));
  auto rollback = [&](absl::Status s) {
    (void)admin.ExecScript("ROLLBACK");
    return s;
  };
  // The row lock orders concurrent operators; the first setting locks the table instead.
  if (auto s = admin.ExecScript("LOCK TABLE zhigai_clock.setting IN EXCLUSIVE MODE"); !s.ok()) {
    return rollback(s);
  }
  auto current = admin.QueryScript(absl::StrCat("SELECT generation, offset_us, ", kNowUs,
                                                " FROM zhigai_clock.setting WHERE id = 1"));
  if (!current.ok()) return rollback(current.status());
  const bool first = current->rows() == 0;
  auto wall_now = admin.QueryScript(absl::StrCat("SELECT ", kNowUs));
  if (!wall_now.ok()) return rollback(wall_now.status());
  const int64_t now_us = wall_now->Int64(0, 0);
  const int64_t generation = first ? 0 : current->Int64(0, 0);
  const int64_t business_now_us = now_us + (first ? 0 : current->Int64(0, 1));
  const int64_t target_us = change.to ? absl::ToUnixMicros(*change.to)
                                      : business_now_us + absl::ToInt64Microseconds(*change.by);
  if (!first && target_us < business_now_us) {
    return rollback(RuleViolation(
        "BUSINESS_TIME_BACKWARDS", "CLOCK",
        absl::StrCat("the business clock only moves forward: it reads ",
                     absl::FormatTime(absl::RFC3339_sec, absl::FromUnixMicros(business_now_us),
                                      absl::FixedTimeZone(8 * 3600)),
                     " and cannot be set back to ",
                     absl::FormatTime(absl::RFC3339_sec, absl::FromUnixMicros(target_us),
                                      absl::FixedTimeZone(8 * 3600))),
        "业务时钟只能向前调整"));
  }
  ClockSetting next;
  next.generation = generation + 1;
  next.offset = absl::Microseconds(target_us - now_us);
  next.business_at = absl::FromUnixMicros(target_us);
  next.wall_at = absl::FromUnixMicros(now_us);
  next.set_by = change.set_by;
  const Params values = {next.generation, target_us - now_us, target_us, now_us, change.set_by};
  static constexpr Statement kUpsert{
      "clock.upsert",
      "INSERT INTO zhigai_clock.setting (id, generation, offset_us, business_us, wall_us, set_by)"
      " VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET"
      " generation = EXCLUDED.generation, offset_us = EXCLUDED.offset_us,"
      " business_us = EXCLUDED.business_us, wall_us = EXCLUDED.wall_us, set_by = EXCLUDED.set_by"};
  static constexpr Statement kHistory{
      "clock.history",
      "INSERT INTO zhigai_clock.history (generation, offset_us, business_us, wall_us, set_by)"
      " VALUES ($1, $2, $3, $4, $5)"};
  static constexpr Statement kNotify{"clock.notify", "SELECT pg_notify($1, $2)"};
  for (const Statement* st : {&kUpsert, &kHistory}) {
    if (auto r = admin.Exec(*st, values); !r.ok()) return rollback(r.status());
  }
  if (auto r = admin.Exec(kNotify, {kClockChannel, absl::StrCat(next.generation)}); !r.ok()) {
    return rollback(r.status());
  }
  RETURN_IF_ERROR(admin.ExecScript("COMMIT"));
  return next;
}

absl::Status ReportFollower(Connection& conn, const std::string& service,
                            const std::string& instance, int64_t generation) {
  return conn.Exec(kReport, {service, instance, generation}).status();
}

absl::StatusOr<std::vector<Follower>> ListFollowers(Connection& admin, absl::Duration live_within) {
  ASSIGN_OR_RETURN(auto r,
                   admin.Exec(kFollowers, {absl::StrCat(absl::ToDoubleSeconds(live_within))}));
  std::vector<Follower> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(
        {r.String(i, 0), r.String(i, 1), r.Int64(i, 2), absl::FromUnixMicros(r.Int64(i, 3))});
  }
  return out;
}

}  // namespace zhigai::db
