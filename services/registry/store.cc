#include "services/registry/store.h"

#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/db/enum_column.h"
#include "libs/db/errors.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/db/stored.h"
#include "libs/wire/typed_time.h"
#include "services/registry/public_changes.h"

namespace zhigai::registry {
namespace {

using db::Connection;
using db::Param;
using db::Statement;

constexpr Statement kInsertInstitution{
    "registry.insert_institution",
    "INSERT INTO institutions (credit_code, display_name, legal_form, division_code, directions,"
    " profile, version, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5::text[], $6, 1, $7::timestamptz, $7::timestamptz)"};
constexpr Statement kInsertRevision{
    "registry.insert_revision",
    "INSERT INTO institution_revisions (credit_code, version, profile, actor, actor_role, method,"
    " changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)"};
constexpr Statement kGetInstitution{
    "registry.get_institution", "SELECT profile FROM institutions WHERE credit_code = $1", 1000};
constexpr Statement kLockInstitution{
    "registry.lock_institution",
    "SELECT profile, version FROM institutions WHERE credit_code = $1 FOR UPDATE"};
constexpr Statement kUpdateInstitution{
    "registry.update_institution",
    "UPDATE institutions SET display_name = $2, legal_form = $3, division_code = $4,"
    " directions = $5::text[], profile = $6, version = $7, updated_at = $8::timestamptz"
    " WHERE credit_code = $1"};
constexpr Statement kListInstitutions{
    "registry.list_institutions",
    "SELECT profile FROM institutions WHERE credit_code > $1"
    " AND ($2 = '' OR strpos(lower(display_name), lower($2)) > 0)"
    " AND ($3 = '' OR division_code = $3) AND ($4 = '' OR $4 = ANY (directions))"
    " AND ($5 = '' OR legal_form = $5) ORDER BY credit_code LIMIT $6"};
constexpr Statement kListRevisions{
    "registry.list_revisions",
    "SELECT profile, actor, actor_role, method,"
    " to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    " FROM institution_revisions WHERE credit_code = $1 AND version < $2"
    " ORDER BY version DESC LIMIT $3"};

constexpr Statement kInsertConsortium{
    "registry.insert_consortium",
    "INSERT INTO consortia (display_name, lead_credit_code, body, version, created_at)"
    " VALUES ($1, $2, '\\x', 1, $3::timestamptz) RETURNING id"};
constexpr Statement kSetConsortiumBody{"registry.set_consortium_body",
                                       "UPDATE consortia SET body = $2 WHERE id = $1"};
constexpr Statement kInsertMember{
    "registry.insert_member",
    "INSERT INTO consortium_members (consortium_id, credit_code) VALUES ($1, $2)"};
constexpr Statement kGetConsortium{"registry.get_consortium",
                                   "SELECT body FROM consortia WHERE id = $1"};

#define ENTRY_COLUMNS                                                                         \
  "id, year, level, division_code, credit_code, institution_display_name, direction, status," \
  " status_reason, source, version,"                                                          \
  " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"             \
  " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
constexpr Statement kInsertEntry{
    "registry.insert_entry",
    "INSERT INTO directory_entries (year, level, division_code, credit_code,"
    " institution_display_name, direction, status, source, version, created_at, updated_at)"
    " SELECT $1, $2, $3, $4, i.display_name, $5, 'ACTIVE', $6, 1, $7::timestamptz,"
    " $7::timestamptz FROM institutions i WHERE i.credit_code = $4"
    " RETURNING " ENTRY_COLUMNS};
constexpr Statement kInsertEntryIfAbsent{
    "registry.insert_entry_if_absent",
    "INSERT INTO directory_entries (year, level, division_code, credit_code,"
    " institution_display_name, direction, status, source, version, created_at, updated_at)"
    " SELECT $1, 'COUNTY', $2, $3, i.display_name, $4, 'ACTIVE', $5, 1, $6::timestamptz,"
    " $6::timestamptz FROM institutions i WHERE i.credit_code = $3"
    " ON CONFLICT DO NOTHING RETURNING id"};
// One row per version of an entry (R4.1): the admission, then each in-year change.
constexpr Statement kInsertEntryChange{
    "registry.insert_entry_change",
    "INSERT INTO directory_entry_changes (entry_id, version, status, reason, change_date, actor,"
    " actor_role, at) VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8::timestamptz)"};
constexpr Statement kListEntryChanges{
    "registry.list_entry_changes",
    "SELECT version, status, reason, change_date::text, actor,"
    " to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    " FROM directory_entry_changes WHERE entry_id = $1 AND version > $2 ORDER BY version LIMIT $3"};
constexpr Statement kEntryExists{"registry.entry_exists",
                                 "SELECT 1 FROM directory_entries WHERE id = $1"};
constexpr Statement kGetEntry{"registry.get_entry",
                              "SELECT " ENTRY_COLUMNS " FROM directory_entries WHERE id = $1"};
constexpr Statement kUpdateEntry{
    "registry.update_entry",
    "UPDATE directory_entries SET status = $2, status_reason = $3, version = version + 1,"
    " updated_at = $5::timestamptz WHERE id = $1 AND version = $4 RETURNING " ENTRY_COLUMNS};
constexpr Statement kListEntries{
    "registry.list_entries",
    "SELECT " ENTRY_COLUMNS
    " FROM directory_entries WHERE year = $1"
    " AND ($2 = '' OR level = $2) AND ($3 = '' OR division_code = $3)"
    " AND ($4 = '' OR direction = $4) AND ($5 = '' OR status = $5) AND id > $6"
    " ORDER BY id LIMIT $7"};

constexpr Statement kInsertFiling{
    "registry.insert_filing",
    "INSERT INTO county_filings (year, division_code, selection_criteria, items, filed_by,"
    " filed_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz) RETURNING id"};
constexpr Statement kListFilings{
    "registry.list_filings",
    "SELECT id, year, division_code, selection_criteria, items, filed_by,"
    " to_char(filed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    " FROM county_filings WHERE ($1 = 0 OR year = $1) AND ($2 = '' OR division_code = $2)"
    " AND id > $3 ORDER BY id LIMIT $4"};

#define SANCTION_COLUMNS                                                                       \
  "id, credit_code, kind, start_date::text, end_date::text, source_reference, reason, lifted," \
  " lift_reason, version,"                                                                     \
  " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"              \
  " coalesce(lift_date::text, ''), lifted_by,"                                                 \
  " coalesce(to_char(lift_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '')," \
  " rule_version"
constexpr Statement kInsertSanction{
    "registry.insert_sanction",
    "INSERT INTO sanctions (credit_code, kind, start_date, end_date, source_reference, reason,"
    " command_id, version, created_at, rule_version) SELECT $1, $2, $3::date, $4::date, $5, $6,"
    " $7, 1, $8::timestamptz, $9 WHERE EXISTS (SELECT 1 FROM institutions WHERE credit_code = $1)"
    " RETURNING " SANCTION_COLUMNS};
constexpr Statement kGetSanction{"registry.get_sanction",
                                 "SELECT " SANCTION_COLUMNS " FROM sanctions WHERE id = $1"};
constexpr Statement kLiftSanction{
    "registry.lift_sanction",
    "UPDATE sanctions SET lifted = true, lift_reason = $3, version = version + 1,"
    " lift_date = greatest($4::date, start_date), lifted_by = $5, lift_time = $6::timestamptz"
    " WHERE id = $1 AND version = $2 AND NOT lifted RETURNING " SANCTION_COLUMNS};
constexpr Statement kListSanctions{
    "registry.list_sanctions",
    "SELECT " SANCTION_COLUMNS
    " FROM sanctions WHERE ($1 = '' OR credit_code = $1)"
    " AND ($2 = 0 OR (start_date <= make_date($2, 12, 31) AND end_date >= make_date($2, 1, 1)"
    "      AND (NOT lifted OR lift_date > greatest(start_date, make_date($2, 1, 1)))))"
    " AND id > $3 ORDER BY id LIMIT $4"};

constexpr Statement kKnownCodes{
    "registry.known_codes",
    "SELECT credit_code FROM institutions WHERE credit_code = ANY ($1::text[])", 1000};
constexpr Statement kEntriesForCodes{
    "registry.entries_for_codes",
    "SELECT credit_code, year, id, level, division_code, direction, status FROM directory_entries"
    " WHERE credit_code = ANY ($1::text[]) AND year = ANY ($2::int[])",
    1000};
constexpr Statement kSanctionsForCodes{
    "registry.sanctions_for_codes",
    "SELECT credit_code, id, kind, start_date::text, end_date::text, lifted,"
    " coalesce(lift_date::text, '') FROM sanctions WHERE credit_code = ANY ($1::text[])",
    1000};

// Tells every replica's cache that this credit code changed (delivered at commit).
constexpr Statement kNotify{"registry.notify_change", "SELECT pg_notify('registry_changes', $1)"};

absl::Status RecordEntryChange(Connection& c, const Change& change, const v1::DirectoryEntry& e,
                               const std::string& reason, absl::Time now) {
  return c
      .Exec(kInsertEntryChange,
            {e.name().substr(e.name().rfind('/') + 1), e.version(),
             v1::EntryStatus_Name(e.status()), reason, core::FormatDate(core::BusinessDayOf(now)),
             change.actor.subject, change.actor.role, core::FormatTimestamp(now)})
      .status();
}

absl::Status Notify(Connection& c, const std::string& code) {
  return c.Exec(kNotify, {code}).status();
}

// The public feed's view of a directory entry's change (issue 25 item 2).
absl::Status PublishEntry(Connection& c, const v1::DirectoryEntry& entry, v1::PublicChangeKind kind,
                          const std::string& reason, absl::Time now) {
  v1::PublicChange change;
  change.set_kind(kind);
  change.set_resource(entry.name());
  change.set_source_service("registry");
  change.set_year(entry.year());
  change.set_credit_code(entry.credit_code());
  change.set_status(v1::EntryStatus_Name(entry.status()));
  change.set_reason(reason);
  return AppendPublicChange(c, std::move(change), now).status();
}

absl::Status PublishSanction(Connection& c, const v1::Sanction& sanction, v1::PublicChangeKind kind,
                             absl::Time now) {
  v1::PublicChange change;
  change.set_kind(kind);
  change.set_resource(sanction.name());
  change.set_source_service("registry");
  change.set_year(sanction.start_date().year());
  change.set_credit_code(sanction.credit_code());
  change.set_status(v1::SanctionKind_Name(sanction.kind()));
  *change.mutable_start_date() = sanction.start_date();
  *change.mutable_end_date() = sanction.end_date();
  if (kind == v1::SANCTION_LIFTED)
    change.set_reason(absl::StrCat("lifted from ", wire::DateText(sanction.lift_date())));
  return AppendPublicChange(c, std::move(change), now).status();
}

std::vector<std::string> DirectionNames(const v1::Institution& in) {
  std::vector<std::string> out;
  for (int d : in.directions()) out.push_back(common::v1::Direction_Name(d));
  return out;
}

absl::StatusOr<v1::DirectoryEntry> RowToEntry(const db::Result& r, int i) {
  v1::DirectoryEntry e;
  e.set_name(absl::StrCat("directoryEntries/", r.Int64(i, 0)));
  e.set_year(static_cast<int>(r.Int64(i, 1)));
  ASSIGN_OR_RETURN(common::v1::DirectoryLevel level,
                   db::EnumColumn<common::v1::DirectoryLevel>(r, i, 2, "directory_entries.level"));
  e.set_level(level);
  e.set_division_code(r.String(i, 3));
  e.set_credit_code(r.String(i, 4));
  e.set_institution_display_name(r.String(i, 5));
  ASSIGN_OR_RETURN(common::v1::Direction direction,
                   db::EnumColumn<common::v1::Direction>(r, i, 6, "directory_entries.direction"));
  e.set_direction(direction);
  ASSIGN_OR_RETURN(v1::EntryStatus status,
                   db::EnumColumn<v1::EntryStatus>(r, i, 7, "directory_entries.status"));
  e.set_status(status);
  e.set_status_reason(r.String(i, 8));
  e.set_source(r.String(i, 9));
  e.set_version(r.Int64(i, 10));
  if (auto ts = wire::TimestampFromText(r.String(i, 11))) *e.mutable_create_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(i, 12))) *e.mutable_update_time() = *ts;
  return e;
}

absl::StatusOr<v1::Sanction> RowToSanction(const db::Result& r, int i) {
  v1::Sanction s;
  s.set_name(absl::StrCat("sanctions/", r.Int64(i, 0)));
  s.set_credit_code(r.String(i, 1));
  ASSIGN_OR_RETURN(v1::SanctionKind kind,
                   db::EnumColumn<v1::SanctionKind>(r, i, 2, "sanctions.kind"));
  s.set_kind(kind);
  if (auto dt = wire::DateFromText(r.String(i, 3))) *s.mutable_start_date() = *dt;
  if (auto dt = wire::DateFromText(r.String(i, 4))) *s.mutable_end_date() = *dt;
  s.set_source_reference(r.String(i, 5));
  s.set_reason(r.String(i, 6));
  s.set_lifted(r.Bool(i, 7));
  s.set_lift_reason(r.String(i, 8));
  if (auto dt = wire::DateFromText(r.String(i, 11))) *s.mutable_lift_date() = *dt;
  s.set_lifted_by(r.String(i, 12));
  if (auto ts = wire::TimestampFromText(r.String(i, 13))) *s.mutable_lift_time() = *ts;
  s.set_version(r.Int64(i, 9));
  if (auto ts = wire::TimestampFromText(r.String(i, 10))) *s.mutable_create_time() = *ts;
  s.set_rule_version(static_cast<int32_t>(r.Int64(i, 14)));
  return s;
}

}  // namespace

