#!/bin/sh
# ncprov_accounts.sh: the groups and accounts steps of `ncprov container`
# against a real tree: ncfs over a database of examples/small-lan.ns with
# the users of tests/data/tmcc-int (alice, carol, bob; groups sec-proj and
# sec-lab), read through the FUSE mount (--tree) and through diod (--9p,
# `neoc serve`).  Node h1, a busybox-like root with hand-made lines:
#
#  - the first run gives exactly the expected passwd, group, shadow (byte
#    comparison) and state file; homes under a mount target are left to
#    the mount; no sudoers file without /etc/sudoers.d;
#  - a second run prints "no changes", exits 0 and changes no byte, mode
#    or mtime under the root (the root fakes the interface and the mounts
#    so that the other steps have nothing to do either);
#  - --dry-run changes nothing and prints the diff;
#  - over 9P the result is byte-identical;
#  - a home moved out of the mounts is made with the skeleton, the keys go
#    to .ssh/authorized_keys (0600 in a 0700 .ssh, the user's);
#    /etc/sudoers.d/neoc appears (0440) once /etc/sudoers.d exists;
#  - rmdir users/carol: carol disappears, hand-made lines survive; a uid
#    changed in the tree is changed in place;
#  - concurrent runs against one root leave well-formed, expected files;
#  - pwck -r -q and grpck -r find nothing wrong.
#
# Every process is recorded in $T/pids and every mount lives under $T; the
# exit trap stops them and unmounts, a watchdog does the same after
# $NC_TEST_LIMIT seconds (default 180).
. "$(dirname "$0")/lib.sh"

NCPROV=$NC_TOP/bin/ncprov
NCFS=$NC_TOP/bin/ncfs
LIMIT=${NC_TEST_LIMIT:-180}
: > "$T/pids"

# --- helpers --------------------------------------------------------------

cleanup() {
	set +e
	stop_watchdog
	# serve stops its diod and ncfs on SIGTERM; SIGKILL whatever stays
	stop_tracked
	unmount_all
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
start_watchdog

need_exec "is built" "run make" "$NEOC" "$NCPROV" "$NCFS"

# expect_file NAME FILE WANT: FILE holds exactly WANT (plus a newline).
expect_file() {
	printf '%s\n' "$3" > "$T/want"
	if cmp -s "$T/want" "$2"; then
		ok "$1"
	else
		notok "$1" "$(diff "$T/want" "$2" 2>&1 | head -20)"
	fi
}

# snap ROOT: every path under ROOT with its type, mode, owner, size, mtime
# and the hash of its contents.
snap() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %T@\n' | sort &&
	    find . -type f -exec sha256sum {} + | sort -k 2)
}

# mkroot ROOT: a busybox-like root with hand-made accounts, a skeleton,
# h1's interface (flags up, the address it should have), its routes and
# the mounts of the tree in place, so that only hosts, groups and accounts
# change it.
mkroot() {
	mkdir -p "$1/etc/skel" "$1/proc/self" "$1/sys/class/net/eth1" \
	    "$1/root"
	cat > "$1/etc/passwd" <<-EOF
	root:x:0:0:root:/root:/bin/sh
	daemon:x:1:1:daemon:/usr/sbin:/bin/false
	hand:x:1500:1500:Hand Made:/home/hand:/bin/sh
	EOF
	cat > "$1/etc/group" <<-EOF
	root:x:0:
	daemon:x:1:
	users:x:100:
	hand:x:1500:
	EOF
	cat > "$1/etc/shadow" <<-EOF
	root::10933:0:99999:7:::
	daemon:*:10933:0:99999:7:::
	hand:!:19000:0:99999:7:::
	EOF
	chmod 600 "$1/etc/shadow"
	echo "PS1='\$ '" > "$1/etc/skel/.profile"
	cat "$M/nodes/h1/ifaces/"*/mac > "$1/sys/class/net/eth1/address"
	echo 0x1003 > "$1/sys/class/net/eth1/flags"
	echo "$(cat "$M/nodes/h1/ifaces/"*/ip)/24" \
	    > "$1/sys/class/net/eth1/neoc_test_addrs"
	awk '{ print $1 " " $2 " 9p rw 0 0" }' "$M/nodes/h1/mounts" \
	    > "$1/proc/self/mounts"
	mkdir -p "$1/proc/net"
	sed -n 's/$/ dev eth1/p' "$M/nodes/h1/routes" \
	    > "$1/proc/net/neoc_test_routes"
}

