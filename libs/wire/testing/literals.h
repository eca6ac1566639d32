// For tests: typed API dates, times of day and instants written as the text a reader expects.
// D("2026-02-30") keeps an impossible day as it is (the services must refuse it); text that is
// not shaped YYYY-MM-DD gives a missing date, the one other bad date gRPC can carry.
#pragma once

#include <cstdio>
#include <string>

#include "libs/wire/typed_time.h"

namespace zhigai::wire::testing {

inline Date D(const std::string& text) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  Date out;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && text.size() == 10) {
    out.set_year(y);
    out.set_month(m);
    out.set_day(d);
  }
  return out;
}

// "HH:MM" (24:00 allowed); anything else gives 99:99, which every check refuses.
inline TimeOfDay HM(const std::string& text) {
  int h = 99, m = 99;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%2d:%2d%c", &h, &m, &tail) != 2 || text.size() != 5) h = m = 99;
  TimeOfDay out;
  out.set_hours(h);
  out.set_minutes(m);
  return out;
}

// RFC 3339; the Unix epoch for text that is not.
inline Timestamp T(const std::string& text) {
  return TimestampFromText(text).value_or(Timestamp());
}

}  // namespace zhigai::wire::testing
