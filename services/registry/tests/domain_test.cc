#include <google/protobuf/field_mask.pb.h>
#include <gtest/gtest.h>

#include "libs/core/errors.h"
#include "libs/core/testing/sanction_rules.h"
#include "libs/wire/testing/literals.h"
#include "services/registry/domain/profile.h"
#include "services/registry/domain/sanctions.h"

namespace zhigai::registry {
namespace {

using absl::CivilDay;

const ReferenceData& Ref() {
  static const ReferenceData* ref = [] {
    auto industries = core::IndustryCatalog::Load(ZHIGAI_DATA_DIR "/industries.tsv");
    auto divisions = core::DivisionCatalog::Load(ZHIGAI_DATA_DIR "/divisions.tsv");
    return new ReferenceData{std::move(*industries), std::move(*divisions)};
  }();
  return *ref;
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

v1::Institution Valid() {
  v1::Institution in;
  in.set_credit_code("91330302123456788P");
  in.set_display_name("温州智造咨询有限公司");
  in.set_legal_form(v1::INDEPENDENT_LEGAL_PERSON);
  *in.mutable_founded_date() = wire::testing::D("2015-03-01");
  in.mutable_registered_address()->set_province("浙江省");
  in.mutable_registered_address()->set_city("温州市");
  in.mutable_registered_address()->set_division_code("330302");
  in.set_ownership(v1::PRIVATE);
  in.set_previous_year_revenue_fen(12'000'000'00);
  in.add_directions(common::v1::CONSULTING);
  in.mutable_contact()->set_name("王五");
  in.mutable_contact()->set_phone("13805770000");
  in.add_key_industry_codes("ELECTRICAL");
  return in;
}

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : ViolationsOf(s)) out.push_back(v.field + "/" + v.rule);
  return out;
}

TEST(ValidateInstitution, AcceptsACompleteProfile) {
  EXPECT_TRUE(ValidateInstitution(Valid(), Ref()).ok()) << ValidateInstitution(Valid(), Ref());
}

TEST(ValidateInstitution, ProductsAndStrengthsAllowsThreeHundredCharactersNotMore) {
  auto in = Valid();
  in.set_products_and_strengths(Repeat("智", 300));
  EXPECT_TRUE(ValidateInstitution(in, Ref()).ok());
  in.set_products_and_strengths(Repeat("智", 301));
  absl::Status s = ValidateInstitution(in, Ref());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Fields(s), std::vector<std::string>{"institution.products_and_strengths/FORMAT"});
}

TEST(ValidateInstitution, EveryBadFieldIsNamedWithItsRule) {
  auto in = Valid();
  in.set_credit_code("91330302123456788Q");                      // wrong check character
  in.mutable_registered_address()->set_division_code("330399");  // unknown division
  in.set_display_name("bad\xff");                                // invalid UTF-8
  in.set_previous_year_revenue_fen(-1);                          // negative revenue
  in.clear_directions();                                         // R3.1
  in.add_key_industry_codes("STEEL");                            // not a 5+5 code
  auto fields = Fields(ValidateInstitution(in, Ref()));
  auto has = [&](const std::string& f) {
    return std::find(fields.begin(), fields.end(), f) != fields.end();
  };
  EXPECT_TRUE(has("institution.credit_code/R0.1"));
  EXPECT_TRUE(has("institution.registered_address.division_code/FORMAT"));
  EXPECT_TRUE(has("institution.display_name/FORMAT"));
  EXPECT_TRUE(has("institution.previous_year_revenue_fen/FORMAT"));
  EXPECT_TRUE(has("institution.directions/R3.1"));
  EXPECT_EQ(fields.size(), 6u) << ::testing::PrintToString(fields);
}

TEST(ValidateInstitution, LegalFormIsRequiredButNonLegalPersonsAreAccepted) {
  auto in = Valid();
  in.set_legal_form(v1::BRANCH);  // R5.1: flagged in review, never refused here
  EXPECT_TRUE(ValidateInstitution(in, Ref()).ok());
  in.set_legal_form(v1::LEGAL_FORM_UNSPECIFIED);
  EXPECT_EQ(Fields(ValidateInstitution(in, Ref())),
            std::vector<std::string>{"institution.legal_form/R5.1"});
}

TEST(ApplyUpdate, InstitutionMayEditContactButNotRegistrationFacts) {
  auth::Principal inst{auth::Role::kInstitution, "u", "91330302123456788P", ""};
  v1::Institution patch;
  patch.mutable_contact()->set_name("赵六");
  patch.mutable_contact()->set_email("zhao@example.cn");
  google::protobuf::FieldMask mask;
  mask.add_paths("contact");
  auto next = ApplyUpdate(Valid(), patch, mask, inst);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->contact().name(), "赵六");
  EXPECT_EQ(next->contact().phone(), "");  // a masked message is replaced, not merged
  EXPECT_EQ(next->display_name(), Valid().display_name());

