#!/usr/bin/env python3
"""Renders a kustomize tree of k8s/ with `kubectl kustomize` and checks what an ops team relies
on: every Deployment has gRPC probes on the health service, resources, the restricted security
context, a drain-aware grace period, a matching Service, PodDisruptionBudget and NetworkPolicy;
the NetworkPolicies admit exactly the callers DESIGN.md names; settings are ones the binaries
accept; secrets come only from Secrets; each overlay keeps its promises (dev: one replica and a
PostgreSQL StatefulSet; prod: two or more replicas, a gateway HPA, Prometheus annotations).

    check_manifests.py --repo ROOT --tree base|overlays/dev|overlays/prod
    check_manifests.py --repo ROOT --dev-secrets
        run k8s/overlays/dev/create-secrets.sh against a stand-in kubectl and check that it
        creates every Secret key the dev overlay refers to, with matching passwords
    check_manifests.py --repo ROOT --tree T --schemas [--node-modules DIR]
        validate the rendered objects against the Kubernetes OpenAPI schemas (npm package
        kubernetes-models, run by validate_schemas.mjs), unknown fields rejected; exit 77 when
        it is not installed

Exit 77 (ctest SKIP_RETURN_CODE) when kubectl or PyYAML is missing, saying which and why.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

SKIP = 77

# The services and their gRPC ports (metrics = port + 1000).
PORTS = {"gateway": 7100, "registry": 7101, "review": 7102, "tracking": 7103,
         "training": 7104, "feedback": 7105, "evaluation": 7106}
BACKENDS = sorted(p for p in PORTS if p != "gateway")


def upstreams_from_code(repo):
    """{service: the services its code calls}, read from the code itself (issue 22 item 1):
    every peer address a service reads is a `<peer>_addr` setting (config.Get("registry_addr")),
    and the gateway reads one per backend in a loop over their names. So the NetworkPolicies
    are checked against what the code really calls, not against a second hand-written table."""
    out = {}
    for svc in PORTS:
        text = service_sources(repo, svc)
        peers = set(re.findall(r'config(?:->|\.)Get\("(\w+)_addr"\)', text))
        if svc == "gateway":
            loop = re.search(r'for \(const char\* svc : \{([^}]*)\}\)[^;]*?_addr', text, re.S)
            if loop:
                peers |= set(re.findall(r'"(\w+)"', loop.group(1)))
        unknown = peers - set(PORTS)
        if unknown:
            raise SystemExit(f"{svc}: reads addresses of unknown services {sorted(unknown)}")
        out[svc] = peers
    return out


def callers_from_code(repo):
    calls = upstreams_from_code(repo)
    return {b: {svc for svc, peers in calls.items() if b in peers} for b in BACKENDS}


DEFAULT_DRAIN_SECONDS = 10  # libs/server/config.cc


def skip(why):
    print(f"SKIPPED: {why}")
    sys.exit(SKIP)


class Checker:
    def __init__(self):
        self.errors = []
        self.passed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.errors.append(what)
        return ok


# ---------------------------------------------------------------- settings the binaries accept
def service_sources(repo, service):
    files = sorted(glob.glob(os.path.join(repo, "services", service, "*.cc"))
                   + glob.glob(os.path.join(repo, "services", service, "*.h")))
    return "".join(open(f, encoding="utf-8").read() for f in files)


def accepted_settings(repo, service):
    """Setting names a service binary accepts: CommonSettings in libs/server/config.cc (less the
    ones its main.cc filters out with `s.name == "..."`) plus the {"name", "help", ...} entries
    in its own sources. (None, common) while services/<service>/main.cc does not exist yet."""
    spec = re.compile(r'\{\s*"([a-z][a-z0-9_]*)"\s*,\s*(?:"|absl::StrCat)')
    config_cc = open(os.path.join(repo, "libs/server/config.cc"), encoding="utf-8").read()
    body = config_cc[config_cc.index("CommonSettings("):]
    body = body[:body.index("\n}\n")]
    common = set(spec.findall(body))
    if not os.path.exists(os.path.join(repo, "services", service, "main.cc")):
        return None, common
    text = service_sources(repo, service)
    own = set(spec.findall(text))
    if "RunService" in text or "CommonSettings" in text:
        dropped = set(re.findall(r'\.name\s*==\s*"([a-z0-9_]+)"', text))
        return (common - dropped) | own, common
    return own, common


def readiness_service(repo, service):
    """The health service name a readiness probe must ask for: "readiness" for the services on
    libs/server's host; for the gateway, whatever its own sources set."""
    if service != "gateway":
        return "readiness"
    text = service_sources(repo, service)
    return "readiness" if ('"readiness"' in text or "kReadinessService" in text) else ""


# ---------------------------------------------------------------- helpers over rendered objects
def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def find(docs, kind, name):
    for d in docs:
        if d.get("kind") == kind and d["metadata"]["name"] == name:
            return d
    return None


def selects(selector, labels):
    """matchLabels-style selector (dict) against labels; {} selects everything."""
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def label_selector_matches(sel, labels):
    if sel is None:
        return True
    if sel.get("matchExpressions"):
        return False  # not used by zhigai; treat as non-matching so the check stays strict
    return selects(sel.get("matchLabels", {}), labels)


def port_matches(port_list, port, protocol="TCP"):
    if not port_list:
        return True
    for p in port_list:
        if p.get("protocol", "TCP") == protocol and p.get("port") in (port, None):
            return True
    return False


def policies_for(docs, pod_labels, policy_type):
    out = []
    for np in by_kind(docs, "NetworkPolicy"):
        spec = np["spec"]
        types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec else []))
        if policy_type in types and label_selector_matches(spec.get("podSelector", {}), pod_labels):
            out.append(np)
    return out


