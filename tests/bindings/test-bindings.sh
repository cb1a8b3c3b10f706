#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bindings' example filesystems mounted and used, as root (the library
# mounts itself) and as uid 61000 (through fused, with the harness's
# private bus and polkitd): Lua's hellofs and memfs on the flu module,
# the numbered-items route example in C and in Lua, and errfs, whose Lua
# errors must reach the caller as errnos (EIO and a log line for a bug)
# while the filesystem keeps serving.  Every run ends with SIGTERM: the
# process must exit 0 and the mount be gone.
#   test-bindings.sh FUSED FUSEDCTL LUA FLU_SO ROUTES_NUMBERED FSOPS HELLOFS MEMFS NUMBERED_LUA ERRFS EXTRAFS
set -u
. "$(dirname "$0")/../fused/harness.sh"
. "$(dirname "$0")/../client/lib.sh"
h_enter_ns "$@"
# strerror texts and ls's order, whatever the caller's locale.
export LC_ALL=C
fused=$(realpath "$1") fusedctl=$(realpath "$2") lua=$3 flu_so=$(realpath "$4")
routes_numbered=$(realpath "$5") fsops=$(realpath "$6")
shift 6
h_setup
h_user_bins flu_so routes_numbered fsops fusedctl
# The scripts, where the test uids can read them.
mkdir -p "$H_TMP/lua" && chmod 0755 "$H_TMP/lua"
for f in "$@"; do cp "$f" "$H_TMP/lua/" && chmod 0644 "$H_TMP/lua/$(basename "$f")"; done
export LUA_CPATH="$(dirname "$flu_so")/?.so"
h_start_fused "$fused"
U=$H_UID0

# fails_with UID TEXT CMD...: CMD fails, saying TEXT (a strerror).
fails_with() {
  local uid=$1 want=$2 out; shift 2
  if [ "$uid" = 0 ]; then out=$("$@" 2>&1 >/dev/null); else out=$(as "$uid" "$@" 2>&1 >/dev/null); fi
  grep -q "$want" <<<"$out" || { echo "  (wanted '$want', got '$out')"; return 1; }
}

run() { local uid=$1; shift; if [ "$uid" = 0 ]; then "$@"; else as "$uid" "$@"; fi; }

use_hellofs() {
  local u=$1 m=$2 who=$3
  h_check "$who: ls shows hello" test "$(run "$u" ls "$m")" = hello
  h_check "$who: cat" test "$(run "$u" cat "$m/hello")" = "Hello World!"
  h_check "$who: stat: 13 bytes, r--r--r--" \
    test "$(run "$u" stat -c '%s %A' "$m/hello")" = "13 -r--r--r--"
  h_check "$who: writing: EACCES from open" \
    fails_with "$u" "Permission denied" sh -c 'echo x >"$1/hello"' sh "$m"
  h_check "$who: a missing name: ENOENT" \
    fails_with "$u" "No such file" cat "$m/missing"
}

