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

section writes
# ---- passthrough_ll over tmpfs: every operation that changes something ----
src=$T/wsrc; m=$T/wpt; mkdir -p $src $m
py() { /usr/bin/python3 -c "$1" 2>&1; }
dd if=/dev/urandom of=$T/rand bs=1M count=8 status=none
rand=$(md5sum < $T/rand | cut -d' ' -f1)
$B/example/passthrough_ll -f --source=$src $m >$T/wpt.log 2>&1 &
wp=$!
if wait_mount $m; then
	check w-create "hello hello" "$(echo hello > $m/a && echo "$(cat $src/a) $(cat $m/a)" 2>&1)"
	cp $T/rand $m/big
	check w-big "$rand $rand" "$(md5sum < $src/big | cut -d' ' -f1) $(md5sum < $m/big | cut -d' ' -f1)"
	dd if=$T/rand of=$m/b4k bs=4k status=none
	check w-dd-4k "$rand" "$(md5sum < $src/b4k | cut -d' ' -f1)"
	printf a > $m/app; printf b >> $m/app; printf c >> $m/app
	check w-append "abc" "$(cat $m/app)"
	echo "a longer line" > $m/t; echo s > $m/t
	check w-otrunc "s 2" "$(cat $m/t) $(stat -c %s $m/t)"
	printf AAAAAAAA > $m/c; cat $m/c >/dev/null
	printf BB | dd of=$m/c bs=1 seek=2 conv=notrunc status=none
	check w-cache-coherent "AABBAAAA" "$(cat $m/c)"
	check w-truncate "3 hel" "$(truncate -s 3 $m/a && echo "$(stat -c %s $m/a) $(cat $m/a)" 2>&1)"
	check w-truncate-grow "10000 0000000000" "$(truncate -s 10000 $m/a && echo "$(stat -c %s $m/a) $(tail -c 5 $m/a | od -An -tx1 | tr -d ' \n')" 2>&1)"
	check w-ftruncate "5" "$(py "import os; fd=os.open('$m/a', os.O_RDWR); os.ftruncate(fd, 5); print(os.fstat(fd).st_size)")"
	mv $m/c $m/c2
	check w-rename "AABBAAAA no" "$(cat $m/c2) $(test -e $m/c && echo yes || echo no)"
	renameat2="import ctypes,os; l=ctypes.CDLL(None,use_errno=True)
def r2(a,b,f):
    if l.renameat2(-100,a.encode(),-100,b.encode(),f): print(os.strerror(ctypes.get_errno())); raise SystemExit"
	echo one > $m/x1; echo two > $m/x2
	check w-rename-noreplace "File exists" "$(py "$renameat2
r2('$m/x1','$m/x2',1); print('ok')")"
	check w-rename-exchange "two one" "$(py "$renameat2
r2('$m/x1','$m/x2',2)" && echo $(cat $m/x1 $m/x2))"
	mv -f $m/x1 $m/x2
	check w-rename-replace "two 1" "$(cat $m/x2) $(ls $m | grep -c '^x')"
	ln $m/app $m/app2
	check w-link "2 abc" "$(stat -c %h $m/app) $(cat $m/app2)"
	rm $m/app2
	check w-unlink "1 no" "$(stat -c %h $m/app) $(test -e $src/app2 && echo yes || echo no)"
	ln -s app $m/sl
	check w-symlink "app abc" "$(readlink $m/sl) $(cat $m/sl)"
	mkdir $m/d; echo x > $m/d/f
	check w-rmdir-nonempty "Directory not empty" "$(err rmdir $m/d)"
	rm $m/d/f
	check w-rmdir "ok no" "$(err rmdir $m/d) $(test -e $src/d && echo yes || echo no)"
	check w-mkdir-nlink "4" "$(mkdir -p $m/p/q $m/p/r && stat -c %h $m/p)"
	mkfifo $m/fifo
	check w-mknod "fifo" "$(stat -c %F $m/fifo)"
	chmod 640 $m/app
	check w-chmod "640 640" "$(stat -c %a $m/app) $(stat -c %a $src/app)"
	chown 61000:61001 $m/app
	check w-chown "61000:61001 61000:61001" "$(stat -c %u:%g $m/app) $(stat -c %u:%g $src/app)"
	touch -d @1000000000 $m/app; touch -a -d @2000000000 $m/app
	check w-utimens "2000000000 1000000000" "$(stat -c '%X %Y' $m/app)"
	touch $m/app
	check w-utime-now "recent" "$( [ $(( $(date +%s) - $(stat -c %Y $m/app) )) -lt 100 ] && echo recent || stat -c %Y $m/app)"
	check w-xattr "b'v1' True ENODATA" "$(py "import os,errno
