// The policy platform's intake (records and counts), reconciliation, the intake setting, and
// the S1.1/S1.2 metrics for the evaluation service.
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/tracking/domain/checksum.h"
#include "services/tracking/domain/content_hash.h"
#include "services/tracking/domain/project_counts.h"
#include "services/tracking/domain/project_record.h"
#include "services/tracking/domain/revision.h"
#include "services/tracking/handlers.h"
#include "services/tracking/handlers_util.h"
#include "services/tracking/wire.h"

namespace zhigai::tracking {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

constexpr int kMaxBatch = 1000;
// Batches of one stream written concurrently (each on its own pooled connection). Three keep
// PostgreSQL busy while the service validates and encodes the next batch; more only queue on
// two cores (docs/benchmarks.md).
constexpr int kStreamInFlight = 3;

v1::RecordOutcome ToProto(RevisionDecision d) {
  switch (d) {
    case RevisionDecision::kAccepted:
      return v1::RECORD_ACCEPTED;
    case RevisionDecision::kUpdated:
      return v1::RECORD_UPDATED;
    case RevisionDecision::kDuplicate:
      return v1::RECORD_DUPLICATE;
    case RevisionDecision::kStale:
      return v1::RECORD_STALE;
    case RevisionDecision::kConflict:
      return v1::RECORD_CONFLICT;
  }
  return v1::RECORD_OUTCOME_UNSPECIFIED;
}

void Tally(v1::OutcomeCounts& c, v1::RecordOutcome o) {
  switch (o) {
    case v1::RECORD_ACCEPTED:
      c.set_accepted(c.accepted() + 1);
      break;
    case v1::RECORD_UPDATED:
      c.set_updated(c.updated() + 1);
      break;
    case v1::RECORD_DUPLICATE:
      c.set_duplicate(c.duplicate() + 1);
      break;
    case v1::RECORD_STALE:
      c.set_stale(c.stale() + 1);
      break;
    case v1::RECORD_CONFLICT:
      c.set_conflict(c.conflict() + 1);
      break;
    default:
      c.set_rejected(c.rejected() + 1);
      break;
  }
}

// A bad record's result: every violation, its field path prefixed with the record's place.
void Reject(v1::RecordResult& result, const absl::Status& status, absl::string_view prefix) {
  result.set_outcome(v1::RECORD_REJECTED);
  result.set_reason("INVALID_RECORD");
  for (const auto& f : ViolationsOf(status)) {
    auto* v = result.add_violations();
    v->set_field(absl::StrCat(prefix, f.field));
    v->set_rule(f.rule);
    v->set_description(f.description);
  }
  if (result.violations().empty()) {
    auto* v = result.add_violations();
    v->set_field(std::string(prefix));
    v->set_rule(RuleOf(status));
    v->set_description(std::string(status.message()));
  }
}

void Judged(v1::RecordResult& result, const StoredOutcome& o, absl::string_view key) {
  result.set_outcome(ToProto(o.decision));
  result.set_stored_revision(o.stored_revision);
  if (o.decision == RevisionDecision::kConflict) {
    absl::Status why = RevisionStatus(o.decision, key, result.revision());
    result.set_reason(ReasonOf(why));
    auto* v = result.add_violations();
    v->set_field("revision");
    v->set_rule(RuleOf(why));
    v->set_description(std::string(why.message()));
  }
}

absl::Status CheckBatchSize(int size, absl::string_view field) {
  if (size < 1 || size > kMaxBatch) {
    return InvalidField(field, "AIP-231",
                        absl::StrCat("send between 1 and ", kMaxBatch, " per batch, not ", size),
                        "每批须为1至1000条");
  }
  return absl::OkStatus();
}

// The platform's as-of instant → canonical UTC text; none stays empty. A Timestamp outside
// google.protobuf.Timestamp's own range (years 1..9999, nanos 0..999,999,999) is refused.
absl::StatusOr<std::string> CanonicalInstant(const v1::ProjectCountsRow& row,
                                             absl::string_view field) {
  if (!row.has_as_of()) return std::string();
  using google::protobuf::util::TimeUtil;
  const auto& t = row.as_of();
  if (t.seconds() < TimeUtil::kTimestampMinSeconds ||
      t.seconds() > TimeUtil::kTimestampMaxSeconds || t.nanos() < 0 || t.nanos() > 999999999) {
    return InvalidField(field, "FORMAT", "as_of must be an instant in the years 1 to 9999",
                        "时间超出范围（RFC 3339，1 至 9999 年）");
  }
  return wire::TimestampText(t);
}

// The int32 fields of InstitutionProjectMetrics predate the int64 *_count ones; a caller that
// still reads them gets the largest int32 instead of a wrapped negative number.
int32_t Saturated(int64_t n) {
  return static_cast<int32_t>(std::min<int64_t>(n, std::numeric_limits<int32_t>::max()));
}

std::string ModeName(v1::IntakeMode mode) {
  return absl::AsciiStrToLower(v1::IntakeMode_Name(mode));
}

// (code, kind) → (declared, approved) from a figures list.
std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> ByKey(
    const MetricsSource& s) {
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> out;
  for (const auto& f : s.figures) out[{f.credit_code, f.kind}] = {f.declared, f.approved};
  return out;
}

}  // namespace

