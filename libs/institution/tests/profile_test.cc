// The profile rules (R0.1, R3.1, Attachment 1): every field checked and named, who may change
// what, who may see personal data.
#include "libs/institution/profile.h"

#include <google/protobuf/field_mask.pb.h>
#include <gtest/gtest.h>

#include "libs/core/errors.h"
#include "libs/wire/testing/literals.h"

namespace zhigai::institution {
namespace {

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

}  // namespace
}  // namespace zhigai::institution
