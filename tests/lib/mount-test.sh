#!/bin/bash
# Mounting, unmounting, signals and the loops of lib/, as root, with
# mount-testfs: one scenario per run, always unmounting and stopping what it
# started.
#
#   mount-test.sh CASE MOUNT_TESTFS MOUNT_NOSYS MOUNT_FDPASS [OLD_TESTFS...]
#
# CASE: fsmount, fallback, regular-file, auto-unmount, sigterm,
# clone-fd, bad-option, daemonize, non-root, dev-fd, blkdev, api-versions
# (OLD_TESTFS: mount-testfs built at older FUSE_USE_VERSIONs).
set -u
case=$1 testfs=$2 nosys=$3 fdpass=$4

# In a mount namespace of our own, with private propagation: a namespace
# another program unshares meanwhile would otherwise get a copy of our
# mount, keep its superblock alive after our umount, and the filesystem
# would never see the end of its connection.
if [ -z "${MOUNT_TEST_UNSHARED:-}" ]; then
  exec env MOUNT_TEST_UNSHARED=1 unshare --mount --propagation private "$0" "$@"
fi
shift 4
old_testfs=("$@")
. "$(dirname "$0")/../user-bin.sh"

tmp=$(mktemp -d /tmp/fused-mounttest.XXXXXX) || exit 1
chmod 755 "$tmp"
mnt=$tmp/mnt
mkdir "$mnt"
server=
loopdev=
ENOSYS=38 EPERM=1

fail() { echo "FAIL: $*" >&2; exit 1; }

mounted() { grep -q " $1 " /proc/self/mountinfo; }

# Field N of the mountinfo line of $1 (after the " - " separator: 1 type,
# 2 source, 3 super options; before it: 6 mount options).
info() {
  awk -v m="$1" -v f="$2" '$5 == m {
      for (i = 7; $i != "-"; i++) ;
      line = (f == "opts") ? $6 : $(i + f) }
    END { print line }' /proc/self/mountinfo
}

# A dead or stuck server must not hang the cleanup: abort its connection.
unmount() {
  mounted "$1" || return 0
  local dev
  dev=$(awk -v m="$1" '$5 == m { print $3 }' /proc/self/mountinfo | tail -n1)
  timeout 10 umount "$1" 2>/dev/null && return 0
  [ -n "$dev" ] && echo 1 > "/sys/fs/fuse/connections/${dev#*:}/abort" 2>/dev/null
  timeout 10 umount "$1" 2>/dev/null || umount -l "$1"
}

