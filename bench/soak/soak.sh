#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Soak of fused: 20 concurrent unprivileged clients (soak-client, two per
# test uid 61000-61009), CYCLES mount/unmount cycles in all, while clients,
# the filesystem processes serving some of the mounts (example/hello_ll)
# and fused's worker children are SIGKILLed at random.  Every SAMPLE
# cycles fused's fd count, worker count, VmRSS and record count (ListMounts)
# and the FUSE mounts present go into a CSV.  At the end, with everything
# stopped and idle, they must be flat: fds (less 2 per idle worker) as
# after the warm-up, VmRSS within 10% (+256 KiB) of it, no record, no
# mount, no server and no orphaned worker left, the same fused running.
# Not a test (not in meson's test list): run it by hand, as root.
#
#   bench/soak/soak.sh FUSED FUSED_TEST_CLIENT SOAK_CLIENT HELLO_LL [CYCLES [SAMPLE [CSV]]]
#   e.g. nice bench/soak/soak.sh build/fused/fused build/tests/fused/fused-test-client \
#          build/bench/soak/soak-client build/example/hello_ll 100000
#
# CYCLES defaults to 10000 (the first tenth, at most 2000, is the warm-up),
# SAMPLE to CYCLES/100, CSV to ./soak-YYYYmmdd-HHMMSS.csv (the clients'
# errors to CSV.clients.log).  Kills, at each turn of the driver's loop
# (about 0.5 s on the 2-core machine): a random client with a chance of 1
# in SOAK_KILL_CLIENT (default 2), a random server 1 in SOAK_KILL_SERVER
# (2), a random worker of fused 1 in SOAK_KILL_WORKER (3); 0 turns one off.  Runs in the test harness's
# namespaces (tests/fused/harness.sh): private bus, polkitd, fused.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../tests/fused/harness.sh"
[ $# -ge 4 ] || h_die "usage: $0 FUSED FUSED_TEST_CLIENT SOAK_CLIENT HELLO_LL [CYCLES [SAMPLE [CSV]]]"
csv_default=$PWD/soak-$(date +%Y%m%d-%H%M%S).csv
h_enter_ns "$@"
fused=$(realpath "$1") client=$(realpath "$2") soak=$(realpath "$3") hello=$(realpath "$4")
cycles=${5:-10000}
sample=${6:-$(( cycles / 100 > 0 ? cycles / 100 : 1 ))}
csv=${7:-$csv_default}
warmup=$(( cycles / 10 < 2000 ? cycles / 10 : 2000 ))
kill_client=${SOAK_KILL_CLIENT:-2} kill_server=${SOAK_KILL_SERVER:-2} kill_worker=${SOAK_KILL_WORKER:-3}
N_CLIENTS=20

h_setup
# /run/fused is a tmpfs on a real system.
mount -t tmpfs -o mode=0755,size=16m tmpfs "$H_STATE" || h_die "cannot mount a tmpfs on $H_STATE"
h_user_bins client soak hello
h_start_fused "$fused"
FUSED0=$H_FUSED_PID
M=$H_TMP/mnt
for i in $(seq 0 $((N_CLIENTS - 1))); do h_mkdir "$M/s$i" $((61000 + i % 10)) 0755; done
counter=$H_TMP/counter
truncate -s 4096 "$counter"
chmod 0666 "$counter"

# The counters soak-client keeps (its SoakCounters), by name.
declare -A C
read_counters() {
  local v; v=($(od -An -t u8 -N 64 -v "$counter"))
  C=([cycles]=${v[0]} [mount_ok]=${v[1]} [mount_fail]=${v[2]} [unmount_ok]=${v[3]}
     [unmount_fail]=${v[4]} [serve_ok]=${v[5]} [serve_fail]=${v[6]} [cleanups]=${v[7]})
}
fused_fds() { ls "/proc/$H_FUSED_PID/fd" | wc -l; }
fused_workers() { pgrep -P "$H_FUSED_PID" | wc -l; }
fused_rss() { awk '/^VmRSS/ { print $2 }' "/proc/$H_FUSED_PID/status"; }
records() { "$client" list | grep -c . ; }
mounts() { h_fuse_mounts_under "$M" | wc -l; }
# Processes named fused that are not this fused or its children: workers
# of nobody.
orphan_workers() {
  local p n=0
  for p in $(pgrep -x fused); do
    [ "$p" = "$H_FUSED_PID" ] && continue
    [ "$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)" = "$H_FUSED_PID" ] && continue
    n=$((n + 1))
  done
  echo $n
}
servers() { pgrep -x "$(basename "$hello")" | wc -l; }

kills_client=0 kills_server=0 kills_worker=0
t0=$(date +%s.%N)
: >"$csv.clients.log"
echo "cycles,seconds,fds,workers,fds_less_workers,rss_kb,records,mounts,mount_ok,mount_fail,unmount_ok,unmount_fail,serve_ok,serve_fail,cleanups,kills_client,kills_server,kills_worker" >"$csv"
sample_row() {
  local f w
  read_counters
  f=$(fused_fds) w=$(fused_workers)
  printf '%s,%.1f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' \
    "${C[cycles]}" "$(echo "$(date +%s.%N) - $t0" | bc)" "$f" "$w" $((f - 2 * w)) "$(fused_rss)" \
    "$(records)" "$(mounts)" "${C[mount_ok]}" "${C[mount_fail]}" "${C[unmount_ok]}" "${C[unmount_fail]}" \
    "${C[serve_ok]}" "${C[serve_fail]}" "${C[cleanups]}" $kills_client $kills_server $kills_worker >>"$csv"
}

declare -a pid
start_client() {
  local i=$1 target=$2
  setpriv --reuid=$((61000 + i % 10)) --regid=$((61000 + i % 10)) --clear-groups -- \
    "$soak" "$counter" "$M/s$i" "$hello" "$target" "$RANDOM" 2>>"$csv.clients.log" &
  pid[$i]=$!
}
# 1 in TENTHS of a tenth-second tick.
chance() { [ "$1" -gt 0 ] && [ $((RANDOM % $1)) = 0 ]; }
kill_random() {
  local victims=($@)
  [ ${#victims[@]} -gt 0 ] || return 1
  kill -KILL "${victims[RANDOM % ${#victims[@]}]}" 2>/dev/null
}

# run_until TARGET: clients, kills and samples until the counter reaches
# TARGET; then every slot is cleaned up by a last client (a killed one may
# have left its mount, which only its owner takes down) and all are reaped.
next_sample=0
run_until() {
  local target=$1 i
  for i in $(seq 0 $((N_CLIENTS - 1))); do start_client "$i" "$target"; done
  while :; do
    read_counters
    [ "${C[cycles]}" -ge "$target" ] && break
    if [ "${C[cycles]}" -ge "$next_sample" ]; then
      sample_row
      next_sample=$(( (C[cycles] / sample + 1) * sample ))
    fi
    for i in $(seq 0 $((N_CLIENTS - 1))); do
      kill -0 "${pid[$i]}" 2>/dev/null && continue
      wait "${pid[$i]}" 2>/dev/null
      start_client "$i" "$target"
    done
    if chance "$kill_client"; then
      i=$((RANDOM % N_CLIENTS))
      kill -KILL "${pid[$i]}" 2>/dev/null && kills_client=$((kills_client + 1))
    fi
    chance "$kill_server" && kill_random $(pgrep -x "$(basename "$hello")") && kills_server=$((kills_server + 1))
    chance "$kill_worker" && kill_random $(pgrep -P "$H_FUSED_PID") && kills_worker=$((kills_worker + 1))
    kill -0 "$H_FUSED_PID" 2>/dev/null || { echo "soak: fused died"; tail "$H_FUSED_LOG"; exit 1; }
    sleep 0.1
  done
  for i in $(seq 0 $((N_CLIENTS - 1))); do
    timeout 60 tail --pid="${pid[$i]}" -f /dev/null || kill -KILL "${pid[$i]}" 2>/dev/null
    wait "${pid[$i]}" 2>/dev/null
    start_client "$i" 0
  done
  wait "${pid[@]}" 2>/dev/null
} 2>/dev/null   # (bash's "Killed" notices)

# Idle: no request, servers gone, auto-unmounts done, heap trimmed.
settle() {
  local i
  for i in $(seq 100); do
    [ "$(mounts)" = 0 ] && [ "$(servers)" = 0 ] && [ "$(records)" = 0 ] && break
    sleep 0.2
  done
  sleep 1.5
}

echo "soak: $cycles cycles ($warmup warm-up), $N_CLIENTS clients, sample every $sample, CSV $csv"
run_until "$warmup"
settle
sample_row
fds_warm=$(tail -1 "$csv" | cut -d, -f5) rss_warm=$(fused_rss) records_warm=$(records)
echo "soak: after warm-up: fds less workers $fds_warm, VmRSS $rss_warm kB, records $records_warm"
tw=$(date +%s.%N)
run_until "$cycles"
te=$(date +%s.%N)
settle
sample_row
read_counters
fds_end=$(tail -1 "$csv" | cut -d, -f5) rss_end=$(fused_rss) records_end=$(records) left=$(mounts)
rss_max=$(tail -n +2 "$csv" | cut -d, -f6 | sort -n | tail -1)
rate=$(echo "scale=1; (${C[cycles]} - $warmup) / ($te - $tw)" | bc)
echo "soak: ${C[cycles]} cycles, $(echo "$te - $t0" | bc | cut -d. -f1) s, $rate cycles/s after the warm-up"
echo "soak: mounts ok ${C[mount_ok]} failed ${C[mount_fail]}; unmounts ok ${C[unmount_ok]} failed ${C[unmount_fail]};" \
     "served ok ${C[serve_ok]} failed ${C[serve_fail]}; left mounts taken down by the next client ${C[cleanups]}"
echo "soak: SIGKILLed $kills_client clients, $kills_server servers, $kills_worker workers"
echo "soak: fds less workers $fds_warm -> $fds_end; VmRSS $rss_warm -> $rss_end kB (max sampled $rss_max);" \
     "records $records_warm -> $records_end; mounts left $left"

h_check "fused is the one started, never restarted or crashed" test "$H_FUSED_PID" = "$FUSED0"
h_check "fd count flat ($fds_warm after warm-up, $fds_end at the end)" test "$fds_end" -le "$fds_warm"
h_check "VmRSS flat ($rss_warm kB after warm-up, $rss_end kB at the end)" \
  test "$rss_end" -le $(( rss_warm + rss_warm / 10 + 256 ))
h_check "no record left ($records_end)" test "$records_end" = 0
h_check "no mount left ($left)" test "$left" = 0
h_check "no server left ($(servers))" test "$(servers)" = 0
h_check "no orphaned worker ($(orphan_workers))" test "$(orphan_workers)" = 0
h_check "most cycles mounted (${C[mount_ok]} of ${C[cycles]})" test $(( 2 * C[mount_ok] )) -ge "${C[cycles]}"
h_done
