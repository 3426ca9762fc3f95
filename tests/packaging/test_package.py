# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The Debian package (packaging/package.cmake, docs/design.md §1 packaging/ and systemd/, §6).

Builds the .deb from the existing build tree (cpack, no rebuild), checks its control data and
contents, runs lintian on it (any E: fails), installs it with dpkg into a throwaway root, runs
the INSTALLED sipdnsd (check, then serving the installed site file on a random loopback port,
queried with dig, stopped by PID with SIGTERM), checks the unit with systemd-analyze (verify
in the throwaway root, security score <= 2.0; skipped without systemd-analyze), and exercises
the maintainer scripts against stub systemd helpers. Nothing here touches the host's dpkg
database, systemd state or /etc.

Environment (set by tests/packaging/CMakeLists.txt): SIPDNS_BUILD_DIR (has CPackConfig.cmake),
SIPDNS_CPACK (cpack), SIPDNS_SOURCE_DIR.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("SIPDNS_SOURCE_DIR")
                          or pathlib.Path(__file__).resolve().parents[2])
BUILD_DIR = pathlib.Path(os.environ.get("SIPDNS_BUILD_DIR") or SOURCE_DIR / "build")
CPACK = os.environ.get("SIPDNS_CPACK") or shutil.which("cpack") or "cpack"

PACKAGE = "sipdns"
DOMAIN = "scsnetwork.local"
UNIT = "lib/systemd/system/sipdnsd.service"
SITE = "etc/sipdns/site.yaml"
BINARY = "usr/sbin/sipdnsd"

# Every path the package must install (directories end with "/").
EXPECTED_FILES = {
    BINARY,
    UNIT,
    SITE,
    "usr/share/man/man8/sipdnsd.8.gz",
    "usr/share/man/man5/sipdns-site.yaml.5.gz",
    "usr/share/doc/sipdns/copyright",
    "usr/share/doc/sipdns/changelog.gz",
    "usr/share/doc/sipdns/examples/scs-single.yaml",
    "usr/share/doc/sipdns/examples/scs-ha.yaml",
    "usr/share/doc/sipdns/examples/lab.yaml",
    "usr/share/doc/sipdns/examples/sipdnsd-xdp.conf",
}
# Runtime libraries the daemon links (docs/design.md §1): each must be a dependency.
EXPECTED_DEPENDS = ["libc6", "libstdc++6", "libldns3", "libyaml-cpp0.7", "libspdlog1.10",
                    "libfmt9", "libsystemd0", "libxdp1", "libbpf1"]

