#!/bin/sh
# ncfs_perm.sh: who may read and write.  Mounted with allow_other, an
# ordinary user (nobody, through setpriv) reads the values and the rendered
# files, but not keys/<user>, shadow or users/<u>/password (EACCES), and
# every kind of write fails for it (echo >, printf without newline, sed -i,
# truncate, mkdir, rmdir, rm, creating an attribute, mv, chmod) with the
# database unchanged.  With -o admin_gid=N a process whose group is N
# writes like root.  With -o ro every write, root's included, fails with
# EROFS ("Read-only file system") and the mode bits show no write access.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs
chmod 0755 "$T"		# nobody must reach the mount point (and wr.py)

DB=$T/e.db
M=$T/m
make_db "$DB"
NOBODY_GID=$(getent group nogroup | cut -d: -f3)
ADMIN_GID=4242
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
# admin_primary / admin_supp: nobody with group 4242 as its primary group /
# as a supplementary group only.
admin_primary() { setpriv --reuid=nobody --regid=$ADMIN_GID --clear-groups "$@"; }
admin_supp() { setpriv --reuid=nobody --regid=nogroup --groups=$ADMIN_GID "$@"; }
[ -n "$NOBODY_GID" ] || { notok "the nogroup group exists"; exit 1; }

# every_write_fails NAME ERRTEXT RUNNER: every kind of write, run through
# RUNNER (a function: nobody, or nothing for root), fails with ERRTEXT and
# the database content stays the same.
every_write_fails() {
	_name=$1 _err=$2 _as=$3
	_before=$(db_content "$DB")
	refused "$_name: echo > a value" "$_err" $_as sh -c 'echo 192.168.1.50 > "$1"' sh "$M/nodes/h1/ifaces/eth1/ip"
	refused "$_name: printf without newline > a value" "$_err" $_as sh -c 'printf Foo > "$1"' sh "$M/nodes/h1/os"
	refused "$_name: write(2) to an open O_WRONLY" "$_err" $_as "$PY" "$T/wr.py" "$M/nodes/h1/os" trunc 'Foo\n'
	refused "$_name: echo > status" "$_err" $_as sh -c 'echo "ready 1 x" > "$1"' sh "$M/nodes/h1/status"
	refused "$_name: sed -i" "$_err" $_as sed -i s/Ubuntu/Debian/ "$M/nodes/h1/os"
	refused "$_name: truncate -s 0" "$_err" $_as truncate -s 0 "$M/nodes/h1/startcmd"
	refused "$_name: mkdir users/eve" "$_err" $_as mkdir "$M/users/eve"
	refused "$_name: rmdir users/bob" "$_err" $_as rmdir "$M/users/bob"
	refused "$_name: mkdir groups/evil" "$_err" $_as mkdir "$M/groups/evil"
	refused "$_name: echo > a new attribute" "$_err" $_as sh -c 'echo v > "$1"' sh "$M/nodes/h1/attributes/k"
	refused "$_name: touch a new attribute" "$_err" $_as touch "$M/nodes/h1/attributes/k2"
	refused "$_name: rm of an attribute" "$_err" $_as rm -f "$M/nodes/h2/attributes/color"
	refused "$_name: echo > an attribute" "$_err" $_as sh -c 'echo blue > "$1"' sh "$M/nodes/h2/attributes/color"
	refused "$_name: echo > users/alice/password" "$_err" $_as sh -c 'echo "*" > "$1"' sh "$M/users/alice/password"
	refused "$_name: echo > users/alice/keys" "$_err" $_as sh -c 'cat "$2" > "$1"' sh "$M/users/alice/keys" "$NC_TOP/tests/data/ncfs/bob.pub"
	refused "$_name: mv of a value" "$_err" $_as mv "$M/nodes/h1/os" "$M/nodes/h1/os2"
	refused "$_name: a temporary file in a node" "$_err" $_as touch "$M/nodes/h1/tmp.x"
	expect_eq "$_name: the database content is unchanged" "$_before" "$(db_content "$DB")"
}

# an attribute to remove and write
sqlite3 "$DB" "INSERT INTO attributes (node_id, key, value, ord)
    SELECT id, 'color', 'red', 0 FROM nodes WHERE name = 'h2'"

# --- an ordinary user, allow_other ---------------------------------------------
ncfs_mount "$M" "$DB" -o allow_other || { notok "ncfs -o allow_other mounts"; exit 1; }
check "nobody: ls -R of the whole tree" nobody ls -R "$M"
expect_eq "nobody: cat of a value" 192.168.1.11 "$(nobody cat "$M/nodes/h1/ifaces/eth1/ip" 2>&1)"
expect_eq "nobody: cat of passwd" 3 "$(nobody cat "$M/nodes/h1/passwd" 2>&1 | grep -c :x:)"
check "nobody: cat of hosts, group, mounts, status, containers" \
    nobody cat "$M/nodes/h1/hosts" "$M/nodes/h1/group" "$M/nodes/h1/mounts" "$M/nodes/h1/status" \
    "$M/nodes/pnode-0/containers"
