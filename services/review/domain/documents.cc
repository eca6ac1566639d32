#include "services/review/domain/documents.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

struct TypeInfo {
  DocumentType type;
  absl::string_view mime;
  absl::string_view name;
  absl::string_view magic;
};

constexpr absl::string_view kZipMagic("PK\x03\x04", 4);

constexpr TypeInfo kTypes[] = {
    {DocumentType::kPdf, "application/pdf", "PDF", "%PDF-"},
    {DocumentType::kJpeg, "image/jpeg", "JPEG", absl::string_view("\xFF\xD8\xFF", 3)},
    {DocumentType::kPng, "image/png", "PNG", absl::string_view("\x89PNG", 4)},
    {DocumentType::kDocx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "DOCX", kZipMagic},
    {DocumentType::kXlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "XLSX", kZipMagic},
};

const TypeInfo& Info(DocumentType type) {
  for (const TypeInfo& t : kTypes) {
    if (t.type == type) return t;
  }
  return kTypes[0];
}

}  // namespace

absl::StatusOr<DocumentType> ParseContentType(absl::string_view mime) {
  const std::string lower = absl::AsciiStrToLower(mime);
  for (const TypeInfo& t : kTypes) {
    if (lower == t.mime) return t.type;
  }
  return InvalidField(
      "content_type", "R6.1",
      absl::StrCat("content type \"", mime, "\" is not accepted; use PDF, JPEG, PNG, DOCX or XLSX"),
      "文件类型不受支持，仅接受 PDF、JPEG、PNG、DOCX、XLSX");
}

absl::string_view ContentTypeOf(DocumentType type) { return Info(type).mime; }

absl::Status CheckMagicBytes(DocumentType declared, absl::string_view first_chunk) {
  const TypeInfo& info = Info(declared);
  if (absl::StartsWith(first_chunk, info.magic)) return absl::OkStatus();
  return InvalidField("content", "R6.1",
                      absl::StrCat("the file does not start like a ", info.name,
                                   " file although it was declared as ", info.mime),
                      absl::StrCat("文件内容与声明的类型 ", info.name, " 不符"));
}

absl::StatusOr<DocumentType> IdentifyDocument(absl::string_view declared_mime,
                                              absl::string_view first_chunk) {
  absl::StatusOr<DocumentType> type = ParseContentType(declared_mime);
  if (!type.ok()) return type;
  absl::Status magic = CheckMagicBytes(*type, first_chunk);
  if (!magic.ok()) return magic;
  return type;
}

absl::Status CheckDocumentSize(int64_t file_bytes) {
  if (file_bytes <= kMaxDocumentBytes) return absl::OkStatus();
  return InvalidField("content", "R6.1",
                      absl::StrCat("the file exceeds ", kMaxDocumentBytes / kMiB, " MiB (",
                                   kMaxDocumentBytes, " bytes)"),
                      absl::StrCat("单个文件不得超过 ", kMaxDocumentBytes / kMiB, " MiB"));
}

absl::Status CheckApplicationDocumentTotal(int64_t stored_bytes, int64_t file_bytes) {
  const int64_t total = stored_bytes + file_bytes;
  if (total <= kMaxApplicationBytes) return absl::OkStatus();
  return RuleViolation(
      "APPLICATION_DOCUMENTS_TOO_LARGE", "R6.1",
      absl::StrCat("the application's documents would total ", total, " bytes, above the ",
                   kMaxApplicationBytes / kMiB, " MiB limit (", stored_bytes,
                   " bytes already stored)"),
      absl::StrCat("每份申报的材料合计不得超过 ", kMaxApplicationBytes / kMiB, " MiB"));
}

}  // namespace zhigai::review
