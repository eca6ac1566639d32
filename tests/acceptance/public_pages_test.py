#!/usr/bin/python3
"""The public pages end to end in headless Chromium (Debian's): starts the whole stack against
ZHIGAI_TEST_PG_ADMIN, plays a small programme year through the gateway (year.py), then loads
each public page from the gateway as an anonymous reader, saves a screenshot under
<build>/public-pages/ and checks that the numbers on the page are the API's numbers: the count
and the credit codes of the directory (also filtered and searched), the notice's selections and
period, and the ranks and totals of the top institutions and the excellent ones.

Each screenshot is compared with its reference rendering (tests/acceptance/page-references/,
grey and scaled down, so that fonts' anti-aliasing and a changed digit are within the tolerance
and a lost style sheet, table or block is not). After a deliberate change of the pages, rewrite
the references with ZHIGAI_UPDATE_PAGE_REFERENCES=1 and look at them before committing.

No personal data reaches the public: every value the year sent or received in a field the API
marks as personal ((zhigai.common.v1.personal_data), personal_data.py) is looked for in every
page and every public answer the pages are built from, and each marked field must have been
filled at least once.

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
REFERENCES = os.path.join(HERE, "page-references")
# The comparison: both renderings grey at a quarter of their size; a pixel differs when its grey
# level moved by more than DIFFERENT_LEVEL of 255; a page differs when more than TOLERANCE of its
# pixels do. Measured (docs/reliability.md): two runs differ by at most 0.01%; tables hidden by
# the style sheet give 2.2–4.5%, a phone number appended to the notice's names 0.9%.
REFERENCE_SCALE = 4
DIFFERENT_LEVEL = 48
TOLERANCE = 0.005

failures = []
public_answers = []  # every answer of the public API this test read, as JSON text


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
        self.seen = {}  # url → the DOM Chromium built

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
        self.seen[url] = r.stdout
        return r.stdout

    def screenshot(self, url, name):
        path = os.path.join(self.out, name)
        r = self._run(url, f"--screenshot={path}")
        check(r.returncode == 0 and os.path.exists(path), f"screenshot {path}")
        if os.path.exists(path):
            compare_with_reference(path, name)
        return path

    def close(self):
        shutil.rmtree(self.profile, ignore_errors=True)


def reduced(image):
    from PIL import Image
    grey = image.convert("L")
    return grey.resize((grey.width // REFERENCE_SCALE, grey.height // REFERENCE_SCALE),
                       Image.BILINEAR)


def rendering_difference(shot, reference):
    """The share of pixels whose grey level differs by more than DIFFERENT_LEVEL; 1.0 when the
    sizes differ."""
    from PIL import Image, ImageChops
    a = reduced(Image.open(shot))
    b = Image.open(reference).convert("L")
    if a.size != b.size:
        return 1.0
    histogram = ImageChops.difference(a, b).histogram()
    return sum(histogram[DIFFERENT_LEVEL + 1:]) / (a.width * a.height)


def compare_with_reference(shot, name):
    from PIL import Image
    reference = os.path.join(REFERENCES, name)
    if os.environ.get("ZHIGAI_UPDATE_PAGE_REFERENCES") == "1":
        os.makedirs(REFERENCES, exist_ok=True)
        reduced(Image.open(shot)).save(reference, optimize=True)
        print(f"note reference rewritten: {reference}")
        return
    if not os.path.exists(reference):
        check(False, f"{name} has a reference rendering ({reference})")
        return
    share = rendering_difference(shot, reference)
    check(share <= TOLERANCE,
          f"{name} looks like its reference: {share:.2%} of pixels differ (tolerance "
          f"{TOLERANCE:.1%})")


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
        answer = json.loads(resp.read())
    # Kept as text with the characters themselves (not \u escapes), to be searched.
    public_answers.append(json.dumps(answer, ensure_ascii=False))
    return answer


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
    import personal_data
    from zhigai.common.v1 import common_pb2
    from zhigai.feedback.v1 import feedback_pb2
    from zhigai.registry.v1 import registry_pb2
    from zhigai.review.v1 import review_pb2
    from zhigai.evaluation.v1 import evaluation_pb2
    from zhigai.tracking.v1 import tracking_pb2
    from zhigai.training.v1 import training_pb2
    marked = personal_data.declared(
        [m.DESCRIPTOR for m in (common_pb2, registry_pb2, review_pb2, tracking_pb2, training_pb2,
                                feedback_pb2, evaluation_pb2)])
    personal = personal_data.Values()

    binaries = {}
    if os.environ.get("ZHIGAI_TEST_GATEWAY_BINARY"):
        binaries["gateway"] = os.environ["ZHIGAI_TEST_GATEWAY_BINARY"]
    st = stack_mod.Stack(ROOT, build, pg, binaries)
    browser = Browser(chromium, out)
    try:
        st.start()
        client = zhigai_client.Client(st.target, zhigai_client.Tokens(st.admin, st.idp))
        client.recorder = personal.recorder()
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
        # The first name in order, not the first entry: the entries' order follows admission,
        # which the outbox delivers in any order, and the search's screenshot must not vary.
        name = min(e["institutionDisplayName"] for e in entries)
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
        check("filedBy" not in ranking_html, "no complaint's filer on the ranking page")

        # Personal data: every marked field was filled by the year, and none of its values is
        # on a page or in a public answer.
        unfilled = sorted(marked - set(personal.by_field))
        check(len(marked) >= 7 and not unfilled,
              f"the year filled each of the {len(marked)} personal fields the API marks "
              f"(not filled: {unfilled})")
        values = sum(len(v) for v in personal.by_field.values())
        for url, html in sorted(browser.seen.items()):
            leaked = personal.found_in(html)
            check(not leaked, f"{url} shows none of the {values} personal values ({leaked[:3]})")
        leaked = personal.found_in("\n".join(public_answers))
        check(not leaked and public_answers,
              f"the {len(public_answers)} public answers carry none of them ({leaked[:3]})")
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
