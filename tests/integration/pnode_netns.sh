#!/bin/sh
# pnode_netns.sh: two pnodes on one machine (issue 6, "Must show"): each a
# network namespace (netns.lib) with its own view of /etc, /var/lib/neoc
# and /run/neoc, joined by a veth "physical" wire (eth1 in each); the host
# is the control node (neoc serve on the host bridge's address).  One LAN
# spans both pnodes:
#   lanA: n1 n2 (pinned to pnode-0)   n3 n4 (pinned to pnode-1)
# The pnodes' physical interfaces come from tmcc ifconfig files, one
# subdirectory per pnode (eth1, LAN=lanA).  Each pnode runs
# `ncprov --9p HOST:PORT pnode`; its containers reach the 9P server
# outside their control network through the pnode (default route via
# ncctl0, forwarding, masquerade in nftables table "ip neoc").
# Checks: placement and the physical files in the tree, both ncprov runs,
# all 4 containers ready, pings by name across the pnodes both ways, each
# pnode's LAN bridge holding its physical interface (and it up), the
# masquerade rule, forwarding and the state file on each pnode, a second
# run saying "no changes" on each, pnode-1 losing its containers tearing
# down all it made (containers, switch, bridges, nft table, forwarding),
# and at the end nothing left behind (netns, links, processes, mounts,
# containers, host state files untouched).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

NCPROV=$NC_TOP/bin/ncprov
LXCP=/var/lib/neoc/lxc		# inside each pnode's view
DB=$T/e.db
M=$T/nc
NODES="n1 n2 n3 n4"
READY_WAIT=${NC_READY_WAIT:-60}
: > "$T/pids"

fatal() { notok "$@"; exit 1; }

cleanup() {
	set +e
	pn_destroy_all
	stop_tracked
	unmount_lazy
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

[ "$(id -u)" -eq 0 ] || fatal "runs as root (netns, LXC, bridges, VDE)"
need_cmds lxc-create lxc-start lxc-attach vde_switch ip nft nsenter unshare \
    diod python3
need_debian_image	# its containers are of the default image
grep -qw overlay /proc/filesystems || fatal "the kernel has overlayfs"
t_start=$(date +%s)
host_files() { ls -A /var/lib/neoc /var/lib/neoc/lxc /run/neoc /etc/vde2/conf.d 2>&1; }
host_state=$(host_files)
host_hosts=$(md5sum < /etc/hosts)

# --- the two pnodes ---------------------------------------------------------
pn_init || fatal "the host bridge of the control network"
pn_create pnode-0 "$PN_NET.2/24" || fatal "pnode-0's namespace"
pn_create pnode-1 "$PN_NET.3/24" || fatal "pnode-1's namespace"
pn_link pnode-0 eth1 pnode-1 eth1 || fatal "the wire between the pnodes"

# --- the experiment -----------------------------------------------------------
{
	echo 'set ns [new Simulator]'
	echo 'source tb_compat.tcl'
	for n in $NODES; do echo "set $n [\$ns node]"; done
	for n in n1 n2; do
		echo "tb-add-node-attribute \$$n containers:partition 0"
	done
	for n in n3 n4; do
		echo "tb-add-node-attribute \$$n containers:partition 1"
	done
	echo 'set lanA [$ns make-lan "$n1 $n2 $n3 $n4" 100Mb 0ms]'
	echo '$ns run'
} > "$T/e.ns"
tmcc() {	# tmcc DIR: a tmcc tree: pnode-K/ifconfig naming eth1 on lanA
	for k in 0 1; do
		mkdir -p "$1/pnode-$k"
		mac=$(pn_exec "pnode-$k" cat /sys/class/net/eth1/address | tr -d :)
		echo "INTERFACE IFACETYPE=veth INET=192.168.231.$((k + 2))" \
		    "MASK=255.255.255.0 MAC=$mac SPEED=1000Mbps DUPLEX=full" \
		    "IFACE=eth1 RTABID=0 LAN=lanA" > "$1/pnode-$k/ifconfig"
	done
}
import() {	# import NSFILE
	"$NEOC" import -d "$DB" --pnodes 2 "$1" > "$T/import.log" 2>&1 &&
	    "$NEOC" import -d "$DB" --tmcc "$T/tmcc" >> "$T/import.log" 2>&1
}
tmcc "$T/tmcc"
import "$T/e.ns" || fatal "neoc import" "$(cat "$T/import.log")"

PORT=$(free_port)
mkdir -p "$M"
"$NEOC" serve -d "$DB" --mount "$M" --listen "0.0.0.0:$PORT" --no-auth -f \
    --pidfile "$T/serve.pid" > "$T/serve.log" 2>&1 &
SP=$!
track "$SP"
wait_up "$M" "$PORT" "$SP" || fatal "neoc serve is up" "$(tail -20 "$T/serve.log")"
track_children "$SP"

expect_eq "containers:partition places n1 n2 on pnode-0" "n1 n2" \
    "$(cat "$M/nodes/pnode-0/containers" 2>&1 | xargs)"
expect_eq "containers:partition places n3 n4 on pnode-1" "n3 n4" \
    "$(cat "$M/nodes/pnode-1/containers" 2>&1 | xargs)"
for k in 0 1; do
	expect_eq "nodes/pnode-$k/physical names eth1 on lanA" "eth1 lanA" \
	    "$(awk '{ print $1, $3 }' "$M/nodes/pnode-$k/physical" 2>&1)"
done

# --- provisioning -------------------------------------------------------------
export NCPROV_RC_DIR=$NC_TOP/provision/rc	# the hook installed copies hold
prov() {	# prov K: ncprov pnode in pnode-K
	pn_exec "pnode-$1" "$NCPROV" --9p "$PN_HOST:$PORT" --aname "$M" \
	    --node "pnode-$1" --guest-9p "$PN_HOST:$PORT" --guest-aname "$M" \
	    --no-export pnode
}
ready_count() {
	"$NEOC" status -d "$DB" --json 2> /dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for n in d["nodes"] if n["name"] in sys.argv[1].split()
    and n["state"] == "ready"))' "$1"
}

