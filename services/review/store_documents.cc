// Documents: metadata rows and their content in 1 MiB chunks (bytea).
#include <libpq-fe.h>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/db/enum_column.h"
#include "libs/db/errors.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/wire/typed_time.h"
#include "services/review/domain/documents.h"
#include "services/review/store.h"
#include "services/review/store_internal.h"

namespace zhigai::review {
namespace {

using db::Connection;
using db::Param;
using db::Statement;
using internal::Audit;
using internal::NotFound;
using internal::Parse;

// Chunk rows stay well below the 1 GiB bytea limit and keep each INSERT's memory small.
constexpr size_t kChunkBytes = 1024 * 1024;

#define DOC_COLUMNS                                                                             \
  "d.id, d.application_id, a.call_id, d.display_name, d.content_type, d.purpose, d.size_bytes," \
  " d.sha256, " REVIEW_TIME("d.created_at")
constexpr Statement kShareCallState{"review.share_call_state",
                                    "SELECT id, state, body, version, '', '' FROM calls"
                                    " WHERE id = $1 FOR SHARE"};
constexpr Statement kLockApplicationForDocs{
    "review.lock_application_for_docs",
    "SELECT id, call_id, state, body, version FROM applications WHERE id = $1 AND call_id = $2"
    " FOR UPDATE"};
constexpr Statement kStoredBytes{
    "review.stored_bytes",
    "SELECT coalesce(sum(size_bytes), 0) FROM documents WHERE application_id = $1"};
constexpr Statement kInsertDocument{
    "review.insert_document",
    "INSERT INTO documents (application_id, display_name, content_type, purpose, size_bytes,"
    " sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz) RETURNING id"};
// Sent with binary parameters (raw bytes, no hex escaping): see InsertChunk.
constexpr Statement kInsertChunk{
    "review.insert_chunk",
    "INSERT INTO document_chunks (document_id, seq, data) VALUES ($1::bigint, $2::int, $3::bytea)",
    30000};
constexpr Statement kGetDocument{"review.get_document",
                                 "SELECT " DOC_COLUMNS
                                 " FROM documents d JOIN applications a ON a.id = d.application_id"
                                 " WHERE d.id = $1"};
constexpr Statement kListDocuments{
    "review.list_documents", "SELECT " DOC_COLUMNS
                             " FROM documents d JOIN applications a ON a.id = d.application_id"
                             " WHERE d.application_id = $1 AND d.id > $2 ORDER BY d.id LIMIT $3"};
constexpr Statement kChunkCount{"review.chunk_count",
                                "SELECT count(*) FROM document_chunks WHERE document_id = $1"};
constexpr Statement kReadChunk{
    "review.read_chunk", "SELECT data FROM document_chunks WHERE document_id = $1 AND seq = $2",
    30000};
constexpr Statement kDocumentPurposes{
    "review.document_purposes",
    "SELECT purpose, id FROM documents WHERE application_id = $1 ORDER BY id"};

absl::StatusOr<DocumentRow> RowToDocument(const db::Result& r, int i) {
  DocumentRow row;
  row.id = r.Int64(i, 0);
  row.application_id = r.Int64(i, 1);
  v1::Document& d = row.document;
  d.set_name(
      absl::StrCat(ApplicationName(r.Int64(i, 2), row.application_id), "/documents/", row.id));
  d.set_display_name(r.String(i, 3));
  d.set_content_type(r.String(i, 4));
  ASSIGN_OR_RETURN(v1::DocumentPurpose purpose,
                   db::EnumColumn<v1::DocumentPurpose>(r, i, 5, "documents.purpose"));
  d.set_purpose(purpose);
  d.set_size_bytes(r.Int64(i, 6));
  d.set_sha256(r.String(i, 7));
  if (auto ts = wire::TimestampFromText(r.String(i, 8))) *d.mutable_create_time() = *ts;
  return row;
}

// The content goes as a binary parameter: hex escaping would double the bytes on the wire and
// cost the server a decode, which is most of the upload's database time.
absl::Status InsertChunk(Connection& c, int64_t document_id, int seq, absl::string_view data) {
  const std::string id = absl::StrCat(document_id), s = absl::StrCat(seq);
  const char* values[3] = {id.c_str(), s.c_str(), data.data()};
  const int lengths[3] = {0, 0, static_cast<int>(data.size())};
  const int formats[3] = {0, 0, 1};
  PGresult* res = PQexecParams(c.raw(), kInsertChunk.sql, 3, nullptr, values, lengths, formats, 0);
  absl::Status status;
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    status =
        db::FromPostgres(kInsertChunk.name, state ? state : "08006", PQerrorMessage(c.raw()), "");
  }
  PQclear(res);
  return status;
}

}  // namespace

