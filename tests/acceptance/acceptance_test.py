#!/usr/bin/python3
"""Acceptance test of an outside client: starts the whole stack (every service and the
gateway) against ZHIGAI_TEST_PG_ADMIN, plays a year through the gateway only with real
tokens, and checks the published ranking and a few score sheets by hand-computed values.
Exit 77 (skipped) only when Debian's python3-grpcio is missing."""
import os
import sys
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
import zhigai_client  # noqa: E402

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
    from zhigai.evaluation.v1 import evaluation_pb2 as ev
    from zhigai.registry.v1 import registry_pb2 as reg
    from zhigai.common.v1 import common_pb2 as common

    st = stack_mod.Stack(ROOT, build, pg)
    try:
        st.start()
        client = zhigai_client.Client(st.target, zhigai_client.Tokens(st.admin, st.idp))
        y = year_mod.Year(client, seed=7, scale=year_mod.Scale.small()).run()
        y.report()
        city = y.city
        ranking = y.ranking
        ranked = [e for e in ranking if e.rank > 0]
        # The published ranking, as anyone (PUBLIC) reads it.
        check(len(ranked) == len(y.admitted) - 1,
              f"every admitted institution but the barred one is ranked ({len(ranked)})")
        check([e.rank for e in ranked] == sorted(e.rank for e in ranked), "ranks ascend")
        totals = [Fraction(e.total) for e in ranked]
        check(totals == sorted(totals, reverse=True), "totals descend with the rank")
        excellent = [e for e in ranking if e.excellent]
        check(len(excellent) >= min(10, len(ranked)) and all(e.rank <= 10 for e in excellent)
              or any(e.decided_by == "SHARED_RANK" for e in excellent),
              f"the top 10 are excellent ({len(excellent)})")
        barred = [e for e in ranking if e.credit_code == y.barred]
        check(len(barred) == 1 and barred[0].rank == 0 and barred[0].exclusion.reason == "BARRED",
              "the barred institution is listed, not ranked, with reason BARRED (R14.5)")
        # Score sheets: best, middle and last ranked, item by item against the hand values.
        for e in [ranked[0], ranked[len(ranked) // 2], ranked[-1]]:
            sheet = city.evaluation.GetScoreSheet(ev.GetScoreSheetRequest(
                name=f"{y.round_name}/scoreSheets/{e.credit_code}"))
            want = y.expected_items(e.credit_code)
            got = {i.id: Fraction(i.points_exact) for i in sheet.items}
            for item, value in want.items():
                check(got.get(item) == value,
                      f"{e.credit_code} {item}: sheet {got.get(item)} = hand {value}")
            total = sum(want.values())
            check(abs(Fraction(sheet.total) - total) <= Fraction(1, 200),
                  f"{e.credit_code} total {sheet.total} = hand {float(total):.4f}")
        # The objection upheld in the notice kept that applicant out of the consulting list.
        entries = client.public().registry.ListDirectoryEntries(reg.ListDirectoryEntriesRequest(
            year=y.year, direction=common.CONSULTING, page_size=1000)).entries
        check(y.excluded_by_objection not in {x.credit_code for x in entries},
              "the applicant with an upheld objection is not in the consulting directory")
        # A token for the wrong audience is refused by the gateway.
        import subprocess
        bad = subprocess.run([st.admin, "token", "--dir", st.idp, "--role", "CITY_BUREAU",
                              "--sub", "x", "--div", "330300", "--aud", "elsewhere"],
                             capture_output=True, text=True, check=True).stdout.strip()
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