absl::Status TrackingHandlers::PushBatch(
    const Call& call, const std::string& label,
    const google::protobuf::RepeatedPtrField<v1::ProjectRecord>& records,
    const v1::BatchClaim* claim, const BatchAnswer& answer) {
  std::vector<ValidRecord> valid;
  valid.reserve(records.size());
  answer.results->Reserve(records.size());
  for (int i = 0; i < records.size(); ++i) {
    auto* result = answer.results->Add();
    result->set_index(i);
    result->set_key(records[i].project_id());
    result->set_revision(records[i].revision());
    auto record = ValidateProjectRecord(ProjectInputFromWire(records[i]));
    if (!record.ok()) {
      Reject(*result, record.status(), absl::StrCat("records[", i, "]."));
      continue;
    }
    std::string hash = ProjectRecordHash(*record);
    valid.push_back({i, std::move(*record), std::move(hash)});
  }
  ASSIGN_OR_RETURN(auto stored, store_.PushProjects(ChangeOf(call), label, valid));
  for (const auto& o : stored) {
    auto& result = *answer.results->Mutable(o.index);
    Judged(result, o, result.key());
  }
  for (const auto& r : *answer.results) Tally(*answer.counts, r.outcome());
  if (claim != nullptr && answer.check != nullptr) {
    std::vector<std::pair<std::string, int64_t>> lines;
    lines.reserve(records.size());
    for (const auto& r : records) lines.emplace_back(r.project_id(), r.revision());
    answer.check->set_actual_count(records.size());
    answer.check->set_actual_checksum(RecordsChecksum(std::move(lines)));
    answer.check->set_matched(answer.check->actual_count() == claim->record_count() &&
                              answer.check->actual_checksum() == claim->checksum());
  }
  return absl::OkStatus();
}

namespace {

// One batch of a stream: its request, its response, and where it stands. A stream reuses
// its batches: parsing the next request into a used message, and filling a used response,
// reuse the records', results' and strings' memory (protobuf clears but keeps them). Once the
// stream has warmed up the reader allocates nothing per record, and the records' strings are
// no longer freed one by one on a worker thread after being allocated on the reader's (the
// allocator's slow path, which showed high in the push profile).
struct StreamBatch {
  v1::PushProjectsRequest request;
  v1::PushProjectsResponse response;
  std::string label;
  bool done = false;  // written (or failed), under the stream's mutex
  absl::Status status;
};

}  // namespace

