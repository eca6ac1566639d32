// A published ranking enters the registry's feed of public changes (issue 25 item 2) from the
// evaluation's outbox, written in the same transaction as the publication.
#pragma once

#include <cstdint>

#include "libs/outbox/outbox.h"

namespace zhigai::evaluation {

inline constexpr char kRegistryTarget[] = "registry";

// One command per publication of a round (1, then one per corrected publication, issue 26):
// its id is "ranking:<year>:<round version>".
outbox::Command RankingPublishedCommand(int year, int64_t round_version, int publication);

}  // namespace zhigai::evaluation