# prov ROOT ARGS...: ncprov through the FUSE mount (output in $T/out).
prov() {
	_r=$1
	shift
	"$NCPROV" --tree "$M" --node h1 --root "$_r" --no-start "$@" \
	    > "$T/out" 2>&1
}
# prov9 ROOT ARGS...: the same over 9P.
prov9() {
	_r=$1
	shift
	"$NCPROV" --9p "127.0.0.1:$PORT" --aname "$M9" --node h1 \
	    --root "$_r" --no-start "$@" > "$T/out" 2>&1
}

# --- the tree -------------------------------------------------------------

DB=$T/e.db
M=$T/nc
M9=$T/nc9
if ! "$NEOC" import -d "$DB" "$NC_TOP/examples/small-lan.ns" > /dev/null 2>&1 ||
    ! "$NEOC" import -d "$DB" --tmcc "$NC_TOP/tests/data/tmcc-int" \
    > "$T/import.log" 2>&1; then
	notok "the test database" "$(cat "$T/import.log")"
	exit 1
fi
mkdir -p "$M"
"$NCFS" -f "$DB" "$M" > "$T/ncfs.log" 2>&1 &
track $!
if ! wait_mounted "$M"; then
	notok "ncfs mounts the tree" "$(cat "$T/ncfs.log")"
	exit 1
fi

HASH='$6$saltsalt$9kQ2c7yLh0NbXpK4oJm1Qw0rT5uV8yZ2aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5aB6cD7eF8gH9iJ0'
WANT_PASSWD="root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
hand:x:1500:1500:Hand Made:/home/hand:/bin/sh
alice:x:20001:6001:Alice Liddell:/users/alice:/bin/bash
carol:x:20002:6001:Carol Cheng:/users/carol:/bin/tcsh
bob:x:20003:6001:Bob Brown:/users/bob:/bin/bash"
WANT_GROUP="root:x:0:
daemon:x:1:
users:x:100:
hand:x:1500:
sec-proj:x:6001:
sec-lab:x:6002:alice,carol"
WANT_SHADOW="root::10933:0:99999:7:::
daemon:*:10933:0:99999:7:::
hand:!:19000:0:99999:7:::
alice:$HASH::0:99999:7:::
carol:*::0:99999:7:::
bob:*::0:99999:7:::"
WANT_STATE="group sec-proj
group sec-lab
user alice
user carol
user bob"

# --- through the FUSE mount -----------------------------------------------

R=$T/root
mkroot "$R"
if prov "$R" container; then
	ok "first run exits 0"
else
	notok "first run exits 0" "$(cat "$T/out")"
fi
cp "$T/out" "$T/out.first"
expect_file "first run: passwd is exactly the expected one" "$R/etc/passwd" \
    "$WANT_PASSWD"
expect_file "first run: group is exactly the expected one" "$R/etc/group" \
    "$WANT_GROUP"
expect_file "first run: shadow is exactly the expected one" "$R/etc/shadow" \
    "$WANT_SHADOW"
expect_file "first run: /var/lib/neoc/accounts names what we made" \
    "$R/var/lib/neoc/accounts" "$WANT_STATE"
expect_eq "first run: shadow stays 0600" 600 "$(stat -c %a "$R/etc/shadow")"
if grep -q "^accounts: added user alice (uid 20001), home provided by mount$" \
    "$T/out.first" && [ ! -e "$R/users/alice/.ssh" ]; then
	ok "first run: homes under a mount target are left to the mount"
else
	notok "first run: homes under a mount target are left to the mount" \
	    "$(cat "$T/out.first")" "$(ls -la "$R/users/alice" 2>&1)"
fi
if [ ! -e "$R/etc/gshadow" ] && [ ! -e "$R/etc/sudoers.d" ]; then
	ok "first run: no gshadow and no sudoers.d made where there were none"
else
	notok "first run: no gshadow and no sudoers.d made where there were none"
fi

