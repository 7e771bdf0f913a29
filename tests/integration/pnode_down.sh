#!/bin/sh
# pnode_down.sh: `ncprov down` and the pnode boot file /etc/neoc/pnode on
# a pnode that is a network and mount namespace of this machine
# (netns.lib), the host its control node (neoc serve on the host bridge's
# address, outside the containers' control network: nat and forwarding).
# One LAN, three busybox containers, 10Mb (tbf shaping on their host
# sides):
#   lanA: n1 n2 n3
# Checked, in the pnode's own view:
#  1. `ncprov --9p ... --node pnode-0 ... pnode`: all 3 ready; the boot
#     file holds what it takes to run it again (exactly);
#  2. `ncprov pnode` with no option at all (from the boot file): "no
#     changes";
#  3. a bad boot file is refused, naming the file and the line (under
#     --root, on the host: nothing else runs);
#  4. neoc serve stopped, `ncprov --dry-run down` says what it would do
#     and changes nothing; `ncprov --keep-boot down` (the boot unit's
#     stop) takes all down but the boot file, from which `ncprov pnode`
#     (as at boot, serve back) makes all 3 ready again; serve stopped,
#     `ncprov --node pnode-0 down`: exit 0, and then
#     no container (lxc-ls), no bridge, TAP, veth or ncctl0 (ip -o link),
#     no process in the netns (the VDE switches, lxc monitors), no nft
#     table ip neoc, ip_forward as before, no hosts block, no boot file,
#     no switch conf file or pidfile, the state files empty or gone; a
#     second down: "no changes", exit 0;
#  5. a run that fails half way (a control network with no room for the
#     containers: the network, the control bridge, nat, forwarding and
#     the lxc-created containers made, none started): exit 1, no boot
#     file; down cleans up as in 4;
#  6. a run killed (SIGKILL, with its lxc-create) while it creates the
#     containers: down cleans up as in 4;
# and at the end nothing left behind (netns, links, processes, mounts,
# containers; the host's state files and /etc/hosts untouched).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

NCPROV=$NC_TOP/bin/ncprov
LXCP=/var/lib/neoc/lxc		# inside the pnode's view
DB=$T/e.db
M=$T/nc
NODES="n1 n2 n3"
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
need_cmds lxc-create lxc-start lxc-ls vde_switch ip nft nsenter unshare \
    setsid diod python3
grep -qw overlay /proc/filesystems || fatal "the kernel has overlayfs"
t_start=$(date +%s)
host_files() { ls -A /var/lib/neoc /var/lib/neoc/lxc /run/neoc /etc/vde2/conf.d /etc/neoc 2>&1; }
host_state=$(host_files)
host_hosts=$(md5sum < /etc/hosts)

PN_SHARED_IMAGES=0	# its own busybox build, cut short in 6.
pn_init || fatal "the host bridge of the control network"
pn_create pnode-0 "$PN_NET.2/24" || fatal "pnode-0's namespace"
D=$(pn_dir pnode-0)
fwd0=$(pn_exec pnode-0 cat /proc/sys/net/ipv4/ip_forward)

{
	echo 'set ns [new Simulator]'
	echo 'source tb_compat.tcl'
	for n in $NODES; do echo "set $n [\$ns node]"; done
	# busybox: this test's pnode builds its own (1 s), cut short in 6.
	for n in $NODES; do echo "tb-set-node-os \$$n busybox"; done
	echo 'set lanA [$ns make-lan "$n1 $n2 $n3" 10Mb 0ms]'
	echo '$ns run'
} > "$T/e.ns"
"$NEOC" import -d "$DB" --pnodes 1 "$T/e.ns" > "$T/import.log" 2>&1 ||
    fatal "neoc import" "$(cat "$T/import.log")"
mkdir -p "$M"

serve_up() {	# serve_up [PORT]: neoc serve on PORT (default a new one), pid SP
	PORT=${1:-$(free_port)}
	"$NEOC" serve -d "$DB" --mount "$M" --listen "0.0.0.0:$PORT" \
	    --no-auth -f > "$T/serve.log" 2>&1 &
	SP=$!
	track "$SP"
	wait_up "$M" "$PORT" "$SP" ||
	    fatal "neoc serve is up" "$(tail -20 "$T/serve.log")"
	track_children "$SP"
}
serve_down() {	# serve_down: stop it, its diod and ncfs with it
	_k=$(children "$SP")
	kill "$SP" 2> /dev/null
	wait_gone "$SP" 100 || kill -9 "$SP" $_k 2> /dev/null
	for _c in $_k; do wait_gone "$_c" 50 || kill -9 "$_c" 2> /dev/null; done
	is_mounted "$M" && { fusermount3 -u "$M" 2> /dev/null || umount -l "$M"; }
	! listening "$PORT"
}

