#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libfuse3.so.4 against libfuse 3.18.2 itself (suite 'lib', as root).
#
#   so4-reference.sh MODE EXAMPLE FSOPS MOUNTED_TEST SO4_LIB INCLUDE_DIR CC CXX
#
# MODE ref:  the EXAMPLE binary of a libfuse 3.18.2 build, linked against
#            its libfuse3.so.4, runs on ours through LD_LIBRARY_PATH;
# MODE ours: 3.18.2's example/EXAMPLE.c (or .cc) compiled against our
#            headers (INCLUDE_DIR, FUSED_SOVERSION's default: 4) and
#            linked to our SO4_LIB.
# Either way the server must have mapped our SO4_LIB (/proc/PID/maps) and
# serve its files: the C examples through mounted-test and fsops (kinds
# as for our own examples), passthrough_hp and memfs_ll (C++, their own
# command lines) here; passthrough_hp also with FUSE passthrough, where
# the kernel must do the data I/O itself (no READ/WRITE reaches it).
#
# The reference: $FUSED_LIBFUSE318_SRC (default /tmp/libfuse-3.18.2, the
# release source) and $FUSED_LIBFUSE318_BUILD (default <src>-build, built
# with meson); README.md says how to make them.  Without them this test
# skips (77): CI has no way to fetch libfuse's source.
set -u

mode=$1 ex=$2 fsops=$3 mounted_test=$4 so4=$5 inc=$6 cc=$7 cxx=$8
src=${FUSED_LIBFUSE318_SRC:-/tmp/libfuse-3.18.2}
build=${FUSED_LIBFUSE318_BUILD:-$src-build}

if [ ! -f "$src/example/hello.c" ] || [ ! -f "$src/include/fuse_lowlevel.h" ]; then
  echo "SKIP: no libfuse 3.18.2 source at $src (FUSED_LIBFUSE318_SRC; tests/lib/README.md)" >&2
  exit 77
fi
if [ "$mode" = ref ] && [ ! -x "$build/example/$ex" ]; then
  echo "SKIP: no libfuse 3.18.2 build with $build/example/$ex (FUSED_LIBFUSE318_BUILD; tests/lib/README.md)" >&2
  exit 77
fi

# A private mount namespace, as mounted-test has, for the C++ cases here.
if [ -z "${FUSED_LIBTEST_NS:-}" ]; then
  export FUSED_LIBTEST_NS=1
  exec unshare --mount --propagation private "$0" "$@"
fi

tmp=$(mktemp -d /tmp/fused-so4ref.XXXXXX) || exit 1
chmod 755 "$tmp"
server=
cleanup() {
  set +e
  if grep -q " $tmp/mnt " /proc/self/mounts; then
    timeout 10 umount "$tmp/mnt" || umount -l "$tmp/mnt"
  fi
  if [ -n "$server" ]; then
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server" 2>/dev/null
  fi
  grep -q " $tmp/" /proc/self/mounts || rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

so4=$(readlink -f "$so4")
so4dir=$(dirname "$so4")

if [ "$mode" = ref ]; then
  bin=$build/example/$ex
  # the reference binary finds its own build's library through RUNPATH;
  # LD_LIBRARY_PATH comes first
  export LD_LIBRARY_PATH=$so4dir
  if ! readelf -d "$bin" | grep -q 'NEEDED.*libfuse3\.so\.4'; then
    echo "FAIL: $bin does not need libfuse3.so.4" >&2
    exit 1
  fi
else
  bin=$tmp/$ex
  # What libfuse's build tells its examples about this platform (its
  # fuse_config.h): without them they leave out utimens, xattrs, statx...
  have=(-DHAVE_COPY_FILE_RANGE -DHAVE_FALLOCATE -DHAVE_FDATASYNC
        -DHAVE_FSTATAT -DHAVE_LINUX_LIMITS_H -DHAVE_POSIX_FALLOCATE
        -DHAVE_SETXATTR -DHAVE_STATX -DHAVE_SYS_XATTR_H -DHAVE_UTIMENSAT)
  if [ -f "$src/example/$ex.c" ]; then
    build_cmd=("$cc" -std=gnu11 -Wall -Werror "${have[@]}" "$src/example/$ex.c")
  else
    build_cmd=("$cxx" -std=c++20 -Wall "${have[@]}" "$src/example/$ex.cc")
  fi
  echo "+ ${build_cmd[*]} -I$inc ... $so4"
  "${build_cmd[@]}" -D_FILE_OFFSET_BITS=64 -I"$inc" -I"$src/example" \
    -o "$bin" "$so4" -Wl,-rpath,"$so4dir" -lpthread || {
    echo "FAIL: 3.18.2's $ex does not build against our headers" >&2; exit 1; }
fi

# A sanitizer build's library (tools/run-tests' asan stage) in programs
# that are not instrumented: its runtime must be loaded first, in the
# server only (not the compiler, not the harness's awk).  Their leaks are
# libfuse's examples', not ours (our own examples' tests check the
# library's).
san=$(ldd "$so4" | awk '$1 ~ /^lib(asan|ubsan)\.so/ { print $3 }' | tr '\n' ':')
if [ -n "$san" ]; then
  cat > "$tmp/preloaded-$ex" <<WRAP
#!/bin/sh
exec env LD_PRELOAD="${san%:}" ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0" "$bin" "\$@"
WRAP
  chmod +x "$tmp/preloaded-$ex"
  bin=$tmp/preloaded-$ex
fi

# The passthroughs: the harness our own examples use, comparing the mount
# of / with the real /usr/include/linux (3.18.2's passthrough_ll has no
# RENAME_* flags and xattrs only on request: fsops rw is for ours).
case $ex in
passthrough|passthrough_fh|passthrough_ll)
  "$mounted_test" "$fsops" passthrough-root "$bin" --expect-lib="$so4"
  exit ;;