p='$m/app'; os.setxattr(p,'trusted.k',b'v1'); v=os.getxattr(p,'trusted.k'); l='trusted.k' in os.listxattr(p)
os.removexattr(p,'trusted.k')
try: os.getxattr(p,'trusted.k'); e='still there'
except OSError as x: e=errno.errorcode[x.errno]
print(v,l,e)")"
	check w-fsync "ok" "$(py "import os; fd=os.open('$m/app', os.O_RDWR); os.write(fd,b'x'); os.fsync(fd); os.fdatasync(fd); print('ok')")"
	check w-fsyncdir "ok" "$(py "import os; fd=os.open('$m/p', os.O_RDONLY); os.fsync(fd); print('ok')")"
	check w-fallocate "1048576 ok" "$(fallocate -l 1M $m/fa && stat -c %s $m/fa) $(err fallocate -p -o 0 -l 4096 $m/fa)"
	check w-seek-hole "0 65536" "$(py "import os; fd=os.open('$m/sp', os.O_RDWR|os.O_CREAT); os.pwrite(fd,b'x'*4096,65536); print(os.lseek(fd,0,os.SEEK_HOLE), os.lseek(fd,0,os.SEEK_DATA))")"
	check w-copy-range "$rand" "$(py "import os; i=os.open('$m/big',os.O_RDONLY); o=os.open('$m/cp',os.O_WRONLY|os.O_CREAT)
n=0
while n < 8<<20: n += os.copy_file_range(i,o,8<<20)
" && md5sum < $m/cp | cut -d' ' -f1)"
	check w-other-uid "Permission denied" "$(err setpriv --reuid 65534 --regid 65534 --clear-groups sh -c "echo x > $m/other")"
	# stores through a shared mapping reach the server: at msync, and
	# (with no msync) when the last reference to the file goes
	check w-mmap-shared-write "MMAPD MMAPD|UNMAP UNMAP" "$(py "import mmap,os
fd=os.open('$m/mm',os.O_RDWR|os.O_CREAT); os.ftruncate(fd,10000)
m=mmap.mmap(fd,10000,mmap.MAP_SHARED,mmap.PROT_READ|mmap.PROT_WRITE); m[5000:5005]=b'MMAPD'; m.flush()
a=os.pread(os.open('$m/mm',os.O_RDONLY),5,5000); b=open('$src/mm','rb').read()[5000:5005]
m[9000:9005]=b'UNMAP'; m.close(); os.close(fd)
c=open('$src/mm','rb').read()[9000:9005]; d=open('$m/mm','rb').read()[9000:9005]
print(a.decode(),b.decode()+'|'+c.decode(),d.decode())")"
	check w-mmap-then-write "AAxxAAAA" "$(py "import mmap,os
fd=os.open('$m/mw',os.O_RDWR|os.O_CREAT); os.write(fd,b'........')
m=mmap.mmap(fd,8,mmap.MAP_SHARED,mmap.PROT_READ|mmap.PROT_WRITE); m[0:8]=b'AAAAAAAA'
os.pwrite(fd,b'xx',2); print(m[0:8].decode())")"
	umount $m
	if wait_gone $wp; then pass w-umount "server exited"; else fail w-umount "server still running"; kill -9 $wp; fi
else
	fail w-mount "$(cat $T/wpt.log)"
	kill -9 $wp 2>/dev/null
fi

section odirect
# ---- O_DIRECT: tmpfs refuses it, so over memfs (which does not care) ----
m=$T/mem; mkdir -p $m
$B/example/memfs $m -f >$T/mem.log 2>&1 &
mp=$!
if wait_mount $m; then
	dd if=$T/rand of=$m/d bs=64k oflag=direct status=none
	check odirect "$rand $rand" "$(dd if=$m/d bs=64k iflag=direct status=none | md5sum | cut -d' ' -f1) $(md5sum < $m/d | cut -d' ' -f1)"
	umount $m
	wait_gone $mp || { fail odirect-umount "memfs still running"; kill -9 $mp; }
else
	fail odirect "$(cat $T/mem.log)"
	kill -9 $mp 2>/dev/null
fi

