#!/usr/bin/env bash
# Install every Debian 12 package needed to build and test sipdns.
#
#   scripts/install-deps.sh            install what is missing (as root, or through sudo)
#   scripts/install-deps.sh --check    only list what is missing (exit 1 if anything is)
#   SIPDNS_SKIP_DEPS=1 scripts/...     do nothing (e.g. a prepared CI image)
#
# Idempotent: when every package is already installed nothing runs (no apt-get update, no root
# needed). Otherwise `apt-get update` once, then one `apt-get install -y --no-install-recommends`.
# Knot DNS, NSD, BIND, Unbound, ISC dhcpd and Kea are test tools only: their packages must not
# start (or leave enabled) a daemon on port 53 or 67, so service starts are blocked during the
# install with a temporary /usr/sbin/policy-rc.d (only when none exists), and services of packages
# installed by this run are disabled afterwards.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config
  libboost-dev libboost-system-dev libldns-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libsystemd-dev libgtest-dev googletest
  # forwarding (issue 13): libunbound's async resolver and cache; dns-root-data is the root
  # trust anchor (/usr/share/dns/root.key) and root hints for `forward: { to: root }`
  libunbound-dev dns-root-data
  # tests: DNS clients, reference servers, zone checkers, python, load generator
  bind9-dnsutils bind9-utils knot-dnsutils ldnsutils knot nsd
  # tests/integration/test_export_update.py: export --format nsupdate applied to BIND's named
  bind9
  python3 python3-dnspython python3-pytest dnsperf
  iproute2 procps
  # tests/interop/test_sip_stack.py: a SIP stack that resolves RFC 3263 (baresip on libre)
  baresip-core
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
# Packages that ship a DNS or DHCP daemon with a service unit / init script.
DAEMON_PACKAGES=(knot nsd bind9 unbound isc-dhcp-server kea-dhcp4-server kea-dhcp6-server)

check_only=0
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    --run-only|--skip) exit 0 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option: $arg" >&2; exit 2 ;;
  esac
done
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
  echo "install-deps.sh: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi
echo "install-deps.sh: missing: ${missing[*]}"
if ((check_only)); then exit 1; fi

# Root for the rest: re-run through sudo when needed.
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "$@"   # DEBIAN_FRONTEND is exported below, as root
  fi
  echo "install-deps.sh: not root and sudo is not installed; as root run: $0" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
newly_installed_daemons=()
# The unit / init script of a daemon package (Debian's bind9 ships "named").
service_name() { [[ "$1" == bind9 ]] && echo named || echo "$1"; }
for p in "${DAEMON_PACKAGES[@]}"; do
  installed "$p" || newly_installed_daemons+=("$p")
done

# Keep maintainer scripts from starting knot/nsd/named/unbound (invoke-rc.d and deb-systemd-invoke
# both ask policy-rc.d; 101 = "action forbidden"). Only ours is removed afterwards.
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

apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"

# The daemons we just installed must not serve (or come back at boot) on port 53.
if ((${#newly_installed_daemons[@]})) && command -v systemctl >/dev/null 2>&1 \
   && [[ -d /run/systemd/system ]]; then
  for p in "${newly_installed_daemons[@]}"; do
    service=$(service_name "$p")
    systemctl disable --now "$service.service" >/dev/null 2>&1 || true
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
fi
echo "install-deps.sh: installed: ${missing[*]}"
