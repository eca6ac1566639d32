#!/usr/bin/python3
"""Fault-injection suite (issue 11, "Faults"). Loopback only, bounded: a dedicated PostgreSQL
cluster and the whole stack on free ports; a steady mixed load through the gateway (idempotent
writes retried with their own request/command ids until acknowledged, plus reads); meanwhile
kill -9 each process in turn and start it again, restart PostgreSQL, and SIGTERM a backend.
Afterwards, by SQL as the admin: every acknowledged write exists exactly once, every outbox
command was delivered exactly once, no duplicates anywhere; from the clients: no call waited
past its deadline; from the health probes: no process said SERVING while it could not serve.
Prints the figures and, with --report FILE, writes them as Markdown. Exit 0 only when every
check holds."""
import argparse
import collections
import datetime
import os
import random
import signal
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402

SERVICES = harness.stack_mod.SERVICES
DEADLINE = 3.0          # every client call's deadline, seconds
DEADLINE_SLACK = 0.5    # scheduling slack of this Python client before an overrun is counted
ACK_BUDGET = 45.0       # a write not acknowledged within this is abandoned (counted, not lost)
DOWN_SECONDS = 1.5      # how long a killed process stays down
PG_DOWN_SECONDS = 5.0   # longer than the services' 2 s readiness check, so they must notice
READINESS_GRACE = 2.5   # the readiness watch looks every 2 s: allowed lag before NOT_SERVING
RECOVER_BUDGET = 40.0
RETRYABLE = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "ABORTED", "UNKNOWN", "INTERNAL",
             "RESOURCE_EXHAUSTED", "CANCELLED"}


# The service each method of the load reaches (through the gateway).
SERVICE_OF = {
    "CreateInstitution": "registry", "AdmitToDirectory": "registry",
    "ListDirectoryEntries": "registry", "GetInstitution": "registry",
    "CreateExpert": "review", "ListCalls": "review", "FinishCall": "review", "GetCall": "review",
    "BatchPushProjects": "tracking",
    "CreateEvent": "training", "ListEvents": "training",
    "RecordPlagiarismFinding": "feedback",
    "GetRound": "evaluation", "PullMetrics": "evaluation",
}