section lib
# ---- the library's mounted suite: tests/lib/mounted-test and fsops ----
# fsops' xattr test uses user.* names, which 6.1's tmpfs (the reference)
# lacks: skipped here, w-xattr above covers xattrs.  Its readdir test makes
# and walks 10000 entries, minutes under TCG: skipped, pt-readdir-many
# covers READDIR.
libt=$(cd "$(dirname "$0")/../lib" && pwd)
while read -r name kind ex skip extra; do
	out=$(timeout 200 "$libt/mounted-test" "$B/tests/lib/fsops" "$kind" "$B/example/$ex" $extra "--skip=$skip" 2>&1)
	rc=$?
	echo "$out" | awk 'NF == 2 && ($1 == "ok" || $1 == "FAIL")' | while read -r res t; do
		[ "$res" = ok ] && pass "lib-$name-$t" "" || fail "lib-$name-$t" "see the log"
	done
	if [ $rc = 0 ]; then pass "lib-$name" "mounted-test exit 0"; else fail "lib-$name" "exit $rc"; echo "$out"; fi
done <<'EOL'
passthrough_ll passthrough passthrough_ll xattr,readdir
memfs memfs memfs xattr,readdir
direct_io passthrough passthrough xattr,readdir,mmap --server=-odirect_io
EOL

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
	check hostile-hugesize-caller "Input/output error" "$(err stat $m/hugesize)"
	# replies to the write path and the namespace operations
	for c in new-badnode new-root new-short new-wrongtype; do
		check hostile-create-$c "Input/output error" "$(err touch $m/$c)"
	done
	check hostile-mknod-wrongtype "Input/output error" "$(err mkfifo $m/new-wrongtype)"
	check hostile-mkdir-wrongtype "Input/output error" "$(err mkdir $m/new-wrongtype)"
	check hostile-symlink-wrongtype "Input/output error" "$(err ln -s ok $m/new-wrongtype)"
	check hostile-link-wrongtype "Input/output error" "$(err ln $m/ok $m/new-wrongtype)"
	check hostile-write-toomuch "Input/output error" "$(/usr/bin/python3 -c "import os
fd=os.open('$m/ok',os.O_WRONLY)
try: print(os.write(fd,b'hello'))
except OSError as e: print(e.strerror)" 2>&1)"
	check hostile-setattr-typechange "Input/output error" "$(err truncate -s 1 $m/ok)"
	xa="import ctypes,os; l=ctypes.CDLL(None,use_errno=True)"
	# Linux's fuse caps an impossible xattr length at 64 KiB and hands an
	# impossible seek offset to vfs_setpos (EINVAL); ours says EIO
	eio="Input/output error" big=$eio seekerr=$eio
	[ "$WHICH" = stock ] && big=65536 seekerr="Invalid argument"
	check hostile-getxattr-hugesize "$big" "$(/usr/bin/python3 -c "$xa
r=l.getxattr(b'$m/ok',b'user.x',None,0); print(r if r>=0 else os.strerror(ctypes.get_errno()))" 2>&1)"
	check hostile-listxattr-hugesize "$big" "$(/usr/bin/python3 -c "$xa
r=l.listxattr(b'$m/ok',None,0); print(r if r>=0 else os.strerror(ctypes.get_errno()))" 2>&1)"
	check hostile-listxattr-nonul "Input/output error" "$(/usr/bin/python3 -c "$xa
b=ctypes.create_string_buffer(256); r=l.listxattr(b'$m/ok',b,256); print(r if r>=0 else os.strerror(ctypes.get_errno()))" 2>&1)"
	check hostile-lseek-negative "$seekerr" "$(/usr/bin/python3 -c "import os
fd=os.open('$m/ok',os.O_RDONLY)
try: print(os.lseek(fd,0,os.SEEK_DATA))
except OSError as e: print(e.strerror)" 2>&1)"
	# writeback of a shared mapping's page, answered with a lie
	mw=$(/usr/bin/python3 -c "import mmap,os
fd=os.open('$m/cached',os.O_RDWR); m=mmap.mmap(fd,8192,mmap.MAP_SHARED,mmap.PROT_READ|mmap.PROT_WRITE)
m[0:5]=b'dirty'
try: m.flush(); print('ok')
except OSError as e: print(e.strerror)" 2>&1)
	if [ "$WHICH" = ours ]; then
		check hostile-writeback-toomuch "Input/output error" "$mw"
	else
		info hostile-writeback-toomuch "$mw"
	fi
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