def ingress_sources(docs, pod_labels, port, workloads):
    """Who may open `port` on pods with `pod_labels`: a set of workload names, plus 'ANY' for a
    rule without `from` and 'OUTSIDE' for namespace or IP-block peers."""
    sources = set()
    for np in policies_for(docs, pod_labels, "Ingress"):
        for rule in np["spec"].get("ingress") or []:
            if not port_matches(rule.get("ports"), port):
                continue
            peers = rule.get("from")
            if not peers:
                sources.add("ANY")
                continue
            for peer in peers:
                if "namespaceSelector" in peer or "ipBlock" in peer:
                    sources.add("OUTSIDE")
                    continue
                for name, labels in workloads.items():
                    if label_selector_matches(peer.get("podSelector"), labels):
                        sources.add(name)
    return sources


def egress_allows(docs, pod_labels, dest_labels, port, protocol="TCP"):
    """dest_labels None = a destination outside the namespace's pods (DNS, external DB)."""
    policies = policies_for(docs, pod_labels, "Egress")
    if not policies:
        return True
    for np in policies:
        for rule in np["spec"].get("egress") or []:
            if not port_matches(rule.get("ports"), port, protocol):
                continue
            peers = rule.get("to")
            if not peers:
                return True
            for peer in peers:
                if dest_labels is None:
                    if "namespaceSelector" in peer or "ipBlock" in peer:
                        return True
                elif "namespaceSelector" not in peer and "ipBlock" not in peer and \
                        label_selector_matches(peer.get("podSelector"), dest_labels):
                    return True
    return False


def pod_spec(workload):
    return workload["spec"]["template"]["spec"]


