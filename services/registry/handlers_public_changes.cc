// The feed of public changes (issue 25 item 2): read as pages, followed as a stream, and fed by
// the services whose public decisions the registry does not make itself.
#include <atomic>

#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "services/registry/handlers.h"

namespace zhigai::registry {
namespace {

using auth::Role;
using server::Call;
using server::Serve;

constexpr int kDefaultPage = 100, kMaxPage = 1000;
// A stream holds one of the server's threads; past this many, callers are told to poll.
constexpr int kMaxWatchers = 256;
// How long a follower waits for the hub before it looks at its call again (cancelled?).
constexpr absl::Duration kWatchRecheck = absl::Seconds(1);

std::atomic<int> watchers{0};

absl::Status CheckAfter(int64_t after) {
  if (after < 0) {
    return InvalidField("after_sequence", "FORMAT", "after_sequence must be 0 or more",
                        "序号不能为负数");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status RegistryHandlers::ListPublicChanges(grpc::ServerContext* ctx,
                                                 const v1::ListPublicChangesRequest* req,
                                                 v1::ListPublicChangesResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListPublicChanges"), [&](const Call&) -> absl::Status {
    Violations v;
    v.Absorb(CheckAfter(req->after_sequence()));
    if (req->page_size() < 0 || req->page_size() > kMaxPage) {
      v.Add("page_size", "AIP-158", absl::StrCat("page_size must be 0 to ", kMaxPage));
    }
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(auto page, store_.ListPublicChanges(
                                    req->after_sequence(),
                                    req->page_size() == 0 ? kDefaultPage : req->page_size()));
    for (auto& c : page.changes) *resp->add_changes() = std::move(c);
    resp->set_last_sequence(page.last_sequence);
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::WatchPublicChanges(grpc::ServerContext* ctx,
                                                  const v1::WatchPublicChangesRequest* req,
                                                  grpc::ServerWriter<v1::PublicChange>* writer) {
  return Serve(ctx, proof_, FullMethod("WatchPublicChanges"), [&](const Call&) -> absl::Status {
    RETURN_IF_ERROR(CheckAfter(req->after_sequence()));
    if (watchers.fetch_add(1) >= kMaxWatchers) {
      watchers.fetch_sub(1);
      return Error(absl::StatusCode::kResourceExhausted, "TOO_MANY_WATCHERS",
                   absl::StrCat("more than ", kMaxWatchers,
                                " callers follow the feed on this replica; poll "
                                "ListPublicChanges or retry later"),
                   "订阅者过多，请稍后重试或分页查询");
    }
    struct Leave {
      ~Leave() { watchers.fetch_sub(1); }
    } leave;
    int64_t after = req->after_sequence();
    std::vector<v1::PublicChange> batch;
    while (!ctx->IsCancelled()) {
      batch.clear();
      // The recent end comes from memory, shared by every follower (PublicChangeHub); what is
      // older, and everything when there is no hub, from the table.
      PublicChangeHub::Outcome outcome = hub_ ? hub_->Next(after, kMaxPage, kWatchRecheck, &batch)
                                              : PublicChangeHub::Outcome::kTooOld;
      if (outcome == PublicChangeHub::Outcome::kStopped) break;
      if (outcome == PublicChangeHub::Outcome::kTimeout) continue;
      if (outcome == PublicChangeHub::Outcome::kTooOld) {
        ASSIGN_OR_RETURN(auto page, store_.ListPublicChanges(after, kMaxPage));
        batch = std::move(page.changes);
        if (batch.empty()) {
          if (hub_) continue;  // the hub has not read the table yet
          absl::SleepFor(absl::Milliseconds(200));
          continue;
        }
      }
      for (size_t i = 0; i < batch.size(); ++i) {
        const v1::PublicChange& change = batch[i];
        // Sequences are dense: a hole would be a bug in the writer, never skipped over.
        if (change.sequence() != after + 1) {
          return absl::InternalError(absl::StrCat("public feed: expected sequence ", after + 1,
                                                  ", read ", change.sequence()));
        }
        if (!writer->Write(change)) return absl::OkStatus();  // the caller left
        after = change.sequence();
      }
    }
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::RecordPublicChange(grpc::ServerContext* ctx,
                                                  const v1::RecordPublicChangeRequest* req,
                                                  v1::PublicChange* resp) {
  return Serve(
      ctx, proof_, FullMethod("RecordPublicChange"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(server::RequireRole(call, {Role::kService}));
        const v1::PublicChange& in = req->change();
        Violations v;
        v.Absorb(core::ValidateLine(req->command_id(), "command_id", 1, 128, "AIP-155"));
        // Only the kinds decided outside the registry come this way.
        if (in.kind() != v1::NOTICE_PUBLISHED && in.kind() != v1::RANKING_PUBLISHED) {
          v.Add("change.kind", "FORMAT",
                "change.kind must be NOTICE_PUBLISHED or RANKING_PUBLISHED");
        }
        v.Absorb(core::ValidateLine(in.resource(), "change.resource", 1, 200, "FORMAT"));
        if (in.source_service() != "review" && in.source_service() != "evaluation") {
          v.Add("change.source_service", "FORMAT",
                "change.source_service must be review or evaluation");
        }
        if (in.year() < core::kMinBusinessYear || in.year() > core::kMaxBusinessYear) {
          v.Add("change.year", "FORMAT",
                absl::StrCat("change.year must be between ", core::kMinBusinessYear, " and ",
                             core::kMaxBusinessYear));
        }
        v.Absorb(core::ValidateText(in.reason(), "change.reason", 0, 500, "FORMAT"));
        if (!in.credit_code().empty() || in.has_start_date() || in.has_end_date()) {
          v.Add("change", "FORMAT", "notices and rankings name no institution and no dates here");
        }
        RETURN_IF_ERROR(v.Finish());
        v1::PublicChange change = in;
        change.clear_sequence();
        change.clear_change_time();
        ASSIGN_OR_RETURN(
            *resp, store_.RecordPublicChange(
                       {call.actor(), call.method},
                       server::IdempotencyKey(call, *req, "command_id", /*scope_by_caller=*/false),
                       change));
        return absl::OkStatus();
      });
}

}  // namespace zhigai::registry
