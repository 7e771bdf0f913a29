#!/bin/sh
# pnode_e2e.sh: ncprov pnode end to end on this machine, lxc backend
# (issue 6, "Must show", single machine): 2 LANs, 6 busybox containers on
# real VDE switches and bridges, the control bridge ncctl0 (172.30.0.1/16)
# through which each container's ncprov reaches neoc serve's diod.
#   lanA: n1 n2 n3    lanB: n4 n5 n6
# Checks: all 6 ready (neoc status --json, 90 s), ping by name on each LAN,
# a second run says "no changes", n6 removed from the experiment is stopped
# and destroyed by the next run, the boot file /etc/neoc/pnode is written,
# and `ncprov down` (serve stopped) takes it all down: no container, no
# bridge, TAP or ncctl0, no switch, /etc/hosts as it was, no boot file.
# (No netem in this kernel: the delay part is not tested.)  Runs on the
# host itself (no --root): the exit trap destroys the containers, deletes
# the bridges and TAPs, stops the VDE switches and serve, restores
# /etc/hosts and removes the state files, conf files and boot file, should
# down have left any.
. "$(dirname "$0")/lib.sh"

NEOC=$NC_TOP/bin/neoc
NCPROV=$NC_TOP/bin/ncprov
LXCP=/var/lib/neoc/lxc
DB=$T/e.db
M=$T/nc
NODES="n1 n2 n3 n4 n5 n6"
READY_WAIT=${NC_READY_WAIT:-90}
: > "$T/pids"

fatal() { notok "$@"; exit 1; }

