#!/usr/bin/python3
"""Bad input (issue 11): over-size messages, invalid UTF-8, huge page sizes, negative and
overflowing numbers, dates out of range and unknown enum values (raw numbers), sent through
the gateway (gRPC and HTTP/JSON) and directly to the services. Each must be refused with the
right code (RESOURCE_EXHAUSTED for size, INVALID_ARGUMENT for the rest) and nothing may be
written: the row counts of the touched tables (and their audit and idempotency tables) are
the same before and after. A valid write of each kind first proves the path works.
Starts its own stack on ZHIGAI_TEST_PG_ADMIN. Exit 77 when python3-grpcio is missing."""
import json
import os
import sys
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import grpc
except ImportError:
    print("SKIP: python3-grpcio is not installed (apt-get install python3-grpcio)")
    sys.exit(77)

import harness  # noqa: E402
from typed import D, set_field  # noqa: E402

failures = []
MAX_MESSAGE = 4194304  # the gateway's default max_message_bytes (services/gateway/main.cc)
SERVICE_MAX_MESSAGE = 8 * 1024 * 1024  # the services' receive limit (libs/server/host.cc)
COUNTED = ["registry.institutions", "registry.directory_entries", "registry.audit_log",
           "registry.idempotency_keys", "tracking.enterprises", "tracking.projects",
           "tracking.audit_log", "tracking.idempotency_keys", "feedback.plagiarism_findings",
           "feedback.sanction_orders", "feedback.outbox", "feedback.audit_log",
           "feedback.idempotency_keys"]


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, payload):
    """A length-delimited field (wire type 2), written by hand so invalid UTF-8 can be sent."""
    return varint(num << 3 | 2) + varint(len(payload)) + payload


