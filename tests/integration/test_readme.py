# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The commands of README.md and of the pages under docs/ (the user guide, docs/testing.md,
docs/performance.md), run: every command in their code blocks that can run offline on loopback,
page by page in the order a reader runs them, against a real sipdnsd; every output they show,
compared. Each page runs in a scratch directory of its own, as a reader who opens that page
alone; a failure names the page and line (`docs/guide/lab.md:42`).

Conventions of these pages that this test reads (and enforces):
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
  PLAIN_BLOCKS entry that no longer matches a block of any page.
- Every relative Markdown link points to a file of the repository, and a #anchor in it to a
  heading of that file (GitHub's anchors: lower case, punctuation dropped, spaces as "-").

Port: the pages' daemons listen on 127.0.0.1:5353; here the daemon gets a free port and the
dig/nslookup commands and their outputs are rewritten to it. The commands run with `sipdnsd`
on PATH ($SIPDNSD), in a scratch directory where `packaging/` is the repository's and
`site.yaml` (the pages' name for "your site file") is a copy of the HA example.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import shlex
import socket
import subprocess

import pytest

from sipdnsd_harness import LOOPBACK4, REPO, SIPDNSD, Daemon, EXAMPLES, free_port, run_sipdnsd

README = REPO / "README.md"
DOCS = REPO / "docs"
# Pages under docs/ whose blocks are not commands, and why.
NOT_RUN = {
    "docs/design.md": "the architecture: its blocks are diagrams, not commands",
}
README_PORT = "5353"
COMMAND_TIMEOUT = 60  # seconds for any one command of a page

# Blocks (by their first command line, exactly as in the page) that are not run, and why.
SKIPPED = {
    "tsig-keygen -a hmac-sha256 sipdns-transfer > /etc/sipdns/transfer.key":
        "writes the key under /etc/sipdns and chowns it to the installed daemon's user; "
        "test_tsig.py runs tsig-keygen, loads its file as server.transfer.key.secret_file (the "
        "site-transfer.yaml form), transfers with the key and checks the warning for a key "
        "file others may read",
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
    "/usr/bin/python3 tests/perf/health_bench.py --rounds 3 --duration 8 --out health.json  # ~100 s":
        "the live-health benchmark loads the machine for minutes and needs dnsperf and kamailio; "
        "ctest runs its --smoke mode (perf.health_bench_smoke)",
    "tests/soak/soak.sh --duration 60                          # about 80 seconds":
        "the soak loads the machine for over a minute; ctest runs its 5-second version "
        "(soak.smoke)",
}

# Plain ``` blocks (by their first line): what they show and how this test checks them.
PLAIN_BLOCKS = {
    "sipdnsd [--config FILE] [--listen ADDR:PORT]... [--threads N] [--log-level LEVEL] "
    "[--user NAME] [--metrics ADDR:PORT] [--xdp IFACE] [--control PATH]":
        "the command synopsis: every option in it must be in `sipdnsd --help`",
    "_sip._udp.scsnetwork.local.          SRV 1 0 5060   scs1.scsnetwork.local.":
        "the SCS guide's HA table: every record in it must be in the HA example's export",
    "error: cannot listen on udp 0.0.0.0:53: Address already in use (another DNS server, or "
    "another sipdnsd, is using this port)":
        "the port-in-use error: reproduced on a free port held by this test's own socket",
    "watching queries of client 192.168.11.55/32; Ctrl-C to stop":
        "what watch prints: its format is checked line by line in test_watch.py",
    'sipdns_sip_target_up{target="scs1.scsnetwork.local",port="5060",transport="udp"} 1':
        "the per-target health metrics: the same sample lines are scraped from a daemon probing "
        "real SIP servers in test_health.py",
    "# Knot DNS (knot.conf)":
        "secondary-server configuration for Knot, NSD and BIND: not run here; "
        "tests/interop and test_transfer.py run Knot and NSD as secondaries",
    "# Knot DNS (knot.conf): the members get the template catalog-member":
        "catalog-consumer configuration for Knot and BIND: not run here; "
        "tests/interop/test_secondaries.py runs both as consumers of sipdnsd's catalog zone",
}

# Commands whose exit status is not 0 by design.
EXPECTED_EXIT = {"sipdnsd check broken.yaml": 1}

# First words of the commands this test runs (anything else must be in SKIPPED).
RUNNABLE = {"sipdnsd", "dig", "nslookup", "grep", "named-checkzone", "ss"}
# Filters allowed after a pipe.
PIPE_FILTERS = {"grep", "awk", "sed", "head", "tail", "sort"}


@dataclasses.dataclass
class Block:
    page: str           # the page's path in the repository, e.g. docs/guide/lab.md
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


def parse_blocks(text: str, page: str = "README.md") -> list[Block]:
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
        assert j < len(lines), f"{page}:{start + 1}: unclosed code block"
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        para = []
        while k >= 0 and lines[k].strip() and not lines[k].startswith("```"):
            para.insert(0, lines[k])
            k -= 1
        blocks.append(Block(page, lang, lines[start + 1:j], start + 1, " ".join(para)))
        i = j + 1
    return blocks


def console_steps(block: Block) -> list[tuple[str, list[str]]]:
    steps = []
    for line in block.lines:
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"{block.page}:{block.line_no}: console block must start with '$ '"
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
                        f"{where}: the pages' daemons listen on 127.0.0.1:{README_PORT}"
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
        page = where.rsplit(":", 1)[0]
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
                f"{where}: the output of {command!r} is not what {page} shows; first line "
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


def pages() -> list[str]:
    """README.md and every page under docs/ that has commands, as paths in the repository."""
    docs = sorted(str(p.relative_to(REPO)) for p in DOCS.rglob("*.md"))
    return ["README.md"] + [p for p in docs if p not in NOT_RUN]


def page_blocks(page: str) -> list[Block]:
    return parse_blocks((REPO / page).read_text(), page)


def run_page(session: Session, page: str) -> None:
    for block in page_blocks(page):
        where = f"{page}:{block.line_no}"
        first = block.first
        if block.lang == "yaml":
            check_yaml(session, block, where)
            continue
        if block.lang == "":
            if first not in PLAIN_BLOCKS:
                session.failures.append(f"{where}: plain block {first!r} is not in PLAIN_BLOCKS "
                                        "(say what it shows and how it is checked)")
                continue
            check_plain(session, block, where)
            continue
        if block.lang not in ("sh", "console"):
            session.failures.append(f"{where}: code block of unknown kind {block.lang!r}")
            continue
        if first in SKIPPED:
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


@pytest.mark.parametrize("page", pages())
def test_page_commands(page, tmp_path):
    assert os.access(SIPDNSD, os.X_OK), f"sipdnsd binary not found at {SIPDNSD}"
    session = Session(tmp_path)
    try:
        run_page(session, page)
    finally:
        session.stop()
        print("\n".join(session.log))
    assert not session.failures, "\n\n".join(session.failures)


def test_every_skip_and_plain_block_is_still_on_a_page():
    """A SKIPPED or PLAIN_BLOCKS entry that matches no block of any page is stale, and so is a
    NOT_RUN page that is gone."""
    firsts = {(b.lang, b.first) for page in pages() for b in page_blocks(page)}
    stale = [f"SKIPPED entry matches no ```sh or ```console block: {s!r}" for s in sorted(SKIPPED)
             if ("sh", s) not in firsts and ("console", s) not in firsts]
    stale += [f"PLAIN_BLOCKS entry matches no plain block: {s!r}" for s in sorted(PLAIN_BLOCKS)
              if ("", s) not in firsts]
    stale += [f"NOT_RUN page does not exist: {p}" for p in NOT_RUN if not (REPO / p).is_file()]
    assert not stale, "\n".join(stale)


def test_readme_starts_with_the_two_commands():
    blocks = parse_blocks(README.read_text())
    first = [b for b in blocks if b.lang == "sh"][0]
    assert [l.split("#")[0].strip() for l in sh_commands(first)] == \
        ["scripts/run-example.sh", "scripts/test.sh"]


# ---------------------------------------------------------------------------------------------
# Links between the pages

def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every line outside code blocks."""
    out, in_block = [], False
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            in_block = not in_block
            continue
        if not in_block:
            out.append((n, line))
    return out


def anchors(text: str) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation (backquotes, dashes,
    parentheses, ...) dropped, each space a "-", "-1", "-2" after repeated ones."""
    seen: dict[str, int] = {}
    for _, line in prose_lines(text):
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        if n:
            seen[f"{slug}-{n}"] = 1
    return set(seen)


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def link_problems(page: str) -> list[str]:
    path = REPO / page
    text = path.read_text()
    # Code blocks blanked (line numbers kept), inline code dropped; a link's text may span lines.
    prose = dict(prose_lines(text))
    kept = "\n".join(re.sub(r"`[^`\n]*`", "", prose.get(n, ""))
                     for n in range(1, len(text.splitlines()) + 1))
    problems = []
    for m in LINK.finditer(kept):
        target, n = m.group(1), kept.count("\n", 0, m.start(1)) + 1
        if re.match(r"^[a-z]+:", target):
            continue        # http:, https:, mailto:: not this repository's
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path.resolve()
        if REPO.resolve() not in dest.parents and dest != REPO.resolve():
            problems.append(f"{page}:{n}: {target} points outside the repository")
        elif not dest.exists():
            problems.append(f"{page}:{n}: {target}: no file {dest.relative_to(REPO.resolve())}")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text()):
            problems.append(f"{page}:{n}: {target}: no heading with anchor #{anchor} in "
                            f"{dest.relative_to(REPO.resolve())}")
    return problems


def test_links_resolve():
    every = ["README.md"] + sorted(str(p.relative_to(REPO)) for p in DOCS.rglob("*.md"))
    problems = [p for page in every for p in link_problems(page)]
    assert not problems, "\n".join(problems)


def test_anchors():
    # GitHub's rules, on this project's own headings.
    assert anchors("## The phones' DNS server: `forward:`\n") == {"the-phones-dns-server-forward"}
    assert anchors("## 2. The site description\n") == {"2-the-site-description"}
    assert anchors("# a — b\n```\n# not a heading\n```\n# a — b\n") == {"a--b", "a--b-1"}


def test_matcher():
    # The comparison itself: "..." skips lines, other lines must follow one another.
    real = ["a", "b  c", "d", "e"]
    assert matches(["a", "b c", "...", "e"], real)
    assert matches(["...", "d", "e"], real)
    assert not matches(["a", "d"], real)            # b c left out without "..."
    assert not matches(["...", "x", "..."], real)
    assert not matches(["a", "b c", "d"], real)     # e left out without "..."
    assert matches(["id: 1", "serial 1795382498"], ["id: 2", "serial 1795382501"])
