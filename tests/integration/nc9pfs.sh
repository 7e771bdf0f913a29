#!/bin/sh
# nc9pfs.sh: nc9pfs, the FUSE client of a diod export, against a real diod
# on loopback exporting a temporary directory.
#
#  - two mounts of the export: what one writes the other reads back;
#  - mkdir rmdir unlink rename symlink chmod chown truncate touch -d through
#    a mount show in the exported directory itself;
#  - `cp -a` of a tree (0 bytes to 1 MB, modes 0600/0755/0700, symlinks,
#    nested directories, another owner) into the mount round-trips: diff -r
#    equal, modes, owners, mtimes and symlink targets preserved;
#  - large transfers (1 MiB FUSE requests, their 9P chunks in flight
#    together): 16 MiB written with dd bs=1M and read back by 4 readers at
#    once through one mount (libfuse's threads sharing its connection) are
#    the same bytes;
#  - unmount is clean: no mount left and the nc9pfs process gone;
#  - a server that stops answering (SIGSTOP) and a dropped server (kill -9)
#    give EIO within the reply timeout (-o timeout=1000), never a hang.
#
# Every process the test starts is recorded in $T/pids and every mount lives
# under $T; the exit trap stops them and unmounts (fusermount3 -u, then -z),
# and a watchdog does the same after $NC_TEST_LIMIT seconds (default 180).
. "$(dirname "$0")/lib.sh"

NC9PFS=${NC9PFS:-$NC_TOP/bin/nc9pfs}
DIOD=/usr/sbin/diod
LIMIT=${NC_TEST_LIMIT:-180}
: > "$T/pids"

# --- helpers --------------------------------------------------------------

cleanup() {
	set +e
	stop_watchdog
	# a stopped diod must not keep the mounts waiting
	for p in $(cat "$T/pids"); do kill -CONT "$p" 2> /dev/null; done
	unmount_all
	stop_tracked
	unmount_lazy
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
start_watchdog

need_exec "is built / installed" "" "$NC9PFS" "$DIOD"

# mount9 MNT [OPTIONS]: nc9pfs -f of the export on MNT (background); sets
# MPID; returns 1 unless mounted within 10 s.
mount9() {
	mkdir -p "$1"
	"$NC9PFS" "127.0.0.1:$PORT:$EXP" "$1" -f -o "timeout=1000${2:+,$2}" \
	    2>> "$T/log.$(basename "$1")" &
	MPID=$!
	track "$MPID"
	_i=0
	while ! is_mounted "$1"; do
		if ! alive "$MPID" || [ $_i -ge 100 ]; then
			echo "# nc9pfs on $1 did not mount; its log:"
			sed 's/^/#   /' "$T/log.$(basename "$1")" | tail -10
			return 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
}

# t CMD...: CMD under timeout 20 (a hang is a failure, not a stuck test).
t() { timeout 20 "$@"; }

# same NAME CMD...: CMD must succeed (within 20 s).
same() {
	_n=$1
	shift
	if _o=$(t "$@" 2>&1); then ok "$_n"; else notok "$_n" "$_o"; fi
}

# eio NAME MAX_MS CMD...: CMD must fail with "Input/output error" within
# MAX_MS (and not be killed by timeout(1)).
eio() {
	_n=$1 _max=$2
	shift 2
	_t0=$(now_ms)
	_o=$(t "$@" 2>&1)
	_rc=$?
	_ms=$(($(now_ms) - _t0))
	if [ $_rc -eq 124 ] || [ $_rc -ge 128 ]; then
		notok "$_n" "hung: killed by timeout(1) after $_ms ms" "$_o"
	elif [ $_rc -eq 0 ]; then
		notok "$_n" "succeeded; want EIO" "$_o"
	elif ! printf '%s' "$_o" | grep -q "Input/output error"; then
		notok "$_n" "want Input/output error (exit $_rc, $_ms ms)" "$_o"
	elif [ $_ms -gt "$_max" ]; then
		notok "$_n" "took $_ms ms (limit $_max)" "$_o"
	else
		ok "$_n ($_ms ms)"
	fi
}

# --- the server and two mounts ----------------------------------------------

EXP=$T/export
M1=$T/m1
M2=$T/m2
mkdir -p "$EXP"
PORT=$(free_port)
if ! diod_start "$PORT" "$EXP" "$T/diod.log"; then
	notok "diod listens on 127.0.0.1:$PORT" "$(tail -5 "$T/diod.log")"
	exit 1
fi
if mount9 "$M1" && { P1=$MPID; mount9 "$M2"; }; then
	P2=$MPID
	ok "two nc9pfs mounts of the export"
else
	notok "two nc9pfs mounts of the export"
	exit 1
fi

# --- one writes, the other reads ----------------------------------------------

printf 'hello from m1\n' > "$M1/note" 2> "$T/err" || notok "write a file through m1" "$(cat "$T/err")"
expect_eq "a file written through m1 is read back through m2" "hello from m1" "$(t cat "$M2/note" 2>&1)"
expect_eq "... and is in the exported directory" "hello from m1" "$(cat "$EXP/note" 2>&1)"
printf 'rewritten through m2, longer than before\n' > "$M2/note"
expect_eq "a rewrite through m2 is read back through m1 at once" \
    "rewritten through m2, longer than before" "$(t cat "$M1/note" 2>&1)"
printf 'short\n' > "$M1/note"
expect_eq "a shorter rewrite through m1 is read back through m2 at once" \
    "short" "$(t cat "$M2/note" 2>&1)"
printf 'appended\n' >> "$M2/note"
expect_eq "an append through m2 is read back through m1" \
    "short
appended" "$(t cat "$M1/note" 2>&1)"
expect_eq "ls through m2 lists what m1 made" "note" "$(t ls "$M2" 2>&1)"

# --- operations show in the exported directory ---------------------------------

same "mkdir through the mount" mkdir "$M1/dir"
[ -d "$EXP/dir" ] && ok "mkdir: the directory is in the export" || notok "mkdir: the directory is in the export"
same "mkdir -p of nested directories" mkdir -p "$M1/dir/a/b/c"
[ -d "$EXP/dir/a/b/c" ] && ok "mkdir -p: in the export" || notok "mkdir -p: in the export"
same "rmdir through the mount" rmdir "$M1/dir/a/b/c"
[ ! -e "$EXP/dir/a/b/c" ] && [ -d "$EXP/dir/a/b" ] && ok "rmdir: gone from the export" ||
    notok "rmdir: gone from the export"
if out=$(t rmdir "$M1/dir" 2>&1); then
	notok "rmdir of a non-empty directory fails" "it succeeded"
else
	case $out in
	*"not empty"*) ok "rmdir of a non-empty directory fails: $out" ;;
	*) notok "rmdir of a non-empty directory fails with ENOTEMPTY" "$out" ;;
	esac