check "nobody: cat of users/alice/keys (public keys)" nobody cat "$M/users/alice/keys"
check "nobody: stat of keys/alice" nobody stat "$M/nodes/h1/keys/alice"
refused "nobody: cat keys/alice: Permission denied" "Permission denied" nobody cat "$M/nodes/h1/keys/alice"
refused "nobody: cat shadow: Permission denied" "Permission denied" nobody cat "$M/nodes/h1/shadow"
refused "nobody: cat users/alice/password: Permission denied" "Permission denied" \
    nobody cat "$M/users/alice/password"
refused "nobody: open shadow O_RDWR: Permission denied" "Permission denied" \
    nobody "$PY" "$T/wr.py" "$M/nodes/h1/shadow" rw ''
every_write_fails nobody "Permission denied" nobody
refused "nobody: chmod 0666 of a value: Operation not permitted" "Operation not permitted" \
    nobody chmod 0666 "$M/nodes/h1/os"
PID=$NCFS_PID
ncfs_umount "$M" "$PID" || notok "unmount"

# without allow_other nobody cannot even look
ncfs_mount "$M" "$DB" || { notok "ncfs mounts"; exit 1; }
refused "without allow_other nobody cannot read the mount" "Permission denied" nobody ls "$M"
ncfs_umount "$M" "$NCFS_PID" || notok "unmount"

# --- -o admin_gid=N -------------------------------------------------------------
ncfs_mount "$M" "$DB" -o allow_other,admin_gid=$ADMIN_GID || { notok "ncfs -o admin_gid mounts"; exit 1; }
expect_eq "admin_gid: values belong to group N with group write" "664 0 $ADMIN_GID" \
    "$(stat -c '%a %u %g' "$M/nodes/h1/os")"
expect_eq "admin_gid: rendered files stay 0444" 444 "$(stat -c %a "$M/nodes/h1/hosts")"
g0=$(gen "$DB")
check "admin_gid: a process of group N: echo > a value" admin_primary sh -c 'echo Debian12 > "$1"' sh "$M/nodes/h1/os"
expect_eq "admin_gid: ...the value changed" Debian12 "$(cat "$M/nodes/h1/os")"
check "admin_gid: a process of group N: sed -i" admin_primary sed -i s/12/13/ "$M/nodes/h1/os"
expect_eq "admin_gid: ...the value changed" Debian13 "$(cat "$M/nodes/h1/os")"
check "admin_gid: a process of group N: mkdir users/eve" admin_primary mkdir "$M/users/eve"
check "admin_gid: a process of group N: rmdir users/eve" admin_primary rmdir "$M/users/eve"
check "admin_gid: a process of group N: a new attribute" admin_primary sh -c 'echo v > "$1"' sh "$M/nodes/h1/attributes/k"
check "admin_gid: a process of group N: rm of the attribute" admin_primary rm "$M/nodes/h1/attributes/k"
[ "$(gen "$DB")" -gt "$g0" ] && ok "admin_gid: the writes bumped the generation" ||
    notok "admin_gid: the writes bumped the generation"
check "admin_gid: a member by supplementary group: echo > a value" \
    admin_supp sh -c 'echo Debian14 > "$1"' sh "$M/nodes/h1/os"
expect_eq "admin_gid: ...the value changed" Debian14 "$(cat "$M/nodes/h1/os")"
refused "admin_gid: the group still cannot read shadow" "Permission denied" admin_primary cat "$M/nodes/h1/shadow"
every_write_fails "admin_gid: nobody (not a member)" "Permission denied" nobody
check "admin_gid: root still writes" put "$M/nodes/h1/os" Ubuntu1404-64-STD
ncfs_umount "$M" "$NCFS_PID" || notok "unmount"

# --- -o ro --------------------------------------------------------------------------
checkpoint "$DB" || notok "checkpoint before the ro mount"
bytes0=$(db_bytes "$DB")
ncfs_mount "$M" "$DB" -o ro,allow_other || { notok "ncfs -o ro mounts"; exit 1; }
expect_eq "-o ro: the mount is read-only in /proc/mounts" ro \
    "$(awk -v m="$M" '$2 == m { split($4, o, ","); print o[1] }' /proc/mounts)"
expect_eq "-o ro: values show no write bits" 444 "$(stat -c %a "$M/nodes/h1/os")"
expect_eq "-o ro: secrets show no write bits" 400 "$(stat -c %a "$M/nodes/h1/shadow")"
expect_eq "-o ro: reads work" 192.168.1.11 "$(cat "$M/nodes/h1/ifaces/eth1/ip")"
check "-o ro: root reads shadow" cat "$M/nodes/h1/shadow"
check "-o ro: find of the whole tree" find "$M"
every_write_fails "-o ro, root" "Read-only file system" ""
refused "-o ro, root: chmod: Read-only file system" "Read-only file system" chmod 0600 "$M/nodes/h1/os"
refused "-o ro, nobody: echo > a value" "Read-only file system" \
    nobody sh -c 'echo x > "$1"' sh "$M/nodes/h1/os"
ncfs_umount "$M" "$NCFS_PID" || notok "unmount"
expect_eq "-o ro: the database bytes are unchanged" "$bytes0" "$(db_bytes "$DB")"

