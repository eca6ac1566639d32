// Tracking BatchPushProjects: the input is a serialized BatchPushProjectsRequest; each record
// is turned into the domain's input exactly as handlers_projects.cc does (enums by name) and
// checked by ValidateProjectRecord. Invariants: every violation names a record field with a
// rule ID; the verdict is deterministic; an accepted record keeps its identity and text, has
// revision >= 1, subsidy >= 0, an outcome date exactly when decided and not before the
// declaration; its content hash is stable and equal for an identical record.
#include <cstdint>
#include <iterator>
#include <set>
#include <string>

#include "libs/core/dates.h"
#include "services/tracking/domain/content_hash.h"
#include "services/tracking/domain/project_record.h"
#include "services/tracking/wire.h"
#include "tests/fuzz/fuzz_check.h"
#include "zhigai/tracking/v1/tracking.pb.h"

namespace {

using namespace zhigai;
using fuzz::Require;
namespace v1 = tracking::v1;

void RequireOutcome(const tracking::BureauOutcome& o, const std::string& text,
                    absl::CivilDay declared) {
  bool decided = o.outcome != tracking::ProjectOutcome::kPending;
  Require(decided == o.decided_on.has_value(), "an outcome date without a decision or vice versa");
  if (o.decided_on) {
    Require(core::FormatDate(*o.decided_on) == text, "an outcome date changed");
    Require(*o.decided_on >= declared, "decided before it was declared");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  v1::BatchPushProjectsRequest req;
  if (!req.ParseFromArray(data, static_cast<int>(size))) return 0;
  static const std::set<std::string> kFields(std::begin(tracking::kProjectRecordFields),
                                             std::end(tracking::kProjectRecordFields));
  for (const auto& wire : req.records()) {
    auto in = tracking::ProjectInputFromWire(wire);
    auto record = tracking::ValidateProjectRecord(in);
    fuzz::RequireExplained(record.status());
    for (const auto& v : ViolationsOf(record.status())) {
      Require(kFields.count(v.field) == 1, "a violation names no record field");
    }
    auto again = tracking::ValidateProjectRecord(in);
    fuzz::RequireSameVerdict(record.status(), again.status());
    if (!record.ok()) continue;
    Require(*again == *record, "validation is not deterministic (record)");
    Require(record->project_id == in.project_id && record->revision == in.revision &&
                record->institution_credit_code == in.institution_credit_code &&
                record->enterprise_credit_code == in.enterprise_credit_code &&
                record->subsidy_fen == in.subsidy_fen,
            "an accepted record changed a field");
    Require(record->revision >= 1 && record->subsidy_fen >= 0, "a negative count was accepted");
    Require(core::FormatDate(record->declaration_date) == in.declaration_date,
            "the declaration date changed");
    RequireOutcome(record->city, in.city_outcome_date, record->declaration_date);
    RequireOutcome(record->county, in.county_outcome_date, record->declaration_date);
    Require(tracking::ProjectRecordHash(*record) == tracking::ProjectRecordHash(*again),
            "the content hash is not stable");
  }
  return 0;
}
