#!/usr/bin/python3
"""The public pages end to end in headless Chromium (Debian's): starts the whole stack against
ZHIGAI_TEST_PG_ADMIN, plays a small programme year through the gateway (year.py), then loads
each public page from the gateway as an anonymous reader, saves a screenshot under
<build>/public-pages/ and checks that the numbers on the page are the API's numbers: the count
and the credit codes of the directory (also filtered and searched), the notice's selections and
period, and the ranks and totals of the top institutions and the excellent ones.

Chromium never reaches the network: every host name resolves to nothing and every address but
127.0.0.1 goes to a dead proxy. Exit 77 (skipped) only when Chromium is missing and cannot be
installed, or python3-grpcio is missing."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import urllib.parse
import urllib.request
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("chromium is missing: apt-get install -y chromium")
        subprocess.run(["apt-get", "install", "-y", "chromium"], stdout=subprocess.DEVNULL)
        return shutil.which("chromium")
    return None


class Browser:
    """One fresh profile per run; only 127.0.0.1 is reachable."""

    def __init__(self, binary, out_dir):
        self.binary, self.out = binary, out_dir
        self.profile = tempfile.mkdtemp(prefix="zhigai-chromium-")

    def _run(self, url, *extra):
        cmd = [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-extensions", "--disable-default-apps",
               "--no-default-browser-check", "--metrics-recording-only",
               f"--user-data-dir={self.profile}",
               "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
               "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
               "--lang=zh-CN", "--window-size=1280,1800",
               # Virtual time waits for the pages' fetches before the DOM is dumped.
               "--virtual-time-budget=20000", "--run-all-compositor-stages-before-draw",
               *extra, url]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def dom(self, url):
        r = self._run(url, "--dump-dom")
        if r.returncode != 0:
            raise RuntimeError(f"chromium failed on {url}: {r.stderr[-2000:]}")
        return r.stdout

    def screenshot(self, url, name):
        path = os.path.join(self.out, name)
        r = self._run(url, f"--screenshot={path}")
        check(r.returncode == 0 and os.path.getsize(path) > 10000 if os.path.exists(path) else False,
              f"screenshot {path}")
        return path

    def close(self):
        shutil.rmtree(self.profile, ignore_errors=True)


class Page(HTMLParser):
    """What the tests read from a dumped page: element texts by id, table rows with their
    data-credit-code and cell texts, the <body> attributes."""

    def __init__(self, html):
        super().__init__()
        self.ids, self.rows, self.body, self.lists = {}, [], {}, []
        self._stack, self._row, self._cell, self._li = [], None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        if tag == "tr" and "data-credit-code" in a:
            self._row = {"code": a["data-credit-code"], "attrs": a, "cells": []}
        if tag == "td" and self._row is not None:
            self._cell = []
        if tag == "li" and "data-credit-code" in a:
            self._li = {"code": a["data-credit-code"], "value": a.get("value"), "text": []}
        self._stack.append((tag, a.get("id"), []))

    def handle_endtag(self, tag):
        while self._stack:
            t, ident, text = self._stack.pop()
            if ident:
                self.ids[ident] = "".join(text).strip()
            if self._stack:
                self._stack[-1][2].extend(text)
            if t == tag:
                break
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row["cells"].append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        if tag == "li" and self._li is not None:
            self._li["text"] = "".join(self._li["text"]).strip()
            self.lists.append(self._li)
            self._li = None

    def handle_data(self, data):
        if self._stack:
            self._stack[-1][2].append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._li is not None:
            self._li["text"].append(data)


def api(http, method, body):
    """The HTTP/JSON method as the pages call it: anonymous."""
    req = urllib.request.Request(f"http://{http}/{method}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def api_all(http, method, body, field):
    out, token = [], ""
    while True:
        page = api(http, method, dict(body, pageSize=1000, pageToken=token))
        out += page.get(field, [])
        token = page.get("nextPageToken", "")
        if not token:
            return out


def load(browser, base, path, shot, scripted=True):
    url = base + path
    page = Page(browser.dom(url))
    if scripted:
        check(page.body.get("data-ready") == "1", f"{path} finished rendering")
    check("error" not in page.ids.get("status", "") and "出错" not in page.ids.get("status", ""),
          f"{path} status line: {page.ids.get('status')}")
    browser.screenshot(url, shot)
    return page


def check_static(base):
    with urllib.request.urlopen(base + "/directory.html", timeout=10) as r:
        check(r.headers["Content-Type"] == "text/html; charset=utf-8", "HTML content type")
        check(r.headers["Cache-Control"] == "no-cache" and r.headers["ETag"],
              "HTML is revalidated by ETag")
    with urllib.request.urlopen(base + "/api.js", timeout=10) as r:
        check(r.headers["Content-Type"].startswith("text/javascript"), "script content type")


def main():
    build = os.environ.get("ZHIGAI_TEST_BUILD_DIR") or (sys.argv[1] if len(sys.argv) > 1
                                                        else os.path.join(ROOT, "build"))
    out = os.path.join(os.environ.get("ZHIGAI_TEST_OUT_DIR", build), "public-pages")
    try:
        import grpc  # noqa: F401
    except ImportError:
        print("SKIP: python3-grpcio is not installed (apt-get install python3-grpcio)")
        return 77
    chromium = find_chromium()
    if not chromium:
        print("SKIP: chromium is not installed and could not be installed")
        return 77
    pg = os.environ.get("ZHIGAI_TEST_PG_ADMIN")
    if not pg:
        print("ZHIGAI_TEST_PG_ADMIN is not set (conninfo of a PostgreSQL superuser)")
        return 1
    os.makedirs(out, exist_ok=True)
    sys.path.insert(0, HERE)
    import stack as stack_mod
    import zhigai_client
    zhigai_client.load_stubs(os.path.join(os.path.dirname(out), "acceptance-py"))
    import year as year_mod

    binaries = {}
    if os.environ.get("ZHIGAI_TEST_GATEWAY_BINARY"):
        binaries["gateway"] = os.environ["ZHIGAI_TEST_GATEWAY_BINARY"]
    st = stack_mod.Stack(ROOT, build, pg, binaries)
    browser = Browser(chromium, out)
    try:
        st.start()
        client = zhigai_client.Client(st.target, zhigai_client.Tokens(st.admin, st.idp))
        y = year_mod.Year(client, st.clock(), os.path.join(ROOT, "data"), seed=11,
                          scale=year_mod.Scale.small()).run()
        base = "http://" + st.http
        check_static(base)

        # The index page links to the three others.
        home = load(browser, base, "/", "index.png", scripted=False)
        check(home.body is not None and "温州" in home.ids.get("main", ""), "index page loads")

        # Directory: everything of the year, then consulting only, then a name search.
        entries = api_all(st.http, "zhigai.registry.v1.RegistryService/ListDirectoryEntries",
                          {"year": y.year}, "entries")
        page = load(browser, base, f"/directory.html?year={y.year}", "directory.png")
        check(page.ids.get("count") == str(len(entries)) and len(entries) > 0,
              f"directory count on the page {page.ids.get('count')} = API {len(entries)}")
        check(sorted(r["code"] for r in page.rows) == sorted(e["creditCode"] for e in entries),
              "directory rows are the API's entries")
        consulting = [e for e in entries if e["direction"] == "CONSULTING"]
        page = load(browser, base, f"/directory.html?year={y.year}&direction=CONSULTING",
                    "directory-consulting.png")
        check(page.ids.get("count") == str(len(consulting)),
              f"consulting count {page.ids.get('count')} = API {len(consulting)}")
        name = entries[0]["institutionDisplayName"]
        word = name[:4]
        matching = [e for e in entries if word in e["institutionDisplayName"]]
        page = load(browser, base, f"/directory.html?year={y.year}&q={urllib.parse.quote(word)}",
                    "directory-search.png")
        check(page.ids.get("count") == str(len(matching)),
              f"search '{word}' count {page.ids.get('count')} = API {len(matching)}")

        # Notices: every call that has had its notice (the city's and the county's) and their
        # selections; the city call's objection period.
        calls = api_all(st.http, "zhigai.review.v1.ReviewService/ListCalls", {}, "calls")
        noticed = [api(st.http, "zhigai.review.v1.ReviewService/GetPublicNotice",
                       {"call": c["name"]}) for c in calls if c.get("noticeStartDate")]
        notice = next(n for n in noticed if n["call"] == y.call.name)
        selections = [e["creditCode"] for n in noticed for e in n["entries"]]
        page = load(browser, base, "/notices.html", "notices.png")
        shown = [r["code"] for r in page.rows]
        check(len(noticed) == 2 and sorted(shown) == sorted(selections),
              f"notice rows ({len(shown)}) are the API's selections of {len(noticed)} calls "
              f"({len(selections)})")
        html = browser.dom(base + "/notices.html")
        check(f"{notice['startDate']} 至 {notice['endDate']}" in html,
              f"the objection period {notice['startDate']}..{notice['endDate']} is shown")

        # Ranking: ranks and totals of the top ten, the excellent list, nothing personal.
        ranking = api_all(st.http, "zhigai.evaluation.v1.EvaluationService/ListRanking",
                          {"parent": y.round_name}, "entries")
        page = load(browser, base, "/ranking.html", "ranking.png")
        top_api = [(e["rank"], e["creditCode"], e["total"]) for e in ranking
                   if e.get("rank", 0) > 0][:10]
        top_page = [(int(r["attrs"]["data-rank"]), r["code"], r["cells"][3]) for r in page.rows
                    if int(r["attrs"]["data-rank"]) > 0][:10]
        ranked = sum(1 for e in ranking if e.get("rank", 0) > 0)
        check(len(top_api) == min(10, ranked) and len(top_api) >= 3 and top_page == top_api,
              f"top {len(top_api)} ranks and totals on the page = API ({top_page[:3]}...)")
        check(len(page.rows) == len(ranking), f"every ranking line is shown ({len(page.rows)})")
        excellent = [(str(e["rank"]), e["creditCode"]) for e in ranking if e.get("excellent")]
        check([(li["value"], li["code"]) for li in page.lists] == excellent and excellent,
              f"the excellent institutions ({len(excellent)}) as published")
        check(page.ids.get("excellent-count") == str(len(excellent)),
              "the excellent count in the summary")
        barred = [r for r in page.rows if r["code"] == y.barred]
        check(len(barred) == 1 and "不参与排名" in barred[0]["cells"][-1],
              "the barred institution is listed as not ranked")
        ranking_html = browser.dom(base + "/ranking.html")
        check("@" not in ranking_html and "filedBy" not in ranking_html,
              "no personal data (no e-mail addresses) on the ranking page")
        print(f"screenshots: {out}")
    except Exception:  # noqa: BLE001 — report, then stop the stack
        traceback.print_exc()
        for svc in stack_mod.SERVICES + ["gateway"]:
            print(f"--- {svc} log tail\n{st.tail(svc)}")
        failures.append("exception")
    finally:
        browser.close()
        st.close()
    print(f"\n{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
