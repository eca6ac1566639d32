#include "services/review/domain/eligibility.h"

#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/errors.h"
#include "services/review/domain/staff.h"

namespace zhigai::review {
namespace {

ChecklistLine Line(absl::string_view rule, LineResult result, std::string en, std::string zh,
                   std::vector<Figure> figures) {
  ChecklistLine line;
  line.rule_id = std::string(rule);
  line.result = result;
  line.reason_en = std::move(en);
  line.reason_zh = std::move(zh);
  line.figures = std::move(figures);
  return line;
}

struct ConsortiumCounts {
  int leads = 0, duplicates = 0, engineering = 0, suppliers = 0, unstated = 0;
};

// R5.1 consortium: at least two members (Decision: a "consortium" of one is not one),
// exactly one lead, every member its own credit code, and (Decision 2026-12) each member's
// role stated: exactly one engineering service institution and at least one solution supplier.
std::vector<std::string> ConsortiumProblems(const std::vector<ConsortiumMember>& members,
                                            ConsortiumCounts& n) {
  std::vector<std::string> problems;
  std::set<std::string> codes;
  for (const ConsortiumMember& m : members) {
    if (m.lead) ++n.leads;
    if (!codes.insert(m.credit_code).second) ++n.duplicates;
    switch (m.role) {
      case MemberRole::kEngineeringService:
        ++n.engineering;
        break;
      case MemberRole::kSolutionSupplier:
        ++n.suppliers;
        break;
      case MemberRole::kUnstated:
        ++n.unstated;
        break;
    }
  }
  if (members.size() < 2) problems.push_back("a consortium needs at least two members");
  if (n.leads != 1)
    problems.push_back(absl::StrCat("exactly one lead member required, found ", n.leads));
  if (n.duplicates > 0) {
    problems.push_back(
        absl::StrCat(n.duplicates, " member(s) repeat another member's credit code"));
  }
  if (n.unstated > 0) {
    problems.push_back(absl::StrCat(n.unstated, " member(s) state no role"));
  }
  if (n.engineering != 1) {
    problems.push_back(absl::StrCat("exactly one engineering service institution required, found ",
                                    n.engineering));
  }
  if (n.suppliers < 1) problems.push_back("at least one solution supplier required, found 0");
  return problems;
}

ChecklistLine CheckOrganisation(const Applicant& applicant) {
  std::vector<Figure> figures;
  if (!applicant.consortium.empty()) {
    ConsortiumCounts n;
    std::vector<std::string> problems = ConsortiumProblems(applicant.consortium, n);
    figures = {{"consortium_members", static_cast<int64_t>(applicant.consortium.size())},
               {"lead_members", n.leads},
               {"duplicate_credit_codes", n.duplicates},
               {"engineering_service_members", n.engineering},
               {"solution_supplier_members", n.suppliers}};
    if (!problems.empty()) {
      return Line("R5.1", LineResult::kFail,
                  absl::StrCat("consortium is malformed: ", absl::StrJoin(problems, "; ")),
                  "联合体组成不符合要求：须至少两家成员、有且仅有一家牵头单位、各成员统一社会信用代"
                  "码互不相同，且由一家工程服务机构和至少一家解决方案供应商组成",
                  std::move(figures));
    }
  }
  switch (applicant.legal_form) {
    case LegalForm::kIndependentLegalPerson:
      return Line("R5.1", LineResult::kPass, "the applicant is an independent legal person",
                  "申报单位具有独立法人资格", std::move(figures));
    case LegalForm::kBranch:
    case LegalForm::kSocialOrganisation:
      // Decision (R5.1): a branch or social organisation that is not a legal person is
      // never rejected automatically; the city bureau decides.
      return Line("R5.1", LineResult::kNeedsManualDecision,
                  applicant.legal_form == LegalForm::kBranch
                      ? "the applicant is a branch, not an independent legal person; the city "
                        "bureau decides"
                      : "the applicant is a social organisation that is not an independent legal "
                        "person; the city bureau decides",
                  "申报单位为非独立法人机构（分支机构或社会组织），由市经信局人工认定",
                  std::move(figures));
  }
  return Line("R5.1", LineResult::kFail, "unknown legal form", "单位性质未知", {});
}

ChecklistLine CheckTrackRecord(const DirectionRules& rules, int call_year, int default_threshold,
                               const std::vector<TrackRecordItem>& items) {
  const int year = call_year - 1;  // R5.2: 上年度, the calendar year before the call year
  const TrackRecordKind wanted = rules.direction == Direction::kConsulting
                                     ? TrackRecordKind::kProjectCase
                                     : TrackRecordKind::kTrainingEvent;
  int counted = 0;
  int outside_year = 0;
  for (const TrackRecordItem& item : items) {
    if (item.kind != wanted) continue;
    if (wanted == TrackRecordKind::kProjectCase && !item.successful) continue;
    if (item.date.year() == year) {
      ++counted;
    } else {
      ++outside_year;
    }
  }
  const int threshold = rules.track_record_threshold.value_or(default_threshold);
  const bool pass = counted >= threshold;
  const absl::string_view what_en = wanted == TrackRecordKind::kProjectCase
                                        ? "successful project cases"
                                        : "training or promotion events";
  const absl::string_view what_zh =
      wanted == TrackRecordKind::kProjectCase ? "成功项目服务案例" : "推广培训活动";
  ChecklistLine line =
      Line("R5.2", pass ? LineResult::kPass : LineResult::kFail,
           absl::StrCat(DirectionName(rules.direction), ": ", counted, " ", what_en, " in ", year,
                        ", at least ", threshold, " required"),
           absl::StrCat(DirectionChinese(rules.direction), "：", year, " 年", what_zh, " ", counted,
                        " 个，要求不少于 ", threshold, " 个"),
           {{"counted", counted},
            {"threshold", threshold},
            {"year", year},
            {"outside_year", outside_year}});
  line.direction = rules.direction;
  return line;
}

ChecklistLine CheckStaff(const std::vector<StaffMember>& staff, absl::CivilDay closing_date,
                         const ApplicationRules& rules) {
  const int required = rules.min_qualified_resident_staff;
  int resident_qualified = 0;
  int non_resident_qualified = 0;
  for (const StaffMember& member : staff) {
    if (!IsQualifiedProfessional(member, closing_date, rules)) continue;
    if (member.resident_in_wenzhou) {
      ++resident_qualified;
    } else {
      ++non_resident_qualified;  // shown for the reader, never counted
    }
  }
  const bool pass = resident_qualified >= required;
  return Line(
      "R5.3", pass ? LineResult::kPass : LineResult::kFail,
      absl::StrCat(resident_qualified,
                   " qualified professionals resident in Wenzhou (years of work to ",
                   absl::FormatCivilTime(closing_date), "), at least ", required, " required"),
      absl::StrCat("常驻温州且具备中级及以上职称（或视同）的专业人员 ", resident_qualified,
                   " 人，要求不少于 ", required, " 人"),
      {{"qualified_resident_staff", resident_qualified},
       {"threshold", required},
       {"qualified_non_resident_staff", non_resident_qualified}});
}

struct AspectName {
  QualityAspect aspect;
  absl::string_view en;
  absl::string_view zh;
};
constexpr AspectName kAspects[] = {
    {QualityAspect::kStaff, "STAFF", "服务人员"},
    {QualityAspect::kServiceProcess, "SERVICE_PROCESS", "服务流程"},
    {QualityAspect::kServiceStandards, "SERVICE_STANDARDS", "服务标准"},
    {QualityAspect::kDeliverables, "DELIVERABLES", "服务成果"},
};

ChecklistLine CheckQualityControl(const std::vector<QualityControlEntry>& entries) {
  // Decision (R5.4): each of the four aspects is declared with a document; any missing fails.
  std::vector<absl::string_view> missing_en;
  std::vector<absl::string_view> missing_zh;
  for (const AspectName& a : kAspects) {
    bool covered = false;
    for (const QualityControlEntry& e : entries) {
      if (e.aspect == a.aspect && !e.document_id.empty()) covered = true;
    }
    if (!covered) {
      missing_en.push_back(a.en);
      missing_zh.push_back(a.zh);
    }
  }
  const int required = static_cast<int>(std::size(kAspects));
  const int covered = required - static_cast<int>(missing_en.size());
  std::vector<Figure> figures = {{"aspects_covered", covered}, {"aspects_required", required}};
  if (missing_en.empty()) {
    return Line("R5.4", LineResult::kPass,
                "quality control covers staff, service process, service standards and "
                "deliverables, each with a document",
                "质量管控体系涵盖服务人员、服务流程、服务标准、服务成果，均附有文件",
                std::move(figures));
  }
  return Line(
      "R5.4", LineResult::kFail,
      absl::StrCat("quality control is missing (no document): ", absl::StrJoin(missing_en, ", ")),
      absl::StrCat("质量管控体系缺少以下方面（无证明文件）：", absl::StrJoin(missing_zh, "、")),
      std::move(figures));
}

absl::Status CheckDirectionsApplied(const Call& call, const ApplicationFacts& facts) {
  Violations v;
  if (facts.directions.empty()) {
    v.Add("application.directions", "R3.1", "an application names at least one direction");
  }
  std::set<Direction> seen;
  for (size_t i = 0; i < facts.directions.size(); ++i) {
    const Direction d = facts.directions[i];
    const std::string field = absl::StrCat("application.directions[", i, "]");
    if (!seen.insert(d).second) {
      v.Add(field, "R3.1", absl::StrCat("direction ", DirectionName(d), " is named twice"));
    } else if (call.FindDirection(d) == nullptr) {
      v.Add(field, "R5.2", absl::StrCat("the call does not open direction ", DirectionName(d)));
    }
  }
  return v.Finish("申报业务方向有误");
}

}  // namespace

absl::StatusOr<Checklist> ComputeChecklist(const Call& call, const ApplicationFacts& facts) {
  if (call.rules.version == 0) {
    return absl::InternalError("the call carries no version of the application rules");
  }
  absl::Status directions_ok = CheckDirectionsApplied(call, facts);
  if (!directions_ok.ok()) return directions_ok;

  Checklist checklist;
  checklist.directions = facts.directions;
  checklist.lines.push_back(CheckOrganisation(facts.applicant));
  for (Direction d : facts.directions) {
    checklist.lines.push_back(CheckTrackRecord(*call.FindDirection(d), call.year,
                                               call.rules.default_track_record_threshold,
                                               facts.track_record));
  }
  checklist.lines.push_back(CheckStaff(facts.staff, call.closing_date, call.rules));
  checklist.lines.push_back(CheckQualityControl(facts.quality_control));
  return checklist;
}

}  // namespace zhigai::review
