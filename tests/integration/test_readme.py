# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""README.md's commands, run: every command in its code blocks that can run offline on loopback,
in the order a reader runs them, against a real sipdnsd; every output it shows, compared.

Conventions of README.md that this test reads (and enforces):
- ```console blocks: a line starting with "$ " is a command; the lines after it, up to the next
  "$ ", are its output as shown. They must match the real output (stdout and stderr) line by
  line, where a "..." line stands for any number of lines left out, runs of blanks compare
  equal, blank lines are ignored, and query ids and SOA serials (which follow the files'
  modification times) are masked.
- ```sh blocks: commands without their output; each must exit 0. `sipdnsd` without a
  subcommand (serving) starts the daemon in the background, replacing the previous one; the
  dig and nslookup commands after it ask that daemon.
- ```yaml blocks: after a paragraph that starts with `packaging/examples/NAME.yaml`, the block is
  that file without its header comment (kept in sync); after a paragraph that ends with
  `NAME.yaml`:, the block is written to NAME.yaml for the commands that follow; any other block
  is a fragment that must pass `sipdnsd check` added to the single-server example.
- plain ``` blocks are not commands: PLAIN_BLOCKS says what each one shows and how it is
  checked.
- A ```sh or ```console block that cannot run offline on loopback is in SKIPPED with the
  reason. A block that is neither runnable nor listed fails the test, and so does a SKIPPED or
  PLAIN_BLOCKS entry that no longer matches a block.

