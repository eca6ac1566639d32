// Whether a read may wait on I/O. A completion-queue thread (libs/server/async_unary.h) first
// asks for an answer from memory alone; a store that would have to go to PostgreSQL says so
// with NeedsIo(), and the call is answered again on a thread that may block.
#pragma once

#include "absl/status/status.h"

namespace zhigai::core {

enum class Io { kAllowed, kMemoryOnly };

// Never leaves the process: the fast path turns it into "ask again, blocking".
absl::Status NeedsIo();
bool IsNeedsIo(const absl::Status& status);

}  // namespace zhigai::core
