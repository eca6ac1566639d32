// The work-day calendar the service uses (R13.4), read from a file operators edit: the State
// Council publishes each year's arrangement about November of the year before, and the new
// year is added without a restart. RunService owns the signals, so instead of SIGHUP the file's
// modification time is looked at (at most once per `check_every`) and a changed file re-read;
// ReloadCalendar forces a re-read. A file that does not load is refused and the calendar in
// use stays, so a half-edited file never takes the service down.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/calendar/workday_calendar.h"

namespace zhigai::training {

struct CalendarSnapshot {
  std::shared_ptr<const calendar::WorkdayCalendar> calendar;
  std::string path;        // for the service's log only
  std::string name;        // the file's name: what clients are told (never a server path)
  std::vector<int> years;  // present in the file, ascending
  absl::Time loaded_at;
};

class CalendarSource {
 public:
  using Clock = std::function<absl::Time()>;

  // Loads the file now; a start with an unreadable or invalid calendar fails.
  static absl::StatusOr<std::unique_ptr<CalendarSource>> Open(std::string path,
                                                              absl::Duration check_every,
                                                              Clock clock);

  // The calendar in use, after re-reading the file if it changed since the last look and
  // `check_every` has passed. Never fails: a bad new file keeps the old calendar (logged).
  CalendarSnapshot Current();

  // Re-reads the file now. Errors (file missing or invalid) leave the calendar in use as is;
  // they name the file by its name and line, the full path going to the log only.
  absl::StatusOr<CalendarSnapshot> Reload();

 private:
  // The file behind the path: a Kubernetes ConfigMap update swaps a symlink to a newly written
  // file (new inode), an edit in place changes mtime or size; either is a change.
  struct FileStamp {
    bool exists = false;
    struct timespec mtime {};
    off_t size = 0;
    ino_t inode = 0;
    bool operator==(const FileStamp& o) const {
      return exists == o.exists && mtime.tv_sec == o.mtime.tv_sec &&
             mtime.tv_nsec == o.mtime.tv_nsec && size == o.size && inode == o.inode;
    }
  };

  CalendarSource(std::string path, absl::Duration check_every, Clock clock)
      : path_(std::move(path)), check_every_(check_every), clock_(std::move(clock)) {}
  FileStamp Stamp() const;
  // Loads the file; on success replaces the snapshot. Caller holds mu_.
  absl::Status LoadLocked(const FileStamp& stamp);

  const std::string path_;
  const absl::Duration check_every_;
  const Clock clock_;
  std::mutex mu_;
  CalendarSnapshot snapshot_;
  FileStamp stamp_;        // of the file last tried (loaded or refused)
  absl::Time last_check_;  // when the file's stamp was last looked at
};

}  // namespace zhigai::training