grpc::Status TrackingHandlers::PushProjects(
    grpc::ServerContext* ctx,
    grpc::ServerReaderWriter<v1::PushProjectsResponse, v1::PushProjectsRequest>* stream) {
  return Serve(ctx, proof_, FullMethod("PushProjects"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kPolicyPlatform}));
    // Up to kStreamInFlight batches are written at once, each in its own transaction on its
    // own connection, by as many worker threads of this stream. This thread reads; the
    // acknowledger sends each batch's answer as soon as it and every earlier batch are
    // committed, in the order the batches came. Memory stays at about kStreamInFlight batches
    // per stream: while they are busy this thread stops reading and gRPC flow control holds
    // the sender back.
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::unique_ptr<StreamBatch>> in_flight;  // in arrival order
    std::deque<StreamBatch*> queued;                     // of those, not yet taken by a worker
    std::vector<std::unique_ptr<StreamBatch>> spare;     // acknowledged, for the next reads
    bool reading_done = false;
    absl::Status ack_failure = absl::OkStatus();
    std::vector<std::thread> workers;
    for (int w = 0; w < kStreamInFlight; ++w) {
      workers.emplace_back([&] {
        std::unique_lock<std::mutex> lock(mu);
        for (;;) {
          cv.wait(lock, [&] { return !queued.empty() || reading_done; });
          if (queued.empty()) return;
          StreamBatch* b = queued.front();
          queued.pop_front();
          lock.unlock();
          const v1::PushProjectsRequest& req = b->request;
          v1::PushProjectsResponse& resp = b->response;
          absl::Status s =
              PushBatch(call, b->label, req.records(), req.has_claim() ? &req.claim() : nullptr,
                        {resp.mutable_results(), resp.mutable_counts(),
                         req.has_claim() ? resp.mutable_check() : nullptr});
          lock.lock();
          b->status = std::move(s);
          b->done = true;
          cv.notify_all();
        }
      });
    }
    std::thread acknowledger([&] {
      std::unique_lock<std::mutex> lock(mu);
      for (;;) {
        cv.wait(lock, [&] { return in_flight.empty() ? reading_done : in_flight.front()->done; });
        if (in_flight.empty()) return;
        StreamBatch& b = *in_flight.front();
        lock.unlock();
        absl::Status s = b.status;
        if (s.ok()) {
          b.response.set_batch_id(b.request.batch_id());
          if (!stream->Write(b.response)) {
            s = Error(absl::StatusCode::kCancelled, "CLIENT_GONE",
                      "the client went away; committed batches are kept", "客户端已断开");
          }
        }
        lock.lock();
        spare.push_back(std::move(in_flight.front()));
        in_flight.pop_front();
        if (!s.ok() && ack_failure.ok()) ack_failure = s;
        cv.notify_all();
      }
    });
    absl::Status failure = absl::OkStatus();
    int64_t sequence = 0;
    auto batch = std::make_unique<StreamBatch>();
    while (stream->Read(&batch->request)) {
      ++sequence;
      const v1::PushProjectsRequest& req = batch->request;
      Violations v;
      v.Absorb(CheckBatchSize(req.records_size(), "records"));
      v.Absorb(core::ValidateLine(req.batch_id(), "batch_id", 0, 128, "FORMAT"));
      if (failure = v.Finish(); !failure.ok()) break;  // earlier batches stay committed
      batch->label = req.batch_id().empty()
                         ? absl::StrCat("stream:", call.request_id, "#", sequence)
                         : req.batch_id();
      batch->response.Clear();
      batch->response.set_sequence(sequence);
      batch->done = false;
      batch->status = absl::OkStatus();
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] {
        return static_cast<int>(in_flight.size()) < kStreamInFlight || !ack_failure.ok();
      });
      if (!ack_failure.ok()) break;
      queued.push_back(batch.get());
      in_flight.push_back(std::move(batch));
      cv.notify_all();
      if (spare.empty()) {
        batch = std::make_unique<StreamBatch>();
      } else {
        batch = std::move(spare.back());
        spare.pop_back();
      }
    }
    // Whatever ended the stream, the batches already handed to the store finish and are
    // acknowledged while the client listens: a cut-off never leaves half a batch.
    {
      std::lock_guard<std::mutex> lock(mu);
      reading_done = true;
    }
    cv.notify_all();
    for (auto& w : workers) w.join();
    acknowledger.join();
    return failure.ok() ? ack_failure : failure;
  });
}