fi

printf 'x\n' > "$M1/dir/file"
same "unlink through the mount" rm "$M1/dir/file"
[ ! -e "$EXP/dir/file" ] && ok "unlink: gone from the export" || notok "unlink: gone from the export"
out=$(t cat "$M2/dir/file" 2>&1) && notok "unlink: m2 no longer reads the file" "$out" ||
    ok "unlink: m2 no longer reads the file"

printf 'moving\n' > "$M1/old"
same "rename through the mount" mv "$M1/old" "$M1/new"
[ ! -e "$EXP/old" ] && [ "$(cat "$EXP/new" 2>&1)" = moving ] &&
    ok "rename: the export has the new name with the content" ||
    notok "rename: the export has the new name with the content" "$(ls -la "$EXP")"
same "rename into another directory" mv "$M1/new" "$M1/dir/a/moved"
[ ! -e "$EXP/new" ] && [ "$(cat "$EXP/dir/a/moved" 2>&1)" = moving ] &&
    ok "rename across directories: in the export" ||
    notok "rename across directories: in the export"
printf 'target\n' > "$M1/victim"
printf 'winner\n' > "$M1/replacer"
same "rename over an existing file" mv -f "$M1/replacer" "$M1/victim"
expect_eq "rename over an existing file: the export has the new content" winner "$(cat "$EXP/victim" 2>&1)"
same "rename a directory" mv "$M1/dir/a" "$M1/dir/z"
[ -d "$EXP/dir/z/b" ] && [ ! -e "$EXP/dir/a" ] && ok "rename a directory: in the export" ||
    notok "rename a directory: in the export"

same "symlink through the mount" ln -s "../victim" "$M1/dir/link"
expect_eq "symlink: the export holds the link with its target" "../victim" "$(readlink "$EXP/dir/link" 2>&1)"
expect_eq "symlink: readlink through m2" "../victim" "$(t readlink "$M2/dir/link" 2>&1)"
expect_eq "symlink: reading through the link on m2" winner "$(t cat "$M2/dir/link" 2>&1)"
same "absolute symlink through the mount" ln -s /etc/hostname "$M1/abs"
expect_eq "absolute symlink: target kept in the export" /etc/hostname "$(readlink "$EXP/abs" 2>&1)"

