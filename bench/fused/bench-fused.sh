#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused against setuid fusermount3: N mount+unmount cycles as an
# unprivileged uid through each, in one run, and fused's memory idle, with
# 1000 live mounts and after unmounting them, twice.  Not a test: it prints
# numbers.
#
#   bench/fused/bench-fused.sh FUSED BENCH_FUSED [CYCLES [DROPIN]]
#   (as root; e.g. build/fused/fused build/bench/fused/bench-fused 300;
#   DROPIN, the fusermount3 drop-in, defaults to the build's client/)
#
# Runs in the test harness's namespaces (private bus, polkitd, fused from
# the build).  fusermount3 is Debian's (package fuse3).  Target: fused's
# cycle at most 0.5x fusermount3's; RSS under 4 MiB and flat.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../tests/fused/harness.sh"
[ $# -ge 2 ] || h_die "usage: $0 FUSED BENCH_FUSED [CYCLES]"
h_enter_ns "$@"
fused=$(realpath "$1") bench=$(realpath "$2") cycles=${3:-300}
dropin=$(realpath "${4:-$(dirname "$bench")/../../client/fusermount3}")
[ -x "$dropin" ] || h_die "no fusermount3 drop-in: $dropin"
[ -u /usr/bin/fusermount3 ] || h_die "no setuid /usr/bin/fusermount3 (Debian package fuse3)"

# fusermount3 opens /dev/fuse itself as root; should a system need the
# device opened by the caller, 0666 is set here and restored on exit.
fuse_mode=$(stat -c %a /dev/fuse)
restore_dev() { chmod "$fuse_mode" /dev/fuse; }

h_setup
trap 'rc=$?; restore_dev; (exit $rc); h_cleanup' EXIT
echo "mount_max = 2000" >"$H_CONF"
# fused's state dir is /run/fused on a real system: tmpfs, as here (the
# harness's is on the temp dir's disk filesystem); h_cleanup unmounts it.
mount -t tmpfs -o mode=0755,size=16m tmpfs "$H_STATE" || h_die "cannot mount a tmpfs on $H_STATE"
h_start_fused "$fused"
h_user_bins bench dropin
A=$H_UID0
as_a() { BENCH_DROPIN=$dropin setpriv --reuid=$A --regid=$A --clear-groups -- "$@"; }
# fused gives freed heap back 0.5 s after the last request (fused/memory.c):
# read what it holds when idle, as it would sit between bursts.
rss() { sleep 1; awk '/^VmRSS/ { print $2 }' "/proc/$H_FUSED_PID/status"; }

h_mkdir "$H_TMP/mnt/cycle" $A 0755
if ! as_a "$bench" fusermount3 1 "$H_TMP/mnt/cycle" >/dev/null 2>&1; then
  chmod 0666 /dev/fuse
  as_a "$bench" fusermount3 1 "$H_TMP/mnt/cycle" >/dev/null || h_die "fusermount3 does not work here"
  echo "(/dev/fuse made 0666 for fusermount3; restored on exit)"
fi
as_a "$bench" fused 10 "$H_TMP/mnt/cycle" >/dev/null || h_die "fused cycle failed"
rss_idle=$(rss)

# CPU time in ns, less noisy than the wall clock on a shared machine: of
# fused's main loop, of its workers (live ones, and the reaped ones' ticks),
# of the bus daemon.
tick_ns=$((1000000000 / $(getconf CLK_TCK)))
cpu() {
  local kids p
  kids=$(awk -v t=$tick_ns '{ print ($16 + $17) * t }' "/proc/$H_FUSED_PID/stat")
  for p in $(cat /proc/$H_FUSED_PID/task/*/children); do
    kids=$((kids + $(cut -d' ' -f1 "/proc/$p/schedstat" 2>/dev/null || echo 0)))
  done
  echo "$(cut -d' ' -f1 "/proc/$H_FUSED_PID/schedstat") $kids $(cut -d' ' -f1 "/proc/$H_BUS_PID/schedstat")"
}

# Two rounds, alternating, so that drift on a shared machine hits both.
# fused-reuse: one process, one bus connection (fused's own share);
# fused: a new bus connection per cycle; fused-fork: a new process per
# cycle, as each filesystem process is, so polkit is asked every time
# (fused keeps its answers per process); dropin: a program that runs
# fusermount3 (libfuse 2, go-fuse), through fused's drop-in.
modes="fused-reuse fused fused-fork dropin fusermount3"
declare -A total cpu_main cpu_workers cpu_bus
for round in 1 2; do
  for mode in $modes; do
    read -r m0 w0 b0 < <(cpu)
    out=$(as_a "$bench" "$mode" "$cycles" "$H_TMP/mnt/cycle") || h_die "$mode failed"
    read -r m1 w1 b1 < <(cpu)
    cpu_main[$mode]=$(( ${cpu_main[$mode]:-0} + m1 - m0 ))
    cpu_workers[$mode]=$(( ${cpu_workers[$mode]:-0} + w1 - w0 ))
    cpu_bus[$mode]=$(( ${cpu_bus[$mode]:-0} + b1 - b0 ))
    echo "round $round: $out"
    total[$mode]=$(awk -v a="${total[$mode]:-0}" -v b="$(cut -d' ' -f3 <<<"$out")" 'BEGIN { print a + b }')
  done
done
n=$((2 * cycles))
per() { awk -v t="$1" -v n=$n 'BEGIN { printf "%.1f", t / n * 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "mount+unmount cycle, $n each, as uid $A (ratio to setuid fusermount3; target <= 0.5):"
cpu_per() { echo "$((cpu_main[$1] / n / 1000)) + $((cpu_workers[$1] / n / 1000)) us, bus daemon $((cpu_bus[$1] / n / 1000)) us"; }
row() {
  printf "  %-44s %8s us  %5sx" "$1" "$(per "${total[$2]}")" "$(ratio "${total[$2]}" "${total[fusermount3]}")"
  [ "$2" = dropin ] || [ "$2" = fusermount3 ] || printf "   (CPU: fused + workers %s)" "$(cpu_per "$2")"
  echo
}
row "fused, one process, one bus connection" fused-reuse
row "fused, one process, new connection each" fused
row "fused, a new process each (polkit asked)" fused-fork
row "fused's fusermount3 drop-in, run each time" dropin
row "setuid fusermount3, run each time" fusermount3
# What a new filesystem process pays before fused does anything.
echo "  of which not fused's: bus connection $(as_a "$bench" connect "$cycles" / | cut -d' ' -f4) us," \
     "one polkit check $(as_a "$bench" polkit "$cycles" / | cut -d' ' -f4) us"
rss_cycles=$(rss)
declare -A rss_1000 rss_after live

mkdir "$H_TMP/mnt/many"; chown $A:$A "$H_TMP/mnt/many"
as_a bash -c "for i in \$(seq 0 999); do mkdir '$H_TMP/mnt/many/'\$i; done"
# Two rounds: the second shows whether what the first used is reused and
# given back (flat), or leaks.
for round in 1 2; do
  out=$(as_a "$bench" mount-many 1000 "$H_TMP/mnt/many") || h_die "1000 mounts failed"
  echo "round $round, 1000 mounts: $out"
  rss_1000[$round]=$(rss)
  live[$round]=$(h_fuse_mounts_under "$H_TMP/mnt/many" | wc -l)
  out=$(as_a "$bench" unmount-many 1000 "$H_TMP/mnt/many") || h_die "1000 unmounts failed"
  echo "round $round, 1000 unmounts: $out"
  rss_after[$round]=$(rss)
done
echo
echo "fused VmRSS (KiB, 1 s idle before each reading; target < 4096 and flat):"
echo "  idle $rss_idle, after the cycles $rss_cycles"
for round in 1 2; do
  echo "  round $round: with ${live[$round]} live mounts ${rss_1000[$round]}," \
       "after unmounting them ${rss_after[$round]}"
done