use_memfs() {
  local u=$1 m=$2 who=$3
  h_check "$who: mkdir, write, append, read" run "$u" sh -c \
    'set -e; mkdir "$1/d"; echo data >"$1/d/f"; echo more >>"$1/d/f"
     test "$(cat "$1/d/f")" = "$(printf "data\nmore")"' sh "$m"
  h_check "$who: stat: size, owner" \
    test "$(run "$u" stat -c '%s %u %F' "$m/d/f")" = "10 $u regular file"
  h_check "$who: truncate by O_TRUNC" run "$u" sh -c \
    'echo new >"$1/d/f" && test "$(cat "$1/d/f")" = new' sh "$m"
  h_check "$who: symlink, readlink, rename" run "$u" sh -c \
    'set -e; ln -s f "$1/d/l"; test "$(readlink "$1/d/l")" = f; mv "$1/d/f" "$1/d/g"
     test "$(cat "$1/d/g")" = new; test ! -e "$1/d/f"' sh "$m"
  h_check "$who: chmod, touch -d" run "$u" sh -c \
    'set -e; chmod 600 "$1/d/g"; touch -d 2001-02-03 "$1/d/g"
     test "$(stat -c "%a %y" "$1/d/g")" = "600 2001-02-03 00:00:00.000000000 +0000"' sh "$m"
  h_check "$who: xattrs set, listed, read" run "$u" sh -c \
    'set -e; setfattr -n user.a -v 1 "$1"; setfattr -n user.bb -v 22 "$1"
     test "$(getfattr --absolute-names -d "$1" | grep =)" = "$(printf "user.a=\"1\"\nuser.bb=\"22\"")"' sh "$m/d/g"
  h_check "$who: xattr removed, then ENODATA (raised by name)" run "$u" sh -c \
    'set -e; setfattr -x user.a "$1"
     ! getfattr --absolute-names -n user.a "$1" 2>"$1.err"; grep -q "No such attribute" "$1.err"; rm "$1.err"' sh "$m/d/g"
  h_check "$who: renameat2 NOREPLACE onto a file: EEXIST" run "$u" sh -c \
    'echo x >"$1/x" && echo y >"$1/y" && test "$("$2" rename2 "$1/x" "$1/y" noreplace)" = EEXIST' \
    sh "$m/d" "$fsops"
  h_check "$who: renameat2 EXCHANGE swaps" run "$u" sh -c \
    'test "$("$2" rename2 "$1/x" "$1/y" exchange)" = 0 &&
     test "$(cat "$1/x")" = y && test "$(cat "$1/y")" = x' sh "$m/d" "$fsops"
  h_check "$who: 16 readers at once (one Lua state, many threads): all right" run "$u" sh -c \
    'seq 1000 >"$1/big"; for i in $(seq 16); do cmp -s "$1/big" "$2" & done
     fails=0; for p in $(jobs -p); do wait "$p" || fails=$((fails + 1)); done
     rm "$1/big"; test "$fails" = 0' sh "$m/d" "$H_TMP/seq1000"
  h_check "$who: rmdir of a full directory: ENOTEMPTY" \
    fails_with "$u" "not empty" rmdir "$m/d"
  h_check "$who: rm, rmdir, empty again" run "$u" sh -c \
    'set -ex; rm "$1/d/g" "$1/d/l" "$1/d/x" "$1/d/y"; rmdir "$1/d"; left=$(ls -A "$1");
     test -z "$left" || { echo "  (left: $left)" >&2; exit 1; }' sh "$m"
}

use_numbered() {
  local u=$1 m=$2 who=$3
  h_check "$who: / lists the items, the users, latest, about" \
    test "$(run "$u" ls "$m" | tr '\n' ' ')" = "1 10 11 12 2 3 4 5 6 7 8 9 about alice bob latest lines "
  h_check "$who: /3 (a parameter)" \
    test "$(run "$u" cat "$m/3")" = "$(printf 'item 3: the odd bridge\npanels: 4')"
  h_check "$who: /latest (a literal)" run "$u" grep -qx "item 12: the late lighthouse" "$m/latest"
  h_check "$who: /lines (a read handler): size from its stat handler" \
    test "$(run "$u" stat -c %s "$m/lines")" = 110000
  h_check "$who: ... 10000 lines, each where it belongs" run "$u" sh -c \
    'test "$(wc -l <"$1")" = 10000 && test "$(sed -n 4322p "$1")" = "line 04321" &&
     test "$(tail -c 11 "$1")" = "line 09999" && test "$(dd if="$1" bs=1 skip=12 count=9 status=none)" = "ine 00001"' \
    sh "$m/lines"
  h_check "$who: stat /3: a 33-byte read-only file" \
    test "$(run "$u" stat -c '%s %A' "$m/3")" = "33 -r--r--r--"
  h_check "$who: /99 and /carol do not exist" \
    fails_with "$u" "No such file" stat "$m/99" "$m/carol"
  h_check "$who: /alice (implied by /:user/notes/:name) is a directory" \
    test "$(run "$u" stat -c '%F' "$m/alice")" = directory
  h_check "$who: a note created, written, appended, read, listed" run "$u" sh -c \
    'set -e; echo hello >"$1/alice/notes/todo"; echo more >>"$1/alice/notes/todo"
     test "$(cat "$1/alice/notes/todo")" = "$(printf "hello\nmore")"
     test "$(ls "$1/alice/notes")" = todo' sh "$m"
  h_check "$who: rewritten with O_TRUNC" run "$u" sh -c \
    'echo x >"$1/alice/notes/todo" && test "$(cat "$1/alice/notes/todo")" = x' sh "$m"
  h_check "$who: unlinked" run "$u" sh -c \
    'rm "$1/alice/notes/todo" && test -z "$(ls "$1/alice/notes")"' sh "$m"
  h_check "$who: no notes for a user who is not listed" \
    fails_with "$u" "No such file\|nonexistent" sh -c 'echo x >"$1/carol/notes/x"' sh "$m"
  h_check "$who: writing an item: EACCES" \
    fails_with "$u" "Permission denied" sh -c 'echo x >"$1/3"' sh "$m"
  h_check "$who: the catch-all gets the rest of the path" \
    test "$(run "$u" cat "$m/about/bob")" = "bob is a user with notes"
}