same "chmod 0640 through the mount" chmod 0640 "$M1/victim"
expect_eq "chmod: the export's mode" 640 "$(stat -c %a "$EXP/victim")"
same "chmod 4755 through the mount" chmod 4755 "$M1/victim"
expect_eq "chmod setuid: the export's mode" 4755 "$(stat -c %a "$EXP/victim")"
same "chmod of a directory" chmod 0711 "$M1/dir"
expect_eq "chmod of a directory: the export's mode" 711 "$(stat -c %a "$EXP/dir")"
# m2 keeps attributes for 1 s (nc9pfs: attr_timeout 1): it sees the new
# mode once its cached one expired.
mode_is() { [ "$(t stat -c %a "$2")" = "$1" ]; }
if wait_for 5 mode_is 711 "$M2/dir"; then
	ok "chmod: m2 sees the mode once its 1 s attribute cache expired ($WAITED_MS ms)"
else
	notok "chmod: m2 sees the mode within 5 s" "mode $(t stat -c %a "$M2/dir" 2>&1)"
fi

same "chown 4242:4343 through the mount" chown 4242:4343 "$M1/victim"
expect_eq "chown: the export's owner" 4242:4343 "$(stat -c %u:%g "$EXP/victim")"

head -c 10000 /dev/urandom > "$M1/trunc"
same "truncate -s 3 through the mount" truncate -s 3 "$M1/trunc"
expect_eq "truncate: the export's size" 3 "$(stat -c %s "$EXP/trunc")"
same "truncate -s 100000 (extend) through the mount" truncate -s 100000 "$M1/trunc"
expect_eq "truncate (extend): the export's size" 100000 "$(stat -c %s "$EXP/trunc")"
if t cat "$M2/trunc" > "$T/trunc.copy" 2> "$T/err" && [ "$(wc -c < "$T/trunc.copy")" -eq 100000 ] &&
    [ "$(tail -c 99997 "$T/trunc.copy" | tr -d '\0' | wc -c)" -eq 0 ] &&
    [ "$(head -c 3 "$T/trunc.copy")" = "$(head -c 3 "$EXP/trunc")" ]; then
	ok "truncate (extend): m2 reads the 3 bytes kept and zeros after them"
else
	notok "truncate (extend): m2 reads the 3 bytes kept and zeros after them" \
	    "$(cat "$T/err")" "read $(wc -c < "$T/trunc.copy") bytes"
fi
same "truncate -s 0 through the mount" truncate -s 0 "$M1/trunc"
expect_eq "truncate -s 0: the export's size" 0 "$(stat -c %s "$EXP/trunc")"

same "touch -d a date through the mount" touch -d "2020-01-02 03:04:05 UTC" "$M1/trunc"
expect_eq "touch -d: the export's mtime" 1577934245 "$(stat -c %Y "$EXP/trunc")"
expect_eq "touch -d: the export's atime" 1577934245 "$(stat -c %X "$EXP/trunc")"
same "touch -m -d with nanoseconds" touch -m -d "2021-06-07 08:09:10.123456789 UTC" "$M1/trunc"
expect_eq "touch -m: the export's mtime with nanoseconds" "2021-06-07 08:09:10.123456789" \
    "$(TZ=UTC stat -c %y "$EXP/trunc" | cut -c1-29)"
expect_eq "touch -m: atime unchanged" 1577934245 "$(stat -c %X "$EXP/trunc")"
same "touch creates an empty file" touch "$M1/empty"
[ -f "$EXP/empty" ] && [ ! -s "$EXP/empty" ] && ok "touch: the empty file is in the export" ||
    notok "touch: the empty file is in the export"

# --- cp -a round trip ---------------------------------------------------------

SRC=$T/src
mkdir -p "$SRC/top/nested/deeper/deepest" "$SRC/private" "$SRC/emptydir"
: > "$SRC/zero"
printf 'one line\n' > "$SRC/top/small"
head -c 4097 /dev/urandom > "$SRC/top/nested/page-plus-one"
head -c 65537 /dev/urandom > "$SRC/top/nested/deeper/msize-ish"
head -c 1048576 /dev/urandom > "$SRC/top/nested/deeper/deepest/onemeg"
head -c 3000000 /dev/urandom > "$SRC/private/big"
printf '#!/bin/sh\necho hi\n' > "$SRC/top/script"
printf 'secret\n' > "$SRC/private/secret"
chmod 0600 "$SRC/zero" "$SRC/private/secret"
chmod 0755 "$SRC/top/script" "$SRC/top/nested/deeper/deepest/onemeg"
chmod 0700 "$SRC/private"
chmod 0640 "$SRC/private/big"
chown 4242:4343 "$SRC/private/big"
ln -s ../small "$SRC/top/nested/rel-link"
ln -s /nonexistent/target "$SRC/top/dangling"
ln -s deeper "$SRC/top/nested/dir-link"
touch -d "2019-05-06 07:08:09" "$SRC/top/small" "$SRC/private/secret"
touch -h -d "2018-01-01 00:00:00" "$SRC/top/dangling"
touch -d "2017-03-04 05:06:07" "$SRC/top/nested/deeper"

