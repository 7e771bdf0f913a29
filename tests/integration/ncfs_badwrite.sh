#!/bin/sh
# ncfs_badwrite.sh: bad values are refused and change nothing.
# Each case writes one bad value the way `echo bad > file` does (one
# write(2) ending in a newline, which ncfs checks at once) and must fail with
# the fitting errno (EINVAL mostly; EEXIST for a duplicate, ENAMETOOLONG for
# an over-long name); the file must still read its old value.  Then:
#
# - the database is unchanged: its content (the JSON export with secrets
#   and experiment.generation) is the same, AND its bytes are: before the
#   bad writes the WAL is checkpointed into the main file and truncated
#   (PRAGMA wal_checkpoint(TRUNCATE), done while mounted, while ncfs holds
#   no transaction open), so the main file and the (empty) WAL can be hashed;
#   a refused write must append no frame to the WAL and touch no page of the
#   main file, so both hashes are the same afterwards, and again after the
#   unmount (the -shm index is left out: readers change it);
# - every refusal is in ncfs's log with its reason, and a refused password
#   is not echoed into the log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs

DB=$T/e.db
M=$T/m
make_db "$DB"
ncfs_mount "$M" "$DB" || { notok "ncfs mounts $DB"; exit 1; }
find "$M" > /dev/null		# everything looked up and cached

content0=$(db_content "$DB")
gen0=$(gen "$DB")
if checkpoint "$DB"; then ok "the WAL checkpoints (TRUNCATE) while mounted"; else
	notok "the WAL checkpoints (TRUNCATE) while mounted" "$(sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE)')"; fi
bytes0=$(db_bytes "$DB")

LONG=$(printf 'x%.0s' $(seq 1 64))
N=0
# bad ERRTEXT FILE VALUE: write VALUE plus a newline in one write(2); it
# must fail with ERRTEXT and FILE keep its contents.  VALUE takes Python
# escapes (\x00, \xff, \n).
bad() {
	N=$((N + 1))
	_f=$M/$2
	# lib.sh prints names with dash's echo, which reads backslashes
	set -- "$1" "$2" "$3" "$(printf '%s' "$3" | sed 's/\\/\\\\/g')"
	_old=$(cat "$_f" 2>&1)
	_out=$(wr "$_f" trunc "$3\\n" 2>&1)
	_rc=$?
	_now=$(cat "$_f" 2>&1)
	if [ $_rc -eq 0 ]; then
		notok "$2 <- '$4': refused" "the write succeeded; now: $_now"
	elif [ "$_out" != "write: $1" ]; then
		notok "$2 <- '$4': refused with $1" "got: $_out"
	elif [ "$_now" != "$_old" ]; then
		notok "$2 <- '$4': old value stays" "was: $_old" "now: $_now"
	else
		ok "$2 <- '$4': $1, old value stays"
	fi
}
EINVAL="Invalid argument"
IP=nodes/h1/ifaces/eth1/ip

