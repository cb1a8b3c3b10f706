#!/bin/bash
# Every example filesystem mounted and used by a real unprivileged uid, the
# library mounting through fused (lib/mount.c's non-root branch, client/),
# against the harness's private bus, polkitd and fused.  Also: unmount on
# SIGTERM through fused, a daemonized filesystem (fuse_daemonize forks:
# the child must own the bus connection), auto_unmount after kill -9 of
# that child, allow_other refused, and the same with the sandbox a
# fused-fs@.service unit gives (no_new_privs, no capabilities).
#   test-examples.sh FUSED FUSEDCTL EXAMPLE...
set -u
. "$(dirname "$0")/../fused/harness.sh"
. "$(dirname "$0")/lib.sh"
h_enter_ns "$@"
fused=$(realpath "$1") fusedctl=$(realpath "$2"); shift 2
h_setup
# Copies the test uid can run, with our libfuse3 beside them; absolute
# paths, which pgrep -f matches on.
exes=()
for f in "$@"; do h_user_bins f; exes+=("$f"); done
set -- "${exes[@]}"
h_user_bins fusedctl
h_start_fused "$fused"

U=$H_UID0
src=$H_TMP/src
h_mkdir "$src" "$U" 0755
echo "from the source" >"$src/file" && chown "$U:$U" "$src/file"

# owned_by_user MNT: fused lists it with owner $U, mountinfo shows the uid.
owned_by_user() {
  as "$U" "$fusedctl" list --json | jq -e --arg mp "$1" --argjson uid "$U" \
    'any(.[]; .mountpoint == $mp and .owner == $uid)' >/dev/null &&
  grep -F " $1 " /proc/self/mountinfo | grep -q "user_id=$U"
}

# use NAME MNT: what "used" means for each example.
use() {
  local name=$1 m=$2
  case $name in
    hello|hello_ll)
      as "$U" cat "$m/hello" | grep -qx "Hello, world!" ;;
    passthrough|passthrough_ll)
      as "$U" cat "$m/file" | grep -qx "from the source" &&
      as "$U" sh -c 'echo written >"$1/new" && mkdir "$1/dir" && mv "$1/new" "$1/dir/moved"' sh "$m" &&
      grep -qx written "$src/dir/moved" &&
      as "$U" rm -r "$m/dir" && ! test -e "$src/dir" ;;
    memfs)
      as "$U" sh -c 'set -e; mkdir "$1/d"; echo data >"$1/d/f"; ln -s f "$1/d/l";
                     mv "$1/d/f" "$1/d/g"; test "$(cat "$1/d/l" 2>/dev/null)" = "" ;
                     test "$(cat "$1/d/g")" = data; rm "$1/d/g" "$1/d/l"; rmdir "$1/d";
                     test -z "$(ls -A "$1")"' sh "$m" ;;
    null)
      test "$(as "$U" stat -c %s "$m/null")" = 1099511627776 &&
      test "$(as "$U" dd if="$m/null" bs=64k count=16 status=none | tr -d '\0' | wc -c)" = 0 ;;
    *)
      as "$U" stat "$m" >/dev/null && as "$U" ls "$m" >/dev/null ;;
  esac
}

args_for() {
  case $1 in passthrough|passthrough_ll) echo "-o source=$src" ;; esac
}

for fs in "$@"; do
  name=$(basename "$fs")
  m=$H_TMP/mnt/$name
  h_mkdir "$m" "$U" 0755
  # shellcheck disable=SC2046
  as_bg "$U" "$fs" -f $(args_for "$name") "$m" >"$H_TMP/$name.log" 2>&1 &
  pid=$!
  if h_check "$name: mounted by uid $U through fused" wait_for is_fuse_mounted "$m"; then
    h_check "$name: fused lists it as uid $U's" owned_by_user "$m"
    h_check "$name: used" use "$name" "$m"
    kill -TERM "$pid"
    h_check "$name: SIGTERM: the process ends" wait_for gone "$pid"
    wait "$pid"; rc=$?
    h_check "$name: ... with status 0 (was $rc)" test "$rc" = 0
    h_check "$name: ... and unmounted through fused" wait_for not is_fuse_mounted "$m"
  else
    cat "$H_TMP/$name.log"
    kill -KILL "$pid" 2>/dev/null; wait "$pid"
  fi
done

# The rest with one example: memfs if given, else the first.
fs=$1
for f in "$@"; do [ "$(basename "$f")" = memfs ] && fs=$f; done
name=$(basename "$fs")
m=$H_TMP/mnt/$name

