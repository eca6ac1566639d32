"""Issue 27 item 7: the bad-input catalogue. For every write method of the six services, rows of
bad input sent through the gateway as the method's rightful principal; each row must be refused
with its code, name its field (google.rpc.BadRequest for INVALID_ARGUMENT, the message for the
catalogue and scope refusals) and write nothing.

Data-driven: each row changes one field of the last request of that method that the year made
successfully (so the rest of the request is valid and the refusal is the row's), under a fresh
request id. `check_coverage` fails when a write method of the protos has neither rows nor an
exception with its reason, so a new method cannot land without its rows.

"Nothing written" is read back from the database as the admin: for every table of the method's
service, its row count and the newest row version (max xmin), before and after the row."""
import collections

from google.protobuf import timestamp_pb2
from typed import set_field
from zhigai_client import error_details

INV, NF, FP, PD = "INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION", "PERMISSION_DENIED"
# Every id a request may carry; each row gets fresh ones so that it is judged, not replayed.
# (access_test.ID_FIELDS is narrower on purpose: the ids bound to their body.)
ID_FIELDS = ("request_id", "command_id", "batch_id", "reconciliation_id")

# Bad values, one per class of the issue.
BAD_NAME = "x/../y"                       # not a resource name of the method's collection
BAD_CODE = "91330300MA0000000X"           # 18 characters, wrong check character (GB 32100)
SHORT_CODE = "12345"
BAD_DIV = "999999"                        # six digits, not in data/divisions
BAD_INDUSTRY = "footwear"                 # not a code of data/industries
BAD_DATE = "2026-02-30"
CONTROL = "正常\x07文本"                   # a control character inside free text
LONG = "智" * 20_000                      # beyond every free-text limit, under the 4 MiB frame
ENUM = 99                                 # a raw number no enum defines
NEG = -1
HUGE_FEN = 10 ** 15                       # beyond every money bound (≤ 1e9 fen per subsidy)
HUGE_COUNT = 5_000_000_000                # beyond every count bound (≤ 1,000,000)


def unregistered(cc):
    """A well-formed credit code of Wenzhou that no test registers."""
    return cc("330302", 9_999_001)


Row = collections.namedtuple("Row", "path value code field")


def name_rows(path="name"):
    return [Row(path, BAD_NAME, INV, path), Row(path, "", INV, path)]


def version_rows(path="version"):
    return [Row(path, NEG, INV, path)]


def text_rows(path):
    return [Row(path, CONTROL, INV, path), Row(path, LONG, INV, path)]


def code_rows(path):
    return [Row(path, BAD_CODE, INV, path), Row(path, SHORT_CODE, INV, path)]


def enum_rows(path):
    return [Row(path, ENUM, INV, path)]


def date_rows(path):
    # google.type.Date can carry no malformed text, only days that do not exist.
    return [Row(path, BAD_DATE, INV, path), Row(path, "2026-13-01", INV, path)]


