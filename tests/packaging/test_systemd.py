# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The Debian package under a real systemd: the steps of docs/guide/install.md
("Installing on a PBX host").

A minimal Debian 12 root (debootstrap, cached in the build tree) gets the .deb built from this
tree (cpack, then dpkg -i inside the root, offline) and boots with systemd as its PID 1
(systemd-nspawn -b --private-network: the container's only network is its own loopback, so
nothing it serves or asks leaves it). Inside, as an installer would:
- the package leaves the service disabled and stopped (the site file is to be edited first);
- `systemctl enable --now sipdnsd`: Type=notify reaches "active" with the STATUS= text, the
  daemon runs as a dynamic user with CAP_NET_BIND_SERVICE only, on port 53 of 127.0.0.1 and ::1,
  and dig gets the site's SRV, A and PTR answers;
- `systemctl reload` (ExecReload=`sipdnsd reload`, over the control socket in the unit's
  RuntimeDirectory=) after an edit serves the edit when it returns; after a broken edit it
  fails, keeps serving the last good zone, the journal has the file:line:col error and
  `sipdnsd status` shows it;
- `systemctl restart` with a broken file fails in ExecStartPre (`sipdnsd check`) with the error
  in the journal; fixed, it starts, with the serial it served before (the unit's
  StateDirectory=sipdns keeps it); `systemctl stop` ends with status 0.

Each case starts from the state it needs (the `fresh` and `running` fixtures: the unit stopped,
disabled and reset, the site file and state directory as installed, the journal read from that
point on), so one failure is one failure. One container serves them all; what the package left
behind is recorded at boot, before any case runs.

Needs root, systemd-nspawn (systemd-container), debootstrap and a Debian mirror for the first
run (SIPDNS_DEBIAN_MIRROR, default: the host's own). Skipped, with the reason, when the machine
cannot reach the mirror, cannot run a container, cannot boot one, or the booted container's
loopback stays down (no CAP_NET_ADMIN for its systemd): none of those says anything about the
package. A failure after that is a failure. Nothing of the host's systemd, dpkg or /etc
is touched: the container is stopped by the PID this test started.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import re
import shutil
import signal
import subprocess
import time
import urllib.request

import pytest

# `deb` is test_package's fixture (the .deb cpack makes from this build tree), imported to be
# used here too.
from test_package import BUILD_DIR, DOMAIN, deb, run  # noqa: F401

SUITE = "bookworm"
# What the root needs besides the package's own dependencies: systemd as init, and dig.
BASE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "bind9-dnsutils"]
BOOT_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
CAP_NET_BIND_SERVICE = 1 << 10  # capability(7) number 10

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="debootstrap and systemd-nspawn need root")


def host_mirror() -> str:
    """The Debian mirror the host's apt uses (so CI needs no other), else deb.debian.org."""
    if os.environ.get("SIPDNS_DEBIAN_MIRROR"):
        return os.environ["SIPDNS_DEBIAN_MIRROR"]
    sources = pathlib.Path("/etc/apt/sources.list.d/debian.sources")
    if sources.is_file():
        m = re.search(r"^URIs:\s*(\S+/debian)\s*$", sources.read_text(), re.M)
        if m:
            return m.group(1)
    lst = pathlib.Path("/etc/apt/sources.list")
    if lst.is_file():
        m = re.search(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+/debian)\s+" + SUITE + r"\s", lst.read_text(),
                      re.M)
        if m:
            return m.group(1)
    return "http://deb.debian.org/debian"


def depends_of(deb: pathlib.Path) -> list[str]:
    """Real package names for the .deb's Depends (versions and alternatives dropped). A virtual
    name (libspdlog1.10-fmt9) becomes the host's package that provides it, since debootstrap
    resolves no virtual packages; the host has them all (it built the package)."""
    field = run(["dpkg-deb", "--field", deb, "Depends"]).stdout
    names = {part.split("|")[0].split("(")[0].strip() for part in field.split(",")}
    provider = {}
    listing = run(["dpkg-query", "-W", "-f", "${Package}\t${Provides}\n"]).stdout
    for line in listing.splitlines():
        package, _, provides = line.partition("\t")
        package = package.split(":")[0]
        provider[package] = package
        for virtual in provides.split(","):
            if virtual.strip():
                provider.setdefault(virtual.split("(")[0].strip(), package)
    return sorted(provider.get(name, name) for name in names)


