// The HTTP/JSON forms of calendar dates and times of day (AIP-142 as the issue asks of the
// JSON side): google.type.Date travels as "YYYY-MM-DD" and google.type.TimeOfDay as "HH:MM"
// (or "HH:MM:SS"), not as the {year, month, day} objects of the plain proto3 JSON mapping.
// Timestamps need nothing here: proto3 JSON already writes them in RFC 3339.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"

namespace zhigai::gateway {

// Whether messages of `type` can hold a Date or TimeOfDay anywhere (computed once per type), so
// that other messages skip the rewriting and keep the direct path.
bool HasCivilFields(const google::protobuf::Descriptor& type);

// A printed `type` message: each Date object becomes "YYYY-MM-DD", each TimeOfDay "HH:MM".
void CivilObjectsToText(const google::protobuf::Descriptor& type, nlohmann::json& value);

// A request body of `type`: each Date or TimeOfDay written as text becomes the object the
// proto3 JSON parser reads (objects are accepted as they are). INVALID_ARGUMENT naming the
// field's JSON path and FORMAT when the text is not shaped YYYY-MM-DD or HH:MM[:SS]; whether
// the date exists is the service's to judge, with its own field name and rule.
absl::Status CivilTextToObjects(const google::protobuf::Descriptor& type, nlohmann::json& value);

}  // namespace zhigai::gateway
