#!/bin/sh
# ncprov_steps.sh: the container steps ifaces, routes, mounts and startcmd of
# `ncprov container` on a real experiment (examples/small-lan.ns with the
# tmcc data of tests/data/tmcc-int), read through an ncfs mount.
#
#  1. Under --root (a fake sysfs and proc in $T/r): the commands ifaces
#     and mounts would run ("would run: ..."), nc9pfs without 9p in
#     proc/filesystems and `mount -t 9p` with it, the startcmd really run
#     as its user (alice, the first account), and a second run, once the
#     fake state says it is all there, prints "no changes".
#  2. For real, without --root, inside a network namespace made here:
#     h1's eth1 MAC is given to a veth in the namespace (under another
#     name), and diod runs in the namespace on pnode-0's address
#     (192.168.10.10 on the namespace's lo), exporting $T/export.  The run
#     happens in `ip netns exec`'s own mount namespace, where $T/etc is
#     bound over /etc and $T/var over /var, so the hosts, accounts and
#     state files it writes never touch this machine's; the users' homes
#     and the mount's target are moved under $T in the database.  Checked:
#     the veth gets 192.168.1.11/24 and is up, the export is mounted
#     through nc9pfs and shows its files, the startcmd ran once as alice,
#     status is ready, a second run says "no changes", and a mount removed
#     from the database is unmounted by the next run.
#
# Needs root, ip, diod, sqlite3, FUSE.  Everything the test starts lives
# under $T or in the namespace; the exit trap stops it all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs

NCPROV=${NCPROV:-$NC_TOP/bin/ncprov}
DIOD=/usr/sbin/diod
NS=nctest-$$
PORT=$(shuf -i 20000-40000 -n 1)
DB=$T/e.db
DIOD_PID=

steps_cleanup() {
	set +e
	# the inner script unmounts its nc9pfs; should it have died first,
	# stop the nc9pfs that serves our target (its argv names it)
	for d in /proc/[0-9]*; do
		[ -r "$d/cmdline" ] || continue
		tr '\0' '\n' < "$d/cmdline" 2> /dev/null | awk -v m="$T/mnt/alice" '
		    NR == 1 && $0 !~ /nc9pfs$/ { exit 1 }
		    $0 == m { f = 1 } END { exit !f }' && kill -9 "${d#/proc/}"
	done
	[ -z "$DIOD_PID" ] || { kill "$DIOD_PID"; wait "$DIOD_PID"; } 2> /dev/null
	ip netns del "$NS" 2> /dev/null
	ncfs_cleanup
}
trap steps_cleanup EXIT

for need in "$NCPROV" "$NC_TOP/bin/nc9pfs" "$DIOD"; do
	if [ ! -x "$need" ]; then
		notok "$need is there" "build it (make) / install diod"
		exit 1
	fi
done
if [ "$(id -u)" != 0 ]; then
	notok "ncprov_steps.sh runs as root"
	exit 1
fi

# --- the experiment ----------------------------------------------------------------
"$NEOC" import -d "$DB" "$NC_TOP/examples/small-lan.ns" > /dev/null 2> "$T/err" &&
    "$NEOC" import -d "$DB" --tmcc "$NC_TOP/tests/data/tmcc-int" > /dev/null 2>> "$T/err" ||
    { notok "import the experiment" "$(cat "$T/err")"; exit 1; }
# Homes and the one mount kept move under $T; the mount comes from
# diod's export $T/export on the port picked above.
chmod 755 "$T"
mkdir -p "$T/export/sub" "$T/out"
echo "exported file" > "$T/export/hello.txt"
chmod 1777 "$T/out"
sqlite3 "$DB" "UPDATE users SET home = '$T/home/' || name;
    DELETE FROM mounts WHERE source <> '/users/alice';
    UPDATE mounts SET source = '$T/export', target = '$T/mnt/alice',
        options = 'port=$PORT';" || { notok "edit the database"; exit 1; }
ncfs_mount "$T/nc" "$DB" || { notok "mount ncfs"; exit 1; }
NC=$T/nc/nodes/h1
MAC=$(cat "$NC/ifaces/eth1/mac")
expect_eq "h1's mounts line" \
    "pnode-0:$T/export $T/mnt/alice 9p aname=$T/export,port=$PORT 0 0" \
    "$(cat "$NC/mounts")"
echo "echo hello \$(id -u) > $T/out/x" > "$NC/startcmd"
expect_eq "the startcmd written through ncfs" \
    "echo hello \$(id -u) > $T/out/x" "$(cat "$NC/startcmd")"