class Load:
    """Worker threads, each repeating a chain of writes (and reads) until stopped."""

    def __init__(self, client, mods, workers, today):
        self.c, self.m, self.today, self.year = client, mods, today, today.year
        self.city = client.as_("CITY_BUREAU", sub="rel-city", div="330300")
        self.platform = client.as_("POLICY_PLATFORM", sub="rel-platform")
        self.public = client.public()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.calls = 0
        self.codes = collections.Counter()
        self.overruns = []      # (method, seconds)
        self.refused = []       # (method, code, detail): a valid write refused for good
        self.abandoned = collections.Counter()
        self.acked = collections.defaultdict(list)   # kind → keys
        self.inflight = 0       # calls sent and not yet answered
        self.by_service = collections.defaultdict(collections.Counter)  # service → code → n
        self.workers = [threading.Thread(target=self.run, args=(w,), daemon=True)
                        for w in range(workers)]

    def _call(self, method, fn, req):
        import grpc
        t = time.time()
        code = "OK"
        with self.lock:
            self.inflight += 1
        try:
            return fn(req, timeout=DEADLINE), "OK"
        except grpc.RpcError as e:
            code = e.code().name
            return e, code
        finally:
            spent = time.time() - t
            with self.lock:
                self.inflight -= 1
                self.calls += 1
                self.codes[code] += 1
                self.by_service[SERVICE_OF[method]][code] += 1
                if spent > DEADLINE + DEADLINE_SLACK:
                    self.overruns.append((method, round(spent, 2)))

    def write(self, method, fn, req, kind, key):
        """Retries the same request until acknowledged; True when it was."""
        start = time.time()
        first = True
        while time.time() - start < ACK_BUDGET:
            reply, code = self._call(method, fn, req)
            if code == "OK":
                with self.lock:
                    self.acked[kind].append(key)
                return reply
            # A retry after a lost reply must be answered as the first call was: an
            # ALREADY_EXISTS on a retry means the write was not idempotent.
            if code not in RETRYABLE:
                with self.lock:
                    self.refused.append((method, code, "retry" if not first else "first",
                                         reply.details()))
                return None
            first = False
            time.sleep(0.1 + random.random() * 0.2)
        with self.lock:
            self.abandoned[kind] += 1
        return None

    def run(self, w):
        reg, tr, fb, common = self.m["reg"], self.m["tr"], self.m["fb"], self.m["common"]
        rv, tn, ev = self.m["rv"], self.m["tn"], self.m["ev"]
        i = 0
        while not self.stop.is_set():
            code = harness.credit_code("330302", 1_000_000 + w * 100_000 + i)
            i += 1
            if not self.write("CreateInstitution", self.city.registry.CreateInstitution,
                              reg.CreateInstitutionRequest(
                                  institution=harness.institution(reg, common, code),
                                  request_id=f"rel-inst-{code}"), "institution", code):
                continue
            self.write("AdmitToDirectory", self.city.registry.AdmitToDirectory,
                       reg.AdmitToDirectoryRequest(
                           command_id=f"rel-admit-{code}", year=self.year, level=common.CITY,
                           credit_code=code, direction=common.CONSULTING,
                           source="reliability"), "admission", code)
            records = [harness.project(tr, common, f"RP-{code}-{k}", code, self.m["ent"], self.today)
                       for k in range(3)]
            reply = self.write("BatchPushProjects", self.platform.tracking.BatchPushProjects,
                               tr.BatchPushProjectsRequest(batch_id=f"rel-batch-{code}",
                                                           records=records), "batch", code)
            if reply is not None and reply.counts.rejected:
                with self.lock:
                    self.refused.append(("BatchPushProjects", "RECORD_REJECTED", "first",
                                         str(reply.results[0])))
            if i % 2 == 0:
                self.write("RecordPlagiarismFinding", self.city.feedback.RecordPlagiarismFinding,
                           fb.RecordPlagiarismFindingRequest(
                               finding=harness.finding(fb, code, self.today),
                               request_id=f"rel-plag-{code}"), "finding", code)
            else:
                # Training asks the registry whether the organiser may train (R14.4, R14.5):
                # the training → registry seam under the same faults.
                if self.write("AdmitToDirectory", self.city.registry.AdmitToDirectory,
                              reg.AdmitToDirectoryRequest(
                                  command_id=f"rel-admit-training-{code}",
                                  year=harness.event_date(self.today).year,
                                  level=common.CITY, credit_code=code,
                                  direction=common.TRAINING, source="reliability"),
                              "training admission", code):
                    self.write("CreateEvent", self.inst(code).training.CreateEvent,
                               tn.CreateEventRequest(
                                   event=harness.event(tn, code, self.today),
                                   request_id=f"rel-event-{code}"), "event", code)
            self.write("CreateExpert", self.city.review.CreateExpert,
                       rv.CreateExpertRequest(expert=harness.expert(rv, code),
                                              request_id=f"rel-expert-{code}"), "expert", code)
            self._call("ListDirectoryEntries", self.public.registry.ListDirectoryEntries,
                       reg.ListDirectoryEntriesRequest(year=self.year, page_size=20))
            self._call("GetInstitution", self.city.registry.GetInstitution,
                       reg.GetInstitutionRequest(name=f"institutions/{code}"))
            self._call("ListCalls", self.public.review.ListCalls,
                       rv.ListCallsRequest(year=self.year))
            self._call("ListEvents", self.city.training.ListEvents,
                       tn.ListEventsRequest(page_size=20))
            self._call("GetRound", self.city.evaluation.GetRound,
                       ev.GetRoundRequest(name=self.m["round"]))
            if w == 0 and i % 4 == 0:
                # Evaluation's writes pull from the four other services: the seam under faults.
                self.write("PullMetrics", self.city.evaluation.PullMetrics,
                           ev.PullMetricsRequest(round=self.m["round"]), "metrics pull", i)

    def inst(self, code):
        return self.c.as_("INSTITUTION", sub=f"rel-{code}", code=code)

    def start(self):
        for t in self.workers:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.workers:
            t.join(ACK_BUDGET + 10)


