"""What the reliability suites share: a dedicated PostgreSQL cluster (the fault suite restarts
it, so it must never be the shared test cluster), a Stack that remembers how each process was
started (so one can be killed and started again), a raw grpc.health.v1 probe that needs no
generated health stubs, psql queries as the admin, and the writes the load and the bad-input
test make (valid by construction, so that a refusal means the input under test was refused)."""
import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "acceptance"))
import stack as stack_mod  # noqa: E402
from child_env import child_env  # noqa: E402
from typed import D, HM  # noqa: E402
from credit_codes import credit_code  # noqa: E402,F401 (harness.credit_code for the tests)

PG_BIN = "/usr/lib/postgresql/15/bin"


def _as_pg(cmd):
    """PostgreSQL refuses root: run its tools as 'postgres' when we are root."""
    return (["runuser", "-u", "postgres", "--"] + cmd) if os.getuid() == 0 else cmd


class Cluster:
    """A throw-away PostgreSQL 15 cluster on a free loopback port; stop()/start() keep it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="zhigai-rel-pg-")
        os.chmod(self.dir, 0o755)
        self.data, self.sock = os.path.join(self.dir, "data"), os.path.join(self.dir, "run")
        os.makedirs(self.sock)
        self.port = stack_mod.free_port()
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.sock, "postgres")
        subprocess.run(_as_pg([f"{PG_BIN}/initdb", "-D", self.data, "-U", "zhigai_admin",
                               "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                               "--locale=C.UTF-8"]), check=True, stdout=subprocess.DEVNULL)
        self.admin = f"host={self.sock} port={self.port} user=zhigai_admin"

    def start(self):
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories={self.sock} -c max_connections=300 -c fsync=off "
                "-c synchronous_commit=on -c full_page_writes=off")
        subprocess.run(_as_pg([f"{PG_BIN}/pg_ctl", "-D", self.data, "-l",
                               os.path.join(self.data, "server.log"), "-o", opts, "-w", "-t",
                               "60", "start"]), check=True, stdout=subprocess.DEVNULL,
                       env=child_env())

    def stop(self, mode="fast"):
        subprocess.run(_as_pg([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def destroy(self):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class Stack(stack_mod.Stack):
    """stack.Stack that keeps each process's binary and environment, to restart it."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.spec = {}

    def _spawn(self, name, binary, env):
        self.spec[name] = (binary, env)
        super()._spawn(name, binary, env)

    def proc(self, name):
        return [p for n, p in self.procs if n == name][-1]

    def signal(self, name, sig):
        self.proc(name).send_signal(sig)

    def kill9(self, name):
        p = self.proc(name)
        p.send_signal(signal.SIGKILL)
        p.wait(10)

    def respawn(self, name):
        self.procs = [(n, p) for n, p in self.procs if n != name or p.poll() is None]
        binary, env = self.spec[name]
        super()._spawn(name, binary, env)

    def addr(self, name):
        return f"127.0.0.1:{self.ports[name]}"

    def query(self, sql):
        """Rows of one query as the admin on the stack's database (tab-separated text). The SQL
        goes on stdin: the key lists of a long run exceed one argument's size limit."""
        kv = stack_mod._pg_kv(self.pg_admin)
        r = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                            "-h", kv.get("host", ""), "-p", kv.get("port", "5432"), "-U",
                            kv.get("user", "postgres"), "-d", self.db, "-f", "-"],
                           input=sql, check=True, capture_output=True, text=True)
        return [line.split("\t") for line in r.stdout.splitlines() if line]

    def scalar(self, sql):
        rows = self.query(sql)
        return int(rows[0][0]) if rows else 0


def health_channel(addr):
    import grpc
    # Short reconnect backoff: the probe must see a restarted process within a tenth of a
    # second, not after gRPC's default back-off of up to two minutes.
    return grpc.insecure_channel(addr, options=[("grpc.initial_reconnect_backoff_ms", 100),
                                                ("grpc.min_reconnect_backoff_ms", 100),
                                                ("grpc.max_reconnect_backoff_ms", 300)])