# addresses
bad "$EINVAL" $IP "not-an-ip"
bad "$EINVAL" $IP "192.168.1.256"
bad "$EINVAL" $IP "192.168.1"
bad "$EINVAL" $IP "192.168.1.11.5"
bad "$EINVAL" $IP " 192.168.1.20"
bad "$EINVAL" $IP "10.9.9.9"			# outside lan0's subnet
bad "$EINVAL" $IP "192.168.2.11"		# outside lan0's subnet
bad "$EINVAL" $IP "192.168.1.0"			# the network address
bad "$EINVAL" $IP "192.168.1.255"		# the broadcast address
bad "File exists" $IP "192.168.1.12"		# h2's address
bad "File exists" nodes/server/ifaces/eth1/ip "10.0.0.1"	# gw's uplink address
bad "$EINVAL" $IP ""				# empty
bad "$EINVAL" experiment/control_addr "10.0.0"
# ids
bad "$EINVAL" users/alice/uid "abc"
bad "$EINVAL" users/alice/uid "-1"
bad "$EINVAL" users/alice/uid "20001x"
bad "$EINVAL" users/alice/uid "99999999999"
bad "$EINVAL" users/alice/uid ""
bad "File exists" users/alice/uid "20002"	# carol's uid
bad "$EINVAL" users/alice/gid "0x10"
bad "File exists" groups/sec-lab/gid "6001"	# sec-proj's gid
bad "$EINVAL" users/alice/root "2"
# roles, actions, hosts
bad "$EINVAL" nodes/h1/role "router"
bad "$EINVAL" nodes/h1/role "Container"
bad "$EINVAL" nodes/h1/role "config"		# only the control node
bad "$EINVAL" nodes/pnode-0/role "container"	# it hosts containers
bad "$EINVAL" nodes/h1/role ""
bad "$EINVAL" nodes/h1/failure_action "maybe"
bad "$EINVAL" nodes/h1/host "h2"		# not a pnode
bad "$EINVAL" nodes/h1/host "nosuchnode"
bad "$EINVAL" nodes/h1/host "../pnode-0"
bad "$EINVAL" nodes/h1/host ""			# a container needs one
# routes: the syntax (lib/valid.c), one per destination, a reachable gateway
bad "$EINVAL" nodes/h1/routes "10.0.0.5/24 via 192.168.1.1"	# host bits
bad "$EINVAL" nodes/h1/routes "10.0.0.0/24 dev eth1"
bad "$EINVAL" nodes/h1/routes "10.0.0.0/24 via 192.168.1.1; reboot"
bad "$EINVAL" nodes/h1/routes "10.0.0.0 via 192.168.1.1"	# no prefix
bad "$EINVAL" nodes/h1/routes "10.0.0.0/24 via 10.77.0.1"	# not on h1's LAN
bad "$EINVAL" nodes/h1/routes "10.0.0.0/24 via 192.168.1.11"	# h1 itself
bad "$EINVAL" nodes/h1/routes "10.0.0.0/24 via 192.168.1.1\n10.0.0.0/24 via 192.168.1.12"
# names: '/', '..', blanks, over-long, empty
bad "$EINVAL" experiment/name "a/b"
bad "$EINVAL" experiment/name ".."
bad "$EINVAL" experiment/name "my experiment"
bad "File name too long" experiment/name "$LONG"
bad "$EINVAL" experiment/name ""
bad "$EINVAL" experiment/project "-lead"
bad "$EINVAL" users/alice/home "/users/../etc"
bad "$EINVAL" users/alice/home "users/alice"
bad "$EINVAL" users/alice/home ""
bad "$EINVAL" users/alice/shell "/bin/ba sh"
bad "$EINVAL" users/alice/groups "sec lab"
bad "$EINVAL" users/alice/groups "../sec-lab"
bad "$EINVAL" users/alice/groups "nosuchgroup"
bad "$EINVAL" users/alice/groups "sec-lab\\nsec-lab"	# twice
bad "$EINVAL" groups/sec-lab/members "nosuchuser"
bad "$EINVAL" groups/sec-lab/members "alice/carol"
# passwd/group injection through a value
bad "$EINVAL" users/alice/name "Alice:0:0"
bad "$EINVAL" users/alice/name "Alice\\nroot:x:0:0::/root:/bin/sh"
bad "$EINVAL" users/alice/password ""
bad "$EINVAL" users/alice/password "has blank"
bad "$EINVAL" users/alice/password "a:b"
bad "$EINVAL" nodes/h1/os "two words"
# binary bytes
bad "$EINVAL" nodes/h1/startcmd "abc\\x00def"
bad "$EINVAL" nodes/h1/startcmd "\\x01\\x02\\x03"
bad "$EINVAL" nodes/h1/startcmd "bell\\x07"
bad "$EINVAL" nodes/h1/startcmd "\\xff\\xfe\\xfd"
bad "$EINVAL" nodes/h1/os "\\xc3\\xa9t\\xc3\\xa9"	# valid UTF-8, but os is a word
# status lines
bad "$EINVAL" nodes/h1/status "running 1700000000"
bad "$EINVAL" nodes/h1/status "ready"
bad "$EINVAL" nodes/h1/status "ready soon"
bad "$EINVAL" nodes/h1/status "ready 17e8"
bad "$EINVAL" nodes/h1/status "ready 99999999999999999999"
bad "$EINVAL" nodes/h1/status ""
# link shaping
bad "$EINVAL" lans/lan0/bandwidth "100Qb"
bad "$EINVAL" lans/lan0/bandwidth "fast"
bad "$EINVAL" lans/lan0/bandwidth "5"			# under 10 kbit/s
bad "$EINVAL" lans/lan0/bandwidth "-100Mb"
bad "$EINVAL" lans/lan0/bandwidth ""
bad "$EINVAL" nodes/h1/ifaces/eth1/bandwidth "10 Mb"
bad "$EINVAL" lans/lan0/delay "2parsecs"
bad "$EINVAL" lans/lan0/delay "-1ms"
bad "$EINVAL" lans/lan0/delay "2h"
bad "$EINVAL" lans/lan0/loss "1.5"
bad "$EINVAL" lans/lan0/loss "-0.1"
bad "$EINVAL" lans/lan0/loss "lots"
# MACs
bad "$EINVAL" nodes/h1/ifaces/eth1/mac "02:00:00:zz:00:01"
bad "$EINVAL" nodes/h1/ifaces/eth1/mac "02:00:00:00:01"
bad "$EINVAL" nodes/h1/ifaces/eth1/mac "01:00:5e:00:00:01"	# multicast
bad "$EINVAL" nodes/h1/ifaces/eth1/mac "00:00:00:00:00:00"
bad "$EINVAL" nodes/h1/ifaces/eth1/mac ""
bad "File exists" nodes/h1/ifaces/eth1/mac "$(cat "$M/nodes/h2/ifaces/eth1/mac")"
# keys
bad "$EINVAL" users/bob/keys "not a key"
bad "$EINVAL" users/bob/keys "ssh-ed25519 !!!notbase64 bob@x"
bad "$EINVAL" users/bob/keys "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIJcZlwVunbNKsoTyKkyD7htLV/84N2eWw6BjPy4NM9vu bob@x"
# too long for one line
bad "$EINVAL" nodes/h1/startcmd "$(printf 'y%.0s' $(seq 1 5000))"