def catalogue(cc):
    """{"service.Method": [Row]}; cc is credit_codes.credit_code."""
    ghost = unregistered(cc)
    inst = "institution."
    ev = "event."
    return {
        # ---------------------------------------------------------------- registry
        "registry.CreateInstitution": code_rows(inst + "credit_code")
        + text_rows(inst + "display_name") + enum_rows(inst + "legal_form")
        + enum_rows(inst + "ownership") + date_rows(inst + "founded_date") + [
            Row(inst + "registered_address.division_code", BAD_DIV, INV,
                inst + "registered_address.division_code"),
            Row(inst + "key_industry_codes[0]", BAD_INDUSTRY, INV, inst + "key_industry_codes"),
            Row(inst + "directions[0]", ENUM, INV, inst + "directions"),
            Row(inst + "previous_year_revenue_fen", NEG, INV, inst + "previous_year_revenue_fen"),
            Row(inst + "staff_resident_in_wenzhou", NEG, INV, inst + "staff_resident_in_wenzhou"),
        ],
        # The year's last update is the institution's own: the fields it may change.
        "registry.UpdateInstitution": text_rows(inst + "products_and_strengths")
        + text_rows(inst + "contact.name") + [
            Row(inst + "name", BAD_NAME, INV, inst + "name"),
            Row(inst + "office_address.division_code", BAD_DIV, INV,
                inst + "office_address.division_code"),
            Row(inst + "key_industry_codes[0]", BAD_INDUSTRY, INV, inst + "key_industry_codes"),
            Row(inst + "staff_senior_title", NEG, INV, inst + "staff_senior_title"),
        ] + version_rows(inst + "version"),
        "registry.CreateConsortium": code_rows("consortium.lead_credit_code")
        + text_rows("consortium.display_name") + [
            Row("consortium.members[0].credit_code", BAD_CODE, INV,
                "consortium.members[0].credit_code"),
            Row("consortium.members[0].role", ENUM, INV, "consortium.members[0].role"),
            # A well-formed code that names no institution: the field is refused as invalid.
            Row("consortium.lead_credit_code", ghost, INV, "consortium.lead_credit_code"),
        ],
        "registry.AdmitToDirectory": code_rows("credit_code") + enum_rows("level")
        + enum_rows("direction") + [
            Row("year", 0, INV, "year"), Row("year", 99999, INV, "year"),
            Row("division_code", BAD_DIV, INV, "division_code"),
            Row("credit_code", ghost, FP, "R4.1"),  # registered before admitted
        ],
        "registry.UpdateDirectoryEntry": name_rows() + enum_rows("status")
        + text_rows("status_reason") + version_rows(),
        "registry.FileCountyList": [
            Row("filing.year", 0, INV, "filing.year"),
            Row("filing.division_code", BAD_DIV, INV, "filing.division_code"),
            Row("filing.items[0].credit_code", BAD_CODE, INV, "filing.items[0].credit_code"),
            Row("filing.items[0].directions[0]", ENUM, INV, "filing.items[0].directions"),
        ] + text_rows("filing.selection_criteria"),
        "registry.ImposeSanction": code_rows("credit_code") + enum_rows("kind")
        + date_rows("start_date") + text_rows("reason") + [
            Row("credit_code", ghost, NF, "credit_code"),
        ],
        "registry.LiftSanction": name_rows() + text_rows("reason") + version_rows(),
        # ---------------------------------------------------------------- review
        "review.CreateCall": text_rows("call.display_name") + enum_rows("call.scope")
        + date_rows("call.opening_date") + [
            Row("call.year", 0, INV, "call.year"),
            Row("call.division_code", BAD_DIV, INV, "call.division_code"),
            Row("call.notice_period_days", NEG, INV, "call.notice_period_days"),
            Row("call.experts_per_application", NEG, INV, "call.experts_per_application"),
            Row("call.directions[0].direction", ENUM, INV, "call.directions[0].direction"),
            Row("call.directions[0].quota", NEG, INV, "call.directions[0].quota"),
        ],
        "review.UpdateCall": text_rows("call.display_name") + date_rows("call.closing_date") + [
            Row("call.name", BAD_NAME, INV, "call.name"),
            Row("call.notice_period_days", NEG, INV, "call.notice_period_days"),
        ] + version_rows("call.version"),
        "review.OpenCall": name_rows() + version_rows(),
        "review.CloseCall": name_rows() + version_rows(),
        "review.StartReview": name_rows() + version_rows(),
        "review.CreateApplication": name_rows("parent") + [
            Row("application.profile.credit_code", BAD_CODE, INV,
                "application.profile.credit_code"),
            Row("application.directions[0]", ENUM, INV, "application.directions"),
            Row("application.staff[0].title", ENUM, INV, "application.staff[0].title"),
            Row("application.staff[0].work_start_date", BAD_DATE, INV,
                "application.staff[0].work_start_date"),
            Row("application.track_record[0].date", BAD_DATE, INV,
                "application.track_record[0].date"),
        ] + text_rows("application.letter.history"),
        "review.UpdateApplication": [
            Row("application.name", BAD_NAME, INV, "application.name"),
            Row("application.directions[0]", ENUM, INV, "application.directions"),
        ] + text_rows("application.letter.team") + version_rows("application.version"),
        "review.UploadDocument": name_rows("header.parent") + enum_rows("header.document.purpose")
        + text_rows("header.document.display_name") + [
            Row("header.size_bytes", NEG, INV, "header.size_bytes"),
            Row("header.sha256", "not-a-digest", INV, "header.sha256"),
        ],
        "review.SubmitApplication": name_rows() + version_rows(),
        "review.DecideChecklistItem": name_rows() + enum_rows("direction") + [
            Row("rule_id", "R99.9", INV, "rule_id"),
        ] + text_rows("reason") + version_rows(),
        "review.CreateExpert": text_rows("expert.display_name") + code_rows(
            "expert.employer_credit_code") + [
            Row("expert.email", "not an address", INV, "expert.email"),
        ],
        "review.AssignExperts": name_rows("call") + [
            Row("assignments[0].application", BAD_NAME, INV, "assignments[0].application"),
            Row("assignments[0].experts[0]", BAD_NAME, INV, "assignments[0].experts[0]"),
        ],
        "review.SubmitExpertScores": [
            Row("sheet.application", BAD_NAME, INV, "sheet.application"),
            Row("sheet.direction", ENUM, INV, "sheet.direction"),
            Row("sheet.scores[0].score_hundredths", NEG, INV, "sheet.scores[0].score_hundredths"),
        ],
        "review.SelectApplicants": name_rows("call"),
        "review.StartPublicNotice": name_rows() + version_rows(),
        "review.FileObjection": name_rows("parent") + [
            Row("objection.application", BAD_NAME, INV, "objection.application"),
            Row("objection.direction", ENUM, INV, "objection.direction"),
        ] + text_rows("objection.reason"),
        "review.ResolveObjection": name_rows() + text_rows("resolution") + version_rows(),
        "review.FinishCall": name_rows() + version_rows(),
        "review.RetryAdmission": name_rows(),
        # ---------------------------------------------------------------- tracking
        "tracking.CreateEnterprise": code_rows("enterprise.credit_code")
        + text_rows("enterprise.display_name") + enum_rows("enterprise.size") + [
            Row("enterprise.division_code", BAD_DIV, INV, "enterprise.division_code"),
            Row("enterprise.industry_code", BAD_INDUSTRY, INV, "enterprise.industry_code"),
        ],
        "tracking.CreateNeed": code_rows("need.enterprise_credit_code")
        + text_rows("need.description") + enum_rows("need.service_kind"),
        "tracking.AssignNeed": name_rows() + code_rows("institution_credit_code")
        + version_rows() + [
            Row("institution_credit_code", ghost, NF, "institution_credit_code"),
        ],
        "tracking.RespondToAssignment": name_rows() + text_rows("decline_reason")
        + version_rows(),
        "tracking.ReportEngagement": code_rows("engagement.enterprise_credit_code")
        + enum_rows("engagement.kind") + date_rows("engagement.start_date") + [
            Row("engagement.need", BAD_NAME, INV, "engagement.need"),
            Row("engagement.planned_deliverables[0]", CONTROL, INV,
                "engagement.planned_deliverables[0]"),
        ],
        "tracking.UpdateEngagementProgress": name_rows() + enum_rows("state")
        + text_rows("note") + version_rows(),
        "tracking.AddEngagementDocument": name_rows() + text_rows("document.title") + [
            Row("document.document_id", "", INV, "document.document_id"),
        ],
        # Batches are judged record by record (S1.1): the reply is OK and the record REJECTED,
        # naming its field inside the record.
        "tracking.PushProjects": _project_rows(),
        "tracking.BatchPushProjects": _project_rows(),
        "tracking.ReconcileProjects": [
            Row("year", 0, INV, "year"),
            Row("project_count", NEG, INV, "project_count"),
            Row("checksum", "zz", INV, "checksum"),
            Row("institutions[0].credit_code", BAD_CODE, INV, "institutions[0].credit_code"),
        ],
        "tracking.BatchPushProjectCounts": [
            Row("rows[0].year", 0, INV, "rows[0].year"),
            Row("rows[0].institution_credit_code", BAD_CODE, INV,
                "rows[0].institution_credit_code"),
            Row("rows[0].kind", ENUM, INV, "rows[0].kind"),
            Row("rows[0].declared", NEG, INV, "rows[0].declared"),
            Row("rows[0].declared", HUGE_COUNT, INV, "rows[0].declared"),
            Row("rows[0].as_of", BAD_DATE, INV, "rows[0].as_of"),
        ],
        "tracking.SetIntakeMode": [Row("year", 0, INV, "year")] + enum_rows("mode")
        + version_rows(),
        # ---------------------------------------------------------------- training
        "training.CreateEvent": code_rows(ev + "institution_credit_code")
        + text_rows(ev + "title") + enum_rows(ev + "type") + date_rows(ev + "date") + [
            Row(ev + "start_time", "25:00", INV, ev + "start_time"),
            Row(ev + "division_code", BAD_DIV, INV, ev + "division_code"),
            Row(ev + "industry_codes[0]", BAD_INDUSTRY, INV, ev + "industry_codes"),
            Row(ev + "expected_audience", NEG, INV, ev + "expected_audience"),
            Row(ev + "fee_fen", NEG, INV, ev + "fee_fen"),
            Row(ev + "fee_fen", HUGE_FEN, FP, "R13.2"),  # no event may charge anything
        ],
        "training.UpdateEvent": [Row(ev + "name", BAD_NAME, INV, ev + "name")]
        + text_rows(ev + "venue") + date_rows(ev + "date") + [
            Row(ev + "industry_codes[0]", BAD_INDUSTRY, INV, ev + "industry_codes"),
        ] + version_rows(ev + "version"),
        "training.SubmitEventForReview": name_rows(),
        "training.ReviewEvent": name_rows() + enum_rows("decision")
        + text_rows("return_reason"),
        "training.FileEvent": name_rows(),
        "training.RecordAttendance": name_rows() + [
            Row("attendance[0].enterprise_credit_code", BAD_CODE, INV,
                "attendance[0].enterprise_credit_code"),
            Row("attendance[0].industry_code", BAD_INDUSTRY, INV, "attendance[0].industry_code"),
            Row("attendance[0].people", NEG, INV, "attendance[0].people"),
            Row("attendance[0].people", HUGE_COUNT, INV, "attendance[0].people"),
        ],
        "training.RecordTraineeRatings": name_rows() + [
            Row("ratings[0].ballot_id", "", INV, "ratings[0].ballot_id"),
            Row("ratings[0].ballot_id", CONTROL, INV, "ratings[0].ballot_id"),
        ],
        "training.SetYearPolicy": [Row("year", 0, INV, "year"), Row("year", 99999, INV, "year")]
        + version_rows(),
        "training.CreateTestSession": text_rows("session.title") + date_rows("session.date") + [
            Row("session.full_marks_hundredths", NEG, INV, "session.full_marks_hundredths"),
            Row("session.expected_credit_codes[0]", BAD_CODE, INV,
                "session.expected_credit_codes[0]"),
        ],
        "training.RecordTestResult": name_rows("session") + code_rows("credit_code") + [
            Row("score_hundredths", NEG, INV, "score_hundredths"),
        ],
        "training.DecideAbsenceExcuse": name_rows("session") + code_rows("credit_code")
        + text_rows("note"),
        "training.CloseTestSession": name_rows(),
        "training.CreateMeeting": text_rows("meeting.title") + date_rows("meeting.date") + [
            Row("meeting.attendee_credit_codes[0]", BAD_CODE, INV,
                "meeting.attendee_credit_codes[0]"),
        ],
        "training.SubmitProblem": name_rows("parent") + text_rows("problem.text"),
        "training.AnswerProblem": name_rows() + text_rows("answer") + version_rows(),
        # ---------------------------------------------------------------- feedback
        "feedback.RateEngagement": name_rows("engagement") + enum_rows("content")
        + enum_rows("results") + text_rows("comment"),
        "feedback.RecordPhoneRating": name_rows("engagement") + enum_rows("content")
        + text_rows("comment"),
        "feedback.UpdateRatingSettings": [
            Row("settings.name", BAD_NAME, INV, "settings.name"),
            Row("settings.change_period_days", NEG, INV, "settings.change_period_days"),
        ] + version_rows("settings.version"),
        "feedback.FileComplaint": code_rows("complaint.institution_credit_code")
        + text_rows("complaint.description") + [
            Row("complaint.engagement", BAD_NAME, INV, "complaint.engagement"),
            Row("complaint.institution_credit_code", ghost, NF,
                "complaint.institution_credit_code"),
        ],
        "feedback.VerifyComplaint": name_rows() + enum_rows("outcome") + text_rows("reasons")
        + date_rows("verification_date") + version_rows(),
        "feedback.RecordPlagiarismFinding": code_rows("finding.institution_credit_code")
        + text_rows("finding.description") + date_rows("finding.finding_date") + [
            Row("finding.institution_credit_code", ghost, NF,
                "finding.institution_credit_code"),
        ],
        # ---------------------------------------------------------------- evaluation
        "evaluation.CreateRound": [Row("year", 0, INV, "year"), Row("year", 99999, INV, "year")],
        "evaluation.PullMetrics": name_rows("round"),
        "evaluation.FreezeSnapshot": name_rows("round") + version_rows(),
        "evaluation.RecordDefenceScores": name_rows("round") + [
            Row("entries[0].credit_code", BAD_CODE, INV, "entries[0].credit_code"),
            Row("entries[0].member_scores_hundredths[0]", NEG, INV,
                "entries[0].member_scores_hundredths"),
        ],
        "evaluation.ComputeRanking": name_rows("round") + version_rows(),
        "evaluation.PublishRound": name_rows("round") + version_rows(),
        "evaluation.FileRoundObjection": name_rows("parent") + code_rows("objection.credit_code")
        + text_rows("objection.reason"),
        "evaluation.DecideRoundObjection": name_rows() + version_rows()
        + text_rows("decision_note") + [
            Row("corrections[0].update_mask.paths[0]", "defence_score", INV,
                "corrections[0].update_mask"),
            Row("corrections[0].inputs.defence_scores_hundredths[0]", 10001, INV,
                "corrections[0].inputs.defence_scores_hundredths[0]"),
        ],
    }