use_errfs() {
  local u=$1 m=$2 who=$3 log=$4
  h_check "$who: a Lua bug: EIO" fails_with "$u" "Input/output error" cat "$m/boom"
  h_check "$who: ... and a log line with the method, path and place" \
    grep -q "flu: read /boom: .*errfs.lua:[0-9]*: attempt to index a nil value" "$log"
  h_check "$who: ... the filesystem still serves" test "$(run "$u" cat "$m/ok")" = fine
  h_check "$who: error(\"EACCES\"): EACCES" fails_with "$u" "Permission denied" cat "$m/denied"
  h_check "$who: error(flu.errno.ENOSPC): ENOSPC" fails_with "$u" "No space left" cat "$m/full"
  h_check "$who: error(28): ENOSPC" fails_with "$u" "No space left" cat "$m/number"
  h_check "$who: error(\"no such errno\"): EIO" fails_with "$u" "Input/output error" cat "$m/other"
  h_check "$who: ... logged" grep -q "flu: read /other: .*no such errno" "$log"
  h_check "$who: error({}): EIO" fails_with "$u" "Input/output error" cat "$m/table"
  h_check "$who: ... logged" grep -q "flu: read /table: (error object is a table value)" "$log"
  h_check "$who: no errno logged as a bug" not grep -q "flu: read /\(denied\|full\|number\)" "$log"
  h_check "$who: still listing after all that" \
    test "$(run "$u" ls "$m" | wc -l)" = 7
}

use_extrafs() {
  local u=$1 m=$2 who=$3 log=$4
  last() { run "$u" getfattr --absolute-names --only-values -n user.last "$m"; }
  h_check "$who: init got the connection (protocol 7)" \
    test "$(run "$u" getfattr --absolute-names --only-values -n user.init "$m")" = 7
  h_check "$who: fallocate reaches the method" \
    test "$(run "$u" "$fsops" fallocate "$m/a" 10 20)" = 0
  h_check "$who: ... with path, mode, offset, length" test "$(last)" = "fallocate /a 0 10 20"
  h_check "$who: copy_file_range reaches the method, its count comes back" \
    test "$(run "$u" "$fsops" copy "$m/a" "$m/b" 30)" = 30
  h_check "$who: ... with both paths, offsets, length and open handles" \
    test "$(last)" = "copy /a 0 /b 0 30"
  h_check "$who: lseek SEEK_DATA reaches the method, its offset comes back" \
    test "$(run "$u" "$fsops" seek "$m/a" 5 data)" = 42
  h_check "$who: ... with offset and whence" test "$(last)" = "lseek /a 5 data"
  # (Onto a name that exists, the kernel answers EEXIST itself.)
  h_check "$who: rename with flags to Flu's two-parameter rename: EINVAL" \
    test "$(run "$u" "$fsops" rename2 "$m/a" "$m/new" noreplace)" = EINVAL
  h_check "$who: ... the method never saw it" test "$(last)" = "lseek /a 5 data"
  h_check "$who: a plain rename still reaches it" run "$u" mv "$m/a" "$m/c"
  h_check "$who: ... as rename(from, to)" test "$(last)" = "rename /a /c"
}

