#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused, rule 8: the caller's view (user namespace, chroot, pid history) is
# hostile input.  The four holes of issue 8, each from the attacker's side:
#  1. a caller in a user namespace that owns its mount namespace lifts
#     nodev/nosuid by remount or mount_setattr and opens a device node its
#     own filesystem serves (and a plain caller, for comparison);
#  2. the pid the bus recorded for the caller is reused by a root process
#     in a private mount namespace: fused must not act there;
#  3. a chrooted caller names /srv/pub "/pub": polkit, the log and
#     ListMounts must see the path from the namespace's root;
#  4. a chrooted caller must not escape mount_max.
#   test-caller-view.sh FUSED FUSED_TEST_CLIENT DEVNODE_FS
set -uo pipefail
source "$(dirname "$0")/lib.sh"
devfs=$(realpath "$3")
t_init "$@"
h_user_bins devfs

A=$H_UID0 B=$H_UID1
M=$H_TMP/mnt
as() { local u=$1; shift; timeout 30 setpriv --reuid=$u --regid=$u --clear-groups -- "$@"; }

# ---- 1. device nodes and setuid, from a user namespace ---------------------

h_mkdir "$M/u" $A 0755
: >"$H_TMP/u.out"; chown $A "$H_TMP/u.out"
# In a new user and mount namespace of A's (A is root there): mount and
# serve devnode-fs, try to lift nodev/nosuid both ways, open the node.
inner=$(as $A unshare -Urm --propagation private bash -c '
  client=$1 devfs=$2 mp=$3 out=$4
  "$client" mount --serve "$mp" "$devfs" "{}" -f >"$out" 2>&1 &
  srv=$!
  for i in $(seq 200); do grep -q "^ready" "$out" && break; grep -q "^error" "$out" && break; sleep 0.05; done
  echo "mount: $(head -1 "$out")"
  echo "opts: $(awk -v d="$mp" "\$5 == d { print \$6 }" /proc/self/mountinfo)"
  # Refused means EACCES from the kernel, nothing else (not a missing file).
  opendev() { local e; e=$( (: <"$mp/dev") 2>&1) && echo opened || { [[ $e == *"Permission denied"* ]] && echo refused || echo "failed: $e"; }; }
  echo "open-before: $(opendev)"
  mount -o remount,bind,dev,suid "$mp" 2>/dev/null && echo "remount: done" || echo "remount: refused"
  echo "setattr: $("$client" setattr-clear "$mp")"
  echo "opts-after: $(awk -v d="$mp" "\$5 == d { print \$6 }" /proc/self/mountinfo)"
  echo "open-after: $(opendev)"
  echo "unmount: $("$client" unmount "$mp" 2>&1 | head -1)"
  umount -l "$mp" 2>/dev/null
  kill $srv 2>/dev/null; wait $srv 2>/dev/null
' inner "$T_CLIENT" "$devfs" "$M/u" "$H_TMP/u.out" 2>&1)
echo "$inner"
h_check "a caller in its own user namespace gets its mount" grep -q "^mount: $FUSED_MOUNT_PATH_PREFIX/" <<<"$inner"
h_check "... made nosuid,nodev" grep -q "^opts: .*nosuid,nodev" <<<"$inner"
h_check "... its device node cannot be opened" grep -q "^open-before: refused" <<<"$inner"
h_check "... nor after it remounted or mount_setattr'ed dev,suid" grep -q "^open-after: refused" <<<"$inner"
h_check "... and unmounts it through fused" grep -q "^unmount: unmounted" <<<"$inner"

# The same filesystem for a plain caller: nodev holds, and a user namespace
# made afterwards gets a copy whose flags are locked.
h_check "a plain caller mounts and serves devnode-fs" eval '
  t_bg $A "$H_TMP/p.out" mount --serve "$M/u" "$devfs" "{}" -f; t_wait_ready "$H_TMP/p.out" $T_BG_PID'
srv=$T_BG_PID
plain=$(as $A bash -c ": <\"\$1/dev\"" x "$M/u" 2>&1); echo "plain open: $plain"
h_check "... its device node cannot be opened" eval '[[ $plain == *"Permission denied"* ]]'
later=$(as $A unshare -Urm --propagation private bash -c '
  mount -o remount,bind,dev,suid "$2" 2>/dev/null && echo "remount: done" || echo "remount: refused"
  echo "setattr: $("$1" setattr-clear "$2")"
  e=$( (: <"$2/dev") 2>&1) && echo "open: opened" || { [[ $e == *"Permission denied"* ]] && echo "open: refused" || echo "open: failed: $e"; }
' later "$T_CLIENT" "$M/u" 2>&1)
echo "$later"
h_check "... a later user namespace cannot lift its flags" eval 'grep -q "^remount: refused" <<<"$later" && grep -q "^setattr: error EPERM" <<<"$later"'
h_check "... nor open the node" grep -q "^open: refused" <<<"$later"
t_release $A "$M/u"
t_stop $srv

# Options that cannot hold in a user namespace are refused with a reason.
out=$(as $A unshare -Urm bash -c '"$1" mount -o dev "$2"' x "$T_CLIENT" "$M/u" 2>&1)
h_check "dev in a user namespace: InvalidOption ($out)" grep -q "^error ${FUSED_ERROR_PREFIX}InvalidOption" <<<"$out"
h_check "... and nothing mounted" test -z "$(t_mountinfo "$M/u")"

# ---- 2. a recycled pid -----------------------------------------------------

# A root process in a private mount namespace, where a directory of A's
# exists on a tmpfs: if fused followed the recycled pid, it would mount there.
h_mkdir "$M/pr" 0 0755
mkfifo "$H_TMP/go"; chmod 0666 "$H_TMP/go"
t_bg $A "$H_TMP/o.out" mount --orphan="$H_TMP/go" "$M/pr/x"
h_check "the orphaning client connected" eval 'for i in $(seq 100); do grep -q "^connected" "$H_TMP/o.out" && break; sleep 0.05; done; grep -q "^connected" "$H_TMP/o.out"'
stale=$(awk '/^connected/ { print $2 }' "$H_TMP/o.out")
wait $T_BG_PID 2>/dev/null
root_pid=
for try in $(seq 50); do
  [ -d /proc/$stale ] && break
  echo $(( stale - 1 )) >/proc/sys/kernel/ns_last_pid
  unshare -m --propagation private bash -c '
    mount -t tmpfs -o mode=0755 tmpfs "$1" && mkdir "$1/x" && chown $2:$2 "$1/x" && echo $$ >"$3" && exec sleep 120
  ' r "$M/pr" $A "$H_TMP/root.pid" &
  p=$!
  for i in $(seq 40); do [ -s "$H_TMP/root.pid" ] && break; sleep 0.05; done
  if [ "$p" = "$stale" ] && [ "$(cat "$H_TMP/root.pid" 2>/dev/null)" = "$stale" ]; then root_pid=$p; break; fi
  kill $p 2>/dev/null; wait $p 2>/dev/null; rm -f "$H_TMP/root.pid"
done
h_check "pid $stale reused by a root process in its own mount namespace" test -n "$root_pid"
echo go >"$H_TMP/go"
for i in $(seq 200); do grep -q "^error\|^/" <(tail -n +2 "$H_TMP/o.out") && break; sleep 0.05; done
res=$(tail -n +2 "$H_TMP/o.out")
h_check "the stale caller is refused ($res)" grep -q "^error ${FUSED_ERROR_PREFIX}PermissionDenied" <<<"$res"
h_check "... and nothing is mounted in the root process's namespace" \
  eval '! awk -v d="$M/pr/x" "\$5 == d" /proc/$root_pid/mountinfo | grep -q fuse'
h_check "... nor here" test -z "$(t_mountinfo "$M/pr/x")"
[ -n "$root_pid" ] && { kill $root_pid; wait $root_pid 2>/dev/null; }

# ---- 3. a chroot names its mountpoint from its own root ----------------------

# A chroot that holds what the client needs, at /srv (the example rule's
# directory) and at $H_TMP/croot.
make_chroot() {
  local root=$1
  mount -t tmpfs -o mode=0755 tmpfs "$root"
  mkdir -p "$root/usr" "$root/proc" "$root$H_TMP/bus" "$root/bin.test" "$root/pub" "$root/x"
  for l in bin lib lib64 sbin; do [ -L "/$l" ] && ln -s "usr/$l" "$root/$l"; done
  mount --bind -o ro /usr "$root/usr"
  mount --bind "$H_TMP/bus" "$root$H_TMP/bus"
  mount -t proc proc "$root/proc"
  cp "$T_CLIENT" "$root/bin.test/client"
  chmod 0755 "$root/bin.test"
  chown $A:$A "$root/pub" "$root/x"
}
mkdir -p /srv "$H_TMP/croot"
make_chroot /srv
make_chroot "$H_TMP/croot"
h_track_dir /srv
h_rules 60-fuse-no-srv.rules <"$H_POLICY_DIR/rules.d/60-fuse-no-srv.rules"

mark=$(t_log_mark)
out=$(timeout 30 chroot /srv setpriv --reuid=$A --regid=$A --clear-groups -- /bin.test/client mount /pub 2>&1)
h_check "chroot /srv, Mount /pub: the /srv rule refuses ($out)" grep -q "^error ${FUSED_ERROR_PREFIX}PermissionDenied" <<<"$out"
h_check "... nothing mounted" test -z "$(t_mountinfo /srv/pub)"
h_check "... the log names /srv/pub" eval 't_log_since $mark | grep -q "/srv/pub"'
out=$(as $A unshare -Ur chroot /srv /bin.test/client mount /pub 2>&1)
h_check "the same from the caller's own user namespace ($out)" grep -q "^error ${FUSED_ERROR_PREFIX}PermissionDenied" <<<"$out"
out=$(as $A unshare -Urm chroot /srv /bin.test/client mount /pub 2>&1)
h_check "... and from its own mount namespace too ($out)" grep -q "^error ${FUSED_ERROR_PREFIX}PermissionDenied" <<<"$out"
h_check "... nothing mounted" test -z "$(t_mountinfo /srv/pub)"

out=$(as $A unshare -Ur chroot "$H_TMP/croot" /bin.test/client mount --hold /x 2>&1 &
      echo $! >"$H_TMP/hold.pid"; sleep 0)
for i in $(seq 100); do t_is_fuse "$H_TMP/croot/x" && break; sleep 0.05; done
h_check "a chrooted caller mounts /x" t_is_fuse "$H_TMP/croot/x"
t_client 0 list
h_check "ListMounts shows $H_TMP/croot/x, not /x" eval 'cut -f2 <<<"$T_OUT" | grep -qx "$H_TMP/croot/x" && ! cut -f2 <<<"$T_OUT" | grep -qx /x'
t_client $A unmount "$H_TMP/croot/x"
h_check "its owner unmounts it by the full path ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$H_TMP/croot/x")"
kill "$(cat "$H_TMP/hold.pid")" 2>/dev/null
pkill -f "bin.test/client mount --hold" 2>/dev/null

# polkit's namespace detail: a rule that refuses mounts in a user namespace.
h_rules 70-no-userns.rules <<'RULE'
polkit.addRule(function(action, subject) {
    if (action.id == "org.freedesktop.fuse1.mount" && action.lookup("namespace") == "user")
        return polkit.Result.NO;
});
RULE
out=$(as $A unshare -Urm "$T_CLIENT" mount "$M/u" 2>&1)
h_check "a rule on namespace == user refuses a caller in its own user namespace ($out)" \
  grep -q "^error ${FUSED_ERROR_PREFIX}PermissionDenied" <<<"$out"
t_mount_ok "... and not a plain caller" $A "$M/u"
t_release $A "$M/u"

# ---- 4. mount_max over the whole namespace -----------------------------------

h_rules_clear
echo "mount_max = 3" >"$H_CONF"
for i in 1 2 3; do
  h_mkdir "$M/b$i" $B 0755
  t_mount_ok "B's mount $i of 3" $B "$M/b$i"
done
out=$(timeout 30 chroot "$H_TMP/croot" setpriv --reuid=$A --regid=$A --clear-groups -- /bin.test/client mount /x 2>&1)
h_check "a chrooted caller that sees none of them: TooManyMounts ($out)" grep -q "^error ${FUSED_ERROR_PREFIX}TooManyMounts" <<<"$out"
out=$(as $A unshare -Urm chroot "$H_TMP/croot" /bin.test/client mount /x 2>&1)
h_check "... also from its own user and mount namespace ($out)" grep -q "^error ${FUSED_ERROR_PREFIX}TooManyMounts" <<<"$out"
h_check "... nothing mounted" test -z "$(t_mountinfo "$H_TMP/croot/x")"
for i in 1 2 3; do t_release $B "$M/b$i"; done
: >"$H_CONF"

umount -R -l /srv "$H_TMP/croot" 2>/dev/null
h_done
