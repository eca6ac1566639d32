#!/usr/bin/python3
"""Access (issue 11): row-level scoping, PUBLIC without personal data, and the audit log.

Starts the whole stack (stack.py), plays a small deterministic year through the gateway
(year.py, seed 11), then, through the gateway only with real tokens:

1. Scoping — for every service, a county bureau of division A against division B's rows, an
   institution against another's, an enterprise against another's, an expert against an
   application not assigned to them. Each refusal must carry the exact gRPC code the handler
   decides (PERMISSION_DENIED: every handler refuses a row out of scope with
   server::Forbidden / NOT_ASSIGNED); each refused write is read back as an allowed principal
   and must be unchanged; each check has its positive control (the rightful principal's same
   call succeeds), so a check cannot pass because the call itself is broken.
2. PUBLIC — every method policy.txt grants to PUBLIC is called anonymously with a request that
   returns data; each response is walked recursively (protobuf reflection) for the protected
   fields (derived from the protos, see protected_fields()) and searched, serialized, for the
   personal values the year used (contact names, phones, e-mails, expert names and phones,
   principal subjects). A PUBLIC method without a call here fails the test.
3. Audit — write methods are derived from the protos (is_read()); every write method of every
   service must leave a row in its schema's audit_log after the year and the extra calls
   below (those that cannot be reached are listed in UNREACHABLE with the reason); UPDATE,
   DELETE and TRUNCATE on audit_log as the service's own role fail; no RPC writes the audit log.

Exit 77 (skipped) only when Debian's python3-grpcio is missing."""
import collections
import hashlib
import os
import re
import subprocess
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

try:
    import grpc
except ImportError:
    print("SKIP: python3-grpcio is not installed (apt-get install python3-grpcio)")
    sys.exit(77)

sys.path.insert(0, HERE)
import bad_input_catalogue  # noqa: E402
import credit_codes  # noqa: E402
import stack as stack_mod  # noqa: E402
import zhigai_client  # noqa: E402
from typed import D as Day, HM, T, text  # noqa: E402,F401

PD = grpc.StatusCode.PERMISSION_DENIED
PROTO_DIR = os.path.join(ROOT, "protos")
SERVICES = stack_mod.SERVICES

# ------------------------------------------------------------------------------ rules
# Part 3's classification. A method is a READ when its name starts with one of these verbs;
# anything else is a WRITE and must leave an audit row. "Compute"/"Pull" are writes here:
# ComputeRanking stores the ranking and PullMetrics stores the snapshot. "Simulate" is a read:
# SimulateRanking writes nothing (evaluation_integration_test checks the round's version).
READ_PREFIXES = ("Get", "List", "Check", "BatchGet", "BatchCheck", "Search", "Export",
                 "Download", "Watch", "Simulate")


def is_read(method):
    return method.startswith(READ_PREFIXES)


# Writes this test cannot make leave an audit row, with the reason. Anything else unaudited
# fails the test.
UNREACHABLE = {
    # Needs an admission the registry refused for good (an applicant barred between the
    # notice and the admission); services/review/tests/admission_test.cc covers it, audit row
    # included.
    "/zhigai.review.v1.ReviewService/RetryAdmission":
        "no admission is refused in the small year (covered by review_admission_test)",
}

# Part 2's protected fields, derived from the protos (documented in docs/reliability.md):
#   a) every field of type zhigai.common.v1.Person (法定代表人/联系人: name, title, phone, e-mail);
#   b) every field whose leading comment says "personal data";
#   c) every field whose name is contact*, phone, email, mobile, *_phone, *_email, id_number,
#      id_card*, legal_representative;
#   d) every field whose leading comment names a principal "subject" (staff / expert sign-in
#      ids: verified_by, reviewed_by, Expert.subject, ChangeStamp.actor...);
#   e) every string field named *ed_by (filed_by, answered_by, updated_by...: a staff member's
#      sign-in id), except in evaluation.proto, whose decided_by is documented as the tie-break
#      reason ("FIRST, TOTAL, S1, ..."), not a person;
#   f) every field of a message whose own leading comment declares it "Personal data:" (Person).
NAME_RX = re.compile(r"^(contact\w*|phone|email|mobile|\w+_phone|\w+_email|id_number|id_card\w*|"
                     r"legal_representative)$")
COMMENT_RX = re.compile(r"personal data|\bsubject\b", re.I)


def parse_protos():
    """{message full name: [(field, type, comment)]} and {service: [(method, client_stream)]}."""
    messages, services = {}, collections.defaultdict(list)
    for dirpath, _, files in os.walk(os.path.join(PROTO_DIR, "zhigai")):
        for f in sorted(files):
            if not f.endswith(".proto"):
                continue
            text = open(os.path.join(dirpath, f), encoding="utf-8").read()
            pkg = re.search(r"^package ([\w.]+);", text, re.M).group(1)
            stack, comment, service = [], [], None
            msg_comment = {}
            for line in text.splitlines():
                s = line.strip()
                if s.startswith("//"):
                    comment.append(s[2:])
                    continue
                m = re.match(r"(message|enum|service|oneof) (\w+) \{", s)
                if m and s.endswith("}"):
                    comment = []  # "message X {}": opened and closed on one line
                    continue
                if m:
                    stack.append((m.group(1), m.group(2)))
                    if m.group(1) == "service":
                        service = m.group(2)
                    if m.group(1) == "message":
                        msg_comment[m.group(2)] = " ".join(comment)
                    comment = []
                    continue
                if s.startswith("}"):
                    if stack:
                        stack.pop()
                    comment = []
                    continue
                m = re.match(r"rpc (\w+)\((stream )?", s)
                if m and service:
                    services[f"{pkg}.{service}"].append((m.group(1), bool(m.group(2))))
                    comment = []
                    continue
                m = re.match(r"(?:repeated |optional )?([\w.]+) (\w+) = \d+", s)
                msgs = [n for k, n in stack if k == "message"]
                if m and msgs and stack[-1][0] in ("message", "oneof"):
                    full = pkg + "." + ".".join(msgs)
                    messages.setdefault(full, []).append(
                        (m.group(2), m.group(1), " ".join(comment), msg_comment.get(msgs[-1], "")))
                if s:
                    comment = []
    return messages, services


def protected_fields(messages):
    """{(message full name, field name)} of the protected personal fields (rules a–d)."""
    out = set()
    for msg, fields in messages.items():
        for name, typ, comment, msg_comment in fields:
            if (typ.endswith("common.v1.Person") or (msg.startswith("zhigai.common.v1.")
                                                     and typ == "Person")
                    or NAME_RX.match(name) or COMMENT_RX.search(comment)
                    or (typ == "string" and name.endswith("ed_by")
                        and not msg.startswith("zhigai.evaluation.v1."))
                    or re.search(r"\bPersonal data:", msg_comment)):
                out.add((msg, name))
    return out


def policy_public_methods():
    out = set()
    for line in open(os.path.join(ROOT, "services", "gateway", "policy.txt"), encoding="utf-8"):
        line = line.split("#", 1)[0].split()
        if len(line) >= 2 and "PUBLIC" in line[1:]:
            out.add(line[0])
    return out


# ------------------------------------------------------------------------------ checking
class Checks:
    def __init__(self):
        self.failures, self.count = [], collections.Counter()
        self.kinds = collections.Counter()   # (area, "denied"/"allowed") → calls

    def check(self, cond, what, area="misc"):
        self.count[area] += 1
        print(("ok   " if cond else "FAIL ") + f"[{area}] {what}")
        if not cond:
            self.failures.append(f"[{area}] {what}")
        return cond

    def denied(self, area, what, fn, code=PD):
        """fn must be refused with exactly `code`."""
        self.kinds[(area, "denied")] += 1
        try:
            fn()
        except grpc.RpcError as e:
            return self.check(e.code() == code,
                              f"{what}: {e.code().name} (want {code.name}) {e.details()[:90]!r}",
                              area)
        return self.check(False, f"{what}: ALLOWED (want {code.name})", area)

    def allowed(self, area, what, fn):
        """The positive control: fn must succeed; returns its result."""
        self.kinds[(area, "allowed")] += 1
        try:
            out = fn()
        except grpc.RpcError as e:
            self.check(False, f"{what}: {e.code().name} {e.details()[:120]!r}", area)
            return None
        self.check(True, what, area)
        return out