std::string RegistryStore::Now() const { return core::FormatTimestamp(clock_()); }

absl::StatusOr<v1::Institution> RegistryStore::CreateInstitution(const Change& change,
                                                                 const std::string& key,
                                                                 v1::Institution in) {
  v1::Institution out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    std::string now = Now();
    in.set_name(absl::StrCat("institutions/", in.credit_code()));
    in.set_version(1);
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_create_time() = *ts;
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_update_time() = *ts;
    std::string bytes = in.SerializeAsString();
    auto r = c.Exec(kInsertInstitution,
                    {in.credit_code(), in.display_name(), v1::LegalForm_Name(in.legal_form()),
                     in.registered_address().division_code(), db::TextArray(DirectionNames(in)),
                     Param::Bytes(bytes), now});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "institutions_pkey") {
        return Error(absl::StatusCode::kAlreadyExists, "INSTITUTION_EXISTS",
                     absl::StrCat("an institution with credit code ", in.credit_code(),
                                  " is already registered"),
                     "该统一社会信用代码的机构已登记");
      }
      return r.status();
    }
    if (auto rv =
            c.Exec(kInsertRevision, {in.credit_code(), int64_t{1}, Param::Bytes(bytes),
                                     change.actor.subject, change.actor.role, change.method, now});
        !rv.ok()) {
      return rv.status();
    }
    out = in;
    RETURN_IF_ERROR(Notify(c, in.credit_code()));
    return db::Audit(c, change, "institution", in.credit_code(), 1);
  });
  if (!s.ok()) return s;
  Changed(out.credit_code());
  return out;
}

