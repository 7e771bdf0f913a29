#!/bin/sh
# watch.sh: edits of /nc reach running containers without `neoc up`
# (docs/DESIGN.md, "Status", Generation): neoc up on one machine (one
# pnode's view of netns.lib, as startcmd.sh) starts the pnode's watcher
# (ncprov watch, detached); three LXC containers of the default image
# (debian-12) on one LAN.  Checks:
#   - the watcher runs after up (its pid in the pnode's state);
#   - mkdir /nc/users/zed: the user is in every container (getent passwd
#     zed inside) within 2 s, with no neoc up (the time asserted);
#   - a key written to users/zed/keys reaches /etc/neoc/keys/zed in every
#     container within 2 s;
#   - a start command changed: that container's command runs again (the
#     new one), within 5 s, and only that container is provisioned again;
#   - status writes move no configuration generation: no provisioning;
#   - an interface added (an import with w3 on a second LAN) is noted in
#     w3's status as needing a restart, and shown by neoc status;
#   - neoc down stops the watcher and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

DB=$T/e.db
M=$T/nc
NS=$T/watch.ns
NODES="w1 w2 w3"

trap _pn_machine_cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
pn_machine lxc-create lxc-start lxc-attach vde_switch ip nsenter unshare \
    diod python3
VAR=$(pn_dir pc)/var		# the pnode's /var/lib/neoc
up() {
	in_pc "$NEOC" up -d "$DB" --no-auth --listen "0.0.0.0:$PORT" \
	    --mount "$M" --ready-timeout 90 "$@"
}
# in_c NODE CMD...: run CMD in the container (lxc-attach, as the watcher).
in_c() {
	_c=$1
	shift
	in_pc timeout 20 lxc-attach -P /var/lib/neoc/lxc -n "nc-$_c" -- "$@"
}
# upper NODE PATH: the file PATH of the container, as the pnode sees its
# upper layer (what the container wrote).
upper() { echo "$VAR/lxc/nc-$1/rootfs$2"; }
js() {
	"$NEOC" status -d "$DB" --json > "$T/st.json" 2> "$T/st.err" &&
	    jget "$T/st.json" "$1"
}
node_js() { js "[n for n in d['nodes'] if n['name'] == '$1'][0]['$2']"; }
# until_all MS CHECK: run "CHECK NODE" for every node until each passed
# once (every 20 ms, MS at most); prints the ms from $t0 to the last one
# passing, or "timeout".
until_all() {
	_lim=$1
	_chk=$2
	_left=$NODES
	while :; do
		_rest=
		for _n in $_left; do
			$_chk "$_n" || _rest="$_rest $_n"
		done
		_left=$_rest
		_el=$(( $(now_ms) - t0 ))
		[ -z "$_left" ] && { echo "$_el"; return 0; }
		[ "$_el" -gt "$_lim" ] && { echo "timeout (left:$_left)"; return 1; }
		sleep 0.02
	done
}
has_zed() { grep -q '^zed:' "$(upper "$1" /etc/passwd)" 2> /dev/null; }
has_key() { grep -q 'zed@watch' "$(upper "$1" /etc/neoc/keys/zed)" 2> /dev/null; }
watch_pid() { cat "$VAR/watch.pid" 2> /dev/null; }
batches() { grep -c 'provisioning .* again:' "$VAR/watch.log" 2> /dev/null; }

cat > "$NS" <<'EOF'
set ns [new Simulator]
source tb_compat.tcl
set w1 [$ns node]
set w2 [$ns node]
set w3 [$ns node]
set lan0 [$ns make-lan "$w1 $w2 $w3" 100Mb 0ms]
tb-set-node-startcmd $w1 "echo one > /tmp/sc.out"
$ns run
EOF

up "$NS" > "$T/up1.out" 2> "$T/up1.err"
expect_eq "neoc up exits 0" 0 "$?" "$(cat "$T/up1.err")" "$(tail -15 "$T/up1.out")"
expect_eq "every node ready" "ready ready ready" \
    "$(js "' '.join(n['state'] for n in d['nodes'] if n['role'] == 'container')")"
pid=$(watch_pid)
if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -q 'ncprov .*watch'; then
	ok "the pnode's watcher runs (pid $pid in /var/lib/neoc/watch.pid)"
else
	notok "the pnode's watcher runs (pid in /var/lib/neoc/watch.pid)" "pid '$pid'" "$(cat "$VAR/watch.log" 2>&1)"
fi
expect_eq "...alone: one ncprov watch in the pnode" 1 \
    "$(for p in $(ip netns pids "$(pn_ns pc)"); do tr '\0' ' ' < /proc/$p/cmdline 2> /dev/null; echo; done | grep -c 'ncprov .*watch')"
g0=$(in_pc cat "$M/experiment/confgen")
case $g0 in
[1-9]*) ok "experiment/confgen reads a number ($g0)" ;;
*) notok "experiment/confgen reads a number" "$g0" ;;
esac
expect_eq "nodes/pnode-0/guests: GUEST GEN for the three containers" "w1 w2 w3" \
    "$(in_pc cat "$M/nodes/pnode-0/guests" | awk '$2 ~ /^[0-9]+$/ { printf "%s%s", s, $1; s = " " }')"

# Status writes: no configuration change, nothing provisioned.
b0=$(batches)
for i in 1 2 3; do
	in_pc sh -c "echo 'ready $(date +%s)' > '$M/nodes/w2/status'"