def check_pod_security(c, kind, name, spec):
    """The restricted Pod Security Standard plus a read-only root filesystem."""
    where = f"{kind} {name}"
    psc = spec.get("securityContext") or {}
    c.check(not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC"),
            f"{where}: uses host namespaces")
    c.check(all("hostPath" not in v for v in spec.get("volumes") or []), f"{where}: hostPath volume")
    c.check(spec.get("automountServiceAccountToken") is False,
            f"{where}: automountServiceAccountToken should be false")
    c.check(spec.get("enableServiceLinks") is False,
            f"{where}: enableServiceLinks should be false (service links add variables to the environment)")
    for ct in (spec.get("initContainers") or []) + spec["containers"]:
        csc = ct.get("securityContext") or {}
        cw = f"{where} container {ct['name']}"
        c.check(csc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True, f"{cw}: runAsNonRoot")
        c.check(csc.get("runAsUser", psc.get("runAsUser", 1)) != 0, f"{cw}: runs as uid 0")
        seccomp = (csc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
        c.check(seccomp == "RuntimeDefault", f"{cw}: seccompProfile RuntimeDefault")
        c.check(csc.get("allowPrivilegeEscalation") is False, f"{cw}: allowPrivilegeEscalation false")
        c.check(csc.get("readOnlyRootFilesystem") is True, f"{cw}: readOnlyRootFilesystem true")
        caps = csc.get("capabilities") or {}
        c.check("ALL" in (caps.get("drop") or []), f"{cw}: capabilities drop ALL")
        c.check(not caps.get("add"), f"{cw}: adds capabilities")
        c.check(not csc.get("privileged"), f"{cw}: privileged")
        res = ct.get("resources") or {}
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                c.check(r in (res.get(part) or {}), f"{cw}: resources.{part}.{r} missing")


def env_of(docs, container):
    """The container's environment as {name: ('literal', value) | ('secret', (name, key)) |
    ('configmap', value)} and the list of problems found resolving it."""
    env, problems = {}, []
    for src in container.get("envFrom") or []:
        if "configMapRef" in src:
            cm = find(docs, "ConfigMap", src["configMapRef"]["name"])
            if cm is None:
                problems.append(f"envFrom ConfigMap {src['configMapRef']['name']} not in the manifests")
                continue
            for k, v in (cm.get("data") or {}).items():
                env[src.get("prefix", "") + k] = ("configmap", v)
        elif "secretRef" in src:
            problems.append("envFrom secretRef: name each secret variable with secretKeyRef instead")
    for e in container.get("env") or []:
        if "value" in e:
            env[e["name"]] = ("literal", e["value"])
        elif "secretKeyRef" in (e.get("valueFrom") or {}):
            ref = e["valueFrom"]["secretKeyRef"]
            env[e["name"]] = ("secret", (ref["name"], ref["key"]))
        elif "configMapKeyRef" in (e.get("valueFrom") or {}):
            env[e["name"]] = ("configmap", None)
        else:
            env[e["name"]] = ("other", None)
    return env, problems


def flag_names(command):
    out = set()
    for a in command[1:]:
        if a.startswith("--"):
            out.add(a[2:].split("=", 1)[0])
    return out


# ---------------------------------------------------------------- the checks
def check_calendar(c, repo, docs, w, spec, ct, env):
    """Issue 21 item 13: the training calendar comes from the ConfigMap training-calendar,
    mounted as a directory (a subPath mount never sees an update), holding exactly the
    repository's data/cn-workdays.tsv, and ZHIGAI_CALENDAR_PATH points at it."""
    vols = {v["name"]: v for v in spec.get("volumes") or []}
    cal = [m for m in ct.get("volumeMounts") or []
           if vols.get(m["name"], {}).get("configMap", {}).get("name") == "training-calendar"]
    c.check(len(cal) == 1, f"{w}: one volumeMount of ConfigMap training-calendar")
    if not cal:
        return
    mount = cal[0]
    c.check("subPath" not in mount, f"{w}: the calendar mount must not use subPath "
            "(its file would never change when the ConfigMap does)")
    c.check(not vols[mount["name"]]["configMap"].get("optional"),
            f"{w}: the calendar ConfigMap must not be optional (the service needs the file)")
    path = env.get("ZHIGAI_CALENDAR_PATH", ("", ""))[1]
    c.check(path == mount["mountPath"].rstrip("/") + "/cn-workdays.tsv",
            f"{w}: ZHIGAI_CALENDAR_PATH ({path!r}) should be the mounted cn-workdays.tsv")
    cm = find(docs, "ConfigMap", "training-calendar")
    c.check(cm is not None, "ConfigMap training-calendar is not in the manifests")
    if cm is not None:
        with open(os.path.join(repo, "data", "cn-workdays.tsv"), encoding="utf-8") as f:
            c.check(cm.get("data", {}).get("cn-workdays.tsv") == f.read(),
                    "ConfigMap training-calendar differs from data/cn-workdays.tsv: copy it to "
                    "k8s/base/calendar/cn-workdays.tsv")


def check_tree(repo, tree, docs):
    c = Checker()
    code_calls = upstreams_from_code(repo)
    expected_callers = callers_from_code(repo)
    overlay = tree.split("/")[-1]
    # prod-cnpg is prod plus PostgreSQL in the cluster: it keeps every promise of prod.
    is_prod = overlay.startswith("prod")
    deployments = {d["metadata"]["name"]: d for d in by_kind(docs, "Deployment")}
    c.check(set(deployments) == set(PORTS),
            f"Deployments {sorted(deployments)} should be exactly {sorted(PORTS)}")
    workloads = {n: d["spec"]["template"]["metadata"]["labels"] for n, d in deployments.items()}
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in by_kind(docs, "HorizontalPodAutoscaler")}

    c.check(not by_kind(docs, "Secret"),
            "the manifests contain Secret objects: secrets are created outside them (k8s/README.md)")
    text = "\n".join(str(d) for d in docs)
    c.check(not re.search(r"password=(?!\$)[^\s'\"]", text), "a literal password= appears in the manifests")
    secretish = re.compile(r"PASSWORD|PROOF|SECRET|TOKEN|CONNINFO|^ZHIGAI_DB$")
    for wl in docs:
        if wl.get("kind") not in ("Deployment", "StatefulSet", "Job", "DaemonSet"):
            continue
        for ct in pod_spec(wl).get("initContainers", []) + pod_spec(wl)["containers"]:
            for e in ct.get("env") or []:
                c.check(not (secretish.search(e["name"]) and "value" in e),
                        f"{wl['kind']} {wl['metadata']['name']}: {e['name']} has a literal value; "
                        "take it from a Secret (secretKeyRef)")
    default_deny = [np for np in by_kind(docs, "NetworkPolicy")
                    if np["spec"].get("podSelector") in ({}, None)
                    and set(np["spec"].get("policyTypes") or []) == {"Ingress", "Egress"}
                    and not np["spec"].get("ingress") and not np["spec"].get("egress")]
    c.check(bool(default_deny), "no default-deny NetworkPolicy (podSelector {} for Ingress and Egress)")

    images, versions = set(), set()
    for name, d in sorted(deployments.items()):
        if name not in PORTS:
            continue
        port, mport = PORTS[name], PORTS[name] + 1000
        w = f"Deployment {name}"
        spec = pod_spec(d)
        labels = workloads[name]
        c.check(selects(d["spec"]["selector"]["matchLabels"], labels), f"{w}: selector does not match its pods")
        check_pod_security(c, "Deployment", name, spec)
        c.check(len(spec["containers"]) == 1, f"{w}: one container expected")
        ct = spec["containers"][0]
        images.add(ct["image"])
        versions.add(d["metadata"].get("labels", {}).get("app.kubernetes.io/version"))
        c.check(ct.get("command", [None])[0] == f"/usr/local/bin/zhigai-{name}",
                f"{w}: command should run /usr/local/bin/zhigai-{name}")
        cports = {p.get("name"): p["containerPort"] for p in ct.get("ports") or []}
        c.check(cports.get("grpc") == port, f"{w}: container port grpc should be {port}")
        c.check(cports.get("metrics") == mport, f"{w}: container port metrics should be {mport}")

        start = ct.get("startupProbe") or {}
        c.check((start.get("grpc") or {}).get("port") == port
                and (start.get("grpc") or {}).get("service", "") == ""
                and start.get("periodSeconds", 10) * start.get("failureThreshold", 3) >= 30,
                f"{w}: startupProbe must be grpc on {port} with service \"\" and allow at least "
                f"30 s, so a slow start (a database that does not answer) is not a restart loop")
        live, ready = ct.get("livenessProbe") or {}, ct.get("readinessProbe") or {}
        c.check("grpc" in live and live["grpc"].get("port") == port and live["grpc"].get("service", "") == "",
                f"{w}: livenessProbe must be grpc on {port} with service \"\" (liveness never depends on the DB)")
        want = readiness_service(repo, name)
        c.check("grpc" in ready and ready["grpc"].get("port") == port
                and ready["grpc"].get("service", "") == want,
                f"{w}: readinessProbe must be grpc on {port} with service \"{want}\"")

        env, problems = env_of(docs, ct)
        for p in problems:
            c.check(False, f"{w}: {p}")
        allowed, common = accepted_settings(repo, name)
        if allowed is None:
            print(f"note: services/{name}/main.cc does not exist yet; checking its settings "
                  "against CommonSettings (libs/server/config.cc)")
            allowed = common
        for var in env:
            if var.startswith("ZHIGAI_"):
                setting = var[len("ZHIGAI_"):].lower()
                c.check(setting in allowed,
                        f"{w}: {var} is not a setting zhigai-{name} accepts (an unknown ZHIGAI_* stops the start)")
        for var, (how, value) in env.items():
            if re.search(r"PASSWORD|PROOF|SECRET|TOKEN|_DB$", var):
                c.check(how == "secret", f"{w}: {var} must come from a Secret (secretKeyRef)")
        c.check(env.get("ZHIGAI_INTERNAL_PROOF", ("",))[0] == "secret",
                f"{w}: ZHIGAI_INTERNAL_PROOF from a Secret")
        if is_prod:
            # A settable business clock is for rehearsals only (issue 20): production decides
            # on the wall clock's dates, so the prod tree may not switch it on, by any route.
            clock = env.get("ZHIGAI_BUSINESS_CLOCK", ("literal", "system"))
            flags = [a for a in (ct.get("command") or []) + (ct.get("args") or [])
                     if a.startswith(("--business_clock", "--business-clock"))]
            c.check(clock == ("literal", "system") or (clock[0] == "configmap"
                                                       and clock[1] == "system"),
                    f"{w}: prod runs the system business clock (ZHIGAI_BUSINESS_CLOCK {clock})")
            c.check(not flags, f"{w}: prod sets no business clock flag ({flags})")
        if name == "training":
            check_calendar(c, repo, docs, w, spec, ct, env)
        if name != "gateway":
            c.check(env.get("ZHIGAI_DB", ("",))[0] == "secret", f"{w}: ZHIGAI_DB from a Secret")
        listen = env.get("ZHIGAI_LISTEN", (None, f"0.0.0.0:{port}"))[1]
        c.check(str(listen).endswith(f":{port}"), f"{w}: ZHIGAI_LISTEN {listen} is not port {port}")
        mlisten = env.get("ZHIGAI_METRICS_LISTEN", (None, f"0.0.0.0:{mport}"))[1]
        c.check(str(mlisten).endswith(f":{mport}"), f"{w}: ZHIGAI_METRICS_LISTEN {mlisten} is not port {mport}")
        callees = sorted(code_calls[name])
        for callee in callees:
            addr = env.get(f"ZHIGAI_{callee.upper()}_ADDR", (None, None))[1]
            c.check(addr == f"{callee}:{PORTS[callee]}",
                    f"{w}: ZHIGAI_{callee.upper()}_ADDR should be {callee}:{PORTS[callee]}, is {addr}")

        drain = int(env.get("ZHIGAI_DRAIN_SECONDS", (None, DEFAULT_DRAIN_SECONDS))[1])
        pre = (((ct.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command") or []
        pre_s = int(pre[1]) if len(pre) == 2 and pre[0].endswith("sleep") else 0
        grace = spec.get("terminationGracePeriodSeconds", 30)
        c.check(grace > drain + pre_s,
                f"{w}: terminationGracePeriodSeconds {grace} must exceed preStop {pre_s}s + drain {drain}s")

        svc = find(docs, "Service", name)
        if c.check(svc is not None, f"{w}: no Service named {name} (callers use that name)"):
            s = svc["spec"]
            c.check(bool(s.get("selector")) and selects(s["selector"], labels),
                    f"Service {name}: selector does not match the Deployment's pods")
            sp = {p.get("name"): p for p in s.get("ports", [])}
            c.check("grpc" in sp and sp["grpc"]["port"] == port
                    and sp["grpc"].get("targetPort") in ("grpc", port),
                    f"Service {name}: port grpc {port} to the container's grpc port")
            if name == "gateway":
                c.check(s.get("type", "ClusterIP") == "ClusterIP", "Service gateway: type ClusterIP")
            else:
                c.check(s.get("clusterIP") == "None",
                        f"Service {name}: headless (clusterIP None) so gRPC callers can balance per call")

        pdbs = [p for p in by_kind(docs, "PodDisruptionBudget")
                if label_selector_matches(p["spec"].get("selector"), labels)]
        if c.check(len(pdbs) == 1, f"{w}: exactly one PodDisruptionBudget should select its pods"):
            min_avail = pdbs[0]["spec"].get("minAvailable")
            replicas = d["spec"].get("replicas", 1)
            c.check(not isinstance(min_avail, int) or min_avail < replicas,
                    f"{w}: PodDisruptionBudget minAvailable {min_avail} blocks every eviction")

        own = [np for np in policies_for(docs, labels, "Ingress") if np["spec"].get("podSelector")]
        c.check(bool(own), f"{w}: no NetworkPolicy selects its pods")
        sources = ingress_sources(docs, labels, port, workloads)
        if name == "gateway":
            c.check("ANY" in sources or "OUTSIDE" in sources,
                    "gateway: its NetworkPolicy must admit external traffic on its gRPC port")
            if "http" in cports:
                hs = ingress_sources(docs, labels, cports["http"], workloads)
                c.check("ANY" in hs or "OUTSIDE" in hs,
                        "gateway: its NetworkPolicy must admit external traffic on its HTTP/JSON port")
                hp = env.get("ZHIGAI_HTTP_LISTEN", (None, "0.0.0.0:7180"))[1]
                c.check(str(hp).endswith(f":{cports['http']}"),
                        f"gateway: ZHIGAI_HTTP_LISTEN {hp} is not the container's http port")
        else:
            c.check(not ({"ANY", "OUTSIDE"} & sources),
                    f"{name}: gRPC port {port} open beyond the namespace's callers: {sorted(sources)}")
            got = sources - {"ANY", "OUTSIDE"}
            c.check(got == expected_callers[name],
                    f"{name}: callers admitted {sorted(got)}, but the code's callers are "
                    f"{sorted(expected_callers[name])}")
        c.check(egress_allows(docs, labels, None, 53, "UDP"), f"{w}: no DNS egress (UDP 53)")
        reaches_db = egress_allows(docs, labels, None, 5432)
        if name == "gateway":
            c.check(not reaches_db, "gateway: may reach PostgreSQL (it has no database)")
        else:
            c.check(reaches_db, f"{w}: no egress to PostgreSQL (5432)")
        for callee in callees:
            c.check(egress_allows(docs, labels, workloads.get(callee, {}), PORTS[callee]),
                    f"{w}: no egress to {callee}:{PORTS[callee]}, which its code calls")
        for other in sorted(set(BACKENDS) - set(callees) - {name}):
            c.check(not egress_allows(docs, labels, workloads.get(other, {}), PORTS[other]),
                    f"{w}: egress to {other}:{PORTS[other]}, which its code never calls")

        if tree != "base":
            if name in hpas:
                h = hpas[name]["spec"]
                c.check("replicas" not in d["spec"],
                        f"{w}: its HPA owns the replica count, the Deployment should not set one")
            if overlay == "dev":
                c.check(d["spec"].get("replicas") == 1, f"{w}: dev runs one replica")
            if is_prod:
                if name in hpas:
                    c.check(hpas[name]["spec"].get("minReplicas", 1) >= 2, f"{w}: HPA minReplicas >= 2")
                else:
                    c.check(d["spec"].get("replicas", 1) >= 2, f"{w}: prod runs at least two replicas")
                ann = d["spec"]["template"]["metadata"].get("annotations") or {}
                c.check(ann.get("prometheus.io/scrape") == "true"
                        and ann.get("prometheus.io/port") == str(mport)
                        and ann.get("prometheus.io/path", "/metrics") == "/metrics",
                        f"{w}: Prometheus scrape annotations for port {mport}")

    # Migration Jobs: one per service that owns a schema, the same image and secret.
    jobs = by_kind(docs, "Job")
    for name in BACKENDS:
        mj = [j for j in jobs if j["spec"]["template"]["metadata"].get("labels", {}).get(
            "app.kubernetes.io/component") == "migration"
            and j["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/name") == name]
        if not c.check(len(mj) == 1, f"{name}: exactly one migration Job expected, found {len(mj)}"):
            continue
        j = mj[0]
        w = f"Job {j['metadata']['name']}"
        spec = pod_spec(j)
        check_pod_security(c, "Job", j["metadata"]["name"], spec)
        ct = spec["containers"][0]
        cmd = ct.get("command") or []
        c.check(cmd[:1] == [f"/usr/local/bin/zhigai-{name}"] and "--migrate_only" in cmd,
                f"{w}: should run zhigai-{name} --migrate_only")
        allowed, common = accepted_settings(repo, name)
        allowed = allowed or common
        c.check(flag_names(cmd) <= allowed, f"{w}: unknown flags {sorted(flag_names(cmd) - allowed)}")
        env, _ = env_of(docs, ct)
        c.check(env.get("ZHIGAI_DB", ("",))[0] == "secret", f"{w}: ZHIGAI_DB from a Secret")
        dep = deployments.get(name)
        if dep is not None:
            denv, _ = env_of(docs, pod_spec(dep)["containers"][0])
            c.check(env.get("ZHIGAI_DB") == denv.get("ZHIGAI_DB"),
                    f"{w}: migrates a different database than Deployment {name}")
            c.check(ct["image"] == pod_spec(dep)["containers"][0]["image"],
                    f"{w}: image differs from Deployment {name}")
        c.check(spec.get("restartPolicy") in ("Never", "OnFailure"), f"{w}: restartPolicy")
        c.check(egress_allows(docs, j["spec"]["template"]["metadata"]["labels"], None, 5432),
                f"{w}: no egress to PostgreSQL")

    for j in jobs:
        if j["metadata"].get("labels", {}).get("zhigai.io/release-named") != "true":
            continue
        if j["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/component") != "migration":
            check_pod_security(c, "Job", j["metadata"]["name"], pod_spec(j))  # migration Jobs: above
        if tree == "base":
            c.check(j["metadata"]["name"].endswith("-release"),
                    f"Job {j['metadata']['name']}: the base names Jobs <...>-release for the overlays to replace")
        else:
            version = j["metadata"].get("labels", {}).get("app.kubernetes.io/version")
            c.check(bool(version) and j["metadata"]["name"].endswith("-" + version),
                    f"Job {j['metadata']['name']}: name should end with the release version {version}")

    if tree != "base":
        c.check(len(images) == 1, f"one image for every Deployment, found {sorted(images)}")
        c.check(len(versions) == 1 and None not in versions,
                f"one app.kubernetes.io/version on every Deployment, found {sorted(map(str, versions))}")
        if len(images) == 1 and len(versions) == 1:
            image, version = next(iter(images)), next(iter(versions))
            c.check(image.endswith(":" + str(version)),
                    f"image {image} and version label {version} disagree: the Jobs would be named after the wrong release")
        for ns in by_kind(docs, "Namespace"):
            c.check(ns["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "restricted",
                    f"Namespace {ns['metadata']['name']}: enforce the restricted Pod Security Standard")
        c.check(bool(by_kind(docs, "Namespace")), f"{tree}: creates its Namespace")

    if overlay == "dev":
        pg = find(docs, "StatefulSet", "postgres")
        if c.check(pg is not None, "dev: a PostgreSQL StatefulSet named postgres"):
            check_pod_security(c, "StatefulSet", "postgres", pod_spec(pg))
            c.check("app.kubernetes.io/version" not in pg["spec"]["template"]["metadata"]["labels"]
                    and all("app.kubernetes.io/version" not in (v["metadata"].get("labels") or {})
                            for v in pg["spec"].get("volumeClaimTemplates", [])),
                    "dev postgres: a release must not relabel the database (restart, immutable "
                    "volumeClaimTemplates)")
            pg_labels = pg["spec"]["template"]["metadata"]["labels"]
            srcs = ingress_sources(docs, pg_labels, 5432, workloads)
            c.check(srcs == set(BACKENDS),
                    f"dev postgres: reachable from {sorted(srcs)}, expected the six backends only")
            env = {e["name"]: e for e in pod_spec(pg)["containers"][0].get("env", [])}
            c.check("secretKeyRef" in (env.get("POSTGRES_PASSWORD", {}).get("valueFrom") or {}),
                    "dev postgres: POSTGRES_PASSWORD from a Secret")
        c.check(find(docs, "Service", "postgres") is not None, "dev: a Service named postgres")
        prov = [j for j in jobs if j["spec"]["template"]["metadata"]["labels"].get(
            "app.kubernetes.io/component") == "provisioning"]
        if c.check(len(prov) == 1, "dev: one provisioning Job"):
            script = " ".join(pod_spec(prov[0])["containers"][0].get("command", []))
            c.check("zhigai-admin provision" in script and all(b in script for b in BACKENDS),
                    "dev: the provisioning Job runs zhigai-admin provision for every service")
    if is_prod:
        c.check(find(docs, "StatefulSet", "postgres") is None, "prod: no in-cluster PostgreSQL")
        c.check("gateway" in hpas, "prod: a HorizontalPodAutoscaler for the gateway")
        ing = by_kind(docs, "Ingress")
        c.check(all(p["backend"]["service"]["name"] == "gateway"
                    for i in ing for r in i["spec"].get("rules", []) for p in r["http"]["paths"]),
                "prod: an Ingress may only lead to the gateway")
        # Issue 22 item 9: TLS ends at the ingress and plain HTTP from outside never reaches
        # the gateway, whose cleartext ports stay inside the cluster.
        for i in ing:
            name = i["metadata"]["name"]
            hosts = {r.get("host") for r in i["spec"].get("rules", [])}
            tls_hosts = {h for t in i["spec"].get("tls", []) for h in t.get("hosts", [])}
            c.check(None not in hosts and hosts <= tls_hosts,
                    f"prod: Ingress {name} serves every host with TLS (hosts {sorted(map(str, hosts))}, "
                    f"TLS for {sorted(tls_hosts)})")
            c.check((i["metadata"].get("annotations") or {}).get(
                        "nginx.ingress.kubernetes.io/force-ssl-redirect") == "true",
                    f"prod: Ingress {name} never passes plain HTTP on (force-ssl-redirect)")
        svc = find(docs, "Service", "gateway")
        c.check(svc is not None and svc["spec"].get("type", "ClusterIP") == "ClusterIP",
                "prod: the gateway's Service is ClusterIP (its cleartext ports not exposed)")
    if overlay == "prod-cnpg":
        check_cloudnative_pg(c, docs)
    return c


# The services whose acknowledged writes must survive a failover (docs/scaling.md §3).
SYNC_REPLICATED = ("registry", "review", "tracking", "feedback")


def check_cloudnative_pg(c, docs):
    """Issue 22 item 8: one CloudNativePG Cluster per service schema, highly available, each
    with WAL archiving, a retention policy and a daily ScheduledBackup; its pods opened by a
    NetworkPolicy under the namespace's default deny."""
    clusters = {d["metadata"]["name"]: d for d in by_kind(docs, "Cluster")}
    scheduled = {d["spec"]["cluster"]["name"] for d in by_kind(docs, "ScheduledBackup")}
    for svc in BACKENDS:
        name = f"pg-{svc}"
        cl = clusters.get(name)
        if not c.check(cl is not None, f"prod-cnpg: no Cluster {name} for {svc}'s schema"):
            continue
        spec = cl["spec"]
        c.check(spec.get("instances", 1) >= 3, f"prod-cnpg: {name} has a primary and two replicas")
        if svc in SYNC_REPLICATED:
            c.check(spec.get("minSyncReplicas", 0) >= 1,
                    f"prod-cnpg: {name} keeps a synchronous replica (minSyncReplicas >= 1)")
        init = spec.get("bootstrap", {}).get("initdb", {})
        c.check(init.get("owner") == f"zhigai_{svc}" and init.get("database") == "zhigai",
                f"prod-cnpg: {name} creates database zhigai owned by zhigai_{svc}")
        store = spec.get("backup", {}).get("barmanObjectStore", {})
        c.check(bool(store.get("destinationPath")) and bool(spec["backup"].get("retentionPolicy")),
                f"prod-cnpg: {name} archives WAL and base backups to object storage, with a "
                "retention policy")
        c.check(name in scheduled, f"prod-cnpg: {name} has a ScheduledBackup")
    opened = [np for np in by_kind(docs, "NetworkPolicy")
              if any(e.get("key") == "cnpg.io/cluster"
                     for e in np["spec"]["podSelector"].get("matchExpressions", []))]
    c.check(any(p.get("port") == 5432 for np in opened for rule in np["spec"].get("ingress", [])
                for p in rule.get("ports", [])),
            "prod-cnpg: a NetworkPolicy admits the services to the PostgreSQL pods on 5432")


def check_recovery(repo, docs):
    """Issue 25 item 6: the point-in-time recovery example builds a new Cluster from the archive
    that prod-cnpg's Cluster of the same service writes (same path), stops at a given time,
    and archives to a path of its own (two Clusters never write one archive)."""
    import datetime
    import yaml
    c = Checker()
    with open(os.path.join(repo, "k8s/overlays/prod-cnpg/clusters.yaml")) as f:
        sources = {d["metadata"]["name"]: d for d in yaml.safe_load_all(f)
                   if d and d["kind"] == "Cluster"}
    clusters = by_kind(docs, "Cluster")
    if not c.check(len(clusters) == 1, f"recovery: one Cluster, found {len(clusters)}"):
        return c
    cl = clusters[0]
    svc = cl["metadata"]["labels"].get("app.kubernetes.io/name")
    c.check(svc in BACKENDS and cl["metadata"]["name"] == f"pg-{svc}-pitr",
            f"recovery: the Cluster is named pg-<service>-pitr for a service ({cl['metadata']['name']})")
    rec = cl["spec"].get("bootstrap", {}).get("recovery", {})
    ext = {e["name"]: e for e in cl["spec"].get("externalClusters", [])}
    source = ext.get(rec.get("source"), {}).get("barmanObjectStore", {})
    archived = sources.get(f"pg-{svc}", {}).get("spec", {}).get("backup", {}).get(
        "barmanObjectStore", {})
    c.check(bool(source) and source.get("destinationPath") == archived.get("destinationPath"),
            f"recovery: the source archive is where pg-{svc} writes "
            f"({source.get('destinationPath')} vs {archived.get('destinationPath')})")
    c.check(rec.get("owner") == f"zhigai_{svc}" and rec.get("database") == "zhigai",
            f"recovery: database zhigai owned by zhigai_{svc}")
    target = rec.get("recoveryTarget", {}).get("targetTime", "")
    try:
        parsed = datetime.datetime.fromisoformat(target)
        c.check(parsed.tzinfo is not None, f"recovery: targetTime {target} has no offset")
    except ValueError:
        c.check(False, f"recovery: targetTime '{target}' is not RFC 3339")
    own = cl["spec"].get("backup", {}).get("barmanObjectStore", {}).get("destinationPath")
    c.check(bool(own) and own != archived.get("destinationPath"),
            "recovery: the recovered Cluster archives to a path of its own")
    return c


STUB_KUBECTL = r"""#!/usr/bin/env bash
# Stand-in kubectl for create-secrets.sh: Secrets are folders under $STUB_STORE.
set -euo pipefail
args=("$@")
[ "${args[0]}" = "-n" ] && args=("${args[@]:2}")
case "${args[0]} ${args[1]}" in
  "get namespace") exit 0;;
  "apply -f") [ "${args[2]:-}" != "-" ] || cat >/dev/null; exit 0;;
  "get secret") [ -d "$STUB_STORE/${args[2]}" ];;
  "create secret")
    name="${args[3]}"; mkdir -p "$STUB_STORE/$name"
    for a in "${args[@]:4}"; do
      kv="${a#--from-file=}"; cp "${kv#*=}" "$STUB_STORE/$name/${kv%%=*}"
    done
    echo "secret/$name created";;
  "create configmap")
    name="${args[2]}"; rm -rf "$STUB_STORE/configmap:$name"; mkdir -p "$STUB_STORE/configmap:$name"
    for a in "${args[@]:3}"; do
      case "$a" in --from-file=*) kv="${a#--from-file=}"; cp "${kv#*=}" "$STUB_STORE/configmap:$name/${kv%%=*}";; esac
    done
    echo "kind: ConfigMap";;
  *) echo "stub kubectl: unexpected $*" >&2; exit 2;;
esac
"""


def secret_refs(docs):
    """(secret, key) pairs the pods need; key None = the whole Secret (volumes)."""
    refs = set()
    for wl in docs:
        if wl.get("kind") not in ("Deployment", "StatefulSet", "Job"):
            continue
        spec = pod_spec(wl)
        for ct in spec.get("initContainers", []) + spec["containers"]:
            for e in ct.get("env") or []:
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref and not ref.get("optional"):
                    refs.add((ref["name"], ref["key"]))
        for v in spec.get("volumes") or []:
            if "secret" in v and not v["secret"].get("optional"):
                refs.add((v["secret"]["secretName"], None))
            for src in (v.get("projected") or {}).get("sources", []):
                if "secret" in src and not src["secret"].get("optional"):
                    for item in src["secret"].get("items") or [{"key": None}]:
                        refs.add((src["secret"]["name"], item["key"]))
    return refs


DEV_JWKS_SAMPLE = '{"keys": [{"kty": "EC", "kid": "dev-check"}]}'


def check_dev_secrets(repo, kubectl, docs):
    import tempfile
    c = Checker()
    with tempfile.TemporaryDirectory() as tmp:
        stub_dir, store = os.path.join(tmp, "bin"), os.path.join(tmp, "store")
        os.makedirs(stub_dir)
        os.makedirs(store)
        with open(os.path.join(stub_dir, "kubectl"), "w") as f:
            f.write(STUB_KUBECTL)
        os.chmod(os.path.join(stub_dir, "kubectl"), 0o755)
        jwks = os.path.join(tmp, "jwks.json")
        with open(jwks, "w") as f:
            f.write(DEV_JWKS_SAMPLE)
        env = dict(os.environ, PATH=stub_dir + os.pathsep + os.environ["PATH"], STUB_STORE=store)
        script = os.path.join(repo, "k8s/overlays/dev/create-secrets.sh")
        # Without a development identity provider it stops and says how to make one.
        missing = subprocess.run(["bash", script], capture_output=True, text=True,
                                 env=dict(env, ZHIGAI_DEV_JWKS=os.path.join(tmp, "none.json")))
        c.check(missing.returncode != 0 and "tools/zhigai token" in missing.stderr,
                "create-secrets.sh without a dev JWKS must stop and name tools/zhigai token: "
                + missing.stderr)
        env["ZHIGAI_DEV_JWKS"] = jwks
        for attempt in (1, 2):
            run = subprocess.run(["bash", script], env=env, capture_output=True, text=True)
            if not c.check(run.returncode == 0, f"create-secrets.sh run {attempt} failed: {run.stderr}"):
                return c
            if attempt == 1:
                first = {n: {k: open(os.path.join(store, n, k)).read() for k in os.listdir(os.path.join(store, n))}
                         for n in os.listdir(store)}
        second = {n: {k: open(os.path.join(store, n, k)).read() for k in os.listdir(os.path.join(store, n))}
                  for n in os.listdir(store)}
        c.check(first == second, "create-secrets.sh changed existing Secrets on a second run")
    for name, key in sorted(secret_refs(docs), key=str):
        c.check(name in first and (key is None or key in first[name]),
                f"the dev overlay needs Secret {name} key {key}; create-secrets.sh does not create it")
    # Issue 22 item 6: the dev gateway reads the development identity provider's JWKS, so
    # tokens of `tools/zhigai token` work there; every ConfigMap a pod needs comes from the
    # overlay or from the script.
    defined = {d["metadata"]["name"] for d in by_kind(docs, "ConfigMap")}
    for d in by_kind(docs, "Deployment"):
        for v in pod_spec(d).get("volumes", []):
            cm = v.get("configMap")
            if cm and not cm.get("optional") and cm["name"] not in defined:
                c.check(f"configmap:{cm['name']}" in first,
                        f"dev: {d['metadata']['name']} needs ConfigMap {cm['name']}; neither the "
                        "overlay nor create-secrets.sh makes it")
    settings = find(docs, "ConfigMap", "gateway-settings")
    c.check(settings is not None and settings["data"].get("ZHIGAI_JWKS_FILE")
            == "/etc/zhigai/gateway/jwks.json",
            "dev: the gateway reads a JWKS (ZHIGAI_JWKS_FILE), so development tokens work")
    files = first.get("configmap:gateway-files", {})
    c.check(files.get("jwks.json") == DEV_JWKS_SAMPLE,
            "dev: gateway-files holds the development identity provider's jwks.json")
    with open(os.path.join(repo, "services/gateway/claims.json"), encoding="utf-8") as f:
        c.check(files.get("claims.json") == f.read(),
                "dev: gateway-files holds the repository's claims.json")
    for svc in BACKENDS:
        sec = first.get(f"{svc}-db", {})
        conninfo, password = sec.get("conninfo", ""), sec.get("password", "")
        c.check(len(password) >= 16, f"{svc}-db: password shorter than 16 characters")
        c.check(f"password={password} " in conninfo + " " and f"user=zhigai_{svc} " in conninfo + " "
                and "host=postgres " in conninfo + " ",
                f"{svc}-db: conninfo should name host postgres, user zhigai_{svc} and the same password")
    c.check(len({first.get(f"{s}-db", {}).get("password") for s in BACKENDS}) == len(BACKENDS),
            "every service needs its own database password")
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--tree", help="base, overlays/dev or overlays/prod")
    ap.add_argument("--kubectl", default=os.environ.get("KUBECTL", "kubectl"))
    ap.add_argument("--schemas", action="store_true")
    ap.add_argument("--dev-secrets", action="store_true")
    ap.add_argument("--node-modules")
    args = ap.parse_args()
    try:
        import yaml  # noqa: F401
    except ImportError:
        skip(f"PyYAML is not importable by {sys.executable}: install Debian's python3-yaml")

    modules = args.node_modules or os.path.join(args.repo, ".zhigai/tools/node_modules")
    if args.schemas and (not shutil.which("node")
                         or not os.path.isdir(os.path.join(modules, "kubernetes-models"))):
        skip(f"the npm package kubernetes-models is not installed in {modules} (or node is "
             f"missing); install with: npm install --prefix {os.path.dirname(modules)} "
             "kubernetes-models@5. kubeconform and kubeval are in neither Debian nor npm")
    kubectl = shutil.which(args.kubectl)
    if kubectl is None:
        skip("kubectl not found: rendering needs kubectl >= 1.27 with kustomize v5 (this machine "
             "image ships v1.32 at /usr/bin/kubectl; Debian's kubernetes-client is 1.20 and too old)")
    if args.dev_secrets:
        args.tree = "overlays/dev"
    path = os.path.join(args.repo, "k8s", args.tree)
    run = subprocess.run([kubectl, "kustomize", path], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"FAILED: kubectl kustomize {path}\n{run.stderr}")
        return 1
    import yaml
    docs = [d for d in yaml.safe_load_all(run.stdout) if d]
    print(f"rendered k8s/{args.tree}: {len(docs)} objects")
    if args.dev_secrets:
        c = check_dev_secrets(args.repo, kubectl, docs)
        for e in c.errors:
            print(f"FAILED: {e}")
        print(f"dev secrets: {c.passed} checks passed, {len(c.errors)} failed")
        return 1 if c.errors else 0
    if args.schemas:
        import json
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "validate_schemas.mjs")
        rc = subprocess.run(["node", script, modules], input=json.dumps(docs), text=True).returncode
        # Control: the strict check must be able to fail. A copy of the first Deployment with a
        # typo'd field (issue 22 item 5) has to be rejected, naming the field.
        import copy
        # A tree without Deployments (the recovery example) gets the typo in its first object.
        deployment = next((d for d in docs if d["kind"] == "Deployment"), None)
        if deployment is not None:
            typo = copy.deepcopy(deployment)
            typo["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
            field = "/containers/0/readinessProbes"
        else:
            typo = copy.deepcopy(docs[0])
            typo["spec"]["bootstrapp"] = {}
            field = "/spec/bootstrapp"
        control = subprocess.run(["node", script, modules], input=json.dumps([typo]), text=True,
                                 capture_output=True)
        if control.returncode == 0 or field not in control.stdout:
            print(f"FAILED: control: a {typo['kind']} with the unknown field {field} passed "
                  f"the strict schema check:\n{control.stdout}")
            return 1
        print(f"control: a typo'd field ({field}) is rejected")
        return rc
    if args.tree.endswith("/recovery"):
        c = check_recovery(args.repo, docs)
    else:
        c = check_tree(args.repo, args.tree, docs)
    for e in c.errors:
        print(f"FAILED: {e}")
    print(f"k8s/{args.tree}: {c.passed} checks passed, {len(c.errors)} failed")
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main())
