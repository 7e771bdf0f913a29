#!/bin/sh
# lxc_container.sh: ncprov container end to end, in a real LXC busybox
# container booting from its rcS (issue 5, "Must show").
#
#   host                                        container nctest-$$ (busybox)
#   ----                                        ---------------------------
#   neoc serve: ncfs on $T/nc + diod            rcS -> provision/rc/rcS.hook
#     listening on BRIP:PORT (bridge ncbr$$)      -> ncprov container (static,
#     exporting $T/nc and $T/export/...              bind-mounted read-only)
#   bridge ncbr$$ BRIP/24   <- veth ->  ctl0  CTLIP/24 (LXC sets it: the
#                                             control network, how the
#                                             container reaches the server)
#   bridge ncbl$$ (no address) <- veth -> eth1 with the tree's MAC of h1's
#                                             eth1, no address: the ifaces
#                                             step gives it 192.168.1.11/24
#
# The experiment is examples/small-lan.ns plus tests/data/tmcc-int (users
# alice, carol, bob; groups sec-proj, sec-lab; four home/project mounts),
# changed with sqlite3 before serve starts: the pnode's name (pnode-0, the
# 9P server of a container's mounts) resolves to the bridge address, and
# every mount source is a directory under $T/export that serve exports, on
# serve's port.  The container is h1.  The boot file /etc/neoc/node names
# h1, the server and the export of the tree.
#
# Checks: the status reaches ready (else the container's ncprov.log is
# printed); `su -s /bin/sh alice -c id` shows alice's uid, gid and groups
# from the tree; /etc/hosts holds the tree's block and busybox ping resolves
# the other nodes to their addresses; eth1 has its address and is up; the
# home directories are nc9pfs mounts and a file made on the host in the
# exported directory reads back inside (as root and as alice), and a file
# alice writes shows on the host; a second ncprov run in the container says
# "no changes".
#
# Needs root, lxc (lxc-create -t busybox, busybox-static), bridges, diod,
# fuse3 and /dev/fuse.  A missing prerequisite is a failure ("not ok") that
# says what is missing, never a skip.  Everything is torn down by the exit
# trap (lxc-stop -k, lxc-destroy, the bridges, serve, mounts under $T) and
# by a watchdog after $NC_TEST_LIMIT seconds (default 240).
. "$(dirname "$0")/lib.sh"

NCPROV_STATIC=$NC_TOP/bin/ncprov-static
NC9PFS=$NC_TOP/bin/nc9pfs
HOOK=$NC_TOP/provision/rc/rcS.hook
INITSCRIPT=$NC_TOP/provision/rc/ncprov-container.init
LIMIT=${NC_TEST_LIMIT:-240}
READY_WAIT=${NC_READY_WAIT:-60}	# seconds from lxc-start to ready
NODE=h1
CN=nctest-$$
LXCP=$T/lxc
BRC=ncbr$$			# control bridge (has the server's address)
BRL=ncbl$$			# the experiment LAN's bridge (no address)
DB=$T/e.db
M=$T/nc
EXPORT=$T/export
PIDFILE=$T/run/serve.pid
SP=
CREATED=
: > "$T/pids"

# --- helpers --------------------------------------------------------------

# fatal NAME LINES...: a prerequisite failed; say so and stop (the trap
# tears down what exists).
fatal() { notok "$@"; exit 1; }
# inside CMD...: run CMD in the container (clean environment), bounded.
inside() {
	timeout 30 lxc-attach -P "$LXCP" -n "$CN" --clear-env \
	    -v PATH=/usr/local/bin:/bin:/sbin:/usr/bin:/usr/sbin -v HOME=/root \
	    -- "$@"
}
# node_state: h1's state, step and message from neoc status --json.
node_state() {
	"$NEOC" status -d "$DB" --json 2> /dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for n in d["nodes"]:
    if n["name"] == sys.argv[1]:
        print(n["state"], n.get("step") or "-", n.get("message") or "")' "$NODE"
}
show_log() {	# the container's ncprov log, indented
	echo "#   --- $ROOTFS/var/log/neoc/ncprov.log:"
	sed 's/^/#   /' "$ROOTFS/var/log/neoc/ncprov.log" 2> /dev/null ||
	    echo "#   (no log: the hook did not run)"
}

