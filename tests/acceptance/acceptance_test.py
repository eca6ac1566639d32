#!/usr/bin/python3
"""Acceptance test of an outside client: starts the whole stack (every service and the
gateway) against ZHIGAI_TEST_PG_ADMIN, plays a programme year through the gateway only with
real tokens on the stack's business clock (year.py), and checks what was published against
its own computation from what it fed in:

- every item of every ranked institution's score sheet, exactly (fractions), and its totals;
- S1.3 non-zero wherever tests were taken, the unexcused absence scored 0 with its reason
  shown on the sheet;
- the barred (R14.5) and the cancelled (R14.4) institution listed, not ranked, with reasons;
- the ranking and the top 10 exactly, ranked as RULES.md S4 (2026-12) says: on the published
  two-decimal figures (total, then S1, S3, S2), then fewer verified complaints;
- an auditor (auditor.py) recomputing every sheet and the ranking from the source services'
  read methods alone, and running every source query the sheets name (issue 28);
- a missing calendar year reported as the rule's refusal (CALENDAR_YEAR_MISSING, R13.4), in
  words and without a server path.

Size: ZHIGAI_TEST_ACCEPTANCE_SCALE = full (the programme's: 40 applicants, 2,000 engagements,
60 events; the default), medium or small. Exit 77 (skipped) only when Debian's python3-grpcio
is missing."""
import datetime
import os
import sys
import time
import traceback
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

try:
    import grpc  # noqa: F401
except ImportError:
    print("SKIP: python3-grpcio is not installed (apt-get install python3-grpcio)")
    sys.exit(77)

