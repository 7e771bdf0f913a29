#!/bin/sh
# ctl_split.sh: the control network past one bridge's ports (issue 12).
# A Linux bridge holds at most 1023 ports, so `ncprov pnode` puts guest i
# on control bridge i / 1000: ncctl0, then ncctl1 joined to it by a veth
# pair (one subnet).  Cheap: no container runs.  In one pnode of
# netns.lib, `ncprov pnode --no-start` makes the clones and configs of
# 1100 busybox guests and the control network; then 1100 veth pairs stand
# for their NICs, each put on the bridge its config names.
# Checks: one bridge really refuses its 1024th port (why the split);
# ncctl0 and ncctl1 exist, the uplink joins them; g1000 is on ncctl0 and
# g1001 on ncctl1 (configs); all 1100 ports attach; a guest on ncctl1 and
# one on ncctl0 (each in a netns of its own, with its control address)
# reach the bridge address 172.30.0.1 and each other; a second run changes
# nothing; ncprov down removes both bridges and the uplink.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

N=1100
NCPROV=$NC_TOP/bin/ncprov
fatal() { notok "$@"; exit 1; }
cleanup() {
	set +e
	for g in ga gb; do ip netns del "nc-t$PN_TAG-$g" 2> /dev/null; done
	pn_destroy_all
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

[ "$(id -u)" -eq 0 ] || fatal "runs as root (netns, bridges)"
need_cmds ip nsenter unshare lxc-create busybox
pn_init || fatal "the host bridge"
pn_create pc "$PN_NET.2/24" || fatal "the pnode's namespace"
in_pc() { pn_exec pc "$@"; }

# --- a bridge's limit -------------------------------------------------------
{
	echo "link add nclim0 type bridge"
	i=1
	while [ $i -le 1030 ]; do
		echo "link add nl$i type veth peer name nm$i"
		i=$((i + 1))
	done
} > "$T/lim.batch"
in_pc ip -batch "$T/lim.batch" || fatal "1030 veth pairs"
{ i=1; while [ $i -le 1030 ]; do echo "link set nl$i master nclim0"; i=$((i + 1)); done; } > "$T/lim.att"
in_pc ip -force -batch "$T/lim.att" > "$T/lim.out" 2>&1
expect_eq "one bridge takes 1023 ports, no more" 1023 \
    "$(in_pc ls /sys/class/net/nclim0/brif | wc -l)" "$(sort -u "$T/lim.out" | head -3)"
in_pc ip link del nclim0
{ i=1; while [ $i -le 1030 ]; do echo "link del nl$i"; i=$((i + 1)); done; } > "$T/lim.del"
in_pc ip -batch "$T/lim.del" > /dev/null 2>&1

# --- the tree: N busybox guests ---------------------------------------------
TREE=$T/tree
w() { mkdir -p "$(dirname "$TREE/$1")"; printf '%s\n' "$2" > "$TREE/$1"; }
w nodes/pnode-0/role pnode
w nodes/pnode-0/hosts "$PN_NET.2 pnode-0"
seq -f 'g%.0f' 1 $N > "$T/containers"
mkdir -p "$TREE/nodes/pnode-0"
cp "$T/containers" "$TREE/nodes/pnode-0/containers"
for g in $(cat "$T/containers"); do
	mkdir -p "$TREE/nodes/$g/image"
	echo container > "$TREE/nodes/$g/role"
	echo pnode-0 > "$TREE/nodes/$g/host"
	echo "pending 0" > "$TREE/nodes/$g/status"
	echo busybox > "$TREE/nodes/$g/image/name"
	echo busybox > "$TREE/nodes/$g/image/os"
	echo lxc > "$TREE/nodes/$g/image/provider"
done
prov() {
	in_pc "$NCPROV" --tree "$TREE" --node pnode-0 \
	    --guest-9p 172.30.0.1:564 "$@"
}
t0=$(now_ms)
prov --no-start pnode > "$T/p1.out" 2>&1
expect_eq "ncprov pnode --no-start of $N guests exits 0 ($(( ($(now_ms) - t0) / 1000 )) s)" \
    0 "$?" "$(tail -5 "$T/p1.out")"
LXCP=$(pn_dir pc)/var/lxc
link_of() { sed -n 's/^lxc.net.0.link = //p' "$LXCP/nc-$1/config"; }
addr_of() { sed -n 's/^lxc.net.0.ipv4.address = \([^ ]*\) .*/\1/p' "$LXCP/nc-$1/config"; }
expect_eq "g1 and g1000 on ncctl0, g1001 and g$N on ncctl1" \
    "ncctl0 ncctl0 ncctl1 ncctl1" \
    "$(link_of g1) $(link_of g1000) $(link_of g1001) $(link_of g$N)"
expect_eq "one subnet: g1001's address follows g1000's" \
    "172.30.3.241/16 172.30.3.242/16" "$(addr_of g1000) $(addr_of g1001)"
master() { basename "$(in_pc readlink "/sys/class/net/$1/master")" 2> /dev/null; }
expect_eq "ncctl1 joined to ncctl0 by the veth ncctl1up/ncctl1pe" \
    "ncctl1 ncctl0" "$(master ncctl1up) $(master ncctl1pe)"
in_pc ip -o link show ncctl2 > /dev/null 2>&1 &&
    notok "no third bridge for $N guests" || ok "no third bridge for $N guests"

# --- N ports ------------------------------------------------------------------
: > "$T/att.batch"
i=1
for g in $(cat "$T/containers"); do
	echo "link add nv$i type veth peer name nw$i" >> "$T/att.batch"
	echo "link set nv$i master $(link_of "$g") up" >> "$T/att.batch"
	i=$((i + 1))
done
in_pc ip -batch "$T/att.batch" > "$T/att.out" 2>&1
expect_eq "$N guest ports attach to their bridges" 0 "$?" "$(tail -3 "$T/att.out")"
ports() { in_pc ls "/sys/class/net/$1/brif" | wc -l; }
expect_eq "ports: ncctl0 1000 guests and the uplink, ncctl1 $((N - 1000)) and its end" \
    "1001 $((N - 999))" "$(ports ncctl0) $(ports ncctl1)"
# two guests in netns of their own: g1 (ncctl0) and gN (ncctl1)
guest() {	# guest TAG NAME: a netns with a NIC on NAME's bridge
	ip netns add "nc-t$PN_TAG-$1" || return 1
	ip -n "nc-t$PN_TAG-$1" link add ctl0 type veth peer name "nx$1" \
	    netns "$(pn_ns pc)" || return 1
	in_pc ip link set "nx$1" master "$(link_of "$2")" up || return 1
	ip -n "nc-t$PN_TAG-$1" link set ctl0 up &&
	    ip -n "nc-t$PN_TAG-$1" addr add "$(addr_of "$2")" dev ctl0
}
guest ga g1 && guest gb g$N || fatal "the two guests' netns"
out=$(ip netns exec "nc-t$PN_TAG-gb" busybox ping -c 2 -W 2 172.30.0.1 2>&1)
expect_eq "g$N on ncctl1 reaches the bridge address 172.30.0.1" 0 "$?" "$out"
out=$(ip netns exec "nc-t$PN_TAG-gb" busybox ping -c 2 -W 2 "$(addr_of g1 | cut -d/ -f1)" 2>&1)
expect_eq "g$N on ncctl1 reaches g1 on ncctl0" 0 "$?" "$out"
out=$(prov --no-start pnode 2>&1)
if echo "$out" | grep -q 'ncctl\|ip link'; then
	notok "a second run leaves the bridges alone" "$out"
else
	ok "a second run leaves the bridges alone"
fi

# --- down -----------------------------------------------------------------------
prov down > "$T/down.out" 2>&1
expect_eq "ncprov down exits 0" 0 "$?" "$(tail -5 "$T/down.out")"
left=$(in_pc ip -o link show 2> /dev/null | grep -o 'ncctl[0-9a-z]*' | sort -u | xargs)
expect_eq "down removes ncctl0, ncctl1 and the uplink" "" "$left"
