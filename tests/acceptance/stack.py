"""Starts the whole zhigai stack for a test: a fresh database on the given PostgreSQL, each
service schema provisioned with zhigai-admin, every service binary on free ports, and the
gateway with a development JWKS made for the run. The services run a settable business clock
(clock() moves it; never set, it follows the wall clock), so a test plays whatever year it
chooses whatever the date. Everything is stopped by close()."""
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time

from child_env import child_env

SERVICES = ["registry", "review", "tracking", "training", "feedback", "evaluation"]


_handed_out = set()


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port():
    """A port to listen on, from below the kernel's ephemeral range. A port that bind(0) hands
    out lies inside that range, where every outgoing connection of a busy test run (gRPC
    channels, PostgreSQL clients) also takes its local port: one of them can take it before
    the service binds it (seen in CI: "cannot serve metrics ... binding to port"). Below the
    range only listeners live. Each process draws from its own slice (by pid) so that stacks
    started side by side by ctest -j rarely meet, and never hands out a port twice."""
    low, high = 10000, _ephemeral_low() - 1
    slots = max(1, (high - low) // 64)
    base = low + (os.getpid() % slots) * 64
    candidates = list(range(base, min(base + 64, high))) + list(range(low, high))
    for port in candidates:
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port below the ephemeral range")


def _pg_kv(conninfo):
    return dict(kv.split("=", 1) for kv in conninfo.split())


class Stack:
    def __init__(self, root, build_dir, pg_admin, binaries=None):
        self.root, self.build, self.pg_admin = root, build_dir, pg_admin
        self.bin = binaries or {}
        self.procs, self.ports = [], {}
        self.dir = tempfile.mkdtemp(prefix="zhigai-acceptance-")
        self.admin = os.path.join(build_dir, "tools", "admin", "zhigai-admin")
        self.db = "zhigai_acc_" + secrets.token_hex(4)
        self.logs = os.path.join(self.dir, "logs")
        os.makedirs(self.logs)

    def binary(self, svc):
        return self.bin.get(svc) or os.path.join(self.build, "services", svc, "zhigai-" + svc)

    def _psql(self, sql):
        kv = _pg_kv(self.pg_admin)
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", kv.get("host", ""),
               "-p", kv.get("port", "5432"), "-U", kv.get("user", "postgres"), "-d", "postgres",
               "-c", sql]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=child_env())

    def start(self):
        self._psql(f"CREATE DATABASE {self.db}")
        proof = secrets.token_hex(16)
        passwords = {}
        self.passwords = passwords   # access_test connects as each service's own role
        for svc in SERVICES:
            passwords[svc] = secrets.token_hex(12)
            subprocess.run([self.admin, "provision", "--admin",
                            f"{self.pg_admin} dbname={self.db}", "--service", svc,
                            "--password", passwords[svc], "--role", self.role(svc),
                            "--business-clock"],
                           check=True, stdout=subprocess.DEVNULL, env=child_env())
        for svc in SERVICES + ["gateway"]:
            self.ports[svc] = free_port()
        http_port = free_port()
        self.http = f"127.0.0.1:{http_port}"
        subprocess.run([self.admin, "dev-idp-init", "--dir", os.path.join(self.dir, "idp")],
                       check=True, stdout=subprocess.DEVNULL, env=child_env())
        kv = _pg_kv(self.pg_admin)
        # Services connect over TCP when the admin connection uses a socket folder: the
        # provisioned roles have passwords, so both work with the default pg_hba.
        host = kv.get("host", "127.0.0.1")
        addrs = {f"ZHIGAI_{s.upper()}_ADDR": f"127.0.0.1:{self.ports[s]}" for s in SERVICES}
        base = {k: v for k, v in os.environ.items() if not k.startswith("ZHIGAI_")}
        base.update(addrs)
        base["ZHIGAI_INTERNAL_PROOF"] = proof
        for svc in SERVICES:
            env = dict(base)
            env.update({
                "ZHIGAI_DB": f"host={host} port={kv.get('port', '5432')} dbname={self.db} "
                             f"user={self.role(svc)} password={passwords[svc]}",
                "ZHIGAI_DATA_DIR": os.path.join(self.root, "data"),
                "ZHIGAI_LISTEN": f"127.0.0.1:{self.ports[svc]}",
                "ZHIGAI_METRICS_LISTEN": f"127.0.0.1:{free_port()}",
                "ZHIGAI_BUSINESS_CLOCK": "settable",
            })
            self._spawn(svc, self.binary(svc), env)
        env = dict(base)
        env.update({
            "ZHIGAI_LISTEN": f"127.0.0.1:{self.ports['gateway']}",
            "ZHIGAI_HTTP_LISTEN": self.http,
            "ZHIGAI_METRICS_LISTEN": f"127.0.0.1:{free_port()}",
            "ZHIGAI_POLICY_FILE": os.path.join(self.root, "services/gateway/policy.txt"),
            "ZHIGAI_CLAIMS_MAPPING_FILE": os.path.join(self.root, "services/gateway/claims.json"),
            "ZHIGAI_JWKS_FILE": os.path.join(self.dir, "idp", "jwks.json"),
            # One client plays every role here: the per-role limits are not under test.
            "ZHIGAI_RATE_LIMITS": "*=100000/100000",
        })
        self._spawn("gateway", self.binary("gateway"), env)
        for svc in SERVICES + ["gateway"]:
            probe = [] if svc == "gateway" else ["readiness"]
            r = subprocess.run([self.admin, "health", f"127.0.0.1:{self.ports[svc]}", *probe,
                                "--wait", "60"], capture_output=True, text=True,
                               env=child_env())
            if r.returncode != 0:
                raise RuntimeError(f"{svc} did not become ready: {r.stderr.strip()}\n"
                                   + self.tail(svc))
        self.target = f"127.0.0.1:{self.ports['gateway']}"
        self.idp = os.path.join(self.dir, "idp")
        return self

    def role(self, svc):
        """Roles are cluster-wide: each stack names its own, so stacks sharing a cluster (the
        e2e tests run side by side) never change each other's passwords or race to create
        the same role."""
        return f"{self.db}_{svc}"

    def service_conninfo(self, svc):
        """Conninfo of the service's own database role (what the service itself connects as)."""
        kv = _pg_kv(self.pg_admin)
        return (f"host={kv.get('host', '127.0.0.1')} port={kv.get('port', '5432')} "
                f"dbname={self.db} user={self.role(svc)} password={self.passwords[svc]}")

    def admin_conninfo(self):
        return f"{self.pg_admin} dbname={self.db}"

    def clock(self):
        """The stack's business clock (business_clock.BusinessClock)."""
        import business_clock
        return business_clock.BusinessClock(self.admin, self.admin_conninfo(),
                                            followers=len(SERVICES))

    def _spawn(self, name, binary, env):
        log = open(os.path.join(self.logs, name + ".log"), "ab")
        p = subprocess.Popen([binary], env=child_env(env), stdout=log, stderr=subprocess.STDOUT,
                             cwd=self.root, start_new_session=True)
        self.procs.append((name, p))

    def tail(self, name, lines=15):
        try:
            with open(os.path.join(self.logs, name + ".log"), errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def close(self):
        for _, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.time() + 20
        for _, p in self.procs:
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []
        try:
            self._psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
            for svc in SERVICES:
                self._psql(f"DROP ROLE IF EXISTS {self.role(svc)}")
        except Exception:  # noqa: BLE001 — best effort at the end of a run
            pass