t0=$(date +%s)
prov 0 > "$T/prov0.log" 2>&1 &
P0=$!
prov 1 > "$T/prov1.log" 2>&1 &
P1=$!
wait $P0; rc0=$?
wait $P1; rc1=$?
for k in 0 1; do
	eval "rc=\$rc$k"
	[ "$rc" -eq 0 ] && ok "ncprov pnode in pnode-$k" ||
	    notok "ncprov pnode in pnode-$k" "exit $rc" "$(tail -20 "$T/prov$k.log")"
done
all_ready() { [ "$(ready_count "$NODES")" = 4 ]; }
if wait_for "$READY_WAIT" all_ready; then
	ok "all 4 containers ready ($(( $(date +%s) - t0 )) s)"
else
	notok "all 4 containers ready within $READY_WAIT s" \
	    "$("$NEOC" status -d "$DB" 2>&1)" \
	    "$(tail -8 "$(pn_dir pnode-1)"/var/lxc/nc-n3/rootfs/var/log/neoc/ncprov.log 2> /dev/null)"
fi
expect_eq "both pnodes ready" 2 "$(ready_count "pnode-0 pnode-1")"

ping_in() {	# ping_in PNODE FROM TO
	pn_exec "$1" timeout 20 lxc-attach -P "$LXCP" -n "nc-$2" -- \
	    ping -c 2 -W 2 "$3" > "$T/ping.out" 2>&1
}
for trip in "pnode-0 n1 n3" "pnode-1 n3 n1" "pnode-1 n4 n2" "pnode-0 n2 n4"; do
	set -- $trip
	if ping_in "$1" "$2" "$3"; then
		ok "$2 ($1) pings $3 by name across the pnodes"
	else
		notok "$2 ($1) pings $3 by name across the pnodes" "$(cat "$T/ping.out")"
	fi
done

