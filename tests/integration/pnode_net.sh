#!/bin/sh
# pnode_net.sh: the network step of `ncprov pnode` (provision/pnode/pnode_net.c)
# for real, inside a network namespace made here, on an experiment of two
# LANs (lan0: a b, 100Mb 0ms; link1: b c, 10Mb 20ms) imported with one pnode
# and read through an ncfs mount.
#
# ncprov runs in `ip netns exec`'s own mount namespace with $T/etc (a copy
# of /etc) over /etc, $T/var over /var and $T/run over /run, so the conf
# files, sockets, pidfiles and state files it writes are $T's, and the
# links it makes live in the namespace only.  Checked: a vde_switch per
# LAN running with its control and management sockets, each bridge with
# its TAP as a port, shaping on the host sides of the NICs (veths made
# here under the names ncprov derives, computed here independently) --
# netem delay 20ms, or, on a kernel without netem, the 10Mbit tbf alone --
# a second run without "network:" lines, and link1 deleted from the
# database torn down (switch stopped, bridge gone, conf file removed).
#
# Needs root, ip, tc, vde_switch, sqlite3, FUSE and `ncprov pnode` (waits
# $PNODE_WAIT seconds for bin/ncprov to have it).  The exit trap kills
# what runs in the namespace and deletes it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs

NCPROV=${NCPROV:-$NC_TOP/bin/ncprov}
NS=ncnet$$
DB=$T/e.db

net_cleanup() {
	set +e
	for pid in $(ip netns pids "$NS" 2> /dev/null); do
		kill "$pid"
	done
	wait_for 2 no_netns_pids "$NS" 2> /dev/null
	for pid in $(ip netns pids "$NS" 2> /dev/null); do
		kill -9 "$pid"
	done
	ip netns del "$NS" 2> /dev/null
	ncfs_cleanup
}
trap net_cleanup EXIT

if [ "$(id -u)" != 0 ]; then
	notok "pnode_net.sh runs as root"
	exit 1
fi
for need in ip tc vde_switch sqlite3; do
	command -v "$need" > /dev/null ||
	    { notok "$need is installed" "make deps"; exit 1; }
done
has_pnode() { [ -x "$NCPROV" ] && "$NCPROV" --help 2>&1 | grep -qw pnode; }
if ! wait_for "${PNODE_WAIT:-0}" has_pnode; then
	notok "ncprov has a pnode command" "$NCPROV"
	exit 1
fi

# --- the experiment -----------------------------------------------------------
cat > "$T/two.ns" << 'EOF'
set ns [new Simulator]
source tb_compat.tcl
set a [$ns node]
set b [$ns node]
set c [$ns node]
set lan0 [$ns make-lan "$a $b" 100Mb 0ms]
set link1 [$ns duplex-link $b $c 10Mb 20ms DropTail]
$ns run
EOF
"$NEOC" import -d "$DB" --pnodes 1 "$T/two.ns" > /dev/null 2> "$T/err" ||
    { notok "import the experiment" "$(cat "$T/err")"; exit 1; }
ncfs_mount "$T/nc" "$DB" || { notok "mount ncfs"; exit 1; }
PN=pnode-0

mkdir -p "$T/var/lib" "$T/var/cache" "$T/var/tmp" "$T/var/log" "$T/run"
cp -a /etc "$T/etc" 2> /dev/null
mkdir -p "$T/etc/vde2"
ip netns add "$NS" || { notok "ip netns add"; exit 1; }
ip netns exec "$NS" ip link set lo up

# prov: run ncprov pnode in the namespace; output in $T/out.N
n=0
prov() {
	n=$((n + 1))
	ip netns exec "$NS" unshare -m sh -c '
	    mount --make-rprivate / &&
	    mount --bind "$1/etc" /etc && mount --bind "$1/var" /var &&
	    mount --bind "$1/run" /run && shift && exec "$@"' sh "$T" \
	    "$NCPROV" --tree "$T/nc" --node "$PN" pnode > "$T/out.$n" 2>&1
}
# nsx: run a command in the namespace
nsx() { ip netns exec "$NS" "$@"; }

# The names ncprov derives (pnode_names.c: 32-bit FNV-1a over the keys
# and their NULs), computed here.
ifname() {
	python3 -c '
import sys
h = 2166136261
for k in sys.argv[2:]:
    for c in k.encode() + b"\0":
        h = ((h ^ c) * 16777619) & 0xffffffff
print("%s%08x" % (sys.argv[1], h))' "$@"
}

