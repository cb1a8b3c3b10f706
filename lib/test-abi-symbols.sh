#!/bin/bash
# ABI test: the dynamic symbols of our libfuse3.so.3 against libfuse 3.14's
#
# usage: test-abi-symbols.sh LIBRARY abi-symbols.txt [--complete]
#
# Always: the version nodes and their parents are libfuse's, and every
# symbol we export is one libfuse exports, at the same node, default or
# compat alike (nothing internal leaks).  With --complete also every
# libfuse symbol must be there; the 'unit' suite runs without it so that
# landing a part of the library is possible, the 'lib' suite with it.
set -euo pipefail
lib=$1 expected=$2 complete=${3:-}

fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Version definitions: "NODE PARENT" pairs.
readelf -V --wide "$lib" | awk '
	/Name: FUSE_/ { if (node) print node, "-"; node = $NF; next }
	/Parent 1:/ && node { print node, $NF; node = ""; next }
	END { if (node) print node, "-" }' | sort > "$tmp/nodes"
cat > "$tmp/nodes.want" <<'NODES'
FUSE_3.0 -
FUSE_3.1 FUSE_3.0
FUSE_3.12 FUSE_3.4
FUSE_3.2 FUSE_3.1
FUSE_3.3 FUSE_3.2
FUSE_3.4 FUSE_3.3
FUSE_3.7 FUSE_3.4
NODES
if ! diff -u "$tmp/nodes.want" "$tmp/nodes"; then
	echo "FAIL: version nodes or their parents differ from libfuse 3.14"
	fail=1
fi

# Defined dynamic functions and objects as "NODE name" / "(NODE) name".
objdump -T "$lib" | awk '$0 ~ / D[FO] / && $0 !~ /\*UND\*/ && $0 !~ /\*ABS\*/ \
	{ print $(NF-1), $NF }' | sort -u > "$tmp/have"
grep -v '^#' "$expected" | sort -u > "$tmp/want"

extra=$(comm -13 "$tmp/want" "$tmp/have")
missing=$(comm -23 "$tmp/want" "$tmp/have")
if [ -n "$extra" ]; then
	echo "FAIL: exported but not by libfuse 3.14 (or at another node):"
	echo "$extra" | sed 's/^/  /'
	fail=1
fi
echo "$(wc -l < "$tmp/have") of $(wc -l < "$tmp/want") libfuse 3.14 symbols exported"
if [ -n "$missing" ]; then
	echo "missing:"
	echo "$missing" | sed 's/^/  /'
	if [ "$complete" = --complete ]; then
		echo "FAIL: symbols missing"
		fail=1
	fi
fi
exit $fail
