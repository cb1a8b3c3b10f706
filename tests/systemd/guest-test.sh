#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# In the guest, under systemd, as the units fused-vmtest-*.service run it:
#
#   guest-test.sh early|main|shutdown
#
# Each check prints "ok - WHAT" or "FAIL - WHAT" on the console, where
# vm-systemd.sh reads them; each phase ends with "# phase NAME done".
exec >/dev/console 2>&1
set -u

USER_NAME=fusetest
USER_UID=61000
FSTAB_MP=/srv/fstab
SVC_MP=/srv/fs-svc
USER_MP=/home/fusetest/mnt
IMAGE=/srv/hello.squashfs
HELLO="served by squashfuse"

pass() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; }
# check WHAT CMD...: ok or FAIL by CMD's status.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# as_user CMD...: CMD as the test user, with a limit (a hung call fails).
# Its gid too: the kernel lets into a FUSE mount without allow_other only
# processes whose uids and gids all are the mount's user_id and group_id.
as_user() { timeout 60 setpriv --reuid=$USER_UID --regid=$USER_UID --init-groups -- "$@"; }

is_fuse() { [ "$(findmnt -n -o FSTYPE --mountpoint "$1" 2>/dev/null)" = fuse.squashfuse ]; }
# wait_for CMD...: until CMD succeeds, 30 s at most (TCG is slow).
wait_for() { local end=$((SECONDS + 30)); until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.2; done; }
not() { ! "$@"; }
serves() { [ "$(as_user cat "$1/hello.txt" 2>/dev/null)" = "$HELLO" ]; }
fused_pid() { systemctl show -p MainPID --value fused.service; }
# The pid that owns fused's bus name, as the bus daemon knows it.
bus_owner_pid() {
	busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
		GetConnectionUnixProcessID s org.freedesktop.fuse1 2>/dev/null | awk '{ print $2 }'
}
# "MOUNTPOINT OWNER" of each mount fused lists, sorted, as the user sees it.
listed() { as_user fusedctl list --json | jq -r '.[] | "\(.mountpoint) \(.owner)"' | sort; }
is_listed() { listed | grep -qx "$1 $USER_UID"; }
# Every process running /usr/sbin/fused, also one whose binary dpkg removed.
fused_procs() {
	local p
	for p in /proc/[0-9]*; do
		case "$(readlink "$p/exe" 2>/dev/null)" in
		"/usr/sbin/fused"|"/usr/sbin/fused (deleted)") echo "${p#/proc/}" ;;
		esac
	done
}

phase_early() {
	check "fused is not running at boot (systemctl is-active fused: $(systemctl is-active fused.service))" \
		test "$(systemctl is-active fused.service)" = inactive
	check "no fused process at boot" test -z "$(fused_procs)"
	check "/run/fused made at boot by systemd-tmpfiles ($(stat -c '%a %U' /run/fused 2>&1))" \
		test "$(stat -c '%a %U' /run/fused 2>/dev/null)" = "700 root"
	local out
	out=$(as_user fusedctl list --json 2>&1)
	check "the first call (fusedctl list as uid $USER_UID) is answered: $out" test "$out" = "[]"
	check "that call started fused.service (is-active: $(systemctl is-active fused.service))" \
		test "$(systemctl is-active fused.service)" = active
	local main owner
	main=$(fused_pid) owner=$(bus_owner_pid)
	check "fused.service's MainPID ($main) owns org.freedesktop.fuse1 (pid $owner)" \
		test -n "$owner" -a "$main" = "$owner"
	check "dbus-daemon activated it through systemd (journal of dbus.service)" \
		bash -c "journalctl -b -o cat -u dbus.service | grep -q \"Activating via systemd: service name='org.freedesktop.fuse1' unit='fused.service'\""
}

