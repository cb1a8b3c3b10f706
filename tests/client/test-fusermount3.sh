#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fusermount3 drop-in driven exactly as libfuse 2 drives fusermount, by
# a real unprivileged uid against a private bus, polkitd and fused:
# socketpair, _FUSE_COMMFD, the fd received with SCM_RIGHTS and served, then
# `fusermount3 -u`; auto_unmount; refusals.
#   test-fusermount3.sh FUSED FUSERMOUNT3 FUSERMOUNT_COMPAT
set -u
. "$(dirname "$0")/../fused/harness.sh"
. "$(dirname "$0")/lib.sh"
h_enter_ns "$@"
fused=$(realpath "$1") fusermount3=$(realpath "$2") compat=$(realpath "$3")   # meson passes them relative
built=$fusermount3   # the copy the uids run has no setuid bit whatever the build's has
h_setup
h_user_bins fusermount3 compat
h_start_fused "$fused"

h_check "fusermount3 is installed without a setuid bit" not test -u "$built"

mnt=$H_TMP/mnt/compat
h_mkdir "$mnt" "$H_UID0" 0755
h_check "libfuse 2 protocol: mount, serve, fusermount3 -u (uid $H_UID0)" \
  as "$H_UID0" "$compat" "$fusermount3" "$mnt"
h_check "auto_unmount: the mount goes when the filesystem process dies" \
  as "$H_UID0" "$compat" "$fusermount3" "$mnt" auto_unmount
h_check "auto_unmount, libfuse 3 style (_FUSE_COMMFD2 closed by the helper)" \
  as "$H_UID0" "$compat" "$fusermount3" "$mnt" auto_unmount2
h_check "go-fuse's way: socket at fd 3, MOUNTPOINT before -o" \
  as "$H_UID0" "$compat" "$fusermount3" "$mnt" gofuse
h_check "nothing left mounted" not is_fuse_mounted "$mnt"

# A mount that stays, for -u by someone else and -z.
as "$H_UID0" "$compat" "$fusermount3" "$mnt" serve >"$H_TMP/serve.out" 2>&1 &
server=$!
h_check "serve: mounted" wait_for is_fuse_mounted "$mnt"
h_check "-u by another uid is refused (exit 1)" expect_rc 1 as "$H_UID1" "$fusermount3" -u "$mnt"
h_check "... saying why" grep -q "fusermount3: failed to unmount $mnt" <<<"$ERR"
h_check "... and the mount is still there" is_fuse_mounted "$mnt"
h_check "-u -z by the owner" as "$H_UID0" "$fusermount3" -u -z "$mnt"
h_check "... unmounted" wait_for not is_fuse_mounted "$mnt"
h_check "... and the server saw the connection end" wait "$server"

# Refusals, with the exit status and message programs and users see.
other=$H_TMP/mnt/other
h_mkdir "$other" "$H_UID1" 0755
h_check "mount on another user's directory is refused" \
  expect_rc 1 as "$H_UID0" "$compat" "$fusermount3" "$other"
h_check "... with fused's reason" grep -q "fusermount3: mount failed: ." <<<"$ERR"
h_check "... and nothing mounted" not is_fuse_mounted "$other"
h_check "-u of something not mounted: exit 1" expect_rc 1 as "$H_UID0" "$fusermount3" -u "$mnt"
h_check "... -q keeps it quiet" expect_rc 1 as "$H_UID0" "$fusermount3" -u -q "$mnt"
h_check "... (no message)" test -z "$ERR"
h_check "mounting by hand (no _FUSE_COMMFD) is refused" \
  expect_rc 1 as "$H_UID0" "$fusermount3" "$mnt"
h_check "... saying so" grep -q "old style mounting not supported" <<<"$ERR"
h_check "usage error: exit 1" expect_rc 1 as "$H_UID0" "$fusermount3" -x "$mnt"
h_check "-V" as "$H_UID0" "$fusermount3" -V

h_stop_fused
h_check "fused stopped: mount refused (exit 1)" \
  expect_rc 1 as "$H_UID0" "$compat" "$fusermount3" "$mnt"
h_check "... the message says what to start" grep -q "fused is not running: start fused.service" <<<"$ERR"
h_done
