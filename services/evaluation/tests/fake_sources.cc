#include "services/evaluation/tests/fake_sources.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/credit_code.h"
#include "libs/server/call.h"
#include "libs/server/host.h"
#include "libs/wire/testing/literals.h"

namespace zhigai::evaluation::testing {
namespace {

// The pull must come from a zhigai service with the internal proof; anything else is refused
// as the real services would.
grpc::Status Admit(FakeData& data, grpc::ServerContext* ctx, const std::string& source,
                   const std::string& method) {
  auto call = server::ReadCall(*ctx, kProof, method);
  std::lock_guard<std::mutex> lock(data.mu);
  ++data.calls[method];
  if (!call.ok()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad proof");
  if (call->principal.role != auth::Role::kService || call->principal.subject != "evaluation") {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "SERVICE principal expected");
  }
  if (data.down[source]) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused");
  return grpc::Status::OK;
}

class Registry final : public registry::v1::RegistryService::Service {
 public:
  explicit Registry(FakeData& d) : d_(d) {}
  grpc::Status ListDirectoryEntries(grpc::ServerContext* ctx,
                                    const registry::v1::ListDirectoryEntriesRequest* req,
                                    registry::v1::ListDirectoryEntriesResponse* resp) override {
    if (auto s = Admit(d_, ctx, "registry", "ListDirectoryEntries"); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(d_.mu);
    std::vector<const registry::v1::DirectoryEntry*> matching;
    for (const auto& e : d_.directory[req->year()]) {
      if (req->level() != common::v1::DIRECTORY_LEVEL_UNSPECIFIED && e.level() != req->level()) {
        continue;
      }
      auto status = req->status() == registry::v1::ENTRY_STATUS_UNSPECIFIED ? registry::v1::ACTIVE
                                                                            : req->status();
      if (e.status() != status) continue;
      matching.push_back(&e);
    }
    Page(matching, req->page_size(), req->page_token(), resp->mutable_entries(),
         resp->mutable_next_page_token());
    return grpc::Status::OK;
  }
  grpc::Status ListSanctions(grpc::ServerContext* ctx,
                             const registry::v1::ListSanctionsRequest* req,
                             registry::v1::ListSanctionsResponse* resp) override {
    if (auto s = Admit(d_, ctx, "registry", "ListSanctions"); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(d_.mu);
    std::vector<const registry::v1::Sanction*> all;
    for (const auto& s : d_.sanctions[req->year()]) all.push_back(&s);
    Page(all, req->page_size(), req->page_token(), resp->mutable_sanctions(),
         resp->mutable_next_page_token());
    return grpc::Status::OK;
  }

 private:
  // Small pages (at most 2) so that the pull's paging loop is exercised.
  template <typename T, typename Out>
  static void Page(const std::vector<const T*>& all, int size, const std::string& token, Out* out,
                   std::string* next) {
    size_t from = 0;
    if (!token.empty()) absl::SimpleAtoi(token, &from);
    size_t page = std::min<size_t>(size <= 0 ? 50 : size, 2);
    for (size_t i = from; i < all.size() && i < from + page; ++i) *out->Add() = *all[i];
    if (from + page < all.size()) *next = absl::StrCat(from + page);
  }
  FakeData& d_;
};

class Tracking final : public tracking::v1::TrackingService::Service {
 public:
  explicit Tracking(FakeData& d) : d_(d) {}
  grpc::Status BatchGetProjectMetrics(grpc::ServerContext* ctx,
                                      const tracking::v1::BatchGetProjectMetricsRequest* req,
                                      tracking::v1::BatchGetProjectMetricsResponse* resp) override {
    if (auto s = Admit(d_, ctx, "tracking", "BatchGetProjectMetrics"); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(d_.mu);
    for (const std::string& code : req->credit_codes()) {
      auto it = d_.projects.find({req->year(), code});
      tracking::v1::InstitutionProjectMetrics m;
      if (it != d_.projects.end()) m = it->second;
      m.set_credit_code(code);
      *resp->add_metrics() = m;
    }
    resp->set_intake_mode(tracking::v1::RECORDS);
    *resp->mutable_as_of() = wire::testing::T("2030-01-02T03:04:05Z");
    resp->set_source_revision(d_.revision.count(req->year())
                                  ? d_.revision[req->year()]
                                  : absl::StrCat("records:", req->year(), ":0"));
    return grpc::Status::OK;
  }

 private:
  FakeData& d_;
};

class Training final : public training::v1::TrainingService::Service {
 public:
  explicit Training(FakeData& d) : d_(d) {}
  grpc::Status BatchGetTestScores(grpc::ServerContext* ctx,
                                  const training::v1::BatchGetTestScoresRequest* req,
                                  training::v1::BatchGetTestScoresResponse* resp) override {
    if (auto s = Admit(d_, ctx, "training", "BatchGetTestScores"); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(d_.mu);
    for (const std::string& code : req->credit_codes()) {
      auto it = d_.tests.find({req->year(), code});
      training::v1::InstitutionTestScores t;
      if (it != d_.tests.end()) t = it->second;
      t.set_credit_code(code);
      *resp->add_scores() = t;
    }
    return grpc::Status::OK;
  }

 private:
  FakeData& d_;
};

class Feedback final : public feedback::v1::FeedbackService::Service {
 public:
  explicit Feedback(FakeData& d) : d_(d) {}
  grpc::Status BatchGetFeedbackMetrics(
      grpc::ServerContext* ctx, const feedback::v1::BatchGetFeedbackMetricsRequest* req,
      feedback::v1::BatchGetFeedbackMetricsResponse* resp) override {
    if (auto s = Admit(d_, ctx, "feedback", "BatchGetFeedbackMetrics"); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(d_.mu);
    for (const std::string& code : req->credit_codes()) {
      auto it = d_.feedback.find({req->year(), code});
      feedback::v1::InstitutionFeedbackMetrics m;
      if (it != d_.feedback.end()) m = it->second;
      m.set_credit_code(code);
      m.mutable_content();
      m.mutable_results();
      *resp->add_metrics() = m;
    }
    return grpc::Status::OK;
  }

 private:
  FakeData& d_;
};

}  // namespace

std::string Code(const char* tag, int n) {
  const std::string first17 = absl::StrFormat("9133030000%s%05d", tag, n);
  auto check = core::CreditCodeCheckChar(first17);
  if (!check) std::abort();
  return first17 + *check;
}

struct FakeSources::Services {
  explicit Services(FakeData& d) : registry(d), tracking(d), training(d), feedback(d) {}
  Registry registry;
  Tracking tracking;
  Training training;
  Feedback feedback;
};

FakeSources::FakeSources() : services_(std::make_unique<Services>(data_)) {
  int port = 0;
  server_ = server::StartServer(
      {&services_->registry, &services_->tracking, &services_->training, &services_->feedback},
      "127.0.0.1:0", nullptr, &port);
  address_ = absl::StrCat("127.0.0.1:", port);
}

FakeSources::~FakeSources() { server_->Shutdown(); }

int FakeSources::Calls(const std::string& method) {
  std::lock_guard<std::mutex> lock(data_.mu);
  return data_.calls[method];
}

void FakeSources::SetDown(const std::string& source, bool down) {
  std::lock_guard<std::mutex> lock(data_.mu);
  data_.down[source] = down;
}

void FakeSources::AddEntry(int year, const std::string& code, const std::string& name,
                           common::v1::Direction direction, registry::v1::EntryStatus status) {
  std::lock_guard<std::mutex> lock(data_.mu);
  registry::v1::DirectoryEntry e;
  e.set_name(absl::StrCat("directoryEntries/", data_.directory[year].size() + 1));
  e.set_year(year);
  e.set_level(common::v1::CITY);
  e.set_credit_code(code);
  e.set_institution_display_name(name);
  e.set_direction(direction);
  e.set_status(status);
  data_.directory[year].push_back(e);
}

void FakeSources::AddSanction(int year, const std::string& code, registry::v1::SanctionKind kind,
                              bool lifted) {
  std::lock_guard<std::mutex> lock(data_.mu);
  registry::v1::Sanction s;
  s.set_name(absl::StrCat("sanctions/", year * 100 + data_.sanctions[year].size() + 1));
  s.set_credit_code(code);
  s.set_kind(kind);
  s.set_lifted(lifted);
  data_.sanctions[year].push_back(s);
}

// Only the int64 fields: evaluation must not read the saturating int32 copies.
void FakeSources::SetProjects(int year, const std::string& code, int64_t dd, int64_t ds, int64_t ad,
                              int64_t asd) {
  std::lock_guard<std::mutex> lock(data_.mu);
  tracking::v1::InstitutionProjectMetrics m;
  m.set_credit_code(code);
  m.set_declared_diagnosis_count(dd);
  m.set_declared_solution_design_count(ds);
  m.set_approved_diagnosis_count(ad);
  m.set_approved_solution_design_count(asd);
  data_.projects[{year, code}] = m;
}

void FakeSources::AddCountsUsed(int year, const std::string& code, common::v1::ServiceKind kind,
                                int64_t revision, const std::string& as_of) {
  std::lock_guard<std::mutex> lock(data_.mu);
  auto* used = data_.projects[{year, code}].add_counts_used();
  used->set_kind(kind);
  used->set_revision(revision);
  if (!as_of.empty()) *used->mutable_as_of() = wire::testing::T(as_of);
}

void FakeSources::SetTests(int year, const std::string& code,
                           std::vector<std::pair<int64_t, int64_t>> tests, int excuses_pending) {
  std::lock_guard<std::mutex> lock(data_.mu);
  training::v1::InstitutionTestScores t;
  t.set_credit_code(code);
  int n = 0;
  for (auto [score, full] : tests) {
    auto* s = t.add_tests();
    s->set_session(absl::StrCat("testSessions/", ++n));
    s->set_score_hundredths(score < 0 ? 0 : score);
    s->set_full_marks_hundredths(full);
    s->set_unexcused_absence(score < 0);
  }
  t.set_excuses_pending(excuses_pending);
  data_.tests[{year, code}] = t;
}

void FakeSources::SetFeedback(int year, const std::string& code, std::vector<int> content,
                              std::vector<int> results, int verified, int serious) {
  std::lock_guard<std::mutex> lock(data_.mu);
  feedback::v1::InstitutionFeedbackMetrics m;
  m.set_credit_code(code);
  auto fill = [](feedback::v1::RatingCounts* r, const std::vector<int>& v) {
    r->set_very_satisfied(v.size() > 0 ? v[0] : 0);
    r->set_fairly_satisfied(v.size() > 1 ? v[1] : 0);
    r->set_average(v.size() > 2 ? v[2] : 0);
    r->set_unsatisfied(v.size() > 3 ? v[3] : 0);
  };
  fill(m.mutable_content(), content);
  fill(m.mutable_results(), results);
  m.set_verified_complaints(verified);
  m.set_verified_serious_complaints(serious);
  data_.feedback[{year, code}] = m;
}

}  // namespace zhigai::evaluation::testing