void RegistryStore::Changed(const std::string& code) {
  // Read-your-writes on this replica without waiting for our own notice to come back.
  if (cache_) cache_->Invalidate(code);
}

absl::StatusOr<v1::Institution> RegistryStore::GetInstitution(const std::string& code,
                                                              core::Io io) {
  if (cache_) {
    if (auto hit = cache_->Profile(code)) return *hit;
  }
  if (io == core::Io::kMemoryOnly) return core::NeedsIo();
  // Taken before the read: an invalidation between the read and the put voids the put.
  RegistryCache::Ticket ticket;
  if (cache_) ticket = cache_->TicketFor(code);
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetInstitution, {code}));
  if (r.rows() == 0) return db::NotFound("institution", code);
  auto profile = db::ParseStored<v1::Institution>(r.Text(0, 0));
  if (profile.ok() && cache_) cache_->PutProfile(code, ticket, *profile);
  return profile;
}

absl::StatusOr<v1::Institution> RegistryStore::UpdateInstitution(
    const Change& change, const std::string& code, int64_t expected_version,
    const std::function<absl::StatusOr<v1::Institution>(const v1::Institution&)>& apply) {
  v1::Institution out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto row, c.Exec(kLockInstitution, {code}));
    if (row.rows() == 0) return db::NotFound("institution", code);
    int64_t version = row.Int64(0, 1);
    if (version != expected_version)
      return db::StaleVersion("institution", expected_version, version);
    auto current = db::ParseStored<v1::Institution>(row.Text(0, 0));
    if (!current.ok()) return current.status();
    auto next = apply(*current);
    if (!next.ok()) return next.status();
    std::string now = Now();
    next->set_version(version + 1);
    if (auto ts = wire::TimestampFromText(now)) *next->mutable_update_time() = *ts;
    std::string bytes = next->SerializeAsString();
    if (auto u = c.Exec(
            kUpdateInstitution,
            {code, next->display_name(), v1::LegalForm_Name(next->legal_form()),
             next->registered_address().division_code(), db::TextArray(DirectionNames(*next)),
             Param::Bytes(bytes), next->version(), now});
        !u.ok()) {
      return u.status();
    }
    if (auto rv =
            c.Exec(kInsertRevision, {code, next->version(), Param::Bytes(bytes),
                                     change.actor.subject, change.actor.role, change.method, now});
        !rv.ok()) {
      return rv.status();
    }
    out = *next;
    RETURN_IF_ERROR(Notify(c, code));
    return db::Audit(c, change, "institution", code, next->version());
  });
  if (!s.ok()) return s;
  Changed(code);
  return out;
}

