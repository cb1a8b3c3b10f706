#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused, rule 5: fuse.conf.  mount_max counted over the FUSE mounts of all
# users but root (also under concurrent requests), malformed lines logged
# and ignored, a missing file means the defaults.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init "$@"

M=$H_TMP/mnt
for u in 0 1 2 3 4 5 6 7 8 9; do
  for i in 0 1 2; do h_mkdir "$M/u$u-$i" 6100$u 0755; done
done
h_mkdir "$M/root0" 0 0755

# Take down every test mount through fused, as its owner (from the
# directory's name: stat on a FUSE mount of another uid is refused).
release_all() {
  local mp name
  for mp in "$M"/u*; do
    [ -n "$(t_mountinfo "$mp")" ] || continue
    name=${mp##*/u}
    t_release "6100${name%%-*}" "$mp"
  done
  return 0
}

echo "mount_max = 3" >"$H_CONF"
t_mount_ok "1st of mount_max=3" $H_UID0 "$M/u0-0"
t_mount_ok "2nd" $H_UID0 "$M/u0-1"
t_mount_ok "3rd, by another user" $H_UID1 "$M/u1-0"
t_mount_err "4th refused" TooManyMounts $H_UID2 "$M/u2-0"
t_mount_err "... for every user" TooManyMounts $H_UID0 "$M/u0-2"
t_client 0 mount "$M/root0"
h_check "root is not limited by mount_max" test "$T_RC" = 0 -a -n "$(t_mountinfo "$M/root0")"
t_release 0 "$M/root0"
release_all
# As fusermount3 counts: the FUSE mounts of root do not count.
h_mkdir "$M/root1" 0 0755
t_client 0 mount "$M/root0"; t_client 0 mount "$M/root1"
t_mount_ok "root's mounts do not count against mount_max (1)" $H_UID0 "$M/u0-0"
t_mount_ok "root's mounts do not count against mount_max (2)" $H_UID0 "$M/u0-1"
t_mount_ok "root's mounts do not count against mount_max (3)" $H_UID1 "$M/u1-0"
t_mount_err "... and users' still do" TooManyMounts $H_UID2 "$M/u2-0"
t_release $H_UID0 "$M/u0-0"
t_mount_ok "room again after a user's unmount" $H_UID2 "$M/u2-0"
t_release 0 "$M/root0"; t_release 0 "$M/root1"
release_all
h_check "all released: $(h_fuse_mounts_under "$M" | tr '\n' ' ')" test -z "$(h_fuse_mounts_under "$M")"

# Concurrent requests must not squeeze past the limit together.
echo "mount_max = 5" >"$H_CONF"
pids=()
for u in 0 1 2 3 4 5 6 7 8 9; do
  for i in 0 1; do
    setpriv --reuid=6100$u --regid=6100$u --clear-groups -- \
      timeout 60 "$T_CLIENT" mount "$M/u$u-$i" >"$H_TMP/conc-$u-$i.out" 2>&1 &
    pids+=($!)
  done
done
wait "${pids[@]}"
ok=$(grep -l "^$FUSED_MOUNT_PATH_PREFIX/" "$H_TMP"/conc-*.out | wc -l)
too=$(grep -l "^error ${FUSED_ERROR_PREFIX}TooManyMounts" "$H_TMP"/conc-*.out | wc -l)
h_check "20 concurrent requests under mount_max=5: 5 mounted ($ok)" test "$ok" = 5
h_check "... 15 refused with TooManyMounts ($too)" test "$too" = 15
h_check "... and 5 FUSE mounts exist" test "$(h_fuse_mounts_under "$M" | wc -l)" = 5
release_all

# Malformed lines: logged, ignored, never fatal; the good lines still count.
cat >"$H_CONF" <<'EOF2'
# a comment
this is not a setting
mount_max = lots
mount_max =
user_allow_other please
=
mount_max = 99999999999999999999999
mount_max = -1
mount_max = 2
EOF2
printf 'garbage\0after a NUL\n' >>"$H_CONF"
mark=$(t_log_mark)
t_mount_err "user_allow_other with trailing junk is not user_allow_other" \
  PermissionDenied $H_UID3 "$M/u3-0" -o allow_other
t_mount_ok "malformed fuse.conf does not stop mounts" $H_UID0 "$M/u0-0"
t_mount_ok "2nd" $H_UID1 "$M/u1-0"
t_mount_err "the valid mount_max = 2 still counts" TooManyMounts $H_UID2 "$M/u2-0"
h_check "fused is still running" kill -0 "$H_FUSED_PID"
h_check "malformed lines are logged" grep -q "this is not a setting" <(t_log_since "$mark")
release_all

rm -f "$H_CONF"
t_mount_ok "no fuse.conf: defaults" $H_UID0 "$M/u0-0"
t_mount_err "no fuse.conf: no user_allow_other" PermissionDenied $H_UID1 "$M/u1-0" -o allow_other
release_all

h_done
