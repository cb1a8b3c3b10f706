#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installed-tree test: pkg-config and the headers as a program sees them
#
# usage: abi-install.sh MESON BUILD-DIR SOURCE-DIR
#
# Installs the build into a temporary DESTDIR, checks that pkg-config's
# fuse3 module gives -I<includedir>/fuse3 and -lfuse3 as libfuse's does
# (version 3.18.2: new builds get libfuse3.so.4, as with libfuse 3.17+),
# then builds example/hello.c and example/hello_ll.c from the installed
# headers and library only, checks they need libfuse3.so.4, and runs
# hello --version on the installed library.  libfuse3.so.3 must still be
# installed, and the same sources built for it (FUSED_SOVERSION=3) must
# need it and run on it.
set -euo pipefail
meson=$1 build=$2 src=$3

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

"$meson" install -C "$build" --destdir "$dest" --no-rebuild --quiet >"$dest/install.log" 2>&1 ||
	{ cat "$dest/install.log"; echo "FAIL: meson install"; exit 1; }

pc=$(find "$dest" -name fuse3.pc -path '*/pkgconfig/*' | head -1)
[ -n "$pc" ] || { echo "FAIL: no fuse3.pc installed"; exit 1; }
export PKG_CONFIG_LIBDIR=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest
cflags=$(pkg-config --cflags fuse3)
libs=$(pkg-config --libs fuse3)
# pkgconf prefixes variables with the sysroot too; keep them without it
incdir=$(pkg-config --variable=includedir fuse3); incdir=${incdir#"$dest"}
libdir=$(pkg-config --variable=libdir fuse3); libdir=${libdir#"$dest"}
echo "pkg-config fuse3: $cflags $libs (version $(pkg-config --modversion fuse3))"
[ "$(pkg-config --modversion fuse3)" = 3.18.2 ] || { echo "FAIL: version"; exit 1; }
case " $cflags " in
	*" -I$dest$incdir/fuse3 "*) ;;
	*) echo "FAIL: Cflags lack -I\${includedir}/fuse3"; exit 1 ;;
esac
case " $libs " in
	*" -lfuse3 "*) ;;
	*) echo "FAIL: Libs lack -lfuse3"; exit 1 ;;
esac
for h in fuse.h fuse_lowlevel.h fuse_common.h fuse_opt.h fuse_log.h fuse_abi.h; do
	[ -f "$dest$incdir/fuse3/$h" ] || { echo "FAIL: $h not installed"; exit 1; }
done

# A sanitizer build's library runs only in a program with the same
# runtime, loaded first (tools/run-tests' asan stage): build it so.
san=$("$meson" introspect --buildoptions "$build" |
	jq -r '.[] | select(.name == "b_sanitize") | .value')
sanflags=
[ "$san" = none ] || sanflags=-fsanitize=$san

[ "$(readlink "$dest$libdir/libfuse3.so")" = libfuse3.so.4 ] ||
	{ echo "FAIL: libfuse3.so -> $(readlink "$dest$libdir/libfuse3.so"), not libfuse3.so.4"; exit 1; }
[ -e "$dest$libdir/libfuse3.so.3" ] || { echo "FAIL: libfuse3.so.3 not installed"; exit 1; }

# so: the soname; extra: compiler arguments; version: what --version says
build_run() {
	local so=$1 extra=$2 version=$3 ex out
	for ex in hello hello_ll; do
		# shellcheck disable=SC2086
		cc -D_GNU_SOURCE -Wall -Werror $sanflags $extra -o "$dest/$ex" "$src/example/$ex.c" $cflags $libs
		readelf -d "$dest/$ex" | grep -q "NEEDED.*\[libfuse3\.so\.$so\]" ||
			{ echo "FAIL: $ex does not need libfuse3.so.$so"; exit 1; }
	done
	out=$(LD_LIBRARY_PATH=$dest$libdir timeout 10 "$dest/hello" --version 2>&1) ||
		{ echo "$out"; echo "FAIL: hello --version"; exit 1; }
	echo "$out"
	echo "$out" | grep -q "version $version" ||
		{ echo "FAIL: hello --version does not say $version"; exit 1; }
}
build_run 4 "" 3.18.2
# the old ABI, for whoever still builds for it: by soname, not -lfuse3
libs=${libs/-lfuse3/-l:libfuse3.so.3}
build_run 3 -DFUSED_SOVERSION=3 3.14.0
echo "installed tree OK"