# serve UID NAME USE CMD...: mount with CMD (-f appended) as UID, use it,
# SIGTERM it: exit status 0 and unmounted.
serve() {
  local u=$1 name=$2 use=$3 who pid rc m log; shift 3
  if [ "$u" = 0 ]; then who=root; else who="uid $u"; fi
  m=$H_TMP/mnt/$name-$u
  log=$H_TMP/$name-$u.log
  h_mkdir "$m" "$u" 0755
  if [ "$u" = 0 ]; then
    ( exec "$@" "$m" -f ) >"$log" 2>&1 &
  else
    as_bg "$u" "$@" "$m" -f >"$log" 2>&1 &
  fi
  pid=$!
  if ! h_check "$name ($who): mounted" wait_for is_fuse_mounted "$m"; then
    cat "$log"
    kill -KILL "$pid" 2>/dev/null; wait "$pid"
    return
  fi
  if [ "$u" != 0 ]; then
    h_check "$name ($who): through fused, owned by the uid" \
      eval 'grep -F " $m " /proc/self/mountinfo | grep -q "user_id=$u"'
    # (fused may log after the mount is in place: wait for the line.)
    h_check "$name ($who): fused logged the mount" \
      wait_for grep -q "mountpoint=$m .*verdict=allow" "$H_FUSED_LOG"
  fi
  "$use" "$u" "$m" "$name ($who)" "$log"
  kill -TERM "$pid"
  h_check "$name ($who): SIGTERM ends it" wait_for gone "$pid"
  wait "$pid"; rc=$?
  h_check "$name ($who): ... with status 0 (was $rc)" test "$rc" = 0
  h_check "$name ($who): ... unmounted" wait_for not is_fuse_mounted "$m"
  if [ "$name" = extrafs ]; then
    h_check "$name ($who): ... destroy was called" grep -qx "extrafs: destroyed" "$log"
  fi
  [ "$rc" = 0 ] || cat "$log"
}

# In an ASan build flu.so is instrumented and lua5.4 is not: the runtime
# must be loaded first (meson passes its path).
lua_cmd=("$lua")
[ -n "${FLU_TEST_PRELOAD:-}" ] && lua_cmd=(env LD_PRELOAD="$FLU_TEST_PRELOAD" "$lua")

L=$H_TMP/lua
seq 1000 >"$H_TMP/seq1000" && chmod 0644 "$H_TMP/seq1000"
for u in 0 "$U"; do
  serve "$u" hellofs use_hellofs "${lua_cmd[@]}" "$L/hellofs.lua"
  serve "$u" memfs use_memfs "${lua_cmd[@]}" "$L/memfs.lua"
  serve "$u" routes-c use_numbered "$routes_numbered"
  serve "$u" routes-lua use_numbered "${lua_cmd[@]}" "$L/numbered.lua"
  serve "$u" errfs use_errfs "${lua_cmd[@]}" "$L/errfs.lua"
  serve "$u" extrafs use_extrafs "${lua_cmd[@]}" "$L/extrafs.lua"
done

# Without -f, fuse_main daemonizes: the forked child serves on with the
# same Lua state; the owner's unmount through fused ends it.
m=$H_TMP/mnt/hellofs-daemon
h_mkdir "$m" "$U" 0755
h_check "hellofs daemonized by uid $U: the parent returns 0" \
  as "$U" "${lua_cmd[@]}" "$L/hellofs.lua" "$m"
h_check "... mounted" is_fuse_mounted "$m"
h_check "... the child serves" test "$(as "$U" cat "$m/hello")" = "Hello World!"
h_check "... fusedctl unmount by the owner" as "$U" "$fusedctl" unmount "$m"
h_check "... unmounted" wait_for not is_fuse_mounted "$m"
h_check "... and the child exited" wait_for not pgrep -u "$U" -f "hellofs.lua $m\$"

# flu.main failing (no such mountpoint) is a Lua error, not a crash.
out=$("${lua_cmd[@]}" "$L/hellofs.lua" "$H_TMP/no-such-dir" -f 2>&1); rc=$?
h_check "flu.main on a missing mountpoint: exit status 1 (was $rc)" test "$rc" = 1
h_check "... with flu.main's message" grep -q "flu.main: the filesystem ended with status" <<<"$out"
h_done