def _project_rows():
    r = "records[0]."
    return [
        Row(r + "project_id", "", INV, r + "project_id"),
        Row(r + "revision", 0, INV, r + "revision"),
        Row(r + "institution_credit_code", BAD_CODE, INV, r + "institution_credit_code"),
        Row(r + "kind", ENUM, INV, r + "kind"),
        Row(r + "declaration_date", BAD_DATE, INV, r + "declaration_date"),
        Row(r + "subsidy_fen", NEG, INV, r + "subsidy_fen"),
        Row(r + "subsidy_fen", HUGE_FEN, INV, r + "subsidy_fen"),
    ]


# Methods whose records are judged one by one in an OK reply (results[].violations).
PER_RECORD = ("tracking.PushProjects", "tracking.BatchPushProjects",
              "tracking.BatchPushProjectCounts")

# Update methods whose base carries the version read: read again before each row, so that the
# row's refusal is not the stale version's (ABORTED). {method: (Get method, name path)}.
REFRESH = {
    "registry.UpdateInstitution": ("GetInstitution", "institution"),
    "review.UpdateCall": ("GetCall", "call"),
    "review.UpdateApplication": ("GetApplication", "application"),
}

def draft_call(client, recorder, bad, tag):
    """UpdateCall changes only a DRAFT call (R4.1), and the year's calls are finished: each row
    updates a draft made from the year's last CreateCall under a fresh request id."""
    create, md = recorder.writes[("review", "CreateCall")]
    req = type(create)()
    req.CopyFrom(create)
    req.request_id = f"bad-draft-{tag}"
    bad.call.name = client.stubs["review"].CreateCall(req, timeout=30, metadata=md).name