# ------------------------------------------------------------------------------ part 1
def scoping(ck, y, client, st):
    import year as year_mod
    from google.protobuf import field_mask_pb2
    from zhigai.common.v1 import common_pb2 as common
    from zhigai.evaluation.v1 import evaluation_pb2 as ev
    from zhigai.feedback.v1 import feedback_pb2 as fb
    from zhigai.registry.v1 import registry_pb2 as reg
    from zhigai.review.v1 import review_pb2 as rv
    from zhigai.tracking.v1 import tracking_pb2 as tr
    from zhigai.training.v1 import training_pb2 as tn

    city = y.city
    ent_div = {e["code"]: e["division"] for e in y.enterprises}
    # X: a consulting institution with an engagement; A: the division of that engagement's
    # enterprise; B: another division; Y: another admitted institution; E/F: enterprises in A/B.
    eng_name, X, E = next((n, i, e) for n, i, e in y.engs if i != y.barred)
    A = ent_div[E]
    B = next(d for d in year_mod.COUNTIES if d != A)
    Y = next(c for c in sorted(y.admitted) if c not in (X, y.barred))
    F = next(e["code"] for e in y.enterprises if e["division"] == B)
    cA, cB = y.county(A), y.county(B)
    iX, iY, eE, eF = y.inst(X), y.inst(Y), y.ent(E), y.ent(F)
    print(f"scoping: division A={A} B={B}, institution X={X} Y={Y}, enterprise E={E} F={F}")

    # ---------------------------------------------------------------- registry
    area = "registry"
    # An institution registered in A (the county bureau of A looks after it, R4.2).
    XA = next(a["code"] for a in y.applicants if a["division"] == A and a["code"] != y.barred) \
        if any(a["division"] == A for a in y.applicants) else None
    get_inst = lambda code: city.registry.GetInstitution(  # noqa: E731
        reg.GetInstitutionRequest(name=f"institutions/{code}"))

    def update_inst(who, code, text):
        cur = get_inst(code)
        return who.registry.UpdateInstitution(reg.UpdateInstitutionRequest(
            institution=reg.Institution(name=cur.name, version=cur.version,
                                        products_and_strengths=text),
            update_mask=field_mask_pb2.FieldMask(paths=["products_and_strengths"])))

    # The same scope on create as on update (issue 27 item 3): B may not register in A.
    newcomer = year_mod.credit_code(A, 7770101)
    ck.denied(area, f"county {B} registers an institution in {A}",
              lambda: cB.registry.CreateInstitution(reg.CreateInstitutionRequest(
                  request_id="acc-create-outside", institution=reg.Institution(
                      credit_code=newcomer, display_name="温州越权登记科技有限公司",
                      legal_form=reg.INDEPENDENT_LEGAL_PERSON, founded_date=Day("2015-05-05"),
                      registered_address=common.Address(province="浙江省", city="温州市",
                                                         division_code=A, street="1号"),
                      ownership=reg.PRIVATE, directions=[common.CONSULTING]))))
    try:
        city.registry.GetInstitution(reg.GetInstitutionRequest(name=f"institutions/{newcomer}"))
        ck.check(False, "… nothing registered", area)
    except grpc.RpcError as e:
        ck.check(e.code() == grpc.StatusCode.NOT_FOUND, "… nothing registered", area)
    if XA:
        before = get_inst(XA)
        ck.denied(area, f"county {B} updates institution {XA} registered in {A}",
                  lambda: update_inst(cB, XA, "越权修改"))
        ck.check(get_inst(XA).version == before.version, "… institution unchanged", area)
        out = ck.allowed(area, f"county {A} updates institution {XA} of its division",
                         lambda: update_inst(cA, XA, "智能工厂诊断（县局核实）"))
        ck.check(out is not None and out.version == before.version + 1, "… version +1", area)
    else:
        ck.check(False, f"no institution registered in {A}", area)
    before = get_inst(X)
    ck.denied(area, "institution Y updates institution X", lambda: update_inst(iY, X, "越权"))
    ck.check(get_inst(X).version == before.version, "… institution X unchanged", area)
    ck.allowed(area, "institution X updates itself", lambda: update_inst(iX, X, "诊断与方案设计"))
    rev = lambda who: who.registry.ListInstitutionRevisions(  # noqa: E731
        reg.ListInstitutionRevisionsRequest(name=f"institutions/{X}"))
    ck.denied(area, "institution Y lists X's revisions", lambda: rev(iY))
    r = ck.allowed(area, "institution X lists its own revisions", lambda: rev(iX))
    ck.check(r is not None and len(r.revisions) >= 2, "… X sees its revisions", area)
    sanc = lambda who: who.registry.ListSanctions(  # noqa: E731
        reg.ListSanctionsRequest(credit_code=y.barred))
    ck.denied(area, "institution Y lists the barred institution's sanctions", lambda: sanc(iY))
    r = ck.allowed(area, "the barred institution lists its own sanctions",
                   lambda: sanc(y.inst(y.barred)))
    ck.check(r is not None and any(s.kind == reg.BAR for s in r.sanctions), "… BAR visible", area)
    other = iY.registry.GetInstitution(reg.GetInstitutionRequest(name=f"institutions/{X}"))
    own = iX.registry.GetInstitution(reg.GetInstitutionRequest(name=f"institutions/{X}"))
    ck.check(not other.HasField("contact") and not other.HasField("legal_representative"),
             "institution Y reads X without X's contact person (personal data)", area)
    ck.check(own.contact.phone != "", "institution X reads its own contact phone", area)
    ck.denied(area, "institution Y registers an institution under another credit code",
              lambda: iY.registry.CreateInstitution(reg.CreateInstitutionRequest(
                  request_id="acc-create-other", institution=reg.Institution(
                      credit_code=year_mod.credit_code(A, 7770001), display_name="温州冒名科技有限公司",
                      legal_form=reg.INDEPENDENT_LEGAL_PERSON, founded_date=Day("2015-01-01"),
                      registered_address=common.Address(province="浙江省", city="温州市",
                                                        division_code=A, street="1号"),
                      ownership=reg.PRIVATE, directions=[common.CONSULTING],
                      contact=common.Person(name="冒名", phone="13900000000"),
                      staff_resident_in_wenzhou=5, products_and_strengths="无"))))
    # County directory (R4.2): A's county entry for an institution of the year.
    county_entries = lambda: city.registry.ListDirectoryEntries(  # noqa: E731
        reg.ListDirectoryEntriesRequest(year=y.year, level=common.COUNTY, division_code=A,
                                        page_size=1000)).entries
    admit = lambda who, n: who.registry.AdmitToDirectory(  # noqa: E731
        reg.AdmitToDirectoryRequest(command_id=f"acc-admit-{n}", year=y.year,
                                    level=common.COUNTY, division_code=A, credit_code=X,
                                    direction=common.CONSULTING, source="县级遴选"))
    ck.denied(area, f"county {B} admits into {A}'s county directory", lambda: admit(cB, "b"))
    ck.check(not any(e.credit_code == X for e in county_entries()), "… nothing admitted", area)
    entry = ck.allowed(area, f"county {A} admits into its own county directory",
                       lambda: admit(cA, "a"))
    if entry:
        upd = lambda who: who.registry.UpdateDirectoryEntry(  # noqa: E731
            reg.UpdateDirectoryEntryRequest(name=entry.name, status=reg.SUSPENDED,
                                            status_reason="整改期间暂停", version=entry.version))
        ck.denied(area, f"county {B} suspends {A}'s county entry", lambda: upd(cB))
        now = [e for e in county_entries() if e.name == entry.name]
        ck.check(len(now) == 1 and now[0].status == reg.ACTIVE and now[0].version == entry.version,
                 "… entry unchanged (ACTIVE, same version)", area)
        ck.allowed(area, f"county {A} suspends its own county entry", lambda: upd(cA))
    filings = lambda: city.registry.ListCountyFilings(  # noqa: E731
        reg.ListCountyFilingsRequest(year=y.year, division_code=A)).filings
    filing = lambda who, n: who.registry.FileCountyList(reg.FileCountyListRequest(  # noqa: E731
        request_id=f"acc-filing-{n}", filing=reg.CountyFiling(
            year=y.year, division_code=A, selection_criteria="本辖区智能化技改服务机构遴选标准",
            items=[reg.CountyListItem(credit_code=X, directions=[common.CONSULTING])])))
    before = len(filings())   # the year may have filed one for A already
    ck.denied(area, f"county {B} files {A}'s county list", lambda: filing(cB, "b"))
    ck.check(len(filings()) == before, "… no new filing for A", area)
    ck.allowed(area, f"county {A} files its own county list", lambda: filing(cA, "a"))
    ck.check(len(filings()) == before + 1, "… one more filing for A", area)
    consortium = lambda who, n: who.registry.CreateConsortium(reg.CreateConsortiumRequest(  # noqa
        request_id=f"acc-cons-{n}", consortium=reg.Consortium(
            display_name="温州智改联合体", lead_credit_code=X,
            members=[reg.ConsortiumMember(credit_code=X, display_name="牵头单位",
                                          role=reg.ENGINEERING_SERVICE),
                     reg.ConsortiumMember(credit_code=year_mod.credit_code(A, 7770002),
                                          display_name="方案供应商", role=reg.SOLUTION_SUPPLIER)])))
    ck.denied(area, "institution Y registers a consortium led by X", lambda: consortium(iY, "y"))
    ck.allowed(area, "institution X registers its own consortium", lambda: consortium(iX, "x"))
    # Sanctions are the city bureau's (R14.4/R14.5): a county bureau may not impose one.
    impose = lambda who, n: who.registry.ImposeSanction(reg.ImposeSanctionRequest(  # noqa: E731
        command_id=f"acc-sanction-{n}", credit_code=Y, kind=reg.CANCEL, start_date=Day(y.day(0)),
        source_reference="acc-test", reason="access test"))
    ck.denied(area, f"county {A} imposes a sanction", lambda: impose(cA, "a"))
    s = ck.allowed(area, "the city bureau imposes a sanction", lambda: impose(city, "city"))
    if s:
        lift = lambda who: who.registry.LiftSanction(  # noqa: E731
            reg.LiftSanctionRequest(name=s.name, reason="测试撤销", version=s.version))
        ck.denied(area, f"county {A} lifts a sanction", lambda: lift(cA))
        ck.allowed(area, "the city bureau lifts it", lambda: lift(city))

    # ---------------------------------------------------------------- tracking
    area = "tracking"
    get_eng = lambda who: who.tracking.GetEngagement(tr.GetEngagementRequest(name=eng_name))  # noqa
    ck.allowed(area, f"county {A} reads an engagement of its division", lambda: get_eng(cA))
    ck.denied(area, f"county {B} reads an engagement of {A}", lambda: get_eng(cB))
    ck.denied(area, "institution Y reads X's engagement", lambda: get_eng(iY))
    ck.denied(area, "enterprise F reads E's engagement", lambda: get_eng(eF))
    ck.allowed(area, "institution X reads its engagement", lambda: get_eng(iX))
    ck.allowed(area, "enterprise E reads its engagement", lambda: get_eng(eE))
    before = get_eng(city)
    upd = lambda who: who.tracking.UpdateEngagementProgress(  # noqa: E731
        tr.UpdateEngagementProgressRequest(name=eng_name, state=before.state,
                                           version=before.version, note="越权备注"))
    ck.denied(area, f"county {B} updates an engagement of {A}", lambda: upd(cB))
    ck.denied(area, "institution Y updates X's engagement", lambda: upd(iY))
    ck.denied(area, "enterprise F updates E's engagement", lambda: upd(eF))
    ck.check(get_eng(city).version == before.version, "… engagement unchanged", area)
    doc = lambda who, n: who.tracking.AddEngagementDocument(tr.AddEngagementDocumentRequest(  # noqa
        name=eng_name, request_id=f"acc-doc-{n}",
        document=tr.EngagementDocument(document_id=f"doc-{n}", title="诊断报告附件")))
    ck.denied(area, "institution Y adds a document to X's engagement", lambda: doc(iY, "y"))
    ck.check(get_eng(city).version == before.version, "… engagement unchanged", area)
    ck.allowed(area, "institution X adds a document to its engagement", lambda: doc(iX, "x"))
    lst = lambda who, **kw: who.tracking.ListEngagements(  # noqa: E731
        tr.ListEngagementsRequest(page_size=1000, **kw)).engagements
    ck.denied(area, f"county {B} lists engagements filtered on {A}",
              lambda: lst(cB, division_code=A))
    rows = lst(cB)
    ck.check(all(e.division_code == B for e in rows) and eng_name not in {e.name for e in rows},
             f"county {B}'s engagement list holds only {B} ({len(rows)} rows)", area)
    rows = lst(cA)
    ck.check(eng_name in {e.name for e in rows} and all(e.division_code == A for e in rows),
             f"county {A}'s engagement list holds its engagement, only {A} ({len(rows)} rows)",
             area)
    rows = lst(eF)
    ck.check(all(e.enterprise_credit_code == F for e in rows),
             f"enterprise F's list holds only its own ({len(rows)} rows)", area)
    get_ent = lambda who: who.tracking.GetEnterprise(  # noqa: E731
        tr.GetEnterpriseRequest(name=f"enterprises/{E}"))
    ck.denied(area, f"county {B} reads an enterprise of {A}", lambda: get_ent(cB))
    ck.denied(area, "enterprise F reads enterprise E", lambda: get_ent(eF))
    ck.allowed(area, f"county {A} reads an enterprise of its division", lambda: get_ent(cA))
    ck.allowed(area, "enterprise E reads itself", lambda: get_ent(eE))
    need_req = lambda n: tr.CreateNeedRequest(request_id=f"acc-need-{n}", need=tr.Need(  # noqa
        enterprise_credit_code=E, description="希望对注塑车间做智能化诊断",
        service_kind=common.DIAGNOSIS))
    ck.denied(area, "enterprise F files a need for enterprise E",
              lambda: eF.tracking.CreateNeed(need_req("f")))
    ck.denied(area, f"county {B} files a need for an enterprise of {A}",
              lambda: cB.tracking.CreateNeed(need_req("b")))
    need = ck.allowed(area, "enterprise E files its own need",
                      lambda: eE.tracking.CreateNeed(need_req("e")))
    if need:
        get_need = lambda who: who.tracking.GetNeed(tr.GetNeedRequest(name=need.name))  # noqa
        ck.denied(area, f"county {B} reads a need of {A}", lambda: get_need(cB))
        ck.denied(area, "enterprise F reads E's need", lambda: get_need(eF))
        ck.denied(area, "institution X reads a need not assigned to it", lambda: get_need(iX))
        ck.allowed(area, f"county {A} reads the need", lambda: get_need(cA))
        assign = lambda who: who.tracking.AssignNeed(tr.AssignNeedRequest(  # noqa: E731
            name=need.name, institution_credit_code=X, version=need.version))
        ck.denied(area, f"county {B} assigns a need of {A}", lambda: assign(cB))
        ck.check(get_need(city).version == need.version, "… need unchanged", area)
        rows = cB.tracking.ListNeeds(tr.ListNeedsRequest(page_size=1000)).needs
        ck.check(need.name not in {n.name for n in rows}, f"county {B}'s need list omits it", area)
        # AssignNeed asks the registry (R12.2 with R4.1): X may serve on the business date,
        # which after the played year lies in the next year's directory.
        today_year = int(y.day(0)[:4])
        city.registry.AdmitToDirectory(reg.AdmitToDirectoryRequest(
            command_id=f"acc-admit-need-{X}-{today_year}", year=today_year, level=common.CITY,
            credit_code=X, direction=common.DIAGNOSIS, source="access test"))
        n2 = ck.allowed(area, f"county {A} assigns the need to X", lambda: assign(cA))
        if n2:
            ck.allowed(area, "institution X reads the need assigned to it", lambda: get_need(iX))
            ck.denied(area, "institution Y reads the need assigned to X", lambda: get_need(iY))
            resp = lambda who: who.tracking.RespondToAssignment(  # noqa: E731
                tr.RespondToAssignmentRequest(name=need.name, accept=True, version=n2.version))
            ck.denied(area, "institution Y answers the assignment to X", lambda: resp(iY))
            ck.check(get_need(city).version == n2.version, "… need unchanged", area)
            ck.allowed(area, "institution X accepts its assignment", lambda: resp(iX))
    ing = lambda who: who.tracking.GetIngestSummary(  # noqa: E731
        tr.GetIngestSummaryRequest(year=y.year, institution_credit_code=X))
    ck.denied(area, "institution Y reads X's project figures", lambda: ing(iY))
    ck.allowed(area, "institution X reads its own project figures", lambda: ing(iX))

    # ---------------------------------------------------------------- training
    area = "training"
    events = city.training.ListEvents(tn.ListEventsRequest(page_size=1000)).events
    ev_a = next(e for e in events if e.division_code != B)
    D, OWNER = ev_a.division_code, ev_a.institution_credit_code
    NOT_OWNER = next(c for c in sorted(y.admitted) if c != OWNER)
    cD, cNotD = y.county(D), y.county(next(d for d in year_mod.COUNTIES if d != D))
    iO, iN = y.inst(OWNER), y.inst(NOT_OWNER)
    get_ev = lambda who: who.training.GetEvent(tn.GetEventRequest(name=ev_a.name))  # noqa: E731
    ck.denied(area, "another division's county bureau reads an event", lambda: get_ev(cNotD))
    ck.denied(area, "another institution reads an event", lambda: get_ev(iN))
    ck.denied(area, "an enterprise reads an event", lambda: get_ev(eE))
    ck.allowed(area, "the venue's county bureau reads the event", lambda: get_ev(cD))
    ck.allowed(area, "the organising institution reads its event", lambda: get_ev(iO))
    rep = lambda who: who.training.GetSubsidyReport(  # noqa: E731
        tn.GetSubsidyReportRequest(name=ev_a.name))
    ck.denied(area, "another institution reads an event's subsidy report", lambda: rep(iN))
    ck.allowed(area, "the organising institution reads its subsidy report", lambda: rep(iO))
    before = get_ev(city)
    rev_ev = lambda who: who.training.ReviewEvent(tn.ReviewEventRequest(  # noqa: E731
        name=ev_a.name, decision=tn.RETURN, return_reason="越权退回"))
    ck.denied(area, "another division's county bureau reviews an event", lambda: rev_ev(cNotD))
    att = lambda who: who.training.RecordAttendance(tn.RecordAttendanceRequest(  # noqa: E731
        name=ev_a.name, attendance=[tn.Attendance(enterprise_credit_code=E, people=1,
                                                  industry_code="ELECTRICAL")]))
    ck.denied(area, "another institution records attendance of an event", lambda: att(iN))
    ck.denied(area, "another division's county bureau records attendance", lambda: att(cNotD))
    ck.check(get_ev(city).version == before.version, "… event unchanged", area)
    lst = lambda who, **kw: who.training.ListEvents(  # noqa: E731
        tn.ListEventsRequest(page_size=1000, **kw)).events
    ck.denied(area, "an institution lists another institution's events",
              lambda: lst(iN, institution_credit_code=OWNER))
    ck.denied(area, "a county bureau lists another division's events",
              lambda: lst(cNotD, division_code=D))
    rows = lst(cD)
    ck.check(ev_a.name in {e.name for e in rows} and all(e.division_code == D for e in rows),
             f"the venue's county bureau lists only its division's events ({len(rows)})", area)
    # A new plan of the owner's (still DRAFT): UpdateEvent by another institution is refused.
    plan = tn.Event()
    plan.CopyFrom(before)
    for f in ("name", "state", "version", "create_time", "update_time", "review", "filing",
              "attendance", "ratings", "reviewed_by"):
        try:
            plan.ClearField(f)
        except ValueError:
            pass
    plan.date.CopyFrom(Day(y.day(40)))
    # Training asks the registry (R14.4/R14.5): the organiser is in this year's directory for
    # training, as the city bureau admits it.
    this_year = int(y.day(0)[:4])
    city.registry.AdmitToDirectory(reg.AdmitToDirectoryRequest(
        command_id=f"acc-admit-{OWNER}-{this_year}", year=this_year, level=common.CITY,
        credit_code=OWNER, direction=common.TRAINING, source="access test"))
    new_ev = ck.allowed(area, "the institution plans a new event",
                        lambda: iO.training.CreateEvent(tn.CreateEventRequest(
                            event=plan, request_id="acc-event")))
    if new_ev:
        upd_ev = lambda who: who.training.UpdateEvent(tn.UpdateEventRequest(  # noqa: E731
            event=tn.Event(**{**_fields(new_ev), "title": new_ev.title + "（修订）"})))
        ck.denied(area, "another institution edits the plan", lambda: upd_ev(iN))
        ck.check(get_ev_by(city, new_ev.name, tn).version == new_ev.version, "… plan unchanged",
                 area)
        ck.allowed(area, "the organising institution edits its plan", lambda: upd_ev(iO))
    # A past event of the owner's: attendance and trainee ratings (R13.2) only by the owner.
    past = tn.Event()
    past.CopyFrom(plan)
    past.date.CopyFrom(Day(y.day(-3)))
    pev = ck.allowed(area, "the institution records a past event",
                     lambda: iO.training.CreateEvent(tn.CreateEventRequest(
                         event=past, request_id="acc-event-past")))
    if pev:
        att = lambda who: who.training.RecordAttendance(tn.RecordAttendanceRequest(  # noqa
            name=pev.name, attendance=[tn.Attendance(enterprise_credit_code=E, people=60,
                                                     industry_code=plan.industry_codes[0])]))
        ck.denied(area, "another institution records attendance of a past event",
                  lambda: att(iN))
        ck.denied(area, "another division's county bureau records its attendance",
                  lambda: att(cNotD))
        ck.check(len(get_ev_by(city, pev.name, tn).attendance) == 0, "… no attendance", area)
        ck.allowed(area, "the organising institution records attendance", lambda: att(iO))
        rate = lambda who: who.training.RecordTraineeRatings(  # noqa: E731
            tn.RecordTraineeRatingsRequest(name=pev.name, ratings=[
                tn.TraineeRating(ballot_id=f"acc-{k}", satisfied=True) for k in range(5)]))
        ck.denied(area, "another institution records trainee ratings", lambda: rate(iN))
        ck.allowed(area, "the organising institution records trainee ratings",
                   lambda: rate(iO))
    # Meetings: a county bureau manages only the meetings it organised (R9.1).
    meeting = lambda who, org, n: who.training.CreateMeeting(tn.CreateMeetingRequest(  # noqa
        request_id=f"acc-meeting-{n}", meeting=tn.Meeting(
            title="县级交流会", date=Day(y.day(-10)), organiser=org, attendee_credit_codes=[X, Y])))
    ck.denied(area, f"county {B} records a meeting organised by {A}",
              lambda: meeting(cB, A, "b"))
    m = ck.allowed(area, f"county {A} records its own meeting", lambda: meeting(cA, A, "a"))
    if m:
        p = iX.training.SubmitProblem(tn.SubmitProblemRequest(
            parent=m.name, request_id="acc-problem",
            problem=tn.Problem(credit_code=X, text="设备协议不统一")))
        # The handler stores a problem under the caller's own credit code, whatever the
        # request names: Y cannot submit in X's name (scoped, not refused).
        py = ck.allowed(area, "institution Y submits a problem naming X",
                        lambda: iY.training.SubmitProblem(tn.SubmitProblemRequest(
                            parent=m.name, request_id="acc-problem-y",
                            problem=tn.Problem(credit_code=X, text="冒名提交"))))
        ck.check(py is not None and py.credit_code == Y,
                 f"… stored under Y's own code, not X's ({py.credit_code if py else '-'})", area)
        answer = lambda who: who.training.AnswerProblem(tn.AnswerProblemRequest(  # noqa: E731
            name=p.name, answer="县局统一答复", version=p.version))
        ck.denied(area, f"county {B} answers a problem of {A}'s meeting", lambda: answer(cB))
        ck.allowed(area, f"county {A} answers a problem of its meeting", lambda: answer(cA))
        probs = lambda who: who.training.ListProblems(  # noqa: E731
            tn.ListProblemsRequest(parent=m.name)).problems
        rows = probs(iY)
        ck.check(all(x.credit_code == Y for x in rows),
                 f"institution Y lists only its own problems ({len(rows)})", area)
        ck.check(any(x.credit_code == X for x in probs(iX)), "institution X lists its problem",
                 area)

    # ---------------------------------------------------------------- feedback
    area = "feedback"
    ratings = city.feedback.ListRatings(fb.ListRatingsRequest(page_size=1000)).ratings
    rt = next(r_ for r_ in ratings if r_.institution_credit_code != y.barred)
    rdiv = ent_div[rt.enterprise_credit_code]
    c_in, c_out = y.county(rdiv), y.county(next(d for d in year_mod.COUNTIES if d != rdiv))
    e_own, e_other = y.ent(rt.enterprise_credit_code), y.ent(
        next(e["code"] for e in y.enterprises if e["code"] != rt.enterprise_credit_code))
    i_own = y.inst(rt.institution_credit_code)
    i_other = y.inst(next(c for c in sorted(y.admitted) if c != rt.institution_credit_code))
    get_r = lambda who: who.feedback.GetRating(fb.GetRatingRequest(name=rt.name))  # noqa: E731
    ck.denied(area, "another division's county bureau reads a rating", lambda: get_r(c_out))
    ck.denied(area, "another enterprise reads a rating", lambda: get_r(e_other))
    ck.denied(area, "another institution reads a rating", lambda: get_r(i_other))
    ck.allowed(area, "the rating enterprise reads it", lambda: get_r(e_own))
    ck.allowed(area, "the rated institution reads it", lambda: get_r(i_own))
    ck.allowed(area, "the division's county bureau reads it", lambda: get_r(c_in))
    ck.denied(area, "an enterprise lists another enterprise's ratings",
              lambda: e_other.feedback.ListRatings(fb.ListRatingsRequest(
                  enterprise_credit_code=rt.enterprise_credit_code)))
    rerate = lambda who: who.feedback.RateEngagement(fb.RateEngagementRequest(  # noqa: E731
        engagement=rt.engagement, content=fb.AVERAGE, results=fb.AVERAGE, version=rt.version,
        request_id="acc-rerate"))
    ck.denied(area, "another enterprise rates an engagement not its own", lambda: rerate(e_other))
    ck.check(get_r(city).version == rt.version and get_r(city).content == rt.content,
             "… rating unchanged", area)
    rated = {r_.engagement for r_ in ratings}
    unrated = next(((n, i, e) for n, i, e in y.engs if n not in rated and i != y.barred), None)
    if unrated:
        ud = ent_div[unrated[2]]
        phone = lambda who, n: who.feedback.RecordPhoneRating(fb.RecordPhoneRatingRequest(  # noqa
            engagement=unrated[0], content=fb.FAIRLY_SATISFIED, results=fb.FAIRLY_SATISFIED,
            request_id=f"acc-phone-{n}"))
        other_d = y.county(next(d for d in year_mod.COUNTIES if d != ud))
        ck.denied(area, "another division's county bureau records a phone rating",
                  lambda: phone(other_d, "b"))
        ck.check(not any(r_.engagement == unrated[0] for r_ in city.feedback.ListRatings(
            fb.ListRatingsRequest(page_size=1000)).ratings), "… no rating written", area)
        ck.allowed(area, "the division's county bureau records a phone rating",
                   lambda: phone(y.county(ud), "a"))
    else:
        ck.check(False, "an unrated engagement exists for RecordPhoneRating", area)
    comps = city.feedback.ListComplaints(fb.ListComplaintsRequest(page_size=1000)).complaints
    cp = comps[0]
    cp_div = next(ent_div[e] for n, i, e in y.engs if n == cp.engagement)
    cc_in, cc_out = y.county(cp_div), y.county(next(d for d in year_mod.COUNTIES if d != cp_div))
    get_c = lambda who: who.feedback.GetComplaint(fb.GetComplaintRequest(name=cp.name))  # noqa
    ck.denied(area, "another division's county bureau reads a complaint", lambda: get_c(cc_out))
    ck.denied(area, "another enterprise reads a complaint",
              lambda: get_c(y.ent(next(e["code"] for e in y.enterprises
                                       if e["code"] != cp.complainant_credit_code))))
    ck.denied(area, "an uninvolved institution reads a complaint",
              lambda: get_c(y.inst(next(c for c in sorted(y.admitted)
                                        if c != cp.institution_credit_code))))
    got = ck.allowed(area, "the complainant reads its complaint",
                     lambda: get_c(y.ent(cp.complainant_credit_code)))
    ck.allowed(area, "the division's county bureau reads the complaint", lambda: get_c(cc_in))
    seen = ck.allowed(area, "the institution complained about reads the verified complaint",
                      lambda: get_c(y.inst(cp.institution_credit_code)))
    if seen is not None:
        ck.check(not seen.HasField("contact") and not seen.verified_by,
                 "… without the complainant's contact person or the verifier's id", area)
    ver = lambda who: who.feedback.VerifyComplaint(fb.VerifyComplaintRequest(  # noqa: E731
        name=cp.name, outcome=fb.REJECTED, reasons="越权改判", verification_date=Day(y.day(0)),
        version=cp.version))
    ck.denied(area, "another division's county bureau re-verifies a complaint",
              lambda: ver(cc_out))
    ck.check(get_c(city).version == cp.version and get_c(city).outcome == cp.outcome,
             "… complaint unchanged", area)
    ck.denied(area, "an enterprise lists another enterprise's complaints",
              lambda: y.ent(F).feedback.ListComplaints(fb.ListComplaintsRequest(
                  complainant_credit_code=cp.complainant_credit_code)))
    _ = got

    # ---------------------------------------------------------------- review
    area = "review"
    app_x = y.apps.get(X)
    get_app = lambda who, name: who.review.GetApplication(  # noqa: E731
        rv.GetApplicationRequest(name=name))
    ck.denied(area, "institution Y reads X's application", lambda: get_app(iY, app_x.name))
    ck.denied(area, "a county bureau reads an application of the city call",
              lambda: get_app(cA, app_x.name))
    ck.denied(area, "an enterprise reads an application", lambda: get_app(eE, app_x.name))
    ck.allowed(area, "institution X reads its own application", lambda: get_app(iX, app_x.name))
    ck.allowed(area, "the city bureau reads it", lambda: get_app(city, app_x.name))
    docs = lambda who: who.review.ListDocuments(  # noqa: E731
        rv.ListDocumentsRequest(parent=app_x.name))
    ck.denied(area, "institution Y lists X's application documents", lambda: docs(iY))
    dl = ck.allowed(area, "institution X lists its documents", lambda: docs(iX))
    if dl and dl.documents:
        down = lambda who: list(who.review.DownloadDocument(  # noqa: E731
            rv.DownloadDocumentRequest(name=dl.documents[0].name)))
        ck.denied(area, "institution Y downloads X's document", lambda: down(iY))
        ck.allowed(area, "institution X downloads its document", lambda: down(iX))
    cl = lambda who: who.review.GetEligibilityChecklist(  # noqa: E731
        rv.GetEligibilityChecklistRequest(name=app_x.name + "/checklist"))
    ck.denied(area, "institution Y reads X's checklist", lambda: cl(iY))
    ck.allowed(area, "institution X reads its checklist", lambda: cl(iX))
    # Experts: assignments from the city bureau's view of the applications.
    assigned = {}
    for e in y.experts.values():
        rows = y.c.as_("EXPERT", sub=e.subject).review.ListApplications(
            rv.ListApplicationsRequest(parent=y.call.name, page_size=1000)).applications
        assigned[e.subject] = {a.name for a in rows}
    ex = next(s for s, apps in assigned.items() if app_x.name not in apps and apps)
    ea = next(s for s, apps in assigned.items() if app_x.name in apps)
    exp_u, exp_a = y.c.as_("EXPERT", sub=ex), y.c.as_("EXPERT", sub=ea)
    ck.denied(area, "an expert reads an application not assigned to them",
              lambda: get_app(exp_u, app_x.name))
    got = ck.allowed(area, "an assigned expert reads the application",
                     lambda: get_app(exp_a, app_x.name))
    if got is not None:
        ck.check(not got.profile.HasField("contact"), "… without the contact person", area)
    score = lambda who: who.review.SubmitExpertScores(rv.SubmitExpertScoresRequest(  # noqa
        sheet=rv.ExpertScoreSheet(application=app_x.name, direction=app_x.directions[0],
                                  scores=[rv.CriterionScore(criterion="服务能力",
                                                            score_hundredths=1),
                                          rv.CriterionScore(criterion="典型案例",
                                                            score_hundredths=1)])))
    ck.denied(area, "an expert scores an application not assigned to them",
              lambda: score(exp_u))
    ck.denied(area, "an unassigned expert lists nothing of X's application (down X's docs)",
              lambda: list(exp_u.review.DownloadDocument(
                  rv.DownloadDocumentRequest(name=dl.documents[0].name))) if dl else None)
    ck.denied(area, "a county bureau lists the city call's objections",
              lambda: cA.review.ListObjections(rv.ListObjectionsRequest(parent=y.call.name)))
    # A county call of division A (R4.2): only A's bureau runs it.
    ccall = ck.allowed(area, f"county {A} drafts a county call", lambda: cA.review.CreateCall(
        rv.CreateCallRequest(request_id="acc-county-call", call=rv.Call(
            display_name=f"{A} 县级服务机构遴选", year=y.year, scope=common.COUNTY,
            division_code=A, opening_date=Day(y.day(-1)), closing_date=Day(y.day(20)),
            notice_period_days=5, experts_per_application=3, tie_policy=rv.ALL_IN,
            directions=[rv.CallDirection(direction=common.CONSULTING, selection_mode=rv.QUOTA,
                                         quota=2)],
            criteria=[rv.Criterion(name="服务能力", weight_hundredths=100,
                                   full_marks_hundredths=10000)]))))
    if ccall:
        ck.denied(area, f"county {B} drafts a call for {A}", lambda: cB.review.CreateCall(
            rv.CreateCallRequest(request_id="acc-county-call-b", call=rv.Call(
                display_name="越权", year=y.year, scope=common.COUNTY, division_code=A,
                opening_date=Day(y.day(-1)), closing_date=Day(y.day(20)), notice_period_days=5,
                experts_per_application=3, tie_policy=rv.ALL_IN,
                directions=[rv.CallDirection(direction=common.CONSULTING,
                                             selection_mode=rv.QUOTA, quota=2)],
                criteria=[rv.Criterion(name="服务能力", weight_hundredths=100,
                                       full_marks_hundredths=10000)]))))
        upd_call = lambda who, c: who.review.UpdateCall(rv.UpdateCallRequest(  # noqa: E731
            call=rv.Call(name=c.name, version=c.version, display_name=c.display_name + "（修订）"),
            update_mask=field_mask_pb2.FieldMask(paths=["display_name"])))
        ck.denied(area, f"county {B} edits {A}'s call", lambda: upd_call(cB, ccall))
        ck.denied(area, "the city bureau edits a county call it does not run",
                  lambda: upd_call(city, ccall))
        ck.check(cA.review.GetCall(rv.GetCallRequest(name=ccall.name)).version == ccall.version,
                 "… county call unchanged", area)
        ccall = ck.allowed(area, f"county {A} edits its call", lambda: upd_call(cA, ccall))
        opn = lambda who: who.review.OpenCall(  # noqa: E731
            rv.OpenCallRequest(name=ccall.name, version=ccall.version))
        ck.denied(area, f"county {B} opens {A}'s call", lambda: opn(cB))
        ccall = ck.allowed(area, f"county {A} opens its call", lambda: opn(cA))
    if ccall:
        ax = next(a for a in y.applicants if a["code"] == X)
        app = y.application(ax, 99)
        ck.denied(area, "institution Y applies in X's name", lambda: iY.review.CreateApplication(
            rv.CreateApplicationRequest(parent=ccall.name, application=app,
                                        request_id="acc-app-y")))
        napp = ck.allowed(area, "institution X applies to the county call",
                          lambda: iX.review.CreateApplication(rv.CreateApplicationRequest(
                              parent=ccall.name, application=app, request_id="acc-app-x")))
        if napp:
            upd_app = lambda who: who.review.UpdateApplication(  # noqa: E731
                rv.UpdateApplicationRequest(
                    application=rv.Application(name=napp.name, version=napp.version,
                                               letter=rv.ApplicationLetter(history="修订")),
                    update_mask=field_mask_pb2.FieldMask(paths=["letter"])))
            ck.denied(area, "institution Y edits X's application", lambda: upd_app(iY))
            ck.denied(area, f"county {B} reads an application of {A}'s call",
                      lambda: get_app(cB, napp.name))
            ck.allowed(area, f"county {A} reads an application of its call",
                       lambda: get_app(cA, napp.name))
            ck.check(get_app(iX, napp.name).version == napp.version, "… application unchanged",
                     area)
            ck.allowed(area, "institution X edits its application", lambda: upd_app(iX))
            la = lambda who: who.review.ListApplications(  # noqa: E731
                rv.ListApplicationsRequest(parent=ccall.name, page_size=100)).applications
            rows = la(iY)
            ck.check(napp.name not in {a.name for a in rows},
                     "institution Y's application list omits X's", area)
            # The overseeing bureaus list a call's applications (IsOverseer); another county not.
            rows = ck.allowed(area, f"county {A} lists the applications of its call",
                              lambda: la(cA))
            ck.check(rows is not None and napp.name in {a.name for a in rows},
                     f"county {A}'s list holds X's application", area)
            ck.allowed(area, "the city bureau lists the applications of a county call",
                       lambda: la(city))
            ck.denied(area, f"county {B} lists the applications of {A}'s call", lambda: la(cB))
    ck.allowed(area, "the city bureau lists the applications of its call",
               lambda: y.city.review.ListApplications(
                   rv.ListApplicationsRequest(parent=y.call.name, page_size=10)))

    # ---------------------------------------------------------------- evaluation
    area = "evaluation"
    ranked = sorted(e.credit_code for e in y.ranking if e.rank > 0)
    R1, R2 = ranked[0], ranked[1]
    sheet = lambda who: who.evaluation.GetScoreSheet(  # noqa: E731
        ev.GetScoreSheetRequest(name=f"{y.round_name}/scoreSheets/{R1}"))
    ck.denied(area, "institution reads another institution's score sheet",
              lambda: sheet(y.inst(R2)))
    ck.denied(area, "an enterprise reads a score sheet", lambda: sheet(eE))
    ck.allowed(area, "the institution reads its own score sheet", lambda: sheet(y.inst(R1)))
    ck.allowed(area, "a county bureau reads a score sheet (city-wide evaluation)",
               lambda: sheet(cA))
    export = lambda who, content: list(who.evaluation.ExportScoreSheets(  # noqa: E731
        ev.ExportScoreSheetsRequest(round=y.round_name, format=ev.CSV, content=content)))
    # The published ranking is everyone's (R10.1), signed in or not; the sheets are the bureaus'.
    for who, label in ((y.inst(R2), "an institution"), (eE, "an enterprise")):
        ck.allowed(area, f"{label} exports the published ranking",
                   lambda who=who: export(who, ev.RANKING))
        ck.denied(area, f"{label} exports the score sheets",
                  lambda who=who: export(who, ev.SCORE_SHEETS))
    ck.allowed(area, "a county bureau exports the score sheets",
               lambda: export(cA, ev.SCORE_SHEETS))


