#include "libs/institution/profile.h"

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/util/field_mask_util.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/contact.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/text.h"
#include "libs/wire/typed_time.h"

namespace zhigai::institution {
namespace {

using v1::Institution;

// Character limits of the form's free-text fields (DESIGN.md: products ≤ 300 characters).
constexpr size_t kNameMax = 100;
constexpr size_t kShortTextMax = 100;
constexpr size_t kLongTextMax = 500;
constexpr size_t kProductsMax = 300;
constexpr size_t kOtherIndustriesMax = 200;
constexpr int64_t kMaxRevenueFen = 100'000'000'000'000LL;  // 1 万亿元: beyond any applicant

std::string F(absl::string_view prefix, absl::string_view field) {
  return absl::StrCat(prefix, ".", field);
}

void CheckAddress(const common::v1::Address& a, absl::string_view path, bool required,
                  const ReferenceData& ref, Violations& v) {
  v.Absorb(core::ValidateLine(a.province(), F(path, "province"), required ? 1 : 0, 20, "FORMAT"));
  v.Absorb(core::ValidateLine(a.city(), F(path, "city"), required ? 1 : 0, 20, "FORMAT"));
  v.Absorb(core::ValidateLine(a.district(), F(path, "district"), 0, 30, "FORMAT"));
  v.Absorb(core::ValidateLine(a.street(), F(path, "street"), 0, 200, "FORMAT"));
  if (!a.division_code().empty()) {
    v.Absorb(ref.divisions.ValidateDivision(a.division_code(), F(path, "division_code")));
  }
}

void CheckPerson(const common::v1::Person& p, absl::string_view path, Violations& v) {
  v.Absorb(core::ValidateLine(p.name(), F(path, "name"), 1, 50, "FORMAT"));
  v.Absorb(core::ValidateLine(p.title(), F(path, "title"), 0, 50, "FORMAT"));
  if (!p.phone().empty()) v.Absorb(core::ValidatePhone(p.phone(), F(path, "phone")));
  if (!p.email().empty()) v.Absorb(core::ValidateEmail(p.email(), F(path, "email")));
  if (p.phone().empty() && p.email().empty()) {
    v.Add(F(path, "phone"), "FORMAT", "a phone number or an e-mail address is required");
  }
}

}  // namespace

absl::Status ValidateInstitution(const Institution& in, const ReferenceData& ref,
                                 absl::string_view prefix) {
  Violations v;
  v.Absorb(core::ValidateCreditCode(in.credit_code(), F(prefix, "credit_code")));
  v.Absorb(core::ValidateLine(in.display_name(), F(prefix, "display_name"), 1, kNameMax, "FORMAT"));
  if (in.legal_form() == v1::LEGAL_FORM_UNSPECIFIED || !v1::LegalForm_IsValid(in.legal_form())) {
    v.Add(F(prefix, "legal_form"), "R5.1",
          "legal form is required: INDEPENDENT_LEGAL_PERSON, BRANCH or SOCIAL_ORGANISATION");
  }
  if (in.has_founded_date()) {
    auto day = wire::ParseDate(in.founded_date(), F(prefix, "founded_date"));
    if (!day.ok())
      v.Absorb(day.status());
    else
      v.Absorb(core::CheckYearRange(*day, F(prefix, "founded_date"), 1949, 2100));
  } else {
    v.Add(F(prefix, "founded_date"), "FORMAT", "date founded (成立时间) is required, YYYY-MM-DD");
  }
  CheckAddress(in.registered_address(), F(prefix, "registered_address"), true, ref, v);
  CheckAddress(in.office_address(), F(prefix, "office_address"), false, ref, v);
  if (in.ownership() == v1::OWNERSHIP_UNSPECIFIED || !v1::Ownership_IsValid(in.ownership())) {
    v.Add(F(prefix, "ownership"), "FORMAT", "ownership (单位性质) is required");
  }
  if (in.previous_year_revenue_fen() < 0 || in.previous_year_revenue_fen() > kMaxRevenueFen) {
    v.Add(F(prefix, "previous_year_revenue_fen"), "FORMAT",
          "revenue must be between 0 and 10^14 fen");
  }
  if (in.directions().empty()) {
    v.Add(F(prefix, "directions"), "R3.1", "at least one business direction is required");
  }
  std::set<int> seen;
  for (int d : in.directions()) {
    if (d == common::v1::DIRECTION_UNSPECIFIED || !common::v1::Direction_IsValid(d)) {
      v.Add(F(prefix, "directions"), "R3.1", "direction must be CONSULTING or TRAINING");
    } else if (!seen.insert(d).second) {
      v.Add(F(prefix, "directions"), "R3.1", "a direction is listed twice");
    }
  }
  if (in.has_legal_representative()) {
    CheckPerson(in.legal_representative(), F(prefix, "legal_representative"), v);
  }
  if (in.has_contact()) CheckPerson(in.contact(), F(prefix, "contact"), v);
  for (auto [value, name] : {std::pair{in.staff_resident_in_wenzhou(), "staff_resident_in_wenzhou"},
                             std::pair{in.staff_intermediate_title(), "staff_intermediate_title"},
                             std::pair{in.staff_senior_title(), "staff_senior_title"}}) {
    if (value < 0 || value > 100000) {
      v.Add(F(prefix, name), "FORMAT", "staff count must be between 0 and 100000");
    }
  }
  v.Absorb(core::ValidateText(in.ministry_or_province_recommendation(),
                              F(prefix, "ministry_or_province_recommendation"), 0, kLongTextMax,
                              "FORMAT"));
  v.Absorb(core::ValidateLine(in.recommendation_proof_document(),
                              F(prefix, "recommendation_proof_document"), 0, kShortTextMax,
                              "FORMAT"));
  v.Absorb(core::ValidateText(in.standards_drafting(), F(prefix, "standards_drafting"), 0,
                              kLongTextMax, "FORMAT"));
  v.Absorb(core::ValidateText(in.pilot_projects(), F(prefix, "pilot_projects"), 0, kLongTextMax,
                              "FORMAT"));
  v.Absorb(core::ValidateText(in.products_and_strengths(), F(prefix, "products_and_strengths"), 0,
                              kProductsMax, "FORMAT"));
  for (const auto& code : in.key_industry_codes()) {
    v.Absorb(ref.industries.ValidateCode(code, F(prefix, "key_industry_codes")));
  }
  v.Absorb(core::ValidateText(in.key_industries_other(), F(prefix, "key_industries_other"), 0,
                              kOtherIndustriesMax, "FORMAT"));
  return v.Finish("机构信息有误");
}

namespace {

// Fields an institution may keep up to date itself; registration facts (name, legal form,
// founding, registered address, ownership, directions) change only through a bureau.
const std::set<std::string>& InstitutionEditable() {
  static const auto* s = new std::set<std::string>{"office_address",
                                                   "contact",
                                                   "legal_representative",
                                                   "previous_year_revenue_fen",
                                                   "staff_resident_in_wenzhou",
                                                   "staff_intermediate_title",
                                                   "staff_senior_title",
                                                   "ministry_or_province_recommendation",
                                                   "recommendation_proof_document",
                                                   "standards_drafting",
                                                   "pilot_projects",
                                                   "products_and_strengths",
                                                   "key_industry_codes",
                                                   "key_industries_other"};
  return *s;
}

const std::set<std::string>& OutputOnly() {
  static const auto* s =
      new std::set<std::string>{"name", "credit_code", "version", "create_time", "update_time"};
  return *s;
}

}  // namespace

absl::StatusOr<Institution> ApplyUpdate(const Institution& current, const Institution& patch,
                                        const google::protobuf::FieldMask& mask,
                                        const auth::Principal& who) {
  if (mask.paths().empty()) {
    return InvalidField("update_mask", "AIP-134", "update_mask must name the fields to change",
                        "请指定要修改的字段");
  }
  for (const std::string& path : mask.paths()) {
    if (!Institution::descriptor()->FindFieldByName(path)) {
      return InvalidField(
          "update_mask", "AIP-134",
          absl::StrCat("unknown or nested field '", path, "'; name top-level fields"), "未知字段");
    }
    if (OutputOnly().count(path)) {
      return InvalidField(absl::StrCat("institution.", path), "AIP-134",
                          "this field cannot be changed", "该字段不可修改");
    }
    if (who.role == auth::Role::kInstitution && !InstitutionEditable().count(path)) {
      return Error(absl::StatusCode::kPermissionDenied, "FIELD_NOT_EDITABLE_BY_INSTITUTION",
                   absl::StrCat("an institution may not change '", path,
                                "'; registration facts change through a bureau"),
                   "机构不能修改登记信息，请联系经信部门");
    }
  }
  Institution next = current;
  // Masked fields are replaced wholesale (a masked address or list is the new value, not a
  // merge), which is what AIP-134 callers expect.
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, options, &next);
  return next;
}

// zhigai's own services are not on the list: none of them needs an institution's contact person
// or legal representative (review sends them to CreateInstitution on admission and holds them in
// the application already), so they get the redacted form like any other reader.
bool MaySeePersonalData(const auth::Principal& who, absl::string_view credit_code) {
  if (who.IsBureau()) return true;
  return who.role == auth::Role::kInstitution && who.credit_code == credit_code;
}

void RedactPersonalData(Institution* institution) {
  institution->clear_legal_representative();
  institution->clear_contact();
}

}  // namespace zhigai::institution