@pytest.fixture(scope="module")
def base_root(deb) -> pathlib.Path:
    """A minbase Debian root with systemd, dig and the package's dependencies. Cached in the
    build tree by the list of packages, so only the first run downloads."""
    for tool in ("debootstrap", "systemd-nspawn", "unshare", "nsenter"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    packages = sorted(set(BASE_PACKAGES) | set(depends_of(deb)))
    key = hashlib.sha256(" ".join([SUITE, *packages]).encode()).hexdigest()[:12]
    root = BUILD_DIR / "tests" / "packaging" / f"debian-root-{key}"
    if (root / ".complete").is_file():
        return root
    mirror = host_mirror()
    try:
        urllib.request.urlopen(f"{mirror}/dists/{SUITE}/Release", timeout=20).close()
    except OSError as e:
        pytest.skip(f"the Debian mirror {mirror} cannot be reached from here: {e}")
    command = ["debootstrap", "--variant=minbase", "--include=" + ",".join(packages), SUITE,
               str(root), mirror]
    for attempt in (1, 2):
        shutil.rmtree(root, ignore_errors=True)
        done = run(command, check=False, timeout=900)
        if done.returncode == 0:
            (root / ".complete").write_text(" ".join(packages) + "\n")
            return root
        # A package that Debian does not have is ours to fix (the Depends); anything else
        # (a download cut off, a mirror in sync) is the network's: tried twice, then skipped.
        assert "Couldn't find these debs" not in done.stdout, done.stdout[-3000:]
    pytest.skip(f"debootstrap from {mirror} failed twice:\n{done.stdout[-1500:]}{done.stderr[-500:]}")


def nspawn(root: pathlib.Path, *args: str) -> list[str]:
    """systemd-nspawn for a host whose /run is not a tmpfs and whose PID 1 is not systemd: in a
    mount namespace of its own, with a tmpfs where nspawn keeps its propagation directory, not
    registered with machined and kept in the caller's scope (there is no system bus)."""
    script = ("mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn && "
              'exec systemd-nspawn -q --register=no --keep-unit --private-network -D "$0" "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(root),
            *args]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


class BootFailure(Exception):
    """The container's systemd did not come up: the machine's doing, not the package's (the
    unit is disabled at boot, so nothing of ours runs before the tests start it)."""


class Container:
    def __init__(self, root: pathlib.Path, log: pathlib.Path):
        self.root = root
        self.log_path = log
        self.log = open(log, "w")
        self.proc = subprocess.Popen(nspawn(root, "--boot"), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self.init_pid = self._wait_for_init()
            self._wait_until_booted()
            self._wait_for_loopback()
        except BaseException:
            self.stop()  # the nspawn this test started, by its PID
            raise

    def _wait_for_init(self) -> int:
        deadline = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BootFailure(f"systemd-nspawn exited with {self.proc.returncode}\n"
                                  f"{self.log_text()}")
            for pid in descendants(self.proc.pid):
                try:
                    if pathlib.Path(f"/proc/{pid}/comm").read_text().strip() == "systemd":
                        return pid
                except OSError:
                    pass
            time.sleep(0.2)
        raise BootFailure(f"no systemd inside the container\n{self.log_text()}")

    def _wait_until_booted(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT
        state = ""
        while time.monotonic() < deadline:
            state = self.sh("systemctl is-system-running", check=False).stdout.strip()
            if state in ("running", "degraded"):
                return
            time.sleep(0.5)
        raise BootFailure(f"the container's systemd is {state!r}\n{self.log_text()}")

    def _wait_for_loopback(self) -> None:
        """The container's systemd sets its loopback up early in boot; when it cannot
        (no CAP_NET_ADMIN in the container's network namespace), nothing can be served or dug.
        Asked with the host's ip(8) in the container's network namespace (minbase has none)."""
        deadline = time.monotonic() + 10
        shown = ""
        while time.monotonic() < deadline:
            shown = run(["nsenter", "--target", str(self.init_pid), "--net", "ip", "-o", "link",
                         "show", "lo"], check=False, timeout=20).stdout.strip()
            flags = re.search(r"<([^>]*)>", shown)
            if flags and "UP" in flags.group(1).split(","):
                return
            time.sleep(0.5)
        raise BootFailure(f"the container's loopback is down: {shown!r}\n{self.log_text()}")

    def sh(self, command: str, *, check: bool = True) -> subprocess.CompletedProcess:
        """A shell command inside the running container (all its namespaces)."""
        return run(["nsenter", "--target", self.init_pid, "--all", "/bin/sh", "-c", command],
                   check=check, timeout=60)

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        # SIGTERM to nspawn: it asks the container's systemd to power off cleanly.
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT)
        self.log.close()


@pytest.fixture(scope="module")
def container(base_root, deb, tmp_path_factory):
    work = tmp_path_factory.mktemp("systemd")
    root = work / "root"
    run(["cp", "-a", "--reflink=auto", base_root, root], timeout=300)
    shutil.copy(deb, root / "root" / deb.name)
    # Can this machine run a container at all (mount and PID namespaces, seccomp)? If not, the
    # test cannot say anything about the package.
    probe = run(nspawn(root, "--pipe", "/bin/true"), check=False, timeout=120)
    if probe.returncode != 0:
        pytest.skip(f"systemd-nspawn cannot run a container here: {probe.stderr.strip()[-500:]}")
    # Installed offline (the dependencies are in the root already), as `apt install ./x.deb`
    # would, with the container not yet booted: no systemd is running to start anything.
    run(nspawn(root, "--pipe", "dpkg", "-i", f"/root/{deb.name}"), timeout=120)
    log = work / "container.log"
    try:
        c = Container(root, log)
    except BootFailure as e:
        # The reason in one line (what -rs lists); the container's log for whoever digs.
        reason, _, container_log = str(e).partition("\n")
        print(container_log[-3000:])
        pytest.skip(f"this machine cannot boot a systemd container: {reason}")
    try:
        # What the package left behind, before any case changes it; and the installed site file,
        # which each case starts from.
        c.installed_state = {name: unit_property(c, name)
                             for name in ("LoadState", "UnitFileState", "ActiveState")}
        c.sh(f"cp -p {SITE} {SITE_AS_INSTALLED}")
        yield c
    finally:
        c.stop()


SITE = "/etc/sipdns/site.yaml"
SITE_AS_INSTALLED = "/root/site.yaml.installed"


def unit_property(c: Container, name: str) -> str:
    return c.sh(f"systemctl show --property={name} --value sipdnsd").stdout.strip()


def journal_cursor(c: Container) -> str:
    # The last entry and its cursor (with no entry shown, journalctl shows no cursor).
    shown = c.sh("journalctl --lines=1 --show-cursor --no-pager --output=cat").stdout
    return re.search(r"^-- cursor: (\S+)", shown, re.M).group(1)


@pytest.fixture
def fresh(container):
    """The container as the package left it: sipdnsd stopped, disabled and not failed, the site
    file as installed, no state (serials) kept; the journal read from here on."""
    c = container
    c.sh("systemctl disable --now sipdnsd; systemctl reset-failed sipdnsd 2>/dev/null; "
         f"cp -p {SITE_AS_INSTALLED} {SITE}; "
         # StateDirectory= of a DynamicUser= unit: /var/lib/private/sipdns, /var/lib/sipdns links it
         "rm -rf /var/lib/private/sipdns /var/lib/sipdns; true")
    assert unit_property(c, "ActiveState") == "inactive"
    c.journal_after = journal_cursor(c)
    return c


@pytest.fixture
def running(fresh):
    """`fresh`, then sipdnsd enabled and started on the installed site file."""
    fresh.sh("systemctl enable --now sipdnsd")
    assert unit_property(fresh, "ActiveState") == "active", journal(fresh)
    return fresh


def dig(c: Container, *args: str) -> list[str]:
    return c.sh("dig +short +time=2 +tries=2 " + " ".join(args)).stdout.split()


def soa_serial(c: Container) -> int:
    return int(dig(c, "@127.0.0.1", DOMAIN, "SOA")[2])


def journal(c: Container, after: str | None = None) -> str:
    """sipdnsd's journal since the case's fixture (or since the cursor `after`)."""
    cursor = after or c.journal_after
    return c.sh(f"journalctl --unit=sipdnsd --no-pager --output=cat --after-cursor='{cursor}'").stdout


def test_installed_disabled_and_stopped(container):
    assert container.installed_state == {"LoadState": "loaded", "UnitFileState": "disabled",
                                         "ActiveState": "inactive"}


def test_enable_now_serves_port_53_as_an_unprivileged_dynamic_user(fresh):
    c = fresh
    c.sh("sipdnsd check /etc/sipdns/site.yaml")
    c.sh("systemctl enable --now sipdnsd")
    assert unit_property(c, "ActiveState") == "active"
    # Type=notify: systemd has the daemon's STATUS= line.
    assert re.fullmatch(r"serial \d+, \d+ records", unit_property(c, "StatusText"))
    pid = unit_property(c, "MainPID")
    status = c.sh(f"cat /proc/{pid}/status").stdout
    uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
    assert uid != 0, "sipdnsd runs as root"
    for field in ("CapEff", "CapPrm", "CapBnd"):
        caps = int(re.search(rf"^{field}:\s+([0-9a-f]+)", status, re.M).group(1), 16)
        assert caps == CAP_NET_BIND_SERVICE, f"{field} {caps:#x}"
    assert dig(c, "@127.0.0.1", f"_sip._udp.{DOMAIN}", "SRV") == \
        ["1", "0", "5060", f"scs1.{DOMAIN}."]
    assert dig(c, "@::1", f"scs1.{DOMAIN}", "A") == ["192.0.2.11"]
    assert dig(c, "@127.0.0.1", "-x", "192.0.2.11") == [f"scs1.{DOMAIN}."]
    # The dynamic user writes its serials in the unit's StateDirectory= (no warning about it).
    serial = soa_serial(c)
    assert f"{DOMAIN}. {serial} " in c.sh("cat /var/lib/sipdns/serials").stdout
    assert "state dir" not in journal(c), journal(c)


def test_reload_serves_an_edit_and_keeps_the_last_good_zone_on_a_broken_one(running):
    c = running
    c.sh("sed -i 's/192\\.0\\.2\\.11/192.0.2.21/' /etc/sipdns/site.yaml")
    assert c.sh("test -S /run/sipdns/control", check=False).returncode == 0, journal(c)
    # Synchronous: the edit is served when `systemctl reload` returns.
    c.sh("systemctl reload sipdnsd")
    assert dig(c, "@127.0.0.1", f"scs1.{DOMAIN}", "A") == ["192.0.2.21"]
    served = soa_serial(c)
    assert re.search(rf"^reloaded: serial {served}, \d+ records$", journal(c), re.M), journal(c)
    c.sh("echo 'bogus_key: 1' >> /etc/sipdns/site.yaml")
    failed = c.sh("systemctl reload sipdnsd", check=False)
    assert failed.returncode != 0, (failed.stdout, failed.stderr)
    assert "reload failed" in journal(c)
    assert re.search(r"/etc/sipdns/site\.yaml:\d+:\d+: bogus_key: unknown key", journal(c))
    assert unit_property(c, "ActiveState") == "active"
    assert dig(c, "@127.0.0.1", f"scs1.{DOMAIN}", "A") == ["192.0.2.21"]
    assert soa_serial(c) == served
    # Root asks the daemon (a dynamic user) over its socket: the failed reload and its error.
    status = c.sh("sipdnsd status").stdout
    assert re.search(rf"^last reload: \S+ failed \(1 error\), still serving serial {served}, ",
                     status, re.M), status
    assert re.search(r"^  /etc/sipdns/site\.yaml:\d+:\d+: bogus_key: unknown key", status,
                     re.M), status


def test_restart_with_a_broken_file_fails_in_check_then_starts_once_fixed(running):
    c = running
    served = soa_serial(c)
    c.sh("echo 'bogus_key: 1' >> /etc/sipdns/site.yaml")
    before_restart = journal_cursor(c)
    assert c.sh("systemctl restart sipdnsd", check=False).returncode != 0
    assert unit_property(c, "ActiveState") != "active"
    # ExecStartPre's `sipdnsd check` put the file's error and count in the journal.
    restart = journal(c, after=before_restart)
    assert re.search(r"site\.yaml:\d+:\d+: bogus_key: unknown key", restart), restart
    assert re.search(r"^1 error$", restart, re.M), restart
    c.sh("sed -i '/^bogus_key/d' /etc/sipdns/site.yaml")
    kept = int(c.sh("awk '$1 == \"" + DOMAIN + ".\" { print $2 }' /var/lib/sipdns/serials").stdout)
    assert kept == served
    c.sh("systemctl reset-failed sipdnsd; systemctl restart sipdnsd")
    assert unit_property(c, "ActiveState") == "active"
    assert dig(c, "@127.0.0.1", f"scs1.{DOMAIN}", "A") == ["192.0.2.11"]
    # The same content as before the broken edit (sed gave the file a new time): the same serial.
    assert soa_serial(c) == served


def test_stop_ends_with_status_0_and_removes_the_control_socket(running):
    c = running
    c.sh("systemctl stop sipdnsd")
    assert unit_property(c, "ActiveState") == "inactive"
    assert unit_property(c, "Result") == "success"
    assert unit_property(c, "ExecMainStatus") == "0"
    # The daemon's own shutdown lines, in order, after the start. systemd's "Stopping ..."
    # may land between them in the journal.
    since_start = journal(c).split("Started sipdnsd.service")[-1].splitlines()
    assert "received SIGTERM, shutting down" in since_start, since_start
    assert "stopped" in since_start[since_start.index("received SIGTERM, shutting down"):], \
        since_start
    assert c.sh("test -e /run/sipdns/control", check=False).returncode != 0


def test_query_log_in_the_journal_and_var_log_and_watch_as_root(fresh):
    """The query log of the packaged unit (issue 15): `journal` lands in the journal with its
    own identifier and field, a file in the unit's LogsDirectory= (written by the dynamic user),
    and root watches the daemon's queries over the control socket."""
    c = fresh
    c.sh(f"printf 'server:\\n  query_log: journal\\n' >> {SITE}")
    c.sh("systemctl enable --now sipdnsd")
    assert unit_property(c, "ActiveState") == "active", journal(c)
    assert dig(c, "@127.0.0.1", f"gone.{DOMAIN}", "TXT") == []
    entries = ""
    for _ in range(50):  # the logger thread writes within 20 ms; the journal indexes it soon
        entries = c.sh("journalctl -t sipdnsd SIPDNS_QUERY=1 --no-pager --output=cat").stdout
        if f"gone.{DOMAIN} TXT NXDOMAIN" in entries:
            break
        time.sleep(0.1)
    assert re.search(rf"^\d\d:\d\d:\d\d\.\d{{3}} 127\.0\.0\.1#\d+ udp gone\.{DOMAIN} TXT "
                     r"NXDOMAIN aa 0/1/\d+ \d+B$", entries, re.M), entries

    c.sh(f"sed -i 's|  query_log: journal|  query_log: {{ file: /var/log/sipdns/queries.log }}|' {SITE}")
    c.sh("systemctl restart sipdnsd")
    # Root watches the dynamic user's daemon: one query, then Ctrl-C (timeout's SIGINT).
    watched = c.sh("(timeout -s INT 3 sipdnsd watch --name " + DOMAIN + " > /root/watch.out "
                   "2> /root/watch.err &) ; sleep 1; dig +short @127.0.0.1 scs1." + DOMAIN +
                   " A; sleep 3; cat /root/watch.err /root/watch.out")
    assert "watching queries of name " + DOMAIN + "; Ctrl-C to stop" in watched.stdout, watched
    assert re.search(rf" udp scs1\.{DOMAIN} A NOERROR aa 1/0/\d+ \d+B$", watched.stdout, re.M), \
        watched.stdout
    logged = c.sh("cat /var/log/sipdns/queries.log; stat -c '%U %a' /var/log/sipdns/queries.log")
    assert re.search(rf" udp scs1\.{DOMAIN} A NOERROR aa ", logged.stdout), logged.stdout
    # Written by the dynamic user (no name in this container's NSS: UNKNOWN), not root; 0640
    # less the unit's umask.
    owner, mode = logged.stdout.splitlines()[-1].split()
    umask = int(unit_property(c, "UMask"), 8)
    assert owner != "root" and int(mode, 8) == 0o640 & ~umask, logged.stdout
