#!/bin/sh
# startcmd.sh: start commands as Emulab runs them, with neoc up on one
# machine (the embedded case of up_local.sh, in one pnode's view of
# netns.lib).  Four LXC containers of the default image (debian-12) on one
# LAN:
#   s1    sleep 30; exit 3          a command that outlives neoc up
#   srv   iperf3 -s, a server that never ends
#   magi  DETER's MAGI bootstrap, which is not there: exit 127 in busybox
#         (no sudo), 2 in Debian (python cannot open the file)
#   ok1   echo
# Checks: up exits 0 with every node ready while s1 still runs (startstatus
# running), magi's failure fails neither the node nor up; the server keeps
# running after ncprov exited; status --json has control and startstatus
# for every node, the table shows them; the control NIC has the network's
# broadcast; /etc/hosts of the control node gets NODE and NODE.EXP.PROJ
# and ssh-free reachability by name (ping s1.EXP.PROJ); a changed command
# kills the old one's process group; up --wait-startcmd waits for s1's
# end and exits 1 naming s1 (exited 3) and magi; down removes the
# hosts block (the file as it was) and the startstatus and control rows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

DB=$T/e.db
M=$T/nc
NS=$T/startcmd.ns
NODES="s1 srv magi ok1"

fatal() { notok "$@"; exit 1; }
cleanup() {
	set +e
	pn_exec pc "$NEOC" down -d "$DB" -q > /dev/null 2>&1
	pn_destroy_all
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

[ "$(id -u)" -eq 0 ] || fatal "runs as root (netns, LXC)"
need_cmds lxc-create lxc-start vde_switch ip nsenter unshare diod python3
need_debian_image	# its containers are of the default image
pn_init || fatal "the host bridge"
pn_create pc "$PN_NET.2/24" || fatal "the machine's namespace"
PORT=$(free_port)
export NCPROV_RC_DIR=$NC_TOP/provision/rc
in_pc() { pn_exec pc "$@"; }
up() {
	in_pc "$NEOC" up -d "$DB" --no-auth --listen "0.0.0.0:$PORT" \
	    --mount "$M" --ready-timeout 90 "$@"
}
ex() { in_pc timeout 30 "$NEOC" exec -d "$DB" "$@"; }
# js EXPR: a python expression over neoc status --json (d).
js() {
	"$NEOC" status -d "$DB" --json > "$T/st.json" 2> "$T/st.err" &&
	    jget "$T/st.json" "$1"
}
node_js() { js "[n for n in d['nodes'] if n['name'] == '$1'][0]['$2']"; }

cat > "$NS" <<'EOF'
set ns [new Simulator]
source tb_compat.tcl
set s1 [$ns node]
set srv [$ns node]
set magi [$ns node]
set ok1 [$ns node]
set lan [$ns make-lan "$s1 $srv $magi $ok1" 100Mb 0ms]
tb-set-node-startcmd $s1 "sleep 30; exit 3"
tb-set-node-startcmd $srv "iperf3 -s"
tb-set-node-startcmd $magi "sudo python /share/magi/current/magi_bootstrap.py"
tb-set-node-startcmd $ok1 "echo hello > /tmp/ok1.out"
$ns run
EOF

in_pc cat /etc/hosts > "$T/hosts.before"

t0=$(now_ms)
up "$NS" > "$T/up1.out" 2> "$T/up1.err"
rc=$?
secs=$(( ($(now_ms) - t0) / 1000 ))
expect_eq "neoc up exits 0, the MAGI start command's failure notwithstanding ($secs s)" \
    0 "$rc" "$(cat "$T/up1.err")" "$(tail -15 "$T/up1.out")"
expect_eq "every node ready" "ready ready ready ready" \
    "$(js "' '.join(n['state'] for n in d['nodes'] if n['role'] == 'container')")"
expect_eq "s1 is ready while its start command (sleep 30) runs" "running" \
    "$(node_js s1 startstatus)" "$(cat "$T/st.err")"
wait_for 20 sh -c "\"$NEOC\" status -d \"$DB\" --json | grep -q '\"startstatus\": \"exited [1-9]'"
magi=$(node_js magi startstatus)
case "$magi $(node_js magi state)" in
"exited "[1-9]*" ready") ok "magi: startstatus $magi, the node ready" ;;
*) notok "magi: a non-zero exit in startstatus, the node ready" "$magi $(node_js magi state)" ;;
esac
expect_eq "...its log in the node says why" 1 \
    "$(ex magi -- grep -c -e 'not found' -e "can't open file" /var/log/neoc/startcmd.log 2>&1)"
wait_for 20 sh -c "\"$NEOC\" status -d \"$DB\" --json | grep -q '\"exited 0\"'"
expect_eq "ok1: exited 0" "exited 0" "$(node_js ok1 startstatus)"
expect_eq "every node has a starttime and a control address in 172.30/16" \
    "4 4" "$(js "'%d %d' % (sum(1 for n in d['nodes'] if n['role'] == 'container' and n.get('starttime', 0) > 0), sum(1 for n in d['nodes'] if (n['control'] or '').startswith('172.30.')))")"
expect_eq "status --json: every node has the keys control and startstatus" \
    "True" "$(js "all('control' in n and 'startstatus' in n for n in d['nodes'])")"
tab=$("$NEOC" status -d "$DB" | awk '$1 == "magi" { print $6, $7 }')
expect_eq "the table shows magi's control address and exited=N" \
    "$(node_js magi control) exited=${magi#exited }" "$tab"