cleanup() {
	set +e
	stop_watchdog
	if [ -n "$CREATED" ]; then
		lxc-stop -P "$LXCP" -n "$CN" -k > /dev/null 2>&1
		lxc-destroy -P "$LXCP" -n "$CN" -f > /dev/null 2>&1 ||
		    echo "# lxc-destroy -P $LXCP -n $CN failed"
	fi
	for b in "$BRC" "$BRL"; do
		ip link show "$b" > /dev/null 2>&1 && ip link del "$b"
	done
	# serve stops its diod and ncfs on SIGTERM; SIGKILL whatever stays
	stop_tracked
	for m in $(mounted_under "$T" | sort -r); do
		fusermount3 -u "$m" 2> /dev/null || umount "$m" 2> /dev/null ||
		    umount -l "$m" 2> /dev/null
	done
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

# watchdog_lxc: what the watchdog tears down before the processes and mounts.
watchdog_lxc() {
	lxc-stop -P "$LXCP" -n "$CN" -k > /dev/null 2>&1
	lxc-destroy -P "$LXCP" -n "$CN" -f > /dev/null 2>&1
	for b in "$BRC" "$BRL"; do ip link del "$b" 2> /dev/null; done
}
start_watchdog watchdog_lxc

# --- prerequisites: each missing one is a failure, never a skip ------------

[ "$(id -u)" -eq 0 ] || fatal "runs as root (LXC, bridges, FUSE)" "uid $(id -u)"
for f in "$NEOC" "$NC_TOP/bin/ncfs" "$NCPROV_STATIC" "$NC9PFS"; do
	[ -x "$f" ] || fatal "$f is built" \
	    "make -s bin/neoc bin/ncfs bin/nc9pfs ncprov-static"
done
[ -r "$HOOK" ] || fatal "$HOOK exists"
[ -r "$INITSCRIPT" ] || fatal "$INITSCRIPT exists"
for c in lxc-create lxc-start lxc-stop lxc-destroy lxc-attach lxc-info \
    diod sqlite3 ip ss fusermount3 python3 busybox; do
	command -v "$c" > /dev/null 2>&1 || fatal "$c is installed" \
	    "apt-get install lxc busybox-static diod sqlite3 iproute2 fuse3 python3 (make deps)"
done
[ -c /dev/fuse ] || fatal "/dev/fuse exists (nc9pfs in the container needs it)"
if file "$NCPROV_STATIC" 2> /dev/null | grep -q 'dynamically linked'; then
	fatal "bin/ncprov-static is statically linked" "$(file "$NCPROV_STATIC")"
fi

# A control subnet 10.250.X.0/24 no route or address of the host uses.
X=$(($$ % 200 + 20))
n=0
while ip -4 route show | grep -q "^10\.250\.$X\." ||
    ip -4 addr show | grep -q "inet 10\.250\.$X\."; do
	X=$((X % 250 + 1))
	n=$((n + 1))
	[ $n -lt 250 ] || fatal "a free 10.250.X.0/24 for the control bridge"
done
BRIP=10.250.$X.1
CTLIP=10.250.$X.2
PORT=$(free_port)

# --- the experiment ---------------------------------------------------------

if ! "$NEOC" import -d "$DB" "$NC_TOP/examples/small-lan.ns" > /dev/null 2> "$T/import.err" ||
    ! "$NEOC" import -d "$DB" --tmcc "$NC_TOP/tests/data/tmcc-int" > /dev/null 2>> "$T/import.err"; then
	fatal "import the test experiment" "$(cat "$T/import.err")"
fi
# The pnode (the containers' 9P server for mounts) is the bridge address;
# every mount source a local directory under $EXPORT, on serve's port.
sqlite3 "$DB" "SELECT source FROM mounts" > "$T/sources" 2> "$T/sql.err" ||
    fatal "read the mounts table" "$(cat "$T/sql.err")"
while IFS= read -r s; do mkdir -p "$EXPORT$s"; done < "$T/sources"
if ! sqlite3 "$DB" "UPDATE hostnames SET ip = '$BRIP' WHERE name = 'pnode-0';
    UPDATE mounts SET source = '$EXPORT' || source, options = 'port=$PORT';" \
    2> "$T/sql.err"; then
	fatal "point pnode-0 and the mounts at this host" "$(cat "$T/sql.err")"
fi
AUID=$(sqlite3 "$DB" "SELECT uid FROM users WHERE name = 'alice'")
AGID=$(sqlite3 "$DB" "SELECT gid FROM users WHERE name = 'alice'")
[ -n "$AUID" ] && [ -n "$AGID" ] || fatal "alice is in the experiment"
chown "$AUID:$AGID" "$EXPORT/users/alice"
echo "made on the host before boot" > "$EXPORT/users/alice/before-boot"
chown "$AUID:$AGID" "$EXPORT/users/alice/before-boot"

# --- the network ------------------------------------------------------------

ip link add "$BRC" type bridge 2> "$T/ip.err" &&
    ip addr add "$BRIP/24" dev "$BRC" 2>> "$T/ip.err" &&
    ip link set "$BRC" up 2>> "$T/ip.err" &&
    ip link add "$BRL" type bridge 2>> "$T/ip.err" &&
    ip link set "$BRL" up 2>> "$T/ip.err" ||
    fatal "bridges $BRC ($BRIP/24) and $BRL" "$(cat "$T/ip.err")"
ok "bridges $BRC ($BRIP/24, control) and $BRL (the experiment's lan0)"

# --- the server ---------------------------------------------------------------

mkdir -p "$T/run"
"$NEOC" serve -d "$DB" --mount "$M" --listen "$BRIP:$PORT" --no-auth -f \
    --pidfile "$PIDFILE" > "$T/serve.log" 2>&1 &
SP=$!
track "$SP"
wait_up "$M" "$PORT" "$SP" ||
    fatal "neoc serve mounts $M and listens on $BRIP:$PORT within 10 s" \
    "$(tail -20 "$T/serve.log")"
track_children "$SP"
ok "neoc serve: ncfs on $M, diod on $BRIP:$PORT"
DIOD_ARGS=
for c in $(children "$SP"); do
	a=$(tr '\0' ' ' < "/proc/$c/cmdline" 2> /dev/null)
	case $a in *diod*) DIOD_ARGS=$a ;; esac