def _fields(msg):
    return {f.name: v for f, v in msg.ListFields()}


def get_ev_by(who, name, tn):
    return who.training.GetEvent(tn.GetEventRequest(name=name))


# ------------------------------------------------------------------------------ request ids
ID_FIELDS = ("request_id", "command_id")
# Free-text fields whose change keeps a request valid: the changed body is the same request
# under the same id in every other respect.
TEXT_FIELDS = ("display_name", "title", "description", "comment", "reason", "venue",
               "selection_criteria", "source", "resolution", "products_and_strengths",
               "special_reason", "summary", "notes", "content_summary", "text", "question")
# Methods with an id that no replay here can reach, each with its reason.
REQUEST_ID_EXCEPTIONS = {
    "RecordPublicChange": "internal (policy.txt '-'): only the services' outboxes call it, never "
                          "through the gateway; a repeated command id appends once "
                          "(registry_public_feed_test)",
    "UploadDocument": "client-streaming: its header's request id is bound to the header "
                      "(review's own tests); the replay here records unary calls only",
    "BatchPushProjects": "batch_id, not a request id: each record is judged by its own "
                         "project id and revision (S1.1), so a batch resent with other "
                         "records is taken record by record",
}


class Recorder:
    """Keeps the last successful call of each write method whose request carries an id
    (calls), and of every write method (writes: the bad-input catalogue's base requests)."""

    def __init__(self):
        self.calls = {}
        self.writes = {}

    def __call__(self, service, method, request, metadata, reply):
        if not is_read(method):
            self.writes[(service, method)] = (request, metadata)
        if not hasattr(request, "DESCRIPTOR"):
            return
        names = {f.name for f in request.DESCRIPTOR.fields}
        for f in ID_FIELDS:
            if f in names and getattr(request, f):
                self.calls[(service, method)] = (request, metadata, reply)
                return


