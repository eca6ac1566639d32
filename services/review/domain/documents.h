// Limits on the documents of an application (R6.1: forms, letter and supporting documents),
// checked by the upload handler as the stream arrives. The limits are project decisions
// (RULES.md names none) and live here only.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhigai::review {

enum class DocumentType { kPdf, kJpeg, kPng, kDocx, kXlsx };

inline constexpr int64_t kMiB = 1024 * 1024;
inline constexpr int64_t kMaxDocumentBytes = 20 * kMiB;      // per file, inclusive
inline constexpr int64_t kMaxApplicationBytes = 200 * kMiB;  // all files of one application

// The MIME type a client declares (case-insensitive): application/pdf, image/jpeg,
// image/png, and the Office Open XML types for DOCX and XLSX. INVALID_ARGUMENT on
// field "content_type" otherwise.
absl::StatusOr<DocumentType> ParseContentType(absl::string_view mime);
absl::string_view ContentTypeOf(DocumentType type);

// Whether the first chunk starts with the magic bytes of `declared`: "%PDF-", FF D8 FF,
// 89 50 4E 47, or a ZIP local header "PK\x03\x04" (DOCX and XLSX: the declared type tells
// them apart). INVALID_ARGUMENT on field "content" when it does not (an empty or too short
// chunk never matches).
absl::Status CheckMagicBytes(DocumentType declared, absl::string_view first_chunk);

// ParseContentType then CheckMagicBytes.
absl::StatusOr<DocumentType> IdentifyDocument(absl::string_view declared_mime,
                                              absl::string_view first_chunk);

// The file's size so far (call as chunks arrive): INVALID_ARGUMENT on field "content"
// when above kMaxDocumentBytes; exactly 20 MiB is allowed.
absl::Status CheckDocumentSize(int64_t file_bytes);

// Whether a file of `file_bytes` still fits next to `stored_bytes` already kept for the
// application: FAILED_PRECONDITION APPLICATION_DOCUMENTS_TOO_LARGE when the total would
// exceed kMaxApplicationBytes; exactly 200 MiB is allowed.
absl::Status CheckApplicationDocumentTotal(int64_t stored_bytes, int64_t file_bytes);

}  // namespace zhigai::review