done
case $DIOD_ARGS in
*"-e $EXPORT/users/alice"*)
	ok "diod exports alice's home directory ($EXPORT/users/alice)" ;;
*)	notok "diod exports alice's home directory ($EXPORT/users/alice)" \
	    "diod: ${DIOD_ARGS:-not running}" ;;
esac

MAC=$(cat "$M/nodes/$NODE/ifaces/eth1/mac" 2> /dev/null)
WANT_IP=$(cat "$M/nodes/$NODE/ifaces/eth1/ip" 2> /dev/null)
[ -n "$MAC" ] && [ -n "$WANT_IP" ] ||
    fatal "the tree gives $NODE's eth1 a MAC and an address" "mac '$MAC' ip '$WANT_IP'"

# --- the container ------------------------------------------------------------

mkdir -p "$LXCP"
if ! lxc-create -P "$LXCP" -n "$CN" -t busybox > "$T/create.log" 2>&1; then
	fatal "lxc-create -P $LXCP -n $CN -t busybox" "$(tail -10 "$T/create.log")"
fi
CREATED=1
ROOTFS=$LXCP/$CN/rootfs
CONF=$LXCP/$CN/config
ok "lxc-create -t busybox made $CN"

# Networks: ctl0 gets its address from LXC (the control network; named so
# that the template's `/bin/udhcpc` in rcS, which asks on eth0, fails at
# once instead of waiting for a lease); eth1 has h1's MAC and no address.
sed -i '/^lxc\.net\./d' "$CONF"
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/etc/neoc"
cat >> "$CONF" <<EOF

