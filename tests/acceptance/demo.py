#!/usr/bin/python3
"""tools/zhigai demo: plays a programme year through the running gateway (tools/zhigai up)
with generated data, deterministic per seed, and prints a summary, the top 10 and where to
look."""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--small", action="store_true", help="a few applicants, fast")
    p.add_argument("--target", default="127.0.0.1:7100")
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--idp", default=os.path.join(ROOT, ".zhigai", "secrets"))
    a = p.parse_args()
    try:
        import grpc  # noqa: F401
    except ImportError:
        print("demo: python3-grpcio is missing (tools/zhigai up installs it)")
        return 1
    import zhigai_client
    zhigai_client.load_stubs(os.path.join(a.build, "acceptance-py"))
    import year as year_mod
    admin = os.path.join(a.build, "tools", "admin", "zhigai-admin")
    client = zhigai_client.Client(a.target, zhigai_client.Tokens(admin, a.idp))
    scale = year_mod.Scale.small() if a.small else year_mod.Scale()
    y = year_mod.Year(client, seed=a.seed, scale=scale)
    from zhigai.review.v1 import review_pb2 as rv
    held = y.city.review.ListCalls(rv.ListCallsRequest(year=y.year, page_size=10)).calls
    if held:
        # The year's parties (codes per seed, the expert pool, the directory) would collide
        # with the ones already there; say so before changing anything.
        print(f"demo: this system already holds the programme year {y.year} "
              f"({', '.join(c.name for c in held)}); the demo plays a year on an empty system.\n"
              "Start from an empty one:  tools/zhigai down --wipe && tools/zhigai up")
        return 2
    print(f"Playing a programme year through the gateway {a.target} (seed {a.seed}).")
    y.run()
    y.report()
    rnd = y.round_name
    print(f"""
Where to look:
  the published ranking (public, HTTP/JSON):
    curl -s -X POST http://127.0.0.1:7180/zhigai.evaluation.v1.EvaluationService/ListRanking -d '{{"parent": "{rnd}"}}'
  the directory of {y.year}:
    curl -s -X POST http://127.0.0.1:7180/zhigai.registry.v1.RegistryService/ListDirectoryEntries -d '{{"year": {y.year}}}'
  a score sheet, as the city bureau:
    tools/zhigai call EvaluationService/GetScoreSheet '{{"name": "{rnd}/scoreSheets/{y.ranking[0].credit_code}"}}' --as CITY_BUREAU
  a bearer token for your own client:  tools/zhigai token --as CITY_BUREAU
  logs: tools/zhigai logs gateway""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