# --- 1. under --root -----------------------------------------------------------------
R=$T/r
mkdir -p "$R/sys/class/net/eth9" "$R/sys/class/net/lo" "$R/proc/self" \
    "$R/proc/sys/kernel/random"
echo "$MAC" | tr a-f A-F > "$R/sys/class/net/eth9/address"
echo 0x1002 > "$R/sys/class/net/eth9/flags"
echo 00:00:00:00:00:00 > "$R/sys/class/net/lo/address"
echo root-test-boot > "$R/proc/sys/kernel/random/boot_id"
"$NCPROV" --tree "$T/nc" --node h1 --root "$R" container > "$T/r1.out" 2>&1
rc=$?
expect_eq "--root: first run exits 0" 0 "$rc"
has() {	# has NAME FILE LINE: FILE has exactly this line
	if grep -qxF -- "$3" "$2"; then ok "$1"; else
		notok "$1" "no line: $3" "in:" "$(cat "$2")"; fi
}
has "--root: ip addr add for the interface with h1's MAC" "$T/r1.out" \
    "ifaces: would run: ip addr add 192.168.1.11/24 broadcast + dev eth9"
has "--root: ip link set up" "$T/r1.out" \
    "ifaces: would run: ip link set dev eth9 up"
has "--root: h1's route to the server's link (rtproto Static)" "$T/r1.out" \
    "routes: would run: ip route replace 10.0.0.0/24 via 192.168.1.1"
has "--root: no 9p in proc/filesystems: nc9pfs" "$T/r1.out" \
    "mounts: would run: nc9pfs 192.168.10.10:$PORT:$T/export $R$T/mnt/alice -o allow_other,default_permissions"
# the start command runs in the background: the step says it started it,
# its supervisor writes startstatus through the tree when it ends
grep -q "^startcmd: started as alice (pid [0-9]*)$" "$T/r1.out" &&
    ok "--root: the startcmd started as alice, in the background" ||
    notok "--root: the startcmd started as alice, in the background" "$(cat "$T/r1.out")"
i=0
while ! grep -q "^exited" "$NC/startstatus" 2> /dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
case $(cat "$NC/startstatus") in
"exited 0 "*) ok "--root: its supervisor wrote startstatus exited 0 through the tree" ;;
*) notok "--root: its supervisor wrote startstatus exited 0 through the tree" "$(cat "$NC/startstatus")" ;;
esac
expect_eq "--root: the startcmd ran as alice" "hello 20001" "$(cat "$T/out/x" 2>&1)"
expect_eq "--root: the startcmd's file is alice's" 20001 "$(stat -c %u "$T/out/x" 2>&1)"
grep -q "startcmd as alice: echo hello" "$R/var/log/neoc/startcmd.log" 2> /dev/null &&
    ok "--root: the startcmd log" ||
    notok "--root: the startcmd log" "$(cat "$R/var/log/neoc/startcmd.log" 2>&1)"
expect_eq "--root: the mount remembered" "$T/mnt/alice nc9pfs" \
    "$(cat "$R/var/lib/neoc/mounts" 2>&1)"
[ -d "$R$T/mnt/alice" ] && ok "--root: the target made under the root" ||
    notok "--root: the target made under the root"

# The fake state now says it is all done: nothing to do.
echo 0x1003 > "$R/sys/class/net/eth9/flags"
echo 192.168.1.11/24 > "$R/sys/class/net/eth9/neoc_test_addrs"
mkdir -p "$R/proc/net"
echo "10.0.0.0/24 via 192.168.1.1 dev eth9" > "$R/proc/net/neoc_test_routes"
echo "192.168.10.10:$T/export $T/mnt/alice fuse.nc9pfs rw 0 0" > "$R/proc/self/mounts"
rm -f "$T/out/x"
"$NCPROV" --tree "$T/nc" --node h1 --root "$R" container > "$T/r2.out" 2>&1
expect_eq "--root: second run: no changes" "0 no changes" "$? $(cat "$T/r2.out")"
[ ! -e "$T/out/x" ] && ok "--root: the startcmd not run again this boot" ||
    notok "--root: the startcmd not run again this boot"

# 9p in the kernel: mount -t 9p (a dry run: nothing written).
: > "$R/proc/self/mounts"
printf 'nodev\tsysfs\nnodev\t9p\n' > "$R/proc/filesystems"
"$NCPROV" --tree "$T/nc" --node h1 --root "$R" --dry-run container > "$T/r3.out" 2>&1
has "--root --dry-run: 9p in proc/filesystems: mount -t 9p" "$T/r3.out" \
    "mounts: would run: mount -t 9p -o trans=tcp,port=$PORT,aname=$T/export,version=9p2000.L 192.168.10.10 $R$T/mnt/alice"