grpc::Status TrackingHandlers::BatchPushProjects(grpc::ServerContext* ctx,
                                                 const v1::BatchPushProjectsRequest* req,
                                                 v1::BatchPushProjectsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("BatchPushProjects"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kPolicyPlatform}));
    Violations v;
    v.Absorb(CheckBatchSize(req->records_size(), "records"));
    v.Absorb(core::ValidateLine(req->batch_id(), "batch_id", 0, 128, "FORMAT"));
    RETURN_IF_ERROR(v.Finish());
    std::string label =
        req->batch_id().empty() ? absl::StrCat("batch:", call.request_id) : req->batch_id();
    return PushBatch(call, label, req->records(), req->has_claim() ? &req->claim() : nullptr,
                     {resp->mutable_results(), resp->mutable_counts(),
                      req->has_claim() ? resp->mutable_check() : nullptr});
  });
}

grpc::Status TrackingHandlers::ReconcileProjects(grpc::ServerContext* ctx,
                                                 const v1::ReconcileProjectsRequest* req,
                                                 v1::ProjectReconciliation* resp) {
  return Serve(ctx, proof_, FullMethod("ReconcileProjects"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kPolicyPlatform}));
    Violations v;
    v.Absorb(CheckRequestId(req->reconciliation_id(), "reconciliation_id", 128));
    v.Absorb(CheckYear(req->year(), "year"));
    if (req->project_count() < 0) v.Add("project_count", "S1.1", "a count is never negative");
    if (req->checksum().size() != 64) {
      v.Add("checksum", "FORMAT", "checksum is 64 lower-case hex characters (SHA-256)");
    }
    for (int i = 0; i < req->institutions_size(); ++i) {
      std::string path = absl::StrCat("institutions[", i, "]");
      v.Absorb(core::ValidateCreditCode(req->institutions(i).credit_code(), path + ".credit_code"));
      if (req->institutions(i).project_count() < 0) {
        v.Add(path + ".project_count", "S1.1", "a count is never negative");
      }
    }
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(
        *resp, store_.Reconcile(ChangeOf(call),
                                absl::StrCat(call.method, "|", req->reconciliation_id()), *req));
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::GetIngestSummary(grpc::ServerContext* ctx,
                                                const v1::GetIngestSummaryRequest* req,
                                                v1::IngestSummary* resp) {
  return Serve(ctx, proof_, FullMethod("GetIngestSummary"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau,
                                       Role::kPolicyPlatform, Role::kService, Role::kInstitution}));
    Violations v;
    v.Absorb(CheckYear(req->year(), "year"));
    if (!req->institution_credit_code().empty()) {
      v.Absorb(core::ValidateCreditCode(req->institution_credit_code(), "institution_credit_code"));
    }
    RETURN_IF_ERROR(v.Finish());
    std::string code = req->institution_credit_code();
    bool institution = call.principal.role == Role::kInstitution;
    if (institution) {
      if (!code.empty() && code != call.principal.credit_code) {
        return server::Forbidden("NOT_OWN_INSTITUTION", "an institution sees only its own figures",
                                 "服务机构只能查看本机构数据");
      }
      code = call.principal.credit_code;
    }
    ASSIGN_OR_RETURN(auto out, store_.IngestSummary(req->year(), code));
    if (institution) out.clear_last_reconciliation();  // the platform's totals are not theirs
    *resp = std::move(out);
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::BatchPushProjectCounts(grpc::ServerContext* ctx,
                                                      const v1::BatchPushProjectCountsRequest* req,
                                                      v1::BatchPushProjectCountsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("BatchPushProjectCounts"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kPolicyPlatform}));
        RETURN_IF_ERROR(CheckBatchSize(req->rows_size(), "rows"));
        std::vector<ValidCounts> valid;
        for (int i = 0; i < req->rows_size(); ++i) {
          const auto& row = req->rows(i);
          auto* result = resp->add_results();
          result->set_index(i);
          result->set_key(absl::StrCat(row.year(), "/", row.institution_credit_code(), "/",
                                       KindText(row.kind())));
          result->set_revision(row.revision());
          ProjectCountsInput in{row.year(),     row.institution_credit_code(), KindText(row.kind()),
                                row.declared(), row.approved_by_both(),        row.revision(),
                                std::nullopt};
          Violations v;
          auto as_of = CanonicalInstant(row, "as_of");
          v.Absorb(as_of.status());
          absl::Time as_of_time;
          if (as_of.ok() && !as_of->empty() &&
              absl::ParseTime(absl::RFC3339_full, *as_of, &as_of_time, nullptr)) {
            in.as_of = as_of_time;
          }
          auto counts = ValidateProjectCounts(in);
          // A bad as_of is reported once, by CanonicalInstant, not again as a missing revision.
          if (as_of.ok() || row.revision() != 0) v.Absorb(counts.status());
          if (!v.empty()) {
            Reject(*result, v.Finish(), absl::StrCat("rows[", i, "]."));
            continue;
          }
          std::string hash = ProjectCountsHash(*counts);
          valid.push_back({i, std::move(*counts), std::move(hash), std::move(*as_of)});
        }
        ASSIGN_OR_RETURN(auto stored, store_.PushCounts(ChangeOf(call), valid));
        for (const auto& o : stored) {
          auto& result = *resp->mutable_results(o.index);
          if (!o.refused.ok()) {
            Reject(result, o.refused, absl::StrCat("rows[", o.index, "].revision"));
            result.set_reason(ReasonOf(o.refused));
            result.set_stored_revision(o.stored_revision);
            continue;
          }
          Judged(result, o, result.key());
        }
        for (const auto& r : resp->results()) Tally(*resp->mutable_counts(), r.outcome());
        return absl::OkStatus();
      });
}