snap "$R" > "$T/snap1"
prov "$R" container
rc=$?
expect_eq "second run: prints only \"no changes\" and exits 0" \
    "0 no changes" "$rc $(cat "$T/out")"
snap "$R" > "$T/snap2"
if cmp -s "$T/snap1" "$T/snap2"; then
	ok "second run: no byte, mode, owner or mtime under the root changed"
else
	notok "second run: no byte, mode, owner or mtime under the root changed" \
	    "$(diff "$T/snap1" "$T/snap2" | head -10)"
fi

# --- --dry-run ------------------------------------------------------------

RD=$T/rootdry
mkroot "$RD"
snap "$RD" > "$T/snapd1"
prov "$RD" --dry-run container
snap "$RD" > "$T/snapd2"
if cmp -s "$T/snapd1" "$T/snapd2"; then
	ok "--dry-run changes nothing"
else
	notok "--dry-run changes nothing" "$(diff "$T/snapd1" "$T/snapd2" | head)"
fi
if grep -qx "+alice:x:20001:6001:Alice Liddell:/users/alice:/bin/bash" "$T/out" &&
    grep -qx -- "--- /etc/passwd" "$T/out" &&
    grep -qx "+sec-lab:x:6002:alice,carol" "$T/out"; then
	ok "--dry-run prints the diff of passwd and group"
else
	notok "--dry-run prints the diff of passwd and group" "$(cat "$T/out")"
fi

# --- over 9P --------------------------------------------------------------

PORT=$(free_port)
mkdir -p "$M9"
"$NEOC" serve -d "$DB" --mount "$M9" --listen "127.0.0.1:$PORT" --no-auth -f \
    --pidfile "$T/serve.pid" > "$T/serve.log" 2>&1 &
SP=$!
track "$SP"
wait_up "$M9" "$PORT" "$SP"
if is_mounted "$M9" && listening "$PORT"; then
	track_children "$SP"
	R9=$T/root9
	mkroot "$R9"
	if prov9 "$R9" container; then
		ok "over 9P: first run exits 0"
	else
		notok "over 9P: first run exits 0" "$(cat "$T/out")"
	fi
	for f in passwd group shadow; do
		if cmp -s "$R/etc/$f" "$R9/etc/$f"; then
			ok "over 9P: $f is byte-identical to the --tree result"
		else
			notok "over 9P: $f is byte-identical to the --tree result" \
			    "$(diff "$R/etc/$f" "$R9/etc/$f")"
		fi
	done
	prov9 "$R9" container
	rc=$?
	expect_eq "over 9P: second run prints \"no changes\" and exits 0" \
	    "0 no changes" "$rc $(cat "$T/out")"
	# The tree's root reads the same over 9P.
	prov9 "$R" container
	expect_eq "over 9P: the --tree root has nothing to change" \
	    "no changes" "$(cat "$T/out")"
else
	notok "neoc serve comes up on 127.0.0.1:$PORT" "$(tail "$T/serve.log")"
	R9=
fi

# --- homes, keys and sudo -------------------------------------------------

mkdir "$R/etc/sudoers.d"
echo /home/bob > "$M/users/bob/home"
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJvYmtleWZvcnRlc3Rzb25seXh4eHh4eHh4eHg bob@home" \
    > "$M/users/bob/keys"
if prov "$R" container; then
	ok "a home out of the mounts: the run exits 0"
else
	notok "a home out of the mounts: the run exits 0" "$(cat "$T/out")"
fi
expect_eq "bob's home: made 0755, bob's" "755 20003:6001" \
    "$(stat -c '%a %u:%g' "$R/home/bob" 2>&1)"
expect_eq "bob's home: the skeleton was copied, bob's" "PS1='\$ ' 20003:6001" \
    "$(cat "$R/home/bob/.profile") $(stat -c %u:%g "$R/home/bob/.profile")"
expect_eq "bob's keys: .ssh 0700 and authorized_keys 0600, bob's" \
    "700 20003:6001 600 20003:6001" \
    "$(stat -c '%a %u:%g' "$R/home/bob/.ssh" "$R/home/bob/.ssh/authorized_keys" |
    tr '\n' ' ' | sed 's/ $//')"