sys.path.insert(0, HERE)
import stack as stack_mod  # noqa: E402
from child_env import child_env  # noqa: E402
import zhigai_client  # noqa: E402
from typed import D, HM, T, text  # noqa: E402
from auditor import Auditor, ranking_of, two_decimals  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def main():
    build = os.environ.get("ZHIGAI_TEST_BUILD_DIR") or (sys.argv[1] if len(sys.argv) > 1
                                                        else os.path.join(ROOT, "build"))
    pg = os.environ.get("ZHIGAI_TEST_PG_ADMIN")
    if not pg:
        print("ZHIGAI_TEST_PG_ADMIN is not set (conninfo of a PostgreSQL superuser)")
        return 1
    zhigai_client.load_stubs(os.path.join(build, "acceptance-py"))
    import year as year_mod
    from zhigai.common.v1 import common_pb2 as common
    from zhigai.evaluation.v1 import evaluation_pb2 as ev
    from zhigai.feedback.v1 import feedback_pb2 as fb
    from zhigai.registry.v1 import registry_pb2 as reg
    from zhigai.training.v1 import training_pb2 as tn

    size = os.environ.get("ZHIGAI_TEST_ACCEPTANCE_SCALE", "full")
    scale = {"full": year_mod.Scale(), "medium": year_mod.Scale.medium(),
             "small": year_mod.Scale.small()}[size]
    st = stack_mod.Stack(ROOT, build, pg)
    try:
        st.start()
        client = zhigai_client.Client(st.target, zhigai_client.Tokens(st.admin, st.idp))
        started = time.time()
        y = year_mod.Year(client, st.clock(), os.path.join(ROOT, "data"), seed=7,
                          scale=scale).run()
        y.report()
        print(f"\n{size} year played in {time.time() - started:.0f} s")
        check(y.year in y.calendar_years, f"the year played ({y.year}) is one the work-day "
              f"calendar holds ({y.calendar_years})")
        city = y.city
        ranking = y.ranking
        ranked = [e for e in ranking if e.rank > 0]
        # Every published sheet, item by item, against the hand computation.
        sheets = {}
        token = ""
        while True:
            page = city.evaluation.ListScoreSheets(ev.ListScoreSheetsRequest(
                parent=y.round_name, page_size=100, page_token=token))
            for s in page.score_sheets:
                sheets[s.credit_code] = s
            token = page.next_page_token
            if not token:
                break
        check(set(sheets) == {e.credit_code for e in ranking},
              f"one published sheet per institution in the ranking ({len(sheets)})")
        hand = {}
        mismatches = 0
        for e in ranked:
            sheet = sheets[e.credit_code]
            want = y.expected_items(e.credit_code)
            hand[e.credit_code] = want
            got = {i.id: Fraction(i.points_exact) for i in sheet.items}
            for item, value in want.items():
                if got.get(item) != value:
                    mismatches += 1
                    check(False, f"{e.credit_code} {item}: sheet {got.get(item)} = hand {value}")
            total = sum(want.values())
            if sheet.total != str(two_decimals(total)):
                mismatches += 1
                check(False, f"{e.credit_code} total {sheet.total} = hand {two_decimals(total)}")
        check(mismatches == 0, f"all {len(ranked)} ranked sheets agree with the hand "
              f"computation on every item and total ({6 * len(ranked)} items)")
        # S1.3 non-zero where tests were taken; the unexcused absence scores 0 with its reason.
        tested = [c for c in hand if y.fact(c)["tests"] and sum(y.fact(c)["tests"]) > 0]
        check(tested and all(hand[c]["S1.3"] > 0 for c in tested),
              f"S1.3 is non-zero for the {len(tested)} institutions that took tests")
        absent = sheets[y.unexcused]
        s13 = next(i for i in absent.items if i.id == "S1.3")
        check("unexcused absence" in s13.inputs and "缺考" in s13.applied_zh,
              f"the unexcused absence is shown on {y.unexcused}'s sheet: {s13.inputs!r}")
        missing = next(i for i in sheets[y.no_result].items if i.id == "S1.3")
        check("no result when the session closed" in missing.inputs
              and Fraction(missing.points_exact) == hand[y.no_result]["S1.3"],
              f"the result missing at the close is an absence on {y.no_result}'s sheet "
              f"(R8.1 Decision 2026-12): {missing.inputs!r}")
        excused = next(i for i in sheets[y.excused].items if i.id == "S1.3")
        check(Fraction(excused.points_exact) == hand[y.excused]["S1.3"] > 0,
              f"the excused test is left out of {y.excused}'s mean ({excused.points})")
        # The barred and the cancelled institution: listed, not ranked, with their reasons.
        for code, reason, rule in ((y.barred, "BARRED", "R14.5"),
                                   (y.cancelled, "CANCELLED", "R14.4")):
            line = [e for e in ranking if e.credit_code == code]
            check(len(line) == 1 and line[0].rank == 0 and line[0].exclusion.reason == reason
                  and line[0].exclusion.rule == rule,
                  f"{code} is listed, not ranked, with reason {reason} ({rule})")
        # The cancellation traced to its finding, as an auditor reads them (issue 28): the
        # registry's CANCEL names the finding, and feedback's finding is readable, dated on the
        # sanction's first day.
        findings = city.feedback.ListPlagiarismFindings(fb.ListPlagiarismFindingsRequest(
            institution_credit_code=y.cancelled, page_size=100)).findings
        cancels = [x for x in city.registry.ListSanctions(reg.ListSanctionsRequest(
            credit_code=y.cancelled, page_size=100)).sanctions if x.kind == reg.CANCEL]
        check(len(findings) == 1 and len(cancels) == 1
              and cancels[0].source_reference == findings[0].name
              and cancels[0].start_date == findings[0].finding_date,
              f"{y.cancelled}'s cancellation reads back to its plagiarism finding "
              f"({[f.name for f in findings]}, {[c.source_reference for c in cancels]})")
        # The ranking and the top 10, exactly.
        want = ranking_of(hand, y.complaints_verified)
        got = [(e.credit_code, e.rank, e.excellent) for e in ranked]
        check(got == want, "the published ranking is the hand ranking (S4, published figures)")
        if got != want:
            for g, w in zip(got, want):
                print(f"     published {g}   hand {w}")
        top = [c for c, rank, excellent in want if excellent]
        check([e.credit_code for e in ranked if e.excellent] == top,
              f"the excellent institutions are exactly the hand's ({len(top)} named)")
        check(len(top) >= min(10, len(ranked)), f"at least the first {min(10, len(ranked))} "
              f"places are named excellent ({len(top)})")
        # Issue 28: an auditor recomputes every sheet and the ranking from the reads alone.
        audit_started = time.time()
        audited = Auditor(client.as_("CITY_BUREAU", sub="auditor", div="330300"),
                          check).audit(y.round_name)
        print(f"     audit: {audited['sheets']} sheets, {audited['ranked']} ranked, "
              f"{audited['calls']} read calls in {time.time() - audit_started:.1f} s")
        # The upheld objection kept that applicant out of the consulting list.
        entries = client.public().registry.ListDirectoryEntries(reg.ListDirectoryEntriesRequest(
            year=y.year, direction=common.CONSULTING, page_size=1000)).entries
        check(y.excluded_by_objection not in {x.credit_code for x in entries},
              "the applicant with an upheld objection is not in the consulting directory")
        # Subsidy verdicts: some ELIGIBLE, and refusals naming their rules.
        verdicts = y.summary["subsidy verdicts"]
        check(verdicts.get("ELIGIBLE", 0) > 0 and any("R13" in k for k in verdicts),
              f"training events earn subsidies and are refused by rule ({verdicts})")
        # A year the calendar does not hold: the rule's refusal in words, no server path.
        missing = y.calendar_years[-1] + 1
        inst = y.trainers()[0]
        # The institution runs events in that year only once it is in that year's directory.
        city.registry.AdmitToDirectory(reg.AdmitToDirectoryRequest(
            command_id=f"acc-admit-{missing}-{inst}", year=missing, level=common.CITY,
            credit_code=inst, direction=common.TRAINING, source="acceptance test"))
        planned = y.inst(inst).training.CreateEvent(tn.CreateEventRequest(
            request_id=y.rid("missing-year"), event=tn.Event(
                institution_credit_code=inst, title="跨年度培训", type=tn.TRAINING,
                date=D(datetime.date(missing, 3, 16).isoformat()), start_time=HM("09:00"),
                end_time=HM("12:00"), venue="温州市会议中心", division_code="330302",
                industry_codes=["FOOTWEAR"], expected_audience=80, plan_document="p",
                agenda_document="a", slides_documents=["s"])))
        try:
            y.inst(inst).training.GetSubsidyReport(tn.GetSubsidyReportRequest(name=planned.name))
            check(False, f"a subsidy report in {missing} is refused")
        except grpc.RpcError as err:
            words = err.details()
            check(err.code() == grpc.StatusCode.FAILED_PRECONDITION
                  and year_mod.reason_of(err) == "CALENDAR_YEAR_MISSING"
                  and str(missing) in words and "/" not in words and "R13.4" in words,
                  f"a year the calendar lacks is the rule's refusal in words: {words!r}")
        # A token for the wrong audience is refused by the gateway.
        import subprocess
        bad = subprocess.run([st.admin, "token", "--dir", st.idp, "--role", "CITY_BUREAU",
                              "--sub", "x", "--div", "330300", "--aud", "elsewhere"],
                             capture_output=True, text=True, check=True,
                             env=child_env()).stdout.strip()
        try:
            client.stubs["evaluation"].ListScoreSheets(
                ev.ListScoreSheetsRequest(parent=y.round_name),
                metadata=[("authorization", "Bearer " + bad)], timeout=10)
            check(False, "a token for another audience is refused")
        except grpc.RpcError as err:
            check(err.code() == grpc.StatusCode.UNAUTHENTICATED,
                  f"a token for another audience is refused ({err.code().name})")
    except Exception:  # noqa: BLE001 — report, then stop the stack
        traceback.print_exc()
        for svc in stack_mod.SERVICES + ["gateway"]:
            print(f"--- {svc} log tail\n{st.tail(svc)}")
        failures.append("exception")
    finally:
        st.close()
    print(f"\n{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