TEXT_LISTS = ("planned_deliverables",)
SAFE_BOOLS = ("include_previous_directory",)


def mutate(msg):
    """Changes one field of msg that keeps it valid, depth first: a free-text field (set or
    not), else an item added to a free-text list, else a bool whose both values are valid;
    True when something changed."""
    from google.protobuf.descriptor import FieldDescriptor as F
    fields = [fd for fd in msg.DESCRIPTOR.fields if fd.name not in ID_FIELDS]
    for fd in fields:
        if fd.type == F.TYPE_STRING and fd.label != F.LABEL_REPEATED and fd.name in TEXT_FIELDS:
            setattr(msg, fd.name, getattr(msg, fd.name) + "（改）")
            return True
    for fd in fields:
        if fd.type == F.TYPE_STRING and fd.label == F.LABEL_REPEATED and fd.name in TEXT_LISTS:
            getattr(msg, fd.name).append("补充交付物")
            return True
    for fd, value in msg.ListFields():
        if fd.type == F.TYPE_MESSAGE and fd.name not in ID_FIELDS:
            inner = value[0] if fd.label == F.LABEL_REPEATED else value
            if inner is not None and mutate(inner):
                return True
    for fd in fields:
        if fd.type == F.TYPE_BOOL and fd.name in SAFE_BOOLS:
            setattr(msg, fd.name, not getattr(msg, fd.name))
            return True
    return False


