// Documents (R6.1): client-streaming upload checked as it arrives (type, size, SHA-256) and
// stored in one transaction at the end; server-streaming download.
#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "libs/core/sha256.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/server/idempotency.h"
#include "services/review/access.h"
#include "services/review/domain/documents.h"
#include "services/review/handlers.h"
#include "services/review/handlers_util.h"

namespace zhigai::review {

using auth::Role;
using handlers::AfterId;
using handlers::ChangeOf;
using handlers::CheckRequestId;
using handlers::FullMethod;
using handlers::ReadApplication;
using server::RequireRole;
using server::Serve;

namespace {

// Chunks above this are refused (the server accepts 8 MiB messages; 4 MiB leaves room).
constexpr size_t kMaxChunkBytes = 4 * 1024 * 1024;
constexpr size_t kDownloadChunkBytes = 1024 * 1024;

bool IsLowerHex64(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

absl::Status ValidateHeader(const v1::UploadHeader& h) {
  Violations v;
  v.Absorb(ParseApplicationName(h.parent(), "header.parent").status());
  v.Absorb(CheckRequestId(h.request_id(), "header.request_id"));
  v.Absorb(core::ValidateLine(h.document().display_name(), "header.document.display_name", 1, 200,
                              "R6.1"));
  v.Absorb(ParseContentType(h.document().content_type()).status());
  if (h.document().purpose() == v1::DOCUMENT_PURPOSE_UNSPECIFIED ||
      !v1::DocumentPurpose_IsValid(h.document().purpose())) {
    v.Add("header.document.purpose", "R6.1", "purpose is required");
  }
  if (h.size_bytes() <= 0) v.Add("header.size_bytes", "R6.1", "an empty file is not a document");
  v.Absorb(CheckDocumentSize(h.size_bytes()));
  if (!IsLowerHex64(h.sha256())) {
    v.Add("header.sha256", "R6.1", "sha256 must be 64 lower-case hex characters");
  }
  return v.Finish("上传文件信息有误");
}

absl::Status Incomplete(int64_t got, int64_t declared) {
  return InvalidField("content", "R6.1",
                      absl::StrCat("the upload ended after ", got, " of ", declared,
                                   " bytes; nothing was stored, send the file again"),
                      "文件上传不完整，未保存，请重新上传");
}

}  // namespace

grpc::Status ReviewHandlers::UploadDocument(grpc::ServerContext* ctx,
                                            grpc::ServerReader<v1::UploadDocumentRequest>* reader,
                                            v1::Document* resp) {
  return Serve(
      ctx, proof_, FullMethod("UploadDocument"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
        v1::UploadDocumentRequest msg;
        if (!reader->Read(&msg) || !msg.has_header()) {
          return InvalidField("header", "R6.1", "the first message carries the upload header",
                              "首条消息须为文件信息");
        }
        const v1::UploadHeader header = msg.header();
        RETURN_IF_ERROR(ValidateHeader(header));
        auto ref = ParseApplicationName(header.parent(), "header.parent");
        // Refuse before the bytes travel: the caller must be the applicant of an existing draft.
        ASSIGN_OR_RETURN(auto target, ReadApplication(store_, call, ref->call_id, ref->id));
        if (call.principal.credit_code != target.app.app.profile().credit_code()) {
          return server::Forbidden("NOT_OWN_APPLICATION", "only the applicant (the lead) uploads",
                                   "只有申报单位（牵头单位）可以上传材料");
        }
        auto type = ParseContentType(header.document().content_type());
        std::string content;
        content.reserve(static_cast<size_t>(header.size_bytes()));
        core::Sha256 hash;
        bool magic_checked = false;
        while (reader->Read(&msg)) {
          if (msg.has_header()) {
            return InvalidField("header", "R6.1", "only the first message carries a header",
                                "文件信息只能在首条消息中");
          }
          const std::string& chunk = msg.chunk();
          if (chunk.size() > kMaxChunkBytes) {
            return InvalidField("chunk", "R6.1", "a chunk is at most 4 MiB", "分块不得超过 4 MiB");
          }
          if (static_cast<int64_t>(content.size() + chunk.size()) > header.size_bytes()) {
            return InvalidField("content", "R6.1",
                                "more bytes arrived than header.size_bytes declared",
                                "文件大小与声明不符");
          }
          content.append(chunk);
          hash.Update(chunk);
          if (!magic_checked && content.size() >= 8) {
            RETURN_IF_ERROR(CheckMagicBytes(*type, content));
            magic_checked = true;
          }
        }
        // A cancelled or broken stream ends the loop early: nothing has been written yet.
        if (ctx->IsCancelled()) return absl::CancelledError("upload cancelled; nothing was stored");
        if (static_cast<int64_t>(content.size()) != header.size_bytes()) {
          return Incomplete(static_cast<int64_t>(content.size()), header.size_bytes());
        }
        if (!magic_checked) {
          RETURN_IF_ERROR(CheckMagicBytes(*type, content));
        }
        if (hash.HexDigest() != header.sha256()) {
          return InvalidField(
              "header.sha256", "R6.1",
              "the content's SHA-256 differs from header.sha256; nothing was stored",
              "文件校验值不符，未保存，请重新上传");
        }
        v1::Document meta = header.document();
        meta.set_content_type(std::string(ContentTypeOf(*type)));
        meta.set_sha256(header.sha256());
        auto out = store_.StoreDocument(
            ChangeOf(call), server::IdempotencyKey(call, header), ref->call_id, ref->id, meta,
            content, [&](const v1::Call& c, const StoredApplication& app) -> absl::Status {
              if (c.state() != v1::OPEN) {
                return RuleViolation("CALL_NOT_OPEN", "R4.1",
                                     "documents are uploaded while the call is OPEN",
                                     "征集通知不在申报期，不能上传材料");
              }
              if (app.app.state() != v1::APPLICATION_DRAFT) {
                return RuleViolation("APPLICATION_SUBMITTED", "R6.1",
                                     "documents are added before the application is submitted",
                                     "申报已提交，不能再上传材料");
              }
              return absl::OkStatus();
            });
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::DownloadDocument(
    grpc::ServerContext* ctx, const v1::DownloadDocumentRequest* req,
    grpc::ServerWriter<v1::DownloadDocumentResponse>* writer) {
  return Serve(
      ctx, proof_, FullMethod("DownloadDocument"), [&](const server::Call& call) -> absl::Status {
        ASSIGN_OR_RETURN(auto ref, ParseDocumentName(req->name(), "name"));
        auto app = ReadApplication(store_, call, ref.application.call_id, ref.application.id);
        if (!app.ok()) return app.status();
        auto doc = store_.GetDocument(ref.id);
        if (!doc.ok()) return doc.status();
        if (doc->application_id != ref.application.id) {
          return Error(absl::StatusCode::kNotFound, "NOT_FOUND",
                       absl::StrCat("document ", req->name(), " not found"), "记录不存在");
        }
        v1::DownloadDocumentResponse first;
        *first.mutable_document() = doc->document;
        bool sent_first = false;
        auto s = store_.ReadDocument(ref.id, [&](std::string chunk) -> absl::Status {
          for (size_t off = 0; off < chunk.size(); off += kDownloadChunkBytes) {
            v1::DownloadDocumentResponse out;
            if (!sent_first) out = first;
            out.set_chunk(chunk.substr(off, kDownloadChunkBytes));
            if (!writer->Write(out)) return absl::CancelledError("the client went away");
            sent_first = true;
          }
          return absl::OkStatus();
        });
        if (!s.ok()) return s;
        if (!sent_first) writer->Write(first);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::ListDocuments(grpc::ServerContext* ctx,
                                           const v1::ListDocumentsRequest* req,
                                           v1::ListDocumentsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("ListDocuments"), [&](const server::Call& call) -> absl::Status {
        Violations v;
        auto ref = ParseApplicationName(req->parent(), "parent");
        v.Absorb(ref.status());
        auto size = db::PageSize(req->page_size());
        v.Absorb(size.status());
        auto after = AfterId(req->page_token());
        v.Absorb(after.status());
        RETURN_IF_ERROR(v.Finish());
        ASSIGN_OR_RETURN(auto app, ReadApplication(store_, call, ref->call_id, ref->id));
        auto rows = store_.ListDocuments(ref->id, *after, *size + 1);
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
          *resp->add_documents() = std::move((*rows)[i].document);
        }
        if (static_cast<int>(rows->size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(absl::StrCat((*rows)[*size - 1].id)));
        }
        return absl::OkStatus();
      });
}

}  // namespace zhigai::review
