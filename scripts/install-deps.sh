#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# Install the Debian 12 packages sipdns needs, in one of two sets.
#
#   scripts/install-deps.sh --run      what building and running sipdnsd needs (compiler, CMake,
#                                      Ninja, the libraries' -dev packages): scripts/run-example.sh
#   scripts/install-deps.sh            everything: the run set and what the tests need
#                                      (reference DNS and DHCP servers, clang, lintian, ...):
#                                      scripts/test.sh
#   ... --check                        only list what is missing (exit 1 if anything is)
#   ... --list                         print the set's packages, one a line, and exit
#   SIPDNS_SKIP_DEPS=1 scripts/...     do nothing (e.g. a prepared CI image)
#   SIPDNS_APT_LOCK_TIMEOUT=600        how long to wait, in seconds, for another apt or dpkg
#
# Idempotent: when every package of the set is installed nothing runs (no apt-get update, no root
# needed). Otherwise `apt-get update` once, then one `apt-get install -y --no-install-recommends`.
# When another apt or dpkg holds the package manager's lock, both wait for it (up to
# SIPDNS_APT_LOCK_TIMEOUT seconds, saying which process holds it) instead of failing.
# Knot DNS, NSD, BIND, Unbound, ISC dhcpd, Kea and kamailio are test tools only: their packages
# must not start (or leave enabled) a daemon on port 53, 67 or 5060, so service starts are
# blocked during the install with a temporary /usr/sbin/policy-rc.d (only when none exists), and
# services of packages installed by this run are disabled afterwards.
set -euo pipefail

# Building and running the daemon (scripts/run-example.sh). CMake finds these in the top-level
# CMakeLists.txt and server/*/CMakeLists.txt; nothing of the tests is configured without
# SIPDNS_BUILD_TESTS.
RUN_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libldns-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libsystemd-dev
  # forwarding (issue 13): libunbound's async resolver and cache; dns-root-data is the root
  # trust anchor (/usr/share/dns/root.key) and root hints for `forward: { to: root }`
  libunbound-dev dns-root-data
  # dnstap output: Frame Streams and the dnstap protobuf schema compiled with protoc-c
  libfstrm-dev libprotobuf-c-dev protobuf-c-compiler
  # live SIP health (issue 16): TLS probes through Asio's OpenSSL stream
  libssl-dev
  # the AF_XDP fast path (issue 19, server/xdp): libxdp's AF_XDP sockets and rings, libbpf to
  # load the XDP program, and clang to compile that program (clang -target bpf) at build time
  libxdp-dev libbpf-dev clang
  # dig and nslookup: the README's first look at what the example serves
  bind9-dnsutils
)
# Everything else the tests need (scripts/test.sh, .ci/run).
TEST_PACKAGES=(
  libboost-system-dev libgtest-dev googletest
  # tests: DNS clients (and dig, nslookup of the run set), reference servers, zone checkers,
  # python, load generator
  bind9-utils knot-dnsutils ldnsutils knot nsd
  # tests/integration/test_export_update.py: export --format nsupdate applied to BIND's named
  bind9
  python3 python3-dnspython python3-pytest dnsperf
  # dnstap's frames read back: fstrm_capture (a socket reader) and dnstap-ldns (the decoder)
  fstrm-bin dnstap-ldns
  iproute2 procps
  # tests/interop/test_sip_stack.py: a SIP stack that resolves RFC 3263 (baresip on libre)
  baresip-core
  # tests/integration/sip_servers.py: real SIP servers answering OPTIONS for the live-health
  # tests (kamailio with a generated config, its tls module for TLS listeners, openssl for their
  # throwaway certificates); the tests run their own kamailio, never the package's service
  kamailio kamailio-tls-modules openssl
  # tests/interop/test_dhcp_servers.py: `plan`'s DHCP lines checked by ISC dhcpd and Kea
  # (DHCPv4, and DHCPv6 for sites with IPv6 addresses)
  isc-dhcp-server kea-dhcp4-server kea-dhcp6-server
  # tests/integration/test_forward.py and tests/perf/forward_bench.sh: Unbound as the real
  # upstream resolver and as the cache-hit reference, dnsmasq (the binary only: dnsmasq-base
  # has no service) as the other reference forwarder
  unbound dnsmasq-base
  # tests/fuzz and the sanitizer tree (scripts/test.sh): clang with libFuzzer and the ASan/UBSan
  # runtimes; llvm-14's llvm-symbolizer puts file:line into sanitizer reports
  clang-14 libclang-rt-14-dev llvm-14
  # tests/perf: taskset pins servers and dnsperf; callgrind and perf: where the time goes
  util-linux valgrind linux-perf
  # tests: the Debian package (lintian; systemd-analyze verify/security; man for its man: check)
  lintian systemd man-db dpkg-dev
  # tests/packaging/test_systemd.py: the package under a real systemd in a container
  systemd-container debootstrap
)
# Packages that ship a DNS, DHCP or SIP daemon with a service unit / init script. Debian's
# kamailio postinst enables kamailio.service and starts it (deb-systemd-invoke; its unit, unlike
# the init script, ignores RUN_KAMAILIO=no in /etc/default/kamailio) with the stock config on
# every address's port 5060, where the tests' own kamailio instances listen: the policy-rc.d
# below stops the start, the disable below keeps it from coming up at boot.
DAEMON_PACKAGES=(knot nsd bind9 unbound isc-dhcp-server kea-dhcp4-server kea-dhcp6-server
                 kamailio)

