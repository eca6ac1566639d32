#!/usr/bin/env python3
"""deploy/Dockerfile must build the way the tests and CI build (tools/zhigai), since no
container engine runs here to try it:

    check_dockerfile.py --repo ROOT agree [--build-dir DIR]
        the build stage installs exactly tools/zhigai's DEBIAN_PACKAGES (the Dockerfile's own
        extraction command is run and compared with this script's parse of tools/zhigai), runs
        `tools/zhigai build` after a Release configure that tools/zhigai's build() keeps; the
        runtime stage is debian:12-slim with a numeric non-root user and data/ baked in; and,
        when binaries are built in DIR, every shared library they link comes from a package
        the runtime stage installs (readelf NEEDED -> ldconfig -> dpkg -S).
    check_dockerfile.py --repo ROOT lint [--node-modules DIR]
        dockerfile-utils (npm) finds nothing to report. Exit 77 when it is not installed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

SKIP = 77
# Packages debian:12-slim already has (Priority: required/important), so the runtime stage
# need not name them.
SLIM_BASE = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}


class Checker:
    def __init__(self):
        self.errors, self.passed = [], 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.errors.append(what)
        return ok


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- tools/zhigai
def bash_array(script, name):
    m = re.search(r"^%s=\((.*?)^\)" % re.escape(name), script, re.S | re.M)
    if not m:
        m = re.search(r"^%s=\(([^)]*)\)" % re.escape(name), script, re.M)
    if not m:
        return None
    body = re.sub(r"#.*", "", m.group(1))
    return body.split()


def build_function(script):
    m = re.search(r"^build\(\) \{\n(.*?)^\}", script, re.S | re.M)
    return m.group(1) if m else ""


# ---------------------------------------------------------------- Dockerfile
def instructions(text):
    """[(stage_index, INSTRUCTION, arguments)] with continuation lines joined."""
    out, stage, buf = [], -1, ""
    for line in text.splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        word, _, rest = buf.partition(" ")
        word = word.upper()
        if word == "FROM":
            stage += 1
        out.append((stage, word, rest.strip()))
        buf = ""
    return out


def stages(instrs):
    names = {}
    for stage, word, rest in instrs:
        if word == "FROM":
            parts = rest.split()
            names[stage] = (parts[0], parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None)
    return names


def run_lines(instrs, stage):
    return [rest for s, w, rest in instrs if s == stage and w == "RUN"]


def apt_packages(run_line):
    """Package names after `apt-get install` options in one RUN line (up to the next &&)."""
    m = re.search(r"apt-get install (.*?)(?:&&|$)", run_line)
    if not m:
        return None
    return [w for w in m.group(1).split() if not w.startswith("-") and "=" not in w
            and not w.startswith('"$')]


def agree(repo, build_dir):
    c = Checker()
    script = read(os.path.join(repo, "tools/zhigai"))
    dockerfile = read(os.path.join(repo, "deploy/Dockerfile"))
    instrs = instructions(dockerfile)
    st = stages(instrs)

    packages = bash_array(script, "DEBIAN_PACKAGES")
    c.check(bool(packages), "tools/zhigai: DEBIAN_PACKAGES not found")
    packages = packages or []

    build_stage = next((i for i, (img, name) in st.items() if name == "build"), None)
    runtime_stage = max(st) if st else None
    c.check(build_stage is not None and st[build_stage][0] == "debian:12",
            "the build stage must be `FROM debian:12 AS build` (the tested platform)")
    c.check(runtime_stage is not None and runtime_stage != build_stage
            and st[runtime_stage][0] == "debian:12-slim",
            "the last stage must be FROM debian:12-slim")
    if build_stage is None or runtime_stage is None:
        return c

    # 1. Build packages: the Dockerfile reads the list out of tools/zhigai (or names it).
    runs = run_lines(instrs, build_stage)
    install = [r for r in runs if "apt-get install" in r]
    if c.check(len(install) == 1, "the build stage should install packages in exactly one RUN"):
        line = install[0]
        m = re.search(r'eval "\$\((.*?)\)"', line)
        if m:
            c.check('"${DEBIAN_PACKAGES[@]}"' in line,
                    "the build stage extracts DEBIAN_PACKAGES but does not install \"${DEBIAN_PACKAGES[@]}\"")
            got = subprocess.run(
                ["bash", "-c", m.group(0) + '; printf "%s\\n" "${DEBIAN_PACKAGES[@]}"'],
                cwd=repo, capture_output=True, text=True)
            extracted = got.stdout.split()
            c.check(got.returncode == 0 and extracted == packages,
                    f"the Dockerfile's extraction yields {extracted}, tools/zhigai lists {packages}")
        else:
            named = apt_packages(line) or []
            c.check(sorted(named) == sorted(packages),
                    f"build packages differ from tools/zhigai: only in Dockerfile "
                    f"{sorted(set(named) - set(packages))}, only in tools/zhigai "
                    f"{sorted(set(packages) - set(named))}")
        for flag in re.findall(r"apt-get install[^\n]*?(--no-install-recommends)", script):
            c.check(flag in line, f"tools/zhigai installs with {flag}; the Dockerfile should too")

    # 2. The build: Release configure into tools/zhigai's build folder, then `tools/zhigai build`.
    fn = build_function(script)
    m = re.search(r'cmake -S "\$ROOT" -B "\$BUILD" -G (\S+) -DCMAKE_BUILD_TYPE=', fn)
    c.check(m is not None, "tools/zhigai build(): configure command not found (cmake -S \"$ROOT\" "
            "-B \"$BUILD\" -G ... -DCMAKE_BUILD_TYPE=...): update this test and the Dockerfile together")
    generator = m.group(1) if m else "Ninja"
    c.check('if [ ! -f "$BUILD/build.ninja" ]' in fn,
            "tools/zhigai build() no longer skips configure when build/build.ninja exists: the "
            "Dockerfile's Release configure would be overridden")
    c.check(re.search(r'^BUILD="\$\{ZHIGAI_TOOL_BUILD_DIR:-\$ROOT/build\}"', script, re.M) is not None,
            "tools/zhigai's default build folder is no longer $ROOT/build")
    c.check(re.search(r"^\s*build\) shift; ensure_packages; build", script, re.M) is not None,
            "tools/zhigai has no `build` command that runs ensure_packages and build()")
    build_runs = [r for r in runs if "tools/zhigai build" in r]
    if c.check(len(build_runs) == 1, "the build stage must run `tools/zhigai build` once"):
        line = build_runs[0]
        cfg = re.search(r"cmake -S \. -B build -G (\S+) -DCMAKE_BUILD_TYPE=(\S+)", line)
        c.check(cfg is not None and cfg.group(1) == generator and cfg.group(2) == "Release",
                f"the build stage should configure `cmake -S . -B build -G {generator} "
                f"-DCMAKE_BUILD_TYPE=Release` before `tools/zhigai build`")
        c.check(cfg is not None and line.index("cmake -S") < line.index("tools/zhigai build"),
                "configure must come before `tools/zhigai build`")
    workdir = [rest for s, w, rest in instrs if s == build_stage and w == "WORKDIR"]
    c.check(workdir[-1:] == ["/src"] if workdir else False, "the build stage works in /src")

    # 3. The runtime stage.
    rt = [(w, rest) for s, w, rest in instrs if s == runtime_stage]
    users = [rest for w, rest in rt if w == "USER"]
    c.check(bool(users) and re.fullmatch(r"[1-9][0-9]*(:[0-9]+)?", users[-1]) is not None,
            "the runtime stage must end as a numeric non-root USER (runAsNonRoot checks the uid)")
    c.check(any(w == "COPY" and re.match(r"data/ +/usr/share/zhigai/data/?$", rest) for w, rest in rt),
            "the runtime stage must bake data/ into /usr/share/zhigai/data")
    c.check(("WORKDIR", "/usr/share/zhigai") in rt,
            "the runtime WORKDIR should be /usr/share/zhigai, so the default --data_dir=data works")
    env_lines = [rest for s, w, rest in instrs if w == "ENV"]
    c.check(not any("ZHIGAI_" in e for e in env_lines),
            "the Dockerfile must not set ZHIGAI_* variables (binaries refuse settings they do not take)")
    rt_runs = [rest for w, rest in rt if w == "RUN" and "apt-get install" in rest]
    runtime_pkgs = set()
    for r in rt_runs:
        runtime_pkgs |= set(apt_packages(r) or [])
    c.check(bool(runtime_pkgs), "the runtime stage installs no packages")
    c.check(not [p for p in runtime_pkgs if p.endswith("-dev") or p in packages],
            f"the runtime stage installs build packages: "
            f"{sorted(p for p in runtime_pkgs if p.endswith('-dev') or p in packages)}")
    c.check(all("--no-install-recommends" in r for r in rt_runs),
            "the runtime stage should install with --no-install-recommends")
    gateway_main = os.path.join(repo, "services/gateway/main.cc")
    if os.path.exists(gateway_main):
        # The policy file the gateway loads by default (a path in the repository) must be
        # installed into the image.
        m = re.search(r'"policy_file",[^}]*?std::string\("([^"]+)"\)', read(gateway_main), re.S)
        policy = m.group(1) if m else "services/gateway/policy.txt"
        c.check(f"install -D -m 0644 {policy} /out/share/gateway/policy.txt" in dockerfile,
                f"the image must carry the gateway's policy file ({policy})")
        base_gateway = os.path.join(repo, "k8s/base/gateway.yaml")
        if os.path.exists(base_gateway):
            c.check("ZHIGAI_POLICY_FILE: /usr/share/zhigai/gateway/policy.txt" in read(base_gateway),
                    "k8s/base/gateway.yaml should point ZHIGAI_POLICY_FILE at the image's policy file")

    # 4. Runtime libraries against the built binaries, where they exist.
    binaries = []
    if build_dir and os.path.isdir(build_dir):
        for root, _, files in os.walk(os.path.join(build_dir, "services")):
            binaries += [os.path.join(root, f) for f in files
                         if re.fullmatch(r"zhigai-[a-z]+", f) and os.access(os.path.join(root, f), os.X_OK)]
        admin = os.path.join(build_dir, "tools/admin/zhigai-admin")
        if os.path.exists(admin):
            binaries.append(admin)
    tools = all(shutil.which(t) for t in ("readelf", "ldconfig", "dpkg"))

    def sanitized(binary):
        dyn = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True).stdout
        return re.search(r"\[lib(asan|ubsan|tsan)\.so", dyn) is not None

    # A sanitizer build (tools/zhigai test --sanitize / --tsan) is never shipped: its link
    # lines differ from the image's Release build, so they say nothing about the image.
    if binaries and tools and any(sanitized(b) for b in binaries):
        print("note: runtime libraries not checked: the binaries are a sanitizer build")
        binaries = []
    if not binaries or not tools:
        print(f"note: runtime libraries not checked against binaries "
              f"({'no binaries built in ' + str(build_dir) if not binaries else 'readelf/ldconfig/dpkg missing'})")
    else:
        cache = {}
        for line in subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout.splitlines():
            if " => " not in line:
                continue
            left, path = line.strip().split(" => ", 1)
            name = left.split()[0]
            if "x86-64" in left or "aarch64" in left:
                cache[name] = path  # the 64-bit entry wins over a 32-bit one of the same name
            else:
                cache.setdefault(name, path)
        for b in sorted(binaries):
            dyn = subprocess.run(["readelf", "-d", b], capture_output=True, text=True).stdout
            for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn):
                path = cache.get(lib)
                if not c.check(path is not None, f"{b}: {lib} not found by ldconfig"):
                    continue
                owner = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True)
                if owner.returncode != 0:
                    owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
                pkg = owner.stdout.split(":")[0].strip()
                c.check(pkg in runtime_pkgs or pkg in SLIM_BASE,
                        f"{os.path.basename(b)} links {lib} from package {pkg or '?'}, which the "
                        f"runtime stage does not install")
        print(f"checked the shared libraries of {len(binaries)} binaries")
    return c


def lint(repo, modules):
    tool = os.path.join(modules, ".bin", "dockerfile-utils")
    if not os.path.exists(tool) or not shutil.which("node"):
        print(f"SKIPPED: dockerfile-utils (npm) is not installed in {modules}; install with\n"
              f"  npm install --prefix {os.path.dirname(modules)} dockerfile-utils@0.16\n"
              "(hadolint is in neither Debian nor npm; dockerfile-utils is the linter behind the "
              "editors' Dockerfile language server)")
        return SKIP
    run = subprocess.run([tool, "lint", os.path.join(repo, "deploy/Dockerfile")],
                         capture_output=True, text=True)
    report = (run.stdout + run.stderr).strip()
    if run.returncode != 0 or report:
        print(f"FAILED: dockerfile-utils lint deploy/Dockerfile\n{report}")
        return 1
    print("dockerfile-utils lint deploy/Dockerfile: no problems")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--build-dir")
    ap.add_argument("--node-modules")
    ap.add_argument("mode", choices=["agree", "lint"])
    args = ap.parse_args()
    if args.mode == "lint":
        modules = args.node_modules or os.path.join(args.repo, ".zhigai/tools/node_modules")
        return lint(args.repo, modules)
    c = agree(args.repo, args.build_dir)
    for e in c.errors:
        print(f"FAILED: {e}")
    print(f"deploy/Dockerfile against tools/zhigai: {c.passed} checks passed, {len(c.errors)} failed")
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main())