# lxc_container.sh
lxc.net.0.type = veth
lxc.net.0.link = $BRC
lxc.net.0.name = ctl0
lxc.net.0.flags = up
lxc.net.0.ipv4.address = $CTLIP/24
lxc.net.1.type = veth
lxc.net.1.link = $BRL
lxc.net.1.name = eth1
lxc.net.1.hwaddr = $MAC
lxc.mount.entry = $NCPROV_STATIC usr/local/bin/ncprov none bind,ro,create=file 0 0
lxc.mount.entry = $NC9PFS usr/local/bin/nc9pfs none bind,ro,create=file 0 0
lxc.mount.entry = /dev/fuse dev/fuse none bind,create=file 0 0
lxc.cgroup.devices.allow = c 10:229 rwm
lxc.cgroup2.devices.allow = c 10:229 rwm
EOF
printf 'NODE=%s\nNINEP=%s:%s\nANAME=%s\n' "$NODE" "$BRIP" "$PORT" "$M" \
    > "$ROOTFS/etc/neoc/node"
cat "$HOOK" >> "$ROOTFS/etc/init.d/rcS"
# The SysV script too (busybox init runs only rcS; the test runs it later).
cp "$INITSCRIPT" "$ROOTFS/etc/init.d/ncprov-container"
chmod 0755 "$ROOTFS/etc/init.d/ncprov-container"
cp "$ROOTFS/etc/hosts" "$T/hosts.before" 2> /dev/null || : > "$T/hosts.before"

T0=$(now_ms)
if ! lxc-start -P "$LXCP" -n "$CN" -l INFO -o "$T/lxc-start.log" 2> "$T/lxc-start.err"; then
	fatal "lxc-start $CN" "$(cat "$T/lxc-start.err")" \
	    "$(grep -E 'ERROR|WARN' "$T/lxc-start.log" | tail -10)"
fi
ok "lxc-start $CN (ncprov and nc9pfs bind-mounted, /dev/fuse, boot file, rcS hook)"

# --- wait for ready (or failed) ---------------------------------------------

state=
i=0
while [ $i -lt $((READY_WAIT * 5)) ]; do
	state=$(node_state)
	case $state in ready*|failed*) break ;; esac
	if [ "$(lxc-info -P "$LXCP" -n "$CN" -s 2> /dev/null | awk '{ print $2 }')" != RUNNING ]; then
		state="container stopped ($state)"
		break
	fi
	sleep 0.2
	i=$((i + 1))
done
MS=$(($(now_ms) - T0))
case $state in
ready*)
	ok "status of $NODE reaches ready ($MS ms from lxc-start): $state"
	;;
failed*)
	# let ncprov finish its other steps before printing the log
	j=0
	while [ $j -lt 50 ] && ! grep -q '^=== ncprov container: exit' \
	    "$ROOTFS/var/log/neoc/ncprov.log" 2> /dev/null; do
		sleep 0.2
		j=$((j + 1))
	done
	notok "status of $NODE reaches ready" "after $MS ms: $state"
	show_log
	;;
*)
	notok "status of $NODE reaches ready within $READY_WAIT s" \
	    "last state: ${state:-none}" \
	    "$(grep -E 'ERROR' "$T/lxc-start.log" | tail -5)"
	show_log
	;;
esac
if grep -q '^=== ncprov container at boot' "$ROOTFS/var/log/neoc/ncprov.log" 2> /dev/null; then
	ok "ncprov container ran from the rcS hook at boot, logging to /var/log/neoc/ncprov.log"
else
	notok "ncprov container ran from the rcS hook at boot" "$(show_log)"
fi
case $state in	# on failure it was printed above
ready*) sed 's/^/# ncprov.log: /' "$ROOTFS/var/log/neoc/ncprov.log" 2> /dev/null ;;
esac

# Everything below looks inside the running container.
if [ "$(lxc-info -P "$LXCP" -n "$CN" -s 2> /dev/null | awk '{ print $2 }')" != RUNNING ]; then
	fatal "$CN is still running" "$(grep -E 'ERROR' "$T/lxc-start.log" | tail -5)"