# The server: still serving long after ncprov (and neoc up) exited.
out=$(ex ok1 -- iperf3 -c srv -t 1 2>&1)
expect_eq "srv's iperf3 -s serves ok1 after ncprov exited" 0 "$?" "$out"
expect_eq "...and its startstatus says running" running "$(node_js srv startstatus)"

# The control NIC's broadcast.
out=$(ex s1 -- ip -4 addr show dev ctl0 2>&1)
case $out in
*"brd 172.30.255.255"*) ok "the control NIC has the broadcast 172.30.255.255" ;;
*) notok "the control NIC has the broadcast 172.30.255.255" "$out" ;;
esac

# /etc/hosts of the control node.
EXP=$(in_pc cat "$M/experiment/name")
PROJ=$(in_pc cat "$M/experiment/project")
s1ip=$(node_js s1 control)
expect_eq "/etc/hosts: s1 and s1.$EXP.$PROJ -> its control address" \
    "$s1ip s1 s1.$EXP.$PROJ" \
    "$(in_pc awk '$2 == "s1"' /etc/hosts | xargs)"
expect_eq "...one line per container, between the markers" "4 1 1" \
    "$(in_pc sh -c "sed -n '/^# BEGIN neo-containers /,/^# END neo-containers /p' /etc/hosts" | grep -c "^172\.30\.") $(in_pc grep -c "^# BEGIN neo-containers $DB " /etc/hosts) $(in_pc grep -c "^# END neo-containers $DB\$" /etc/hosts)"
# reach s1 by that name: a TCP listener in s1 (busybox nc), a connection
# from the control node through the name (no ping here)
ex s1 -- sh -c '(nc -l -p 7777 || nc -l 7777) > /tmp/got 2> /dev/null < /dev/null &' > /dev/null 2>&1
out=$(in_pc python3 -c '
import socket, sys, time
for i in range(50):
    try:
        s = socket.create_connection((sys.argv[1], 7777), timeout=2)
        break
    except OSError as e:
        err = e
        time.sleep(0.1)
else:
    sys.exit("connect: %s" % err)
s.sendall(b"hello by name\n")
s.close()' "s1.$EXP.$PROJ" 2>&1)
rc=$?
for i in 1 2 3 4 5 6 7 8 9 10; do
	got=$(ex s1 -- cat /tmp/got 2>&1)
	[ "$got" = "hello by name" ] && break
	sleep 0.3
done
expect_eq "a TCP connection from the control node to s1.$EXP.$PROJ reaches s1" \
    "0 hello by name" "$rc $got" "$out"

# A changed command: the old one's process group goes, the new one runs.
in_pc sh -c "echo 'echo second > /tmp/srv2.out' > '$M/nodes/srv/startcmd'"
up > "$T/up2.out" 2> "$T/up2.err"
expect_eq "up after srv's command changed exits 0" 0 "$?" "$(cat "$T/up2.err")"
wait_for 20 sh -c "\"$NEOC\" status -d \"$DB\" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit([n for n in d[\"nodes\"] if n[\"name\"] == \"srv\"][0][\"startstatus\"] != \"exited 0\")'"
expect_eq "srv: the new command ran (exited 0)" "exited 0 second" \
    "$(node_js srv startstatus) $(ex srv -- cat /tmp/srv2.out 2>&1)"
out=$(ex ok1 -- iperf3 -c srv -t 1 2>&1)
rc=$?
[ "$rc" -ne 0 ] && ok "...and the old iperf3 -s was killed (ok1 cannot connect)" ||
    notok "...and the old iperf3 -s was killed (ok1 cannot connect)" "$out"
expect_eq "...s1's command, unchanged, was left running" running \
    "$(node_js s1 startstatus)"

# --wait-startcmd: waits for s1, fails on s1's 3 and magi's failure.
t0=$(now_ms)
up --wait-startcmd > "$T/up3.out" 2> "$T/up3.err"
rc=$?
secs=$(( ($(now_ms) - t0) / 1000 ))
expect_eq "up --wait-startcmd exits 1 ($secs s)" 1 "$rc" "$(cat "$T/up3.err")"
expect_eq "...naming s1 (exited 3) and magi ($magi)" "1 1" \
    "$(grep -c '^neoc up: s1: start command exited 3$' "$T/up3.err") $(grep -c "^neoc up: magi: start command $magi\$" "$T/up3.err")" \
    "$(cat "$T/up3.err")"
expect_eq "...after s1 had ended" "exited 3" "$(node_js s1 startstatus)"
grep -q "^startcmd: waiting for " "$T/up3.out" && ok "...it said what it waited for" ||
    notok "...it said what it waited for" "$(cat "$T/up3.out")"

out=$(in_pc "$NEOC" down -d "$DB" 2>&1)
expect_eq "neoc down exits 0" 0 "$?" "$out"
in_pc cat /etc/hosts > "$T/hosts.after"
if cmp -s "$T/hosts.before" "$T/hosts.after"; then
	ok ".../etc/hosts is as it was before up"
else
	notok ".../etc/hosts is as it was before up" "$(diff "$T/hosts.before" "$T/hosts.after")"
fi
expect_eq "...no startstatus, no control address left" "0 0" \
    "$(js "'%d %d' % (sum(1 for n in d['nodes'] if n['startstatus']), sum(1 for n in d['nodes'] if n['control']))")"
pn_destroy_all
expect_eq "nothing left" "" "$(pn_leftovers)"
