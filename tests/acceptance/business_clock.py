"""The business clock of a rehearsal system, as a client script sees it.

The services of a rehearsal system (tools/zhigai up, the test stacks) run a settable business
clock (libs/core/business_clock.h): an operator moves the business time of the whole system
with `zhigai-admin clock set|advance`, which returns once every service follows it. This
module wraps that command for the year player, and says which years the work-day calendar
holds, so that a year is played only where its training rules can be decided (R13.4).

Business dates are Wenzhou dates (UTC+8 all year, no daylight saving)."""
import datetime
import os
import re
import subprocess

from child_env import child_env

WENZHOU = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")


class ClockBackwards(Exception):
    """The clock only moves forward (BUSINESS_TIME_BACKWARDS)."""


def calendar_years(data_dir):
    """The years data/cn-workdays.tsv holds: those with at least one row of the State
    Council's holiday notice. A year without rows is missing (CALENDAR_YEAR_MISSING)."""
    years = set()
    with open(os.path.join(data_dir, "cn-workdays.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            if line.strip():
                years.add(int(line[:4]))
    return sorted(years)


class BusinessClock:
    def __init__(self, admin_binary, admin_conninfo, followers=6):
        """`followers`: how many service processes must follow a setting before set()
        returns (the six services)."""
        self.admin, self.conninfo, self.followers = admin_binary, admin_conninfo, followers

    def _run(self, *args):
        return subprocess.run([self.admin, "clock", *args, "--admin", self.conninfo],
                              capture_output=True, text=True, env=child_env())

    def read(self):
        """(business time now, generation): generation 0 means never set (the wall clock)."""
        r = self._run("show")
        if r.returncode != 0:
            raise RuntimeError(f"zhigai-admin clock show: {r.stderr.strip()}")
        m = re.search(r"business time ([^ ,]+).*generation (\d+)", r.stdout)
        if not m:
            raise RuntimeError(f"no settable business clock here: {r.stdout.strip()}")
        return datetime.datetime.fromisoformat(m.group(1)), int(m.group(2))

    def now(self):
        return self.read()[0]

    def today(self):
        return self.now().date()

    def set(self, when):
        """Moves the whole system to `when` (a datetime, or a date meaning 09:00 that day);
        returns once every service runs on it. ClockBackwards when `when` lies before the
        business time now (except on a system whose clock was never set)."""
        if isinstance(when, datetime.datetime):
            text = when.astimezone(WENZHOU).isoformat(timespec="seconds")
        else:
            text = when.isoformat()
        r = self._run("set", "--to", text, "--as", "year-player",
                      "--expect", str(self.followers), "--wait", "30")
        if r.returncode == 3:
            raise ClockBackwards(r.stderr.strip())
        if r.returncode != 0:
            raise RuntimeError(f"zhigai-admin clock set {text}: {r.stderr.strip() or r.stdout}")
        return datetime.datetime.fromisoformat(r.stdout.split()[0])

    def go(self, when):
        """Like set(), but a moment already past is not an error: the clock stays where it
        is (time never runs backwards) and the business time now is returned."""
        target = when if isinstance(when, datetime.datetime) else \
            datetime.datetime.combine(when, datetime.time(9, 0), WENZHOU)
        now, generation = self.read()
        if generation > 0 and target <= now:
            return now
        return self.set(target)