def request_ids(ck, client, st, messages, services, recorder):
    """Issue 27 item 1: for every write method with a request or command id, the last call the
    year made is sent again as it was (same answer, OK) and with another body under the same id
    (FAILED_PRECONDITION, REQUEST_ID_REUSED, nothing written)."""
    import grpc
    area = "request ids"
    pkg_of = {svc: f"zhigai.{svc}.v1.{svc.capitalize()}Service" for svc in SERVICES}
    with_id = {}
    for svc in SERVICES:
        pkg = pkg_of[svc].rsplit(".", 1)[0]
        for m, _ in services[pkg_of[svc]]:
            fields = {f for f, *_ in messages.get(f"{pkg}.{m}Request", [])}
            if fields & set(ID_FIELDS):
                with_id[(svc, m)] = sorted(fields & set(ID_FIELDS))[0]

    def written(svc, m):
        # This method's audit rows and keys only: the outboxes may still write other rows.
        full = f"/{pkg_of[svc]}/{m}"
        r = psql(st.admin_conninfo(),
                 f"SELECT (SELECT count(*) FROM {svc}.audit_log WHERE method = '{full}') || ':' || "
                 f"(SELECT count(*) FROM {svc}.idempotency_keys WHERE method = '{full}')")
        return r.stdout.strip()

    covered = []
    for (svc, m), id_field in sorted(with_id.items()):
        if m in REQUEST_ID_EXCEPTIONS:
            continue
        rec = recorder.calls.get((svc, m))
        if rec is None:
            ck.check(False, f"{svc}.{m}: takes {id_field} but no call of it was recorded", area)
            continue
        request, md, reply = rec
        fn = getattr(client.stubs[svc], m)
        try:
            again = fn(request, timeout=30, metadata=md)
            ck.check(again.SerializeToString(deterministic=True)
                     == reply.SerializeToString(deterministic=True),
                     f"{svc}.{m}: the same request under the same {id_field} gets the first "
                     "answer", area)
        except grpc.RpcError as e:
            ck.check(False, f"{svc}.{m}: the same request again: {e.code().name} {e.details()}",
                     area)
            continue
        changed = type(request)()
        changed.CopyFrom(request)
        if not mutate(changed):
            ck.check(False, f"{svc}.{m}: no field to change for the replay", area)
            continue
        before = written(svc, m)
        ck.check(before.split(":")[0] not in ("", "0"),
                 f"{svc}.{m}: the year's calls left audit rows to compare ({before})", area)
        try:
            fn(changed, timeout=30, metadata=md)
            ck.check(False, f"{svc}.{m}: another body under the same {id_field} was answered OK",
                     area)
        except grpc.RpcError as e:
            reason = error_reason(e)
            ck.check(e.code() == grpc.StatusCode.FAILED_PRECONDITION
                     and reason == "REQUEST_ID_REUSED" and id_field in e.details(),
                     f"{svc}.{m}: another body under the same {id_field}: {e.code().name} "
                     f"{reason} (want FAILED_PRECONDITION REQUEST_ID_REUSED naming {id_field})",
                     area)
        ck.check(written(svc, m) == before, f"{svc}.{m}: … nothing written", area)
        covered.append(f"{svc}.{m}")
    print(f"  request ids: {len(covered)} methods replayed; exceptions: "
          f"{', '.join(sorted(REQUEST_ID_EXCEPTIONS))}")
    return covered


