// Stable content hashes of pushed rows, for DecideRevision (revision.h). The hash is stored
// next to the row, so the serialisation below must never change meaning: a new layout needs a
// new version tag.
#pragma once

#include <string>

#include "services/tracking/domain/project_counts.h"
#include "services/tracking/domain/project_record.h"

namespace zhigai::tracking {

// Canonical text of a validated record's content: a version tag, then every field except the
// revision, in a fixed order, each as "name=<byte length>:<value>\n" (enums by name, dates as
// YYYY-MM-DD, an undecided date empty). Length prefixes keep field boundaries unambiguous
// whatever the values contain. The revision is left out because it is not content: it is what
// the content is compared under.
std::string CanonicalProjectRecord(const ProjectRecord& record);
std::string CanonicalProjectCounts(const ProjectCounts& counts);

// Lower-case hex SHA-256 (64 characters) of the canonical text.
std::string ProjectRecordHash(const ProjectRecord& record);
std::string ProjectCountsHash(const ProjectCounts& counts);

}  // namespace zhigai::tracking
