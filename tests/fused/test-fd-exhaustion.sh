#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused with few file descriptors (ulimit -n 48, as a stand-in for a
# launch-helper activation with the default 1024 and ~500 auto-unmount
# mounts, each holding a namespace and a root fd): mounts beyond what the
# fds allow must be refused cleanly, and every auto-unmount mount that was
# made must still go away when its owner does (fused keeps fds in reserve
# for that and retries an auto-unmount that could not start).  Then with a
# soft limit of 48 under a hard one of 1024: fused raises its soft limit to
# the hard one at start, as systemd does for services, and takes all 40.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
h_enter_ns "$@"
T_FUSED=$(realpath "$1") T_CLIENT=$(realpath "$2")
h_setup
h_user_bins T_CLIENT
printf '#!/bin/sh\nulimit -n 48\nexec "%s" "$@"\n' "$T_FUSED" >"$H_TMP/fused-lowfd"
chmod +x "$H_TMP/fused-lowfd"
h_start_fused "$H_TMP/fused-lowfd"

A=$H_UID0
M=$H_TMP/mnt
pids=() made=0 refused=0
for i in $(seq 40); do
  h_mkdir "$M/d$i" $A 0755
  t_bg $A "$H_TMP/o$i" mount --auto-unmount --hold "$M/d$i"
  pids+=($T_BG_PID)
  if t_wait_ready "$H_TMP/o$i" $T_BG_PID 10; then made=$((made + 1))
  elif grep -q "^error ${FUSED_ERROR_PREFIX}" "$H_TMP/o$i"; then refused=$((refused + 1)); fi
done
h_check "out of fds: $made made, $refused refused with a named error" test $((made + refused)) = 40
h_check "fused survives running out of fds" kill -0 "$H_FUSED_PID"
{ for p in "${pids[@]}"; do kill -KILL $p; wait $p; done; } 2>/dev/null
sleep 5
left=$(h_fuse_mounts_under "$M" | wc -l)
h_check "every auto-unmount mount goes with its owner ($left of $made left)" test "$left" = 0
h_check "the refusals are TooManyMounts, saying why" \
  eval 'grep -l "^error ${FUSED_ERROR_PREFIX}TooManyMounts" "$H_TMP"/o* | wc -l | grep -qx "$refused" &&
        grep -q "short of file descriptors" "$H_FUSED_LOG"'

h_stop_fused
printf '#!/bin/sh\nexec prlimit --nofile=48:1024 -- "%s" "$@"\n' "$T_FUSED" >"$H_TMP/fused-softfd"
chmod +x "$H_TMP/fused-softfd"
h_start_fused "$H_TMP/fused-softfd"
pids=() made=0
for i in $(seq 40); do
  t_bg $A "$H_TMP/p$i" mount --auto-unmount --hold "$M/d$i"
  pids+=($T_BG_PID)
  t_wait_ready "$H_TMP/p$i" $T_BG_PID 10 && made=$((made + 1))
done
h_check "with the soft limit raised to the hard one, all 40 are made ($made)" test "$made" = 40
h_check "fused's soft fd limit is its hard limit" \
  eval 'grep -q "^Max open files *1024 *1024 " /proc/$H_FUSED_PID/limits'
{ for p in "${pids[@]}"; do kill -KILL $p; wait $p; done; } 2>/dev/null
for i in $(seq 20); do [ -z "$(h_fuse_mounts_under "$M")" ] && break; sleep 0.5; done
left=$(h_fuse_mounts_under "$M" | wc -l)
h_check "and all go with their owners ($left left)" test "$left" = 0
h_done