SETUP = {"review.UpdateCall": draft_call}

# Methods the year never calls successfully: rows start from an empty request, sent with the
# metadata of another method of the same principal.
EMPTY_BASE = {
    # Needs an admission the registry refused for good; the small year has none.
    "review.RetryAdmission": "review.CreateCall",
}

# Write methods without rows, each with its reason.
EXCEPTIONS = {
    "training.ReloadCalendar": "takes no input: it rereads data/cn-workdays.tsv on the server",
    "registry.RecordPublicChange": "internal (policy.txt '-'): only review's and evaluation's "
                                   "outboxes call it, never through the gateway; its bad input "
                                   "is tested by registry_public_feed_test",
}


def check_coverage(ck, services, is_read, rows):
    """Every write method of the protos has rows or a reasoned exception; no row names a method
    that does not exist."""
    area = "bad input"
    writes = set()
    for full, methods in services.items():
        svc = full.split(".")[1]
        writes |= {f"{svc}.{m}" for m, _ in methods if not is_read(m)}
    missing = sorted(writes - set(rows) - set(EXCEPTIONS))
    ck.check(not missing, f"every write method has bad-input rows (missing: {missing})", area)
    stale = sorted((set(rows) | set(EXCEPTIONS)) - writes)
    ck.check(not stale, f"the catalogue names only methods of the protos (stale: {stale})", area)
    return sorted(writes & set(rows))


