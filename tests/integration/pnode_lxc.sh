#!/bin/sh
# pnode_lxc.sh: the lxc backend of `ncprov pnode` with real LXC containers
# of the default image, debian-12 (issues 6 and 11): each a copy-on-write
# clone of the host's build in /var/lib/neoc/images (--images; built here
# when missing, which needs the package mirror: a failure without it).
#
# A hand-made tree ($T/tree: pnode-0 with containers c1, c2 on lan0, c2
# also on lan1) is provisioned under --root $R, so the lxcpath is
# $R/var/lib/neoc/lxc and nothing of the host's LXC is touched:
#   1. --no-start: the configs are written (read back: uts name, one veth
#      per NIC on its LAN's bridge with the tree's MAC after the control
#      NIC ctl0 on ncctl0 with its static address, ncprov bind mount),
#      the clones' upper layers hold the boot script and hook only;
#   2. the bridges the configs name (the LANs' and the control bridge
#      ncctl0) are made here (under --root the network and control bridge
#      commands are only printed), then a real run: lxc-start of both in
#      parallel, both RUNNING, each status "booting", Debian 12 with
#      python and tini as init inside, the NICs inside carry the tree's
#      MACs, the boot file is there;
#   3. a second run starts nothing and creates nothing;
#   4. c1's image becomes busybox: the next run makes c1 again from the
#      busybox build (busybox init), c2 runs on untouched;
#   5. c2 leaves the tree: the next run stops and destroys it.
# Needs root, lxc, busybox-static, iproute2 and bin/ncprov with the pnode
# command; a missing one is a failure, never a skip.  The exit trap stops
# and destroys the containers and deletes the bridges.
. "$(dirname "$0")/lib.sh"

NCPROV=$NC_TOP/bin/ncprov
TREE=$T/tree
R=$T/root
LXCP=$R/var/lib/neoc/lxc
BRIDGES=