def error_reason(err):
    """The ErrorInfo reason of a gRPC error ('' when none)."""
    return zhigai_client.error_details(err)[0]


# ------------------------------------------------------------------------------ extra writes
def extra_writes(ck, y, client):
    """The write methods the year does not call, each called once as its rightful principal
    (so that part 3 can demand their audit rows), with a refused call of the wrong role where
    the method is a bureau's."""
    from zhigai.feedback.v1 import feedback_pb2 as fb
    from zhigai.tracking.v1 import tracking_pb2 as tr
    from zhigai.training.v1 import training_pb2 as tn
    from zhigai.common.v1 import common_pb2 as common
    area = "writes"
    city = y.city
    platform = client.as_("POLICY_PLATFORM", sub="policy-platform")
    # feedback
    st_ = city.feedback.GetRatingSettings(fb.GetRatingSettingsRequest(
        name=f"ratingSettings/{y.year}"))
    ck.allowed(area, "UpdateRatingSettings (city bureau)",
               lambda: city.feedback.UpdateRatingSettings(fb.UpdateRatingSettingsRequest(
                   settings=fb.RatingSettings(name=st_.name, change_period_days=10,
                                              version=st_.version))))
    target = next(c for c in sorted(y.admitted) if c != y.barred)
    ck.allowed(area, "RecordPlagiarismFinding (city bureau, R14.4)",
               lambda: city.feedback.RecordPlagiarismFinding(fb.RecordPlagiarismFindingRequest(
                   request_id="acc-plagiarism", finding=fb.PlagiarismFinding(
                       institution_credit_code=target, finding_date=Day(y.day(0)),
                       description="诊断报告抄袭他人成果", evidence_document_ids=["ev-1"]))))
    # tracking: the streaming push, a reconciliation, counts mode and the intake setting
    e = y.enterprises[0]
    cons = y.consultants()[0]
    rec = tr.ProjectRecord(
        project_id=f"ZG-{y.tag}-acc", revision=1, institution_credit_code=cons,
        enterprise_credit_code=e["code"], kind=common.DIAGNOSIS,
        declaration_date=Day(y.day(-10)), city_outcome=tr.OUTCOME_APPROVED,
        city_outcome_date=Day(y.day(-9)), county_outcome=tr.OUTCOME_APPROVED,
        county_outcome_date=Day(y.day(-10)))
    acks = ck.allowed(area, "PushProjects (stream, policy platform)",
                      lambda: list(platform.tracking.PushProjects(iter([
                          tr.PushProjectsRequest(batch_id="acc-stream", records=[rec])]))))
    ck.check(bool(acks) and acks[0].counts.accepted == 1, "… one record accepted", area)
    ck.allowed(area, "ReconcileProjects (policy platform)",
               lambda: platform.tracking.ReconcileProjects(tr.ReconcileProjectsRequest(
                   reconciliation_id="acc-reconcile", year=y.year, project_count=1,
                   checksum=hashlib.sha256(b"x").hexdigest())))
    later = y.year + 3   # a year nothing else uses: counts mode must not disturb the round
    ck.allowed(area, "BatchPushProjectCounts (policy platform)",
               lambda: platform.tracking.BatchPushProjectCounts(tr.BatchPushProjectCountsRequest(
                   rows=[tr.ProjectCountsRow(year=later, institution_credit_code=cons,
                                             kind=common.DIAGNOSIS, declared=2,
                                             approved_by_both=1, revision=1)])))
    mode = city.tracking.GetIntakeMode(tr.GetIntakeModeRequest(year=later))
    ck.denied(area, "a county bureau sets the intake mode",
              lambda: y.county("330302").tracking.SetIntakeMode(tr.SetIntakeModeRequest(
                  year=later, mode=tr.COUNTS, version=mode.version)))
    ck.allowed(area, "SetIntakeMode (city bureau)",
               lambda: city.tracking.SetIntakeMode(tr.SetIntakeModeRequest(
                   year=later, mode=tr.COUNTS, version=mode.version)))
    # training: an absence with an excuse, decided; the calendar reload
    insts = sorted(y.admitted)[:2]
    s = city.training.CreateTestSession(tn.CreateTestSessionRequest(
        request_id="acc-test-session", session=tn.TestSession(
            title="补充测评", date=Day(y.day(-5)), full_marks_hundredths=10000,
            expected_credit_codes=insts)))
    city.training.RecordTestResult(tn.RecordTestResultRequest(
        session=s.name, credit_code=insts[0], absence=tn.Absence(excuse="参加省级培训")))
    ck.denied(area, "a county bureau decides an absence excuse",
              lambda: y.county("330302").training.DecideAbsenceExcuse(
                  tn.DecideAbsenceExcuseRequest(session=s.name, credit_code=insts[0],
                                                accept=True)))
    ck.allowed(area, "DecideAbsenceExcuse (city bureau, R8.1)",
               lambda: city.training.DecideAbsenceExcuse(tn.DecideAbsenceExcuseRequest(
                   session=s.name, credit_code=insts[0], accept=True, note="理由充分")))
    ck.denied(area, "a county bureau reloads the calendar",
              lambda: y.county("330302").training.ReloadCalendar(tn.ReloadCalendarRequest()))
    ck.allowed(area, "ReloadCalendar (city bureau)",
               lambda: city.training.ReloadCalendar(tn.ReloadCalendarRequest()))


