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
t_client $A unmount "$M/a"
h_check "the owner unmounts the hung mount ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/a")"
t_stop $holder
h_check "fused still running" kill -0 "$H_FUSED_PID"
h_done
