#!/usr/bin/env python3
"""The alerting rules and dashboards of k8s/components/monitoring (issue 25 item 5):

- `promtool check rules` accepts alerts.yml and `promtool test rules` passes alerts_test.yml;
- every alert has a severity (warning or critical), a summary and a one-line runbook, and at
  least one test case in which it fires (an alert nobody has seen fire is a guess);
- the tests bite: a copy of the rules with one `for:` shortened must fail them;
- there is a dashboard for the gateway and each service, each panel has a query, and every
  query of a service's dashboard selects that service.

    check_rules.py --monitoring DIR [--promtool PATH]

Which metric names exist is checked against a scrape of the running stack by
check_metric_names.py (tests/tools/up_call_down_test.sh).
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

SERVICES = ["gateway", "registry", "review", "tracking", "training", "feedback", "evaluation"]


class Checks:
    def __init__(self):
        self.errors = []
        self.passed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.errors.append(what)


def promtool(tool, *args, cwd):
    return subprocess.run([tool, *args], cwd=cwd, capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--monitoring", required=True)
    ap.add_argument("--promtool", default=shutil.which("promtool"))
    args = ap.parse_args()
    if not args.promtool:
        print("promtool is missing: Debian's `prometheus` package (tools/zhigai test installs it)")
        return 1
    c = Checks()
    mon = args.monitoring

    r = promtool(args.promtool, "check", "rules", "alerts.yml", cwd=mon)
    c.check(r.returncode == 0, f"promtool check rules alerts.yml:\n{r.stdout}{r.stderr}")
    r = promtool(args.promtool, "test", "rules", "alerts_test.yml", cwd=mon)
    c.check(r.returncode == 0, f"promtool test rules alerts_test.yml:\n{r.stdout}{r.stderr}")

    with open(os.path.join(mon, "alerts.yml")) as f:
        rules = yaml.safe_load(f)
    with open(os.path.join(mon, "alerts_test.yml")) as f:
        tests = yaml.safe_load(f)
    fired = {t["alertname"] for case in tests["tests"] for t in case.get("alert_rule_test", [])
             if t.get("exp_alerts")}
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    for a in alerts:
        name = a["alert"]
        c.check(a.get("labels", {}).get("severity") in ("warning", "critical"),
                f"{name}: severity must be warning or critical")
        ann = a.get("annotations", {})
        c.check(bool(ann.get("summary")), f"{name}: no summary annotation")
        c.check(bool(ann.get("runbook")) and "\n" not in ann["runbook"].strip(),
                f"{name}: needs a one-line runbook annotation")
        c.check(name in fired, f"{name}: no test case in alerts_test.yml in which it fires")

    # The control: with ZhigaiServiceNotReady's `for:` cut to 0m it fires at 4 minutes, which
    # alerts_test.yml says it must not; if promtool still passes, the tests do not bite.
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("alerts.yml", "alerts_test.yml"):
            shutil.copy(os.path.join(mon, name), tmp)
        path = os.path.join(tmp, "alerts.yml")
        with open(path) as f:
            text = f.read()
        broken = text.replace("expr: zhigai_ready == 0\n    for: 5m", "expr: zhigai_ready == 0\n    for: 0m")
        c.check(broken != text, "control: ZhigaiServiceNotReady's `for: 5m` not found to break")
        with open(path, "w") as f:
            f.write(broken)
        r = promtool(args.promtool, "test", "rules", "alerts_test.yml", cwd=tmp)
        c.check(r.returncode != 0 and "ZhigaiServiceNotReady" in r.stdout + r.stderr,
                "control: alerts_test.yml still passes with ZhigaiServiceNotReady broken")

    uids = set()
    for svc in SERVICES:
        path = os.path.join(mon, "dashboards", f"{svc}.json")
        if not c.check(os.path.exists(path), f"no dashboard for {svc} ({path})"):
            continue
        with open(path) as f:
            dash = json.load(f)
        c.check(dash.get("uid") not in uids, f"{svc}: dashboard uid {dash.get('uid')} repeats")
        uids.add(dash.get("uid"))
        c.check(bool(dash.get("panels")), f"{svc}: dashboard has no panels")
        for panel in dash.get("panels", []):
            exprs = [t.get("expr", "") for t in panel.get("targets", [])]
            c.check(exprs and all(exprs), f"{svc}: panel \"{panel.get('title')}\" has no query")
            for e in exprs:
                c.check(f'service="{svc}"' in e,
                        f"{svc}: panel \"{panel.get('title')}\" queries another service: {e}")
    extra = {os.path.basename(p)[:-5] for p in glob.glob(os.path.join(mon, "dashboards", "*.json"))}
    c.check(extra <= set(SERVICES), f"dashboards for unknown services: {sorted(extra - set(SERVICES))}")

    for e in c.errors:
        print(f"FAILED: {e}")
    print(f"{c.passed} checks passed, {len(c.errors)} failed ({len(alerts)} alerts, "
          f"{len(fired)} seen firing in tests)")
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main())
