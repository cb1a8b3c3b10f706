#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused short of resources (issue 8, "Faults, nothing lost"): out of file
# descriptors (prlimit --nofile on the running fused, below what it counted
# on at start), out of memory (RLIMIT_AS on the running fused: this
# machine's memory controller is cgroup v1, the v2 hierarchy has none, so
# no memory.max), and its state directory full (a tiny tmpfs) or
# read-only.  Every request is answered, fused lives on, an auto-unmount
# whose owner leaves meanwhile still happens once the fault is gone, and
# afterwards (fused started again) every mount has its record with its true
# owner, every record its mount, the owners unmount everything and fused's
# fds are back at its baseline.
#   test-faults-resources.sh FUSED FUSED_TEST_CLIENT
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"
t_init "$@"

A=$H_UID0 B=$H_UID1
M=$H_TMP/mnt
for i in $(seq 12); do h_mkdir "$M/a$i" $A 0755; h_mkdir "$M/b$i" $B 0755; done
f_baseline
fused_alive() { kill -0 "$H_FUSED_PID" 2>/dev/null && h_wait_name org.freedesktop.fuse1 2; }

# hold N: N auto-unmount mounts of A on a1..aN, held by clients (HOLD[i]).
declare -a HOLD
hold() {
  local i
  for i in $(seq "$1"); do
    t_bg $A "$H_TMP/h$i.out" mount --auto-unmount --hold "$M/a$i"
    HOLD[$i]=$T_BG_PID
    t_wait_ready "$H_TMP/h$i.out" $T_BG_PID || h_fail "holding a$i: $(cat "$H_TMP/h$i.out")"
  done
}

# requests WHAT: 8 Mounts (every other one passing a mountpoint fd), a
# ListMounts and an Unmount, during a fault; each must be answered within
# 30 s, by a mount or a named error (or, out of memory, sd-bus's NoMemory:
# fused may not even have the memory for its own error), never a hang.
answered() {
  [ "$T_RC" = 0 ] || [ "$T_RC" = 2 ] || [ "$T_OUT" = "error org.freedesktop.DBus.Error.NoMemory" ]
}
requests() {
  local what=$1 i ok=0 named=0 other=
  for i in $(seq 5 12); do
    fd=; [ $((i % 2)) = 0 ] && fd=--fd
    t_client $A mount $fd "$M/a$i"
    if [ "$T_RC" = 0 ]; then ok=$((ok + 1))
    elif answered; then named=$((named + 1))
    else other+=" a$i:rc=$T_RC:$T_OUT"; fi
  done
  h_check "$what: 8 Mounts answered, $ok made, $named refused with a named error (or NoMemory)${other:+, others:$other}" test -z "$other"
  t_client $B list
  h_check "$what: ListMounts answered (rc $T_RC)" answered
  t_client $A unmount "$M/a5"
  h_check "$what: Unmount answered (rc $T_RC: $T_OUT)" answered
  h_check "$what: fused lives on" fused_alive
}

# --- out of file descriptors -------------------------------------------------
hold 3
limits=$(awk '/^Max open files/ { print $4 ":" $5 }' "/proc/$H_FUSED_PID/limits")
open=$(ls "/proc/$H_FUSED_PID/fd" | wc -l)
prlimit --pid "$H_FUSED_PID" --nofile=$((open + 2)):"${limits#*:}"
requests "EMFILE (limit $((open + 2)), $open open)"
t_stop "${HOLD[1]}" KILL
sleep 1
h_check "EMFILE: fused lives on after the owner of an auto-unmount mount left" fused_alive
prlimit --pid "$H_FUSED_PID" --nofile="$limits"
h_check "EMFILE over: the auto-unmount of the owner who left happens" t_wait_unmounted "$M/a1" 10
t_mount_ok "EMFILE over: mounts are made again" $A "$M/a4"
t_stop "${HOLD[2]}" KILL; t_stop "${HOLD[3]}" KILL
h_check "EMFILE over: auto-unmount mounts go with their owners" eval 't_wait_unmounted "$M/a2" 10 && t_wait_unmounted "$M/a3" 10'
f_consistent "EMFILE, same fused"
h_stop_fused; h_start_fused
f_consistent "EMFILE, fused started again"
f_clean "EMFILE"

# --- out of memory (RLIMIT_AS) -------------------------------------------------
hold 3
t_client 0 list     # its buffers, then trimmed: the limit is on what it holds idle
sleep 1
vm=$(awk '/^VmSize/ { print $2 }' "/proc/$H_FUSED_PID/status")
prlimit --pid "$H_FUSED_PID" --as=$(( vm * 1024 )):unlimited
requests "ENOMEM (RLIMIT_AS = VmSize, $vm kB)"
t_stop "${HOLD[1]}" KILL
sleep 1
h_check "ENOMEM: fused lives on after the owner of an auto-unmount mount left" fused_alive
prlimit --pid "$H_FUSED_PID" --as=unlimited:unlimited
h_check "ENOMEM over: the auto-unmount of the owner who left happens" t_wait_unmounted "$M/a1" 10
t_mount_ok "ENOMEM over: mounts are made again" $A "$M/a4"
t_stop "${HOLD[2]}" KILL; t_stop "${HOLD[3]}" KILL
h_check "ENOMEM over: auto-unmount mounts go with their owners" eval 't_wait_unmounted "$M/a2" 10 && t_wait_unmounted "$M/a3" 10'
f_consistent "ENOMEM, same fused"
h_stop_fused; h_start_fused
f_consistent "ENOMEM, fused started again"
f_clean "ENOMEM"

# --- the state directory full, then read-only ----------------------------------
# A tmpfs of 64 KiB, filled up; fused keeps its mounts in memory and on
# the bus meanwhile, and records them once there is room again (at the
# latest when it reconciles its records: on ListMounts, every minute).
h_stop_fused
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$H_STATE" || h_die "tmpfs on $H_STATE"
mkdir -m 0700 "$H_STATE/mounts"
h_start_fused
t_mount_ok "state dir with room: B mounts" $B "$M/b1"
dd if=/dev/zero of="$H_STATE/filler" bs=4k 2>/dev/null
t_mount_ok "state dir full: A mounts" $A "$M/a1"
t_mount_ok "state dir full: B mounts" $B "$M/b2"
t_client $B unmount "$M/b1"
h_check "state dir full: B unmounts ($T_OUT)" test "$T_RC" = 0
f_consistent "state dir full, same fused"
h_check "state dir full: fused says it cannot record" grep -q "Cannot record mount $M/a1" "$H_FUSED_LOG"
rm -f "$H_STATE/filler"
t_client 0 list
h_stop_fused; h_start_fused
f_consistent "state dir full, then room again, fused started again"
f_clean "state dir full"

t_mount_ok "state dir read-only: A mounts first" $A "$M/a1"
h_check "state dir made read-only (fused holds no file of it open for writing)" mount -o remount,ro "$H_STATE"
t_mount_ok "state dir read-only: A mounts" $A "$M/a2"
t_mount_ok "state dir read-only: B mounts" $B "$M/b1"
t_client $A unmount "$M/a1"
h_check "state dir read-only: A unmounts ($T_OUT)" test "$T_RC" = 0
f_consistent "state dir read-only, same fused"
mount -o remount,rw "$H_STATE"
t_client 0 list
h_stop_fused; h_start_fused
f_consistent "state dir read-only, then writable, fused started again"
f_clean "state dir read-only"
h_check "no state file left behind, temporary or not" test -z "$(ls -A "$H_STATE/mounts")"

h_done