absl::StatusOr<std::vector<v1::Institution>> RegistryStore::ListInstitutions(
    const InstitutionFilter& f, const std::string& after, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListInstitutions, {after, f.name_contains, f.division_code,
                                                          f.direction, f.legal_form, limit}));
  std::vector<v1::Institution> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto in = db::ParseStored<v1::Institution>(r.Text(i, 0));
    if (!in.ok()) return in.status();
    out.push_back(std::move(*in));
  }
  return out;
}

absl::StatusOr<std::vector<v1::InstitutionRevision>> RegistryStore::ListRevisions(
    const std::string& code, int64_t before_version, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListRevisions, {code, before_version, limit}));
  std::vector<v1::InstitutionRevision> out;
  for (int i = 0; i < r.rows(); ++i) {
    v1::InstitutionRevision rev;
    auto in = db::ParseStored<v1::Institution>(r.Text(i, 0));
    if (!in.ok()) return in.status();
    *rev.mutable_institution() = std::move(*in);
    rev.mutable_change()->set_actor(r.String(i, 1));
    rev.mutable_change()->set_actor_role(r.String(i, 2));
    rev.mutable_change()->set_method(r.String(i, 3));
    if (auto ts = wire::TimestampFromText(r.String(i, 4)))
      *rev.mutable_change()->mutable_time() = *ts;
    out.push_back(std::move(rev));
  }
  return out;
}

absl::StatusOr<v1::Consortium> RegistryStore::CreateConsortium(const Change& change,
                                                               const std::string& key,
                                                               v1::Consortium in) {
  v1::Consortium out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    std::string now = Now();
    ASSIGN_OR_RETURN(auto r,
                     c.Exec(kInsertConsortium, {in.display_name(), in.lead_credit_code(), now}));
    int64_t id = r.Int64(0, 0);
    in.set_name(absl::StrCat("consortia/", id));
    in.set_version(1);
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_create_time() = *ts;
    for (const auto& m : in.members()) {
      if (auto mr = c.Exec(kInsertMember, {id, m.credit_code()}); !mr.ok()) return mr.status();
    }
    if (auto b = c.Exec(kSetConsortiumBody, {id, Param::Bytes(in.SerializeAsString())}); !b.ok()) {
      return b.status();
    }
    out = in;
    return db::Audit(c, change, "consortium", absl::StrCat(id), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Consortium> RegistryStore::GetConsortium(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetConsortium, {id}));
  if (r.rows() == 0) return db::NotFound("consortium", absl::StrCat(id));
  return db::ParseStored<v1::Consortium>(r.Text(0, 0));
}