phase_main() {
	# mount.fuse3(8): without _netdev a setuid= line is a local mount, run
	# before the system bus exists, and fails saying so.
	local local_unit='srv-fstab\x2dlocal.mount'
	check "the fstab line without _netdev failed at boot, as mount.fuse3(8) says ($(systemctl is-failed $local_unit))" \
		bash -c "systemctl is-failed -q '$local_unit' && ! findmnt -n --mountpoint /srv/fstab-local >/dev/null &&
		         journalctl -b -o cat -u '$local_unit' | grep -q 'fused is not running'"
	# 3. The fstab line, mounted at boot.
	local unit=srv-fstab.mount
	check "$FSTAB_MP is a FUSE mount after boot ($(findmnt -n -o SOURCE,FSTYPE,OPTIONS --mountpoint $FSTAB_MP))" \
		is_fuse $FSTAB_MP
	check "$unit is active ($(systemctl is-active $unit))" test "$(systemctl is-active $unit)" = active
	check "$unit comes from systemd-fstab-generator ($(systemctl show -p SourcePath --value $unit))" \
		test "$(systemctl show -p SourcePath --value $unit)" = /etc/fstab
	check "$FSTAB_MP serves" serves $FSTAB_MP
	check "fusedctl list: $FSTAB_MP owned by uid $USER_UID (setuid=$USER_NAME)" is_listed $FSTAB_MP
	local fstab_fs
	fstab_fs=$(pgrep -u $USER_UID -f "squashfuse $IMAGE $FSTAB_MP" | head -1)
	check "its squashfuse runs as uid $USER_UID in $unit's cgroup" \
		grep -q "/system.slice/$unit\$" "/proc/${fstab_fs:-0}/cgroup"

	# 2. fused-fs@: a filesystem as a service, run by its user.
	local svc=fused-fs@$USER_NAME.service
	check "systemctl start $svc" systemctl start $svc
	check "$SVC_MP is a FUSE mount" wait_for is_fuse $SVC_MP
	local spid
	spid=$(systemctl show -p MainPID --value $svc)
	check "$svc's process ($spid) runs as uid $USER_UID" \
		test "$(stat -c %u /proc/$spid 2>/dev/null)" = $USER_UID
	check "$SVC_MP serves" serves $SVC_MP
	check "fusedctl list: $SVC_MP owned by uid $USER_UID" is_listed $SVC_MP

	# A user's own mount, in a login-less shell.
	check "uid $USER_UID mounts $USER_MP with squashfuse" as_user squashfuse $IMAGE $USER_MP
	check "$USER_MP serves" serves $USER_MP

	# 4. systemctl restart fused with the three mounts live.
	local before after old new
	before=$(listed) old=$(fused_pid)
	check "fused lists the three mounts before the restart" test "$(echo "$before" | wc -l)" = 3
	check "systemctl restart fused" systemctl restart fused.service
	new=$(fused_pid)
	check "a new fused runs (MainPID $old -> $new) and owns the bus name" \
		test "$new" != "$old" -a "$new" = "$(bus_owner_pid)"
	after=$(listed)
	check "after the restart fused lists the same mounts and owners: $(echo $after)" \
		test "$before" = "$after"
	local mp
	for mp in $FSTAB_MP $SVC_MP $USER_MP; do
		check "$mp still serves after the restart" serves $mp
	done
	# An upgrade (the same package again: preinst upgrade, postinst
	# configure), as apt does it, with the three mounts live.
	local deb=$(ls /usr/local/lib/fused-vmtest/debs/fused_*.deb)
	# A new version's unit is newer than the one systemd loaded: here the
	# loaded one is made older than the package's (systemd compares mtimes,
	# and only a newer file needs a reload).
	touch -d @1 /lib/systemd/system/fused.service
	systemctl daemon-reload
	check "dpkg -i ${deb##*/} (an upgrade) with the mounts live" \
		bash -c "dpkg -i $deb >/run/dpkg-upgrade.log 2>&1 || { cat /run/dpkg-upgrade.log; false; }"
	check "the upgrade stopped fused.service ($(systemctl is-active fused.service)), its mounts stayed" \
		bash -c "$(declare -f is_fuse); [ \"\$(systemctl is-active fused.service)\" = inactive ] &&
		         is_fuse $FSTAB_MP && is_fuse $SVC_MP && is_fuse $USER_MP"
	check "no unit file changed on disk without systemd knowing (NeedDaemonReload=$(systemctl show -p NeedDaemonReload --value fused.service))" \
		test "$(systemctl show -p NeedDaemonReload --value fused.service)" = no
	after=$(listed)
	check "the next call starts the new fused, which lists the same mounts and owners" \
		test "$before" = "$after" -a "$(systemctl is-active fused.service)" = active
	for mp in $FSTAB_MP $SVC_MP $USER_MP; do
		check "$mp still serves after the upgrade" serves $mp
	done
	check "uid $USER_UID unmounts $USER_MP (fusermount3 -u) after the restart" \
		as_user fusermount3 -u $USER_MP
	check "$USER_MP is gone" not is_fuse $USER_MP

	# 2, continued: stop.
	check "systemctl stop $svc" systemctl stop $svc
	check "$SVC_MP is unmounted" not is_fuse $SVC_MP
	check "$svc ended cleanly (Result=$(systemctl show -p Result --value $svc))" \
		test "$(systemctl show -p Result --value $svc)" = success
	check "$svc's process is gone" wait_for not test -e /proc/$spid

	# 3, continued: systemctl stop of the .mount.
	check "systemctl stop $unit" systemctl stop $unit
	check "$FSTAB_MP is unmounted" not is_fuse $FSTAB_MP
	check "its squashfuse exited" wait_for not test -e /proc/${fstab_fs:-0}
	check "fusedctl list is empty" test -z "$(listed)"

	# 5. All of it under the shipped unit, hardening in force.
	local pid=$(fused_pid)
	check "fused.service is the shipped file, no drop-in ($(systemctl show -p FragmentPath,DropInPaths fused.service | tr '\n' ' '))" \
		test "$(systemctl show -p FragmentPath --value fused.service)" = /lib/systemd/system/fused.service \
		-a -z "$(systemctl show -p DropInPaths --value fused.service)"
	check "fused runs with the unit's bounding set (CapBnd 2c00c6), no_new_privs, seccomp" \
		bash -c "grep -q '^CapBnd:[[:space:]]*00000000002c00c6\$' /proc/$pid/status &&
		         grep -q '^NoNewPrivs:[[:space:]]*1\$' /proc/$pid/status &&
		         grep -q '^Seccomp:[[:space:]]*2\$' /proc/$pid/status"
	check "fused.service never failed or restarted by itself (NRestarts=$(systemctl show -p NRestarts --value fused.service))" \
		test "$(systemctl show -p NRestarts --value fused.service)" = 0
	# systemd and dbus-daemon on fused's units and files: nothing to say.
	local warn
	warn=$(journalctl -b -o cat -p warning _PID=1 + _SYSTEMD_UNIT=dbus.service |
		grep -E 'fused\.service|fused-fs@|fuse1|fused\.conf')
	check "no warning from systemd or dbus-daemon about fused's units${warn:+: $warn}" test -z "$warn"
	# Removal under systemd (no mounts left): the prerm stops fused.service,
	# nothing runs a deleted binary.  Then back, for the shutdown phase.
	check "dpkg -r fused (sshfs and squashfuse need a fuse3: --force-depends)" \
		bash -c "dpkg -r --force-depends fused >/run/dpkg-remove.log 2>&1 || { cat /run/dpkg-remove.log; false; }"
	check "the removal stopped fused.service ($(systemctl is-active fused.service)), no fused runs" \
		bash -c "$(declare -f fused_procs); [ \"\$(systemctl is-active fused.service)\" != active ] && [ -z \"\$(fused_procs)\" ]"
	check "dpkg -i ${deb##*/} again" \
		bash -c "dpkg -i $deb >/run/dpkg-reinstall.log 2>&1 || { cat /run/dpkg-reinstall.log; false; }"
	echo "# fused's journal:"
	journalctl -b -o short-monotonic -u fused.service --no-pager | sed 's/^/#   /' | tail -40

	# For the shutdown phase: both mounts again.
	check "systemctl start $unit (again, for shutdown)" systemctl start $unit
	check "systemctl start $svc (again, for shutdown)" systemctl start $svc
	check "both mounted again" wait_for bash -c "$(declare -f is_fuse); is_fuse $FSTAB_MP && is_fuse $SVC_MP"
}

phase_shutdown() {
	check "at shutdown: $FSTAB_MP was unmounted (srv-fstab.mount stopped)" not is_fuse $FSTAB_MP
	check "at shutdown: $SVC_MP was unmounted (fused-fs@$USER_NAME stopped, Result=$(systemctl show -p Result --value fused-fs@$USER_NAME.service))" \
		not is_fuse $SVC_MP
	check "at shutdown: fused-fs@$USER_NAME ended cleanly" \
		test "$(systemctl show -p Result --value fused-fs@$USER_NAME.service)" = success
}

case "${1:-}" in
early|main|shutdown)
	echo "# phase $1 starts at $(cut -d' ' -f1 /proc/uptime) s of uptime"
	phase_$1 ;;
*) echo "usage: $0 early|main|shutdown" >&2; exit 2 ;;
esac
echo "# phase $1 done"