class HealthLog:
    """Samples every process's health every 0.1 s: name → [(time, status)]."""

    def __init__(self, st):
        self.st = st
        self.samples = collections.defaultdict(list)
        self.stop = threading.Event()
        self.channels = {n: harness.health_channel(st.addr(n)) for n in SERVICES + ["gateway"]}
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            for n, ch in self.channels.items():
                probe = "" if n == "gateway" else "readiness"
                self.samples[n].append((time.time(), harness.health_check(ch, probe, 0.3)))
            time.sleep(0.1)

    def lies(self, name, t0, t1):
        """SERVING samples in [t0, t1]: the process said it could serve when it could not."""
        return sum(1 for t, s in self.samples[name] if t0 <= t <= t1 and s == "SERVING")

    def count(self, name, t0, t1):
        return sum(1 for t, _ in self.samples[name] if t0 <= t <= t1)


def gateway_probe(client, mods, svc):
    """A read through the gateway that reaches svc; True when svc answered (any reply that is
    not an outage code: NOT_FOUND is an answer)."""
    import grpc
    city = client.as_("CITY_BUREAU", sub="rel-city", div="330300")
    reg, rv, tr, tn, fb, ev = (mods[k] for k in ("reg", "rv", "tr", "tn", "fb", "ev"))
    calls = {
        "registry": lambda: city.registry.ListInstitutions(reg.ListInstitutionsRequest(),
                                                           timeout=1),
        "review": lambda: city.review.ListCalls(rv.ListCallsRequest(), timeout=1),
        "tracking": lambda: city.tracking.ListEnterprises(tr.ListEnterprisesRequest(), timeout=1),
        "training": lambda: city.training.ListEvents(tn.ListEventsRequest(), timeout=1),
        "feedback": lambda: city.feedback.ListComplaints(fb.ListComplaintsRequest(), timeout=1),
        "evaluation": lambda: city.evaluation.GetRound(ev.GetRoundRequest(name="rounds/1999"),
                                                       timeout=1),
    }
    try:
        calls[svc]()
        return True
    except grpc.RpcError as e:
        return e.code().name not in RETRYABLE


def wait_recovered(client, mods, services):
    start = time.time()
    pending = set(services)
    while pending and time.time() - start < RECOVER_BUDGET:
        pending = {s for s in pending if not gateway_probe(client, mods, s)}
        if pending:
            time.sleep(0.05)
    return None if pending else time.time() - start


class Finisher:
    """Finishes the prepared calls, one at each of FINISH_AT's faults, started just before the
    fault so that FinishCall and review's admission outbox (review → registry) run through it.
    FinishCall has no request id: a retry reads the call first and stops once it is FINISHED."""
    FINISH_AT = ("kill -9 registry", "PostgreSQL restart postgresql", "SIGTERM review")

    def __init__(self, year, preps, load, mods):
        self.y, self.preps, self.load, self.m = year, list(preps), load, mods
        self.y_preps = list(preps)
        self.threads, self.finished, self.refused = [], [], []

    def maybe_start(self, fault):
        if fault in self.FINISH_AT and self.preps:
            prep = self.preps.pop(0)
            t = threading.Thread(target=self.finish, args=(prep, fault), daemon=True)
            t.start()
            self.threads.append(t)

    def finish(self, prep, fault):
        rv = self.m["rv"]
        bureau = self.y.city if prep["division"] == "" else self.y.county(prep["division"])
        name = prep["call"].name
        start = time.time()
        while time.time() - start < ACK_BUDGET:
            call, code = self.load._call("GetCall", bureau.review.GetCall,
                                         rv.GetCallRequest(name=name))
            if code == "OK" and call.state == rv.FINISHED:
                self.finished.append((name, fault))
                return
            if code == "OK":
                _, code = self.load._call("FinishCall", bureau.review.FinishCall,
                                          rv.FinishCallRequest(name=name, version=call.version))
                if code == "OK":
                    self.finished.append((name, fault))
                    return
            if code not in RETRYABLE:
                self.refused.append((name, code))
                return
            time.sleep(0.1 + random.random() * 0.2)
        self.refused.append((name, "not finished in time"))

    def join(self):
        for t in self.threads:
            t.join(ACK_BUDGET + 10)


def prepare_calls(client, st, out):
    """Three calls brought to the end of their public notice on the business clock (a city
    call and two county calls), so that the faults can finish them. Returns (Year, preps)."""
    import year as year_mod
    y = year_mod.Year(client, st.clock(), os.path.join(harness.ROOT, "data"), seed=31,
                      scale=year_mod.Scale(applicants=12), out=out)
    y.register_institutions()
    preps = [y.prepare_city_call(month=3), y.prepare_county_call("330303", month=5),
             y.prepare_county_call("330304", month=7)]
    out(f"reliability: {len(preps)} calls of {y.year} at the end of their notice "
        f"({sum(p['submitted'] for p in preps)} applications)")
    return y, preps