prov
for lan in lan0 link1; do
	v=$(ifname nv $lan); t=$(ifname nt $lan); b=$(ifname nb $lan)
	pid=$(cat "$T/run/neoc/vde/$v.pid" 2> /dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null &&
	    [ -d "$T/run/neoc/vde/$v.ctl" ] && [ -S "$T/run/neoc/vde/$v.mgmt" ]
	then
		ok "$lan: vde_switch runs with its sockets"
	else
		notok "$lan: vde_switch runs with its sockets" \
		    "$(cat "$T/out.$n")" "$(ls -la "$T/run/neoc/vde" 2>&1)"
	fi
	expect_eq "$lan: conf file" "# neoc: VDE switch of LAN $lan
port/setnumports 32" "$(cat "$T/etc/vde2/conf.d/$v.conf" 2>&1)"
	m=$(nsx cat "/sys/class/net/$t/master/uevent" 2> /dev/null |
	    sed -n 's/^INTERFACE=//p')
	expect_eq "$lan: bridge $b has TAP $t" "$b" "$m"
done

# The host sides of the NICs, as the lxc backend would make them.
for nic in "a eth1" "b eth1" "b eth2" "c eth1"; do
	# shellcheck disable=SC2086
	h=$(ifname nv $nic)
	nsx ip link add "$h" type veth peer name "p$h" 2> /dev/null
	nsx ip link set "$h" up
done
prov
out=$(cat "$T/out.$n")
netem=0
if nsx tc qdisc add dev lo root netem delay 1ms 2> /dev/null; then
	netem=1
	nsx tc qdisc del dev lo root
fi
q=$(nsx tc qdisc show dev "$(ifname nv c eth1)")
if [ $netem = 1 ]; then
	case $q in
	*"netem"*"delay 20ms"*) ok "link1: netem delay 20ms on c's side" ;;
	*) notok "link1: netem delay 20ms on c's side" "$q" "$out" ;;
	esac
else
	skip "link1: netem delay 20ms on c's side" \
	    "no netem in this kernel (tc qdisc add ... netem refused)"
fi
case $q in
*"tbf"*"rate 10Mbit"*) ok "link1: tbf 10Mbit on c's side" ;;
*) notok "link1: tbf 10Mbit on c's side" "$q" "$out" ;;
esac
q=$(nsx tc qdisc show dev "$(ifname nv a eth1)")
case $q in
*netem*) notok "lan0 (0 ms): no netem on a's side" "$q" ;;
*"tbf"*"rate 100Mbit"*) ok "lan0 (0 ms): tbf 100Mbit alone on a's side" ;;
*) notok "lan0 (0 ms): tbf 100Mbit alone on a's side" "$q" "$out" ;;
esac

prov
expect_eq "second run: no network changes" "" \
    "$(grep '^network:' "$T/out.$n")"

# link1 leaves the experiment.
v=$(ifname nv link1); b=$(ifname nb link1)
pid=$(cat "$T/run/neoc/vde/$v.pid" 2> /dev/null)
sqlite3 "$DB" "PRAGMA foreign_keys = ON;
    DELETE FROM ifaces WHERE lan_id IN
        (SELECT id FROM lans WHERE name = 'link1');
    DELETE FROM lans WHERE name = 'link1';" ||
    { notok "delete link1"; exit 1; }
# ncfs has seen the change (sqlite3 bumps no generation) once link1 and
# its interfaces are gone from its tree (all looked up by the first runs)
wait_for 10 absent "$T/nc/lans/link1" "$T/nc/nodes/b/ifaces/eth2" \
    "$T/nc/nodes/c/ifaces/eth1" ||
    notok "ncfs shows the deletion: link1 and its interfaces gone from the tree" \
    "$(ls "$T/nc/lans" "$T/nc/nodes/b/ifaces" "$T/nc/nodes/c/ifaces" 2>&1)"
prov
out=$(cat "$T/out.$n")
if [ -n "$pid" ] && ! kill -0 "$pid" 2> /dev/null; then
	ok "link1 removed: its vde_switch stopped"
else
	notok "link1 removed: its vde_switch stopped" "$out"
fi
if nsx test -e "/sys/class/net/$b"; then
	notok "link1 removed: its bridge is gone" "$out"
else
	ok "link1 removed: its bridge is gone"
fi
if [ -e "$T/etc/vde2/conf.d/$v.conf" ]; then
	notok "link1 removed: its conf file is gone" "$out"
else
	ok "link1 removed: its conf file is gone"
fi
v=$(ifname nv lan0)
pid=$(cat "$T/run/neoc/vde/$v.pid" 2> /dev/null)
if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
	ok "lan0 stays"
else
	notok "lan0 stays" "$out"
fi
prov
expect_eq "after the removal: no network changes" "" \
    "$(grep '^network:' "$T/out.$n")"