Port: the README's daemons listen on 127.0.0.1:5353; here the daemon gets a free port and the
dig/nslookup commands and their outputs are rewritten to it. The commands run with `sipdnsd`
on PATH ($SIPDNSD), in a scratch directory where `packaging/` is the repository's and
`site.yaml` (the README's name for "your site file") is a copy of the HA example.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import shlex
import socket
import subprocess


from sipdnsd_harness import LOOPBACK4, REPO, SIPDNSD, Daemon, EXAMPLES, free_port, run_sipdnsd

README = REPO / "README.md"
README_PORT = "5353"
COMMAND_TIMEOUT = 60  # seconds for any one README command

# Blocks (by their first command line, exactly as in README.md) that are not run, and why.
SKIPPED = {
    "scripts/run-example.sh    # install the run set, build sipdnsd only, serve the SCS HA "
    "example on 127.0.0.1:5353":
        "the two top-level commands install packages with apt-get and build the tree "
        "(scripts/test.sh runs this test, so it cannot run itself); the serving that "
        "run-example.sh ends with is replayed here: the HA example on a loopback port",
    'export PATH="$PWD/build/server/main:$PATH"':
        "sets the reader's shell up; this test puts $SIPDNSD on PATH itself",
    "scripts/build.sh && cpack --config build/CPackConfig.cmake -B out":
        "builds and installs the Debian package and starts the systemd unit (apt, systemctl); "
        "tests/packaging does that in a throwaway root",
    '(echo "server 192.0.2.53 53"; sipdnsd export site.yaml --format nsupdate) | nsupdate '
    "-k sipdns.key":
        "sends updates to another DNS server (192.0.2.53, not loopback) with a TSIG key; "
        "tests/integration/test_export_update.py applies the same script to a BIND on loopback",
    "sipdnsd watch --client 192.168.11.55":
        "runs until Ctrl-C against the installed daemon's socket and shows a phone's live "
        "queries; tests/integration/test_watch.py runs watch with every filter against a "
        "daemon on loopback",
    "sipdnsd resolve sip:1000@scsnetwork.local --server 192.168.11.10:53":
        "asks the site's DNS server at 192.168.11.10 (not loopback); "
        "tests/integration/test_resolve.py runs resolve against every example on loopback",
    "mkdir -p /etc/systemd/resolved.conf.d":
        "reconfigures and restarts the host's systemd-resolved",
    "journalctl -u sipdnsd -b                         # sipdnsd's own messages, and the unit's":
        "reads the journal and the audit log of an installed service (needs systemd as init "
        "and auditd)",
    "nft add rule inet filter input udp dport 53 accept    # nftables (Debian's "
    "/etc/nftables.conf table)":
        "changes the host's firewall",
    "curl -s http://127.0.0.1:9153/metrics | grep -v '^#'":
        "needs a daemon started with --metrics on a fixed port, and the counts depend on what "
        "was asked before; tests/integration/test_metrics.py scrapes the endpoint after a "
        "known mix of queries and checks every counter",
    "tests/perf/bench.sh --out bench.json                      # about 4 minutes":
        "benchmarks take minutes and need NSD, Knot and dnsperf; ctest runs "
        "tests/perf's own smoke test (label perf)",
    "tests/soak/soak.sh --duration 60                          # about 80 seconds":
        "the soak loads the machine for over a minute; ctest runs its 5-second version "
        "(soak.smoke)",
}

# Plain ``` blocks (by their first line): what they show and how this test checks them.
PLAIN_BLOCKS = {
    "sipdnsd [--config FILE] [--listen ADDR:PORT]... [--threads N] [--log-level LEVEL] "
    "[--user NAME] [--metrics ADDR:PORT] [--control PATH]":
        "the command synopsis: every option in it must be in `sipdnsd --help`",
    "_sip._udp.scsnetwork.local.          SRV 1 0 5060   scs1.scsnetwork.local.":
        "the SCS guide's HA table: every record in it must be in the HA example's export",
    "error: cannot listen on udp 0.0.0.0:53: Address already in use (another DNS server, or "
    "another sipdnsd, is using this port)":
        "the port-in-use error: reproduced on a free port held by this test's own socket",
    "watching queries of client 192.168.11.55/32; Ctrl-C to stop":
        "what watch prints: its format is checked line by line in test_watch.py",
    "# Knot DNS (knot.conf)":
        "secondary-server configuration for Knot, NSD and BIND: not run here; "
        "tests/interop and test_transfer.py run Knot and NSD as secondaries",
}

# Commands whose exit status is not 0 by design.
EXPECTED_EXIT = {"sipdnsd check broken.yaml": 1}

# First words of the commands this test runs (anything else must be in SKIPPED).
RUNNABLE = {"sipdnsd", "dig", "nslookup", "grep", "named-checkzone", "ss"}
# Filters allowed after a pipe.
PIPE_FILTERS = {"grep", "awk", "sed", "head", "tail", "sort"}


@dataclasses.dataclass
class Block:
    lang: str
    lines: list[str]
    line_no: int        # of the opening fence, 1-based
    before: str         # the paragraph just before the block

    @property
    def first(self) -> str:
        for l in self.lines:
            if l.strip():
                return l[2:] if self.lang == "console" and l.startswith("$ ") else l
        return ""


def parse_blocks(text: str) -> list[Block]:
    blocks, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        j = i + 1
        while j < len(lines) and lines[j] != "```":
            j += 1
        assert j < len(lines), f"README.md:{start + 1}: unclosed code block"
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        para = []
        while k >= 0 and lines[k].strip() and not lines[k].startswith("```"):
            para.insert(0, lines[k])
            k -= 1
        blocks.append(Block(lang, lines[start + 1:j], start + 1, " ".join(para)))
        i = j + 1
    return blocks


def console_steps(block: Block) -> list[tuple[str, list[str]]]:
    steps = []
    for line in block.lines:
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"README.md:{block.line_no}: console block must start with '$ '"
            steps[-1][1].append(line)
    return steps


def sh_commands(block: Block) -> list[str]:
    return [l for l in block.lines if l.strip() and not l.lstrip().startswith("#")]


# ---------------------------------------------------------------------------------------------
# Comparing outputs

def normalize(line: str) -> str:
    line = re.sub(r"\s+", " ", line.strip())
    line = re.sub(r"\bid: \d+", "id: <id>", line)
    return re.sub(r"\b\d{9,10}\b", "<serial>", line)


def matches(shown: list[str], real: list[str]) -> bool:
    """shown (with "..." for left-out lines) against real, both without blank lines."""
    shown = [normalize(l) for l in shown if l.strip()]
    real = [normalize(l) for l in real if l.strip()]
    memo: dict[tuple[int, int], bool] = {}

    def go(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(shown):
            ok = j == len(real)
        elif shown[i] == "...":
            ok = any(go(i + 1, k) for k in range(j, len(real) + 1))
        else:
            ok = j < len(real) and shown[i] == real[j] and go(i + 1, j + 1)
        memo[(i, j)] = ok
        return ok

    return go(0, 0)


def first_mismatch(shown: list[str], real: list[str]) -> str:
    real_n = {normalize(l) for l in real}
    for l in shown:
        if l.strip() and l.strip() != "..." and normalize(l) not in real_n:
            return l
    return "(every line is there, but not in this order or with other lines between)"


# ---------------------------------------------------------------------------------------------
# Running


class Session:
    """The reader's terminal: a working directory, PATH with sipdnsd, the daemon last started."""

    def __init__(self, workdir: pathlib.Path):
        self.workdir = workdir
        bindir = workdir / ".bin"
        bindir.mkdir()
        (bindir / "sipdnsd").symlink_to(os.path.abspath(SIPDNSD))
        (workdir / "packaging").symlink_to(REPO / "packaging")
        (workdir / "site.yaml").write_text((EXAMPLES / "scs-ha.yaml").read_text())
        self.env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}", LC_ALL="C.UTF-8")
        self.daemon: Daemon | None = None
        self.log: list[str] = []
        self.failures: list[str] = []

    def serve(self, args: list[str], where: str) -> None:
        """`sipdnsd [--config FILE] [--listen ...] [...]`: start it on a free loopback port."""
        self.stop()
        config, extra, i = "/etc/sipdns/site.yaml", [], 0
        while i < len(args):
            a = args[i]
            if a in ("--config", "--listen"):
                if a == "--config":
                    config = args[i + 1]
                else:
                    assert args[i + 1] == f"127.0.0.1:{README_PORT}", \
                        f"{where}: the README's daemons listen on 127.0.0.1:{README_PORT}"
                i += 2
                continue
            extra.append(a)
            i += 1
        path = self.workdir / config
        if config.endswith(".yaml") and "listen" not in " ".join(args):
            text = path.read_text()
            assert f"127.0.0.1:{README_PORT}" in text, \
                f"{where}: without --listen, {config} must say 127.0.0.1:{README_PORT}"
        self.daemon = Daemon(path, listen=["127.0.0.1:{port}"], extra_args=extra,
                             name="sipdnsd-readme").start()
        self.log.append(f"{where}: serving {config} on 127.0.0.1:{self.daemon.port}")

    def stop(self) -> None:
        if self.daemon is not None:
            rc = self.daemon.stop()
            assert rc == 0, f"sipdnsd exited with {rc} after SIGTERM"
            self.daemon = None

    def asks_daemon(self, command: str) -> bool:
        return bool(re.match(r"^(dig|nslookup|sipdnsd (resolve|verify))\b", command))

    def rewrite(self, text: str) -> str:
        port = str(self.daemon.port)
        text = re.sub(rf"(-p\s+){README_PORT}\b", rf"\g<1>{port}", text)
        text = re.sub(rf"(-port=){README_PORT}\b", rf"\g<1>{port}", text)
        # resolve and verify: --server 127.0.0.1:5353, "asking 127.0.0.1 port 5353"
        text = re.sub(rf"(--server 127\.0\.0\.1:){README_PORT}\b", rf"\g<1>{port}", text)
        text = re.sub(rf"(127\.0\.0\.1 port ){README_PORT}\b", rf"\g<1>{port}", text)
        return re.sub(rf"#{README_PORT}\b", f"#{port}", text)

    def run(self, command: str, where: str) -> tuple[int, list[str]]:
        words = shlex.split(command, comments=True)
        if words and words[0] == "sipdnsd" and (len(words) == 1 or words[1].startswith("-")) \
                and "--help" not in words and "--version" not in words:
            self.serve(words[1:], where)
            return 0, []
        if self.asks_daemon(command):
            assert self.daemon is not None, f"{where}: {command!r} needs a daemon started before it"
            command = self.rewrite(command)
        tokens = shlex.split(command, comments=True)
        filters = [tokens[k + 1] for k, t in enumerate(tokens[:-1]) if t == "|"]
        assert set(filters) <= PIPE_FILTERS, f"{where}: unexpected filter in {command!r}"
        r = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=self.workdir,
                           env=self.env, capture_output=True, text=True,
                           timeout=COMMAND_TIMEOUT)
        self.log.append(f"{where}: ran {command!r}: exit {r.returncode}")
        return r.returncode, (r.stdout + r.stderr).splitlines()

    def check(self, command: str, shown: list[str] | None, where: str) -> None:
        code, real = self.run(command, where)
        want = EXPECTED_EXIT.get(command, 0)
        if code != want:
            self.failures.append(f"{where}: {command!r} exited {code}, not {want}:\n" +
                                 "\n".join(real[-30:]))
            return
        if shown is None:
            return
        if self.asks_daemon(command):
            shown = [self.rewrite(l) for l in shown]
        if not matches(shown, real):
            self.failures.append(
                f"{where}: the output of {command!r} is not what README.md shows; first line "
                f"not found: {first_mismatch(shown, real)!r}\nreal output:\n" + "\n".join(real))


