#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the VM (tests/kernel/vm-run.sh boots it), as root in the
# host's root filesystem shared read-only, with tmpfs on /tmp and /run and
# the module under test already loaded.  Prints one line per check:
#   KT|name|PASS|detail   KT|name|FAIL|detail   KT|name|INFO|detail
# The same script runs with our fuse.ko and with Debian's, so the two can be
# put side by side; INFO lines are differences we expect (not implemented).
#
# usage: vm-suite.sh BUILDDIR HOSTILE ours|stock
set -u
B=$1
HOSTILE=$2
WHICH=$3
T=/tmp/kt
mkdir -p $T

kt() { echo "KT|$1|$2|$3"; }
pass() { kt "$1" PASS "$2"; }
fail() { kt "$1" FAIL "$2"; }
info() { kt "$1" INFO "$2"; }
# check NAME EXPECTED ACTUAL
check() { if [ "$2" = "$3" ]; then pass "$1" "$3"; else fail "$1" "want '$2', got '$3'"; fi; }
# the error text of a failing command, or "ok"
err() { local o; o=$("$@" 2>&1 >/dev/null) && echo ok || echo "${o##*: }"; }

wait_mount() {
	for _ in $(seq 100); do
		grep -q " $1 " /proc/self/mounts && return 0
		sleep 0.1
	done
	return 1
}
wait_gone() {
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# how long each part took, in ms
t_start=$(date +%s%N)
section() { local now; now=$(date +%s%N); [ -n "${t_name:-}" ] && info "time-$t_name" "$(( (now - t_start) / 1000000 )) ms"; t_name=$1; t_start=$now; }

kt module INFO "$(cat /sys/module/fuse/version 2>/dev/null || echo debian) $(uname -r)"
# Linux's fuse.ko leaves the mode to udev (devtmpfs makes it 0600); ours
# asks for 0666 itself, as the issue wants.
devmode="crw-rw-rw- 10,229"; [ "$WHICH" = stock ] && devmode="crw------- 10,229"
check devnode "$devmode" "$(stat -c '%A %Hr,%Lr' /dev/fuse)"

section hello
# ---- hello_ll: our library, mounting through fsopen/fsconfig ----
m=$T/hello; mkdir -p $m
$B/example/hello_ll -f $m >$T/hello.log 2>&1 &
hp=$!
if wait_mount $m; then
	pass hello-mount "$(grep " $m " /proc/self/mounts | cut -d' ' -f3,4)"
	check hello-ls "hello" "$(ls $m 2>&1)"
	check hello-cat "Hello, world!" "$(cat $m/hello 2>&1)"
	check hello-stat "regular file 14 444" "$(stat -c '%F %s %a' $m/hello 2>&1)"
	check hello-statfs "fuseblk-or-fuse" "$(stat -f -c %T $m | sed 's/^fuseblk$/fuseblk-or-fuse/;s/^fuse$/fuseblk-or-fuse/')"
	check hello-enoent "No such file or directory" "$(err stat $m/nothere)"
	check hello-other-uid "Permission denied" "$(err setpriv --reuid 65534 --regid 65534 --clear-groups stat $m/hello)"
	check hello-write "ok-or-ENOSYS" "$(err sh -c "echo x > $m/new" | sed 's/^Function not implemented$/ok-or-ENOSYS/;s/^Permission denied$/ok-or-ENOSYS/;s/^ok$/ok-or-ENOSYS/')"
	umount $m
	if wait_gone $hp; then pass hello-umount "server exited"; else fail hello-umount "server still running"; kill -9 $hp; fi
else
	fail hello-mount "$(cat $T/hello.log)"
	kill -9 $hp 2>/dev/null
fi

# allow_other lets another uid in
$B/example/hello_ll -f -o allow_other $m >$T/hello2.log 2>&1 &
hp=$!
if wait_mount $m; then
	check allow-other "Hello, world!" "$(setpriv --reuid 65534 --regid 65534 --clear-groups cat $m/hello 2>&1)"
	umount $m
	wait_gone $hp || kill -9 $hp
else
	fail allow-other "$(cat $T/hello2.log)"
fi

section passthrough
# ---- passthrough_ll over tmpfs: big files, symlinks, many entries ----
src=$T/src; m=$T/pt; mkdir -p $src/sub $m
dd if=/dev/urandom of=$src/big bs=1M count=32 status=none
echo small > $src/sub/small
ln -s sub/small $src/link
for i in $(seq 300); do : > $src/sub/f$i; done
$B/example/passthrough_ll -f --source=$src $m >$T/pt.log 2>&1 &
pp=$!
if wait_mount $m; then
	pass pt-mount "$(grep " $m " /proc/self/mounts | cut -d' ' -f3)"
	check pt-ls "big link sub" "$(ls $m | tr '\n' ' ' | sed 's/ $//')"
	check pt-readdir-many 301 "$(ls $m/sub | wc -l)"
	check pt-stat "$(stat -c '%F %s %a %h' $src/big)" "$(stat -c '%F %s %a %h' $m/big 2>&1)"
	check pt-readlink "sub/small" "$(readlink $m/link 2>&1)"
	check pt-follow "small" "$(cat $m/link 2>&1)"
	check pt-access "ok" "$(test -r $m/big && echo ok || echo no)"
	check pt-statfs "$(stat -f -c '%b %S' $src)" "$(stat -f -c '%b %S' $m 2>&1)"
	want=$(md5sum < $src/big | cut -d' ' -f1)
	t0=$(date +%s%N)
	sum=$(md5sum < $m/big | cut -d' ' -f1)
	t1=$(date +%s%N)
	check pt-bigread "$want" "$sum"
	info pt-bigread-time "32 MiB in $(( (t1 - t0) / 1000000 )) ms"
	check pt-read-4k "$want" "$(dd if=$m/big bs=4k status=none | md5sum | cut -d' ' -f1)"
	check pt-read-1m "$want" "$(dd if=$m/big bs=1M status=none | md5sum | cut -d' ' -f1)"
	check pt-read-tail "$(tail -c 12345 $src/big | md5sum)" "$(tail -c 12345 $m/big | md5sum)"
	check pt-mmap "$(tail -c 100 $src/big | md5sum | cut -d' ' -f1)" "$(/usr/bin/python3 -c "
import mmap,sys,hashlib
f=open('$m/big','rb'); mm=mmap.mmap(f.fileno(),0,prot=mmap.PROT_READ)
print(hashlib.md5(mm[-100:]).hexdigest())" 2>&1)"
	umount $m
	if wait_gone $pp; then pass pt-umount "server exited"; else fail pt-umount "server still running"; kill -9 $pp; fi
else
	fail pt-mount "$(cat $T/pt.log)"
	kill -9 $pp 2>/dev/null
fi

section hostile
# ---- a hostile server, mounting with mount(2)'s option string ----
m=$T/hostile; mkdir -p $m
$HOSTILE $m >$T/hostile.log 2>&1 &
xp=$!
if wait_mount $m; then
	pass legacy-mount "$(grep " $m " /proc/self/mounts | cut -d' ' -f3,4)"
	check hostile-ok "hello from a hostile server" "$(cat $m/ok 2>&1)"
	check hostile-wrongunique-caller "No such file or directory" "$(err stat $m/wrongunique)"
	check hostile-short-caller "Input/output error" "$(err stat $m/short)"
	check hostile-oversized-caller "Input/output error" "$(err stat $m/oversized)"
	check hostile-badlen-caller "No such file or directory" "$(err stat $m/badlen)"
	check hostile-errpayload-caller "Input/output error" "$(err stat $m/errpayload)"
	check hostile-poserror-caller "No such file or directory" "$(err stat $m/poserror)"
	check hostile-badtype-caller "Input/output error" "$(err stat $m/badtype)"
	stat $m/typechange >/dev/null 2>&1
	sleep 0.01
	check hostile-typechange "Input/output error" "$(err stat $m/typechange)"
	check hostile-slash-dirent "Input/output error" "$(err ls $m)"
	for c in wrongunique short oversized badlen errpayload poserror; do
		want=EINVAL; [ $c = wrongunique ] && want=ENOENT
		check hostile-$c-write "$want" "$(sed -n "s/^hostile: $c: write=//p" $T/hostile.log | head -1)"
	done
	# a caller waits in a request the server never answers; the server dies
	stat $m/hang >$T/hang.out 2>&1 &
	sp=$!
	for _ in $(seq 50); do grep -q "hang: not answering" $T/hostile.log && break; sleep 0.1; done
	kill -9 $xp; wait $xp 2>/dev/null
	if wait_gone $sp; then
		wait $sp
		check killed-server-waiter "error" "$( [ $? -ne 0 ] && echo error || echo success)"
		info killed-server-errno "$(sed 's/.*: //' $T/hang.out)"
	else
		fail killed-server-waiter "the waiter still hangs"
	fi
	check after-abort "Transport endpoint is not connected" "$(err stat $m/ok)"
	umount $m
	check after-abort-umount "ok" "$(grep -q " $m " /proc/self/mounts && echo mounted || echo ok)"
else
	fail legacy-mount "$(cat $T/hostile.log)"
	kill -9 $xp 2>/dev/null
fi

section userns
# ---- fd= must come from the mount's user namespace ----
out=$($HOSTILE --userns $m 2>&1)
check userns-outer-fd "EINVAL" "$(echo "$out" | sed -n 's/^hostile: userns-outer-fd: mount=//p')"
check userns-inner-fd "ok" "$(echo "$out" | sed -n 's/^hostile: userns-inner-fd: mount=//p')"

section end
# ---- the kernel after all this ----
sleep 0.5
bad=$(dmesg | grep -E 'WARNING|BUG|Oops|general protection|refcount_t' | head -3)
check dmesg-clean "" "$bad"
grep -q " fuse" /proc/mounts && fail leftover-mounts "$(grep fuse /proc/mounts)"
check rmmod "ok" "$(err rmmod fuse)"
section done
echo "KT-END"