export NCPROV_RC_DIR=$NC_TOP/provision/rc	# the hook installed copies hold
prov() {	# prov [OPTIONS]: ncprov pnode in pnode-0, with the tree
	pn_exec pnode-0 "$NCPROV" --9p "$PN_HOST:$PORT" --aname "$M" \
	    --node pnode-0 --guest-9p "$PN_HOST:$PORT" --guest-aname "$M" \
	    --no-export "$@" pnode
}
down() { pn_exec pnode-0 "$NCPROV" --node pnode-0 down; }
ready_count() {
	"$NEOC" status -d "$DB" --json 2> /dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for n in d["nodes"] if n["name"] in sys.argv[1].split()
    and n["state"] == "ready"))' "$NODES"
}
all_ready() { [ "$(ready_count)" = 3 ]; }

# clean LABEL [keep-boot]: everything ncprov pnode makes is gone from the
# pnode (but the boot file, with keep-boot).
clean() {
	_why=
	_c=$(pn_exec pnode-0 lxc-ls -P "$LXCP" -1 2> /dev/null | xargs)
	[ -z "$_c" ] || _why="$_why|containers: $_c"
	[ -z "$(ls -A "$D/var/lxc" 2> /dev/null)" ] ||
	    _why="$_why|lxcpath: $(ls -A "$D/var/lxc" | xargs)"
	_l=$(pn_exec pnode-0 ip -o link show 2> /dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | xargs)
	[ "$_l" = "eth0 lo" ] || _why="$_why|links: $_l"
	_p=$(ip netns pids "$(pn_ns pnode-0)" | xargs)
	[ -z "$_p" ] || _why="$_why|processes: $(for p in $_p; do tr '\0' ' ' < /proc/$p/cmdline | cut -c1-50; echo; done | paste -sd, -)"
	pn_exec pnode-0 nft list table ip neoc > /dev/null 2>&1 &&
	    _why="$_why|nft table ip neoc is there"
	_f=$(pn_exec pnode-0 cat /proc/sys/net/ipv4/ip_forward)
	[ "$_f" = "$fwd0" ] || _why="$_why|ip_forward $_f, was $fwd0"
	pn_exec pnode-0 grep -q 'BEGIN neo-containers' /etc/hosts &&
	    _why="$_why|/etc/hosts: $(pn_exec pnode-0 cat /etc/hosts | xargs)"
	if [ -n "${2:-}" ]; then	# keep-boot
		pn_exec pnode-0 test -e /etc/neoc/pnode || _why="$_why|/etc/neoc/pnode is gone"
	else
		pn_exec pnode-0 test -e /etc/neoc/pnode && _why="$_why|/etc/neoc/pnode is there"
	fi
	# the host's own conf files show through the overlay: ours are
	# the regular files of its upper layer (a removed one: a whiteout)
	_v=$(ls -A "$D/etc/vde2/conf.d" 2> /dev/null | while read -r _f; do
		[ -f "$D/etc/vde2/conf.d/$_f" ] && echo "$_f"; done | xargs)
	[ -z "$_v" ] || _why="$_why|vde conf files: $_v"
	_v=$(ls "$D/run/vde" 2> /dev/null | grep '\.pid$' | xargs)
	[ -z "$_v" ] || _why="$_why|pidfiles: $_v"
	for _s in containers network shaping control; do
		[ -s "$D/var/$_s" ] && _why="$_why|state $_s: $(cat "$D/var/$_s" | xargs)"
	done
	if [ -z "$_why" ]; then
		ok "$1"
	else
		notok "$1" "$(echo "${_why#|}" | tr '|' '\n')"
		return 1
	fi
}

# down_twice LABEL: down exits 0 and leaves it clean; a second one says
# "no changes".
down_twice() {
	_t0=$(now_ms)
	_out=$(down 2>&1)
	_rc=$?
	_ms=$(($(now_ms) - _t0))
	if [ $_rc -eq 0 ]; then
		ok "$1: ncprov down exits 0 ($_ms ms)"
	else
		notok "$1: ncprov down exits 0" "exit $_rc" "$_out"
	fi
	echo "$_out" > "$T/down.out"
	clean "$1: down leaves nothing" || sed 's/^/    down: /' "$T/down.out"
	_out=$(down 2>&1)
	_rc=$?
	if [ $_rc -eq 0 ] && [ "$_out" = "no changes" ]; then
		ok "$1: a second down: no changes"
	else
		notok "$1: a second down: no changes" "exit $_rc" "$_out"
	fi
}

# --- 1. up ------------------------------------------------------------------------
serve_up
t0=$(date +%s)
out=$(prov 2>&1)
rc=$?
[ $rc -eq 0 ] && ok "ncprov pnode" || notok "ncprov pnode" "exit $rc" "$out"
if wait_for "$READY_WAIT" all_ready; then
	ok "all 3 containers ready ($(( $(date +%s) - t0 )) s)"
else
	notok "all 3 containers ready within $READY_WAIT s" \
	    "$("$NEOC" status -d "$DB" 2>&1)"
fi
expect_eq "the boot file /etc/neoc/pnode" "NODE=pnode-0
NINEP=$PN_HOST:$PORT
ANAME=$M
GUEST_NINEP=$PN_HOST:$PORT
GUEST_ANAME=$M
NO_EXPORT=1" "$(pn_exec pnode-0 grep -v '^#' /etc/neoc/pnode 2>&1)"
expect_eq "the host's /etc/neoc is untouched" "" \
    "$(ls /etc/neoc 2> /dev/null)"
shaped=$(wc -l < "$D/var/shaping" 2> /dev/null)
expect_eq "3 host sides shaped (state)" 3 "$shaped"

# --- 2. again, from the boot file -------------------------------------------------
out=$(pn_exec pnode-0 "$NCPROV" pnode 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(echo "$out" | tail -1)" = "no changes" ]; then
	ok "ncprov pnode with no options (the boot file): no changes"
else
	notok "ncprov pnode with no options (the boot file): no changes" \
	    "exit $rc" "$out"
fi

# --- 3. a bad boot file -----------------------------------------------------------
R=$T/badroot
mkdir -p "$R/etc/neoc"
printf 'NODE=pnode-0\nNINEP=%s:99999\nANAME=/nc\n' "$PN_HOST" > "$R/etc/neoc/pnode"
out=$("$NCPROV" --root "$R" pnode 2>&1)
rc=$?
case "$rc $out" in
"2 ncprov: $R/etc/neoc/pnode:2: NINEP: \"$PN_HOST:99999\" is not HOST:PORT")
	ok "a bad boot file: exit 2, the file and line named" ;;
*)	notok "a bad boot file: exit 2, the file and line named" "exit $rc" "$out" ;;
esac
printf 'NODE=pnode_0\nTREE=/nc\n' > "$R/etc/neoc/pnode"
out=$("$NCPROV" --root "$R" pnode 2>&1)
rc=$?
case "$rc $out" in
"2 ncprov: $R/etc/neoc/pnode:1: NODE: \"pnode_0\" is not a node name")
	ok "a bad node name in the boot file: exit 2" ;;