def run_faults(st, cluster, client, mods, hl, load, out, finisher):
    results = []
    plan = [("kill -9", s) for s in SERVICES + ["gateway"]]
    plan += [("PostgreSQL restart", "postgresql")]
    plan += [("SIGTERM", s) for s in SERVICES + ["gateway"]]
    for kind, target in plan:
        time.sleep(2.0)  # steady load between faults
        r = {"fault": f"{kind} {target}", "lies": 0}
        finisher.maybe_start(r["fault"])
        time.sleep(0.05)  # FinishCall on its way when the fault strikes
        with load.lock:
            codes_before = collections.Counter(load.codes)
        if kind == "PostgreSQL restart":
            cluster.stop("fast")
            t_down = time.time()
            time.sleep(PG_DOWN_SECONDS)
            t_up = time.time()
            cluster.start()
            t_started = time.time()
            ready = [harness.wait_ready(hl.channels[s], "readiness", RECOVER_BUDGET)
                     for s in SERVICES]
            r["ready_s"] = None if None in ready else round(max(ready), 2)
            for s in SERVICES:
                r["lies"] += hl.lies(s, t_down + READINESS_GRACE, t_up)
            r["samples"] = sum(hl.count(s, t_down + READINESS_GRACE, t_up) for s in SERVICES)
            rec = wait_recovered(client, mods, SERVICES)
            r["recover_s"] = None if rec is None else round(time.time() - t_started, 2)
        else:
            t_down = time.time()
            if kind == "SIGTERM":
                with load.lock:
                    r["in_flight"] = load.inflight
                st.signal(target, signal.SIGTERM)
                try:
                    rc = st.proc(target).wait(30)
                except Exception:  # noqa: BLE001 — a drain that hangs is a finding
                    rc = "hung"
                r["drain_s"] = round(time.time() - t_down, 2)
                r["exit"] = rc
            else:
                st.kill9(target)
                time.sleep(DOWN_SECONDS)
            t_up = time.time()
            st.respawn(target)
            t_started = time.time()
            probe = "" if target == "gateway" else "readiness"
            ready = harness.wait_ready(hl.channels[target], probe, RECOVER_BUDGET)
            r["ready_s"] = None if ready is None else round(ready, 2)
            # While the process was gone nothing may claim it serves (a stale answer would
            # come from a surviving process on the port: a port clash).
            r["lies"] = hl.lies(target, t_down + 0.05, t_up)
            r["samples"] = hl.count(target, t_down + 0.05, t_up)
            rec = wait_recovered(client, mods, SERVICES if target == "gateway" else [target])
            r["recover_s"] = None if rec is None else round(time.time() - t_started, 2)
        time.sleep(0.5)  # calls in flight at recovery finish and are counted with this fault
        with load.lock:
            delta = load.codes - codes_before
        r["errors"] = ", ".join(f"{k} {v}" for k, v in sorted(delta.items()) if k != "OK") or "0"
        # A drain finishes what it accepted: a CANCELLED reply is an accepted call dropped.
        r["cancelled"] = delta.get("CANCELLED", 0) if kind == "SIGTERM" else 0
        out(f"  {r['fault']:<28} errors {r['errors']}, ready {r['ready_s']}s, recovered through the gateway "
            f"{r['recover_s']}s, health samples while down {r['samples']}, "
            f"SERVING while down {r['lies']}"
            + (f", drained in {r['drain_s']}s exit {r['exit']} with {r['in_flight']} calls in "
               f"flight at the signal, {r['cancelled']} CANCELLED" if 'drain_s' in r else ""))
        results.append(r)
    return results


def admitted_on_applications(load, finisher):
    """Directions read as admitted on the finished calls' applications (through the gateway)."""
    rv = finisher.m["rv"]
    n = 0
    for prep in finisher.y_preps:
        bureau = (finisher.y.city if prep["division"] == ""
                  else finisher.y.county(prep["division"]))
        for app in prep["apps"].values():
            got = bureau.review.GetApplication(rv.GetApplicationRequest(name=app.name))
            n += sum(1 for res in got.results if res.admitted)
    return n


