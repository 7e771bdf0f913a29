#!/bin/sh
# ncfs_mount.sh: how ncfs is started and stopped.  As a daemon (exit 0
# once mounted), unmounted by SIGTERM (the process gone, the mount point out
# of /proc/mounts) and by fusermount3 -u; in the foreground (-f) with
# SIGTERM and SIGINT; as `mount -t fuse.ncfs` and from an fstab line (mount
# -T FILE), which run `ncfs` through mount.fuse3 from PATH, then umount;
# -d; the options of the man page; and the exit status and message of
# each usage error, with nothing left mounted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs

DB=$T/e.db
M=$T/m
make_db "$DB"
mkdir -p "$M"

# gone_and_unmounted NAME PIDS: within 5 s every pid exited and M is no
# longer a mount point.
gone_and_unmounted() {
	_n=$1
	shift
	_bad=
	for _p in "$@"; do wait_gone "$_p" || _bad="$_bad pid $_p still runs;"; done
	_i=0
	while is_mounted "$M" && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
	is_mounted "$M" && _bad="$_bad $M still mounted;"
	if [ -z "$_bad" ]; then ok "$_n"; else notok "$_n" "$_bad"; fi
}

# --- daemon ------------------------------------------------------------------------
if "$NCFS" "$DB" "$M" > "$T/d.out" 2>&1; then
	ok "ncfs DB MNT (a daemon) exits 0 once mounted"
else
	notok "ncfs DB MNT (a daemon) exits 0 once mounted" "$(cat "$T/d.out")"
fi
pids=$(ncfs_pids_of "$M")
for p in $pids; do ncfs_record "$p" "$M"; done
is_mounted "$M" && ok "the mount is there when ncfs returns" || notok "the mount is there when ncfs returns"
expect_eq "/proc/mounts says fuse.ncfs" fuse.ncfs "$(awk -v m="$M" '$2 == m { print $3 }' /proc/mounts)"
expect_eq "one ncfs process serves it" 1 "$(echo $pids | wc -w)"
expect_eq "cat through the daemon's mount" container "$(cat "$M/nodes/h1/role")"
[ -n "$pids" ] && kill -TERM $pids
gone_and_unmounted "SIGTERM: the daemon unmounts and exits" $pids

"$NCFS" "$DB" "$M" > "$T/d.out" 2>&1 || notok "ncfs mounts again" "$(cat "$T/d.out")"
pids=$(ncfs_pids_of "$M")
for p in $pids; do ncfs_record "$p" "$M"; done
check "fusermount3 -u of the daemon's mount" fusermount3 -u "$M"
gone_and_unmounted "fusermount3 -u: the daemon exits" $pids

# --- foreground ----------------------------------------------------------------------
# A background job of a non-interactive shell starts with SIGINT ignored
# (and libfuse then leaves it so): give ncfs the default disposition.
for sig in TERM INT HUP; do
	if NCFS_WRAP="env --default-signal=INT" ncfs_mount "$M" "$DB"; then
		cat "$M/nodes/h1/os" > /dev/null
		kill -$sig "$NCFS_PID"
		gone_and_unmounted "ncfs -f: SIG$sig unmounts and exits" "$NCFS_PID"
		wait "$NCFS_PID"
		expect_eq "ncfs -f: exit status 0 after SIG$sig" 0 $?
	else
		notok "ncfs -f mounts"
	fi
done
if ncfs_mount "$M" "$DB"; then
	cat "$M/nodes/h1/os" > /dev/null
	fusermount3 -u "$M"
	gone_and_unmounted "ncfs -f: fusermount3 -u unmounts and ncfs exits" "$NCFS_PID"
	wait "$NCFS_PID"
	expect_eq "ncfs -f: exit status 0 after fusermount3 -u" 0 $?
fi
if ncfs_mount "$M" "$DB" -d; then
	cat "$M/nodes/h1/os" > /dev/null
	grep -q -i 'lookup\|LOOKUP' "$NCFS_LOG" && ok "-d logs the requests" ||
	    notok "-d logs the requests" "$(head -5 "$NCFS_LOG")"
	kill -TERM "$NCFS_PID"
	gone_and_unmounted "ncfs -d: SIGTERM unmounts and exits" "$NCFS_PID"
else
	notok "ncfs -d mounts (in the foreground)"