*)	notok "a bad node name in the boot file: exit 2" "exit $rc" "$out" ;;
esac

# --- 4. down, the server gone -----------------------------------------------------
serve_down && ok "neoc serve stopped" || notok "neoc serve stopped"
out=$(pn_exec pnode-0 "$NCPROV" --dry-run down 2>&1)
rc=$?
n=$(pn_exec pnode-0 lxc-ls -P "$LXCP" --running -1 2> /dev/null | wc -l)
if [ $rc -eq 0 ] && [ "$n" = 3 ] && pn_exec pnode-0 test -e /etc/neoc/pnode &&
    echo "$out" | grep -q '^boot: would remove /etc/neoc/pnode$' &&
    echo "$out" | grep -q '^containers: would run: lxc-destroy .* -n nc-n3 -f$' &&
    echo "$out" | grep -q '^containers: would run: ip link del ncctl0$' &&
    echo "$out" | grep -q '^network: would stop: vde_switch '; then
	ok "down --dry-run says what it would do, and does nothing"
else
	notok "down --dry-run says what it would do, and does nothing" \
	    "exit $rc, $n running" "$out"
fi
out=$(pn_exec pnode-0 "$NCPROV" --keep-boot down 2>&1)
rc=$?
[ $rc -eq 0 ] && ok "down --keep-boot (the boot unit's stop) exits 0" ||
    notok "down --keep-boot (the boot unit's stop) exits 0" "exit $rc" "$out"