START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def run(args, *, check=True, timeout=120, **kwargs) -> subprocess.CompletedProcess:
    """Run a command with a bound; on failure the assertion shows its output."""
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                       **kwargs)
    if check:
        assert p.returncode == 0, (f"{' '.join(map(str, args))} exited {p.returncode}\n"
                                   f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def require(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.fail(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    return path


# ---------------------------------------------------------------------------------------------
# Fixtures: the package, and the package installed into a throwaway root


@pytest.fixture(scope="module")
def deb(tmp_path_factory) -> pathlib.Path:
    config = BUILD_DIR / "CPackConfig.cmake"
    assert config.is_file(), f"{config} is missing: configure and build first (scripts/build.sh)"
    out = tmp_path_factory.mktemp("cpack")
    run([CPACK, "-G", "DEB", "--config", config, "-B", out], timeout=240)
    debs = sorted(out.glob("*.deb"))
    assert len(debs) == 1, f"cpack made {debs}"
    return debs[0]


def control_field(deb: pathlib.Path, field: str) -> str:
    return run(["dpkg-deb", "--field", deb, field]).stdout.strip()


def dpkg_root(root: pathlib.Path, *args) -> subprocess.CompletedProcess:
    """dpkg acting on the database in `root` only. The dependencies are the host's libraries
    (not registered in that empty database), and the maintainer scripts run outside the root
    (it has no shell) with DPKG_ROOT set, where they do nothing."""
    return run(["dpkg", f"--root={root}", "--force-depends", "--force-not-root",
                "--force-script-chrootless", "--log=/dev/null", *args])


def make_dpkg_root(root: pathlib.Path) -> pathlib.Path:
    for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "var/lib/dpkg/status").touch()
    return root


@pytest.fixture(scope="module")
def root(deb, tmp_path_factory) -> pathlib.Path:
    """The package installed (dpkg -i) into an empty root with its own dpkg database."""
    require("dpkg")
    r = make_dpkg_root(tmp_path_factory.mktemp("root"))
    dpkg_root(r, "--install", deb)
    return r


def dpkg_query(root: pathlib.Path, fmt: str) -> str:
    return run(["dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W", "-f", fmt, PACKAGE],
               check=False).stdout


# ---------------------------------------------------------------------------------------------
# The .deb itself


def changelog_version(text: str) -> str:
    m = re.match(r"^sipdns \(([^)]+)\) \S+; urgency=\w+$", text.splitlines()[0])
    assert m, f"changelog's first line is not a Debian changelog entry: {text.splitlines()[0]}"
    return m.group(1)


def test_control_fields(deb):
    version = control_field(deb, "Version")
    assert control_field(deb, "Package") == PACKAGE
    assert deb.name == f"{PACKAGE}_{version}_{control_field(deb, 'Architecture')}.deb"
    assert control_field(deb, "Section") == "net"
    assert control_field(deb, "Priority") == "optional"
    assert control_field(deb, "Maintainer") == "The sipdns authors <maintainers@sipdns.dev>"
    assert control_field(deb, "Homepage") == "https://sipdns.dev"
    description = control_field(deb, "Description").splitlines()
    assert description[0] == "authoritative SIP-aware DNS server"
    assert len(description) > 3, "the package needs an extended description"
    # The Debian changelog (shipped as changelog.gz) names the same version.
    changelog = (SOURCE_DIR / "packaging/debian/changelog").read_text()
    assert changelog_version(changelog) == version, \
        "packaging/debian/changelog needs an entry for the project version"


def test_depends_are_the_linked_libraries(deb):
    depends = [d.strip() for d in control_field(deb, "Depends").split(",")]
    names = [re.split(r"[\s(]", d, maxsplit=1)[0] for d in depends]
    for lib in EXPECTED_DEPENDS:
        assert any(n == lib or n.startswith(lib + "-") for n in names), \
            f"Depends lacks {lib}: {depends}"
    # The binary runs here against this host's libraries, so every dependency is installed
    # here, as a package or as a virtual package that one provides (libspdlog1.10-fmt9).
    installed = set()
    for line in run(["dpkg-query", "-W", "-f",
                     "${db:Status-Status}\t${Package}\t${Provides}\n"]).stdout.splitlines():
        status, package, provides = (line.split("\t") + ["", ""])[:3]
        if status == "installed":
            installed.add(package)
            installed.update(re.split(r"\s*\([^)]*\)\s*|\s*,\s*", provides))
    missing = [n for n in names if n not in installed]
    assert not missing, f"dependencies not installed on this host: {missing}"


def test_contents_owners_and_modes(deb):
    listing = run(["dpkg-deb", "--contents", deb]).stdout.splitlines()
    entries = {}
    for line in listing:
        mode, owner, _size, _date, _time, path = line.split(None, 5)
        entries[path.removeprefix("./")] = (mode, owner)
    files = {p for p, (m, _) in entries.items() if not m.startswith("d")}
    assert EXPECTED_FILES <= files, f"missing: {sorted(EXPECTED_FILES - files)}"
    assert all(p.startswith(("usr/", "etc/sipdns/", "lib/systemd/system/")) for p in files), \
        sorted(files)
    for path, (mode, owner) in entries.items():
        assert owner == "root/root", f"{path} is owned by {owner}"
        if mode.startswith("d"):
            assert mode == "drwxr-xr-x", f"{path}: {mode}"
        elif path == BINARY:
            assert mode == "-rwxr-xr-x", f"{path}: {mode}"
        else:
            assert mode == "-rw-r--r--", f"{path}: {mode}"


def test_conffiles_and_maintainer_scripts(deb, tmp_path):
    control = tmp_path / "control"
    run(["dpkg-deb", "--control", deb, control])
    assert (control / "conffiles").read_text().split() == ["/" + SITE]
    assert (control / "conffiles").stat().st_mode & 0o777 == 0o644
    for script in ("postinst", "prerm", "postrm"):
        path = control / script
        assert path.stat().st_mode & 0o777 == 0o755, script
        assert path.read_text().startswith("#!/bin/sh\n"), script
        run(["sh", "-n", path])
    info = run(["dpkg-deb", "--info", deb]).stdout
    assert "conffiles" in info


def test_binary_is_stripped(root):
    sections = run(["readelf", "-S", "-W", root / BINARY]).stdout
    for unwanted in (".symtab", ".debug_info", ".comment"):
        assert f" {unwanted} " not in sections, f"{BINARY} still has {unwanted}"


@pytest.mark.parametrize("path", ["usr/share/man/man8/sipdnsd.8.gz",
                                  "usr/share/man/man5/sipdns-site.yaml.5.gz",
                                  "usr/share/doc/sipdns/changelog.gz"])
def test_compressed_docs_are_reproducible_gzip(root, path):
    data = (root / path).read_bytes()
    assert data[:2] == b"\x1f\x8b", f"{path} is not gzip"
    assert not data[3] & 0x08, f"{path}: gzip header carries a file name (gzip -n)"
    assert data[4:8] == b"\0\0\0\0", f"{path}: gzip header carries a time stamp (gzip -n)"
    text = gzip.decompress(data).decode()
    if path.endswith(".gz") and "/man/" in path:
        # A man page: comment lines (the SPDX header), then its title line.
        first = next(line for line in text.splitlines() if not line.startswith('.\\"'))
        assert first.startswith(".TH "), first


def test_changelog_parses(root, tmp_path, deb):
    plain = tmp_path / "changelog"
    plain.write_bytes(gzip.decompress((root / "usr/share/doc/sipdns/changelog.gz").read_bytes()))
    if shutil.which("dpkg-parsechangelog"):
        fields = run(["dpkg-parsechangelog", "-l", plain]).stdout
        assert re.search(r"^Version: (.+)$", fields, re.M).group(1) == \
            control_field(deb, "Version")


def test_copyright_is_machine_readable_and_bsd_3_clause(root):
    """DEP-5 (copyright-format 1.0): every file is the sipdns authors', under the BSD-3-Clause
    terms of the top-level LICENSE, word for word."""
    text = (root / "usr/share/doc/sipdns/copyright").read_text()
    assert text.startswith(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
    assert re.search(r"^Files: \*$", text, re.M)
    assert re.search(r"^Copyright: 2026 The sipdns authors$", text, re.M)
    assert re.findall(r"^License: (.*)$", text, re.M) == ["BSD-3-clause", "BSD-3-clause"]
    # The stand-alone License paragraph's text (" ." is an empty line) is LICENSE's, from its
    # first condition on.
    paragraph = text[text.rindex("\nLicense: BSD-3-clause\n"):].splitlines()[2:]
    shipped = [line[1:] if line != " ." else "" for line in paragraph]
    license_text = (SOURCE_DIR / "LICENSE").read_text().splitlines()
    assert "Copyright (c) 2026 The sipdns authors" in license_text
    start = license_text.index(shipped[0])
    assert license_text[start:] == shipped


def test_lintian_reports_no_errors(deb):
    lintian = require("lintian")
    p = run([lintian, "--display-level", ">=pedantic", deb], check=False, timeout=240)
    report = [line for line in (p.stdout + p.stderr).splitlines()
              if re.match(r"^[EWIPX]: ", line)]
    print("lintian:\n" + ("\n".join(report) or "(no tags)"))
    errors = [line for line in report if line.startswith("E: ")]
    assert not errors, "lintian errors:\n" + "\n".join(errors)
    assert p.returncode == 0, f"lintian exited {p.returncode}:\n{p.stdout}\n{p.stderr}"


# ---------------------------------------------------------------------------------------------
# Installed into a throwaway root


def test_installed_with_dpkg(root):
    assert dpkg_query(root, "${db:Status-Abbrev}").strip() == "ii"
    conffiles = dpkg_query(root, "${Conffiles}").split()
    assert conffiles[0] == "/" + SITE
    assert conffiles[1] == hashlib.md5((root / SITE).read_bytes()).hexdigest()
    for path in EXPECTED_FILES:
        assert (root / path).is_file(), path
    # The site file is the single-server example of the guide, commented for the installer.
    site = (root / SITE).read_text()
    assert re.search(rf"^domain: {re.escape(DOMAIN)}$", site, re.M)
    assert site.count("\n#") > 10


def test_installed_check(root):
    p = run([root / BINARY, "check", root / SITE])
    assert f"SIP domain: {DOMAIN}" in p.stdout, p.stdout
    for example in sorted((root / "usr/share/doc/sipdns/examples").glob("*.yaml")):
        run([root / BINARY, "check", example])


def free_loopback_port(tries: int = 50) -> int:
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(tries):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free loopback port")


def dig(port: int, qname: str, qtype: str, *extra: str) -> str:
    return run([require("dig"), "@127.0.0.1", "-p", port, "+norec", "+time=2", "+tries=1",
                *extra, qname, qtype], check=False, timeout=15).stdout


def test_installed_daemon_serves_installed_site(root, tmp_path):
    port = free_loopback_port()
    log = tmp_path / "sipdnsd.log"
    with open(log, "w") as err:
        # Its serials go to a state directory of the test, not the host's /var/lib/sipdns.
        proc = subprocess.Popen([root / BINARY, "--config", root / SITE,
                                 "--listen", f"127.0.0.1:{port}", "--threads", "2"],
                                stdout=subprocess.DEVNULL, stderr=err,
                                env={**os.environ, "STATE_DIRECTORY": str(tmp_path / "state")})
    try:
        soa = ""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert proc.poll() is None, \
                f"sipdnsd exited {proc.returncode}:\n{log.read_text()}"
            soa = dig(port, DOMAIN, "SOA")
            if "status: NOERROR" in soa:
                break
            time.sleep(0.2)
        assert "status: NOERROR" in soa, f"no SOA answer in {START_TIMEOUT}s:\n{soa}\n" \
                                         f"{log.read_text()}"
        assert re.search(r"^;; flags: qr aa;", soa, re.M), soa
        assert re.search(rf"^{re.escape(DOMAIN)}\.\s+1800\s+IN\s+SOA\s+scs1\.{re.escape(DOMAIN)}"
                         rf"\. hostmaster\.{re.escape(DOMAIN)}\. \d+ 3600 600 604800 300$",
                         soa, re.M), soa

        for transport in ([], ["+tcp"]):
            srv = dig(port, f"_sip._udp.{DOMAIN}", "SRV", *transport)
            assert "status: NOERROR" in srv, srv
            assert re.search(rf"^_sip\._udp\.{re.escape(DOMAIN)}\.\s+1800\s+IN\s+SRV\s+"
                             rf"1 0 5060 scs1\.{re.escape(DOMAIN)}\.$", srv, re.M), srv
            assert re.search(rf"^scs1\.{re.escape(DOMAIN)}\.\s+1800\s+IN\s+A\s+192\.0\.2\.11$",
                             srv, re.M), srv
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # by PID: only the process started here
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)
            pytest.fail(f"sipdnsd did not stop {STOP_TIMEOUT}s after SIGTERM")
    assert rc == 0, f"sipdnsd exited {rc} after SIGTERM:\n{log.read_text()}"


# ---------------------------------------------------------------------------------------------
# The systemd unit, as installed


def systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if not path:
        pytest.skip("systemd-analyze is not installed")
    return path


def test_unit_security_score(root):
    exe = systemd_analyze()
    p = run([exe, "security", "--offline=true", "--no-pager", root / UNIT], check=False)
    if "--offline" in p.stderr and "unrecognized" in p.stderr:
        pytest.skip("systemd-analyze has no --offline (systemd < 250)")
    m = re.search(r"Overall exposure level for sipdnsd\.service: (\d+\.\d+) (\w+)", p.stdout)
    assert m, f"no exposure level:\n{p.stdout}\n{p.stderr}"
    print(m.group(0))
    assert float(m.group(1)) <= 2.0 and m.group(2) == "OK", p.stdout


@pytest.mark.parametrize("xdp_drop_in", [False, True], ids=["unit", "unit_with_xdp_drop_in"])
def test_unit_verifies_in_installed_root(deb, tmp_path, xdp_drop_in):
    """systemd-analyze verify --root: the unit as installed, with its binary at ExecStart=, its
    man: references resolvable from the installed man pages, and this host's unit files for
    the targets it is ordered against (sysinit.target etc.). With the server.xdp drop-in the
    package ships as an example, installed where sipdnsd(8) says to put it: it must verify too,
    and give what the AF_XDP path needs (capabilities, AF_XDP, bpf(2))."""
    exe = systemd_analyze()
    vroot = tmp_path / "verify-root"
    unit_dir = vroot / "lib/systemd/system"
    shutil.copytree("/lib/systemd/system", unit_dir, symlinks=True)
    run(["dpkg-deb", "-x", deb, vroot])  # after the host's units: ours wins
    if xdp_drop_in:
        drop_in = vroot / "etc/systemd/system/sipdnsd.service.d/xdp.conf"
        drop_in.parent.mkdir(parents=True)
        text = (vroot / "usr/share/doc/sipdns/examples/sipdnsd-xdp.conf").read_text()
        drop_in.write_text(text)
        for needed in ("CAP_NET_ADMIN", "CAP_BPF", "CAP_NET_RAW", "AF_XDP", "bpf"):
            assert re.search(rf"\b{needed}\b", text), f"the drop-in lacks {needed}"
    # Programs the unit runs from outside the package, if any, come from this host.
    unit = (unit_dir / "sipdnsd.service").read_text()
    for prog in set(re.findall(r"^Exec\w+=[-@:+!]*(/\S+)", unit, re.M)):
        if not (vroot / prog.lstrip("/")).exists():
            assert os.access(prog, os.X_OK), f"the unit runs {prog}, which is not installed"
            (vroot / prog.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(prog, vroot / prog.lstrip("/"))
    args = [exe, "verify", f"--root={vroot}"]
    env = dict(os.environ, MANPATH=str(vroot / "usr/share/man"))
    if not shutil.which("man"):
        args.append("--man=no")  # nothing to resolve man: references with
        print("man is not installed: Documentation=man: references not checked")
    p = run([*args, "sipdnsd.service"], check=False, env=env, timeout=60)
    ours = [line for line in (p.stdout + p.stderr).splitlines() if "sipdnsd" in line]
    assert p.returncode == 0 and not ours, \
        f"systemd-analyze verify exited {p.returncode}:\n{p.stdout}\n{p.stderr}"


# ---------------------------------------------------------------------------------------------
# Maintainer scripts and the package's life cycle


def test_maintainer_scripts_with_stub_helpers(deb, tmp_path):
    """The scripts never enable or start the service, and only call the systemd helpers that
    exist; run here with stubs first on PATH, so the host's systemd state is never touched."""
    control = tmp_path / "control"
    run(["dpkg-deb", "--control", deb, control])
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    calls = tmp_path / "calls"
    for tool in ("deb-systemd-helper", "deb-systemd-invoke", "systemctl"):
        (stubs / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{calls}"\n')
        (stubs / tool).chmod(0o755)
    systemd_running = os.path.isdir("/run/systemd/system")

    def script(name, *args, dpkg_root=None):
        calls.write_text("")
        env = {"PATH": f"{stubs}:/usr/sbin:/usr/bin:/sbin:/bin"}
        if dpkg_root is not None:
            env["DPKG_ROOT"] = dpkg_root
        run([control / name, *args], env=env)
        return calls.read_text().splitlines()

    fresh = script("postinst", "configure", "")
    assert "deb-systemd-helper unmask sipdnsd.service" in fresh
    assert "deb-systemd-helper update-state sipdnsd.service" in fresh
    assert not [c for c in fresh if "enable" in c or "deb-systemd-invoke" in c], fresh
    upgrade = script("postinst", "configure", "0.0.1")
    assert ("deb-systemd-invoke try-restart sipdnsd.service" in upgrade) == systemd_running
    assert ("deb-systemd-invoke stop sipdnsd.service" in script("prerm", "remove")) \
        == systemd_running
    assert script("prerm", "upgrade", "0.1.1") == []
    assert "deb-systemd-helper mask sipdnsd.service" in script("postrm", "remove")
    purge = script("postrm", "purge")
    assert purge[-2:] == ["deb-systemd-helper purge sipdnsd.service",
                          "deb-systemd-helper unmask sipdnsd.service"], purge
    for name, args in (("postinst", ["configure", ""]), ("prerm", ["remove"]),
                       ("postrm", ["purge"])):
        assert script(name, *args, dpkg_root="/some/root") == [], name


def test_remove_keeps_conffile_and_purge_removes_it(deb, tmp_path):
    r = make_dpkg_root(tmp_path / "root")
    dpkg_root(r, "--install", deb)
    (r / SITE).write_text((r / SITE).read_text() + "# edited by the admin\n")
    dpkg_root(r, "--install", deb)  # reinstall: the admin's edit stays
    assert (r / SITE).read_text().endswith("# edited by the admin\n")
    dpkg_root(r, "--remove", PACKAGE)
    assert not (r / BINARY).exists() and not (r / UNIT).exists()
    assert (r / SITE).is_file(), "remove must keep the conffile"
    dpkg_root(r, "--purge", PACKAGE)
    assert not (r / SITE).exists() and not (r / "etc/sipdns").exists()
    assert dpkg_query(r, "${db:Status-Abbrev}").strip() == ""