check_only=0
list_only=0
run_set=0
for arg in "$@"; do
  case "$arg" in
    --run) run_set=1 ;;
    --check) check_only=1 ;;
    --list) list_only=1 ;;
    --run-only|--skip) exit 0 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option: $arg" >&2; exit 2 ;;
  esac
done
if ((run_set)); then
  PACKAGES=("${RUN_PACKAGES[@]}")
  set_name="run"
else
  PACKAGES=("${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}")
  set_name="full"
fi
if ((list_only)); then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi
if [[ "${SIPDNS_SKIP_DEPS:-0}" == 1 ]]; then
  echo "install-deps.sh: SIPDNS_SKIP_DEPS=1, not installing packages"
  exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps.sh: dpkg-query not found: this script supports Debian 12 (bookworm)" >&2
  exit 1
fi

installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps.sh: all ${#PACKAGES[@]} packages of the $set_name set are installed"
  exit 0
fi
echo "install-deps.sh: missing: ${missing[*]}"
if ((check_only)); then exit 1; fi

# Root for the rest: re-run through sudo when needed.
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    # `sudo env ...` keeps the lock timeout whatever sudo's env_reset policy is; DEBIAN_FRONTEND
    # is exported below, as root.
    exec sudo env SIPDNS_APT_LOCK_TIMEOUT="${SIPDNS_APT_LOCK_TIMEOUT:-600}" "$0" "$@"
  fi
  echo "install-deps.sh: not root and sudo is not installed; as root run: $0" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
newly_installed_daemons=()
# The unit / init script of a daemon package (Debian's bind9 ships "named").
service_name() { [[ "$1" == bind9 ]] && echo named || echo "$1"; }
for p in "${DAEMON_PACKAGES[@]}"; do
  if [[ " ${missing[*]} " == *" $p "* ]]; then newly_installed_daemons+=("$p"); fi
done

# Keep maintainer scripts from starting knot/nsd/named/unbound/kamailio (invoke-rc.d and
# deb-systemd-invoke both ask policy-rc.d; 101 = "action forbidden"). Only ours is removed
# afterwards.
policy=/usr/sbin/policy-rc.d
our_policy=0
cleanup() {
  if ((our_policy)) && [[ -f "$policy" ]] && grep -q 'sipdns install-deps' "$policy"; then
    rm -f "$policy"
  fi
}
trap cleanup EXIT
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\n# sipdns install-deps: no service starts during package installation\nexit 101\n' \
    >"$policy"
  chmod 755 "$policy"
  our_policy=1
fi

# Another apt or dpkg (an unattended upgrade, a second terminal) holds the package manager's
# locks with fcntl(2) record locks; /proc/locks names the holder's PID by the lock file's device
# and inode (proc(5)). These are the locks apt-get update, download and install take.
LOCK_FILES=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock
            /var/cache/apt/archives/lock)
lock_timeout="${SIPDNS_APT_LOCK_TIMEOUT:-600}"
if ! [[ "$lock_timeout" =~ ^[0-9]+$ ]]; then
  echo "install-deps.sh: SIPDNS_APT_LOCK_TIMEOUT=$lock_timeout: expected a number of seconds" >&2
  exit 2
