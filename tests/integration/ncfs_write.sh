#!/bin/sh
# ncfs_write.sh: changing the experiment through the mount as root.
# `echo >` with and without the newline, `sed -i` (temporary file renamed
# over the value), truncate(2) / ftruncate(2) followed by several write(2)
# calls, mkdir / rmdir of users and groups, creating and removing
# attributes.  Each change is visible to the next read of the file, of
# every rendered file that depends on it (hosts, passwd, group ...) and of
# every value that derives from it (an interface's bandwidth from its LAN,
# a user's groups from a group's members); it is in the database; it bumps
# experiment/generation; it moves the file's mtime.  Every 0644 file
# accepts its own contents back unchanged; every 0444 file refuses a write;
# mv, rm of a value and mkdir outside users/ and groups/ are refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs

DB=$T/e.db
M=$T/m
make_db "$DB"
ncfs_mount "$M" "$DB" || { notok "ncfs mounts $DB"; exit 1; }

q() { sqlite3 "$DB" "$1"; }
g() { cat "$M/experiment/generation"; }
# changed NAME CMD...: CMD must succeed and experiment/generation (read
# through the mount) grow; the mount's generation must equal the database's.
changed() {
	_n=$1
	shift
	_g0=$(g)
	if _o=$("$@" 2>&1); then
		_g1=$(g)
		if [ "$_g1" -gt "$_g0" ] && [ "$_g1" = "$(gen "$DB")" ]; then
			ok "$_n"
		else
			notok "$_n" "generation through the mount $_g0 -> $_g1, in the database $(gen "$DB")"
		fi
	else
		notok "$_n" "$_o"
	fi
}
# in_every_hosts LINE: every node's hosts file holds LINE (fixed string).
in_every_hosts() {
	for h in "$M"/nodes/*/hosts; do
		grep -qxF -- "$1" "$h" || return 1
	done
}
mtime() { stat -c %y "$1"; }
# clock_past FILE...: the clock reads later than each FILE's mtime (a
# change made now gets a different one).
clock_past() {
	_now=$(date +%s%N)
	for _f in "$@"; do
		[ "$_now" -gt "$(stat -c %.9Y "$_f" | tr -d .)" ] || return 1
	done
}
TAB=$(printf '\t')

# --- echo > -------------------------------------------------------------------
IP=$M/nodes/h1/ifaces/eth1/ip
cat "$M"/nodes/*/hosts > /dev/null	# cached now
m0=$(mtime "$IP")
h0=$(mtime "$M/nodes/gw/hosts")
wait_for 2 clock_past "$IP" "$M/nodes/gw/hosts" ||
    notok "the clock passes the files' mtimes"
changed "echo 192.168.1.50 > nodes/h1/ifaces/eth1/ip" put "$IP" 192.168.1.50
expect_eq "cat shows the new address" 192.168.1.50 "$(cat "$IP")"
expect_eq "the database holds it" 192.168.1.50 \
    "$(q "SELECT ip FROM ifaces i JOIN nodes n ON n.id = i.node_id WHERE n.name = 'h1' AND i.name = 'eth1'")"
if in_every_hosts "192.168.1.50${TAB}h1-lan0 h1" && ! grep -q '^192\.168\.1\.11\b' "$M"/nodes/*/hosts; then
	ok "every node's hosts has the new address and not the old"
else
	notok "every node's hosts has the new address and not the old" "$(grep h1 "$M/nodes/gw/hosts")"
fi
[ "$(mtime "$IP")" != "$m0" ] && ok "the value's mtime moved" ||
    notok "the value's mtime moved" "$m0 -> $(mtime "$IP")"
[ "$(mtime "$M/nodes/gw/hosts")" != "$h0" ] && ok "the hosts file's mtime moved" ||
    notok "the hosts file's mtime moved" "$h0 -> $(mtime "$M/nodes/gw/hosts")"
expect_eq "stat size follows the new value" 13 "$(stat -c %s "$IP")"

# A shell's `echo v > f` opens the file O_TRUNC, dup2()s it to 1 and closes
# the original descriptor (a FUSE flush) before it writes: that first close
# must not commit an empty value, visible to readers and bumping the
# generation.
g0=$(g)
put "$M/nodes/h2/ifaces/eth1/ip" 192.168.1.52
expect_eq "echo > ip through the shell (open, dup2, close, write, close): generation +1" $((g0 + 1)) "$(g)"
g0=$(g)
put "$M/nodes/h2/startcmd" /bin/true
expect_eq "echo > startcmd through the shell: generation +1 (no empty value committed first)" $((g0 + 1)) "$(g)"
changed "printf 10.0.0.9 > ip (no newline)" putn "$M/nodes/server/ifaces/eth1/ip" 10.0.0.9
expect_eq "cat shows the value written without a newline" 10.0.0.9 \
    "$(cat "$M/nodes/server/ifaces/eth1/ip")"
in_every_hosts "10.0.0.9${TAB}server-uplink server" && ok "hosts follows it" ||
    notok "hosts follows it" "$(grep server "$M/nodes/h2/hosts")"
changed "echo a startcmd with blanks and quotes" put "$M/nodes/h2/startcmd" "/bin/run --flag 'a b' \"c\""
expect_eq "cat startcmd" "/bin/run --flag 'a b' \"c\"" "$(cat "$M/nodes/h2/startcmd")"
changed "echo ready status line" put "$M/nodes/h3/status" "ready 1700000000 startcmd all good"
expect_eq "cat status" "ready 1700000000 startcmd all good" "$(cat "$M/nodes/h3/status")"
# A status write invalidates less than other writes (no epoch: only the
# file, its node's bundle and experiment/generation): every one of them,
# read (and so cached) before, shows the new value; another node's bundle
# and rendered files stay right, and a later ordinary write still reaches
# the rendered files.
bstatus() { sed -n '/^F [0-9]* nodes\/'"$1"'\/status$/{n;p;}' "$M/nodes/$1/bundle"; }
bstatus h3 > /dev/null
bstatus h2 > /dev/null
cat "$M/nodes/h2/hosts" > /dev/null
g0=$(g)
put "$M/nodes/h3/status" "provisioning 1700000001 accounts"
expect_eq "a status write reaches the node's bundle read before" \
    "provisioning 1700000001 accounts" "$(bstatus h3)"
expect_eq "... and the status file" "provisioning 1700000001 accounts" \
    "$(cat "$M/nodes/h3/status")"
expect_eq "... and experiment/generation moves by one" "$((g0 + 1))" "$(g)"
expect_eq "... and another node's bundle keeps its own status" \
    "$(cat "$M/nodes/h2/status")" "$(bstatus h2)"
put "$M/nodes/h3/status" "ready 1700000002 startcmd done"
put "$M/nodes/h2/ifaces/eth1/ip" 192.168.1.62
grep -q "^192.168.1.62[[:space:]]" "$M/nodes/h3/hosts" &&
    ok "an address written after status writes reaches another node's hosts" ||
    notok "an address written after status writes reaches another node's hosts" "$(cat "$M/nodes/h3/hosts")"
expect_eq "... and the status of before stays in the bundle" \
    "ready 1700000002 startcmd done" "$(bstatus h3)"
put "$M/nodes/h2/ifaces/eth1/ip" 192.168.1.52
H2=$(cat "$M/nodes/h2/ifaces/eth1/ip")
changed "echo two routes (blanks squeezed) > routes" put "$M/nodes/h3/routes" "$(printf '10.0.0.0/24  via 192.168.1.1\ndefault via\t%s' "$H2")"
expect_eq "cat routes: canonical lines" "$(printf '10.0.0.0/24 via 192.168.1.1\ndefault via %s' "$H2")" "$(cat "$M/nodes/h3/routes")"
expect_eq "...h3 is the next hop of no one, h2 now is: forwarding 0, 1" "0 1" "$(cat "$M/nodes/h3/forwarding") $(cat "$M/nodes/h2/forwarding")"
changed "echo 02:00:00:aa:bb:cc > mac" put "$M/nodes/h3/ifaces/eth1/mac" 02:00:00:aa:bb:cc
expect_eq "cat mac" 02:00:00:aa:bb:cc "$(cat "$M/nodes/h3/ifaces/eth1/mac")"
changed "echo 'Alice P. Liddell' > users/alice/name" put "$M/users/alice/name" "Alice P. Liddell"
grep -q '^alice:x:20001:6001:Alice P\. Liddell:' "$M/nodes/h1/passwd" && ok "passwd follows the full name" ||
    notok "passwd follows the full name" "$(cat "$M/nodes/h1/passwd")"
changed "echo 20099 > users/bob/uid" put "$M/users/bob/uid" 20099
grep -q '^bob:x:20099:' "$M/nodes/gw/passwd" && ok "passwd follows the uid" ||
    notok "passwd follows the uid" "$(cat "$M/nodes/gw/passwd")"
changed "echo 10.0.0.254 > experiment/control_addr" put "$M/experiment/control_addr" 10.0.0.254
expect_eq "cat experiment/control_addr" 10.0.0.254 "$(cat "$M/experiment/control_addr")"
changed "echo 1 > users/carol/root" put "$M/users/carol/root" 1
expect_eq "cat users/carol/root" 1 "$(cat "$M/users/carol/root")"

# --- sed -i: a temporary file renamed over the value --------------------------
ls -a "$M/nodes/h2" > "$T/h2.before"
changed "sed -i s/1404/2204/ nodes/h2/os" sed -i 's/1404/2204/' "$M/nodes/h2/os"
expect_eq "cat shows the edited value" Ubuntu2204-64-STD "$(cat "$M/nodes/h2/os")"
expect_eq "the database holds it" Ubuntu2204-64-STD "$(q "SELECT os FROM nodes WHERE name = 'h2'")"
ls -a "$M/nodes/h2" > "$T/h2.after"
if cmp -s "$T/h2.before" "$T/h2.after"; then ok "sed -i leaves no temporary file behind"; else
	notok "sed -i leaves no temporary file behind" "$(diff "$T/h2.before" "$T/h2.after")"; fi
expect_eq "the value keeps its mode after sed -i" "644 regular file" "$(stat -c '%a %F' "$M/nodes/h2/os")"
changed "sed -i on a rendered-dependent value (lan0 delay 2 -> 5)" sed -i 's/^2$/5/' "$M/lans/lan0/delay"
expect_eq "cat lans/lan0/delay" 5 "$(cat "$M/lans/lan0/delay")"
# an editor saving twice in a row
sed -i 's/2204/2404/' "$M/nodes/h2/os" && sed -i 's/2404/2604/' "$M/nodes/h2/os"
expect_eq "two sed -i in a row" Ubuntu2604-64-STD "$(cat "$M/nodes/h2/os")"

# --- truncate and several write(2) calls --------------------------------------
changed "O_TRUNC open, then a value written 3 bytes per write(2)" \
    wr "$M/nodes/gw/startcmd" trunc '/usr/bin/env sysctl -w net.ipv4.ip_forward=1\n' 3
expect_eq "cat shows the value assembled from the pieces" "/usr/bin/env sysctl -w net.ipv4.ip_forward=1" \
    "$(cat "$M/nodes/gw/startcmd")"
changed "truncate -s 0 nodes/gw/startcmd" truncate -s 0 "$M/nodes/gw/startcmd"
expect_eq "cat of the emptied value is an empty line" "" "$(cat "$M/nodes/gw/startcmd")"
expect_eq "the database holds no startcmd" "" "$(q "SELECT quote(startcmd) FROM nodes WHERE name = 'gw'" | sed 's/^NULL$//')"
changed "open O_RDWR, ftruncate(0), 5 write(2) calls, close" "$PY" -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.ftruncate(fd, 0)
for p in (b"Ubu", b"ntu", b"1804", b"-64-", b"STD\n"):
    assert os.write(fd, p) == len(p)
os.close(fd)' "$M/nodes/h1/os"
expect_eq "cat shows the value of the 5 writes" Ubuntu1804-64-STD "$(cat "$M/nodes/h1/os")"
refused "pwrite out of order making an invalid value: refused at close" "close: Invalid argument" \
    "$PY" -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.pwrite(fd, b"ext", 6); os.pwrite(fd, b"nonfat", 0)
try:
    os.close(fd)
except OSError as e:
    sys.exit("close: " + os.strerror(e.errno))' "$M/nodes/h1/failure_action"
expect_eq "...and the old value stays" fatal "$(cat "$M/nodes/h1/failure_action")"
changed "pwrite out of order (offset 3, then 0) making ignore" "$PY" -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.pwrite(fd, b"ore", 3); os.pwrite(fd, b"ign", 0)
os.close(fd)' "$M/nodes/h1/failure_action"
expect_eq "cat failure_action" ignore "$(cat "$M/nodes/h1/failure_action")"

# --- values derived from other values ------------------------------------------
cat "$M/nodes/h1/ifaces/eth1/bandwidth" "$M/users/alice/groups" "$M/users/carol/groups" > /dev/null
changed "echo 50Mb > lans/lan0/bandwidth" put "$M/lans/lan0/bandwidth" 50Mb
expect_eq "cat lans/lan0/bandwidth (kbit/s)" 50000 "$(cat "$M/lans/lan0/bandwidth")"
expect_eq "a member interface's bandwidth follows its LAN (was read before)" 50000 \
    "$(cat "$M/nodes/h1/ifaces/eth1/bandwidth")"
changed "echo 1Mb > nodes/h1/ifaces/eth1/bandwidth (override)" put "$M/nodes/h1/ifaces/eth1/bandwidth" 1Mb
expect_eq "the override reads back" 1000 "$(cat "$M/nodes/h1/ifaces/eth1/bandwidth")"
expect_eq "the LAN keeps its bandwidth" 50000 "$(cat "$M/lans/lan0/bandwidth")"
changed "printf 'alice' and a newline > groups/sec-lab/members" putn "$M/groups/sec-lab/members" 'alice
'
expect_eq "cat groups/sec-lab/members" alice "$(cat "$M/groups/sec-lab/members")"
expect_eq "users/carol/groups follows the group's members (was read before)" "" \
    "$(cat "$M/users/carol/groups")"
grep -qx 'sec-lab:x:6002:alice' "$M/nodes/h1/group" && ok "group follows the members" ||
    notok "group follows the members" "$(cat "$M/nodes/h1/group")"
changed "echo sec-lab > users/bob/groups" put "$M/users/bob/groups" sec-lab
expect_eq "groups/sec-lab/members follows a user's groups" "alice bob" \
    "$(paste -sd' ' "$M/groups/sec-lab/members")"
changed "users/bob/keys takes a real public key" cp "$NC_TOP/tests/data/ncfs/bob.pub" "$M/users/bob/keys"
expect_eq "ssh-keygen -l -f nodes/h1/keys/bob" "$(ssh-keygen -l -f "$NC_TOP/tests/data/ncfs/bob.pub" | cut -d' ' -f2)" \
    "$(ssh-keygen -l -f "$M/nodes/h1/keys/bob" 2>&1 | cut -d' ' -f2)"

# --- records: users, groups, attributes -----------------------------------------
cat "$M/groups/sec-proj/members" "$M/nodes/h1/passwd" > /dev/null
changed "mkdir users/dave" mkdir "$M/users/dave"
expect_eq "users/dave is a directory with the user's files" "gid groups home keys name password root shell uid" \
    "$(ls "$M/users/dave" | sort | paste -sd' ' -)"
expect_eq "dave's home and shell" "/users/dave /bin/sh" "$(cat "$M/users/dave/home" "$M/users/dave/shell" | paste -sd' ' -)"
uid=$(cat "$M/users/dave/uid")
[ "$uid" -gt 20099 ] 2> /dev/null && ok "dave gets a fresh uid ($uid)" || notok "dave gets a fresh uid" "$uid"
grep -q "^dave:x:$uid:" "$M/nodes/h1/passwd" && ok "every node's passwd has dave" ||
    notok "every node's passwd has dave" "$(cat "$M/nodes/h1/passwd")"
[ -f "$M/nodes/server/keys/dave" ] && ok "nodes/*/keys/dave appears" || notok "nodes/*/keys/dave appears"
refused "mkdir users/dave again: File exists" "File exists" mkdir "$M/users/dave"
changed "echo sec-proj > users/dave/groups" put "$M/users/dave/groups" sec-proj
changed "rmdir users/dave" rmdir "$M/users/dave"
[ ! -e "$M/users/dave" ] && ok "users/dave is gone" || notok "users/dave is gone" "$(ls "$M/users")"
grep -q '^dave:' "$M/nodes/h1/passwd" && notok "dave left passwd" "$(cat "$M/nodes/h1/passwd")" ||
    ok "dave left passwd"
grep -qx dave "$M/groups/sec-proj/members" && notok "dave left the group's members" ||
    ok "dave left the group's members"
[ ! -e "$M/nodes/server/keys/dave" ] && ok "nodes/*/keys/dave is gone" || notok "nodes/*/keys/dave is gone"
expect_eq "the database has no dave" "0 0" "$(q "SELECT count(*) FROM users WHERE name = 'dave'") $(q "SELECT count(*) FROM memberships WHERE user = 'dave'")" 
changed "mkdir groups/red" mkdir "$M/groups/red"
gid=$(cat "$M/groups/red/gid")
grep -qx "red:x:$gid:" "$M/nodes/gw/group" && ok "every node's group has red (gid $gid)" ||
    notok "every node's group has red" "$(cat "$M/nodes/gw/group")"
changed "echo 'bob' > groups/red/members" put "$M/groups/red/members" bob
expect_eq "users/bob/groups lists red" "sec-lab red" "$(paste -sd' ' "$M/users/bob/groups")"
changed "rmdir groups/red" rmdir "$M/groups/red"
expect_eq "users/bob/groups no longer lists red" sec-lab "$(paste -sd' ' "$M/users/bob/groups")"
grep -q '^red:' "$M/nodes/gw/group" && notok "red left group" || ok "red left group"

ls "$M/nodes/h1/attributes" > /dev/null
changed "echo v1 > nodes/h1/attributes/my:key (a new attribute)" put "$M/nodes/h1/attributes/my:key" v1
expect_eq "cat the new attribute" v1 "$(cat "$M/nodes/h1/attributes/my:key")"
expect_eq "ls attributes shows it" "my:key" "$(ls "$M/nodes/h1/attributes")"
expect_eq "its mode is 0644" 644 "$(stat -c %a "$M/nodes/h1/attributes/my:key")"
expect_eq "the export has it" "[['my:key', 'v1']]" \
    "$("$NEOC" export -d "$DB" --json | "$PY" -c 'import json,sys; print([a for n in json.load(sys.stdin)["nodes"] if n["name"] == "h1" for a in n["attributes"]])')"
changed "echo v2 > the attribute" put "$M/nodes/h1/attributes/my:key" v2
expect_eq "cat shows v2" v2 "$(cat "$M/nodes/h1/attributes/my:key")"
changed "touch nodes/h1/attributes/empty (an empty attribute)" touch "$M/nodes/h1/attributes/empty"
expect_eq "cat of the empty attribute" "" "$(cat "$M/nodes/h1/attributes/empty")"
changed "rm nodes/h1/attributes/my:key" rm "$M/nodes/h1/attributes/my:key"
changed "rm nodes/h1/attributes/empty" rm "$M/nodes/h1/attributes/empty"
expect_eq "attributes/ is empty again" "" "$(ls "$M/nodes/h1/attributes")"
refused "cat of the removed attribute: No such file" "No such file" cat "$M/nodes/h1/attributes/my:key"

expect_eq "no valid write above was logged as refused" "" \
    "$(grep refused "$NCFS_LOG" | grep -v '"nonfatext"' | head -3)"

# --- what is refused even to root --------------------------------------------------
refused "mv nodes/h1/os nodes/h1/os2: Operation not permitted" "Operation not permitted" \
    mv "$M/nodes/h1/os" "$M/nodes/h1/os2"
refused "mv users/alice users/alicia: Operation not permitted" "Operation not permitted" \
    mv "$M/users/alice" "$M/users/alicia"
refused "mv nodes/h1/os nodes/h2/os: Operation not permitted" "Operation not permitted" \
    mv "$M/nodes/h1/os" "$M/nodes/h2/os"
refused "rm nodes/h1/os: Operation not permitted" "Operation not permitted" rm -f "$M/nodes/h1/os"
refused "mkdir nodes/newnode: Operation not permitted" "Operation not permitted" mkdir "$M/nodes/newnode"
refused "rmdir nodes/h1: Operation not permitted" "Operation not permitted" rmdir "$M/nodes/h1"
refused "chmod 0666 of a value: Operation not permitted" "Operation not permitted" chmod 0666 "$M/nodes/h1/os"
refused "chown of a value: Operation not permitted" "Operation not permitted" chown 1:1 "$M/nodes/h1/os"
refused "ln -s in a node: Function not implemented or not permitted" "ln:" ln -s x "$M/nodes/h1/link"
expect_eq "nodes/h1/os is still there" Ubuntu1804-64-STD "$(cat "$M/nodes/h1/os")"
expect_eq "users/alice is still there" 20001 "$(cat "$M/users/alice/uid")"

# --- every 0644 file takes its contents back; every 0444 file refuses -------------
for d in experiment nodes/gw nodes/gw/ifaces/eth2 nodes/pnode-0 lans/uplink users/alice groups/sec-proj; do
	find "$M/$d" -maxdepth 1 -type f -perm 0644
done > "$T/values"
bad=
n=0
while read -r f; do
	before=$(cat "$f")
	if ! o=$( { cat "$f" > "$T/v" && cat "$T/v" > "$f"; } 2>&1); then
		bad="$bad ${f#"$M"/}($o)"
	elif [ "$(cat "$f")" != "$before" ]; then
		bad="$bad ${f#"$M"/}(changed: $before -> $(cat "$f"))"
	fi
	n=$((n + 1))
done < "$T/values"
if [ -z "$bad" ]; then ok "$n value files take their own contents back unchanged"; else
	notok "every value file takes its own contents back unchanged" "$bad"; fi
bad=
n=0
for f in $(find "$M/experiment" "$M/nodes/gw" "$M/lans/lan0" -type f -perm 0444); do
	if o=$( { cat "$f" > "$T/v" && cat "$T/v" > "$f"; } 2>&1); then
		bad="$bad ${f#"$M"/}(accepted)"
	else
		case $o in *"Permission denied"*) ;; *) bad="$bad ${f#"$M"/}($o)" ;; esac
	fi
	n=$((n + 1))
done
if [ -z "$bad" ]; then ok "$n read-only files refuse a write with Permission denied, even to root"; else
	notok "every read-only file refuses a write with Permission denied" "$bad"; fi
refused "shadow refuses a write" "Permission denied" put "$M/nodes/gw/shadow" x
refused "keys/alice refuses a write" "Permission denied" put "$M/nodes/gw/keys/alice" x

# A new name beside the values is an editor's temporary file: kept in memory
# until renamed over a value or removed, never in the database.
before=$(db_content "$DB")
if put "$M/lans/lan0/typo" x 2> /dev/null; then
	expect_eq "echo > a new name in a record directory changes nothing in the database" \
	    "$before" "$(db_content "$DB")"
	rm -f "$M/lans/lan0/typo"
	[ ! -e "$M/lans/lan0/typo" ] && ok "rm removes that temporary file" ||
	    notok "rm removes that temporary file"
else
	ok "echo > a new name in a record directory is refused"
fi