cleanup() {
  set +e
  unmount "$mnt"
  [ -n "$server" ] && kill -9 "$server" 2>/dev/null
  # A leftover auto_unmount watcher or daemon carries the temp path.
  pkill -9 -f "$tmp" 2>/dev/null
  [ -n "$loopdev" ] && losetup -d "$loopdev"
  mounted "$mnt" || rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Starts the filesystem in the background (foreground mode) and waits for
# the mount.  $server is its pid.
start() {
  local target=$1; shift
  "$@" &
  server=$!
  for _ in $(seq 100); do
    mounted "$target" && return 0
    kill -0 "$server" 2>/dev/null || fail "$* exited before mounting"
    sleep 0.1
  done
  fail "$* did not mount $target within 10 s"
}

# Two reads of wait2 at once; prints how many requests each saw in flight
# ("2 2": they were served side by side).
two_reads() {
  timeout 20 cat "$mnt/wait2" > "$tmp/r1" &
  local p1=$!
  timeout 20 cat "$mnt/wait2" > "$tmp/r2" &
  wait $p1 $!
  echo "$(cat "$tmp/r1") $(cat "$tmp/r2")"
}

# How many /dev/fuse fds process $1 holds.
count_fuse_fds() {
  local n=0
  for f in /proc/"$1"/fd/*; do
    [ "$(readlink "$f")" = /dev/fuse ] && n=$((n + 1))
  done
  echo $n
}

# Waits for the server to exit; its status in $server_rc.
wait_server() {
  for _ in $(seq 100); do
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  # Where its threads wait says which side is stuck (read on /dev/fuse:
  # the kernel still has the connection; futex: the loop's shutdown).
  kill -0 "$server" 2>/dev/null &&
    fail "server $server still running; threads wait in:$(for t in /proc/"$server"/task/*; do printf ' %s' "$(cat "$t/wchan" 2>/dev/null)"; done)"
  wait "$server"; server_rc=$?
  server=
}

gone_within() {
  for _ in $(seq 50); do mounted "$1" || return 0; sleep 0.1; done
  return 1
}

check_hello() {
  [ "$(timeout 10 cat "$1")" = hello ] || fail "reading $1"
}

# Mounts with the given wrapper, checks what the kernel shows and serves,
# unmounts from outside and expects a clean exit.
mount_and_check() {
  start "$mnt" "$@" "$testfs" -f "$mnt" -o fsname=tfs-src,subtype=tsub,allow_other,noexec,default_permissions,ro,max_read=65536,noatime
  [ "$(info "$mnt" 1)" = fuse.tsub ] || fail "type $(info "$mnt" 1)"
  [ "$(info "$mnt" 2)" = tfs-src ] || fail "source $(info "$mnt" 2)"
  case ,$(info "$mnt" opts), in ,ro,nosuid,nodev,noexec,noatime,) ;; *) fail "mount options $(info "$mnt" opts)";; esac
  case ,$(info "$mnt" 3), in *,max_read=65536,*) ;; *) fail "no max_read in $(info "$mnt" 3)";; esac
  case ,$(info "$mnt" 3), in *,allow_other,*) ;; *) fail "no allow_other in $(info "$mnt" 3)";; esac
  case ,$(info "$mnt" 3), in *,default_permissions,*) ;; *) fail "no default_permissions in $(info "$mnt" 3)";; esac
  check_hello "$mnt/hello"
  [ "$(ls "$mnt" | tr '\n' ' ')" = "hello wait2 " ] || fail "readdir: $(ls "$mnt")"
  umount "$mnt" || fail "umount"
  wait_server
  [ "$server_rc" = 0 ] || fail "exit status $server_rc after unmount"
}

case $case in
fsmount)
  # The new mount API; mount(2) failing shows it is not used.
  mount_and_check "$nosys" --mount=$EPERM --
  ;;
fallback)
  # fsopen missing (ENOSYS): mount(2) does it...
  mount_and_check "$nosys" --fsopen=$ENOSYS --
  # ...and it really was mount(2): with that refused too, nothing mounts.
  out=$("$nosys" --fsopen=$ENOSYS --mount=$EPERM -- "$testfs" -f "$mnt" 2>&1) && fail "mounted without fsopen and mount(2)"
  mounted "$mnt" && fail "mounted without fsopen and mount(2)"
  echo "$out" | grep -q "mount failed: Operation not permitted" || fail "message: $out"
  # Other fsopen errors are real errors, not a reason to fall back.
  out=$("$nosys" --fsopen=$EPERM -- "$testfs" -f "$mnt" 2>&1) && fail "mounted although fsopen failed with EPERM"
  mounted "$mnt" && fail "fell back on EPERM"
  echo "$out" | grep -q "fsopen(fuse) failed" || fail "message: $out"
  ;;
regular-file)
  file=$tmp/file
  echo original > "$file"
  for wrap in "$nosys --mount=$EPERM --" "$nosys --fsopen=$ENOSYS --"; do
    start "$file" $wrap "$testfs" -f "$file"
    [ "$(info "$file" 1)" = fuse.mount-testfs ] || fail "type $(info "$file" 1)"
    check_hello "$file"
    [ -f "$file" ] || fail "not a regular file"
    umount "$file" || fail "umount"
    wait_server
    [ "$server_rc" = 0 ] || fail "exit status $server_rc"
    [ "$(cat "$file")" = original ] || fail "the file under the mount changed"
  done
  ;;
auto-unmount)
  for wrap in "$nosys --mount=$EPERM --" "$nosys --fsopen=$ENOSYS --"; do
    # The filesystem dies: its watcher unmounts and goes.
    start "$mnt" $wrap "$testfs" -f "$mnt" -o auto_unmount
    check_hello "$mnt/hello"
    pgrep -f "$tmp" >/dev/null || fail "no process"
    kill -9 "$server"
    wait "$server" 2>/dev/null
    server=
    gone_within "$mnt" || fail "still mounted 5 s after kill -9 ($wrap)"
    sleep 0.2
    pgrep -af "$tmp" && fail "a process lingers after auto-unmount"
    # A clean exit leaves no watcher behind either.
    start "$mnt" $wrap "$testfs" -f "$mnt" -o auto_unmount
    kill -TERM "$server"
    wait_server
    mounted "$mnt" && fail "still mounted after SIGTERM"
    sleep 0.2
    pgrep -af "$tmp" && fail "a process lingers after a clean exit"
    # The watcher does not keep the mount busy: a plain umount works.
    start "$mnt" $wrap "$testfs" -f "$mnt" -o auto_unmount
    check_hello "$mnt/hello"
    umount "$mnt" || fail "umount of an auto_unmount mount ($wrap)"
    wait_server
    [ "$server_rc" = 0 ] || fail "exit status $server_rc"
    sleep 0.2
    pgrep -af "$tmp" && fail "a process lingers after umount"
    # Something else mounted there since is not the watcher's to unmount.
    start "$mnt" $wrap "$testfs" -f "$mnt" -o auto_unmount
    mount -t tmpfs -o size=1m over "$mnt"
    kill -9 "$server"; wait "$server" 2>/dev/null; server=
    sleep 0.5
    [ "$(info "$mnt" 1)" = tmpfs ] || fail "the tmpfs on top went away"
    umount "$mnt"
    unmount "$mnt"
  done
  # Without auto_unmount, a killed filesystem stays mounted (until aborted):
  # the check above can fail.
  start "$mnt" "$testfs" -f "$mnt"
  kill -9 "$server"; wait "$server" 2>/dev/null; server=
  sleep 0.5
  mounted "$mnt" || fail "gone without auto_unmount"
  unmount "$mnt"
  ;;
sigterm)
  # Each stopping signal, single- and multi-threaded: unmounted, exited.
  # (A background job of a script starts with SIGINT ignored, nohup
  # ignores SIGHUP, and the library leaves ignored signals alone, as
  # libfuse does: restore them.)
  for sig in TERM INT HUP; do
    for mode in -s ""; do
      start "$mnt" env --default-signal=INT,HUP,TERM "$testfs" -f $mode "$mnt"
      check_hello "$mnt/hello"
      kill -$sig "$server"
      wait_server
      mounted "$mnt" && fail "still mounted after SIG$sig ($mode)"
    done
  done
  # SIGPIPE is ignored: the filesystem keeps serving.
  start "$mnt" "$testfs" -f "$mnt"
  kill -PIPE "$server"
  sleep 0.2
  kill -0 "$server" 2>/dev/null || fail "died of SIGPIPE"
  check_hello "$mnt/hello"
  umount "$mnt" || fail "umount after SIGPIPE"; wait_server
  ;;
clone-fd)
  # Two reads of wait2 must be in flight at once: the pool grows on
  # demand, and with clone_fd each worker has its own /dev/fuse fd.
  for opt in clone_fd max_idle_threads=1; do
    start "$mnt" "$testfs" -f "$mnt" -o $opt
    seen=$(two_reads)
    [ "$seen" = "2 2" ] || fail "$opt: reads saw $seen in flight"
    fds=$(count_fuse_fds "$server")
    threads=$(ls /proc/"$server"/task | wc -l)
    echo "$opt: $fds /dev/fuse fds, $threads threads"
    if [ $opt = clone_fd ]; then
      [ "$fds" -ge 3 ] || fail "clone_fd: $fds /dev/fuse fds"
    else
      [ "$fds" = 1 ] || fail "no clone_fd: $fds /dev/fuse fds"
    fi
    # The caller's thread, and one worker more than ever were busy at once:
    # the two reads, and at most one open/getattr/flush of the readers
    # racing them.
    [ "$threads" -le 5 ] || fail "$threads threads for two concurrent requests"
    umount "$mnt" || fail "$opt: umount"; wait_server
    [ "$server_rc" = 0 ] || fail "exit status $server_rc"
  done
  # One thread only: the reads cannot overlap (the check can fail).
  start "$mnt" "$testfs" -f "$mnt" -o max_threads=1
  seen=$(two_reads)
  [ "$seen" = "1 1" ] || fail "max_threads=1: reads saw $seen"
  umount "$mnt" || fail "max_threads=1: umount"; wait_server
  ;;
bad-option)
  for opt in no_such_option rootmode=40000 max_read=lots subtype=a/b; do
    out=$(timeout 10 "$testfs" -f "$mnt" -o "$opt" 2>&1) && fail "$opt: exit status 0"
    mounted "$mnt" && fail "$opt: mounted"
    echo "$out" | grep -qF "${opt}" || fail "$opt: message does not name it: $out"
    echo "$opt: $out"
  done
  out=$(timeout 10 "$testfs" -f "$mnt" extra-arg 2>&1) && fail "extra argument: exit status 0"
  echo "$out" | grep -q "extra-arg" || fail "extra argument: $out"
  mounted "$mnt" && fail "mounted"
  ;;
daemonize)
  # Without -f it returns once the daemon serves, stdio detached.
  timeout 10 "$testfs" "$mnt" -o fsname=daemon || fail "exit status $?"
  mounted "$mnt" || fail "not mounted when the parent returned"
  check_hello "$mnt/hello"
  pid=$(pgrep -f "$testfs $mnt" | head -n1)
  [ -n "$pid" ] || fail "no daemon"
  [ "$(readlink /proc/"$pid"/cwd)" = / ] || fail "cwd $(readlink /proc/"$pid"/cwd)"
  [ "$(readlink /proc/"$pid"/fd/1)" = /dev/null ] || fail "stdout $(readlink /proc/"$pid"/fd/1)"
  [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || fail "not a session leader"
  umount "$mnt" || fail "umount of the daemon's mount"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "daemon still running after unmount"
  # auto_unmount survives going into the background: the watcher (a child
  # of the parent that exited) still unmounts when the daemon dies.
  timeout 10 "$testfs" "$mnt" -o auto_unmount || fail "exit status $?"
  check_hello "$mnt/hello"
  # The daemon holds /dev/fuse; the watcher let go of it.
  daemon=
  for p in $(pgrep -f "$testfs $mnt"); do
    for f in /proc/"$p"/fd/*; do
      [ "$(readlink "$f")" = /dev/fuse ] && daemon="$daemon $p" && break
    done
  done
  [ "$(echo $daemon | wc -w)" = 1 ] || fail "processes holding /dev/fuse: '$daemon'"
  [ "$(pgrep -f "$testfs $mnt" | wc -l)" = 2 ] || fail "no watcher next to the daemon"
  kill -9 $daemon
  gone_within "$mnt" || fail "still mounted 5 s after the daemon was killed"
  sleep 0.2
  pgrep -af "$testfs $mnt" && fail "a process lingers"
  ;;
non-root)
  chmod 777 "$mnt"
  # A copy uid 61000 runs on our libfuse3 from wherever the clone is.
  ub_copy "$tmp/user-bin" testfs
  out=$(timeout 10 setpriv --reuid=61000 --regid=61000 --clear-groups "$testfs" -f "$mnt" 2>&1) &&
    fail "exit status 0 as uid 61000"
  mounted "$mnt" && fail "mounted as uid 61000"
  echo "$out" | grep -q "fused" || fail "message does not say what is needed: $out"
  echo "$out"
  ;;
dev-fd)
  # A helper mounts (fuse_open_channel) and passes the fd as /dev/fd/N.
  start "$mnt" "$fdpass" "$mnt" fsname=passed,allow_other "$testfs" -f @FD@
  [ "$(info "$mnt" 2)" = passed ] || fail "source $(info "$mnt" 2)"
  case ,$(info "$mnt" 3), in *,allow_other,*) ;; *) fail "options $(info "$mnt" 3)";; esac
  check_hello "$mnt/hello"
  umount "$mnt" || fail "umount"
  wait_server
  [ "$server_rc" = 0 ] || fail "exit status $server_rc"
  # A /dev/fd/N that is not open is refused.
  out=$(timeout 10 "$testfs" -f /dev/fd/77 2>&1) && fail "served a closed fd"
  echo "$out" | grep -q "/dev/fd/77" || fail "message: $out"
  ;;
blkdev)
  # fuseblk on a loop device, through both mount paths.
  truncate -s 1M "$tmp/disk"
  loopdev=$(losetup -f --show "$tmp/disk") || { echo "SKIP: no loop device on this machine" >&2; exit 77; }
  for wrap in "$nosys --mount=$EPERM --" "$nosys --fsopen=$ENOSYS --"; do
    start "$mnt" $wrap "$testfs" -f "$mnt" -o blkdev,fsname=$loopdev
    [ "$(info "$mnt" 1)" = fuseblk ] || fail "type $(info "$mnt" 1)"
    [ "$(info "$mnt" 2)" = "$loopdev" ] || fail "source $(info "$mnt" 2)"
    check_hello "$mnt/hello"
    umount "$mnt" || fail "umount"
    wait_server
    [ "$server_rc" = 0 ] || fail "exit status $server_rc"
  done
  # blksize reaches the kernel: it refuses one that is no power of two...
  out=$(timeout 10 "$testfs" -f "$mnt" -o blkdev,fsname=$loopdev,blksize=3000 2>&1) && fail "blksize=3000 accepted"
  mounted "$mnt" && fail "mounted with blksize=3000"
  # ...and blkdev needs the device.
  out=$(timeout 10 "$testfs" -f "$mnt" -o blkdev 2>&1) && fail "blkdev without fsname accepted"
  echo "$out" | grep -q "blkdev" || fail "message: $out"
  ;;
api-versions)
  # Programs of API 3.0 (fuse_session_loop_mt(se, clone_fd)) and 3.2 (the
  # two-field config) get the same pool: parallel reads, cloned fds with
  # clone_fd, a clean end on SIGTERM and on unmount.
  [ ${#old_testfs[@]} -gt 0 ] || fail "no old builds given"
  for fs in "${old_testfs[@]}"; do
    for opt in clone_fd max_idle_threads=5; do
      start "$mnt" "$fs" -f "$mnt" -o $opt
      [ "$(info "$mnt" 1)" = "fuse.$(basename "$fs")" ] || fail "$fs: type $(info "$mnt" 1)"
      seen=$(two_reads)
      [ "$seen" = "2 2" ] || fail "$fs $opt: reads saw $seen"
      fds=$(count_fuse_fds "$server")
      if [ $opt = clone_fd ]; then
        [ "$fds" -ge 3 ] || fail "$fs clone_fd: $fds /dev/fuse fds"
        kill -TERM "$server"
        wait_server
        mounted "$mnt" && fail "$fs: still mounted after SIGTERM"
      else
        [ "$fds" = 1 ] || fail "$fs: $fds /dev/fuse fds without clone_fd"
        umount "$mnt" || fail "$fs: umount"
        wait_server
        [ "$server_rc" = 0 ] || fail "$fs: exit status $server_rc"
      fi
      echo "$(basename "$fs") $opt: ok, $fds /dev/fuse fds"
    done
  done
  ;;
*)
  fail "unknown case $case"
  ;;
esac
echo "ok: $case"
