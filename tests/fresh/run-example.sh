#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# A newcomer's first ten minutes, measured (issue 18): a freshly debootstrapped Debian 12 root,
# booted with systemd-nspawn, gets `git ca-certificates`, a clone of this repository, and the
# README's run command (scripts/run-example.sh); once the example answers, dig and nslookup
# ask it from inside the container. Prints the packages each step installed and the time it
# took. Not run by ctest or CI: it downloads Debian (debootstrap and apt from the mirror).
#
# Usage (as root): tests/fresh/run-example.sh [--root DIR] [--keep] [--mirror URL]
#   --root DIR   a debootstrapped bookworm root to copy instead of debootstrapping anew
#   --keep       keep the work directory (printed at the end)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
base_root=""
keep=0
mirror=http://deb.debian.org/debian
while (($#)); do
  case "$1" in
    --root) base_root=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --mirror) mirror=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run-example.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ $EUID -eq 0 ]] || { echo "run-example.sh: run as root (debootstrap, systemd-nspawn)" >&2; exit 2; }
for tool in debootstrap systemd-nspawn git; do
  command -v "$tool" >/dev/null || { echo "run-example.sh: $tool is missing (scripts/install-deps.sh)" >&2; exit 2; }
done

work=$(mktemp -d /var/tmp/sipdns-fresh.XXXXXX)
cleanup() { ((keep)) || rm -rf "$work"; }
trap cleanup EXIT
root=$work/root
t0=$SECONDS
if [[ -n "$base_root" ]]; then
  cp -a --reflink=auto "$base_root" "$root"
  echo "root: copied from $base_root"
else
  debootstrap bookworm "$root" "$mirror" > "$work/debootstrap.log" 2>&1
  echo "root: debootstrap bookworm in $((SECONDS - t0)) s"
fi
packages() { chroot "$root" dpkg-query -W -f='${db:Status-Status}\n' | grep -c '^installed$'; }
echo "bare Debian 12: $(packages) packages"

# The repository as a newcomer gets it: a clone (what is committed, nothing of this tree's build).
git clone -q "$repo" "$root/root/sipdns"
# As tests/packaging does it: a mount namespace of its own with a tmpfs where nspawn keeps its
# propagation directory, not registered with machined (a host whose PID 1 is not systemd has
# no system bus), the host's network (apt downloads from the mirror).
in_container() {
  unshare --mount --propagation private sh -c \
    'mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn &&
     exec systemd-nspawn -q --register=no --keep-unit --pipe -D "$0" --chdir=/root/sipdns /bin/bash -c "$1"' \
    "$root" "$1"
}

step=$SECONDS
before=$(packages)
in_container 'apt-get update -qq && apt-get install -y -qq git ca-certificates > /dev/null'
echo "git ca-certificates: $(($(packages) - before)) packages in $((SECONDS - step)) s"

# The README's run command, until the example answers; then the README's checks from inside.
step=$SECONDS
before=$(packages)
in_container '
  scripts/run-example.sh > /root/run-example.log 2>&1 &
  for i in $(seq 1 3600); do
    grep -q "info: ready:" /root/run-example.log 2>/dev/null && break
    kill -0 $! 2>/dev/null || { tail -30 /root/run-example.log; exit 1; }
    sleep 1
  done
  grep -q "info: ready:" /root/run-example.log || { tail -30 /root/run-example.log; exit 1; }
  echo "ready after $SECONDS s: $(grep -m1 "info: ready:" /root/run-example.log)"
  dig +short @127.0.0.1 -p 5353 _sip._udp.scsnetwork.local SRV
  nslookup -port=5353 scs1.scsnetwork.local 127.0.0.1 | tail -2
  kill $!
  wait $! 2>/dev/null || true'
echo "scripts/run-example.sh: $(($(packages) - before)) packages, ready and answering after $((SECONDS - step)) s"
echo "total: $((SECONDS - t0)) s"
((keep)) && echo "kept: $work"