// A sanction in force on `date` (R14.4, R14.5): an institution under one is not admitted.
constexpr Statement kSanctionInForce{
    "registry.sanction_in_force",
    "SELECT kind, start_date::text, end_date::text FROM sanctions WHERE credit_code = $1"
    " AND NOT lifted AND start_date <= $2::date AND end_date >= $2::date"
    " ORDER BY kind = 'BAR' DESC, id LIMIT 1"};

absl::StatusOr<v1::DirectoryEntry> RegistryStore::Admit(const Change& change,
                                                        const std::string& key,
                                                        const v1::AdmitToDirectoryRequest& req) {
  v1::DirectoryEntry out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    const std::string today = core::FormatDate(core::BusinessDayOf(clock_()));
    ASSIGN_OR_RETURN(auto sanction, c.Exec(kSanctionInForce, {req.credit_code(), today}));
    if (sanction.rows() > 0) {
      const bool bar = sanction.String(0, 0) == "BAR";
      return RuleViolation(
          bar ? "INSTITUTION_BARRED" : "INSTITUTION_CANCELLED", bar ? "R14.5" : "R14.4",
          absl::StrCat("institution ", req.credit_code(), " is ", bar ? "barred" : "cancelled",
                       " from ", sanction.String(0, 1), " to ", sanction.String(0, 2),
                       ": it is not admitted to a directory"),
          bar ? "机构处于禁入期，不能列入名录" : "机构本年度资格已取消，不能列入名录");
    }
    auto r =
        c.Exec(kInsertEntry, {req.year(), common::v1::DirectoryLevel_Name(req.level()),
                              req.division_code(), req.credit_code(),
                              common::v1::Direction_Name(req.direction()), req.source(), Now()});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "directory_entries_unique") {
        return Error(absl::StatusCode::kAlreadyExists, "ALREADY_IN_DIRECTORY",
                     "the institution is already in this directory for this direction",
                     "该机构已在本年度名录中");
      }
      return r.status();
    }
    if (r->rows() == 0) {
      return RuleViolation("INSTITUTION_NOT_REGISTERED", "R4.1",
                           absl::StrCat("institution ", req.credit_code(),
                                        " must be registered before it is admitted"),
                           "机构须先登记才能列入名录");
    }
    ASSIGN_OR_RETURN(out, RowToEntry(*r, 0));
    if (auto rc =
            RecordEntryChange(c, change, out, absl::StrCat("admitted: ", req.source()), clock_());
        !rc.ok()) {
      return rc;
    }
    RETURN_IF_ERROR(PublishEntry(c, out, v1::DIRECTORY_ENTRY_ADMITTED,
                                 absl::StrCat("admitted: ", req.source()), clock_()));
    RETURN_IF_ERROR(Notify(c, out.credit_code()));
    return db::Audit(c, change, "directory_entry", out.name(), out.version());
  });
  if (!s.ok()) return s;
  Changed(out.credit_code());
  return out;
}

absl::StatusOr<v1::DirectoryEntry> RegistryStore::GetEntry(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetEntry, {id}));
  if (r.rows() == 0) return db::NotFound("directory entry", absl::StrCat(id));
  return RowToEntry(r, 0);
}

absl::StatusOr<v1::DirectoryEntry> RegistryStore::UpdateEntry(const Change& change, int64_t id,
                                                              int64_t expected_version,
                                                              v1::EntryStatus status,
                                                              const std::string& reason) {
  v1::DirectoryEntry out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    auto r =
        c.Exec(kUpdateEntry, {id, v1::EntryStatus_Name(status), reason, expected_version, Now()});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) {
      ASSIGN_OR_RETURN(auto current, c.Exec(kGetEntry, {id}));
      if (current.rows() == 0) return db::NotFound("directory entry", absl::StrCat(id));
      return db::StaleVersion("directory entry", expected_version, current.Int64(0, 10));
    }
    ASSIGN_OR_RETURN(out, RowToEntry(*r, 0));
    RETURN_IF_ERROR(RecordEntryChange(c, change, out, reason, clock_()));
    if (auto p = PublishEntry(c, out, v1::DIRECTORY_ENTRY_CHANGED, reason, clock_()); !p.ok()) {
      return p;
    }
    RETURN_IF_ERROR(Notify(c, out.credit_code()));
    return db::Audit(c, change, "directory_entry", out.name(), out.version());
  });
  if (!s.ok()) return s;
  Changed(out.credit_code());
  return out;
}