# manifest DIR: every entry's type, mode, owner, size, mtime (seconds; not
# for symlinks) and symlink target, sorted.
manifest() {
	(cd "$1" && find . -printf '%p %y %m %u:%g %s %l\n' | sort)
}
manifest_times() {
	(cd "$1" && find . ! -type l -printf '%p %Ts\n' | sort)
}

t0=$(now_ms)
if out=$(t cp -a "$SRC" "$M1/tree" 2>&1); then
	ok "cp -a of the tree into the mount ($(($(now_ms) - t0)) ms, $(du -sh "$SRC" | cut -f1))"
else
	notok "cp -a of the tree into the mount" "$out"
fi
for where in "$M1/tree:through m1" "$EXP/tree:in the export" "$M2/tree:through m2"; do
	d=${where%%:*} w=${where#*:}
	if out=$(t diff -r --no-dereference "$SRC" "$d" 2>&1); then
		ok "cp -a: diff -r (no dereference) equal $w"
	else
		notok "cp -a: diff -r (no dereference) equal $w" "$(echo "$out" | head -5)"
	fi
	manifest "$SRC" > "$T/man.src"
	t sh -c "cd '$d' && find . -printf '%p %y %m %u:%g %s %l\n' | sort" > "$T/man.dst" 2>&1
	if cmp -s "$T/man.src" "$T/man.dst"; then
		ok "cp -a: types, modes, owners, sizes and symlink targets kept $w"
	else
		notok "cp -a: types, modes, owners, sizes and symlink targets kept $w" \
		    "$(diff "$T/man.src" "$T/man.dst" | head -8)"
	fi
	manifest_times "$SRC" > "$T/tim.src"
	t sh -c "cd '$d' && find . ! -type l -printf '%p %Ts\n' | sort" > "$T/tim.dst" 2>&1
	if cmp -s "$T/tim.src" "$T/tim.dst"; then
		ok "cp -a: mtimes kept $w"
	else
		notok "cp -a: mtimes kept $w" "$(diff "$T/tim.src" "$T/tim.dst" | head -8)"
	fi
done
t0=$(now_ms)
if out=$(t cp -a "$M2/tree" "$T/back" 2>&1) && t diff -r --no-dereference "$SRC" "$T/back" > /dev/null 2>&1 &&
    [ "$(manifest "$SRC")" = "$(manifest "$T/back")" ]; then
	ok "cp -a back out of m2 equals the source ($(($(now_ms) - t0)) ms)"
else
	notok "cp -a back out of m2 equals the source" "$out" "$(diff "$T/man.src" "$T/man.dst" | head -5)"
fi
same "rm -rf of the tree through the mount" rm -rf "$M1/tree"
[ ! -e "$EXP/tree" ] && ok "rm -rf: the tree is gone from the export" ||
    notok "rm -rf: the tree is gone from the export" "$(find "$EXP/tree" | head -5)"

# --- large transfers: chunks in flight, threads sharing the connection ------

# A 1 MiB write or read is one FUSE request, sent as msize-sized 9P requests
# all in flight at once; readers in parallel share m1's one connection.
head -c 16777216 /dev/urandom > "$T/big16"
want=$(sha256sum < "$T/big16" | cut -d' ' -f1)
t0=$(now_ms)
if t dd if="$T/big16" of="$M1/big16" bs=1M conv=fsync 2> "$T/err" &&
    [ "$(sha256sum < "$EXP/big16" | cut -d' ' -f1)" = "$want" ]; then
	ok "dd bs=1M of 16 MiB into m1: the export has the same bytes ($(($(now_ms) - t0)) ms)"
else
	notok "dd bs=1M of 16 MiB into m1: the export has the same bytes" "$(tail -3 "$T/err")"
fi
t0=$(now_ms)
for k in 1 2 3 4; do
	case $k in
	1) t dd if="$M1/big16" bs=1M 2> /dev/null ;;
	2) t dd if="$M1/big16" bs=128k 2> /dev/null ;;
	3) t cat "$M1/big16" ;;
	4) t dd if="$M1/big16" bs=1000000 2> /dev/null ;;
	esac | sha256sum | cut -d' ' -f1 > "$T/rd.$k" &
	readers="${readers:-} $!"
