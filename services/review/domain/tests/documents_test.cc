#include "services/review/domain/documents.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

constexpr absl::string_view kDocx =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
constexpr absl::string_view kXlsx =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const std::string kPdfHead = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
const std::string kJpegHead("\xFF\xD8\xFF\xE0\x00\x10JFIF", 10);
const std::string kPngHead("\x89PNG\r\n\x1A\n", 8);
const std::string kZipHead("PK\x03\x04\x14\x00\x06\x00", 8);

std::string FieldOf(const absl::Status& s) {
  auto v = ViolationsOf(s);
  return v.size() == 1 ? v[0].field : "";
}

TEST(IdentifyDocument, EachTypeByItsMagicBytes) {
  EXPECT_EQ(*IdentifyDocument("application/pdf", kPdfHead), DocumentType::kPdf);
  EXPECT_EQ(*IdentifyDocument("image/jpeg", kJpegHead), DocumentType::kJpeg);
  EXPECT_EQ(*IdentifyDocument("image/png", kPngHead), DocumentType::kPng);
  EXPECT_EQ(*IdentifyDocument(kDocx, kZipHead), DocumentType::kDocx);
  EXPECT_EQ(*IdentifyDocument(kXlsx, kZipHead), DocumentType::kXlsx);
  EXPECT_EQ(*IdentifyDocument("Application/PDF", kPdfHead), DocumentType::kPdf);
}

TEST(IdentifyDocument, DeclaredTypeMustMatchTheContent) {
  absl::Status s = IdentifyDocument("application/pdf", kPngHead).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "content");
  EXPECT_EQ(RuleOf(s), "R6.1");
  EXPECT_EQ(FieldOf(IdentifyDocument("image/png", kJpegHead).status()), "content");
  EXPECT_EQ(FieldOf(IdentifyDocument(kDocx, kPdfHead).status()), "content");
  EXPECT_EQ(FieldOf(IdentifyDocument("image/jpeg", std::string("\xFF\xD8", 2)).status()),
            "content");  // too short
  EXPECT_EQ(FieldOf(IdentifyDocument("application/pdf", "").status()), "content");
  EXPECT_EQ(FieldOf(IdentifyDocument("application/pdf", "%PDF").status()), "content");
}

TEST(IdentifyDocument, OtherTypesAreRefused) {
  for (absl::string_view mime : {"application/zip", "text/plain", "application/msword", ""}) {
    absl::Status s = IdentifyDocument(mime, kZipHead).status();
    EXPECT_EQ(FieldOf(s), "content_type") << mime;
  }
}

TEST(ContentTypeOf, RoundTrips) {
  for (DocumentType t : {DocumentType::kPdf, DocumentType::kJpeg, DocumentType::kPng,
                         DocumentType::kDocx, DocumentType::kXlsx}) {
    EXPECT_EQ(*ParseContentType(ContentTypeOf(t)), t);
  }
}

TEST(CheckDocumentSize, TwentyMiBInclusive) {
  EXPECT_TRUE(CheckDocumentSize(20 * 1024 * 1024).ok());
  absl::Status s = CheckDocumentSize(20 * 1024 * 1024 + 1);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "content");
}

TEST(CheckApplicationDocumentTotal, TwoHundredMiBInclusive) {
  const int64_t mib = 1024 * 1024;
  EXPECT_TRUE(CheckApplicationDocumentTotal(180 * mib, 20 * mib).ok());
  absl::Status s = CheckApplicationDocumentTotal(180 * mib, 20 * mib + 1);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "APPLICATION_DOCUMENTS_TOO_LARGE");
  EXPECT_TRUE(CheckApplicationDocumentTotal(0, 0).ok());
}

}  // namespace
}  // namespace zhigai::review