grpc::Status TrackingHandlers::ListProjectRecords(grpc::ServerContext* ctx,
                                                  const v1::ListProjectRecordsRequest* req,
                                                  v1::ListProjectRecordsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("ListProjectRecords"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(
            call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution, Role::kService}));
        Violations v;
        v.Absorb(CheckYear(req->year(), "year"));
        std::string institution = req->institution_credit_code();
        if (!institution.empty()) {
          v.Absorb(core::ValidateCreditCode(institution, "institution_credit_code"));
        }
        if (req->kind() != common::v1::SERVICE_KIND_UNSPECIFIED &&
            req->kind() != common::v1::DIAGNOSIS && req->kind() != common::v1::SOLUTION_DESIGN) {
          v.Add("kind", "R3.1", "kind is DIAGNOSIS or SOLUTION_DESIGN");
        }
        auto size = db::PageSize(req->page_size());
        v.Absorb(size.status());
        auto after = db::DecodePageToken(req->page_token());
        v.Absorb(after.status());
        RETURN_IF_ERROR(v.Finish());
        if (call.principal.role == Role::kInstitution) {
          // An institution reads its own records; naming another is refused, not emptied.
          if (call.principal.credit_code.empty() ||
              (!institution.empty() && institution != call.principal.credit_code)) {
            return absl::PermissionDeniedError("an institution reads only its own project records");
          }
          institution = call.principal.credit_code;
        }
        ASSIGN_OR_RETURN(auto page,
                         store_.ListProjects(req->year(), institution,
                                             req->kind() == common::v1::SERVICE_KIND_UNSPECIFIED
                                                 ? std::string()
                                                 : KindText(req->kind()),
                                             *after, *size + 1));
        for (int i = 0; i < static_cast<int>(page.projects.size()) && i < *size; ++i) {
          *resp->add_projects() = std::move(page.projects[i]);
        }
        if (static_cast<int>(page.projects.size()) > *size) {
          const auto& last = resp->projects(*size - 1).record();
          resp->set_next_page_token(db::EncodePageToken(
              absl::StrCat(last.institution_credit_code(), "|", last.project_id())));
        }
        resp->set_data_revision(
            absl::StrCat(ModeName(v1::RECORDS), ":", req->year(), ":", page.seq));
        return absl::OkStatus();
      });
}

