#include "services/training/calendar_source.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "libs/server/log.h"

namespace zhigai::training {
namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The same refusal with the server's path replaced by the file's name (payloads kept).
absl::Status WithoutPath(const absl::Status& s, const std::string& path) {
  absl::Status out(s.code(), absl::StrReplaceAll(s.message(), {{path, BaseName(path)}}));
  s.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url,
                   absl::Cord(absl::StrReplaceAll(std::string(payload), {{path, BaseName(path)}})));
  });
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CalendarSource>> CalendarSource::Open(std::string path,
                                                                     absl::Duration check_every,
                                                                     Clock clock) {
  std::unique_ptr<CalendarSource> source(
      new CalendarSource(std::move(path), check_every, std::move(clock)));
  std::lock_guard<std::mutex> lock(source->mu_);
  const FileStamp stamp = source->Stamp();
  if (absl::Status s = source->LoadLocked(stamp); !s.ok()) return s;
  source->last_check_ = source->clock_();
  log::Info("calendar loaded",
            {{"path", source->path_}, {"years", absl::StrJoin(source->snapshot_.years, ",")}});
  return source;
}

CalendarSource::FileStamp CalendarSource::Stamp() const {
  FileStamp stamp;
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    stamp.exists = true;
    stamp.mtime = st.st_mtim;
    stamp.size = st.st_size;
    stamp.inode = st.st_ino;
  }
  return stamp;
}

absl::Status CalendarSource::LoadLocked(const FileStamp& stamp) {
  stamp_ = stamp;  // a refused file is not retried until it changes again
  auto loaded = calendar::WorkdayCalendar::Load(path_);
  if (!loaded.ok()) {
    log::Warn("calendar file not loaded",
              {{"path", path_}, {"error", std::string(loaded.status().message())}});
    return WithoutPath(loaded.status(), path_);
  }
  CalendarSnapshot next;
  next.calendar = std::make_shared<const calendar::WorkdayCalendar>(std::move(*loaded));
  next.path = path_;
  next.name = BaseName(path_);
  for (int y = next.calendar->first_year(); y <= next.calendar->last_year(); ++y) {
    if (next.calendar->HasYear(y)) next.years.push_back(y);
  }
  next.loaded_at = clock_();
  snapshot_ = std::move(next);
  return absl::OkStatus();
}

CalendarSnapshot CalendarSource::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_();
  if (now - last_check_ >= check_every_) {
    last_check_ = now;
    const FileStamp stamp = Stamp();
    if (!(stamp == stamp_)) {
      if (absl::Status s = LoadLocked(stamp); !s.ok()) {
        log::Warn("calendar file changed but does not load; keeping the calendar in use",
                  {{"path", path_}, {"error", std::string(s.message())}});
      } else {
        log::Info("calendar reloaded",
                  {{"path", path_}, {"years", absl::StrJoin(snapshot_.years, ",")}});
      }
    }
  }
  return snapshot_;
}

absl::StatusOr<CalendarSnapshot> CalendarSource::Reload() {
  std::lock_guard<std::mutex> lock(mu_);
  last_check_ = clock_();
  if (absl::Status s = LoadLocked(Stamp()); !s.ok()) return s;
  return snapshot_;
}

}  // namespace zhigai::training
