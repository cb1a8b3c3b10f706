#!/bin/sh
# Builds fuse.ko with kbuild out of tree.  kbuild writes its objects next
# to the sources, so they are copied into a directory of the build tree.
# usage: kbuild.sh SRCDIR KDIR OBJDIR OUTPUT
set -eu
src=$1 kdir=$2 obj=$3 out=$4
rm -rf "$obj"
mkdir -p "$obj"
cp "$src"/*.c "$src"/*.h "$src"/Kbuild "$obj"/
obj=$(cd "$obj" && pwd)
make -s -C "$kdir" M="$obj" FUSED_WERROR=y modules 2>&1 | grep -v '^Skipping BTF generation' >&2 || true
[ -f "$obj/fuse.ko" ] || { echo "kbuild.sh: no fuse.ko built against $kdir" >&2; exit 1; }
cp "$obj/fuse.ko" "$out"