# ------------------------------------------------------------------------------ running rows
def set_path(msg, path, value):
    """Sets a dotted path with [i] indexes (adding the message or item when absent)."""
    parts = path.split(".")
    for part in parts[:-1]:
        name, idx = _split(part)
        field = getattr(msg, name)
        if idx is None:
            msg = field
        else:
            while len(field) <= idx:
                field.add()
            msg = field[idx]
    name, idx = _split(parts[-1])
    if idx is None:
        _set_typed(msg, name, value)
        return
    field = getattr(msg, name)
    if len(field) > idx:
        field[idx] = value
    else:
        field.append(value)


def _set_typed(msg, name, value):
    """typed.set_field, except that text which is no instant becomes one past Timestamp's own
    range (year 10000): gRPC cannot carry the text itself."""
    try:
        set_field(msg, name, value)
    except ValueError:
        getattr(msg, name).CopyFrom(timestamp_pb2.Timestamp(seconds=253402300800))


def _split(part):
    if part.endswith("]"):
        name, idx = part[:-1].split("[")
        return name, int(idx)
    return part, None


def fresh_ids(msg, tag):
    """Gives every id field of the request (at any depth) a value never used."""
    for fd, value in msg.ListFields():
        if fd.name in ID_FIELDS and isinstance(value, str):
            setattr(msg, fd.name, f"bad-{tag}")
        elif fd.message_type is not None and fd.label != fd.LABEL_REPEATED:
            fresh_ids(value, tag)


