// The registry store's part of the public feed (issue 25 item 2): reading it in order, and
// appending what review and evaluation send. Appends of the registry's own changes happen in
// their writers' transactions (store.cc, public_changes.cc).
#include "libs/core/status_macros.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/db/stored.h"
#include "services/registry/public_changes.h"
#include "services/registry/store.h"

namespace zhigai::registry {
namespace {

constexpr db::Statement kListChanges{
    "registry.public_changes_list",
    "SELECT change, (SELECT last_sequence FROM public_change_counter) FROM public_changes"
    " WHERE sequence > $1 ORDER BY sequence LIMIT $2"};
constexpr db::Statement kLastSequence{"registry.public_changes_last",
                                      "SELECT last_sequence FROM public_change_counter"};

}  // namespace

absl::StatusOr<PublicChangesPage> RegistryStore::ListPublicChanges(int64_t after_sequence,
                                                                   int limit) {
  PublicChangesPage page;
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListChanges, {after_sequence, int64_t{limit}}));
  for (int i = 0; i < r.rows(); ++i) {
    auto change = db::ParseStored<v1::PublicChange>(r.Text(i, 0));
    if (!change.ok()) return change.status();
    page.changes.push_back(std::move(*change));
    page.last_sequence = r.Int64(i, 1);
  }
  if (r.rows() == 0) {
    auto last = pool_.Exec(kLastSequence);
    if (!last.ok()) return last.status();
    page.last_sequence = last->Int64(0, 0);
  }
  return page;
}

absl::StatusOr<v1::PublicChange> RegistryStore::RecordPublicChange(
    const Change& change, const std::string& idempotency_key, v1::PublicChange public_change) {
  v1::PublicChange out;
  absl::Status s =
      db::RunIdempotent(pool_, idempotency_key, change.method, &out, [&](db::Connection& c) {
        ASSIGN_OR_RETURN(out, AppendPublicChange(c, public_change, clock_()));
        return db::Audit(c, change, "public_change", absl::StrCat("publicChanges/", out.sequence()),
                         1);
      });
  if (!s.ok()) return s;
  return out;
}

}  // namespace zhigai::registry