def verify(st, load, out, finisher):
    """Exactly-once checks by SQL. Returns {name: (value, ok)}."""
    checks = {}

    def keys(kind):
        return ",".join(f"'{k}'" for k in load.acked[kind]) or "''"

    # Outbox: wait until every command is delivered (the dispatcher retries after the faults).
    deadline = time.time() + 60
    while time.time() < deadline and st.scalar(
            "SELECT count(*) FROM feedback.outbox WHERE delivered_at IS NULL") > 0:
        time.sleep(0.5)
    n = len(load.acked["institution"])
    inst = st.scalar(f"SELECT count(*) FROM registry.institutions WHERE credit_code IN "
                     f"({keys('institution')})")
    inst_audit = st.query(
        f"SELECT entity_id, count(*) FROM registry.audit_log WHERE entity = 'institution' "
        f"AND entity_id IN ({keys('institution')}) GROUP BY 1 HAVING count(*) <> 1")
    checks["institutions acknowledged"] = (n, True)
    checks["institutions lost"] = (n - inst, inst == n)
    checks["institutions audited other than once"] = (len(inst_audit), not inst_audit)
    a = len(load.acked["admission"])
    rows = st.query(f"SELECT credit_code, count(*) FROM registry.directory_entries WHERE "
                    f"credit_code IN ({keys('admission')}) GROUP BY 1")
    checks["admissions acknowledged"] = (a, True)
    checks["admissions lost"] = (a - len(rows), len(rows) == a)
    dup = st.scalar("SELECT count(*) FROM (SELECT 1 FROM registry.directory_entries GROUP BY "
                    "year, level, division_code, credit_code, direction HAVING count(*) > 1) d")
    checks["admissions duplicated"] = (dup, dup == 0)
    b = len(load.acked["batch"])
    projects = st.scalar(f"SELECT count(*) FROM tracking.projects WHERE institution_credit_code "
                         f"IN ({keys('batch')})")
    checks["project batches acknowledged"] = (b, True)
    checks["projects lost"] = (3 * b - projects, projects == 3 * b)
    f = len(load.acked["finding"])
    findings = st.query("SELECT institution_credit_code, count(*) FROM "
                        "feedback.plagiarism_findings GROUP BY 1")
    found = {k: int(c) for k, c in findings}
    checks["plagiarism findings acknowledged"] = (f, True)
    checks["findings lost"] = (sum(1 for k in load.acked["finding"] if k not in found),
                               all(k in found for k in load.acked["finding"]))
    checks["findings duplicated"] = (sum(1 for c in found.values() if c > 1),
                                     all(c == 1 for c in found.values()))
    orders = st.scalar("SELECT count(*) FROM feedback.sanction_orders")
    outbox = st.scalar("SELECT count(*) FROM feedback.outbox")
    undelivered = st.scalar("SELECT count(*) FROM feedback.outbox WHERE delivered_at IS NULL "
                            "OR failed_at IS NOT NULL")
    checks["outbox commands"] = (outbox, outbox == orders and orders >= f)
    checks["outbox undelivered or failed"] = (undelivered, undelivered == 0)
    sanctions = st.query("SELECT command_id, count(*) FROM registry.sanctions GROUP BY 1")
    by_cmd = {k: int(c) for k, c in sanctions}
    cmds = [r[0] for r in st.query("SELECT command_id FROM feedback.outbox")]
    checks["outbox commands not applied in the registry"] = (
        sum(1 for c in cmds if c not in by_cmd), all(c in by_cmd for c in cmds))
    dup = st.scalar("SELECT count(*) FROM (SELECT 1 FROM registry.sanctions GROUP BY "
                    "credit_code, kind, start_date HAVING count(*) > 1) d")
    checks["sanctions duplicated"] = (dup, dup == 0 and all(c == 1 for c in by_cmd.values()))
    for kind, sql, what in [
            ("expert", "SELECT subject, count(*) FROM review.experts WHERE subject IN ({})",
             "experts"),
            ("event", "SELECT institution_credit_code, count(*) FROM training.events WHERE "
             "institution_credit_code IN ({})", "training events")]:
        acked = load.acked[kind]
        keyed = [f"rel-expert-{k}" if kind == "expert" else k for k in acked]
        rows = st.query(sql.format(",".join(f"'{k}'" for k in keyed) or "''") + " GROUP BY 1")
        got = {k: int(c) for k, c in rows}
        checks[f"{what} acknowledged"] = (len(acked), True)
        checks[f"{what} lost"] = (sum(1 for k in keyed if k not in got),
                                  all(k in got for k in keyed))
        checks[f"{what} duplicated"] = (sum(1 for c in got.values() if c > 1),
                                        all(c == 1 for c in got.values()))
    # Review's admission outbox (review → registry), under the faults.
    deadline = time.time() + 60
    while time.time() < deadline and st.scalar(
            "SELECT count(*) FROM review.outbox WHERE delivered_at IS NULL "
            "AND failed_at IS NULL") > 0:
        time.sleep(0.5)
    adm = st.scalar("SELECT count(*) FROM review.admissions")
    checks["calls finished under a fault"] = (len(finisher.finished),
                                              len(finisher.finished) == 3 and not finisher.refused)
    checks["admissions of those calls (review)"] = (adm, adm > 0)
    waiting = st.scalar("SELECT count(*) FROM review.admissions WHERE enqueued_at IS NULL")
    checks["admissions never enqueued"] = (waiting, waiting == 0)
    pending = st.scalar("SELECT count(*) FROM review.outbox WHERE delivered_at IS NULL "
                        "OR failed_at IS NOT NULL")
    checks["review outbox undelivered or failed"] = (pending, pending == 0)
    # Informational: how hard the deliveries had to try (attempts > 1 = a fault was met).
    retried = st.scalar("SELECT count(*) FROM review.outbox WHERE attempts > 1")
    checks["review outbox commands delivered after a retry"] = (retried, True)
    entry = ("FROM review.admissions a JOIN review.calls c ON c.id = a.call_id "
             "LEFT JOIN registry.directory_entries d ON d.year = c.year AND d.level = c.scope "
             "AND d.division_code = c.division_code AND d.credit_code = a.credit_code "
             "AND d.direction = a.direction")
    missing = st.scalar(f"SELECT count(*) {entry} WHERE d.id IS NULL")
    checks["admissions not in the registry"] = (missing, missing == 0)
    twice = st.scalar(f"SELECT count(*) {entry} WHERE (SELECT count(*) FROM registry.audit_log l "
                      "WHERE l.entity = 'directory_entry' AND l.version = 1 "
                      "AND l.entity_id = 'directoryEntries/' || d.id) <> 1")
    checks["admissions applied other than once"] = (twice, twice == 0)
    shown = admitted_on_applications(load, finisher)
    checks["applications reading admitted"] = (shown, shown == adm)
    pulls = len(load.acked["metrics pull"])
    checks["evaluation metric pulls acknowledged"] = (pulls, pulls > 0)
    checks["calls past their deadline"] = (len(load.overruns), not load.overruns)
    checks["valid writes refused"] = (len(load.refused), not load.refused)
    for name, (value, ok) in checks.items():
        out(f"  {'ok  ' if ok else 'FAIL'} {name}: {value}")
    return checks