def names_field(code, fields, details, want):
    """The refusal names the field: in BadRequest for INVALID_ARGUMENT (the path itself, or the
    list for an item of a repeated scalar); for the other codes, the message names the field or
    the rule that refused it."""
    if code == INV:
        return any(f == want or f.startswith(want + "[") for f in fields)
    return want in details or want in fields


class Snapshot:
    """Row count and newest row version of every table of one service's schema."""

    def __init__(self, psql, conninfo):
        self.psql, self.conninfo, self.sql = psql, conninfo, {}

    def take(self, svc):
        if svc not in self.sql:
            tables = self.psql(self.conninfo, "SELECT table_name FROM information_schema.tables "
                               f"WHERE table_schema = '{svc}' AND table_type = 'BASE TABLE' "
                               "ORDER BY 1").stdout.split()
            self.sql[svc] = " UNION ALL ".join(
                f"SELECT '{t}', count(*), coalesce(max(xmin::text::bigint), 0) FROM {svc}.{t}"
                for t in tables)
        r = self.psql(self.conninfo, self.sql[svc])
        if r.returncode != 0:
            raise RuntimeError(f"snapshot of {svc}: {r.stderr.strip()}")
        return dict(line.split("|", 1) for line in r.stdout.split())


def base_request(recorder, key):
    """(request or list of stream messages, metadata) to build rows on, or None."""
    svc, method = key.split(".")
    if (svc, method) in recorder.writes:
        return recorder.writes[(svc, method)]
    if key in EMPTY_BASE:
        other = recorder.writes.get(tuple(EMPTY_BASE[key].split(".")))
        if other is not None:
            import importlib
            pb2 = importlib.import_module(f"zhigai.{svc}.v1.{svc}_pb2")
            return getattr(pb2, method + "Request")(), other[1]
    return None


