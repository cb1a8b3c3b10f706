#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused, rule 2: a directory and a symlink to a directory the caller may not
# write keep being exchanged, at the last component and at a parent, while
# the caller asks for mounts there (test-symlink-race.c).  No mount may ever
# land on the symlink's target.
#   test-symlink-race.sh FUSED FUSED_TEST_CLIENT TEST_SYMLINK_RACE [ITERATIONS]
set -uo pipefail
source "$(dirname "$0")/lib.sh"
race_bin=$(realpath "$3")
iterations=${4:-300}
t_init "$@"
h_user_bins race_bin

A=$H_UID0
h_mkdir "$H_TMP/mnt/race" $A 0755
h_mkdir "$H_TMP/forbidden" 0 0755
h_mkdir "$H_TMP/forbidden/m" 0 0755

out=$(timeout 300 setpriv --reuid=$A --regid=$A --clear-groups -- \
      "$race_bin" "$H_TMP/mnt/race" "$H_TMP/forbidden" "$iterations" 2>"$H_TMP/race.err")
rc=$?
echo "$out"
[ $rc -eq 2 ] && cat "$H_TMP/race.err"
h_check "mounts never landed outside the caller's directory ($out)" test $rc = 0
h_check "nothing mounted on or under the forbidden directory" \
  test -z "$(h_fuse_mounts_under "$H_TMP/forbidden")"
h_check "fused still running" kill -0 "$H_FUSED_PID"
h_done