def health_check(channel, service, timeout=0.5):
    """'SERVING', 'NOT_SERVING', 'UNKNOWN', 'SERVICE_UNKNOWN' or 'UNREACHABLE'. The request and
    reply are encoded by hand (HealthCheckRequest{service} / HealthCheckResponse{status})."""
    import grpc
    name = service.encode()
    req = (b"\x0a" + bytes([len(name)]) + name) if name else b""
    fn = channel.unary_unary("/grpc.health.v1.Health/Check")
    try:
        reply = fn(req, timeout=timeout)
    except grpc.RpcError as e:
        return "SERVICE_UNKNOWN" if e.code() == grpc.StatusCode.NOT_FOUND else "UNREACHABLE"
    status = reply[1] if len(reply) >= 2 and reply[0] == 0x08 else 0
    return {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING"}.get(status, "UNKNOWN")


def wait_ready(channel, service, seconds):
    """Seconds until SERVING, or None."""
    start = time.time()
    while time.time() - start < seconds:
        if health_check(channel, service) == "SERVING":
            return time.time() - start
        time.sleep(0.05)
    return None


# ---- valid writes (the load and the bad-input baseline) -------------------------------------

def institution(reg, common, code, division="330302"):
    return reg.Institution(
        credit_code=code, display_name=f"温州可靠性测试{code[-6:]}智能科技有限公司",
        legal_form=reg.INDEPENDENT_LEGAL_PERSON, founded_date=D("2012-03-15"),
        registered_address=common.Address(province="浙江省", city="温州市",
                                           division_code=division, street="1号"),
        ownership=reg.PRIVATE, previous_year_revenue_fen=500_000_000,
        directions=[common.CONSULTING, common.TRAINING],
        contact=common.Person(name="王经理", phone="13900000001"),
        staff_resident_in_wenzhou=20, products_and_strengths="智能工厂诊断与数字化车间方案",
        key_industry_codes=["ELECTRICAL", "FOOTWEAR"])


def project(tr, common, project_id, inst, ent, today):
    """A valid record declared three days before `today` (the stack's business date)."""
    decl = today - datetime.timedelta(days=3)
    return tr.ProjectRecord(
        project_id=project_id, revision=1, institution_credit_code=inst,
        enterprise_credit_code=ent, kind=common.DIAGNOSIS, declaration_date=D(decl.isoformat()),
        city_outcome=tr.OUTCOME_APPROVED, city_outcome_date=D(decl.isoformat()),
        county_outcome=tr.OUTCOME_APPROVED, county_outcome_date=D(decl.isoformat()),
        subsidy_fen=30_000_00)


def event_date(today):
    """Three weeks ahead: the organiser must be in that date's year's directory (R14.4)."""
    return today + datetime.timedelta(days=21)


def event(tn, inst, today):
    """A valid training plan three weeks ahead (R13.1–R13.3 met; filing is not part of it)."""
    date = event_date(today)
    return tn.Event(
        institution_credit_code=inst, title="电气行业智能化技改培训（可靠性测试）",
        type=tn.TRAINING, date=D(date.isoformat()), start_time=HM("09:00"), end_time=HM("12:00"),
        venue="温州市可靠性测试会议中心", division_code="330302", industry_codes=["ELECTRICAL"],
        expected_audience=80, fee_fen=0, plan_document=f"plan-{inst}",
        agenda_document=f"agenda-{inst}", slides_documents=[f"slides-{inst}"])


def expert(rv, inst):
    """An expert of the city's pool, one per load chain (subject unique)."""
    return rv.Expert(display_name="可靠性测试专家", subject=f"rel-expert-{inst}",
                     fields=["智能制造"], phone="13700000001")


def finding(fb, inst, today):
    return fb.PlagiarismFinding(institution_credit_code=inst,
                                finding_date=D(today.isoformat()),
                                description="诊断报告抄袭他人成果（可靠性测试）",
                                evidence_document_ids=["doc-reliability-1"])