def example_without_header(path: pathlib.Path) -> str:
    lines = path.read_text().splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).strip()


def check_yaml(session: Session, block: Block, where: str) -> None:
    text = "\n".join(block.lines)
    example = re.match(r"^`packaging/examples/([\w.-]+\.yaml)`", block.before)
    own = re.search(r"`([\w.-]+\.yaml)`:\s*$", block.before)
    if example:
        want = example_without_header(EXAMPLES / example.group(1))
        if text.strip() != want:
            session.failures.append(f"{where}: the YAML shown is not packaging/examples/"
                                    f"{example.group(1)} (without its header comment):\n{want}")
    elif own:
        (session.workdir / own.group(1)).write_text(text + "\n")
        session.log.append(f"{where}: wrote {own.group(1)}")
    else:
        # A fragment: sipdnsd's own YAML reader must take it as part of a site.
        site = session.workdir / "fragment.yaml"
        site.write_text((EXAMPLES / "scs-single.yaml").read_text() + text + "\n")
        r = run_sipdnsd("check", str(site))
        if r.returncode != 0:
            session.failures.append(f"{where}: the fragment does not pass sipdnsd check added to "
                                    f"scs-single.yaml:\n{r.stdout}{r.stderr}")
        session.log.append(f"{where}: fragment checked")


