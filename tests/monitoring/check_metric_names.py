#!/usr/bin/env python3
"""Every metric an alert or a dashboard query names must be one the services really export
(issue 25 item 5): a renamed metric would otherwise leave an alert that can never fire and a
dashboard panel that stays empty, and nobody would notice until the night it mattered.

    check_metric_names.py --monitoring DIR --scrape URL [--scrape URL ...] [--not-scraped NAME]

Reads DIR/alerts.yml (expr of every rule) and DIR/dashboards/*.json (expr of every panel
target), collects the metric names they use (zhigai_*, grpc_server_*), and checks each against
the names the scraped endpoints expose, from their # TYPE lines and samples (histograms bring
_bucket, _sum and _count). Recorded series (names with a colon) are checked through the rules
that record them; `up` is Prometheus's own. Exit 1 naming every missing metric and where it is
used; exit 0 printing how many names were checked.
"""
import argparse
import glob
import json
import os
import re
import sys
import urllib.request

import yaml

# Not a part of a recorded name (zhigai:grpc_server_calls:rate5m is checked through its rule).
NAME = re.compile(r"(?<![:\w])((?:zhigai|grpc_server)_[a-zA-Z0-9_]+)(?![:\w])")


def used_names(monitoring):
    """{metric name: [where it is used]}"""
    used = {}
    with open(os.path.join(monitoring, "alerts.yml")) as f:
        rules = yaml.safe_load(f)
    for group in rules["groups"]:
        for rule in group["rules"]:
            label = rule.get("alert") or rule.get("record")
            for name in NAME.findall(rule["expr"]):
                used.setdefault(name, []).append(f"alerts.yml {label}")
    for path in sorted(glob.glob(os.path.join(monitoring, "dashboards", "*.json"))):
        with open(path) as f:
            dash = json.load(f)
        for panel in dash["panels"]:
            for target in panel.get("targets", []):
                for name in NAME.findall(target["expr"]):
                    used.setdefault(name, []).append(
                        f"dashboards/{os.path.basename(path)} \"{panel['title']}\"")
        for var in dash.get("templating", {}).get("list", []):
            if isinstance(var.get("query"), str):
                for name in NAME.findall(var["query"]):
                    used.setdefault(name, []).append(
                        f"dashboards/{os.path.basename(path)} variable {var['name']}")
    return used


def exported_names(urls):
    names = set()
    for url in urls:
        with urllib.request.urlopen(url, timeout=10) as r:
            text = r.read().decode()
        for line in text.splitlines():
            if line.startswith("# TYPE "):
                name, kind = line.split()[2:4]
                names.add(name)
                if kind == "histogram":
                    names |= {name + "_bucket", name + "_sum", name + "_count"}
            elif line and not line.startswith("#"):
                names.add(re.split(r"[{ ]", line, 1)[0])
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--monitoring", required=True)
    ap.add_argument("--scrape", action="append", required=True)
    ap.add_argument("--not-scraped", action="append", default=[],
                    help="a name the scraped stack cannot show (its series exist only in a "
                         "configuration it does not run); the caller says where it is tested")
    args = ap.parse_args()
    used = used_names(args.monitoring)
    exported = exported_names(args.scrape) | set(args.not_scraped)
    missing = {n: w for n, w in used.items() if n not in exported}
    if missing:
        for name, where in sorted(missing.items()):
            print(f"MISSING {name}: used by {', '.join(sorted(set(where)))}")
        print(f"{len(missing)} of {len(used)} metric names are not exported by "
              f"{len(args.scrape)} scraped endpoints")
        return 1
    print(f"all {len(used)} metric names of the alerts and dashboards are exported "
          f"({len(exported)} names scraped from {len(args.scrape)} endpoints)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