# memfs with default_permissions: the kernel checks modes against the
# root's owner, which must be the user running it (not uid 0), so the
# owner can write to their own filesystem.
if [ "$name" = memfs ]; then
  as_bg "$U" "$fs" -f -o default_permissions "$m" >"$H_TMP/defperm.log" 2>&1 &
  pid=$!
  h_check "memfs -o default_permissions: mounted" wait_for is_fuse_mounted "$m"
  h_check "... the root is owned by uid $U" test "$(as "$U" stat -c %u:%g "$m")" = "$U:$U"
  h_check "... the owner can mkdir at the root" as "$U" mkdir "$m/d"
  h_check "... and create a file there" as "$U" sh -c 'echo x >"$1/f"' sh "$m"
  h_check "... both owned by uid $U" \
    test "$(as "$U" stat -c %u:%g "$m/d" "$m/f" | sort -u)" = "$U:$U"
  kill -TERM "$pid"
  h_check "... SIGTERM ends it" wait_for gone "$pid"
  wait "$pid"
  h_check "... unmounted" wait_for not is_fuse_mounted "$m"
fi

# fsname with a control character: the library makes it harmless ("?")
# for root's mounts, and the user's through fused get the same source, not
# a refusal.
as_bg "$U" "$fs" -f -o "fsname=dev$(printf '\t')x" $(args_for "$name") "$m" >"$H_TMP/fsname.log" 2>&1 &
pid=$!
if h_check "$name: -o fsname= with a tab: mounted" wait_for is_fuse_mounted "$m"; then
  h_check "... the source is 'dev?x'" \
    test "$(findmnt -n -o SOURCE --mountpoint "$m")" = "dev?x"
  kill -TERM "$pid"; wait "$pid"
  h_check "... unmounted" wait_for not is_fuse_mounted "$m"
else
  cat "$H_TMP/fsname.log"; kill -KILL "$pid" 2>/dev/null; wait "$pid"
fi

# In the foreground, killed with no chance to unmount: with auto_unmount
# fused takes the mount down when the process's bus connection closes;
# without, the dead mount stays until its owner unmounts it, as with root.
as_bg "$U" "$fs" -f -o auto_unmount $(args_for "$name") "$m" >"$H_TMP/killed.log" 2>&1 &
pid=$!
h_check "$name: -f -o auto_unmount: mounted" wait_for is_fuse_mounted "$m"
kill -KILL "$pid"; wait "$pid" 2>/dev/null
h_check "$name: ... kill -9: fused unmounts it" wait_for not is_fuse_mounted "$m"
as_bg "$U" "$fs" -f $(args_for "$name") "$m" >"$H_TMP/killed2.log" 2>&1 &
pid=$!
h_check "$name: -f without auto_unmount: mounted" wait_for is_fuse_mounted "$m"
sleep 0.2
h_check "$name: ... still serving before the kill" not gone "$pid"
kill -KILL "$pid"; wait "$pid" 2>/dev/null
sleep 0.5
h_check "$name: ... kill -9: the mount stays" is_fuse_mounted "$m"
is_fuse_mounted "$m" || { echo "--- $name's output:"; cat "$H_TMP/killed2.log"; grep -F "$m" "$H_FUSED_LOG" | tail -5; }
h_check "$name: ... until its owner unmounts it" as "$U" "$fusedctl" unmount "$m"
h_check "$name: ... gone" wait_for not is_fuse_mounted "$m"

# Daemonized (no -f): fuse_daemonize() forks and the parent exits; the
# child serves, owning the bus connection.  Then kill -9 the child:
# auto_unmount must take the mount down (fused sees the connection close).
h_check "$name: daemonized with auto_unmount" as "$U" "$fs" -o auto_unmount $(args_for "$name") "$m"
h_check "$name: ... mounted after the parent exited" is_fuse_mounted "$m"
h_check "$name: ... served by the child" as "$U" stat -c %i "$m/."
h_check "$name: ... still listed" owned_by_user "$m"
dpid=$(as "$U" "$fusedctl" list --json | jq -r --arg mp "$m" '.[] | select(.mountpoint == $mp) | .pid')
h_check "$name: ... fused recorded the parent's pid ($dpid)" test -n "$dpid"
child=$(pgrep -u "$U" -f "^$fs -o auto_unmount") || child=
h_check "$name: ... the daemon child is running" test -n "$child"
[ -n "$child" ] && kill -KILL $child
h_check "$name: kill -9 of the child: fused's auto_unmount takes the mount down" \
  wait_for not is_fuse_mounted "$m"