absl::StatusOr<v1::Document> ReviewStore::StoreDocument(
    const Change& change, const std::string& key, int64_t call_id, int64_t application_id,
    v1::Document meta, const std::string& content,
    const std::function<absl::Status(const v1::Call&, const StoredApplication&)>& check) {
  v1::Document out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    ASSIGN_OR_RETURN(auto call_row, c.Exec(kShareCallState, {call_id}));
    if (call_row.rows() == 0) return NotFound("call", CallName(call_id));
    auto call = Parse<v1::Call>(call_row.Text(0, 2));
    if (!call.ok()) return call.status();
    ASSIGN_OR_RETURN(v1::CallState state,
                     db::EnumColumn<v1::CallState>(call_row, 0, 1, "calls.state"));
    call->set_state(state);
    call->set_name(CallName(call_id));
    // The application row lock serialises uploads of one application, so two parallel
    // uploads cannot both fit under the 200 MiB total.
    auto app_row = c.Exec(kLockApplicationForDocs, {application_id, call_id});
    if (!app_row.ok()) return app_row.status();
    if (app_row->rows() == 0) {
      return NotFound("application", ApplicationName(call_id, application_id));
    }
    StoredApplication app;
    app.id = application_id;
    app.call_id = call_id;
    auto body = Parse<v1::Application>(app_row->Text(0, 3));
    if (!body.ok()) return body.status();
    app.app = std::move(*body);
    app.app.set_name(ApplicationName(call_id, application_id));
    ASSIGN_OR_RETURN(v1::ApplicationState app_state,
                     db::EnumColumn<v1::ApplicationState>(*app_row, 0, 2, "applications.state"));
    app.app.set_state(app_state);
    RETURN_IF_ERROR(check(*call, app));
    auto stored = c.Exec(kStoredBytes, {application_id});
    if (!stored.ok()) return stored.status();
    RETURN_IF_ERROR(
        CheckApplicationDocumentTotal(stored->Int64(0, 0), static_cast<int64_t>(content.size())));
    const std::string now = Now();
    auto doc = c.Exec(kInsertDocument, {application_id, meta.display_name(), meta.content_type(),
                                        v1::DocumentPurpose_Name(meta.purpose()),
                                        static_cast<int64_t>(content.size()), meta.sha256(), now});
    if (!doc.ok()) return doc.status();
    const int64_t id = doc->Int64(0, 0);
    int seq = 0;
    for (size_t off = 0; off < content.size(); off += kChunkBytes, ++seq) {
      absl::string_view part = absl::string_view(content).substr(off, kChunkBytes);
      RETURN_IF_ERROR(InsertChunk(c, id, seq, part));
    }
    meta.set_name(absl::StrCat(app.app.name(), "/documents/", id));
    meta.set_size_bytes(static_cast<int64_t>(content.size()));
    if (auto ts = wire::TimestampFromText(now)) *meta.mutable_create_time() = *ts;
    out = meta;
    return Audit(c, change, "document", out.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<DocumentRow> ReviewStore::GetDocument(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetDocument, {id}));
  if (r.rows() == 0) return NotFound("document", absl::StrCat(id));
  return RowToDocument(r, 0);
}

absl::StatusOr<std::vector<DocumentRow>> ReviewStore::ListDocuments(int64_t application_id,
                                                                    int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListDocuments, {application_id, after_id, limit}));
  std::vector<DocumentRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(DocumentRow row, RowToDocument(r, i));
    out.push_back(std::move(row));
  }
  return out;
}

absl::Status ReviewStore::ReadDocument(int64_t id,
                                       const std::function<absl::Status(std::string)>& sink) {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  auto count = (lease)->Exec(kChunkCount, {id});
  if (!count.ok()) return count.status();
  const int64_t n = count->Int64(0, 0);
  for (int64_t seq = 0; seq < n; ++seq) {
    auto r = (lease)->Exec(kReadChunk, {id, seq});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return absl::InternalError("document chunk missing");
    RETURN_IF_ERROR(sink(db::DecodeBytea(r->Text(0, 0))));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<v1::DocumentPurpose, int64_t>>> ReviewStore::DocumentPurposes(
    Connection& c, int64_t application_id) {
  ASSIGN_OR_RETURN(auto r, c.Exec(kDocumentPurposes, {application_id}));
  std::vector<std::pair<v1::DocumentPurpose, int64_t>> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(v1::DocumentPurpose p,
                     db::EnumColumn<v1::DocumentPurpose>(r, i, 0, "documents.purpose"));
    out.push_back({p, r.Int64(i, 1)});
  }
  return out;
}

}  // namespace zhigai::review
