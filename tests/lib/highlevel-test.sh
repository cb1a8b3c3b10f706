#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Mounted tests of the high-level library options, through the passthrough
# example: hidden files vs hard_remove, use_ino, readdir_ino, remember and
# noforget, umask/uid/gid, the subdir and iconv modules, fuse_main's exit
# codes.  Every mount is undone on exit, also on failure.
#
#   highlevel-test.sh CASE PASSTHROUGH HELLO DINO APIFS
#
# passthrough forces use_ino and zero timeouts in its init(); the cases
# about the library's own inode numbers use hello, which does not.
set -u
case=$1 fs=$2 hello=$3 dino=$4 apifs=$5

tmp=$(mktemp -d /tmp/fused-hltest.XXXXXX) || exit 1
mnt=$tmp/mnt back=$tmp/back
mkdir "$mnt" "$back"
server=
rc=0

unmount() {
  grep -q " $1 " /proc/self/mounts || return 0
  timeout 10 umount "$1" 2>/dev/null && return 0
  local dev
  dev=$(awk -v m="$1" '$5 == m { print $3 }' /proc/self/mountinfo | tail -n1)
  [ -n "$dev" ] && echo 1 > "/sys/fs/fuse/connections/${dev#*:}/abort" 2>/dev/null
  timeout 10 umount "$1" 2>/dev/null || umount -l "$1"
}

stop() {
  unmount "$mnt"
  if [ -n "$server" ]; then
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server" 2>/dev/null
    wait "$server" 2>/dev/null
  fi
  server=
}

cleanup() {
  set +e
  stop
  grep -q " $tmp/" /proc/self/mounts || rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*" >&2; rc=1; }
t() { timeout 10 "$@"; }

start() {   # start OPTIONS: passthrough of $back on $mnt
  start_fs "$fs" "source=$back${1:+,$1}"
}

start_fs() {   # start_fs BINARY OPTIONS [ARGS...]
  local bin=$1 opts=$2
  shift 2
  "$bin" "$mnt" -f ${opts:+-o "$opts"} "$@" &
  server=$!
  for _ in $(seq 100); do
    grep -q " $mnt fuse" /proc/self/mounts && return 0
    kill -0 "$server" 2>/dev/null || { echo "server exited before mounting" >&2; exit 1; }
    sleep 0.1
  done
  echo "not mounted within 10 s" >&2
  exit 1
}

hidden_count() { find "$back" -maxdepth 1 -name '.fuse_hidden*' | wc -l; }

case $case in
hidden)
  # An open file unlinked through the mount lives on under a hidden name
  # until its last close; with hard_remove it is gone at once.
  start ""
  echo "still here" > "$mnt/f"
  exec 3<"$mnt/f"
  t rm "$mnt/f" || fail "unlink"
  [ -e "$mnt/f" ] && fail "f still visible after unlink"
  [ "$(hidden_count)" = 1 ] || fail "no .fuse_hidden file while open: $(ls -a "$back")"
  [ "$(t cat <&3)" = "still here" ] || fail "open file unreadable after unlink"
  # renaming over an open file hides the target as well
  echo old > "$mnt/t"; echo new > "$mnt/n"
  exec 4<"$mnt/t"
  t mv "$mnt/n" "$mnt/t" || fail "rename over open file"
  [ "$(hidden_count)" = 2 ] || fail "rename target not hidden: $(ls -a "$back")"
  [ "$(t cat <&4)" = old ] || fail "renamed-over file unreadable"
  [ "$(t cat "$mnt/t")" = new ] || fail "rename result"
  exec 3<&- 4<&-
  for _ in $(seq 50); do [ "$(hidden_count)" = 0 ] && break; sleep 0.1; done
  [ "$(hidden_count)" = 0 ] || fail "hidden files left after close: $(ls -a "$back")"
  # still open at unmount: the library removes it on the way out
  echo x > "$mnt/g"
  exec 3<"$mnt/g"
  t rm "$mnt/g"
  [ "$(hidden_count)" = 1 ] || fail "no hidden file for g"
  exec 3<&-
  stop
  [ "$(hidden_count)" = 0 ] || fail "hidden file left after unmount"

  start "hard_remove"
  echo "still here" > "$mnt/f"
  exec 3<"$mnt/f"
  t rm "$mnt/f" || fail "unlink (hard_remove)"
  [ "$(hidden_count)" = 0 ] || fail "hard_remove left a hidden file"
  [ -e "$back/f" ] && fail "hard_remove did not unlink the backing file"
  exec 3<&-
  ;;
