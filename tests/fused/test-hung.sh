#!/bin/bash
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

t_client $A unmount "$M/a"
h_check "the owner unmounts the hung mount ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/a")"
t_stop $holder
h_check "fused still running" kill -0 "$H_FUSED_PID"
h_done