for k in 0 1; do
	d=$(pn_dir "pnode-$k")
	br=$(awk '$1 == "phys" && $2 == "eth1" { print $3 }' "$d/var/network" 2> /dev/null)
	master=$(pn_exec "pnode-$k" readlink /sys/class/net/eth1/master 2> /dev/null)
	flags=$(pn_exec "pnode-$k" cat /sys/class/net/eth1/flags 2> /dev/null)
	if [ -n "$br" ] && [ "${master##*/}" = "$br" ] &&
	    [ $((flags & 1)) -eq 1 ]; then
		ok "pnode-$k: eth1 is up, a port of lanA's bridge $br"
	else
		notok "pnode-$k: eth1 is up, a port of lanA's bridge" \
		    "state: $(cat "$d/var/network" 2> /dev/null | xargs)" \
		    "master: $master, flags: $flags"
	fi
	rule=$(pn_exec "pnode-$k" nft list table ip neoc 2>&1 | grep masquerade | xargs)
	expect_eq "pnode-$k: nft table ip neoc masquerades the control network" \
	    'ip saddr 172.30.0.0/16 oifname != ncctl0 masquerade' "$rule"
	expect_eq "pnode-$k: forwarding on" 1 \
	    "$(pn_exec "pnode-$k" cat /proc/sys/net/ipv4/ip_forward)"
	expect_eq "pnode-$k: the control state file" \
	    "bridge ncctl0 172.30.0.1/16|nat 172.30.0.0/16|forward" \
	    "$(paste -sd'|' "$d/var/control" 2>&1)"
done

for k in 0 1; do
	out=$(prov "$k" 2>&1)
	if [ "$(echo "$out" | tail -1)" = "no changes" ]; then
		ok "pnode-$k: a second run: no changes"
	else
		notok "pnode-$k: a second run: no changes" "$out"
	fi
done

# --- n3 and n4 leave: pnode-1 takes down all it made ----------------------------
sed -e '/^set n[34] /d' -e '/\$n[34] containers/d' -e 's/ \$n3 \$n4//' \
    "$T/e.ns" > "$T/e2.ns"
import "$T/e2.ns" || fatal "neoc import without n3 n4" "$(cat "$T/import.log")"
# ncfs has seen the new database once n3 and n4 are gone from its tree
wait_for 10 absent "$M/nodes/n3" "$M/nodes/n4" ||
    notok "ncfs shows the import: nodes/n3 and n4 gone from the tree"
out=$(prov 1 2>&1)
rc=$?
d1=$(pn_dir pnode-1)
links=$(pn_exec pnode-1 ls /sys/class/net | xargs)
rules=$(pn_exec pnode-1 nft list ruleset 2>&1)
fwd=$(pn_exec pnode-1 cat /proc/sys/net/ipv4/ip_forward)
procs=$(ip netns pids "$(pn_ns pnode-1)" | xargs)
if [ $rc -eq 0 ] && [ "$links" = "eth0 eth1 lo" ] && [ -z "$rules" ] &&
    [ "$fwd" = 0 ] && [ -z "$procs" ] &&
    [ -z "$(ls "$d1/var/lxc" 2> /dev/null)" ] &&
    [ ! -s "$d1/var/control" ] && [ ! -s "$d1/var/network" ]; then
	ok "pnode-1 without containers: containers, switch, bridges, nat, forwarding gone"
else
	notok "pnode-1 without containers: all it made gone" "exit $rc" \
	    "links: $links" "nft: $rules" "ip_forward: $fwd" "pids: $procs" \
	    "lxc: $(ls "$d1/var/lxc" 2> /dev/null | xargs)" \
	    "control: $(cat "$d1/var/control" 2> /dev/null)" "$out"
fi

# --- nothing left ------------------------------------------------------------------
pn_destroy_all
stop_tracked
for m in $(mounted_under "$T" | sort -r); do
	fusermount3 -u "$m" 2> /dev/null || umount -l "$m" 2> /dev/null
done
left=$(pn_leftovers)
if [ -z "$left" ]; then
	ok "cleanup leaves no netns, link, process, mount or container"
else
	notok "cleanup leaves nothing" "$left"
fi
expect_eq "the host's /var/lib/neoc, /run/neoc, /etc/vde2/conf.d untouched" \
    "$host_state" "$(host_files)"
expect_eq "the host's /etc/hosts untouched" "$host_hosts" "$(md5sum < /etc/hosts)"
echo "# pnode_netns.sh: $(( $(date +%s) - t_start )) s"
