# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The man pages are complete and render cleanly (docs/design.md §6; Debian policy §12.1).

sipdnsd(8) must name every command and option the command line accepts (server/main/cli.cc),
every signal the daemon handles (server/net/src/signal_loop.cc) and its exit codes;
sipdns-site.yaml(5) every key the loader accepts (the k*Keys tables of config/src/loader.cc).
Both must render with `man --warnings` (groff's warnings) without a single one."""

import os
import re
import shutil
import subprocess

import pytest

from sipdnsd_harness import REPO, run_sipdnsd

MAN8 = REPO / "packaging" / "man" / "sipdnsd.8"
MAN5 = REPO / "packaging" / "man" / "sipdns-site.yaml.5"
LOADER = REPO / "config" / "src" / "loader.cc"
CLI = REPO / "server" / "main" / "cli.cc"
SIGNALS = REPO / "server" / "net" / "src" / "signal_loop.cc"


def roff_text(path) -> str:
    """The man source with roff's escapes for '-' and font changes removed."""
    text = path.read_text()
    text = text.replace("\\-", "-").replace("\\(en", "-").replace("\\e", "\\")
    return re.sub(r"\\f[BIRP]", "", text)


def bold_words(path) -> set[str]:
    """Every word set in bold or italic by .B/.BR/.RB/.BI/.IB/.I lines or \\fB...\\fR."""
    words = set()
    src = path.read_text().replace("\\-", "-")
    for line in src.splitlines():
        if re.match(r"^\.(B|BR|RB|BI|IB|I|IR|RI|TP)\b", line):
            words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_-]*", line.split(None, 1)[-1]))
    for m in re.finditer(r"\\fB(.*?)\\f[RP]", src):
        words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_-]*", m.group(1)))
    return words


def loader_keys() -> dict[str, list[str]]:
    src = LOADER.read_text()
    tables = {}
    for m in re.finditer(r"std::array<std::string_view,\s*\d+>\s*(k\w+Keys)\s*\{([^}]*)\}", src):
        tables[m.group(1)] = re.findall(r'"([A-Za-z0-9_]+)"', m.group(2))
    return tables


def test_loader_key_tables_are_found():
    # The comparison below is only as good as this parse: the tables must be there.
    tables = loader_keys()
    for name in ("kTopKeys", "kServerKeys", "kSipKeys", "kDaemonKeys", "kSoaKeys"):
        assert name in tables, f"{name} not found in {LOADER}: {sorted(tables)}"
    assert "domain" in tables["kTopKeys"] and "listen" in tables["kDaemonKeys"]


def test_every_site_key_is_in_the_man_page():
    documented = bold_words(MAN5)
    missing = [f"{table}: {key}" for table, keys in loader_keys().items() for key in keys
               if key not in documented]
    assert not missing, f"keys the loader accepts but {MAN5.name} does not describe: {missing}"


def cli_options() -> set[str]:
    return set(re.findall(r'"(--[a-z][a-z-]*)"', CLI.read_text()))


def cli_commands() -> set[str]:
    """The command table of cli.cc: `kCommands{"check", ...}`."""
    table = re.search(r"kCommands\{([^}]*)\}", CLI.read_text())
    return set(re.findall(r'"([a-z]+)"', table.group(1))) if table else set()


def test_every_command_and_option_is_in_sipdnsd_8():
    text = roff_text(MAN8)
    options, commands = cli_options(), cli_commands()
    assert {"--config", "--listen", "--format", "--help"} <= options, options
    assert commands >= {"check", "export", "plan"}, commands
    missing = sorted(o for o in options if not re.search(rf"{re.escape(o)}\b", text))
    assert not missing, f"options cli.cc accepts but {MAN8.name} does not name: {missing}"
    for c in sorted(commands):
        assert re.search(rf"^\.B[I]? \"?{c}\b", MAN8.read_text(), re.M), \
            f"command {c} has no entry in {MAN8.name}"
    for short in ("-h", "-V"):
        assert f'"{short}"' in CLI.read_text() and re.search(rf"\B{short}\b", text), short


def test_every_option_in_help_is_in_sipdnsd_8():
    text = roff_text(MAN8)
    help_text = run_sipdnsd("--help").stdout
    for option in sorted(set(re.findall(r"--[a-z][a-z-]*", help_text))):
        assert re.search(rf"{re.escape(option)}\b", text), f"{option} (in --help) not in sipdnsd(8)"


def test_signals_exit_codes_files_and_environment_are_documented():
    text = roff_text(MAN8)
    handled = set(re.findall(r"\b(SIG[A-Z]+)\b", SIGNALS.read_text()))
    assert {"SIGHUP", "SIGTERM", "SIGINT"} <= handled
    section = text.split(".SH SIGNALS", 1)[1].split(".SH ", 1)[0]
    for sig in sorted(handled):
        assert sig in section, f"{sig} is handled but not in SIGNALS of sipdnsd(8)"
    status = text.split(".SH EXIT STATUS", 1)[1].split(".SH ", 1)[0]
    for code in ("0", "1", "2"):
        assert re.search(rf"^\.B {code}$", status, re.M), f"exit status {code} not documented"
    for name in ("/etc/sipdns/site.yaml", "/usr/share/doc/sipdns/examples/", "NOTIFY_SOCKET",
                 "JOURNAL_STREAM"):
        assert name in text, f"{name} is not in sipdnsd(8)"
    for example in sorted(p.name for p in (REPO / "packaging" / "examples").glob("*.yaml")):
        assert example in text, f"example {example} is not listed in sipdnsd(8) FILES"


@pytest.mark.parametrize("page", [MAN8, MAN5], ids=lambda p: p.name)
def test_man_renders_without_warnings(page):
    man = shutil.which("man")
    assert man, "man (man-db) is not installed; scripts/install-deps.sh installs it"
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80", MAN_KEEP_FORMATTING="")
    r = subprocess.run([man, "--warnings", "-l", str(page)], capture_output=True, text=True,
                       env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "", f"man --warnings -l {page.name}:\n{r.stderr}"
    assert len(r.stdout.splitlines()) > 50, "the page rendered (nearly) empty"