cleanup() {
	set +e
	for c in nc-c1 nc-c2; do
		lxc-stop -P "$LXCP" -n "$c" -k > /dev/null 2>&1
		lxc-destroy -P "$LXCP" -n "$c" -f > /dev/null 2>&1
	done
	for b in $BRIDGES; do ip link del "$b" 2> /dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

fatal() { notok "$@"; exit 1; }
[ "$(id -u)" -eq 0 ] || fatal "runs as root (LXC, bridges)"
for c in lxc-create lxc-start lxc-info lxc-attach ip busybox; do
	command -v "$c" > /dev/null 2>&1 || fatal "$c is installed" \
	    "apt-get install lxc busybox-static iproute2"
done
[ -x "$NCPROV" ] || fatal "$NCPROV is built" "make bin/ncprov"
"$NCPROV" --help 2>&1 | grep -q pnode || fatal "ncprov has the pnode command"

# --- the tree ---------------------------------------------------------------
w() { mkdir -p "$(dirname "$TREE/$1")"; printf '%s\n' "$2" > "$TREE/$1"; }
w nodes/pnode-0/role pnode
printf 'c1\nc2\n' > "$T/containers"; mkdir -p "$TREE/nodes/pnode-0"
cp "$T/containers" "$TREE/nodes/pnode-0/containers"
w nodes/pnode-0/hosts "10.9.0.1 pnode-0"
mkdir -p "$R/etc" && : > "$R/etc/hosts"
for l in lan0 lan1; do
	w lans/$l/kind lan; w lans/$l/bandwidth 0; w lans/$l/delay 0
	w lans/$l/loss 0; w lans/$l/netmask 255.255.255.0
done
nic() {	# nic NODE IF LAN IP MAC
	w "nodes/$1/ifaces/$2/lan" "$3"; w "nodes/$1/ifaces/$2/ip" "$4"
	w "nodes/$1/ifaces/$2/netmask" 255.255.255.0
	w "nodes/$1/ifaces/$2/mac" "$5"
}
for n in c1 c2; do
	w nodes/$n/role container; w nodes/$n/host pnode-0
	w nodes/$n/status "pending 0"	# ncfs has one for every node
	# the default image, as ncfs renders it
	w nodes/$n/image/name debian-12; w nodes/$n/image/type rootfs
	w nodes/$n/image/os debian; w nodes/$n/image/version bookworm
	w nodes/$n/image/provider lxc
	w nodes/$n/image/packages "$(printf '%s\n' openssh-server sudo python3 \
	    python-is-python3 iproute2 iputils-ping iperf3 tcpdump \
	    netcat-openbsd curl ca-certificates less vim-tiny tini)"
done
nic c1 eth1 lan0 10.1.1.2 02:5e:00:00:01:01
nic c2 eth1 lan0 10.1.1.3 02:5e:00:00:02:01
nic c2 eth2 lan1 10.1.2.3 02:5e:00:00:02:02

# the builds are the host's (made once, shared with every test and up)
IMAGES=/var/lib/neoc/images
need_debian_image
prov() {
	"$NCPROV" --tree "$TREE" --node pnode-0 --root "$R" \
	    --images "$IMAGES" --guest-9p 10.9.0.1:564 "$@" pnode
}
state() { lxc-info -P "$LXCP" -n "$1" -s -H 2> /dev/null; }

# --- 1. --no-start: configs, nothing created -----------------------------
out=$(prov --no-start 2>&1)
rc=$?
C1=$LXCP/nc-c1/config
C2=$LXCP/nc-c2/config
if [ $rc -eq 0 ] && grep -q '^lxc.uts.name = c1$' "$C1" 2> /dev/null &&
    grep -q '^lxc.net.0.name = ctl0$' "$C1" &&
    grep -q '^lxc.net.0.link = ncctl0$' "$C1" &&
    grep -q '^lxc.net.0.ipv4.address = 172.30.0.10/16 172.30.255.255$' "$C1" &&
    grep -q '^lxc.net.0.ipv4.address = 172.30.0.11/16 172.30.255.255$' "$C2" &&
    grep -q '^lxc.net.1.hwaddr = 02:5e:00:00:01:01$' "$C1" &&
    grep -q '^lxc.net.2.hwaddr = 02:5e:00:00:02:02$' "$C2" &&
    grep -q '^lxc.net.2.name = eth2$' "$C2" &&
    grep -q ' usr/sbin/ncprov none bind,ro,create=file 0 0$' "$C1"; then
	ok "--root --no-start: the configs of nc-c1 and nc-c2 are written"
else
	notok "--root --no-start: the configs are written" "exit $rc" \
	    "$out" "$(cat "$C1" "$C2" 2> /dev/null)"
fi
if grep -q "^lxc.rootfs.path = overlay:$IMAGES/debian-12/[0-9a-f]\{16\}/rootfs:$LXCP/nc-c1/rootfs\$" "$C1" &&
    grep -q "^lxc.include = $IMAGES/debian-12/[0-9a-f]\{16\}/config\$" "$C1" &&
    [ -x "$LXCP/nc-c1/rootfs/etc/neoc/boot" ] &&
    [ -r "$LXCP/nc-c1/rootfs/etc/neoc/rcS.hook" ] &&
    [ ! -e "$LXCP/nc-c1/rootfs/bin" ]; then
	ok "--root --no-start: the configs name the overlay of the debian-12 build, the upper layer has the boot script and hook only"
else
	notok "--root --no-start: the configs name the overlay of debian-12" "$out" "$(cat "$C1")"
fi
if echo "$out" | grep -q 'would run: ip link add ncctl0 address 02:6e:63:00:00:01 type bridge'; then
	ok "--root: the control bridge ncctl0 would be made"
else
	notok "--root: the control bridge ncctl0 would be made" "$out"
fi
B0=$(sed -n 's/^lxc.net.1.link = //p' "$C2")
B1=$(sed -n 's/^lxc.net.2.link = //p' "$C2")
[ -n "$B0" ] && [ -n "$B1" ] && [ "$B0" != "$B1" ] &&
    [ "$(sed -n 's/^lxc.net.1.link = //p' "$C1")" = "$B0" ] ||
    fatal "the configs name one bridge per LAN" "$B0 $B1"
for b in ncctl0 $B0 $B1; do
	ip link show "$b" > /dev/null 2>&1 && continue
	ip link add "$b" type bridge && ip link set "$b" up &&
	    BRIDGES="$BRIDGES $b" || fatal "bridge $b"
done

# --- 2. a real run ----------------------------------------------------------
out=$(prov 2>&1)
rc=$?
s1=$(state nc-c1)
s2=$(state nc-c2)
if [ $rc -eq 0 ] && [ "$s1" = RUNNING ] && [ "$s2" = RUNNING ]; then
	ok "ncprov pnode creates and starts nc-c1 and nc-c2"
else
	notok "ncprov pnode creates and starts nc-c1 and nc-c2" "exit $rc" \
	    "states: $s1 $s2" "$out"
fi
for n in c1 c2; do
	st=$(cut -d' ' -f1 "$TREE/nodes/$n/status" 2> /dev/null)
	expect_eq "$n: status booting" booting "$st"
done
got=$(timeout 20 lxc-attach -P "$LXCP" -n nc-c2 -- cat /sys/class/net/eth2/address 2>&1)
expect_eq "c2's eth2 has the tree's MAC" 02:5e:00:00:02:02 "$got"
got=$(timeout 20 lxc-attach -P "$LXCP" -n nc-c2 -- ip -o -4 addr show dev ctl0 2>&1)
case $got in
*"inet 172.30.0.11/16 "*) ok "c2's ctl0 has its control address" ;;
*) notok "c2's ctl0 has its control address" "$got" ;;
esac
got=$(timeout 20 lxc-attach -P "$LXCP" -n nc-c1 -- sh -c '. /etc/os-release; echo "$ID $VERSION_ID"; python --version' 2>&1)
expect_eq "c1 runs Debian 12 with python" "$(printf 'debian 12\nPython 3.11.2')" "$got"
got=$(timeout 20 lxc-attach -P "$LXCP" -n nc-c1 -- sh -c 'cat /proc/1/cmdline | tr "\0" " "' 2>&1)
expect_eq "c1's init is tini running the boot script" "/usr/bin/tini -- /bin/sh /etc/neoc/boot " "$got"
got=$(timeout 20 lxc-attach -P "$LXCP" -n nc-c1 -- cat /etc/neoc/node 2>&1)
expect_eq "c1's boot file" "$(printf 'NODE=c1\nNINEP=10.9.0.1:564\nANAME=/nc')" "$got"
if timeout 20 lxc-attach -P "$LXCP" -n nc-c1 -- test -x /usr/sbin/ncprov; then
	ok "ncprov is bind-mounted at /usr/sbin/ncprov in c1"
