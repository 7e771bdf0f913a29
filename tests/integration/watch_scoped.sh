#!/bin/sh
# watch_scoped.sh: the watcher's runs go through each container's agent
# and run only the steps whose inputs changed (docs/DESIGN.md, "Roles and
# steps": container, agent); a step a change needs is never skipped.
# neoc up on one machine (netns.lib), two debian-12 containers s1 s2 on a
# LAN, s1 with a start command.  Checks:
#   - an agent runs in each container after up (/run/neoc/agent.pid, a
#     live process named ncprov-agent);
#   - a user made: in both containers, through the agents (their log), a
#     scoped run with accounts and without ifaces, routes, hosts;
#   - a key: /etc/neoc/keys/<user> (logins ran);
#   - s2's address changed: s2's eth1 has it (ifaces ran, then routes,
#     which needs it), s1's /etc/hosts has it (hosts ran);
#   - a route written for s1: in s1's routing table (routes ran alone);
#   - s1's start command changed: the new one runs (startcmd ran);
#   - s2's agent killed: the next edit still reaches s2 (lxc-attach), and
#     a new agent runs there;
#   - a wake sent from s1 to s2's agent: a run that changes nothing, s2
#     still ready;
#   - neoc down leaves nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

DB=$T/e.db
M=$T/nc
NS=$T/scoped.ns

trap _pn_machine_cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
pn_machine lxc-create lxc-start lxc-attach vde_switch ip nsenter unshare \
    diod python3
VAR=$(pn_dir pc)/var
in_c() {
	_c=$1
	shift
	in_pc timeout 20 lxc-attach -P /var/lib/neoc/lxc -n "nc-$_c" -- "$@"
}
upper() { echo "$VAR/lxc/nc-$1/rootfs$2"; }
js() {
	"$NEOC" status -d "$DB" --json > "$T/st.json" 2> "$T/st.err" &&
	    jget "$T/st.json" "$1"
}
node_js() { js "[n for n in d['nodes'] if n['name'] == '$1'][0]['$2']"; }
agent_pid() { in_c "$1" cat /run/neoc/agent.pid 2> /dev/null; }
agent_alive() {	# agent_alive NODE PID: PID is a live ncprov-agent in NODE
	[ "$(in_c "$1" cat "/proc/$2/comm" 2> /dev/null)" = ncprov-agent ]
}
alog() { cat "$(upper "$1" /var/log/neoc/agent.log)" 2> /dev/null; }
# scoped_since NODE LINES: the "scoped:" lines of NODE's agent log past
# line LINES.
scoped_since() { alog "$1" | tail -n +"$(($2 + 1))" | grep '^scoped: '; }
alines() { alog "$1" | wc -l; }
has_scoped() { [ -n "$(scoped_since "$1" "$2")" ]; }
has_line() { grep -q "$2" "$1" 2> /dev/null; }
s2_has() { in_c s2 ip -o -4 addr show dev eth1 2> /dev/null | grep -q " $1/"; }
ran_exit() { alog "$1" | tail -n +"$(($2 + 1))" | grep -q '^--- agent: exit'; }
sc2_two() { [ "$(cat "$(upper s1 /tmp/sc2.out)" 2> /dev/null)" = two ]; }

cat > "$NS" <<'EOF2'
set ns [new Simulator]
source tb_compat.tcl
set s1 [$ns node]
set s2 [$ns node]
set lan0 [$ns make-lan "$s1 $s2" 100Mb 0ms]
tb-set-node-startcmd $s1 "echo one > /tmp/sc.out"
$ns run
EOF2

in_pc "$NEOC" up -d "$DB" --no-auth --listen "0.0.0.0:$PORT" --mount "$M" \
    --ready-timeout 90 "$NS" > "$T/up.out" 2> "$T/up.err"
expect_eq "neoc up exits 0" 0 "$?" "$(cat "$T/up.err")" "$(tail -15 "$T/up.out")"
expect_eq "both nodes ready" "ready ready" \
    "$(js "' '.join(n['state'] for n in d['nodes'] if n['role'] == 'container')")"
for n in s1 s2; do
	p=$(agent_pid "$n")
	if [ -n "$p" ] && agent_alive "$n" "$p"; then
		ok "$n: its agent runs (pid $p in /run/neoc/agent.pid)"
	else
		notok "$n: its agent runs" "pid '$p'" "$(alog "$n")"
	fi
done
a2=$(agent_pid s2)

# A user: through the agents; accounts ran, ifaces, routes, hosts did not.
l1=$(alines s1) l2=$(alines s2)
in_pc mkdir "$M/users/zed" || notok "mkdir users/zed"
for n in s1 s2; do
	wait_for 10 has_line "$(upper "$n" /etc/passwd)" '^zed:' ||
	    notok "$n: zed in /etc/passwd" "$(tail -5 "$VAR/watch.log")"
done
wait_for 5 has_scoped s1 "$l1"
wait_for 5 has_scoped s2 "$l2"
for n in s1 s2; do
	[ "$n" = s1 ] && l=$l1 || l=$l2
	s=$(scoped_since "$n" "$l")
	case " $s " in
	*" accounts "*) case " $s " in
		*" ifaces "*|*" routes "*|*" hosts "*)
			notok "$n: a user made: scoped run without ifaces, routes, hosts" "$s" ;;
		*) ok "$n: a user made: through its agent, a scoped run ($s)" ;;
		esac ;;
	*) notok "$n: a user made: through its agent, a scoped run with accounts" "'$s'" "$(alog "$n" | tail -8)" ;;
	esac