# what the shell user sees: echo through bash reports the errno
refused "bash: echo 10.9.9.9 > ip says Invalid argument" "write error: Invalid argument" \
    bash_echo "$M/$IP" 10.9.9.9
refused "bash: echo 192.168.1.12 > ip says File exists" "write error: File exists" \
    bash_echo "$M/$IP" 192.168.1.12
# without the newline the value is checked at close(2)
refused "printf router > role (no newline): close fails with Invalid argument" "close: $EINVAL" \
    wr "$M/nodes/h1/role" trunc "router"
refused "several write(2) calls building a bad value: refused" "$EINVAL" \
    wr "$M/nodes/h1/ifaces/eth1/mac" trunc "02:00:00:\\n" 3
expect_eq "...the old role stays" container "$(cat "$M/nodes/h1/role")"
# sed -i whose result is bad: the rename is refused
refused "sed -i making a bad address: refused" "sed:" sed -i 's/192\.168\.1\.11/10.9.9.9/' "$M/$IP"
expect_eq "...the old address stays" 192.168.1.11 "$(cat "$M/$IP")"
expect_eq "...and no temporary file is left" "" \
    "$(ls -a "$M/nodes/h1/ifaces/eth1" | grep -v -x -e . -e .. -e lan -e ip -e netmask -e mac -e bandwidth -e delay -e loss)"
