#!/bin/bash
# Runs inside the VM (tests/kernel/vm-run.sh boots it) with the module under
# test loaded: example/passthrough_ll over a tmpfs, ROUNDS times each of
# sequential write and read (1 MiB, psync), random 4 KiB reads and
# create/stat/unlink of NFILES files.  One line per figure:
#   KB|name|round|seconds
#
# usage: vm-bench.sh BUILDDIR ROUNDS SIZE_MIB NFILES
set -u
B=$1 ROUNDS=$2 SIZE=$3 NFILES=$4
T=/tmp/kb
back=$T/back mnt=$T/mnt
mkdir -p "$back" "$mnt"
mount -t tmpfs -o size=$((SIZE * 2 + 64))m kb "$back"

now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{ printf "%.6f", $1 - $2 }'; }
kb() { echo "KB|$1|$2|$3"; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }

"$B/example/passthrough_ll" -f -o source="$back" "$mnt" &
server=$!
for _ in $(seq 200); do grep -q " $mnt " /proc/self/mounts && break; sleep 0.05; done
if ! grep -q " $mnt " /proc/self/mounts; then
	echo "KB-ERROR: passthrough_ll did not mount"
	exit 1
fi

for r in $(seq "$ROUNDS"); do
	rm -f "$mnt/big"
	drop
	t=$(now)
	dd if=/dev/zero of="$mnt/big" bs=1M count="$SIZE" conv=fsync status=none ||
		echo "KB-ERROR: write"
	kb seqwrite "$r" "$(since "$t")"
	drop
	t=$(now)
	dd if="$mnt/big" of=/dev/null bs=1M status=none || echo "KB-ERROR: read"
	kb seqread "$r" "$(since "$t")"
	drop
	set -- $("$B/bench/kernel/randread" "$mnt/big" 2000)
	[ "${1:-}" = randread ] && kb randread "$r" "$3" || echo "KB-ERROR: randread"
	mkdir -p "$mnt/files"
	while read -r phase _ secs; do
		kb "$phase" "$r" "$secs"
	done < <("$B/bench/lib/fsbench-files" "$mnt/files" "$NFILES" || echo "KB-ERROR: files")
	rmdir "$mnt/files"
done
rm -f "$mnt/big"
umount "$mnt"
wait "$server"
umount "$back"
echo "KB-END"