absl::StatusOr<std::vector<v1::DirectoryEntryChange>> RegistryStore::ListEntryChanges(
    int64_t id, int64_t after_version, int limit) {
  ASSIGN_OR_RETURN(auto exists, pool_.Exec(kEntryExists, {id}));
  if (exists.rows() == 0) return db::NotFound("directory entry", absl::StrCat(id));
  auto r = pool_.Exec(kListEntryChanges, {id, after_version, int64_t{limit}});
  if (!r.ok()) return r.status();
  std::vector<v1::DirectoryEntryChange> out;
  for (int i = 0; i < r->rows(); ++i) {
    v1::DirectoryEntryChange c;
    c.set_version(r->Int64(i, 0));
    ASSIGN_OR_RETURN(v1::EntryStatus status,
                     db::EnumColumn<v1::EntryStatus>(*r, i, 1, "directory_entry_changes.status"));
    c.set_status(status);
    c.set_reason(r->String(i, 2));
    if (auto dt = wire::DateFromText(r->String(i, 3))) *c.mutable_change_date() = *dt;
    c.set_changed_by(r->String(i, 4));
    if (auto ts = wire::TimestampFromText(r->String(i, 5))) *c.mutable_change_time() = *ts;
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<std::vector<v1::DirectoryEntry>> RegistryStore::ListEntries(
    const v1::ListDirectoryEntriesRequest& f, v1::EntryStatus status, int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(
      auto r, pool_.Exec(kListEntries,
                         {f.year(),
                          f.level() == common::v1::DIRECTORY_LEVEL_UNSPECIFIED
                              ? std::string()
                              : common::v1::DirectoryLevel_Name(f.level()),
                          f.division_code(),
                          f.direction() == common::v1::DIRECTION_UNSPECIFIED
                              ? std::string()
                              : common::v1::Direction_Name(f.direction()),
                          status == v1::ENTRY_STATUS_UNSPECIFIED ? std::string()
                                                                 : v1::EntryStatus_Name(status),
                          after_id, limit}));
  std::vector<v1::DirectoryEntry> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(auto row, RowToEntry(r, i));
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<v1::CountyFiling> RegistryStore::FileCountyList(const Change& change,
                                                               const std::string& key,
                                                               v1::CountyFiling in) {
  v1::CountyFiling out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    // R4.2: a filed list names registered institutions only; every unknown one is named and
    // nothing is written.
    std::vector<std::string> codes;
    for (const auto& item : in.items()) codes.push_back(item.credit_code());
    ASSIGN_OR_RETURN(auto known, c.Exec(kKnownCodes, {db::TextArray(codes)}));
    std::set<std::string> registered;
    for (int i = 0; i < known.rows(); ++i) registered.insert(known.String(i, 0));
    std::vector<std::string> named;
    for (const auto& code : codes) {
      if (!registered.count(code)) named.push_back(code);
    }
    if (!named.empty()) {
      return Error(absl::StatusCode::kFailedPrecondition, "INSTITUTION_NOT_REGISTERED",
                   absl::StrCat("every institution on a county list must be registered first; "
                                "not registered: ",
                                absl::StrJoin(named, ", ")),
                   absl::StrCat("县级名录中的机构须先登记，未登记：", absl::StrJoin(named, "、")),
                   "R4.2");
    }
    std::string now = Now();
    v1::CountyFiling items_only;
    *items_only.mutable_items() = in.items();
    auto r = c.Exec(kInsertFiling,
                    {in.year(), in.division_code(), in.selection_criteria(),
                     Param::Bytes(items_only.SerializeAsString()), change.actor.subject, now});
    if (!r.ok()) return r.status();
    int64_t id = r->Int64(0, 0);
    in.set_name(absl::StrCat("countyFilings/", id));
    in.set_filed_by(change.actor.subject);
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_file_time() = *ts;
    // The filed list becomes the county's directory of that year (R4.2).
    for (const auto& item : in.items()) {
      for (int d : item.directions()) {
        auto e = c.Exec(kInsertEntryIfAbsent, {in.year(), in.division_code(), item.credit_code(),
                                               common::v1::Direction_Name(d), in.name(), now});
        if (!e.ok()) return e.status();
        if (e->rows() == 1) {
          v1::DirectoryEntry added;
          added.set_name(absl::StrCat("directoryEntries/", e->Int64(0, 0)));
          added.set_version(1);
          added.set_status(v1::ACTIVE);
          RETURN_IF_ERROR(RecordEntryChange(
              c, change, added, absl::StrCat("filed with the county list ", in.name()), clock_()));
          added.set_year(in.year());
          added.set_credit_code(item.credit_code());
          if (auto p =
                  PublishEntry(c, added, v1::DIRECTORY_ENTRY_ADMITTED,
                               absl::StrCat("filed with the county list ", in.name()), clock_());
              !p.ok()) {
            return p;
          }
          RETURN_IF_ERROR(Notify(c, item.credit_code()));
          RETURN_IF_ERROR(db::Audit(c, change, "directory_entry",
                                    absl::StrCat("directoryEntries/", e->Int64(0, 0)), 1));
        }
      }
    }
    out = in;
    v1::PublicChange filed;
    filed.set_kind(v1::COUNTY_FILING_FILED);
    filed.set_resource(in.name());
    filed.set_source_service("registry");
    filed.set_year(in.year());
    filed.set_reason(
        absl::StrCat("county ", in.division_code(), " filed ", in.items_size(), " institutions"));
    if (auto p = AppendPublicChange(c, std::move(filed), clock_()); !p.ok()) return p.status();
    return db::Audit(c, change, "county_filing", in.name(), 1);
  });
  if (!s.ok()) return s;
  for (const auto& item : out.items()) Changed(item.credit_code());
  return out;
}

absl::StatusOr<std::vector<v1::CountyFiling>> RegistryStore::ListCountyFilings(
    int year, const std::string& division, int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListFilings, {year, division, after_id, limit}));
  std::vector<v1::CountyFiling> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto items = db::ParseStored<v1::CountyFiling>(r.Text(i, 4));
    if (!items.ok()) return items.status();
    v1::CountyFiling f = std::move(*items);
    f.set_name(absl::StrCat("countyFilings/", r.Int64(i, 0)));
    f.set_year(static_cast<int>(r.Int64(i, 1)));
    f.set_division_code(r.String(i, 2));
    f.set_selection_criteria(r.String(i, 3));
    f.set_filed_by(r.String(i, 5));
    if (auto ts = wire::TimestampFromText(r.String(i, 6))) *f.mutable_file_time() = *ts;
    out.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<v1::Sanction> RegistryStore::ImposeSanction(
    const Change& change, const std::string& key, const v1::ImposeSanctionRequest& req,
    absl::CivilDay start, absl::CivilDay last_day, int rule_version) {
  v1::Sanction out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    auto r = c.Exec(kInsertSanction,
                    {req.credit_code(), v1::SanctionKind_Name(req.kind()), core::FormatDate(start),
                     core::FormatDate(last_day), req.source_reference(), req.reason(),
                     req.command_id(), Now(), int64_t{rule_version}});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "sanctions_command_id_key") {
        return Error(absl::StatusCode::kAlreadyExists, "COMMAND_ID_REUSED",
                     "this command id was already used by another caller", "该指令编号已被使用");
      }
      return r.status();
    }
    // Only a registered institution can be sanctioned (R14.4, R14.5): a well-formed code of
    // nobody is refused, nothing written.
    if (r->rows() == 0) {
      return Error(
          absl::StatusCode::kNotFound, "INSTITUTION_NOT_REGISTERED",
          absl::StrCat("credit_code: no institution ", req.credit_code(), " is registered (R2.1)"),
          absl::StrCat("未登记的服务机构：", req.credit_code()), "R2.1");
    }
    ASSIGN_OR_RETURN(out, RowToSanction(*r, 0));
    RETURN_IF_ERROR(PublishSanction(c, out, v1::SANCTION_IMPOSED, clock_()));
    RETURN_IF_ERROR(Notify(c, out.credit_code()));
    return db::Audit(c, change, "sanction", out.name(), 1);
  });
  if (!s.ok()) return s;
  Changed(out.credit_code());
  return out;
}