fi
out=$(inside grep -E ' /usr/local/bin/(ncprov|nc9pfs) ' /proc/mounts 2>&1)
if [ "$(echo "$out" | grep -c .)" -eq 2 ] && ! echo "$out" | grep -q ' rw,'; then
	ok "ncprov and nc9pfs are read-only bind mounts in the container"
else
	notok "ncprov and nc9pfs are read-only bind mounts in the container" "$out"
fi

# --- accounts -------------------------------------------------------------

idout=$(inside su -s /bin/sh alice -c id 2>&1)
want="uid=$AUID(alice) gid=$AGID($(sqlite3 "$DB" "SELECT name FROM groups WHERE gid = $AGID"))"
miss=
case $idout in "$want "*) ;; *) miss="$want" ;; esac
# every group of alice in the tree, as gid(name)
for g in $(cat "$M/users/alice/groups" 2> /dev/null) \
    "$(sqlite3 "$DB" "SELECT name FROM groups WHERE gid = $AGID")"; do
	gid=$(cat "$M/groups/$g/gid" 2> /dev/null)
	case $idout in *"groups="*"$gid($g)"*) ;; *) miss="$miss $gid($g)" ;; esac
done
if [ -z "$miss" ]; then
	ok "su -s /bin/sh alice -c id: $idout"
else
	notok "su -s /bin/sh alice -c id shows alice's uid, gid and groups from the tree" \
	    "got:     $idout" "missing: $miss"
fi
for u in carol bob; do
	want=$(cat "$M/users/$u/uid" 2> /dev/null)
	got=$(inside su -s /bin/sh "$u" -c 'id -u' 2>&1)
	expect_eq "su $u: uid $want" "$want" "$got"
done
mode=$(inside stat -c %a /etc/shadow 2>&1)
n=$(inside grep -c '^alice:' /etc/shadow 2>&1)
case $n:$mode in
1:*0) ok "/etc/shadow has alice and is not world-readable (mode $mode)" ;;
*)	notok "/etc/shadow has alice and is not world-readable" \
	    "alice lines: $n, mode: $mode" ;;
esac
if inside grep -q '^root:x:0:0:' /etc/passwd 2> /dev/null; then
	ok "the template's root line in /etc/passwd is kept"
else
	notok "the template's root line in /etc/passwd is kept" "$(inside cat /etc/passwd 2>&1)"
fi

# --- hosts -----------------------------------------------------------------

inside cat /etc/hosts > "$T/hosts.in" 2>&1
sed -n '/^# BEGIN neo-containers/,/^# END neo-containers/p' "$T/hosts.in" |
    sed '1d;$d' > "$T/hosts.block"
if cmp -s "$T/hosts.block" "$M/nodes/$NODE/hosts"; then
	ok "/etc/hosts holds the tree's hosts in its marked block ($(grep -c . "$T/hosts.block") lines)"
else
	notok "/etc/hosts holds the tree's hosts in its marked block" \
	    "$(diff "$M/nodes/$NODE/hosts" "$T/hosts.block" | head -10)"
fi
if [ -s "$T/hosts.before" ]; then
	if grep -vxF -f "$T/hosts.in" "$T/hosts.before" | grep -q .; then
		notok "the lines /etc/hosts had before stay" "$(cat "$T/hosts.before")"
	else
		ok "the lines /etc/hosts had before stay"
	fi
fi
# busybox ping resolves through /etc/hosts: "PING gw (192.168.1.1): ..."
for h in gw h2 server pnode-0; do
	want=$(awk -v h="$h" '!/^#/ { for (i = 2; i <= NF; i++) if ($i == h) { print $1; exit } }' \
	    "$M/nodes/$NODE/hosts")
	got=$(inside ping -c1 -W1 "$h" 2>&1 | sed -n 's/^PING [^ ]* (\([0-9.]*\)).*/\1/p')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "ping $h in the container resolves it to $got"
	else
		notok "ping $h in the container resolves it to ${want:-(not in the tree)}" \
		    "$(inside ping -c1 -W1 "$h" 2>&1 | head -3)"
	fi
done