ino)
  # use_ino passes st_ino through (passthrough sets it in init())
  echo a > "$back/a"
  start ""
  [ "$(stat -c %i "$mnt/a")" = "$(stat -c %i "$back/a")" ] || fail "use_ino: st_ino differs"
  stop
  # otherwise st_ino is the library's nodeid; readdir_ino puts it in d_ino
  start_fs "$hello" "attr_timeout=0"
  ino=$(stat -c %i "$mnt/hello")
  [ "$ino" -gt 1 ] && [ "$ino" -lt 100 ] || fail "nodeid $ino is not the library's"
  d=$(t "$dino" "$mnt" | awk '$2 == "hello" { print $1 }')
  [ "$d" = 4294967295 ] || fail "without readdir_ino: d_ino $d, want 4294967295"
  stop
  start_fs "$hello" "readdir_ino"
  ino=$(stat -c %i "$mnt/hello")
  d=$(t "$dino" "$mnt" | awk '$2 == "hello" { print $1 }')
  [ "$d" = "$ino" ] || fail "readdir_ino: d_ino $d, want $ino"
  ;;
remember)
  # After the kernel forgets a name, a new lookup gets a new nodeid;
  # remember= and noforget keep the old one.
  start_fs "$hello" "attr_timeout=0"
  i1=$(stat -c %i "$mnt/hello"); echo 2 > /proc/sys/vm/drop_caches
  i2=$(stat -c %i "$mnt/hello")
  [ "$i1" != "$i2" ] || fail "nodeid kept without remember ($i1): did the kernel forget?"
  stop
  for o in remember=60 noforget; do
    start_fs "$hello" "$o"
    i1=$(stat -c %i "$mnt/hello"); echo 2 > /proc/sys/vm/drop_caches
    i2=$(stat -c %i "$mnt/hello")
    [ "$i1" = "$i2" ] || fail "$o: nodeid changed $i1 -> $i2"
    stop
  done
  # remember=1: the cleaner forgets it a second later
  start_fs "$hello" "remember=1"
  i1=$(stat -c %i "$mnt/hello"); echo 2 > /proc/sys/vm/drop_caches
  sleep 3
  i2=$(stat -c %i "$mnt/hello")
  [ "$i1" != "$i2" ] || fail "remember=1: nodeid $i1 still remembered after 3 s"
  ;;
attrs)
  echo a > "$back/a"; mkdir "$back/d"
  start "umask=027,uid=61001,gid=61002"
  [ "$(stat -c %a:%u:%g "$mnt/a")" = "750:61001:61002" ] || fail "umask/uid/gid: $(stat -c %a:%u:%g "$mnt/a")"
  stop
  start "fmask=137,dmask=022"
  [ "$(stat -c %a "$mnt/a")" = 640 ] || fail "fmask: $(stat -c %a "$mnt/a")"
  [ "$(stat -c %a "$mnt/d")" = 755 ] || fail "dmask: $(stat -c %a "$mnt/d")"
  ;;
rofd)
  # no_rofd_flush: closing a read-only fd sends no FLUSH (seen in -d)
  for o in "" no_rofd_flush; do
    start_fs "$hello" "$o" -d 2> "$tmp/debug"
    t cat "$mnt/hello" > /dev/null || fail "read hello"
    stop
    n=$(grep -c 'opcode: FLUSH' "$tmp/debug")
    if [ -z "$o" ]; then [ "$n" -ge 1 ] || fail "no FLUSH seen without no_rofd_flush"
    else [ "$n" = 0 ] || fail "no_rofd_flush: $n FLUSH requests"; fi
  done
  ;;
