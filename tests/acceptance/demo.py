#!/usr/bin/python3
"""tools/zhigai demo: plays a programme year through the running gateway (tools/zhigai up) on
the system's business clock, with generated data, deterministic per seed, and prints a
summary, the top 10 and where to look. Run again on the same system, it plays the next year.

A refusal by the rules is reported in the service's own words; the demo stops cleanly (exit 3)
when a step it cannot do without is refused, and never ends in a traceback. At the end an
auditor recomputes the published round from the source services' reads (exit 4 if it differs)."""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--small", action="store_true", help="a few applicants, fast")
    p.add_argument("--medium", action="store_true", help="a quarter of the programme's size")
    p.add_argument("--target", default="127.0.0.1:7100")
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--idp", default=os.path.join(ROOT, ".zhigai", "secrets"))
    p.add_argument("--clock-admin", required=True,
                   help="conninfo of the database administrator: the business clock's owner")
    a = p.parse_args()
    try:
        import grpc
    except ImportError:
        print("demo: python3-grpcio is missing (tools/zhigai up installs it)")
        return 1
    import business_clock
    import zhigai_client
    zhigai_client.load_stubs(os.path.join(a.build, "acceptance-py"))
    import year as year_mod
    admin = os.path.join(a.build, "tools", "admin", "zhigai-admin")
    client = zhigai_client.Client(a.target, zhigai_client.Tokens(admin, a.idp))
    clock = business_clock.BusinessClock(admin, a.clock_admin)
    scale = (year_mod.Scale.small() if a.small else year_mod.Scale.medium() if a.medium
             else year_mod.Scale())
    started = time.time()
    try:
        y = year_mod.Year(client, clock, os.path.join(ROOT, "data"), seed=a.seed, scale=scale)
        print(f"Playing programme year {y.year} through the gateway {a.target} (seed {a.seed}) "
              f"on the business clock, starting {clock.now():%Y-%m-%d %H:%M} (Wenzhou).")
        y.run()
    except grpc.RpcError as err:
        print(f"\ndemo: stopped: {err.code().name} {year_mod.reason_of(err)}: {err.details()}")
        return 3
    except business_clock.ClockBackwards as err:
        print(f"\ndemo: stopped: {err}")
        return 3
    y.report()
    rnd = y.round_name
    # Issue 28: the published round, recomputed by an auditor from the source reads alone.
    from auditor import Auditor
    findings = []
    audited = Auditor(client.as_("CITY_BUREAU", sub="auditor", div="330300"),
                      lambda ok, what: ok or findings.append(what)).audit(rnd)
    if findings:
        print("\ndemo: the audit of the published round found differences:")
        for what in findings:
            print(f"  {what}")
        return 4
    print(f"\nAudit: {audited['sheets']} score sheets and the ranking of {rnd} recomputed from "
          f"the source services' reads alone ({audited['calls']} calls): equal.")
    print(f"""
Played in {time.time() - started:.0f} s. Business time is now {clock.now():%Y-%m-%d %H:%M}; run
`tools/zhigai demo` again to play {y.year + 1}.
Where to look:
  the public pages (directory, notices, rankings):  http://127.0.0.1:7180/
  the published ranking (public, HTTP/JSON):
    curl -s -X POST http://127.0.0.1:7180/zhigai.evaluation.v1.EvaluationService/ListRanking -d '{{"parent": "{rnd}"}}'
  the directory of {y.year}:
    curl -s -X POST http://127.0.0.1:7180/zhigai.registry.v1.RegistryService/ListDirectoryEntries -d '{{"year": {y.year}}}'
  a score sheet, as the city bureau:
    tools/zhigai call EvaluationService/GetScoreSheet '{{"name": "{rnd}/scoreSheets/{y.ranking[0].credit_code}"}}' --as CITY_BUREAU
  the business clock:  tools/zhigai clock show
  a bearer token for your own client:  tools/zhigai token --as CITY_BUREAU
  logs: tools/zhigai logs gateway""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