expect_eq "--root --dry-run: the state file untouched" "$T/mnt/alice nc9pfs" \
    "$(cat "$R/var/lib/neoc/mounts" 2>&1)"

# A MAC no interface has fails ifaces, naming it; the rest still runs.
rm -r "$R/sys/class/net/eth9"
"$NCPROV" --tree "$T/nc" --node h1 --root "$R" --dry-run container > "$T/r4.out" 2>&1
rc=$?
expect_eq "--root: a missing MAC: exit 1" 1 "$rc"
grep -qF "ncprov: ifaces: no interface with MAC $MAC (eth1)" "$T/r4.out" &&
    ok "--root: a missing MAC is named" || notok "--root: a missing MAC is named" "$(cat "$T/r4.out")"
grep -qF "would run: mount -t 9p" "$T/r4.out" &&
    ok "--root: mounts still run after ifaces failed" ||
    notok "--root: mounts still run after ifaces failed" "$(cat "$T/r4.out")"

# --- 2. for real, in a network namespace ---------------------------------------------
# the namespace: lo with pnode-0's address, a veth with h1's eth1 MAC
if ! ip netns add "$NS" ||
    ! ip -n "$NS" link set lo up ||
    ! ip -n "$NS" addr add 192.168.10.10/32 dev lo ||
    ! ip -n "$NS" link add nctest0 address "$MAC" type veth peer name nctest1; then
	notok "make the network namespace $NS"
	exit 1
fi
# diod looks its clients' addresses up: give it a hosts file that knows
# them (bound in its own mount namespace, ip netns exec's).
printf '127.0.0.1\tlocalhost\n192.168.10.10\tpnode-0\n' > "$T/diod.hosts"
ip netns exec "$NS" sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' \
    sh "$T/diod.hosts" "$DIOD" -f -n -l "192.168.10.10:$PORT" -e "$T/export" \
    -L stderr > "$T/diod.log" 2>&1 &
DIOD_PID=$!
i=0
until ip netns exec "$NS" ss -Hltn "sport = :$PORT" | grep -q .; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$DIOD_PID" 2> /dev/null; then
		notok "diod listens in the namespace" "$(cat "$T/diod.log")"
		exit 1
	fi
	sleep 0.05
done

# The /etc the run sees: a root account, and what programs need to start.
mkdir -p "$T/etc" "$T/var/lib" "$T/var/log" "$T/var/tmp"
for f in ld.so.cache ld.so.conf ld.so.conf.d alternatives fuse.conf \
    nsswitch.conf; do
	[ -e "/etc/$f" ] && cp -a "/etc/$f" "$T/etc/"
done
echo "root:x:0:0:root:/root:/bin/sh" > "$T/etc/passwd"
echo "root:x:0:" > "$T/etc/group"
echo "root:*:19000:0:99999:7:::" > "$T/etc/shadow"
chmod 600 "$T/etc/shadow"
printf '127.0.0.1\tlocalhost\n' > "$T/etc/hosts"
ln -s ../proc/self/mounts "$T/etc/mtab"