def report_md(path, started, elapsed, load, faults, checks, ok):
    codes = ", ".join(f"{k} {v}" for k, v in sorted(load.codes.items(), key=lambda x: -x[1]))
    lines = [
        "Written by `tests/reliability/faults.py` (`tools/zhigai check --faults`) between the",
        "faults markers; do not edit that part by hand. Loopback only: a dedicated PostgreSQL 15 cluster and every service plus the gateway",
        "on free ports. A steady load of "
        f"{len(load.workers)} client threads through the gateway reaches all six services; each",
        "chain: `CreateInstitution` (request id), `AdmitToDirectory` (command id),",
        "`BatchPushProjects` of 3 records (batch id); every second chain `RecordPlagiarismFinding`",
        "(request id; its CANCEL order reaches the registry's `ImposeSanction` through feedback's",
        "outbox), the others a TRAINING admission and a training `CreateEvent` (request id; training",
        "asks the registry whether the organiser may train); review's `CreateExpert` (request id);",
        "reads of registry, review, training and evaluation; one worker's every fourth chain",
        "evaluation's `PullMetrics` (it reads the four other services). Before the load, three calls",
        "(city, two counties) are played on the business clock to the end of their public notice;",
        "`FinishCall` is sent on one just before each of kill -9 registry, the PostgreSQL restart",
        "and SIGTERM review, so review's admission outbox delivers to the registry through them.",
        "A write is retried with the same id",
        f"until acknowledged; every call has a {DEADLINE:.0f} s deadline. SIGTERM is sent to each",
        "service and the gateway with calls in flight; a CANCELLED reply in its window fails the",
        "run (the drain must finish what it accepted).",
        "",
        f"Run of {started} — {elapsed:.0f} s, result: **{'PASS' if ok else 'FAIL'}**.",
        "",
        "## Load",
        "",
        f"- calls: {load.calls}",
        f"- replies by code: {codes}",
        f"- writes abandoned after {ACK_BUDGET:.0f} s of retries (not acknowledged, so not owed): "
        f"{sum(load.abandoned.values())}",
        "",
        "## Faults",
        "",
        "`ready` = seconds from restart to the health probe answering SERVING (readiness for a",
        "service, liveness for the gateway); `recovered` = seconds from restart until a read",
        "through the gateway reached it again; `SERVING while down` counts health samples (every",
        "0.1 s) that claimed SERVING while the process was dead or, for PostgreSQL, while the",
        f"database was down (after a {READINESS_GRACE} s grace: the readiness watch looks every 2 s).",
        "",
        "`errors` = replies other than OK from the start of the fault until 0.5 s after recovery",
        "(each failed write was retried with its id until acknowledged).",
        "",
        "| fault | errors | ready (s) | recovered (s) | health samples while down |"
        " SERVING while down | drain |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in faults:
        drain = (f"{r['drain_s']} s, exit {r['exit']}, {r['in_flight']} in flight, "
                 f"{r['cancelled']} CANCELLED" if "drain_s" in r else "")
        lines.append(f"| {r['fault']} | {r['errors']} | {r['ready_s']} | {r['recover_s']} | {r['samples']} | "
                     f"{r['lies']} | {drain} |")
    lines += ["", "## By service", "",
              "Calls that reached each service through the gateway (retries included), what was",
              "acknowledged, and what the SQL checks below found lost or duplicated.", "",
              "| service | calls | OK | other replies | writes acknowledged | lost | duplicated |"
              " outbox deliveries |",
              "|---|---|---|---|---|---|---|---|"]
    for svc, acked, lost, dup, outbox in BY_SERVICE:
        codes = load.by_service[svc]
        other = ", ".join(f"{k} {v}" for k, v in sorted(codes.items()) if k != "OK") or "0"
        ack = ", ".join(f"{k} {len(load.acked[k])}" for k in acked)
        lines.append(
            f"| {svc} | {sum(codes.values())} | {codes['OK']} | {other} | {ack} | "
            f"{sum(checks[c][0] for c in lost if c in checks)} | "
            f"{sum(checks[c][0] for c in dup if c in checks)} | {outbox(checks)} |")
    lines += ["", "## Afterwards (SQL as the admin)", "", "| check | value | |", "|---|---|---|"]
    for name, (value, good) in checks.items():
        lines.append(f"| {name} | {value} | {'ok' if good else '**FAIL**'} |")
    lines.append("")
    write_between_markers(path, "\n".join(lines))


# service, acknowledged kinds, its "lost" checks, its "duplicated" checks, its outbox figure.
BY_SERVICE = [
    ("registry", ["institution", "admission", "training admission"],
     ["institutions lost", "admissions lost"], ["admissions duplicated", "sanctions duplicated"],
     lambda c: "target of both"),
    ("review", ["expert"], ["experts lost", "admissions not in the registry"],
     ["experts duplicated", "admissions applied other than once"],
     lambda c: f"{c['admissions of those calls (review)'][0]} admissions, "
               f"{c['admissions applied other than once'][0]} not exactly once"),
    ("tracking", ["batch"], ["projects lost"], [], lambda c: ""),
    ("training", ["event"], ["training events lost"], ["training events duplicated"],
     lambda c: ""),
    ("feedback", ["finding"], ["findings lost", "outbox commands not applied in the registry"],
     ["findings duplicated", "sanctions duplicated"],
     lambda c: f"{c['outbox commands'][0]} sanction orders, "
               f"{c['outbox undelivered or failed'][0]} undelivered"),
    ("evaluation", ["metrics pull"], [], [], lambda c: ""),
]

BEGIN, END = "<!-- faults:begin -->", "<!-- faults:end -->"


def write_between_markers(path, block):
    """Replaces only this script's part of the report: the other sections (bad input, fuzzing,
    sanitizers, access) are written by hand or by other tools and must survive a re-run."""
    text = open(path).read() if os.path.exists(path) else "# Reliability figures\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
    else:
        title, _, body = text.partition("\n")
        head, tail = title + "\n\n", "\n" + body
    with open(path, "w") as f:
        f.write(f"{head}{BEGIN}\n{block}{END}{tail}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("ZHIGAI_TEST_BUILD_DIR",
                                                      os.path.join(harness.ROOT, "build")))
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--report", default="")
    args = ap.parse_args()
    out = print
    import zhigai_client
    zhigai_client.load_stubs(os.path.join(args.build, "acceptance-py"))
    from zhigai.common.v1 import common_pb2 as common
    from zhigai.evaluation.v1 import evaluation_pb2 as ev
    from zhigai.feedback.v1 import feedback_pb2 as fb
    from zhigai.registry.v1 import registry_pb2 as reg
    from zhigai.review.v1 import review_pb2 as rv
    from zhigai.tracking.v1 import tracking_pb2 as tr
    from zhigai.training.v1 import training_pb2 as tn
    mods = {"reg": reg, "rv": rv, "tr": tr, "tn": tn, "fb": fb, "ev": ev, "common": common}
    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    t0 = time.time()
    out("reliability: starting a dedicated PostgreSQL cluster and the stack")
    cluster = harness.Cluster()
    st = None
    ok = False
    try:
        cluster.start()
        st = harness.Stack(harness.ROOT, args.build, cluster.admin)
        st.start()
        client = zhigai_client.Client(st.target, zhigai_client.Tokens(st.admin, st.idp))
        # The load's channel must reconnect quickly after the gateway is killed.
        client.channel.close()
        client.channel = harness.health_channel(st.target)
        client.stubs = {k: type(s)(client.channel) for k, s in client.stubs.items()}
        year, preps = prepare_calls(client, st, out)
        ent = harness.credit_code("330302", 9_000_001)
        client.as_("ENTERPRISE", sub="rel-ent", code=ent).tracking.CreateEnterprise(
            tr.CreateEnterpriseRequest(request_id="rel-ent", enterprise=tr.Enterprise(
                credit_code=ent, display_name="温州可靠性测试鞋业有限公司",
                division_code="330302", industry_code="FOOTWEAR", size=tr.SMALL)))
        mods["ent"] = ent
        # The round the load reads and pulls, so that its reads are answers (not NOT_FOUND).
        mods["round"] = client.as_("CITY_BUREAU", sub="rel-city", div="330300") \
            .evaluation.CreateRound(ev.CreateRoundRequest(year=st.clock().today().year,
                                                          request_id="rel-round")).name
        hl = HealthLog(st)
        hl.thread.start()
        load = Load(client, mods, args.workers, st.clock().today())
        load.start()
        out(f"reliability: load of {args.workers} clients running; faults:")
        finisher = Finisher(year, preps, load, mods)
        faults = run_faults(st, cluster, client, mods, hl, load, out, finisher)
        finisher.join()
        time.sleep(2.0)
        load.finish()
        hl.stop.set()
        out(f"reliability: {load.calls} calls; by code: {dict(load.codes)}")
        for m, code, when, detail in load.refused[:10]:
            out(f"  refused {m} {code} ({when}): {detail}")
        for m, s in load.overruns[:10]:
            out(f"  past deadline: {m} {s}s")
        checks = verify(st, load, out, finisher)
        fault_ok = all(r["lies"] == 0 and r["ready_s"] is not None
                       and r["recover_s"] is not None and r.get("exit", 0) == 0
                       and r["cancelled"] == 0 for r in faults)
        ok = fault_ok and all(good for _, good in checks.values()) and load.acked["finding"]
        if args.report:
            report_md(args.report, started, time.time() - t0, load, faults, checks, ok)
            out(f"reliability: figures written to {args.report}")
    except Exception:  # noqa: BLE001 — report, then stop everything
        traceback.print_exc()
        if st:
            for svc in SERVICES + ["gateway"]:
                out(f"--- {svc} log tail\n{st.tail(svc)}")
    finally:
        if st:
            st.close()
        cluster.destroy()
    out(f"reliability: {'PASS' if ok else 'FAIL'} in {time.time() - t0:.0f}s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