esac

# The others, with their own command lines: mount, check the library,
# use, unmount; the server must exit 0.
mkdir "$tmp/src" "$tmp/mnt"
start() {
  "$bin" "$@" > "$tmp/server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    grep -q " $tmp/mnt fuse" /proc/self/mounts && break
    kill -0 "$server" 2>/dev/null || { cat "$tmp/server.log" >&2; echo "FAIL: $ex exited before mounting" >&2; exit 1; }
    sleep 0.1
  done
  lib=$(awk '/libfuse3\.so/ { print $6; exit }' "/proc/$server/maps")
  if [ "$(readlink -f "$lib")" != "$so4" ]; then
    echo "FAIL: $ex loaded '$lib', not $so4" >&2
    exit 1
  fi
  echo "$ex runs on $lib"
}
stop() {
  umount "$tmp/mnt" || { echo "FAIL: umount" >&2; exit 1; }
  wait "$server"; rc=$?
  server=
  [ $rc = 0 ] || { cat "$tmp/server.log" >&2; echo "FAIL: $ex exited with $rc" >&2; exit 1; }
}
io() {
  head -c 8M /dev/urandom > "$tmp/data"
  # fd 3 keeps the file's inode referenced until the end: 3.18.2's memfs_ll
  # drops a file whose inode the kernel forgets (on its own library too),
  # which memory pressure or another test's drop_caches can cause at any
  # moment between the write and the read.
  exec 3<>"$tmp/mnt/data" || { echo "FAIL: create" >&2; exit 1; }
  dd if="$tmp/data" of="$tmp/mnt/data" bs=1M conv=fsync status=none ||
    { exec 3<&-; echo "FAIL: write" >&2; exit 1; }
  # read from the file system, not the page cache (not for memfs_ll: see
  # above)
  [ "$ex" = memfs_ll ] || echo 3 > /proc/sys/vm/drop_caches
  cmp "$tmp/data" "$tmp/mnt/data" || { exec 3<&-; echo "FAIL: read back differs" >&2; exit 1; }
  exec 3<&-
  mkdir "$tmp/mnt/d" && touch "$tmp/mnt/d/f" && [ "$(ls "$tmp/mnt/d")" = f ] ||
    { echo "FAIL: mkdir/create/readdir" >&2; exit 1; }
  echo "8 MiB written and read back, mkdir, create, readdir: ok"
}
data_ops() {   # READ and WRITE requests the server got
  grep -cE 'opcode: (READ|WRITE) ' "$tmp/server.log"
}

case $ex in
hello|hello_ll)
  start -f "$tmp/mnt"
  [ "$(ls "$tmp/mnt")" = hello ] || { echo "FAIL: readdir: $(ls "$tmp/mnt")" >&2; exit 1; }
  [ "$(cat "$tmp/mnt/hello")" = "Hello World!" ] || { echo "FAIL: read" >&2; exit 1; }
  [ "$(stat -c %s "$tmp/mnt/hello")" = 13 ] || { echo "FAIL: size" >&2; exit 1; }
  if echo x > "$tmp/mnt/hello" 2>/dev/null; then echo "FAIL: hello is writable" >&2; exit 1; fi
  echo "readdir, stat, read, EACCES on write: ok"
  stop
  ;;
null)
  # a file system of one file, mounted on a file
  rmdir "$tmp/mnt" && touch "$tmp/mnt"
  start -f "$tmp/mnt"
  [ "$(head -c 65536 "$tmp/mnt" | tr -d '\0' | wc -c)" = 0 ] || { echo "FAIL: read not zeros" >&2; exit 1; }
  [ "$(stat -c %s "$tmp/mnt")" = 4294967296 ] || { echo "FAIL: size" >&2; exit 1; }
  head -c 1M /dev/zero > "$tmp/mnt" || { echo "FAIL: write" >&2; exit 1; }
  echo "read zeros, 4 GiB, write: ok"
  stop
  ;;
memfs_ll)
  start -f "$tmp/mnt"
  io
  stop
  ;;
passthrough_hp)
  # without passthrough the data goes through the server...
  start --foreground --debug-fuse --nopassthrough "$tmp/src" "$tmp/mnt"
  io
  stop
  n=$(data_ops)
  [ "$n" -gt 0 ] || { echo "FAIL: no READ/WRITE seen without passthrough: the check below proves nothing" >&2; exit 1; }
  cmp "$tmp/data" "$tmp/src/data" || { echo "FAIL: backing file differs" >&2; exit 1; }
  echo "without passthrough: $n READ/WRITE requests"
  # ...with it (the default, as root) the kernel does it on the backing file
  rm -rf "$tmp/src/data" "$tmp/src/d"
  start --foreground --debug-fuse "$tmp/src" "$tmp/mnt"
  io
  stop
  n=$(data_ops)
  if [ "$n" != 0 ] || grep -q 'passthrough.*fail' "$tmp/server.log"; then
    grep -i 'passthrough' "$tmp/server.log" | head >&2
    echo "FAIL: with passthrough the server still got $n READ/WRITE requests" >&2
    exit 1
  fi
  cmp "$tmp/data" "$tmp/src/data" || { echo "FAIL: backing file differs" >&2; exit 1; }
  echo "with passthrough: 0 READ/WRITE requests, backing file identical"
  ;;
*)
  echo "FAIL: no test for $ex" >&2
  exit 1
  ;;
esac
exit 0
