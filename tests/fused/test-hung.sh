#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused and a hung FUSE filesystem (mounted, fd held, never served): a
# request whose path goes through it is refused after fused's worker
# timeout instead of hanging, other callers are served meanwhile, and the
# owner can still unmount the hung mount (no FUSE request needed).  The
# hung mount has allow_other: without it the kernel refuses the workers at
# once (a worker is not exactly the owner's process: its saved uid is 0, as
# with fusermount3), and the timeout is what this test is about.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init "$@"

A=$H_UID0 B=$H_UID1
M=$H_TMP/mnt
h_mkdir "$M/a" $A 0755
h_mkdir "$M/b" $B 0755
echo user_allow_other >"$H_CONF"
t_bg $A "$H_TMP/hold.out" mount --hold -o allow_other "$M/a"
holder=$T_BG_PID
h_check "a mount nobody serves" t_wait_ready "$H_TMP/hold.out" $holder

t_bg $A "$H_TMP/o1.out" mount "$M/a/sub"; p1=$T_BG_PID
t_bg $A "$H_TMP/o2.out" unmount "$M/a/sub"; p2=$T_BG_PID
sleep 1
start=$SECONDS
t_client $B mount "$M/b"
h_check "meanwhile another caller is served ($T_OUT)" test "$T_RC" = 0 -a $((SECONDS - start)) -lt 10
t_release $B "$M/b"
wait $p1 $p2
h_check "Mount through the hung fs: refused, not hung ($(cat "$H_TMP/o1.out"))" \
  grep -q "^error ${FUSED_ERROR_PREFIX}" "$H_TMP/o1.out"
h_check "Unmount through the hung fs: refused, not hung ($(cat "$H_TMP/o2.out"))" \
  grep -q "^error ${FUSED_ERROR_PREFIX}" "$H_TMP/o2.out"
# While a worker runs as the caller, the caller may signal it (as with
# fusermount3, whose real uid is the caller's): killing it fails only the
# caller's own request, at once, and fused goes on with fresh workers.
workers_as() {
  local w
  for w in $(pgrep -P "$H_FUSED_PID"); do
    awk -v u="$1" '/^Uid:/ { exit !($2 == u) }' "/proc/$w/status" 2>/dev/null && echo "$w"
  done
}
t_bg $A "$H_TMP/o3.out" mount "$M/a/sub"; p3=$T_BG_PID
sleep 1
stuck=$(workers_as $A)
h_check "the stuck request's worker runs as the caller" test -n "$stuck"
start=$SECONDS
h_as $A kill -KILL $stuck
wait $p3
h_check "the caller killed its worker: its request fails at once ($(cat "$H_TMP/o3.out"))" \
  eval 'grep -q "^error ${FUSED_ERROR_PREFIX}" "$H_TMP/o3.out" && [ $((SECONDS - start)) -lt 10 ]'
t_client $B mount "$M/b"
h_check "later requests are served ($T_OUT)" test "$T_RC" = 0
t_release $B "$M/b"
idle=$(pgrep -P "$H_FUSED_PID" | head -1)
h_check "an idle worker is root again: the caller cannot signal it" \
  eval '[ -n "$idle" ] && ! h_as $A kill -0 "$idle" 2>/dev/null'

# Nor can a caller slow down later requests through a worker: the kernel
# lets no one renice a process with more capabilities than it has, and a
# worker whose nice value, scheduling or affinity changed all the same (here
# root does it) is not used again.
t_bg $A "$H_TMP/o4.out" mount "$M/a/sub"; p4=$T_BG_PID
sleep 1
stuck=$(workers_as $A)
h_check "another stuck request's worker runs as the caller" test -n "$stuck"
h_check "the caller cannot renice it" eval '! h_as $A renice -n 10 -p "$stuck" >/dev/null 2>&1'
renice -n 10 -p "$stuck" >/dev/null
# The hung server goes away: the stuck lookup fails, the job ends as usual.
t_stop $holder
wait $p4
h_check "that request ends ($(cat "$H_TMP/o4.out"))" grep -q "^error ${FUSED_ERROR_PREFIX}" "$H_TMP/o4.out"
gone() { local t=40; while (( t-- > 0 )); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done; return 1; }
h_check "the reniced worker is not used again" gone "$stuck"
t_client $B mount "$M/b"
h_check "the next request is served ($T_OUT)" test "$T_RC" = 0
t_release $B "$M/b"
nice0() { local w; for w in $(pgrep -P "$H_FUSED_PID"); do [ "$(ps -o ni= -p "$w" | tr -d ' ')" = 0 ] || return 1; done; }
h_check "every worker left runs at nice 0" nice0

t_client $A unmount "$M/a"
h_check "the owner unmounts the hung mount ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/a")"
t_stop $holder
h_check "fused still running" kill -0 "$H_FUSED_PID"

# fused killed while a worker runs as the caller (a change of credentials
# clears the parent-death signal; the worker sets it again): the worker
# goes with fused at once, rather than finish a job nobody will answer.
t_bg $A "$H_TMP/hold2.out" mount --hold -o allow_other "$M/a"
holder=$T_BG_PID
h_check "another mount nobody serves" t_wait_ready "$H_TMP/hold2.out" $holder
t_bg $A "$H_TMP/o5.out" mount "$M/a/sub"; p5=$T_BG_PID
sleep 1
stuck=$(workers_as $A)
h_check "a worker is stuck running as the caller" test -n "$stuck"
h_stop_fused KILL
h_check "fused killed: the stuck worker is gone too" gone "$stuck"
wait $p5
h_start_fused
t_client $A unmount "$M/a"
h_check "restarted fused unmounts the hung mount for its owner ($T_OUT)" test "$T_RC" = 0
t_stop $holder
h_done