class Paths:
    """One method reached three ways: gRPC through the gateway with a token, gRPC directly to
    the service with the internal principal headers, HTTP/JSON through the gateway."""

    def __init__(self, st, client, token):
        self.st, self.client, self.token = st, client, token
        self.direct = {}
        proof = st.spec["registry"][1]["ZHIGAI_INTERNAL_PROOF"]
        self.direct_md = [("x-zhigai-principal", "role=CITY_BUREAU;sub=rel-bad;code=;div=330300"),
                          ("x-zhigai-internal-proof", proof)]
        self.gw_md = [("authorization", "Bearer " + token)]
        self.gw = grpc.insecure_channel(st.target)

    def channel(self, svc):
        if svc not in self.direct:
            self.direct[svc] = grpc.insecure_channel(self.st.addr(svc))
        return self.direct[svc]

    def raw(self, svc, method, payload, via):
        """Sends serialized bytes; returns the status code name."""
        ch = self.gw if via == "gateway" else self.channel(svc)
        md = self.gw_md if via == "gateway" else self.direct_md
        fn = ch.unary_unary(method)
        try:
            fn(payload, timeout=20, metadata=md)
            return "OK"
        except grpc.RpcError as e:
            return e.code().name

    def http(self, method, body):
        """POSTs raw bytes as JSON; returns (HTTP status, code name from the error body)."""
        req = urllib.request.Request(f"http://{self.st.http}{method}", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer " + self.token})
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return r.status, "OK"
        except urllib.error.HTTPError as e:
            try:
                code = json.loads(e.read().decode("utf-8", "replace")).get("code", "")
            except ValueError:
                code = ""
            return e.code, code.upper()


def main():
    build = os.environ.get("ZHIGAI_TEST_BUILD_DIR") or (sys.argv[1] if len(sys.argv) > 1
                                                        else os.path.join(harness.ROOT, "build"))
    pg = os.environ.get("ZHIGAI_TEST_PG_ADMIN")
    if not pg:
        print("ZHIGAI_TEST_PG_ADMIN is not set (conninfo of a PostgreSQL superuser)")
        return 1
    import zhigai_client
    zhigai_client.load_stubs(os.path.join(build, "acceptance-py"))
    from google.type import date_pb2  # generated with the stubs
    from zhigai.common.v1 import common_pb2 as common
    from zhigai.feedback.v1 import feedback_pb2 as fb
    from zhigai.registry.v1 import registry_pb2 as reg
    from zhigai.tracking.v1 import tracking_pb2 as tr

    st = harness.Stack(harness.ROOT, build, pg)
    try:
        st.start()
        tokens = zhigai_client.Tokens(st.admin, st.idp)
        client = zhigai_client.Client(st.target, tokens)
        city = client.as_("CITY_BUREAU", sub="rel-bad", div="330300")
        platform = client.as_("POLICY_PLATFORM", sub="rel-platform")
        token = tokens.get("CITY_BUREAU", "rel-bad", "", "330300")
        p = Paths(st, client, token)
        today = st.clock().today()   # the stack's business date (never set: the wall's)
        year = today.year

        # Valid writes first: each path works, so a refusal below is the bad input's.
        good = harness.credit_code("330302", 7_000_001)
        city.registry.CreateInstitution(reg.CreateInstitutionRequest(
            institution=harness.institution(reg, common, good), request_id="bad-good-inst"))
        ent = harness.credit_code("330302", 7_000_002)
        client.as_("ENTERPRISE", sub="rel-ent", code=ent).tracking.CreateEnterprise(
            tr.CreateEnterpriseRequest(request_id="bad-good-ent", enterprise=tr.Enterprise(
                credit_code=ent, display_name="温州坏输入测试鞋业有限公司",
                division_code="330302", industry_code="FOOTWEAR", size=tr.SMALL)))
        res = platform.tracking.BatchPushProjects(tr.BatchPushProjectsRequest(
            batch_id="bad-good-batch",
            records=[harness.project(tr, common, "BAD-GOOD-1", good, ent, today)]))
        check(res.counts.accepted == 1, "a valid project record is accepted")
        ok_http = p.http("/zhigai.registry.v1.RegistryService/ListInstitutions", b"{}")
        check(ok_http[0] == 200, f"a valid HTTP/JSON call answers 200 ({ok_http})")
        before = {t: st.scalar(f"SELECT count(*) FROM {t}") for t in COUNTED}

        reg_m = "/zhigai.registry.v1.RegistryService/"
        fresh = [0]

        def inst_req(mutate=None, n=None):
            fresh[0] += 1
            code = harness.credit_code("330302", n or 7_100_000 + fresh[0])
            i = harness.institution(reg, common, code)
            if mutate:
                mutate(i)
            return reg.CreateInstitutionRequest(institution=i, request_id=f"bad-{fresh[0]}")

        def expect_grpc(what, svc, method, payload, want):
            for via in ("gateway", "direct"):
                got = p.raw(svc, method, payload, via)
                check(got == want, f"{what} [{via}]: {got} (want {want})")

        def expect_http(what, method, body, want, status):
            got = p.http(method, body)
            check(got == (status, want), f"{what} [http/json]: {got} (want {status}, {want})")

        # ---- over-size ------------------------------------------------------------------
        big = inst_req(lambda i: setattr(i, "products_and_strengths", "智" * (MAX_MESSAGE // 3 + 10)))
        payload = big.SerializeToString()
        check(len(payload) > MAX_MESSAGE, f"over-size message is {len(payload)} bytes")
        got = p.raw("registry", reg_m + "CreateInstitution", payload, "gateway")
        check(got == "RESOURCE_EXHAUSTED",
              f"over-size CreateInstitution [gateway]: {got} (want RESOURCE_EXHAUSTED)")
        # The services take up to 8 MiB (libs/server/host.cc): between the two limits the
        # field's own length rule refuses it; beyond 8 MiB gRPC itself does.
        got = p.raw("registry", reg_m + "CreateInstitution", payload, "direct")
        check(got == "INVALID_ARGUMENT",
              f"4 MiB CreateInstitution [direct]: {got} (want INVALID_ARGUMENT)")
        huge = inst_req(lambda i: setattr(i, "products_and_strengths",
                                          "智" * (SERVICE_MAX_MESSAGE // 3 + 10)))
        got = p.raw("registry", reg_m + "CreateInstitution", huge.SerializeToString(), "direct")
        check(got == "RESOURCE_EXHAUSTED",
              f"8 MiB CreateInstitution [direct]: {got} (want RESOURCE_EXHAUSTED)")
        expect_http("over-size body", reg_m + "CreateInstitution",
                    b'{"request_id":"bad-big","institution":{"products_and_strengths":"'
                    + b"x" * (MAX_MESSAGE + 100) + b'"}}', "RESOURCE_EXHAUSTED", 413)
        # Under the size limit but beyond the field's own limit: INVALID_ARGUMENT.
        long_field = inst_req(lambda i: setattr(i, "display_name", "智" * 100_000))
        expect_grpc("100 000-character display_name", "registry", reg_m + "CreateInstitution",
                    long_field.SerializeToString(), "INVALID_ARGUMENT")

        # ---- invalid UTF-8 --------------------------------------------------------------
        valid = inst_req()
        inst_bytes = valid.institution.SerializeToString() + field(3, b"\xff\xfe\xc3(")
        bad_utf8 = field(1, inst_bytes) + field(2, b"bad-utf8")
        expect_grpc("invalid UTF-8 in display_name", "registry", reg_m + "CreateInstitution",
                    bad_utf8, "INVALID_ARGUMENT")
        expect_http("invalid UTF-8 in a JSON string", reg_m + "CreateInstitution",
                    b'{"request_id":"bad-utf8-http","institution":{"credit_code":"'
                    + valid.institution.credit_code.encode() + b'","display_name":"\xff\xfe"}}',
                    "INVALID_ARGUMENT", 400)

        # ---- page sizes -----------------------------------------------------------------
        for size in (2_147_483_647, 1001, -1):
            expect_grpc(f"ListInstitutions page_size {size}", "registry", reg_m + "ListInstitutions",
                        reg.ListInstitutionsRequest(page_size=size).SerializeToString(),
                        "INVALID_ARGUMENT")
        expect_http("page_size 1e12 (int32 overflow)", reg_m + "ListInstitutions",
                    b'{"page_size": 1000000000000}', "INVALID_ARGUMENT", 400)
        expect_grpc("ListDirectoryEntries page_size 1000000", "registry",
                    reg_m + "ListDirectoryEntries",
                    reg.ListDirectoryEntriesRequest(year=year, page_size=1_000_000)
                    .SerializeToString(), "INVALID_ARGUMENT")

        # ---- negative and overflowing numbers --------------------------------------------
        for what, mut in [("revenue -1", lambda i: setattr(i, "previous_year_revenue_fen", -1)),
                          ("revenue -2^63", lambda i: setattr(i, "previous_year_revenue_fen",
                                                              -(1 << 63))),
                          ("staff -5", lambda i: setattr(i, "staff_resident_in_wenzhou", -5)),
                          ("staff -2^31", lambda i: setattr(i, "staff_resident_in_wenzhou",
                                                            -(1 << 31)))]:
            expect_grpc(f"CreateInstitution {what}", "registry", reg_m + "CreateInstitution",
                        inst_req(mut).SerializeToString(), "INVALID_ARGUMENT")
        expect_http("staff 2^32 (int32 overflow)", reg_m + "CreateInstitution",
                    json.dumps({"request_id": "bad-overflow", "institution": {
                        "credit_code": good, "staff_resident_in_wenzhou": 4294967296}}).encode(),
                    "INVALID_ARGUMENT", 400)
        expect_http("revenue 2^64 (int64 overflow)", reg_m + "CreateInstitution",
                    b'{"request_id":"bad-overflow2","institution":{"previous_year_revenue_fen":'
                    b'"18446744073709551616"}}', "INVALID_ARGUMENT", 400)
        for what, rec in [("subsidy -1", {"subsidy_fen": -1}), ("revision 0", {"revision": 0}),
                          ("revision -1", {"revision": -1}),
                          ("declared 1899-01-01", {"declaration_date": "1899-01-01",
                                                   "city_outcome_date": "1899-01-02",
                                                   "county_outcome_date": "1899-01-02"}),
                          ("declared 2999-01-01", {"declaration_date": "2999-01-01",
                                                   "city_outcome_date": "2999-01-02",
                                                   "county_outcome_date": "2999-01-02"})]:
            r = harness.project(tr, common, f"BAD-NUM-{what}", good, ent, today)
            for k, v in rec.items():
                set_field(r, k, v)
            req = tr.BatchPushProjectsRequest(batch_id=f"bad-{what}", records=[r])
            for via in ("gateway", "direct"):
                ch = p.gw if via == "gateway" else p.channel("tracking")
                md = ([("authorization", "Bearer " + tokens.get("POLICY_PLATFORM",
                                                                 "rel-platform"))]
                      if via == "gateway" else
                      [("x-zhigai-principal", "role=POLICY_PLATFORM;sub=rel;code=;div="),
                       p.direct_md[1]])
                stub = type(client.stubs["tracking"])(ch)
                try:
                    out = stub.BatchPushProjects(req, timeout=20, metadata=md)
                    got = "RECORD_REJECTED" if out.counts.rejected == 1 and not out.counts.accepted \
                        else f"accepted {out.counts.accepted}"
                except grpc.RpcError as e:
                    got = e.code().name
                check(got in ("INVALID_ARGUMENT", "RECORD_REJECTED"),
                      f"project {what} [{via}]: {got} (want INVALID_ARGUMENT or the record "
                      "rejected)")

        # ---- dates out of range ----------------------------------------------------------
        # google.type.Date carries numbers: days that do not exist or lie outside the years.
        for y, m, dd in ((2012, 13, 1), (2012, 2, 30), (0, 1, 1), (9999, 12, 31), (2012, 0, 5),
                         (-1, 3, 5), (20120, 1, 1)):
            d = f"{y}-{m}-{dd}"
            expect_grpc(f"founded_date {d}", "registry", reg_m + "CreateInstitution",
                        inst_req(lambda i: i.founded_date.CopyFrom(
                            date_pb2.Date(year=y, month=m, day=dd))).SerializeToString(),
                        "INVALID_ARGUMENT")
        # Text that is no YYYY-MM-DD is refused by the gateway's JSON side, naming the field.
        for d in ("12-03-15", "2012-3-5", "+20120-01-01", "2012/03/05"):
            expect_http(f"founded_date {d!r}", reg_m + "CreateInstitution",
                        json.dumps({"request_id": f"bad-date-{d}",
                                    "institution": {"founded_date": d}}).encode(),
                        "INVALID_ARGUMENT", 400)
        for y in (0, -1, 99999, 2_147_483_647):
            expect_grpc(f"AdmitToDirectory year {y}", "registry", reg_m + "AdmitToDirectory",
                        reg.AdmitToDirectoryRequest(
                            command_id=f"bad-year-{y}", year=y, level=common.CITY,
                            credit_code=good, direction=common.CONSULTING,
                            source="bad").SerializeToString(), "INVALID_ARGUMENT")
        future = fb.PlagiarismFinding(institution_credit_code=good, finding_date=D("2999-01-01"),
                                      description="未来日期", evidence_document_ids=["d1"])
        expect_grpc("plagiarism finding_date 2999-01-01", "feedback",
                    "/zhigai.feedback.v1.FeedbackService/RecordPlagiarismFinding",
                    fb.RecordPlagiarismFindingRequest(finding=future, request_id="bad-future")
                    .SerializeToString(), "INVALID_ARGUMENT")

        # ---- unknown enum values (raw numbers) --------------------------------------------
        for what, mut in [("legal_form 99", lambda i: setattr(i, "legal_form", 99)),
                          ("ownership 1234567", lambda i: setattr(i, "ownership", 1234567)),
                          ("directions [42]", lambda i: (i.ClearField("directions"),
                                                         i.directions.append(42))),
                          ("legal_form -3", lambda i: setattr(i, "legal_form", -3))]:
            expect_grpc(f"CreateInstitution {what}", "registry", reg_m + "CreateInstitution",
                        inst_req(mut).SerializeToString(), "INVALID_ARGUMENT")
        for what, kw in [("direction 77", {"direction": 77}), ("level 9", {"level": 9})]:
            args = dict(command_id=f"bad-enum-{what}", year=year, level=common.CITY,
                        credit_code=good, direction=common.CONSULTING, source="bad")
            args.update(kw)
            expect_grpc(f"AdmitToDirectory {what}", "registry", reg_m + "AdmitToDirectory",
                        reg.AdmitToDirectoryRequest(**args).SerializeToString(),
                        "INVALID_ARGUMENT")
        expect_http("legal_form \"NOT_A_FORM\"", reg_m + "CreateInstitution",
                    b'{"request_id":"bad-enum-http","institution":{"legal_form":"NOT_A_FORM"}}',
                    "INVALID_ARGUMENT", 400)
        enterprise = tr.Enterprise(credit_code=harness.credit_code("330302", 7_000_003),
                                   display_name="温州枚举测试有限公司", division_code="330302",
                                   industry_code="FOOTWEAR", size=42)
        try:
            client.as_("ENTERPRISE", sub="rel-ent3", code=enterprise.credit_code) \
                .tracking.CreateEnterprise(tr.CreateEnterpriseRequest(request_id="bad-size",
                                                                     enterprise=enterprise))
            got = "OK"
        except grpc.RpcError as e:
            got = e.code().name
        check(got == "INVALID_ARGUMENT", f"CreateEnterprise size 42 [gateway]: {got}")

        # ---- nothing written ----------------------------------------------------------------
        after = {t: st.scalar(f"SELECT count(*) FROM {t}") for t in COUNTED}
        for t in COUNTED:
            check(after[t] == before[t], f"{t}: {before[t]} rows before, {after[t]} after")
    except Exception:  # noqa: BLE001 — report, then stop the stack
        traceback.print_exc()
        for svc in harness.stack_mod.SERVICES + ["gateway"]:
            print(f"--- {svc} log tail\n{st.tail(svc)}")
        failures.append("exception")
    finally:
        st.close()
    print(f"\n{len(failures)} failure(s)")
    for f in failures:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