absl::StatusOr<v1::Sanction> RegistryStore::GetSanction(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetSanction, {id}));
  if (r.rows() == 0) return db::NotFound("sanction", absl::StrCat(id));
  return RowToSanction(r, 0);
}

absl::StatusOr<v1::Sanction> RegistryStore::LiftSanction(const Change& change, int64_t id,
                                                         int64_t expected_version,
                                                         const std::string& reason) {
  v1::Sanction out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto r, c.Exec(kLiftSanction, {id, expected_version, reason,
                                                    core::FormatDate(core::BusinessDayOf(clock_())),
                                                    change.actor.subject, Now()}));
    if (r.rows() == 0) {
      auto current = c.Exec(kGetSanction, {id});
      if (!current.ok()) return current.status();
      if (current->rows() == 0) return db::NotFound("sanction", absl::StrCat(id));
      if (current->Bool(0, 7)) {
        return RuleViolation("ALREADY_LIFTED", "R14.5", "the sanction was already lifted",
                             "该处理已解除");
      }
      return db::StaleVersion("sanction", expected_version, current->Int64(0, 9));
    }
    ASSIGN_OR_RETURN(out, RowToSanction(r, 0));
    RETURN_IF_ERROR(PublishSanction(c, out, v1::SANCTION_LIFTED, clock_()));
    RETURN_IF_ERROR(Notify(c, out.credit_code()));
    return db::Audit(c, change, "sanction", out.name(), out.version());
  });
  if (!s.ok()) return s;
  Changed(out.credit_code());
  return out;
}