subdir)
  mkdir -p "$back/sub/dir"
  echo hi > "$back/sub/dir/f"
  ln -s /sub/dir/f "$back/sub/abs"
  ln -s /elsewhere "$back/sub/out"
  start "modules=subdir,subdir=/sub,rellinks"
  [ "$(t cat "$mnt/dir/f")" = hi ] || fail "subdir: read through the mount"
  [ "$(readlink "$mnt/abs")" = dir/f ] || fail "rellinks: $(readlink "$mnt/abs")"
  [ "$(readlink "$mnt/out")" = /elsewhere ] || fail "rellinks changed a link outside: $(readlink "$mnt/out")"
  echo new > "$mnt/new"
  [ "$(cat "$back/sub/new")" = new ] || fail "subdir: create lands in the subdir"
  t mv "$mnt/new" "$mnt/dir/moved" || fail "subdir: rename"
  [ -e "$back/sub/dir/moved" ] || fail "subdir: rename target"
  stop
  start "modules=subdir,subdir=/sub/"
  [ "$(readlink "$mnt/abs")" = /sub/dir/f ] || fail "norellinks: $(readlink "$mnt/abs")"
  ;;
iconv)
  touch "$back/$(printf 'caf\xe9')"
  start "modules=iconv,from_code=ISO-8859-1,to_code=UTF-8"
  [ "$(t ls "$mnt")" = "café" ] || fail "iconv: listing $(t ls "$mnt" | od -c)"
  [ -e "$mnt/café" ] || fail "iconv: lookup"
  touch "$mnt/naïve" || fail "iconv: create"
  [ -e "$back/$(printf 'na\xefve')" ] || fail "iconv: created name $(ls "$back" | od -c)"
  stop
  # the modules stack: subdir under iconv
  mkdir "$back/s"; touch "$back/s/$(printf '\xe0')"
  start "modules=subdir:iconv,subdir=/s,from_code=ISO-8859-1,to_code=UTF-8"
  [ "$(t ls "$mnt")" = "à" ] || fail "subdir:iconv listing"
  ;;
api)
  # ioctl, poll + fuse_notify_poll, fuse_invalidate_path, the context
  start_fs "$apifs" ""
  t "$apifs" --check "$mnt" || fail "highlevel-apifs --check"
  stop
  start_fs "$apifs" "" -s
  t "$apifs" --check "$mnt" || fail "highlevel-apifs --check (single-threaded)"
  ;;
intr)
  # a read interrupted by the caller's signal: the file system sees
  # fuse_interrupted(); with -o intr its blocking syscall gets EINTR too
  start_fs "$apifs" ""
  t "$apifs" --check-intr "$mnt" slow || fail "fuse_interrupted"
  if t "$apifs" --check-intr "$mnt" sleep 2>/dev/null; then
    fail "without intr a sleeping read was cut short"
  fi
  stop
  start_fs "$apifs" "intr"
  t "$apifs" --check-intr "$mnt" sleep || fail "intr: the sleeping read went on"
  stop
  start_fs "$apifs" "intr,intr_signal=12"
  t "$apifs" --check-intr "$mnt" sleep || fail "intr_signal=12"
  ;;
main)
  # fuse_main's exit codes, and nothing mounted on failure.
  "$fs" >/dev/null 2>&1; r=$?
  [ $r = 2 ] || fail "no mountpoint: exit $r, want 2"
  "$fs" -h > "$tmp/help" 2>&1; r=$?
  [ $r = 0 ] || fail "-h: exit $r"
  grep -q hard_remove "$tmp/help" && grep -q "subdir module" "$tmp/help" || fail "-h: library and module help missing"
  "$fs" -V >/dev/null 2>&1 || fail "-V: exit $?"
  for o in bogus_option umask=abc modules=nosuchmodule modules=subdir; do
    "$fs" "$mnt" -f -o "source=$back,$o" > "$tmp/err" 2>&1; r=$?
    [ $r != 0 ] || fail "-o $o: exit 0"
    grep -q " $mnt " /proc/self/mounts && { fail "-o $o: mounted"; unmount "$mnt"; }
  done
  "$fs" "$mnt" -f -o "source=$back,modules=nosuchmodule" 2>&1 | grep -q nosuchmodule ||
    fail "unknown module not named in the error"
  # a clean unmount ends fuse_main with 0
  start ""
  unmount "$mnt"
  wait "$server"; r=$?; server=
  [ $r = 0 ] || fail "exit after unmount: $r"
  ;;
*)
  echo "unknown case $case" >&2
  exit 2
  ;;
esac
exit $rc