  mask.add_paths("display_name");
  EXPECT_EQ(ApplyUpdate(Valid(), patch, mask, inst).status().code(),
            absl::StatusCode::kPermissionDenied);
  auth::Principal city{auth::Role::kCityBureau, "c", "", "330300"};
  EXPECT_TRUE(ApplyUpdate(Valid(), patch, mask, city).ok());
}

TEST(ApplyUpdate, MaskIsRequiredAndOutputOnlyOrUnknownFieldsAreRefused) {
  auth::Principal city{auth::Role::kCityBureau, "c", "", "330300"};
  google::protobuf::FieldMask mask;
  EXPECT_EQ(ApplyUpdate(Valid(), {}, mask, city).status().code(),
            absl::StatusCode::kInvalidArgument);
  mask.add_paths("credit_code");
  EXPECT_EQ(ApplyUpdate(Valid(), {}, mask, city).status().code(),
            absl::StatusCode::kInvalidArgument);
  mask.set_paths(0, "contact.name");
  EXPECT_EQ(ApplyUpdate(Valid(), {}, mask, city).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PersonalData, OnlyBureausAndTheInstitutionItself) {
  const std::string code = "91330302123456788P";
  EXPECT_TRUE(MaySeePersonalData({auth::Role::kCityBureau, "a", "", "330300"}, code));
  EXPECT_TRUE(MaySeePersonalData({auth::Role::kCountyBureau, "a", "", "330302"}, code));
  EXPECT_TRUE(MaySeePersonalData({auth::Role::kInstitution, "a", code, ""}, code));
  EXPECT_FALSE(MaySeePersonalData({auth::Role::kInstitution, "a", "91330303MA2H3K4L4J", ""}, code));
  EXPECT_FALSE(MaySeePersonalData(auth::Principal::Anonymous(), code));
  EXPECT_FALSE(MaySeePersonalData({auth::Role::kEnterprise, "a", code, ""}, code));
  // Issue 21 item 10: no zhigai service needs an institution's people.
  EXPECT_FALSE(MaySeePersonalData({auth::Role::kService, "review", "", ""}, code));
  auto in = Valid();
  RedactPersonalData(&in);
  EXPECT_FALSE(in.has_contact());
  EXPECT_FALSE(in.has_legal_representative());
}

// Version 1 of data/sanction-rules.tsv, as the registry loads it.
const core::SanctionRules& V1() { return core::TestSanctionRules().front(); }

TEST(SanctionLastDay, CancelRunsToYearEndR14_4) {
  EXPECT_EQ(SanctionLastDay(v1::CANCEL, CivilDay(2026, 5, 10), V1()), CivilDay(2026, 12, 31));
  EXPECT_EQ(SanctionLastDay(v1::CANCEL, CivilDay(2026, 12, 31), V1()), CivilDay(2026, 12, 31));
}

TEST(SanctionLastDay, BarRunsThreeYearsAnniversaryFreeR14_5) {
  EXPECT_EQ(SanctionLastDay(v1::BAR, CivilDay(2026, 3, 15), V1()), CivilDay(2029, 3, 14));
  EXPECT_EQ(SanctionLastDay(v1::BAR, CivilDay(2024, 2, 29), V1()), CivilDay(2027, 2, 28));
  EXPECT_EQ(SanctionLastDay(v1::BAR, CivilDay(2026, 1, 1), V1()), CivilDay(2028, 12, 31));
  // A revision's term is used as the version in force gives it.
  core::SanctionRules five = V1();
  five.bar_years = 5;
  EXPECT_EQ(SanctionLastDay(v1::BAR, CivilDay(2026, 3, 15), five), CivilDay(2031, 3, 14));
  EXPECT_EQ(SanctionLastDay(v1::CANCEL, CivilDay(2026, 3, 15), five), CivilDay(2026, 12, 31));
}

v1::CheckEligibilityRequest Req(common::v1::ServiceKind kind, std::string division = "") {
  v1::CheckEligibilityRequest r;
  r.set_credit_code("91330302123456788P");
  r.set_service_kind(kind);
  r.set_division_code(division);
  return r;
}

EntryFact Entry(common::v1::Direction d, v1::EntryStatus s = v1::ACTIVE,
                common::v1::DirectoryLevel level = common::v1::CITY, std::string div = "") {
  return {"directoryEntries/1", level, div, d, s};
}

std::vector<v1::IneligibilityReason> Reasons(const v1::Eligibility& e) {
  std::vector<v1::IneligibilityReason> out;
  for (const auto& r : e.reasons()) out.push_back(r.reason());
  return out;
}

TEST(Eligibility, ActiveEntryOfTheRightDirectionIsEligible) {
  auto e = DecideEligibility(Req(common::v1::DIAGNOSIS), CivilDay(2026, 6, 1), true,
                             {Entry(common::v1::CONSULTING)}, {});
  EXPECT_TRUE(e.eligible());
  EXPECT_TRUE(e.reasons().empty());
  EXPECT_EQ(e.entries_size(), 1);
}

TEST(Eligibility, EveryReasonIsGiven) {
  auto unknown = DecideEligibility(Req(common::v1::DIAGNOSIS), CivilDay(2026, 6, 1), false, {}, {});
  EXPECT_EQ(Reasons(unknown), std::vector{v1::UNKNOWN_INSTITUTION});
  auto absent = DecideEligibility(Req(common::v1::DIAGNOSIS), CivilDay(2026, 6, 1), true, {}, {});
  EXPECT_EQ(Reasons(absent), std::vector{v1::NOT_IN_DIRECTORY});
  auto direction = DecideEligibility(Req(common::v1::TRAINING_SERVICE), CivilDay(2026, 6, 1), true,
                                     {Entry(common::v1::CONSULTING)}, {});
  EXPECT_EQ(Reasons(direction), std::vector{v1::DIRECTION_NOT_COVERED});
  auto suspended = DecideEligibility(Req(common::v1::SOLUTION_DESIGN), CivilDay(2026, 6, 1), true,
                                     {Entry(common::v1::CONSULTING, v1::SUSPENDED)}, {});
  EXPECT_EQ(Reasons(suspended), std::vector{v1::ENTRY_SUSPENDED});
  SanctionFact bar{"sanctions/1", v1::BAR, CivilDay(2026, 3, 1), CivilDay(2029, 2, 28), false, {}};
  SanctionFact cancel{"sanctions/2",          v1::CANCEL, CivilDay(2026, 5, 1),
                      CivilDay(2026, 12, 31), false,      {}};
  auto both = DecideEligibility(Req(common::v1::DIAGNOSIS), CivilDay(2026, 6, 1), true,
                                {Entry(common::v1::CONSULTING)}, {bar, cancel});
  EXPECT_FALSE(both.eligible());
  EXPECT_EQ(Reasons(both), (std::vector{v1::BARRED, v1::CANCELLED}));
}

TEST(Eligibility, SanctionBoundariesAndLiftedSanctions) {
  SanctionFact bar{"sanctions/1", v1::BAR, CivilDay(2026, 3, 1), CivilDay(2029, 2, 28), false, {}};
  auto on = [&](CivilDay d, const SanctionFact& s) {
    return DecideEligibility(Req(common::v1::DIAGNOSIS), d, true, {Entry(common::v1::CONSULTING)},
                             {s})
        .eligible();
  };
  EXPECT_TRUE(on(CivilDay(2026, 2, 28), bar));   // the day before the bar
  EXPECT_FALSE(on(CivilDay(2026, 3, 1), bar));   // first day
  EXPECT_FALSE(on(CivilDay(2029, 2, 28), bar));  // last day
  EXPECT_TRUE(on(CivilDay(2029, 3, 1), bar));    // third anniversary: free again
  // A lift ends the bar early (R14.5 2026-12): barred before the lift day, free from it.
  bar.lifted = true;
  bar.lifted_on = CivilDay(2027, 1, 1);
  EXPECT_FALSE(on(CivilDay(2026, 12, 31), bar));
  EXPECT_TRUE(on(CivilDay(2027, 1, 1), bar));
  EXPECT_TRUE(InForceOn(bar, CivilDay(2026, 12, 31)));
  EXPECT_FALSE(InForceOn(bar, CivilDay(2027, 1, 1)));
}

TEST(Eligibility, CountyEntryCoversOnlyItsDivision) {
  auto county = Entry(common::v1::CONSULTING, v1::ACTIVE, common::v1::COUNTY, "330302");
  EXPECT_TRUE(DecideEligibility(Req(common::v1::DIAGNOSIS, "330302"), CivilDay(2026, 6, 1), true,
                                {county}, {})
                  .eligible());
  auto other = DecideEligibility(Req(common::v1::DIAGNOSIS, "330303"), CivilDay(2026, 6, 1), true,
                                 {county}, {});
  EXPECT_EQ(Reasons(other), std::vector{v1::NOT_IN_DIRECTORY});
}

}  // namespace
}  // namespace zhigai::registry
