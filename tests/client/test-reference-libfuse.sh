#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's own libfuse 3.14 (the reference, unchanged) mounting as an
# unprivileged uid through our fusermount3 drop-in and fused: libfuse opens
# /dev/fuse, mount(2) is refused, it runs fusermount3 with _FUSE_COMMFD and
# gets the fd back; on exit it runs `fusermount3 -u -q -z`; auto_unmount
# keeps our helper waiting for the socket to close.
#
# The reference only falls back to fusermount3 when it could open
# /dev/fuse: stock Debian has it 0666.  This namespace recreates that with
# a 0666 node of the same device bind-mounted over /dev/fuse (the machine's
# stays 0600), and our fusermount3 over /usr/bin's setuid one.
#   test-reference-libfuse.sh FUSED FUSERMOUNT3 REF_HELLO
set -u
. "$(dirname "$0")/../fused/harness.sh"
. "$(dirname "$0")/lib.sh"
h_enter_ns "$@"
fused=$(realpath "$1") fusermount3=$(realpath "$2") hello=$(realpath "$3")
# meson points LD_LIBRARY_PATH at our libfuse3.so.3; this test wants
# Debian's, which is what the copy of hello (no runpath) then resolves.
unset LD_LIBRARY_PATH
h_setup
h_user_bins fusermount3 hello
h_start_fused "$fused"

mount --bind "$fusermount3" /usr/bin/fusermount3
mknod -m 0666 "$H_TMP/fuse" c 10 229
mount --bind "$H_TMP/fuse" /dev/fuse

U=$H_UID0
m=$H_TMP/mnt/ref
h_mkdir "$m" "$U" 0755

as_bg "$U" "$hello" -f "$m" >"$H_TMP/ref.log" 2>&1 &
pid=$!
h_check "Debian's libfuse3 as uid $U: mounted (through fusermount3 and fused)" \
  wait_for is_fuse_mounted "$m"
h_check "... it is Debian's library that runs" \
  eval 'grep -q "/usr/lib/.*/libfuse3\.so\.3" /proc/$pid/maps && ! grep libfuse3 /proc/$pid/maps | grep -qv " /usr/lib/"'
h_check "... fused made the mount" grep -q "Mount uid=$U .*mountpoint=$m .*verdict=allow" "$H_FUSED_LOG"
h_check "... served" eval 'test "$(as "$U" cat "$m/hello")" = "Hello, world!"'
kill -TERM "$pid"
h_check "... SIGTERM: it exits" wait_for gone "$pid"
wait "$pid"
h_check "... and unmounted with fusermount3 -u through fused" wait_for not is_fuse_mounted "$m"
h_check "... (fused's log says so)" grep -q "Unmount uid=$U .*mountpoint=$m .*verdict=allow" "$H_FUSED_LOG"

as_bg "$U" "$hello" -f -o auto_unmount "$m" >"$H_TMP/ref2.log" 2>&1 &
pid=$!
h_check "with auto_unmount: mounted" wait_for is_fuse_mounted "$m"
kill -KILL "$pid"; wait "$pid" 2>/dev/null
h_check "... kill -9: our lingering fusermount3 lets go and fused unmounts" \
  wait_for not is_fuse_mounted "$m"
h_check "... no helper left behind" wait_for not pgrep -u "$U" -x fusermount3
h_done
