#pragma once

#include <string>

#include "absl/status/status.h"
#include "libs/db/audit.h"
#include "libs/db/pool.h"

namespace zhigai::db {

// Runs `fn` (which fills *out) in a transaction keyed by `key`: the first run stores the
// serialised answer with the change; a repeat — sequential or concurrent — returns that answer
// and changes nothing. `Message` is a protobuf message.
template <typename Message, typename Fn>
absl::Status RunIdempotent(Pool& pool, const std::string& key, const std::string& method,
                           Message* out, Fn&& fn) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::Status s = pool.Transaction([&](Connection& c) -> absl::Status {
      auto found = FindIdempotentResponse(c, key);
      if (!found.ok()) return found.status();
      if (found->has_value()) {
        out->Clear();
        return out->ParseFromString(**found)
                   ? absl::OkStatus()
                   : absl::InternalError("stored idempotent answer does not parse");
      }
      if (absl::Status st = ClaimIdempotencyKey(c, key, method); !st.ok()) return st;
      if (absl::Status st = fn(c); !st.ok()) return st;
      return StoreIdempotentResponse(c, key, out->SerializeAsString());
    });
    // A concurrent twin committed first: the next attempt reads its answer.
    if (!IsIdempotencyRace(s)) return s;
  }
  return absl::AbortedError("idempotency key kept racing; retry the call");
}

}  // namespace zhigai::db