fi
lock_deadline=$((SECONDS + lock_timeout))

# "PID (command line)" for each process holding one of LOCK_FILES, one a line.
lock_holders() {
  local file dev ino key pid
  for file in "${LOCK_FILES[@]}"; do
    [[ -e "$file" ]] || continue
    read -r dev ino < <(stat -c '%d %i' "$file")
    # st_dev's major and minor as the kernel prints them in /proc/locks (MAJ:MIN:INODE, hex).
    key=$(printf '%02x:%02x:%s' $(((dev >> 8) & 0xfff)) $(((dev & 0xff) | ((dev >> 12) & 0xfff00))) "$ino")
    # Fields: "N: POSIX ADVISORY WRITE PID MAJ:MIN:INODE START END"; "N: -> ..." lines are
    # processes waiting for the lock, not holding it.
    while read -r pid; do
      echo "$pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | sed 's/ $//') holds $file)"
    done < <(awk -v key="$key" '$2 != "->" && $6 == key { print $5 }' /proc/locks | sort -u)
  done
}

wait_for_package_lock() {
  local holders next_message=$SECONDS
  while holders=$(lock_holders) && [[ -n "$holders" ]]; do
    if ((SECONDS >= lock_deadline)); then
      echo "install-deps.sh: the package manager is still locked after ${lock_timeout}s by:" >&2
      echo "$holders" | sed 's/^/  /' >&2
      echo "install-deps.sh: try again when it has finished (SIPDNS_APT_LOCK_TIMEOUT waits longer)" >&2
      exit 1
    fi
    if ((SECONDS >= next_message)); then
      echo "install-deps.sh: waiting for another package manager to finish" \
           "($((lock_deadline - SECONDS))s left):"
      echo "$holders" | sed 's/^/  /'
      next_message=$((SECONDS + 30))
    fi
    sleep 2
  done
}

# apt-get, once the locks are free. The lock can be taken again between our look and apt-get's
# (apt-get update does not wait for it, apt-get install does for DPkg::Lock::Timeout): then wait
# and run it again, within the same deadline.
apt_get() {
  local rc
  while :; do
    wait_for_package_lock
    apt-get -o DPkg::Lock::Timeout=$((lock_deadline > SECONDS ? lock_deadline - SECONDS : 0)) \
      "$@" && return 0
    rc=$?
    if [[ -z "$(lock_holders)" ]] || ((SECONDS >= lock_deadline)); then return "$rc"; fi
    echo "install-deps.sh: apt-get $1 found the package manager locked; waiting again"
  done
}

apt_get update
apt_get install -y --no-install-recommends "${missing[@]}"

# The daemons we just installed must not serve (or come back at boot) on port 53.
# Without a running systemd (a container) `systemctl disable` still removes the enablement
# symlinks the postinst made (offline, systemctl(1)); --now only when there is a manager to ask.
if ((${#newly_installed_daemons[@]})) && command -v systemctl >/dev/null 2>&1; then
  now=()
  [[ -d /run/systemd/system ]] && now=(--now)
  for p in "${newly_installed_daemons[@]}"; do
    service=$(service_name "$p")
    systemctl disable "${now[@]}" "$service.service" >/dev/null 2>&1 || true
  done
fi
for p in "${newly_installed_daemons[@]}"; do
  service=$(service_name "$p")
  if command -v update-rc.d >/dev/null 2>&1 && [[ -e "/etc/init.d/$service" ]]; then
    update-rc.d "$service" disable >/dev/null 2>&1 || true
  fi
done
if command -v ss >/dev/null 2>&1; then
  if ss -Hlnup 'sport = :53' 2>/dev/null | grep -Eq '"(knotd|nsd|named|unbound)"' ||
     ss -Hlntp 'sport = :53' 2>/dev/null | grep -Eq '"(knotd|nsd|named|unbound)"'; then
    echo "install-deps.sh: warning: knotd, nsd, named or unbound listens on port 53" \
         "(not started by this script)" >&2
  fi
  if ss -Hlnup 'sport = :5060' 2>/dev/null | grep -q '"kamailio"' ||
     ss -Hlntp 'sport = :5060' 2>/dev/null | grep -q '"kamailio"'; then
    echo "install-deps.sh: warning: kamailio listens on port 5060 (not started by this script)" >&2
  fi
fi
echo "install-deps.sh: installed: ${missing[*]}"