def records(text: str) -> set[tuple[str, str, str]]:
    """(owner, type, rdata) of every zone-file-like line, TTL and class dropped."""
    out = set()
    for line in text.splitlines():
        f = line.split()
        if len(f) < 3 or line.startswith(("$", ";")):
            continue
        rest = f[1:]
        if rest and rest[0].isdigit():
            rest = rest[1:]
        if rest and rest[0] == "IN":
            rest = rest[1:]
        if rest:
            out.add((f[0].lower(), rest[0], " ".join(rest[1:])))
    return out


def check_plain(session: Session, block: Block, where: str) -> None:
    first = block.first
    if first.startswith("sipdnsd [--config"):
        help_text = run_sipdnsd("--help").stdout
        for option in sorted(set(re.findall(r"--[a-z-]+", "\n".join(block.lines)))):
            if option not in help_text:
                session.failures.append(f"{where}: {option} is not in sipdnsd --help")
    elif first.startswith("_sip._udp.scsnetwork.local."):
        export = records(run_sipdnsd("export", str(EXAMPLES / "scs-ha.yaml")).stdout)
        for rec in sorted(records("\n".join(block.lines))):
            if rec not in export:
                session.failures.append(f"{where}: {rec} is not in the HA example's export")
    elif first.startswith("error: cannot listen"):
        # Hold a loopback UDP port ourselves, then ask sipdnsd for the wildcard on that port.
        port = free_port([LOOPBACK4])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as held:
            held.bind((LOOPBACK4, port))
            r = subprocess.run([SIPDNSD, "--config", str(EXAMPLES / "scs-single.yaml"),
                                "--listen", f"0.0.0.0:{port}"], capture_output=True, text=True,
                               timeout=COMMAND_TIMEOUT)
        want = normalize(first.replace(":53:", f":{port}:"))
        if r.returncode != 1 or not any(want in normalize(l) for l in r.stderr.splitlines()):
            session.failures.append(f"{where}: expected exit 1 and {want!r}, got exit "
                                    f"{r.returncode}:\n{r.stderr}")
    session.log.append(f"{where}: plain block: {PLAIN_BLOCKS[first]}")