absl::StatusOr<std::vector<v1::Sanction>> RegistryStore::ListSanctions(const std::string& code,
                                                                       int year, int64_t after_id,
                                                                       int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListSanctions, {code, year, after_id, limit}));
  std::vector<v1::Sanction> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(auto row, RowToSanction(r, i));
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<RegistryStore::EligibilityFacts> RegistryStore::LoadEligibilityFacts(
    const std::vector<std::string>& codes, const std::vector<int>& years, core::Io io) {
  if (!cache_) {
    if (io == core::Io::kMemoryOnly) return core::NeedsIo();
    return QueryEligibilityFacts(codes, years);
  }
  EligibilityFacts out;
  std::vector<std::string> missing;
  for (const auto& code : codes) {
    std::vector<CodeFacts> hits;
    for (int year : years) {
      if (auto f = cache_->Facts(code, year)) hits.push_back(std::move(*f));
    }
    if (hits.size() != years.size()) {
      missing.push_back(code);
      continue;
    }
    if (hits[0].known) out.known.push_back(code);
    for (auto& f : hits) {
      for (auto& e : f.entries) out.entries.push_back({code, std::move(e)});
    }
    for (auto& s : hits[0].sanctions) out.sanctions.push_back({code, std::move(s)});
  }
  if (missing.empty()) return out;
  if (io == core::Io::kMemoryOnly) return core::NeedsIo();
  std::map<std::string, RegistryCache::Ticket> tickets;
  for (const auto& code : missing) tickets[code] = cache_->TicketFor(code);
  ASSIGN_OR_RETURN(auto fetched, QueryEligibilityFacts(missing, years));
  // Split the answer per (code, year) for the cache, then add it to what was hit.
  std::map<std::pair<std::string, int>, CodeFacts> per;
  for (const auto& code : missing) {
    for (int year : years) per[{code, year}];
  }
  for (const auto& code : fetched.known) {
    for (int year : years) per[{code, year}].known = true;
  }
  for (const auto& [code, ye] : fetched.entries) per[{code, ye.first}].entries.push_back(ye);
  for (const auto& [code, s] : fetched.sanctions) {
    for (int year : years) per[{code, year}].sanctions.push_back(s);
  }
  for (auto& [key, facts] : per) cache_->PutFacts(key.first, key.second, tickets[key.first], facts);
  out.known.insert(out.known.end(), fetched.known.begin(), fetched.known.end());
  out.entries.insert(out.entries.end(), fetched.entries.begin(), fetched.entries.end());
  out.sanctions.insert(out.sanctions.end(), fetched.sanctions.begin(), fetched.sanctions.end());
  return out;
}

absl::StatusOr<RegistryStore::EligibilityFacts> RegistryStore::QueryEligibilityFacts(
    const std::vector<std::string>& codes, const std::vector<int>& years) {
  EligibilityFacts facts;
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  std::string code_array = db::TextArray(codes);
  std::vector<std::string> year_strings;
  for (int y : years) year_strings.push_back(absl::StrCat(y));
  auto known = (lease)->Exec(kKnownCodes, {code_array});
  if (!known.ok()) return known.status();
  for (int i = 0; i < known->rows(); ++i) facts.known.push_back(known->String(i, 0));
  auto entries = (lease)->Exec(kEntriesForCodes, {code_array, db::TextArray(year_strings)});
  if (!entries.ok()) return entries.status();
  for (int i = 0; i < entries->rows(); ++i) {
    EntryFact e;
    e.name = absl::StrCat("directoryEntries/", entries->Int64(i, 2));
    ASSIGN_OR_RETURN(e.level, db::EnumColumn<common::v1::DirectoryLevel>(
                                  *entries, i, 3, "directory_entries.level"));
    e.division_code = entries->String(i, 4);
    ASSIGN_OR_RETURN(e.direction, db::EnumColumn<common::v1::Direction>(
                                      *entries, i, 5, "directory_entries.direction"));
    ASSIGN_OR_RETURN(e.status,
                     db::EnumColumn<v1::EntryStatus>(*entries, i, 6, "directory_entries.status"));
    facts.entries.push_back(
        {entries->String(i, 0), {static_cast<int>(entries->Int64(i, 1)), std::move(e)}});
  }
  auto sanctions = (lease)->Exec(kSanctionsForCodes, {code_array});
  if (!sanctions.ok()) return sanctions.status();
  for (int i = 0; i < sanctions->rows(); ++i) {
    SanctionFact s;
    s.name = absl::StrCat("sanctions/", sanctions->Int64(i, 1));
    ASSIGN_OR_RETURN(s.kind, db::EnumColumn<v1::SanctionKind>(*sanctions, i, 2, "sanctions.kind"));
    auto start = core::ParseDate(sanctions->Text(i, 3), "start_date");
    auto last = core::ParseDate(sanctions->Text(i, 4), "end_date");
    if (!start.ok() || !last.ok()) return absl::InternalError("stored sanction date unreadable");
    s.start = *start;
    s.last_day = *last;
    s.lifted = sanctions->Bool(i, 5);
    if (s.lifted) {
      auto lifted_on = core::ParseDate(sanctions->Text(i, 6), "lift_date");
      if (!lifted_on.ok()) return absl::InternalError("stored lift date unreadable");
      s.lifted_on = *lifted_on;
    }
    facts.sanctions.push_back({sanctions->String(i, 0), std::move(s)});
  }
  return facts;
}

}  // namespace zhigai::registry