def refresh(client, key, bad, md):
    """Puts the current version of the resource into an update's request."""
    get, field = REFRESH[key]
    svc = key.split(".")[0]
    resource = getattr(bad, field)
    current = getattr(client.stubs[svc], get)(
        _request_type(bad, get)(name=resource.name), timeout=30, metadata=md)
    resource.version = current.version


def _request_type(msg, method):
    import sys
    return getattr(sys.modules[type(msg).__module__], method + "Request")


def judge(ck, key, row, what, call):
    """Sends one row and checks the refusal (an RPC error, or for PER_RECORD methods an OK
    reply whose only record is REJECTED naming the field inside the record)."""
    import grpc
    area = "bad input"
    want = f"want {row.code} naming {row.field}"
    try:
        reply = call()
        if not hasattr(reply, "DESCRIPTOR"):  # a response stream: its first message
            reply = list(reply)[0]
    except grpc.RpcError as e:
        _, fields = error_details(e)
        ck.check(key not in PER_RECORD and e.code().name == row.code
                 and names_field(row.code, fields, e.details() or "", row.field),
                 f"{what}: {e.code().name} {fields or (e.details() or '')[:120]} ({want})", area)
        return
    if key not in PER_RECORD:
        ck.check(False, f"{what}: answered OK ({want})", area)
        return
    first = reply.results[0] if reply.results else None
    outcome = (type(first).DESCRIPTOR.fields_by_name["outcome"].enum_type
               .values_by_number[first.outcome].name if first is not None else "none")
    fields = [v.field for v in first.violations] if first is not None else []
    inner = row.field.split("].", 1)[1]
    ck.check(outcome == "RECORD_REJECTED" and reply.counts.rejected >= 1
             and any(f in (row.field, inner) for f in fields),
             f"{what}: the record answered {outcome} {fields} (want RECORD_REJECTED naming "
             f"{row.field})", area)


def run(ck, client, recorder, services, is_read, psql, conninfo, cc):
    """Sends every row; returns {method: rows sent}."""
    area = "bad input"
    rows = catalogue(cc)
    covered = check_coverage(ck, services, is_read, rows)
    snap = Snapshot(psql, conninfo)
    sent = {}
    for n_method, key in enumerate(covered):
        svc, method = key.split(".")
        base = base_request(recorder, key)
        if base is None:
            ck.check(False, f"{key}: no successful call to build its bad input on", area)
            continue
        request, md = base
        stream = isinstance(request, list)
        first = request[0] if stream else request
        fn = getattr(client.stubs[svc], method)
        sent[key] = 0
        for n_row, row in enumerate(rows[key]):
            bad = type(first)()
            bad.CopyFrom(first)
            fresh_ids(bad, f"{n_method}-{n_row}")
            if key in SETUP:
                SETUP[key](client, recorder, bad, f"{n_method}-{n_row}")
            if key in REFRESH:
                refresh(client, key, bad, md)
            set_path(bad, row.path, row.value)
            if "update_mask" in type(bad).DESCRIPTOR.fields_by_name:
                # An update changes only the fields of its mask: the row's field joins it.
                top = row.path.split(".")[1].split("[")[0]
                if top not in bad.update_mask.paths:
                    bad.update_mask.paths.append(top)
            what = f"{key} {row.path}={_show(row.value)}"
            before = snap.take(svc)
            message = [bad] + list(request[1:]) if stream else bad
            judge(ck, key, row, what,
                  lambda: fn(iter(message) if stream else message, timeout=30, metadata=md))
            after = snap.take(svc)
            changed = sorted(t for t in after if after[t] != before.get(t))
            ck.check(not changed, f"{what}: nothing written (changed: {changed})", area)
            sent[key] += 1
    return sent


def _show(value):
    s = repr(value)
    return s if len(s) <= 24 else s[:20] + "…'"