grpc::Status TrackingHandlers::ListProjectCountRevisions(
    grpc::ServerContext* ctx, const v1::ListProjectCountRevisionsRequest* req,
    v1::ListProjectCountRevisionsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("ListProjectCountRevisions"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(
            RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
        Violations v;
        v.Absorb(CheckYear(req->year(), "year"));
        if (!req->institution_credit_code().empty()) {
          v.Absorb(
              core::ValidateCreditCode(req->institution_credit_code(), "institution_credit_code"));
        }
        if (req->kind() != common::v1::SERVICE_KIND_UNSPECIFIED &&
            req->kind() != common::v1::DIAGNOSIS && req->kind() != common::v1::SOLUTION_DESIGN) {
          v.Add("kind", "R3.1", "kind is DIAGNOSIS or SOLUTION_DESIGN");
        }
        auto size = db::PageSize(req->page_size());
        v.Absorb(size.status());
        auto after = db::DecodePageToken(req->page_token());
        v.Absorb(after.status());
        RETURN_IF_ERROR(v.Finish());
        ASSIGN_OR_RETURN(
            auto rows, store_.ListCountRevisions(req->year(), req->institution_credit_code(),
                                                 req->kind() == common::v1::SERVICE_KIND_UNSPECIFIED
                                                     ? std::string()
                                                     : KindText(req->kind()),
                                                 *after, *size + 1));
        for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
          *resp->add_revisions() = std::move((rows)[i]);
        }
        if (static_cast<int>(rows.size()) > *size) {
          const auto& last = resp->revisions(*size - 1).row();
          resp->set_next_page_token(db::EncodePageToken(absl::StrCat(
              last.institution_credit_code(), "|", KindText(last.kind()), "|", last.revision())));
        }
        return absl::OkStatus();
      });
}