cleanup() {
	set +e
	for n in $NODES; do
		lxc-stop -P "$LXCP" -n "nc-$n" -k > /dev/null 2>&1
		lxc-destroy -P "$LXCP" -n "nc-$n" -f > /dev/null 2>&1
	done
	for f in /run/neoc/vde/*.pid; do
		[ -r "$f" ] && kill "$(cat "$f")" 2> /dev/null
	done
	if [ -r /var/lib/neoc/network ]; then
		awk '$1 == "bridge" || $1 == "tap" { print $2 }' \
		    /var/lib/neoc/network | while read -r d; do
			ip link del "$d" 2> /dev/null
		done
		awk '$1 == "vde" { print $2 }' /var/lib/neoc/network |
		    while read -r v; do
			rm -f "/etc/vde2/conf.d/$v.conf"
		done
	fi
	rm -f /etc/neoc/pnode
	[ -n "${MADE_ETC_NEOC:-}" ] && rmdir /etc/neoc 2> /dev/null
	ip link del ncctl0 2> /dev/null
	[ -f "$T/hosts.orig" ] && cat "$T/hosts.orig" > /etc/hosts
	rm -f /var/lib/neoc/network /var/lib/neoc/shaping \
	    /var/lib/neoc/containers /var/lib/neoc/control
	rm -rf /run/neoc/vde /etc/vde2/conf.d/nw*.conf /etc/vde2/conf.d/nd*.conf
	stop_tracked
	unmount_lazy
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

[ "$(id -u)" -eq 0 ] || fatal "runs as root (LXC, bridges, VDE)"
need_cmds lxc-create lxc-start lxc-attach vde_switch ip diod python3
need_debian_image	# its containers are of the default image
for f in /var/lib/neoc/containers /var/lib/neoc/network /var/lib/neoc/control \
    /etc/neoc/pnode; do
	# empty state files are what a finished `ncprov down` leaves
	[ -s "$f" ] && fatal "no earlier pnode state on this host ($f is not empty)"
done
cp /etc/hosts "$T/hosts.orig"
[ -d /etc/neoc ] || MADE_ETC_NEOC=1

ns() {	# ns FILE NODES...: the experiment with these nodes
	_f=$1; shift
	{
		echo 'set ns [new Simulator]'
		echo 'source tb_compat.tcl'
		for n in "$@"; do echo "set $n [\$ns node]"; done
		a= b=
		for n in "$@"; do
			case $n in n1|n2|n3) a="$a \$$n" ;; *) b="$b \$$n" ;; esac
		done
		echo "set lanA [\$ns make-lan \"${a# }\" 100Mb 0ms]"
		echo "set lanB [\$ns make-lan \"${b# }\" 100Mb 0ms]"
		echo '$ns run'
	} > "$_f"
}
ns "$T/e.ns" $NODES
"$NEOC" import -d "$DB" "$T/e.ns" > "$T/import.log" 2>&1 ||
    fatal "neoc import" "$(cat "$T/import.log")"

PORT=$(free_port)
mkdir -p "$M"
"$NEOC" serve -d "$DB" --mount "$M" --listen "0.0.0.0:$PORT" --no-auth -f \
    > "$T/serve.log" 2>&1 &
SP=$!
track "$SP"
wait_up "$M" "$PORT" "$SP" || fatal "neoc serve is up" "$(tail -20 "$T/serve.log")"
track_children "$SP"

export NCPROV_RC_DIR=$NC_TOP/provision/rc	# the hook installed copies hold
prov() {
	"$NCPROV" --tree "$M" --node pnode-0 --guest-9p "172.30.0.1:$PORT" \
	    --guest-aname "$M" --no-export pnode
}
ready_count() {
	"$NEOC" status -d "$DB" --json 2> /dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for n in d["nodes"] if n["name"] in sys.argv[1].split()
    and n["state"] == "ready"))' "$NODES"
}

t0=$(date +%s)
out=$(prov 2>&1)
rc=$?
[ $rc -eq 0 ] && ok "ncprov pnode: network, lxc containers" ||
    notok "ncprov pnode: network, lxc containers" "exit $rc" "$out"
all_ready() { [ "$(ready_count)" = 6 ]; }
if wait_for "$READY_WAIT" all_ready; then
	ok "all 6 containers ready ($(( $(date +%s) - t0 )) s)"
else
	notok "all 6 containers ready within $READY_WAIT s" \
	    "$("$NEOC" status -d "$DB" 2>&1)" \
	    "$(cat "$LXCP"/nc-n1/rootfs/var/log/neoc/ncprov.log 2> /dev/null | tail -15)"
fi

ping_in() {	# ping_in FROM TO
	timeout 20 lxc-attach -P "$LXCP" -n "nc-$1" -- ping -c1 -W2 "$2" \
	    > "$T/ping.out" 2>&1
}
for pair in "n1 n2" "n3 n1" "n4 n5" "n6 n4"; do
	set -- $pair
	if ping_in "$1" "$2"; then
		ok "$1 pings $2 by name"
	else
		notok "$1 pings $2 by name" "$(cat "$T/ping.out")"
	fi
done
if ping_in n1 n4; then
	notok "n1 (lanA) does not reach n4 (lanB)"
else
	ok "n1 (lanA) does not reach n4 (lanB)"
fi

out=$(prov 2>&1)
if echo "$out" | grep -q '^no changes$'; then
	ok "a second run: no changes"
else
	notok "a second run: no changes" "$out"
fi

ns "$T/e2.ns" n1 n2 n3 n4 n5
"$NEOC" import -d "$DB" "$T/e2.ns" > "$T/import2.log" 2>&1 ||
    fatal "neoc import without n6" "$(cat "$T/import2.log")"
# ncfs has seen the new database once n6 is gone from its tree
wait_for 10 absent "$M/nodes/n6" ||
    notok "ncfs shows the import: nodes/n6 gone from the tree"
out=$(prov 2>&1)
st=$(lxc-info -P "$LXCP" -n nc-n6 -s -H 2> /dev/null)
if [ -z "$st" ] && [ ! -d "$LXCP/nc-n6" ]; then
	ok "n6 removed from the experiment: stopped and destroyed"
else
	notok "n6 removed: stopped and destroyed" "state: $st" "$out"
fi

# --- the boot file, and down -----------------------------------------------------
expect_eq "the boot file /etc/neoc/pnode" "NODE=pnode-0
TREE=$M
GUEST_NINEP=172.30.0.1:$PORT
GUEST_ANAME=$M
NO_EXPORT=1" "$(grep -v '^#' /etc/neoc/pnode 2>&1)"
bridges=$(awk '$1 == "bridge" { print $2 }' /var/lib/neoc/network 2> /dev/null | xargs)
stop_tracked	# serve: down needs no tree
for m in $(mounted_under "$T" | sort -r); do
	fusermount3 -u "$m" 2> /dev/null || umount -l "$m" 2> /dev/null
done
out=$("$NCPROV" --node pnode-0 down 2>&1)
rc=$?
left=
for n in $NODES; do
	[ -n "$(lxc-info -P "$LXCP" -n "nc-$n" -s -H 2> /dev/null)" ] &&
	    left="$left nc-$n"
	[ -d "$LXCP/nc-$n" ] && left="$left $LXCP/nc-$n"
done
for d in ncctl0 $bridges; do
	[ -e "/sys/class/net/$d" ] && left="$left $d"
done
for f in /run/neoc/vde/*.pid /etc/neoc/pnode; do
	[ -e "$f" ] && left="$left $f"
done
cmp -s /etc/hosts "$T/hosts.orig" || left="$left /etc/hosts"
if [ $rc -eq 0 ] && [ -z "$left" ] && [ -n "$bridges" ]; then
	ok "ncprov down: containers, switches, bridges, hosts block, boot file gone"
else
	notok "ncprov down: everything gone" "exit $rc" "left:$left" "$out"
fi