# Daemonized without auto_unmount: the mount outlives nothing but the
# unmount; fusedctl unmount by the owner ends it and the daemon exits.
h_check "$name: daemonized" as "$U" "$fs" $(args_for "$name") "$m"
h_check "$name: ... mounted" is_fuse_mounted "$m"
h_check "$name: ... fusedctl unmount by the owner" as "$U" "$fusedctl" unmount "$m"
h_check "$name: ... gone" wait_for not is_fuse_mounted "$m"
h_check "$name: ... the daemon exited" wait_for not pgrep -u "$U" -f "^$fs "

# Daemonized, then SIGTERM to the child: it unmounts through fused on a
# connection of its own (the inherited one is not usable after fork).
h_check "$name: daemonized again" as "$U" "$fs" $(args_for "$name") "$m"
child=$(pgrep -u "$U" -f "^$fs .*$m\$") || child=
h_check "$name: ... the daemon child is running" test -n "$child"
[ -n "$child" ] && kill -TERM $child
h_check "$name: ... SIGTERM to the child: unmounted through fused" wait_for not is_fuse_mounted "$m"
h_check "$name: ... by the child's own request" \
  grep -q "Unmount uid=$U pid=$child mountpoint=$m .*verdict=allow" "$H_FUSED_LOG"
h_check "$name: ... and the child exited" wait_for not pgrep -u "$U" -f "^$fs .*$m\$"

# As a fused-fs@.service unit runs it: no_new_privs, no capabilities at all.
as_bg "$U" setpriv --no-new-privs --bounding-set=-all --inh-caps=-all \
  "$fs" -f $(args_for "$name") "$m" >"$H_TMP/sandboxed.log" 2>&1 &
pid=$!
h_check "$name: no_new_privs, empty bounding set: mounted" wait_for is_fuse_mounted "$m"
h_check "$name: ... used" use "$name" "$m"
kill -TERM "$pid"
h_check "$name: ... SIGTERM ends it" wait_for gone "$pid"
wait "$pid"
h_check "$name: ... unmounted" wait_for not is_fuse_mounted "$m"

# Refusals reach the user with fused's reason.
other=$H_TMP/mnt/not-yours
h_mkdir "$other" "$H_UID1" 0755
h_check "$name: on another user's directory: refused" \
  expect_fail as "$U" "$fs" -f $(args_for "$name") "$other"
h_check "$name: ... the library prints fused's reason" grep -q "through fused failed: ." <<<"$ERR"
h_check "$name: allow_other without user_allow_other or polkit: refused" \
  expect_fail as "$U" "$fs" -f -o allow_other $(args_for "$name") "$m"
h_check "$name: ... saying so" grep -q "through fused failed: ." <<<"$ERR"
# allow_other as root has it: with user_allow_other in fuse.conf another
# user gets in; without the option nobody else does.
as_bg "$U" "$fs" -f $(args_for "$name") "$m" >"$H_TMP/private.log" 2>&1 &
pid=$!
h_check "$name: without allow_other: mounted" wait_for is_fuse_mounted "$m"
h_check "$name: ... another user is kept out" not as "$H_UID1" stat -c %i "$m/."
kill -TERM "$pid"; wait_for gone "$pid"; wait "$pid"
wait_for not is_fuse_mounted "$m"
echo user_allow_other >>"$H_CONF"
h_stop_fused
h_start_fused
as_bg "$U" "$fs" -f -o allow_other $(args_for "$name") "$m" >"$H_TMP/allow_other.log" 2>&1 &
pid=$!
h_check "$name: allow_other with user_allow_other: mounted" wait_for is_fuse_mounted "$m"
h_check "$name: ... another user gets in" as "$H_UID1" stat -c %i "$m/."
h_check "$name: ... and the kernel has allow_other" \
  eval 'grep -F " $m " /proc/self/mountinfo | grep -q allow_other'
kill -TERM "$pid"
h_check "$name: ... SIGTERM ends it" wait_for gone "$pid"
wait "$pid"
h_check "$name: ... unmounted" wait_for not is_fuse_mounted "$m"

h_stop_fused
h_check "$name: fused gone: refused" expect_fail as "$U" "$fs" -f $(args_for "$name") "$m"
h_check "$name: ... and told what to start" grep -q "fused is not running: start fused.service" <<<"$ERR"
h_done