# ------------------------------------------------------------------------------ part 2
def followed(stream):
    """The messages of a server stream read until its deadline cuts it."""
    out = []
    try:
        for message in stream:
            out.append(message)
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise
    return out


def public_scan(ck, y, client, messages):
    from google.protobuf import descriptor as gdesc
    from zhigai.evaluation.v1 import evaluation_pb2 as ev
    from zhigai.registry.v1 import registry_pb2 as reg
    from zhigai.review.v1 import review_pb2 as rv
    area = "public"
    pub = client.public()
    city = y.city
    protected = protected_fields(messages)
    print(f"protected fields ({len(protected)}): "
          + ", ".join(sorted(f"{m.split('.')[-1]}.{f}" for m, f in protected)))
    # The personal values the year used, read back as the city bureau.
    values = set()
    for a in y.applicants:
        i = city.registry.GetInstitution(reg.GetInstitutionRequest(name=f"institutions/{a['code']}"))
        for p in (i.contact, i.legal_representative):
            values.update(v for v in (p.name, p.phone, p.email) if v)
    for code, app in y.apps.items():
        full = city.review.GetApplication(rv.GetApplicationRequest(name=app.name))
        for p in (full.profile.contact, full.profile.legal_representative):
            values.update(v for v in (p.name, p.phone, p.email) if v)
        values.update(s.name for s in full.staff if s.name)
    for e in city.review.ListExperts(rv.ListExpertsRequest(page_size=1000)).experts:
        values.update(v for v in (e.display_name, e.phone, e.email, e.subject) if v)
    values.update({"赵主任", "13957700001", "city-officer"})
    values.update(f"county-{d}" for d in ("330302", "330303", "330304", "330305", "330324",
                                           "330326", "330327", "330328", "330329", "330381",
                                           "330382", "330383"))
    # Staff names like "工程师1" are generic labels, not persons: kept, but a short generic
    # label could occur in public text by chance, so values under 3 characters are dropped.
    values = {v for v in values if len(v) >= 3}
    print(f"personal values searched: {len(values)}")
    ck.check(len(values) >= 2 * len(y.applicants), f"{len(values)} personal values to search",
             area)

    some_inst = sorted(y.admitted)[0]
    calls = {
        "/zhigai.registry.v1.RegistryService/GetInstitution": lambda: [
            pub.registry.GetInstitution(reg.GetInstitutionRequest(name=f"institutions/{c}"))
            for c in (some_inst, y.barred, y.applicants[0]["code"])],
        "/zhigai.registry.v1.RegistryService/ListDirectoryEntries": lambda: [
            pub.registry.ListDirectoryEntries(reg.ListDirectoryEntriesRequest(
                year=y.year, page_size=1000))],
        "/zhigai.registry.v1.RegistryService/ListCountyFilings": lambda: [
            pub.registry.ListCountyFilings(reg.ListCountyFilingsRequest(year=y.year))],
        # The feed of public changes (issue 25 item 2), as pages and as the stream followed
        # until its deadline.
        "/zhigai.registry.v1.RegistryService/ListPublicChanges": lambda: [
            pub.registry.ListPublicChanges(reg.ListPublicChangesRequest(page_size=1000))],
        "/zhigai.registry.v1.RegistryService/WatchPublicChanges": lambda: followed(
            pub.registry.WatchPublicChanges(reg.WatchPublicChangesRequest(), timeout=3)),
        "/zhigai.review.v1.ReviewService/GetCall": lambda: [
            pub.review.GetCall(rv.GetCallRequest(name=y.call.name))],
        "/zhigai.review.v1.ReviewService/ListCalls": lambda: [
            pub.review.ListCalls(rv.ListCallsRequest(year=y.year))],
        "/zhigai.review.v1.ReviewService/GetPublicNotice": lambda: [
            pub.review.GetPublicNotice(rv.GetPublicNoticeRequest(call=y.call.name))],
        "/zhigai.evaluation.v1.EvaluationService/GetRound": lambda: [
            pub.evaluation.GetRound(ev.GetRoundRequest(name=y.round_name))],
        "/zhigai.evaluation.v1.EvaluationService/ListRanking": lambda: [
            pub.evaluation.ListRanking(ev.ListRankingRequest(parent=y.round_name,
                                                             page_size=1000))],
        "/zhigai.evaluation.v1.EvaluationService/ListRoundScope": lambda: [
            pub.evaluation.ListRoundScope(ev.ListRoundScopeRequest(parent=y.round_name,
                                                                   page_size=1000))],
        "/zhigai.evaluation.v1.EvaluationService/ExportScoreSheets": lambda: [
            # PUBLIC may export the published ranking only (the sheets are the bureaus').
            chunk for fmt in (ev.ExportFormat.values()[1:]) for chunk in
            pub.evaluation.ExportScoreSheets(ev.ExportScoreSheetsRequest(
                round=y.round_name, format=fmt, content=ev.RANKING))],
    }
    policy = {"/" + m for m in policy_public_methods()}
    ck.check(policy == set(calls),
             f"every PUBLIC method of policy.txt is scanned ({len(policy)}; missing "
             f"{sorted(policy - set(calls))}, stale {sorted(set(calls) - policy)})", area)

    def walk(msg, path, hits):
        for f, v in msg.ListFields():
            key = (msg.DESCRIPTOR.full_name, f.name)
            items = v if f.label == gdesc.FieldDescriptor.LABEL_REPEATED else [v]
            if key in protected and any(bool(x) if not hasattr(x, "ListFields")
                                        else x.ListFields() for x in items):
                hits.append(f"{path}.{f.name}")
            if f.type == gdesc.FieldDescriptor.TYPE_MESSAGE:
                for k, x in enumerate(items):
                    walk(x, f"{path}.{f.name}[{k}]", hits)

    # Scanner control: the same walk over the city bureau's view of an institution and of an
    # application finds the protected fields and the values, so a clean scan means something.
    ctl_hits = []
    ctl = [city.registry.GetInstitution(reg.GetInstitutionRequest(
               name=f"institutions/{y.applicants[0]['code']}")),
           city.review.GetApplication(rv.GetApplicationRequest(
               name=y.apps[y.applicants[0]["code"]].name))]
    for r in ctl:
        walk(r, r.DESCRIPTOR.name, ctl_hits)
    ctl_blob = b"".join(r.SerializeToString() for r in ctl)
    ck.check(len(ctl_hits) >= 2 and any(v.encode() in ctl_blob for v in values),
             f"scanner control: the city bureau's view shows {ctl_hits[:3]}", area)

    scanned = 0
    for method, fn in sorted(calls.items()):
        try:
            responses = fn()
        except grpc.RpcError as e:
            ck.check(False, f"{method} anonymous: {e.code().name} {e.details()[:100]!r}", area)
            continue
        hits, blob, nonempty = [], b"", 0
        for r in responses:
            walk(r, r.DESCRIPTOR.name, hits)
            blob += r.SerializeToString()
            nonempty += 1 if r.ByteSize() > 0 else 0
        leaked = sorted(v for v in values if v.encode() in blob)
        scanned += 1
        ck.check(nonempty > 0 and len(blob) > 100,
                 f"{method} anonymous returns data ({len(blob)} bytes)", area)
        ck.check(not hits, f"{method}: no protected field set {hits[:5]}", area)
        ck.check(not leaked, f"{method}: none of the personal values appears {leaked[:5]}", area)
    return scanned, len(protected), len(values)