def run_readme(session: Session) -> None:
    blocks = parse_blocks(README.read_text())
    seen_skips, seen_plain = set(), set()
    for block in blocks:
        where = f"README.md:{block.line_no}"
        first = block.first
        if block.lang == "yaml":
            check_yaml(session, block, where)
            continue
        if block.lang == "":
            if first not in PLAIN_BLOCKS:
                session.failures.append(f"{where}: plain block {first!r} is not in PLAIN_BLOCKS "
                                        "(say what it shows and how it is checked)")
                continue
            seen_plain.add(first)
            check_plain(session, block, where)
            continue
        if block.lang not in ("sh", "console"):
            session.failures.append(f"{where}: code block of unknown kind {block.lang!r}")
            continue
        if first in SKIPPED:
            seen_skips.add(first)
            session.log.append(f"{where}: skipped ({SKIPPED[first]})")
            if first.startswith("scripts/run-example.sh"):
                session.serve(["--config", "packaging/examples/scs-ha.yaml"], where)
            continue
        if block.lang == "console":
            steps = console_steps(block)
        else:
            steps = [(c, None) for c in sh_commands(block)]
        for command, shown in steps:
            name = shlex.split(command, comments=True)[0].lstrip("(")
            if name not in RUNNABLE:
                session.failures.append(
                    f"{where}: {command!r} is neither runnable offline here ({sorted(RUNNABLE)}) "
                    "nor in SKIPPED with a reason")
                continue
            session.check(command, shown, where)
    for stale in sorted(set(SKIPPED) - seen_skips):
        session.failures.append(f"SKIPPED entry matches no block of README.md: {stale!r}")
    for stale in sorted(set(PLAIN_BLOCKS) - seen_plain):
        session.failures.append(f"PLAIN_BLOCKS entry matches no block of README.md: {stale!r}")


def test_readme_commands(tmp_path):
    assert os.access(SIPDNSD, os.X_OK), f"sipdnsd binary not found at {SIPDNSD}"
    session = Session(tmp_path)
    try:
        run_readme(session)
    finally:
        session.stop()
        print("\n".join(session.log))
    assert not session.failures, "\n\n".join(session.failures)


def test_readme_starts_with_the_two_commands():
    blocks = parse_blocks(README.read_text())
    first = [b for b in blocks if b.lang == "sh"][0]
    assert [l.split("#")[0].strip() for l in sh_commands(first)] == \
        ["scripts/run-example.sh", "scripts/test.sh"]


def test_matcher():
    # The comparison itself: "..." skips lines, other lines must follow one another.
    real = ["a", "b  c", "d", "e"]
    assert matches(["a", "b c", "...", "e"], real)
    assert matches(["...", "d", "e"], real)
    assert not matches(["a", "d"], real)            # b c left out without "..."
    assert not matches(["...", "x", "..."], real)
    assert not matches(["a", "b c", "d"], real)     # e left out without "..."
    assert matches(["id: 1", "serial 1795382498"], ["id: 2", "serial 1795382501"])