done
sleep 1.5
expect_eq "status writes move no confgen ($g0) and provision nothing" \
    "$g0 $b0" "$(in_pc cat "$M/experiment/confgen") $(batches)"

# A user made with mkdir: in every container within 2 s.
t0=$(now_ms)
in_pc mkdir "$M/users/zed" || notok "mkdir $M/users/zed"
el=$(until_all 10000 has_zed)
case $el in
timeout*) notok "zed in every container's /etc/passwd" "$el" "$(tail -20 "$VAR/watch.log")" ;;
*) if [ "$el" -le 2000 ]; then
	ok "mkdir users/zed: zed in every container within 2 s ($el ms), no neoc up"
   else
	notok "mkdir users/zed: zed in every container within 2 s" "$el ms"
   fi ;;
esac
got=
for n in $NODES; do
	got="$got $(in_c "$n" getent passwd zed | cut -d: -f1)"
done
expect_eq "...getent passwd zed inside each" " zed zed zed" "$got"

# A key: /etc/neoc/keys/zed in every container within 2 s.
KEY="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl zed@watch"
t0=$(now_ms)
in_pc sh -c "echo '$KEY' > '$M/users/zed/keys'"
el=$(until_all 10000 has_key)
case $el in
timeout*) notok "zed's key in every container" "$el" "$(tail -20 "$VAR/watch.log")" ;;
*) if [ "$el" -le 2000 ]; then
	ok "a key written to users/zed/keys: in /etc/neoc/keys/zed of every container within 2 s ($el ms)"
   else
	notok "zed's key in every container within 2 s" "$el ms"
   fi ;;
esac
expect_eq "...the line as written" "$KEY" "$(in_c w2 cat /etc/neoc/keys/zed)"

# A start command changed: w1 alone is provisioned again, the new
# command runs.
sleep 1
lines=$(wc -l < "$VAR/watch.log")
t0=$(now_ms)
in_pc sh -c "echo 'echo two > /tmp/sc2.out' > '$M/nodes/w1/startcmd'"
ok_sc=0
for i in $(seq 1 100); do
	[ "$(in_c w1 cat /tmp/sc2.out 2> /dev/null)" = two ] && { ok_sc=1; break; }
	sleep 0.05
done
el=$(( $(now_ms) - t0 ))
if [ "$ok_sc" = 1 ] && [ "$el" -le 5000 ]; then
	ok "w1's start command changed: the new one ran within 5 s ($el ms)"
else
	notok "w1's start command changed: the new one ran within 5 s" "$el ms" "$(tail -20 "$VAR/watch.log")"
fi
sleep 0.5
expect_eq "...only w1 was provisioned again" "w1" \
    "$(tail -n +"$((lines + 1))" "$VAR/watch.log" | sed -n 's/.*provisioning 1 container again: //p' | sort -u | xargs)" \
    "$(tail -n +"$((lines + 1))" "$VAR/watch.log")"
wait_for 10 sh -c "\"$NEOC\" status -d \"$DB\" --json | grep -q '\"startstatus\": \"exited 0\"'"
expect_eq "...its startstatus says exited 0" "exited 0" "$(node_js w1 startstatus)"

# An interface added (an import: w3 on a second LAN too): noted, not done.
cat > "$T/watch2.ns" <<'EOF'
set ns [new Simulator]
source tb_compat.tcl
set w1 [$ns node]
set w2 [$ns node]
set w3 [$ns node]
set lan0 [$ns make-lan "$w1 $w2 $w3" 100Mb 0ms]
set lan1 [$ns make-lan "$w2 $w3" 100Mb 0ms]
tb-set-node-startcmd $w1 "echo two > /tmp/sc2.out"
$ns run
EOF
in_pc "$NEOC" import -d "$DB" --name watch "$T/watch2.ns" > "$T/imp.out" 2>&1 ||
    notok "neoc import of the second file" "$(cat "$T/imp.out")"
wait_for 20 sh -c "\"$NEOC\" status -d \"$DB\" --json | grep -q 'needs a restart'"
msg=$(node_js w3 message)
case $msg in
*"needs a restart"*"interface eth2 added"*) ok "w3's new interface: noted in its status ($msg)" ;;
*) notok "w3's new interface: noted in its status as needing a restart" "$msg" "$(tail -20 "$VAR/watch.log")" ;;
esac
expect_eq "...its step says restart" restart "$(node_js w3 step)"
expect_eq "...and neoc status shows it" 1 \
    "$("$NEOC" status -d "$DB" | grep -c '^w3 .*needs a restart')"
expect_eq "...w3 has no eth2 yet (not restarted)" 1 \
    "$(in_c w3 sh -c 'test -e /sys/class/net/eth2; echo $?')"

# neoc down: the watcher stops, nothing is left.
pid=$(watch_pid)
out=$(in_pc "$NEOC" down -d "$DB" 2>&1)
expect_eq "neoc down exits 0" 0 "$?" "$out"
if [ -n "$pid" ] && ! alive "$pid"; then
	ok "...the watcher (pid $pid) is gone"
else
	notok "...the watcher is gone" "pid '$pid'" "$(ps -o pid,args -p "$pid" 2>&1)"
fi
expect_eq "...its state files too" "" \
    "$(ls "$VAR" 2> /dev/null | grep -e watch -e applied)"
pn_destroy_all
expect_eq "nothing left" "" "$(pn_leftovers)"