expect_file "bob's keys: authorized_keys holds the tree's keys" \
    "$R/home/bob/.ssh/authorized_keys" "$(cat "$M/nodes/h1/keys/bob")"
expect_file "sudoers.d/neoc: alice (ROOT=1) may become root" \
    "$R/etc/sudoers.d/neoc" \
    "# neo-containers: the experiment's users who may become root.
# Written by ncprov from the tree; do not edit.
alice ALL=(ALL) NOPASSWD:ALL"
expect_eq "sudoers.d/neoc is 0440" 440 "$(stat -c %a "$R/etc/sudoers.d/neoc")"
if command -v visudo > /dev/null; then
	check "visudo -c accepts sudoers.d/neoc" visudo -c -f "$R/etc/sudoers.d/neoc"
else
	skip "visudo -c accepts sudoers.d/neoc" "visudo is not installed (package sudo)"
fi
prov "$R" container
expect_eq "after the home: the next run has no changes" "no changes" \
    "$(cat "$T/out")"

# --- removal and update in place ------------------------------------------

if rmdir "$M/users/carol" 2> "$T/err"; then
	prov "$R" container
	expect_file "carol removed from the tree: passwd" "$R/etc/passwd" \
	    "$(echo "$WANT_PASSWD" | grep -v '^carol:' |
	    sed 's|/users/bob|/home/bob|')"
	expect_file "carol removed from the tree: shadow" "$R/etc/shadow" \
	    "$(echo "$WANT_SHADOW" | grep -v '^carol:')"
	expect_file "carol removed from the tree: group (hand-made lines kept)" \
	    "$R/etc/group" "$(echo "$WANT_GROUP" | sed 's/alice,carol/alice/')"
	expect_file "carol removed from the tree: the state file" \
	    "$R/var/lib/neoc/accounts" "$(echo "$WANT_STATE" | grep -v carol)"
else
	notok "rmdir users/carol" "$(cat "$T/err")"
fi
echo 20013 > "$M/users/bob/uid"
prov "$R" container
expect_eq "bob's new uid: his line changed in place" \
    "bob:x:20013:6001:Bob Brown:/home/bob:/bin/bash" \
    "$(sed -n 5p "$R/etc/passwd")"
expect_eq "bob's new uid: his home follows" "20013:6001 20013:6001" \
    "$(stat -c %u:%g "$R/home/bob" "$R/home/bob/.ssh/authorized_keys" |
    tr '\n' ' ' | sed 's/ $//')"
prov "$R" container
expect_eq "after the changes: the next run has no changes" "no changes" \
    "$(cat "$T/out")"

# --- concurrent runs ------------------------------------------------------

# Several ncprov at once (--tree and --9p) against one root, 10 rounds:
# the files stay whole and as expected; nothing is left aside.
RC=$T/rootc
mkroot "$RC"
bad=
for round in 1 2 3 4 5 6 7 8 9 10; do
	pids=
	for k in 1 2 3; do
		if [ -n "$R9" ] && [ $k -eq 2 ]; then
			prov9 "$RC" container > /dev/null 2>&1 &
		else
			"$NCPROV" --tree "$M" --node h1 --root "$RC" --no-start \
			    container > "$T/outc.$k" 2>&1 &
		fi
		pids="$pids $!"
	done
	wait $pids
	for f in passwd group shadow; do
		cmp -s "$R/etc/$f" "$RC/etc/$f" || bad="$bad round $round: $f;"
	done
	for f in "$RC"/etc/*.atomic-*; do
		[ -e "$f" ] && bad="$bad round $round: $f left;"
	done
done
if [ -z "$bad" ]; then
	ok "3 concurrent runs x 10: passwd, group, shadow whole and as expected"
else
	notok "3 concurrent runs x 10: passwd, group, shadow whole and as expected" \
	    "$bad" "$(diff "$R/etc/passwd" "$RC/etc/passwd")"
fi

# --- the shadow tools agree -----------------------------------------------

if command -v pwck > /dev/null && command -v grpck > /dev/null; then
	check "pwck -r -q finds nothing wrong" pwck -r -R "$R" -q
	check "grpck -r finds nothing wrong" grpck -r -R "$R"
else
	skip "pwck -r and grpck -r find nothing wrong" "pwck/grpck not installed"
fi