done
expect_eq "...zed known inside s2" zed "$(in_c s2 getent passwd zed | cut -d: -f1)"

# A key: logins must run.
KEY="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl zed@scoped"
in_pc sh -c "echo '$KEY' > '$M/users/zed/keys'"
for n in s1 s2; do
	if wait_for 10 has_line "$(upper "$n" /etc/neoc/keys/zed)" zed@scoped; then
		ok "$n: zed's key reached /etc/neoc/keys/zed (logins ran)"
	else
		notok "$n: zed's key reached /etc/neoc/keys/zed" "$(alog "$n" | tail -8)"
	fi
done

# s2's address: ifaces (and routes) in s2, hosts in s1.
old=$(in_pc cat "$M/nodes/s2/ifaces/eth1/ip")
new=$(echo "$old" | awk -F. '{ printf "%s.%s.%s.%d", $1, $2, $3, ($4 + 100) % 250 + 2 }')
l2=$(alines s2)
in_pc sh -c "echo $new > '$M/nodes/s2/ifaces/eth1/ip'" ||
    notok "write nodes/s2/ifaces/eth1/ip" "$old -> $new"
wait_for 10 s2_has "$new"
wait_for 5 has_scoped s2 "$l2"
# (the old address stays: the step adds what is missing, ifaces.c)
got=$(in_c s2 ip -o -4 addr show dev eth1 | awk '{ print $4 }' | cut -d/ -f1 | xargs)
case " $got " in
*" $new "*) ok "s2's address changed ($old -> $new): on its eth1 (ifaces ran)" ;;
*) notok "s2's address changed ($old -> $new): on its eth1 (ifaces ran)" "$got" ;;
esac
s=$(scoped_since s2 "$l2")
case " $s " in
*" ifaces routes "*) ok "...and routes ran after it in s2 ($s)" ;;
*) notok "...and routes ran after it in s2" "$s" ;;
esac
if wait_for 10 has_line "$(upper s1 /etc/hosts)" "^$new[[:space:]].*s2"; then
	ok "...s1's /etc/hosts has s2 at $new (hosts ran)"
else
	notok "...s1's /etc/hosts has s2 at $new" "$(grep s2 "$(upper s1 /etc/hosts)")"
fi

# A route for s1: routes ran, the route is there.
in_pc sh -c "echo '10.99.0.0/16 via $new' > '$M/nodes/s1/routes'" ||
    notok "write nodes/s1/routes"
for i in $(seq 1 100); do
	r=$(in_c s1 ip -4 route show 10.99.0.0/16 2> /dev/null)
	[ -n "$r" ] && break
	sleep 0.1
done
case $r in
*"via $new"*) ok "a route written for s1: in its table ($r)" ;;
*) notok "a route written for s1: in its table" "'$r'" "$(alog s1 | tail -8)" ;;
esac

# s1's start command: the new one runs.
in_pc sh -c "echo 'echo two > /tmp/sc2.out' > '$M/nodes/s1/startcmd'"
if wait_for 10 sc2_two; then
	ok "s1's start command changed: the new one ran (startcmd ran)"
else
	notok "s1's start command changed: the new one ran" "$(alog s1 | tail -8)"
fi

# s2's agent killed: lxc-attach instead, and a new agent.
in_c s2 kill "$a2"
wait_for 5 not agent_alive s2 "$a2" || notok "s2's agent (pid $a2) killed"
in_pc mkdir "$M/users/amy" || notok "mkdir users/amy"
if wait_for 15 has_line "$(upper s2 /etc/passwd)" '^amy:'; then
	ok "s2's agent gone: amy still reached s2 (lxc-attach)"
else
	notok "s2's agent gone: amy reached s2" "$(tail -8 "$VAR/watch.log")"
fi
p=$(agent_pid s2)
if [ -n "$p" ] && [ "$p" != "$a2" ] && agent_alive s2 "$p"; then
	ok "...and a new agent runs in s2 (pid $p)"
else
	notok "...and a new agent runs in s2" "pid '$p' (was $a2)"
fi

# A wake from s1 to s2's agent: a run that changes nothing.
ctl=$(in_pc cat "$M/nodes/s2/control")
l2=$(alines s2)
in_c s1 bash -c "echo 'ncprov-wake 42 scoped' > /dev/udp/$ctl/5649" ||
    notok "a datagram from s1 to s2 ($ctl)"
wait_for 10 ran_exit s2 "$l2"
expect_eq "a wake from s1: s2's agent ran, nothing changed" "no changes" \
    "$(alog s2 | tail -n +"$((l2 + 1))" | grep -v '^---' | grep -v '^scoped:' | tail -1)" \
    "$(alog s2 | tail -n +"$((l2 + 1))")"
expect_eq "...s2 still ready" ready "$(node_js s2 state)"

out=$(in_pc "$NEOC" down -d "$DB" 2>&1)
expect_eq "neoc down exits 0" 0 "$?" "$out"
pn_destroy_all
expect_eq "nothing left" "" "$(pn_leftovers)"
