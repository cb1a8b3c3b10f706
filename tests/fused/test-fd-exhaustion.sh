#!/bin/bash
# NOT REGISTERED in meson: fused fails it (see the fused-tests report).
#
# fused with few file descriptors (ulimit -n 48, as a stand-in for a
# launch-helper activation with the default 1024 and ~500 auto-unmount
# mounts, each holding a namespace and a root fd): mounts beyond what the
# fds allow must be refused cleanly, and every auto-unmount mount that was
# made must still go away when its owner does.  Today the auto-unmounts
# fail with EMFILE ("Cannot start auto-unmount ...: Too many open files")
# and are never retried: the mounts stay.
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
h_done
