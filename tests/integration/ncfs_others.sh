#!/bin/sh
# ncfs_others.sh: other processes changing the database while it is
# mounted.  Everything is read first (so the kernel caches entries,
# attributes and pages with their long timeouts); then sqlite3 changes a
# value without touching the generation, changes an address and bumps the
# generation, adds and deletes a user; `neoc import` replaces the topology
# with another NS file and back.  Each change must show in the mount within
# a second (docs/DESIGN.md, "The tree under /nc": ncfs polls, drops the kernel's
# caches): values, rendered files, directory listings, vanished records.
# The time each took is printed as a comment.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs

DB=$T/e.db
M=$T/m
make_db "$DB"
ncfs_mount "$M" "$DB" || { notok "ncfs mounts $DB"; exit 1; }
warm() { find "$M" -type f -exec cat {} + > /dev/null; }
warm

# seen NAME CMD...: CMD must succeed within 1 s (polled every 50 ms; the
# test waits up to 5 s to tell "late" from "never").
seen() {
	_n=$1
	shift
	_ms=$(poll_until 50 "$@")
	echo "# $_n: $_ms ms"
	if [ "$_ms" = never ]; then
		notok "$_n" "not seen within 5 s"
	elif [ "$_ms" -gt 1000 ]; then
		notok "$_n" "seen after $_ms ms (budget 1000 ms)"
	else
		ok "$_n"
	fi
}
is() { [ "$(cat "$1" 2> /dev/null)" = "$2" ]; }
lists() { [ "$(ls -U "$1" 2> /dev/null | paste -sd' ' -)" = "$2" ]; }
absent() { [ ! -e "$1" ]; }
has_line() { grep -qxF -- "$2" "$1" 2> /dev/null; }
TAB=$(printf '\t')

sqlite3 "$DB" "UPDATE ifaces SET ip = '192.168.1.77' WHERE ip = '192.168.1.12';
    UPDATE experiment SET generation = generation + 1"
seen "sqlite3 UPDATE of an address shows in every hosts" has_line "$M/nodes/server/hosts" "192.168.1.77${TAB}h2-lan0 h2"
expect_eq "...and in the interface's ip" 192.168.1.77 "$(cat "$M/nodes/h2/ifaces/eth1/ip")"
expect_eq "...and experiment/generation follows" "$(gen "$DB")" "$(cat "$M/experiment/generation")"

sqlite3 "$DB" "INSERT INTO users (name, uid, gid, fullname, home, shell, ord)
    VALUES ('zed', 20500, 6001, 'Zed', '/users/zed', '/bin/sh', 99);
    UPDATE experiment SET generation = generation + 1"
seen "sqlite3 INSERT of a user shows in ls users" lists "$M/users" "alice carol bob zed"
seen "...and in passwd" has_line "$M/nodes/gw/passwd" "zed:x:20500:6001:Zed:/users/zed:/bin/sh"
expect_eq "...and in keys/" "alice carol bob zed" "$(ls -U "$M/nodes/gw/keys" | paste -sd' ' -)"

stat "$M/users/bob/uid" > /dev/null
sqlite3 "$DB" "DELETE FROM memberships WHERE user = 'bob'; DELETE FROM users WHERE name = 'bob';
    UPDATE experiment SET generation = generation + 1"
seen "sqlite3 DELETE of a user: users/bob vanishes (it was looked up)" absent "$M/users/bob"
refused "...cat users/bob/uid: No such file" "No such file" cat "$M/users/bob/uid"
seen "...and bob leaves passwd" sh -c "! grep -q ^bob: '$M/nodes/gw/passwd'"

# Writers that do not bump the generation (sqlite3 by hand): PRAGMA
# data_version still tells that the database changed.
warm
sqlite3 "$DB" "UPDATE nodes SET os = 'Changed-OS' WHERE name = 'h1'"
seen "sqlite3 UPDATE of nodes.os, generation untouched, shows in nodes/h1/os" is "$M/nodes/h1/os" Changed-OS
seen "...and stat's size follows" sh -c "[ \$(stat -c %s '$M/nodes/h1/os') = 11 ]"
sqlite3 "$DB" "INSERT INTO groups (name, gid, ord) VALUES ('blue', 6100, 9)"
seen "sqlite3 INSERT of a group, generation untouched, shows in ls groups" lists "$M/groups" "sec-proj sec-lab blue"
seen "...and in group" has_line "$M/nodes/h1/group" "blue:x:6100:"
stat "$M/groups/blue/gid" > /dev/null
sqlite3 "$DB" "DELETE FROM groups WHERE name = 'blue'"
seen "sqlite3 DELETE of a group, generation untouched: groups/blue vanishes" absent "$M/groups/blue"

# neoc import of another NS file replaces the topology
warm
"$NEOC" import -d "$DB" "$NC_TOP/examples/star.ns" > "$T/import.out" 2>&1 ||
    notok "neoc import of star.ns while mounted" "$(cat "$T/import.out")"
want=$("$NEOC" export -d "$DB" --json | "$PY" -c 'import json,sys; print(" ".join(n["name"] for n in json.load(sys.stdin)["nodes"]))')
seen "neoc import of star.ns: ls nodes shows its nodes" sh -c "[ \"\$(ls -U '$M/nodes' | paste -sd' ' -)\" = '$want' ]"
expect_eq "...cat nodes/leaf-3/attributes/containers:node_type" qemu \
    "$(cat "$M/nodes/leaf-3/attributes/containers:node_type" 2>&1)"
expect_eq "...cat lans of star" "$("$NEOC" export -d "$DB" --json | "$PY" -c 'import json,sys; print(" ".join(sorted(l["name"] for l in json.load(sys.stdin)["lans"])))')" \
    "$(ls "$M/lans" | sort | paste -sd' ' -)"
seen "...the old nodes are gone (nodes/h1 was looked up)" absent "$M/nodes/h1"
seen "...hosts is star's" has_line "$M/nodes/hub/hosts" "# neo-containers experiment star"
expect_eq "...experiment/name" star "$(cat "$M/experiment/name")"
expect_eq "...experiment/generation is the database's" "$(gen "$DB")" "$(cat "$M/experiment/generation")"
check "a write through the mount after the import" put "$M/nodes/leaf-1/os" Debian12
expect_eq "...reads back" Debian12 "$(cat "$M/nodes/leaf-1/os")"
expect_eq "...is in the database" Debian12 "$(sqlite3 "$DB" "SELECT os FROM nodes WHERE name = 'leaf-1'")"

warm
"$NEOC" import -d "$DB" "$NC_TOP/examples/small-lan.ns" > "$T/import.out" 2>&1 ||
    notok "neoc import of small-lan.ns while mounted" "$(cat "$T/import.out")"
seen "neoc import back to small-lan: ls nodes" sh -c "ls '$M/nodes' | grep -qx h1 && ! ls '$M/nodes' | grep -qx hub"
seen "...nodes/leaf-1 is gone (it was read)" absent "$M/nodes/leaf-1/os"
expect_eq "...cat nodes/h1/ifaces/eth1/ip" 192.168.1.11 "$(cat "$M/nodes/h1/ifaces/eth1/ip" 2>&1)"
