// In-process gRPC stand-ins for the four source services, answering only what the pull asks
// (directory, sanctions, the three batch metrics) from figures a test sets per year. Each
// checks that the caller is a SERVICE principal with the internal proof, pages like the real
// registry, counts its calls, and can be made to fail as if down.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "libs/server/host.h"
#include "zhigai/feedback/v1/feedback.grpc.pb.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"
#include "zhigai/tracking/v1/tracking.grpc.pb.h"
#include "zhigai/training/v1/training.grpc.pb.h"

namespace zhigai::evaluation::testing {

inline constexpr char kProof[] = "test-proof";

// A valid credit code (R0.1) numbered n in the family `tag` (two characters of the code set).
std::string Code(const char* tag, int n);

struct FakeData {
  std::mutex mu;
  std::map<int, std::vector<registry::v1::DirectoryEntry>> directory;  // by year
  std::map<int, std::vector<registry::v1::Sanction>> sanctions;        // in force in year
  std::map<std::pair<int, std::string>, tracking::v1::InstitutionProjectMetrics> projects;
  std::map<int, std::string> revision;  // tracking source_revision by year
  std::map<std::pair<int, std::string>, training::v1::InstitutionTestScores> tests;
  std::map<std::pair<int, std::string>, feedback::v1::InstitutionFeedbackMetrics> feedback;
  // Sources answering UNAVAILABLE: "registry", "tracking", "training", "feedback".
  std::map<std::string, bool> down;
  std::map<std::string, int> calls;  // by method name
};

class FakeSources {
 public:
  FakeSources();
  ~FakeSources();
  FakeData& data() { return data_; }
  std::string address() const { return address_; }
  int Calls(const std::string& method);
  void SetDown(const std::string& source, bool down);

  // Helpers that fill the figures of one institution.
  void AddEntry(int year, const std::string& code, const std::string& name,
                common::v1::Direction direction,
                registry::v1::EntryStatus status = registry::v1::ACTIVE);
  void AddSanction(int year, const std::string& code, registry::v1::SanctionKind kind,
                   bool lifted = false);
  void SetProjects(int year, const std::string& code, int64_t declared_diagnosis,
                   int64_t declared_solution_design, int64_t approved_diagnosis,
                   int64_t approved_solution_design);
  // Counts mode: the platform row behind one kind of the institution's figures.
  void AddCountsUsed(int year, const std::string& code, common::v1::ServiceKind kind,
                     int64_t revision, const std::string& as_of);
  // Each test: {score, full marks} in hundredths; unexcused when score < 0 (scored 0).
  void SetTests(int year, const std::string& code, std::vector<std::pair<int64_t, int64_t>> tests,
                int excuses_pending = 0);
  void SetFeedback(int year, const std::string& code, std::vector<int> content,
                   std::vector<int> results, int verified_complaints,
                   int verified_serious_complaints = 0);

 private:
  struct Services;
  FakeData data_;
  std::unique_ptr<Services> services_;
  zhigai::server::ServerPtr server_;
  std::string address_;
};

}  // namespace zhigai::evaluation::testing