# truncate(2) to an invalid value
refused "truncate -s 0 of an address: refused" "Invalid argument" truncate -s 0 "$M/$IP"
refused "truncate -s 3 of an address: refused" "Invalid argument" truncate -s 3 "$M/$IP"
# records with bad names
refused "mkdir 'users/bad name': Invalid argument" "$EINVAL" mkdir "$M/users/bad name"
refused "mkdir users/Alice (capital): Invalid argument" "$EINVAL" mkdir "$M/users/Alice"
refused "mkdir users/-x: Invalid argument" "$EINVAL" mkdir -- "$M/users/-x"
refused "mkdir users/<64 letters>: File name too long" "File name too long" mkdir "$M/users/$LONG"
refused "mkdir users/alice (exists): File exists" "File exists" mkdir "$M/users/alice"
refused "mkdir groups/sec-lab (exists): File exists" "File exists" mkdir "$M/groups/sec-lab"
refused "mkdir users/<300 letters>: File name too long" "File name too long" \
    mkdir "$M/users/$(printf 'z%.0s' $(seq 1 300))"
refused "rmdir users/nosuch: No such file" "No such file" rmdir "$M/users/nosuch"
refused "attribute with a blank in its key: Invalid argument" "$EINVAL" put "$M/nodes/h1/attributes/a b" v
refused "attribute with a control byte in its key: Invalid argument" "$EINVAL" \
    put "$M/nodes/h1/attributes/$(printf 'k\001')" v
refused "attribute key of 64 bytes: File name too long" "File name too long" \
    put "$M/nodes/h1/attributes/$LONG" v
refused "mkdir in attributes/: Operation not permitted" "Operation not permitted" \
    mkdir "$M/nodes/h1/attributes/sub"

# --- nothing changed ----------------------------------------------------------
expect_eq "after $N bad writes and the rest: generation unchanged" "$gen0" "$(gen "$DB")"
expect_eq "database content unchanged (export --secrets + generation)" "$content0" "$(db_content "$DB")"
expect_eq "database bytes unchanged (main file and WAL) while mounted" "$bytes0" "$(db_bytes "$DB")"
expect_eq "experiment/generation through the mount unchanged" "$gen0" "$(cat "$M/experiment/generation")"

# --- the log ------------------------------------------------------------------
n=$(grep -c 'refused' "$NCFS_LOG")
[ "$n" -ge "$N" ] && ok "every refusal is logged ($n lines for $N cases and more)" ||
    notok "every refusal is logged" "$n refused lines for $N cases" "$(head -5 "$NCFS_LOG")"
grep -q 'refused.*/nodes/h1/ifaces/eth1/ip.*10\.9\.9\.9.*outside.*lan0' "$NCFS_LOG" &&
    ok "the log names the file, the value and the reason (outside lan0's subnet)" ||
    notok "the log names the file, the value and the reason" "$(grep ip "$NCFS_LOG" | head -5)"
grep -q 'has blank' "$NCFS_LOG" && notok "a refused password is not written to the log" \
    "$(grep 'has blank' "$NCFS_LOG")" || ok "a refused password is not written to the log"
# a name holding a newline must not forge a log line
put "$M/nodes/h1/attributes/$(printf 'x\nncfs: forged')" v 2> /dev/null
if grep -q '^ncfs: forged' "$NCFS_LOG"; then
	notok "a file name with a newline cannot forge a line of the log" "$(grep -B1 '^ncfs: forged' "$NCFS_LOG")"
else
	ok "a file name with a newline cannot forge a line of the log"
fi
if grep -q "$(printf '[\001\007]')" "$NCFS_LOG"; then
	notok "control bytes of refused values and names are escaped in the log" \
	    "$(grep "$(printf '[\001\007]')" "$NCFS_LOG" | cat -A)"
else
	ok "control bytes of refused values and names are escaped in the log"
fi

PID=$(awk -v m="$M" '$2 == m { print $1; exit }' "$T/mounts.list")
ncfs_umount "$M" "$PID" || notok "unmount"
expect_eq "database bytes unchanged after the unmount" "$bytes0" "$(db_bytes "$DB")"
check "PRAGMA integrity_check is ok" sh -c "[ \"\$(sqlite3 '$DB' 'PRAGMA integrity_check')\" = ok ]"