else
	notok "ncprov is bind-mounted at /usr/sbin/ncprov in c1"
fi

# --- 3. a second run ----------------------------------------------------------
out=$(prov 2>&1)
if echo "$out" | grep -qE 'lxc-(create|start)|/config'; then
	notok "a second run creates, starts and rewrites nothing" "$out"
else
	ok "a second run creates, starts and rewrites nothing"
fi

# --- 4. c1's image becomes busybox -------------------------------------------
pid2=$(lxc-info -P "$LXCP" -n nc-c2 -p -H 2> /dev/null)
w nodes/c1/image/name busybox; w nodes/c1/image/os busybox
w nodes/c1/image/version ""; w nodes/c1/image/packages ""
out=$(prov 2>&1)
rc=$?
got=$(timeout 20 lxc-attach -P "$LXCP" -n nc-c1 -- sh -c 'readlink /bin/sh; cat /proc/1/cmdline | tr "\0" " "' 2>&1)
if [ $rc -eq 0 ] && echo "$out" | grep -q '^containers: nc-c1: made from debian-12 [0-9a-f]\{16\}, now busybox [0-9a-f]\{16\}: made again$' &&
    [ "$(state nc-c1)" = RUNNING ] && echo "$got" | head -1 | grep -q busybox &&
    [ "$(echo "$got" | tail -1 | awk '{ print $1 }')" = init ] &&
    grep -q '^busybox [0-9a-f]\{16\}$' "$LXCP/nc-c1/neoc-build" &&
    [ "$(lxc-info -P "$LXCP" -n nc-c2 -p -H 2> /dev/null)" = "$pid2" ]; then
	ok "c1's image changed: made again from busybox (busybox init), c2 untouched"
else
	notok "c1's image changed: made again from busybox, c2 untouched" \
	    "exit $rc" "inside: $got" "$out"
fi

# --- 5. c2 leaves the tree -----------------------------------------------------
echo c1 > "$TREE/nodes/pnode-0/containers"
out=$(prov 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -z "$(state nc-c2)" ] && [ ! -d "$LXCP/nc-c2" ] &&
    [ "$(state nc-c1)" = RUNNING ]; then
	ok "c2 removed from the tree: stopped and destroyed, c1 still runs"
else
	notok "c2 removed from the tree: stopped and destroyed" "exit $rc" \
	    "c2: $(state nc-c2) c1: $(state nc-c1)" "$out"
fi