cat > "$T/inner.sh" <<'EOF'
# Runs inside `ip netns exec`: its own mount namespace, private.
T=$1 NCPROV=$2 DB=$3
mount --bind "$T/etc" /etc || exit 1
mount --bind "$T/var" /var || exit 1
trap 'fusermount3 -u "$T/mnt/alice" 2> /dev/null' EXIT
inmounts() { awk -v m="$T/mnt/alice" '$2 == m { print $3 }' /proc/self/mounts; }
run() {	# run N: ncprov container, output in $T/nN.out, status in $T/nN.rc
	"$NCPROV" --tree "$T/nc" --node h1 container > "$T/n$1.out" 2>&1
	echo $? > "$T/n$1.rc"
}
run 1
# the start command runs in the background: wait for its file
i=0
while [ ! -s "$T/out/x" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
inmounts > "$T/n1.fstype"
cat "$T/mnt/alice/hello.txt" > "$T/n1.cat" 2>&1
setpriv --reuid 20001 --regid 6001 --clear-groups \
    cat "$T/mnt/alice/hello.txt" > "$T/n1.su" 2>&1
ls "$T/mnt/alice" > "$T/n1.ls" 2>&1
mv "$T/out/x" "$T/out/x.1" 2> /dev/null
cp "$T/nc/nodes/h1/status" "$T/n1.status"
cp /var/log/neoc/startcmd.log "$T/n1.log" 2> /dev/null
cp /var/lib/neoc/mounts "$T/n1.state" 2> /dev/null
run 2
# the mount leaves the tree: the next run unmounts it
sqlite3 "$DB" "DELETE FROM mounts"
i=0
while [ -s "$T/nc/nodes/h1/mounts" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
run 3
inmounts > "$T/n3.fstype"
EOF
ip netns exec "$NS" sh "$T/inner.sh" "$T" "$NCPROV" "$DB" > "$T/inner.log" 2>&1 ||
    notok "the run in the namespace" "$(cat "$T/inner.log")"

expect_eq "netns: first run exits 0" 0 "$(cat "$T/n1.rc" 2>&1)"
has "netns: ifaces added the address" "$T/n1.out" \
    "ifaces: ip addr add 192.168.1.11/24 broadcast + dev nctest0"
has "netns: ifaces brought it up" "$T/n1.out" "ifaces: ip link set dev nctest0 up"
has "netns: routes installed h1's route" "$T/n1.out" \
    "routes: ip route replace 10.0.0.0/24 via 192.168.1.1"
expect_eq "netns: the kernel has it" "10.0.0.0/24 via 192.168.1.1" \
    "$(ip -n "$NS" -4 route show 10.0.0.0/24 | awk '{ print $1, $2, $3 }')"
addr=$(ip -n "$NS" -o -4 addr show dev nctest0 | awk '{ print $4 }')
expect_eq "netns: the veth with h1's MAC has 192.168.1.11/24" 192.168.1.11/24 "$addr"
ip -n "$NS" link show dev nctest0 | head -1 | grep -q '[<,]UP[,>]' &&
    ok "netns: the veth is up" || notok "netns: the veth is up" "$(ip -n "$NS" link show dev nctest0)"
# The real run takes this kernel's path: nc9pfs without 9p (the checks
# below), `mount -t 9p` with it (only the dry run above shows that one).
grep -qw 9p /proc/filesystems ||
    skip "netns: mounts ran mount -t 9p (the kernel's 9p client)" \
    "no 9p filesystem in this kernel (/proc/filesystems)"
has "netns: mounts ran nc9pfs (no 9p in this kernel)" "$T/n1.out" \
    "mounts: nc9pfs 192.168.10.10:$PORT:$T/export $T/mnt/alice -o allow_other,default_permissions"
expect_eq "netns: the target is a fuse.nc9pfs mount" fuse.nc9pfs "$(cat "$T/n1.fstype" 2>&1)"
expect_eq "netns: the mount shows the export" "hello.txt sub" "$(echo $(cat "$T/n1.ls"))"
expect_eq "netns: a file read through the mount" "exported file" "$(cat "$T/n1.cat")"
expect_eq "netns: alice reads it too (allow_other)" "exported file" "$(cat "$T/n1.su")"
grep -q "^startcmd: started as alice (pid [0-9]*)$" "$T/n1.out" &&
    ok "netns: the startcmd started" || notok "netns: the startcmd started" "$(cat "$T/n1.out")"
expect_eq "netns: the startcmd ran as alice" "hello 20001" "$(cat "$T/out/x.1" 2>&1)"
grep -q "startcmd as alice" "$T/n1.log" 2> /dev/null &&
    ok "netns: the startcmd log in /var/log/neoc" ||
    notok "netns: the startcmd log in /var/log/neoc"
expect_eq "netns: status ready" ready "$(cut -d' ' -f1 "$T/n1.status")"
expect_eq "netns: the mount remembered" "$T/mnt/alice nc9pfs" \
    "$(cat "$T/n1.state" 2>&1)"
grep -q "$T/export" /proc/self/mounts &&
    notok "netns: the host does not see the mount" || ok "netns: the host does not see the mount"

expect_eq "netns: second run: no changes" "0 no changes" \
    "$(cat "$T/n2.rc" 2>&1) $(cat "$T/n2.out" 2>&1)"
[ ! -e "$T/out/x" ] && ok "netns: the startcmd ran once this boot" ||
    notok "netns: the startcmd ran once this boot"

expect_eq "netns: third run exits 0" 0 "$(cat "$T/n3.rc" 2>&1)"
has "netns: the mount gone from the tree is unmounted" "$T/n3.out" \
    "mounts: fusermount3 -u $T/mnt/alice"
expect_eq "netns: nothing mounted there any more" "" "$(cat "$T/n3.fstype" 2>&1)"
expect_eq "netns: no mount of ours remembered" "" \
    "$(cat "$T/var/lib/neoc/mounts" 2>&1)"