fi
if ncfs_mount "$M" "$DB" -o timeout=5,poll=0.1,allow_other; then
	ok "-o timeout=5,poll=0.1,allow_other are accepted"
	grep -q "$M .*allow_other" /proc/mounts && ok "allow_other reaches the kernel" ||
	    notok "allow_other reaches the kernel" "$(grep "$M" /proc/mounts)"
	sqlite3 "$DB" "UPDATE nodes SET os = 'polled' WHERE name = 'h2'; UPDATE experiment SET generation = generation + 1"
	ms=$(poll_until 20 sh -c "[ \"\$(cat '$M/nodes/h2/os')\" = polled ]")
	[ "$ms" != never ] && ok "-o poll=0.1: another writer's change seen ($ms ms)" ||
	    notok "-o poll=0.1: another writer's change seen"
	ncfs_umount "$M" "$NCFS_PID" || notok "unmount"
else
	notok "-o timeout=5,poll=0.1,allow_other are accepted"
fi

# --- the mount(8) forms -----------------------------------------------------------
# mount(8) runs mount.fuse3 with a fixed PATH (/usr/local/sbin:/usr/local/bin:
# /usr/sbin:/usr/bin:/sbin:/bin), so `mount -t fuse.ncfs` finds ncfs only
# where `make install` puts it.  The test leaves the system alone: it runs
# mount(8) in a private mount namespace (unshare -m) in which
# /usr/local/sbin is a directory holding a link to bin/ncfs; the mount, the
# reads and the umount all happen in there.
mkdir -p "$T/sbin"
ln -s "$NCFS" "$T/sbin/ncfs"
printf '%s %s fuse.ncfs defaults,allow_other 0 0\n' "$DB" "$M" > "$T/fstab"
printf '%s %s fuse.ncfs ro,allow_other 0 0\n' "$DB" "$M" > "$T/fstab.ro"
cat > "$T/in_ns.sh" <<'SH'
# in the private namespace: $1 = T, $2 = M, $3 = DB, $4 = lib dir
T=$1 M=$2 DB=$3
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; }
pids_of() { for d in /proc/[0-9]*; do { tr '\0' '\n' < $d/cmdline; } 2> /dev/null |
    grep -qxF -- "$M" && { head -c 200 $d/cmdline | tr '\0' ' '; } 2> /dev/null | grep -q ncfs &&
    echo ${d#/proc/}; done; }
gone() { i=0; while [ -n "$(pids_of)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done; [ -z "$(pids_of)" ]; }
mount --bind "$T/sbin" /usr/local/sbin || { notok "bind /usr/local/sbin in a private namespace"; exit 0; }
# mount NAME ARGS... then checks
if mount -t fuse.ncfs "$DB" "$M" -o allow_other > "$T/m.out" 2>&1; then
	ok "mount -t fuse.ncfs EXP.db MNT -o allow_other"
	[ "$(cat "$M/nodes/h1/role")" = container ] && ok "...cat through it" || notok "...cat through it"
	grep -q " $M fuse.ncfs .*allow_other" /proc/mounts && ok "...mounted as fuse.ncfs with allow_other" ||
	    notok "...mounted as fuse.ncfs with allow_other" "$(grep " $M " /proc/mounts)"
	umount "$M" && ok "...umount MNT" || notok "...umount MNT"
	gone && ok "...ncfs exits after umount" || notok "...ncfs exits after umount" "$(pids_of)"
else
	notok "mount -t fuse.ncfs EXP.db MNT -o allow_other" "$(cat "$T/m.out")"
fi
if mount -T "$T/fstab" "$M" > "$T/m.out" 2>&1; then
	ok "the fstab line 'EXP.db MNT fuse.ncfs defaults,allow_other 0 0' mounts (mount -T FILE MNT)"
	[ "$(cat "$M/nodes/h1/ifaces/eth1/ip")" = 192.168.1.11 ] && ok "...cat through it" || notok "...cat through it"
	umount "$M" && ok "...umount MNT" || notok "...umount MNT"
	gone && ok "...ncfs exits after umount" || notok "...ncfs exits after umount" "$(pids_of)"
else
	notok "the fstab line 'EXP.db MNT fuse.ncfs defaults,allow_other 0 0' mounts" "$(cat "$T/m.out")"
fi
if mount -T "$T/fstab.ro" "$M" > "$T/m.out" 2>&1; then
	if out=$( { echo x > "$M/nodes/h1/os"; } 2>&1); then
		notok "fstab with ro: writes fail with Read-only file system" "the write succeeded"
	else
		case $out in *"Read-only file system"*) ok "fstab with ro: writes fail with Read-only file system" ;;
		*) notok "fstab with ro: writes fail with Read-only file system" "$out" ;; esac
	fi
	umount "$M"
	gone && ok "...ncfs exits after umount" || notok "...ncfs exits after umount"
else
	notok "the fstab line with ro mounts" "$(cat "$T/m.out")"
fi
SH
if command -v unshare > /dev/null; then
	timeout -k 5 60 unshare -m sh "$T/in_ns.sh" "$T" "$M" "$DB"
else
	notok "unshare is available for the mount(8) checks"
fi
# the old mount.fuse form needs no PATH: "fuse" with PROGRAM#SOURCE
if mount -t fuse "$NCFS#$DB" "$M" -o allow_other > "$T/m.out" 2>&1; then
	ok "mount -t fuse 'bin/ncfs#EXP.db' MNT (mount.fuse3 runs it with its options)"
	for p in $(ncfs_pids_of "$M"); do ncfs_record "$p" "$M"; done
	expect_eq "...cat through it" container "$(cat "$M/nodes/h1/role")"
	pids=$(ncfs_pids_of "$M")
	check "...umount MNT" umount "$M"
	gone_and_unmounted "...ncfs exits after umount" $pids
else
	notok "mount -t fuse 'bin/ncfs#EXP.db' MNT" "$(cat "$T/m.out")"
fi

# --- usage errors: non-zero exit, a message, nothing mounted ----------------------------
# fails NAME ARGS...: ncfs ARGS must exit non-zero, print something on
# stderr and leave M unmounted.
fails() {
	_n=$1
	shift
	"$NCFS" "$@" > "$T/u.out" 2> "$T/u.err"
	_rc=$?
	for p in $(ncfs_pids_of "$M") $(ncfs_pids_of "$DB"); do ncfs_record "$p" "$M"; done
	if [ $_rc -eq 0 ]; then
		notok "$_n: fails" "exit 0"
		for _x in "$M" "$T/afile"; do
			is_mounted "$_x" && { fusermount3 -u "$_x" || fusermount3 -u -z "$_x"; }
		done
	elif [ ! -s "$T/u.err" ]; then
		notok "$_n: says why on stderr" "exit $_rc, no message"
	elif is_mounted "$M"; then
		notok "$_n: nothing mounted" "exit $_rc"
		fusermount3 -u "$M" || fusermount3 -u -z "$M"
	else
		ok "$_n: exit $_rc, $(head -1 "$T/u.err" | cut -c1-70)"
	fi
}
fails "no arguments"
fails "only the database" "$DB"
fails "a database that does not exist" "$T/nosuch.db" "$M"
printf 'this is not a database\n%.0s' $(seq 1 200) > "$T/junk.db"
fails "a file that is not a database" "$T/junk.db" "$M"
: > "$T/empty.db"
fails "an empty file" "$T/empty.db" "$M"
fails "a mount point that does not exist" "$DB" "$T/nosuchdir"
fails "an unknown option" -o no_such_option "$DB" "$M"
fails "three arguments" "$DB" "$M" "$T/extra"
: > "$T/afile"
fails "a mount point that is a file" "$DB" "$T/afile"
expect_eq "the junk file is left as it was" "$(printf 'this is not a database\n%.0s' $(seq 1 200) | sha256sum)" \
    "$(sha256sum < "$T/junk.db")"
expect_eq "the empty file stays empty (ncfs creates no database)" 0 "$(stat -c %s "$T/empty.db")"
"$NCFS" --help > "$T/h.out" 2>&1
expect_eq "--help exits 0" 0 $?
grep -q 'usage: ncfs' "$T/h.out" && ok "--help prints the usage" || notok "--help prints the usage" "$(head -3 "$T/h.out")"
"$NCFS" --version > "$T/v.out" 2>&1
expect_eq "--version exits 0" 0 $?
grep -q ncfs "$T/v.out" && ok "--version names ncfs" || notok "--version names ncfs" "$(cat "$T/v.out")"
expect_eq "nothing is left mounted" "" "$(mounted_under "$T")"