# --- ifaces ----------------------------------------------------------------

pfx=$(python3 -c "import ipaddress,sys; print(ipaddress.IPv4Network('0.0.0.0/' + sys.argv[1]).prefixlen)" \
    "$(cat "$M/nodes/$NODE/ifaces/eth1/netmask" 2> /dev/null || echo 255.255.255.0)" 2> /dev/null)
got=$(inside ip -o -4 addr show dev eth1 2>&1)
if echo "$got" | grep -q "inet $WANT_IP/$pfx " &&
    inside ip link show dev eth1 2>&1 | grep -q '[<,]UP[,>]'; then
	ok "eth1 (MAC $MAC) has $WANT_IP/$pfx and is up"
else
	notok "eth1 (MAC $MAC) has $WANT_IP/$pfx and is up" "$got" \
	    "$(inside ip link show dev eth1 2>&1)"
fi

# --- mounts ------------------------------------------------------------------

inside cat /proc/mounts > "$T/mounts.in" 2>&1
for tgt in $(sqlite3 "$DB" "SELECT target FROM mounts ORDER BY ord"); do
	if awk -v t="$tgt" '$2 == t && $3 == "fuse.nc9pfs" { f = 1 } END { exit !f }' "$T/mounts.in"; then
		ok "$tgt is an nc9pfs mount in the container"
	else
		notok "$tgt is an nc9pfs mount in the container" \
		    "$(grep -E 'nc9pfs|users|proj' "$T/mounts.in")"
	fi
done
expect_eq "a file made on the host before boot reads back in /users/alice" \
    "made on the host before boot" "$(inside cat /users/alice/before-boot 2>&1)"
word=host-$$-$(date +%s%N)
echo "$word" > "$EXPORT/users/alice/from-host"
expect_eq "a file made on the host now reads back in the container (root)" \
    "$word" "$(inside cat /users/alice/from-host 2>&1)"
expect_eq "... and as alice" "$word" \
    "$(inside su -s /bin/sh alice -c 'cat /users/alice/from-host' 2>&1)"
word=alice-$$-$(date +%s%N)
out=$(inside su -s /bin/sh alice -c "echo $word > /users/alice/from-alice" 2>&1)
got=$(cat "$EXPORT/users/alice/from-alice" 2>&1)
if [ "$got" = "$word" ]; then
	ok "a file alice writes in her home shows on the host"
else
	notok "a file alice writes in her home shows on the host" \
	    "want: $word" "got:  $got" "su: $out"
fi

# --- status and a second run -----------------------------------------------------

got=$("$NEOC" status -d "$DB" | awk -v n="$NODE" '$1 == n { print $4 }')
expect_eq "neoc status shows $NODE ready" ready "$got"
out=$(inside ncprov container 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(echo "$out" | tail -n 1)" = "no changes" ]; then
	ok "a second ncprov container in the running container: no changes, exit 0"
else
	notok "a second ncprov container in the running container: no changes, exit 0" \
	    "exit $rc:" "$(echo "$out" | head -20)"
fi
expect_eq "the status is ready after the second run" ready \
    "$(node_state | cut -d' ' -f1)"

# The SysV init script, run by hand in the container (busybox sh): start
# provisions again (no changes), status reports the last run.
out=$(inside /etc/init.d/ncprov-container start 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$out" = "Provisioning container $NODE: ready." ] &&
    [ "$(inside tail -n 2 /var/log/neoc/ncprov.log 2>&1 | head -n 1)" = "no changes" ]; then
	ok "/etc/init.d/ncprov-container start: \"$out\", no changes in the log"
else
	notok "/etc/init.d/ncprov-container start: ready, no changes" "exit $rc: $out" \
	    "$(inside tail -n 5 /var/log/neoc/ncprov.log 2>&1)"
fi
out=$(inside /etc/init.d/ncprov-container status 2>&1)
rc=$?
expect_eq "/etc/init.d/ncprov-container status: exit 0" "0: ncprov-container: container $NODE provisioned" "$rc: $out"
expect_eq "the status is ready after the init script" ready "$(node_state | cut -d' ' -f1)"
