// Dates, times of day and instants as the API carries them (AIP-142): google.type.Date,
// google.type.TimeOfDay and google.protobuf.Timestamp. Inside, the services decide on
// absl::CivilDay (local business dates, Asia/Shanghai), minutes after midnight and absl::Time;
// the store keeps PostgreSQL date and timestamptz columns and hands them over as text. These
// functions are the one crossing between the three.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "google/type/timeofday.pb.h"

namespace zhigai::wire {

using Date = google::type::Date;
using TimeOfDay = google::type::TimeOfDay;
using Timestamp = google::protobuf::Timestamp;

// ---- dates

Date ToDate(absl::CivilDay day);

// The day a Date names. InvalidField(field, "FORMAT", ...) when the date is missing, partial
// (a zero year, month or day: AIP-142 reserves those for anniversaries and card expiries, which
// zhigai never needs) or not a real day (2026-02-30).
absl::StatusOr<absl::CivilDay> ParseDate(const Date& date, absl::string_view field);
// ParseDate, then the business years' range (core::CheckYearRange).
absl::StatusOr<absl::CivilDay> ParseBusinessDate(const Date& date, absl::string_view field);

// "YYYY-MM-DD" (the JSON form, the SQL parameter and the log form); "" for a missing date.
// A partial or impossible date prints its components as they are, so errors can quote it.
std::string DateText(const Date& date);
// The store's "YYYY-MM-DD" (a date column read as text); nullopt for "" (NULL) or malformed text.
std::optional<Date> DateFromText(absl::string_view text);
// Outside text (a JSON body, a CSV file) shaped "YYYY-MM-DD", by shape only: an impossible day
// such as 2026-02-30 is kept for the service to refuse with its own field and rule; nullopt when
// the text is not so shaped.
std::optional<Date> DateFromShapedText(absl::string_view text);

// ---- times of day

// The minutes after midnight (0..1440) a time of day names, 24:00 included (the end of the
// day, as AIP-142 allows for closing times). InvalidField(field, "FORMAT", ...) when it has
// seconds or nanos, is out of range or is missing.
absl::StatusOr<int> ParseMinutes(const TimeOfDay& time, absl::string_view field);
TimeOfDay ToTimeOfDay(int minutes);
// "HH:MM"; "" for a missing time.
std::string TimeOfDayText(const TimeOfDay& time);

// ---- instants

Timestamp ToTimestamp(absl::Time t);
absl::Time FromTimestamp(const Timestamp& t);
// The store's RFC 3339 text (core::FormatTimestamp, or timestamptz through to_char);
// nullopt for "" (NULL) or malformed text.
std::optional<Timestamp> TimestampFromText(absl::string_view text);
// RFC 3339 with microseconds in UTC (core::FormatTimestamp): text order is time order.
std::string TimestampText(const Timestamp& t);

}  // namespace zhigai::wire