done
wait $readers	# not the mounts' nc9pfs, which are children too
bad=''
for k in 1 2 3 4; do [ "$(cat "$T/rd.$k")" = "$want" ] || bad="$bad reader$k"; done
if [ -z "$bad" ]; then
	ok "4 readers at once through m1's one connection read the 16 MiB whole ($(($(now_ms) - t0)) ms)"
else
	notok "4 readers at once through m1's one connection read the 16 MiB whole" "wrong:$bad"
fi
if [ "$(t dd if="$M2/big16" bs=1M skip=3 count=2 2> /dev/null | sha256sum | cut -d' ' -f1)" = \
    "$(dd if="$T/big16" bs=1M skip=3 count=2 2> /dev/null | sha256sum | cut -d' ' -f1)" ]; then
	ok "a 2 MiB read from the middle through m2 is the same bytes"
else
	notok "a 2 MiB read from the middle through m2 is the same bytes"
fi
rm -f "$M1/big16" "$T/big16"

# --- clean unmount ----------------------------------------------------------

if fusermount3 -u "$M1" 2> "$T/err"; then
	ok "fusermount3 -u of m1"
else
	notok "fusermount3 -u of m1" "$(cat "$T/err")"
fi
is_mounted "$M1" && notok "after unmount: m1 is no mount" || ok "after unmount: m1 is no mount"
wait_gone "$P1" && ok "after unmount: its nc9pfs process exits" ||
    notok "after unmount: its nc9pfs process exits" "pid $P1 still runs"
wait "$P1" 2> /dev/null
expect_eq "after unmount: nc9pfs exits 0" 0 "$?"

# --- a server that stops answering, then a dropped server --------------------

mount9 "$M1" || notok "mount m1 again"
P1=$MPID
printf 'still here\n' > "$M1/alive"
expect_eq "the new m1 mount works" "still here" "$(t cat "$M2/alive" 2>&1)"
kill -STOP "$DPID"
# Past the 1 s attribute and entry cache, so that the next calls go to the
# server: the expiry of a kernel timer, nothing to watch for.
sleep 1.2
eio "diod stopped (SIGSTOP): cat through m1 fails with EIO within 3 s" 3000 cat "$M1/alive"
eio "diod stopped (SIGSTOP): ls through m1 fails with EIO within 3 s" 3000 ls "$M1/"
kill -9 "$DPID"
kill -CONT "$DPID" 2> /dev/null
wait_gone "$DPID"
sleep 1.2	# past the cache again (see above)
eio "diod killed (kill -9): cat through m2 fails with EIO within 3 s" 3000 cat "$M2/alive"
eio "diod killed (kill -9): ls through m2 fails with EIO within 3 s" 3000 ls "$M2/"
eio "diod killed (kill -9): writing through m2 fails with EIO within 3 s" 3000 \
    sh -c "echo x > '$M2/new-after-death'"
eio "diod killed: cat through m1 (timed out before) still fails with EIO" 3000 cat "$M1/alive"
for pm in "$P1:$M1" "$P2:$M2"; do
	p=${pm%%:*} m=${pm#*:}
	if fusermount3 -u "$m" 2> "$T/err" && ! is_mounted "$m" && wait_gone "$p"; then
		ok "with the server dead: $(basename "$m") unmounts cleanly and nc9pfs exits"
	else
		notok "with the server dead: $(basename "$m") unmounts cleanly and nc9pfs exits" \
		    "$(cat "$T/err")" "mounted: $(is_mounted "$m" && echo yes || echo no), process: $(alive "$p" && echo alive || echo gone)"
	fi
done

# nc9pfs refuses to mount a closed port (and says so) rather than hanging
CLOSED=$(free_port)
mkdir -p "$T/m3"
t0=$(now_ms)
out=$(t "$NC9PFS" "127.0.0.1:$CLOSED:$EXP" "$T/m3" -o timeout=1000 2>&1)
rc=$?
ms=$(($(now_ms) - t0))
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && ! is_mounted "$T/m3"; then
	ok "nc9pfs of a closed port fails at once (exit $rc, $ms ms: $(echo "$out" | head -n 1))"
else
	notok "nc9pfs of a closed port fails at once" "exit $rc after $ms ms: $out"
fi