clean "down --keep-boot leaves nothing but the boot file" keep-boot
# a reboot: the boot unit runs `ncprov pnode`, its server where it was
serve_up "$PORT"
t0=$(date +%s)
out=$(pn_exec pnode-0 "$NCPROV" pnode 2>&1)
rc=$?
if [ $rc -eq 0 ] && wait_for "$READY_WAIT" all_ready; then
	ok "after it, ncprov pnode from the boot file: all 3 ready again ($(( $(date +%s) - t0 )) s)"
else
	notok "after it, ncprov pnode from the boot file: all 3 ready again" \
	    "exit $rc" "$out" "$("$NEOC" status -d "$DB" 2>&1)"
fi
serve_down
down_twice "after up"
grep -q 'vde_switch' "$T/down.out" && grep -q 'lxc-destroy' "$T/down.out" &&
    grep -q 'tc qdisc del' "$T/down.out" &&
    grep -q 'nft delete table ip neoc' "$T/down.out" &&
    ok "down says what it takes down (switch, qdiscs, containers, nft)" ||
    notok "down says what it takes down" "$(cat "$T/down.out")"

# --- 5. a run failing half way ----------------------------------------------------
serve_up
out=$(prov --control-net 10.77.0.1/29 2>&1)
rc=$?
made=$(ls "$D/var/lxc" 2> /dev/null | xargs)
if [ $rc -eq 1 ] && [ -n "$made" ] &&
    pn_exec pnode-0 test -d /sys/class/net/ncctl0 &&
    ! pn_exec pnode-0 test -e /etc/neoc/pnode; then
	ok "a run failing in lxc: exit 1, half made ($made, ncctl0), no boot file"
else
	notok "a run failing in lxc: exit 1, half made, no boot file" \
	    "exit $rc" "made: $made" "$out"
fi
serve_down
down_twice "after a failed run"

# --- 6. a run killed while it builds the image ---------------------------------
# (this test's pnode keeps its own images, PN_SHARED_IMAGES=0, so its
# busybox build is made here; making a clone takes too little time to be
# cut short)
serve_up
B=$D/var/images/busybox
rm -rf "$B"
setsid sh -c 'exec "$@"' sh nsenter --net="/run/netns/$(pn_ns pnode-0)" \
    --mount="$D/mnt" -- "$NCPROV" --9p "$PN_HOST:$PORT" --aname "$M" \
    --node pnode-0 --guest-9p "$PN_HOST:$PORT" --guest-aname "$M" \
    --no-export pnode > "$T/killed.log" 2>&1 &
KP=$!
i=0
while ! ls -d "$B"/*.part/base > /dev/null 2>&1 && [ $i -lt 600 ] && alive "$KP"; do
	sleep 0.05; i=$((i + 1))
done
kill -KILL "-$KP" 2> /dev/null	# ncprov, and its lxc-create
wait "$KP" 2> /dev/null
i=0	# a killed process is gone a moment later
while pgrep -g "$KP" > /dev/null && [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
if ls -d "$B"/*.part > /dev/null 2>&1 && ! ls "$B"/*/manifest > /dev/null 2>&1 &&
    ! pn_exec pnode-0 test -e /etc/neoc/pnode; then
	ok "ncprov pnode killed while building busybox: the build is left aside ($(ls "$B" | xargs))"
else
	notok "ncprov pnode killed while building busybox" \
	    "$(ls -a "$B" 2>&1 | xargs)" "$(cat "$T/killed.log")"
fi
out=$(pn_exec pnode-0 "$NCPROV" --9p "$PN_HOST:$PORT" --aname "$M" \
    --node pnode-0 --guest-9p "$PN_HOST:$PORT" --guest-aname "$M" \
    --no-export --no-start pnode 2>&1)
if [ $? -eq 0 ] && ! ls -d "$B"/*.part > /dev/null 2>&1 &&
    [ "$(ls "$B"/*/manifest | wc -l)" -eq 1 ] &&
    grep -q "^build $(cat "$B/current")\$" "$B"/*/manifest; then
	ok "the next run builds it again in place of the part made ($(cat "$B/current"))"
else
	notok "the next run builds it again" "$(ls -a "$B" 2>&1 | xargs)" "$out"
fi
serve_down
down_twice "after a killed run"

# --- nothing left -------------------------------------------------------------------
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
expect_eq "the host's /var/lib/neoc, /run/neoc, /etc/vde2/conf.d, /etc/neoc untouched" \
    "$host_state" "$(host_files)"
expect_eq "the host's /etc/hosts untouched" "$host_hosts" "$(md5sum < /etc/hosts)"
echo "# pnode_down.sh: $(( $(date +%s) - t_start )) s"