grpc::Status TrackingHandlers::SetIntakeMode(grpc::ServerContext* ctx,
                                             const v1::SetIntakeModeRequest* req,
                                             v1::IntakeSetting* resp) {
  return Serve(ctx, proof_, FullMethod("SetIntakeMode"), [&](const Call& call) -> absl::Status {
    // The year's source of S1 figures is a city-wide decision (S1.1, issue 12).
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    Violations v;
    v.Absorb(CheckYear(req->year(), "year"));
    if (req->mode() == v1::INTAKE_MODE_UNSPECIFIED || !v1::IntakeMode_IsValid(req->mode())) {
      v.Add("mode", "S1.1", "mode must be RECORDS or COUNTS");
    }
    if (req->version() < 0)
      v.Add("version", "AIP-154", "send the version you read (0 if never set)");
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(
        *resp, store_.SetIntakeSetting(ChangeOf(call), req->year(), req->mode(), req->version()));
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::GetIntakeMode(grpc::ServerContext* ctx,
                                             const v1::GetIntakeModeRequest* req,
                                             v1::IntakeSetting* resp) {
  return Serve(ctx, proof_, FullMethod("GetIntakeMode"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(
        call, {Role::kCityBureau, Role::kCountyBureau, Role::kPolicyPlatform, Role::kService}));
    RETURN_IF_ERROR(CheckYear(req->year(), "year"));
    ASSIGN_OR_RETURN(*resp, store_.GetIntakeSetting(req->year()));
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::GetIntakeReconciliation(
    grpc::ServerContext* ctx, const v1::GetIntakeReconciliationRequest* req,
    v1::IntakeReconciliation* resp) {
  return Serve(
      ctx, proof_, FullMethod("GetIntakeReconciliation"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(
            RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
        RETURN_IF_ERROR(CheckYear(req->year(), "year"));
        ASSIGN_OR_RETURN(auto setting, store_.GetIntakeSetting(req->year()));
        auto records = store_.RecordFigures(req->year(), {});
        if (!records.ok()) return records.status();
        auto counts = store_.CountFigures(req->year(), {});
        if (!counts.ok()) return counts.status();
        resp->set_year(req->year());
        resp->set_mode(setting.mode());
        resp->set_has_records(!records->figures.empty());
        resp->set_has_counts(!counts->figures.empty());
        auto r = ByKey(*records), c = ByKey(*counts);
        std::map<std::pair<std::string, std::string>, bool> keys;
        for (const auto& [k, _] : r) keys[k] = true;
        for (const auto& [k, _] : c) keys[k] = true;
        for (const auto& [k, _] : keys) {
          auto rv = r.count(k) ? r[k] : std::pair<int64_t, int64_t>{0, 0};
          auto cv = c.count(k) ? c[k] : std::pair<int64_t, int64_t>{0, 0};
          if (rv == cv) continue;
          auto* d = resp->add_differences();
          d->set_credit_code(k.first);
          common::v1::ServiceKind kind = common::v1::SERVICE_KIND_UNSPECIFIED;
          common::v1::ServiceKind_Parse(k.second, &kind);
          d->set_kind(kind);
          d->set_records_declared(rv.first);
          d->set_records_approved(rv.second);
          d->set_counts_declared(cv.first);
          d->set_counts_approved(cv.second);
        }
        resp->set_matched(resp->has_records() && resp->has_counts() && resp->differences().empty());
        return absl::OkStatus();
      });
}

grpc::Status TrackingHandlers::BatchGetProjectMetrics(grpc::ServerContext* ctx,
                                                      const v1::BatchGetProjectMetricsRequest* req,
                                                      v1::BatchGetProjectMetricsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("BatchGetProjectMetrics"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(
            RequireRole(call, {Role::kService, Role::kCityBureau, Role::kCountyBureau}));
        Violations v;
        v.Absorb(CheckYear(req->year(), "year"));
        if (req->credit_codes_size() > 10000) {
          v.Add("credit_codes", "AIP-231", "at most 10000 institutions per call");
        }
        for (int i = 0; i < req->credit_codes_size(); ++i) {
          v.Absorb(core::ValidateCreditCode(req->credit_codes(i),
                                            absl::StrCat("credit_codes[", i, "]")));
        }
        RETURN_IF_ERROR(v.Finish());
        ASSIGN_OR_RETURN(auto setting, store_.GetIntakeSetting(req->year()));
        std::vector<std::string> codes(req->credit_codes().begin(), req->credit_codes().end());
        // The configured mode wins; the other intake only shows in GetIntakeReconciliation.
        auto source = setting.mode() == v1::COUNTS ? store_.CountFigures(req->year(), codes)
                                                   : store_.RecordFigures(req->year(), codes);
        if (!source.ok()) return source.status();
        std::map<std::string, v1::InstitutionProjectMetrics> by_code;
        for (const auto& code : codes) by_code[code].set_credit_code(code);  // zeros when no data
        for (const auto& f : source->figures) {
          auto& m = by_code[f.credit_code];
          m.set_credit_code(f.credit_code);
          const bool diagnosis = f.kind == "DIAGNOSIS";
          if (diagnosis) {
            m.set_declared_diagnosis_count(f.declared);
            m.set_approved_diagnosis_count(f.approved);
            m.set_declared_diagnosis(Saturated(f.declared));
            m.set_approved_diagnosis(Saturated(f.approved));
          } else {
            m.set_declared_solution_design_count(f.declared);
            m.set_approved_solution_design_count(f.approved);
            m.set_declared_solution_design(Saturated(f.declared));
            m.set_approved_solution_design(Saturated(f.approved));
          }
          if (setting.mode() == v1::COUNTS) {
            auto* used = m.add_counts_used();
            used->set_kind(diagnosis ? common::v1::DIAGNOSIS : common::v1::SOLUTION_DESIGN);
            used->set_revision(f.platform_revision);
            if (auto ts = wire::TimestampFromText(f.platform_as_of)) *used->mutable_as_of() = *ts;
          }
        }
        for (auto& [code, m] : by_code) *resp->add_metrics() = std::move(m);
        resp->set_intake_mode(setting.mode());
        if (auto ts = wire::TimestampFromText(source->as_of)) *resp->mutable_as_of() = *ts;
        resp->set_source_revision(
            absl::StrCat(ModeName(setting.mode()), ":", req->year(), ":", source->seq));
        return absl::OkStatus();
      });
}

}  // namespace zhigai::tracking