# ------------------------------------------------------------------------------ part 3
def psql(conninfo, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", conninfo, "-c", sql],
                          capture_output=True, text=True)


def audit(ck, st, services):
    area = "audit"
    pkg_of = {svc: f"zhigai.{svc}.v1.{svc.capitalize()}Service" for svc in SERVICES}
    writes_total = audited = 0
    rpc_names = []
    for svc in SERVICES:
        methods = services[pkg_of[svc]]
        ck.check(len(methods) > 0, f"{svc}: {len(methods)} RPCs in the proto", area)
        rpc_names += [m for m, _ in methods]
        writes = [f"/{pkg_of[svc]}/{m}" for m, _ in methods if not is_read(m)]
        r = psql(st.admin_conninfo(), f"SELECT DISTINCT method FROM {svc}.audit_log")
        ck.check(r.returncode == 0, f"{svc}.audit_log readable as admin {r.stderr.strip()}", area)
        logged = set(r.stdout.split())
        missing = [w for w in writes if w not in logged and w not in UNREACHABLE]
        unexpected = sorted(m for m in logged if not m.startswith(f"/{pkg_of[svc]}/")
                            or is_read(m.rsplit("/", 1)[1]))
        writes_total += len(writes)
        audited += len([w for w in writes if w in logged])
        ck.check(not missing, f"{svc}: every write method has its audit row "
                              f"({len([w for w in writes if w in logged])}/{len(writes)}; "
                              f"missing {missing})", area)
        ck.check(not unexpected, f"{svc}: the audit log holds only this service's writes "
                                 f"{unexpected}", area)
        # Append-only, even for the service's own role (the table's owner).
        own = st.service_conninfo(svc)
        n = psql(own, "SELECT count(*) FROM audit_log").stdout.strip()
        for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                    "TRUNCATE audit_log"):
            r = psql(own, sql)
            ck.check(r.returncode != 0 and "append-only" in r.stderr,
                     f"{svc}: {sql.split()[0]} on audit_log as {st.role(svc)} fails "
                     f"({r.stderr.strip()[:60]!r})", area)
        ck.check(psql(own, "SELECT count(*) FROM audit_log").stdout.strip() == n and int(n) > 0,
                 f"{svc}: audit_log still holds its {n} rows", area)
    # No RPC writes the audit log: no write method is named after it.
    audit_writes = [m for m in rpc_names if "Audit" in m and not is_read(m)]
    ck.check(not audit_writes, f"no RPC writes the audit log {audit_writes}", area)
    return writes_total, audited, len(rpc_names)


# ------------------------------------------------------------------------------ main
def main():
    build = os.environ.get("ZHIGAI_TEST_BUILD_DIR") or (sys.argv[1] if len(sys.argv) > 1
                                                        else os.path.join(ROOT, "build"))
    pg = os.environ.get("ZHIGAI_TEST_PG_ADMIN")
    if not pg:
        print("ZHIGAI_TEST_PG_ADMIN is not set (conninfo of a PostgreSQL superuser)")
        return 1
    zhigai_client.load_stubs(os.path.join(build, "acceptance-py"))
    import year as year_mod
    messages, services = parse_protos()
    ck = Checks()
    st = stack_mod.Stack(ROOT, build, pg)
    try:
        st.start()
        client = zhigai_client.Client(st.target, zhigai_client.Tokens(st.admin, st.idp))
        recorder = Recorder()
        client.recorder = recorder
        y = year_mod.Year(client, st.clock(), os.path.join(ROOT, "data"), seed=11,
                          scale=year_mod.Scale.small()).run()
        scoping(ck, y, client, st)
        extra_writes(ck, y, client)
        client.recorder = None
        replayed = request_ids(ck, client, st, messages, services, recorder)
        bad_rows = bad_input_catalogue.run(ck, client, recorder, services, is_read, psql,
                                           st.admin_conninfo(), credit_codes.credit_code)
        scanned, nprot, nvals = public_scan(ck, y, client, messages)
        writes, audited, rpcs = audit(ck, st, services)
        print("\nFigures:")
        for k, v in sorted(ck.count.items()):
            print(f"  {k:<11} {v:>3} checks: {ck.kinds[(k, 'denied')]:>3} refusals, "
                  f"{ck.kinds[(k, 'allowed')]:>3} positive controls")
        print(f"  PUBLIC methods scanned {scanned}; protected fields {nprot}; personal values "
              f"{nvals}")
        print(f"  RPCs {rpcs}; write methods {writes}; with audit rows {audited}; "
              f"unreachable {len(UNREACHABLE)}")
        print(f"  request ids replayed for {len(replayed)} methods: {', '.join(replayed)}")
        print(f"  bad-input catalogue: {sum(bad_rows.values())} rows over {len(bad_rows)} write "
              f"methods; exceptions: {bad_input_catalogue.EXCEPTIONS}")
    except Exception:  # noqa: BLE001 — report, then stop the stack
        traceback.print_exc()
        for svc in SERVICES + ["gateway"]:
            print(f"--- {svc} log tail\n{st.tail(svc)}")
        ck.failures.append("exception")
    finally:
        st.close()
    print(f"\n{sum(ck.count.values())} checks, {len(ck.failures)} failure(s)")
    for f in ck.failures:
        print("  " + f)
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
