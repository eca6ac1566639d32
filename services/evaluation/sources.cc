#include "services/evaluation/sources.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/principal.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/peers/peer_call.h"
#include "libs/wire/typed_time.h"
#include "zhigai/feedback/v1/feedback.grpc.pb.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"
#include "zhigai/tracking/v1/tracking.grpc.pb.h"
#include "zhigai/training/v1/training.grpc.pb.h"

namespace zhigai::evaluation {
namespace {

// The peers' batch limits: tracking takes 10,000 codes a call, training and feedback 1,000.
// A city directory is far below both, so a real round makes exactly one call per source; only
// a synthetic round beyond the limits is split.
constexpr int kTrackingBatch = 10000;
constexpr int kTrainingBatch = 1000;
constexpr int kFeedbackBatch = 1000;
constexpr int kPageSize = 1000;

absl::Status Down(absl::string_view source, absl::string_view address, absl::string_view method,
                  absl::string_view what) {
  return Error(
      absl::StatusCode::kUnavailable, absl::StrCat(absl::AsciiStrToUpper(source), "_UNAVAILABLE"),
      absl::StrCat("the ", source, " service (", address, ") failed ", method, ": ", what,
                   "; nothing was stored, pull again later"),
      absl::StrCat("数据来源服务 ", source, " 暂不可用，本次拉取未保存任何数据，请稍后重试"),
      "R11.1");
}

absl::Status Down(absl::string_view source, absl::string_view address, absl::string_view method,
                  const grpc::Status& status) {
  return Down(source, address, method,
              absl::StrCat("gRPC code ", static_cast<int>(status.error_code()), " ",
                           status.error_message()));
}

// Where an institution's S1.1/S1.2 figures came from, for whoever checks the sheet: tracking's
// data state and, in counts mode, the platform row of each kind (revision, as-of instant), which
// tracking's ListProjectCountRevisions shows in full.
std::string ProjectSource(const std::string& source_revision,
                          const tracking::v1::InstitutionProjectMetrics& m) {
  std::string out = source_revision;
  for (const auto& used : m.counts_used()) {
    absl::StrAppend(&out, "; ", common::v1::ServiceKind_Name(used.kind()));
    if (used.revision() > 0) absl::StrAppend(&out, " revision ", used.revision());
    if (used.has_as_of()) {
      absl::StrAppend(&out, " as of ", google::protobuf::util::TimeUtil::ToString(used.as_of()));
    }
  }
  return out;
}

}  // namespace

struct GrpcMetricSources::Stubs {
  std::unique_ptr<registry::v1::RegistryService::Stub> registry;
  std::unique_ptr<tracking::v1::TrackingService::Stub> tracking;
  std::unique_ptr<training::v1::TrainingService::Stub> training;
  std::unique_ptr<feedback::v1::FeedbackService::Stub> feedback;
};

GrpcMetricSources::GrpcMetricSources(SourceAddresses addresses, std::string internal_proof,
                                     absl::Duration timeout)
    : addresses_(std::move(addresses)),
      proof_(std::move(internal_proof)),
      timeout_(timeout),
      stubs_(std::make_unique<Stubs>()) {
  auto channel = [](const std::string& address) {
    grpc::ChannelArguments args;
    // A 10,000-institution answer is a few MiB; the default 4 MiB would cut it.
    args.SetMaxReceiveMessageSize(256 << 20);
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  };
  stubs_->registry = registry::v1::RegistryService::NewStub(channel(addresses_.registry));
  stubs_->tracking = tracking::v1::TrackingService::NewStub(channel(addresses_.tracking));
  stubs_->training = training::v1::TrainingService::NewStub(channel(addresses_.training));
  stubs_->feedback = feedback::v1::FeedbackService::NewStub(channel(addresses_.feedback));
}

GrpcMetricSources::~GrpcMetricSources() = default;

void GrpcMetricSources::Prepare(grpc::ClientContext& ctx) const {
  peers::PrepareCall(ctx, "evaluation", proof_, timeout_);
}

absl::StatusOr<std::vector<SanctionFact>> GrpcMetricSources::Sanctions(int year) {
  std::vector<SanctionFact> out;
  std::string token;
  do {
    registry::v1::ListSanctionsRequest req;
    req.set_year(year);
    req.set_page_size(kPageSize);
    req.set_page_token(token);
    registry::v1::ListSanctionsResponse resp;
    grpc::ClientContext ctx;
    Prepare(ctx);
    grpc::Status st = stubs_->registry->ListSanctions(&ctx, req, &resp);
    if (!st.ok()) return Down("registry", addresses_.registry, "ListSanctions", st);
    for (const auto& s : resp.sanctions()) {
      out.push_back({s.name(), s.credit_code(), s.kind() == registry::v1::BAR, s.lifted(),
                     wire::DateText(s.lift_date())});
    }
    token = resp.next_page_token();
  } while (!token.empty());
  return out;
}

absl::StatusOr<PulledSnapshot> GrpcMetricSources::Pull(int year, bool include_previous) {
  auto context = [this](grpc::ClientContext& ctx) { Prepare(ctx); };

  // 1. Scope: the CITY directory of Y (and Y−1), active or suspended entries (one per
  // direction, so an institution may appear twice). Decision: a REMOVED entry is out of scope,
  // unless the institution is barred or cancelled in Y (RULES.md S4, 2026-12: listed as not
  // ranked even if removed from the directory during Y).
  struct Scoped {
    std::string name;
    int name_year = 0;
    std::set<int> years;
    bool only_removed = true;
    std::vector<ScopeEntryRow> entries;
  };
  std::map<std::string, Scoped> scope;
  std::vector<int> years = {year};
  if (include_previous) years.push_back(year - 1);
  for (int y : years) {
    for (registry::v1::EntryStatus status :
         {registry::v1::ACTIVE, registry::v1::SUSPENDED, registry::v1::REMOVED}) {
      std::string token;
      do {
        registry::v1::ListDirectoryEntriesRequest req;
        req.set_year(y);
        req.set_level(common::v1::CITY);
        req.set_status(status);
        req.set_page_size(kPageSize);
        req.set_page_token(token);
        registry::v1::ListDirectoryEntriesResponse resp;
        grpc::ClientContext ctx;
        context(ctx);
        grpc::Status st = stubs_->registry->ListDirectoryEntries(&ctx, req, &resp);
        if (!st.ok()) return Down("registry", addresses_.registry, "ListDirectoryEntries", st);
        for (const auto& e : resp.entries()) {
          Scoped& s = scope[e.credit_code()];
          s.years.insert(e.year());
          if (status != registry::v1::REMOVED) s.only_removed = false;
          s.entries.push_back(
              {e.name(), e.year(), std::string(registry::v1::EntryStatus_Name(status))});
          // The name of the newest directory the institution is in.
          if (e.year() >= s.name_year) {
            s.name = e.institution_display_name();
            s.name_year = e.year();
          }
        }
        token = resp.next_page_token();
      } while (!token.empty());
    }
  }
  // 2. Sanctions in force in Y (R14.4, R14.5).
  ASSIGN_OR_RETURN(auto all_sanctions, Sanctions(year));
  const auto in_force = ExclusionsFrom(all_sanctions);
  std::vector<std::string> codes;
  codes.reserve(scope.size());
  PulledSnapshot out;
  out.scope.reserve(scope.size());
  for (auto it = scope.begin(); it != scope.end();) {
    const ScopeReason reason = !it->second.only_removed    ? ScopeReason::kInDirectory
                               : in_force.count(it->first) ? ScopeReason::kRemovedButSanctioned
                                                           : ScopeReason::kRemovedFromDirectory;
    std::sort(it->second.entries.begin(), it->second.entries.end(),
              [](const ScopeEntryRow& a, const ScopeEntryRow& b) {
                return std::tie(b.year, a.name) < std::tie(a.year, b.name);  // newest year first
              });
    out.scope.push_back({it->first, it->second.name, reason, it->second.entries});
    if (!InScope(reason)) {
      it = scope.erase(it);
    } else {
      codes.push_back(it->first);
      ++it;
    }
  }
  std::vector<SanctionFact> sanctions;
  for (const SanctionFact& s : all_sanctions) {
    if (scope.count(s.credit_code)) sanctions.push_back(s);
  }
  out.sources.push_back({"registry", "ListDirectoryEntries+ListSanctions", year, absl::Now(),
                         static_cast<int>(codes.size()), "", "", ""});

  // 3. The three batch sources, side by side.
  std::map<std::string, tracking::v1::InstitutionProjectMetrics> projects;
  std::map<std::string, training::v1::InstitutionTestScores> tests;
  std::map<std::string, feedback::v1::InstitutionFeedbackMetrics> feedback;
  SourcePull tracking_pull{"tracking", "BatchGetProjectMetrics", year - 1, {}, 0, "", "", ""};
  SourcePull training_pull{"training", "BatchGetTestScores", year, {}, 0, "", "", ""};
  SourcePull feedback_pull{"feedback", "BatchGetFeedbackMetrics", year - 1, {}, 0, "", "", ""};
  absl::Status tracking_status, training_status, feedback_status;

  auto batches = [&codes](int size) {
    std::vector<std::pair<size_t, size_t>> out;
    for (size_t i = 0; i < codes.size(); i += size) {
      out.emplace_back(i, std::min(codes.size(), i + size));
    }
    return out;
  };
  auto run_tracking = [&]() -> absl::Status {
    std::set<std::string> revisions;
    for (auto [from, to] : batches(kTrackingBatch)) {
      tracking::v1::BatchGetProjectMetricsRequest req;
      req.set_year(year - 1);
      for (size_t i = from; i < to; ++i) req.add_credit_codes(codes[i]);
      tracking::v1::BatchGetProjectMetricsResponse resp;
      grpc::ClientContext ctx;
      context(ctx);
      grpc::Status st = stubs_->tracking->BatchGetProjectMetrics(&ctx, req, &resp);
      if (!st.ok()) return Down("tracking", addresses_.tracking, tracking_pull.method, st);
      for (auto& m : *resp.mutable_metrics()) projects[m.credit_code()] = std::move(m);
      tracking_pull.intake_mode = tracking::v1::IntakeMode_Name(resp.intake_mode());
      tracking_pull.as_of = wire::TimestampText(resp.as_of());
      revisions.insert(resp.source_revision());
    }
    // Several batches must have seen one data state, or the figures would be a mix.
    if (revisions.size() > 1) {
      return Down("tracking", addresses_.tracking, tracking_pull.method,
                  "the data changed between batches");
    }
    if (!revisions.empty()) tracking_pull.source_revision = *revisions.begin();
    tracking_pull.pulled_at = absl::Now();
    return absl::OkStatus();
  };
  auto run_training = [&]() -> absl::Status {
    for (auto [from, to] : batches(kTrainingBatch)) {
      training::v1::BatchGetTestScoresRequest req;
      req.set_year(year);
      for (size_t i = from; i < to; ++i) req.add_credit_codes(codes[i]);
      training::v1::BatchGetTestScoresResponse resp;
      grpc::ClientContext ctx;
      context(ctx);
      grpc::Status st = stubs_->training->BatchGetTestScores(&ctx, req, &resp);
      if (!st.ok()) return Down("training", addresses_.training, training_pull.method, st);
      for (auto& s : *resp.mutable_scores()) tests[s.credit_code()] = std::move(s);
    }
    training_pull.pulled_at = absl::Now();
    return absl::OkStatus();
  };
  auto run_feedback = [&]() -> absl::Status {
    for (auto [from, to] : batches(kFeedbackBatch)) {
      feedback::v1::BatchGetFeedbackMetricsRequest req;
      req.set_year(year - 1);
      for (size_t i = from; i < to; ++i) req.add_credit_codes(codes[i]);
      feedback::v1::BatchGetFeedbackMetricsResponse resp;
      grpc::ClientContext ctx;
      context(ctx);
      grpc::Status st = stubs_->feedback->BatchGetFeedbackMetrics(&ctx, req, &resp);
      if (!st.ok()) return Down("feedback", addresses_.feedback, feedback_pull.method, st);
      for (auto& m : *resp.mutable_metrics()) feedback[m.credit_code()] = std::move(m);
    }
    feedback_pull.pulled_at = absl::Now();
    return absl::OkStatus();
  };
  if (!codes.empty()) {
    std::thread t1([&] { tracking_status = run_tracking(); });
    std::thread t2([&] { training_status = run_training(); });
    feedback_status = run_feedback();
    t1.join();
    t2.join();
  }
  for (const absl::Status* s : {&tracking_status, &training_status, &feedback_status}) {
    if (!s->ok()) return *s;
  }

  // 4. One row per institution; a source that left one out answered incompletely.
  out.institutions.reserve(codes.size());
  for (const std::string& code : codes) {
    auto p = projects.find(code);
    if (p == projects.end()) {
      return Down("tracking", addresses_.tracking, tracking_pull.method,
                  absl::StrCat("no figures for ", code));
    }
    auto t = tests.find(code);
    if (t == tests.end()) {
      return Down("training", addresses_.training, training_pull.method,
                  absl::StrCat("no figures for ", code));
    }
    auto f = feedback.find(code);
    if (f == feedback.end()) {
      return Down("feedback", addresses_.feedback, feedback_pull.method,
                  absl::StrCat("no figures for ", code));
    }
    const Scoped& s = scope[code];
    SnapshotInstitution in;
    in.credit_code = code;
    in.display_name = s.name;
    in.directory_years.assign(s.years.begin(), s.years.end());
    in.declared_diagnosis = p->second.declared_diagnosis_count();
    in.declared_solution_design = p->second.declared_solution_design_count();
    in.approved_diagnosis = p->second.approved_diagnosis_count();
    in.approved_solution_design = p->second.approved_solution_design_count();
    in.project_source = ProjectSource(tracking_pull.source_revision, p->second);
    for (const auto& test : t->second.tests()) {
      in.tests.push_back({test.session(), test.score_hundredths(), test.full_marks_hundredths(),
                          test.unexcused_absence(), test.no_result_at_close()});
    }
    in.excuses_pending = t->second.excuses_pending();
    in.test_results_missing = t->second.open_sessions_without_result();
    const auto& c = f->second.content();
    const auto& r = f->second.results();
    in.content = {c.very_satisfied(), c.fairly_satisfied(), c.average(), c.unsatisfied()};
    in.results = {r.very_satisfied(), r.fairly_satisfied(), r.average(), r.unsatisfied()};
    in.verified_complaints = f->second.verified_complaints();
    in.verified_serious_complaints = f->second.verified_serious_complaints();
    out.institutions.push_back(std::move(in));
  }
  auto exclusions = ExclusionsFrom(sanctions);
  for (SnapshotInstitution& in : out.institutions) {
    auto e = exclusions.find(in.credit_code);
    if (e == exclusions.end()) continue;
    in.exclusion = e->second.first;
    in.exclusion_source = e->second.second;
  }
  if (!codes.empty()) {
    tracking_pull.institutions = training_pull.institutions = feedback_pull.institutions =
        static_cast<int>(codes.size());
    out.sources.push_back(std::move(tracking_pull));
    out.sources.push_back(std::move(training_pull));
    out.sources.push_back(std::move(feedback_pull));
  }
  return out;
}

}  // namespace zhigai::evaluation
