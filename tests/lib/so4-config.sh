#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libfuse3.so.4's struct fuse_config and want_ext, mounted (suite 'lib',
# as root): so4-config.c's init() sets set_mode, umask 0, fmask 022 and
# dmask 077; as with the umask option the mask replaces the permission
# bits (0777 & ~mask), so its file must show 0755 and its directory 0700,
# where umask 0 alone gives 0777 to both; it wants
# ASYNC_DIO through fuse_set_feature_flag, and the 32-bit want must
# agree.
#
#   so4-config.sh SO4_CONFIG_BINARY
set -u
if [ -z "${FUSED_LIBTEST_NS:-}" ]; then
  export FUSED_LIBTEST_NS=1
  exec unshare --mount --propagation private "$0" "$@"
fi
bin=$1
tmp=$(mktemp -d /tmp/fused-so4cfg.XXXXXX) || exit 1
mkdir "$tmp/mnt"
server=
cleanup() {
  set +e
  grep -q " $tmp/mnt " /proc/self/mounts && { timeout 10 umount "$tmp/mnt" || umount -l "$tmp/mnt"; }
  [ -n "$server" ] && kill -9 "$server" 2>/dev/null
  grep -q " $tmp/" /proc/self/mounts || rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

env --default-signal=INT "$bin" "$tmp/mnt" -f 2> "$tmp/err" &
server=$!
for _ in $(seq 100); do
  grep -q " $tmp/mnt fuse" /proc/self/mounts && break
  kill -0 "$server" 2>/dev/null || { cat "$tmp/err" >&2; echo "FAIL: exited before mounting" >&2; exit 1; }
  sleep 0.1
done
rc=0
f=$(stat -c %a "$tmp/mnt/file") d=$(stat -c %a "$tmp/mnt/dir")
echo "file $f, dir $d"
[ "$f" = 755 ] || { echo "FAIL: fmask 022 not applied to the file: $f" >&2; rc=1; }
[ "$d" = 700 ] || { echo "FAIL: dmask 077 not applied to the directory: $d" >&2; rc=1; }
umount "$tmp/mnt"
wait "$server" || { echo "FAIL: server exit status $?" >&2; rc=1; }
server=
cat "$tmp/err"
grep -q 'ASYNC_DIO wanted, want agrees' "$tmp/err" ||
  { echo "FAIL: fuse_set_feature_flag and want disagree (or ASYNC_DIO not offered)" >&2; rc=1; }
exit $rc
