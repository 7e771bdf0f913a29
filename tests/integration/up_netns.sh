#!/bin/sh
# up_netns.sh: neoc up end to end with several pnodes (issue 7, "Must
# show").  The host is the control node; pnode-0 and pnode-1 are network
# namespaces (netns.lib), each running OpenSSH's sshd on its own address,
# joined by two veth wires (eth1: lanA, eth2: lanB, from tmcc ifconfig
# files).  neoc up logs in with a generated ed25519 key (libssh2, the host
# keys learnt with --accept-new-hostkeys), installs ncprov on each pnode
# and runs `ncprov pnode` there; the containers reach neoc serve on the
# host bridge through their pnode.
#   lanA: n1 n2 (pnode-0) n3 (pnode-1)   lanB: n4 (pnode-0) n5 n6 (pnode-1)
# Checks: up exits 0 with all 6 containers and both pnodes ready; pings by
# name across the pnodes (neoc exec over SSH); the tmcc account exists in
# containers on both pnodes; a second up changes nothing (--json events);
# an edit (a container and an account added) is applied by up without
# restarting the running containers;
# neoc down leaves no container, interface, process, nft table or mount of
# ours, twice.  Faults: pnode-1's sshd stopped → up exits 1 naming
# pnode-1 after its retries while pnode-0's containers are ready, then
# down cleans up; Ctrl-C during the retries → exit 130, then down cleans
# up; a startcmd step failing with failure action nonfatal →
# reported, exit 0, then down cleans up.  Nothing is left at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

DB=$T/e.db
M=$T/nc
RNCPROV=$T/rbin/ncprov		# where up installs ncprov on the pnodes
: > "$T/pids"

fatal() { notok "$@"; exit 1; }

cleanup() {
	set +e
	[ -n "${PORT:-}" ] && "$NEOC" down -d "$DB" -q -i "$T/id" \
	    --known-hosts "$T/known_hosts" > /dev/null 2>&1
	pn_destroy_all
	stop_tracked
	unmount_lazy
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

[ "$(id -u)" -eq 0 ] || fatal "runs as root (netns, LXC, sshd)"
need_cmds lxc-create lxc-start vde_switch ip nft nsenter unshare diod \
    ssh-keygen python3
need_debian_image	# its containers are of the default image
[ -x /usr/sbin/sshd ] || fatal "OpenSSH's sshd is installed"
host_hosts=$(md5sum < /etc/hosts)

# --- pnodes with sshd ------------------------------------------------------------
pn_init || fatal "the host bridge of the control network"
for k in 0 1; do
	pn_create "pnode-$k" "$PN_NET.$((k + 2))/24" || fatal "pnode-$k"
done
pn_link pnode-0 eth1 pnode-1 eth1 || fatal "lanA's wire"
pn_link pnode-0 eth2 pnode-1 eth2 || fatal "lanB's wire"
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -C neoc-test -f "$T/id" || fatal "ssh-keygen"
cp "$T/id.pub" "$T/authorized_keys"
sshd_start() {	# sshd_start K
	[ -f "$T/hostkey-$1" ] ||
	    ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey-$1"
	cat > "$T/sshd-$1.conf" <<-CONF
	Port 22
	ListenAddress $PN_NET.$(($1 + 2))
	HostKey $T/hostkey-$1
	AuthorizedKeysFile $T/authorized_keys
	PidFile $T/sshd-$1.pid
	StrictModes no
	PermitRootLogin prohibit-password
	UsePAM no
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	CONF
	pn_exec "pnode-$1" /usr/sbin/sshd -D -e -f "$T/sshd-$1.conf" \
	    >> "$T/sshd-$1.log" 2>&1 &
	track $!
	_i=0
	while ! pn_exec "pnode-$1" ss -tln 2> /dev/null | grep -q ":22 " &&
	    [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
sshd_stop() {	# sshd_stop K (the pidfile: $! is the subshell's)
	_p=$(cat "$T/sshd-$1.pid")
	kill "$_p"
	wait_gone "$_p"
}
sshd_start 0
sshd_start 1

# --- the experiment ----------------------------------------------------------------
mkdir -p "$T/tmcc"
for k in 0 1; do
	mkdir -p "$T/tmcc/pnode-$k"
	for i in 1 2; do
		mac=$(pn_exec "pnode-$k" cat /sys/class/net/eth$i/address | tr -d :)
		lan=$([ $i = 1 ] && echo lanA || echo lanB)
		echo "INTERFACE IFACETYPE=veth INET=192.168.23$i.$((k + 2))" \
		    "MASK=255.255.255.0 MAC=$mac SPEED=1000Mbps DUPLEX=full" \
		    "IFACE=eth$i RTABID=0 LAN=$lan"
	done > "$T/tmcc/pnode-$k/ifconfig"
done
cat > "$T/tmcc/accounts" <<'ACC'
ADDGROUP NAME=proj GID=6001
ADDUSER LOGIN=alice PSWD=* UID=20001 GID=6001 ROOT=0 NAME="Alice Liddell" HOMEDIR=/home/alice GLIST="" SERIAL=1 EMAIL="alice@example.org" SHELL=/bin/sh
ACC
nsfile() {	# nsfile FILE [EXTRA...]: the experiment, extra lines before run
	_f=$1
	shift
	{
		echo 'set ns [new Simulator]'
		echo 'source tb_compat.tcl'
		for n in n1 n2 n3 n4 n5 n6; do echo "set $n [\$ns node]"; done
		for n in n1 n2 n4; do
			echo "tb-add-node-attribute \$$n containers:partition 0"
		done
		for n in n3 n5 n6; do
			echo "tb-add-node-attribute \$$n containers:partition 1"
		done
		echo 'set lanA [$ns make-lan "$n1 $n2 $n3" 100Mb 0ms]'
		echo 'set lanB [$ns make-lan "$n4 $n5 $n6" 100Mb 0ms]'
		for l in "$@"; do echo "$l"; done
		echo '$ns run'
	} > "$_f"
}
nsfile "$T/e.ns"

PORT=$(free_port)
up() {	# up [ARGS...]: neoc up with this test's settings
	"$NEOC" up -d "$DB" --no-auth --listen "0.0.0.0:$PORT" --mount "$M" \
	    -i "$T/id" --known-hosts "$T/known_hosts" --accept-new-hostkeys \
	    --pnode-addr "pnode-0=$PN_NET.2" --pnode-addr "pnode-1=$PN_NET.3" \
	    --remote-ncprov "$RNCPROV" --ready-timeout 60 "$@"
}
down() {
	"$NEOC" down -d "$DB" -i "$T/id" --known-hosts "$T/known_hosts" "$@"
}
state_of() {	# state_of NODE...: their states, space separated
	"$NEOC" status -d "$DB" --json 2> /dev/null | python3 -c '
import json, sys
d = {n["name"]: n["state"] for n in json.load(sys.stdin)["nodes"]}
print(" ".join(d.get(n, "?") for n in sys.argv[1:]))' "$@"
}
# clean K: what of ours is left on pnode-K, one word each (nothing: clean)
clean() {
	pn_exec "pnode-$1" lxc-ls -P /var/lib/neoc/lxc 2> /dev/null | xargs
	pn_exec "pnode-$1" ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2);
	    if ($2 !~ /^(lo|eth[012])$/) print "link:" $2 }'
	pn_exec "pnode-$1" nft list table ip neoc > /dev/null 2>&1 &&
	    echo "nft:neoc"
	for p in $(ip netns pids "$(pn_ns "pnode-$1")"); do
		c=$(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)
		case $c in *sshd*) ;; *) echo "process:${c%% *}" ;; esac
	done
	grep -q '^# --- neo-containers' "$(pn_dir "pnode-$1")/etc/hosts" \
	    2> /dev/null && echo "hosts-block"
	return 0
}
serve_gone() {	# nothing of neoc serve left on the host
	! is_mounted "$M" && [ ! -e "$DB.up" ] &&
	    ! pgrep -f "ncfs .*$DB" > /dev/null && ! pgrep -f "diod.*:$PORT" > /dev/null
}
check_down() {	# check_down WHAT
	out=$(down 2>&1)
	rc=$?
	expect_eq "$1: neoc down exits 0" 0 "$rc" "$out"
	for k in 0 1; do
		expect_eq "$1: nothing of ours left on pnode-$k" "" \
		    "$(clean "$k" | xargs)"
	done
	serve_gone && ok "$1: serve stopped, $M unmounted, state file gone" ||
	    notok "$1: serve stopped, $M unmounted, state file gone" \
	    "$(grep "$M" /proc/mounts)" "$(ls "$DB"*)"
}

# --- up --------------------------------------------------------------------------
t0=$(now_ms)
up --pnodes 2 --tmcc "$T/tmcc" "$T/e.ns" > "$T/up1.out" 2> "$T/up1.err"
rc=$?
expect_eq "neoc up exits 0 ($(( ($(now_ms) - t0) / 1000 )) s)" 0 "$rc" \
    "$(tail -25 "$T/up1.out")" "$(cat "$T/up1.err")" \
    "$(tail -5 "$DB.logs/pnode-1.up.log" 2> /dev/null)"
expect_eq "every container and pnode ready" \
    "ready ready ready ready ready ready ready ready" \
    "$(state_of n1 n2 n3 n4 n5 n6 pnode-0 pnode-1)"
grep -q "up in" "$T/up1.out" && ok "the result ends with 'up in N s'" ||
    notok "the result ends with 'up in N s'" "$(tail -3 "$T/up1.out")"
expect_eq "the host keys of both pnodes learnt" 2 \
    "$(grep -c ssh-ed25519 "$T/known_hosts" 2> /dev/null)"
cmp -s "$RNCPROV" "$NC_TOP/bin/ncprov" ||
    cmp -s "$RNCPROV" "$NC_TOP/bin/ncprov-static" &&
    ok "ncprov installed on the pnodes" ||
    notok "ncprov installed on the pnodes" "$(ls -l "$RNCPROV" 2>&1)"

for trip in "n1 n3" "n3 n1" "n5 n4" "n4 n6"; do
	set -- $trip
	if out=$(timeout 30 "$NEOC" exec -d "$DB" "$1" -- ping -c 2 -W 2 "$2" 2>&1); then
		ok "neoc exec $1 -- ping $2: across the pnodes by name"
	else
		notok "neoc exec $1 -- ping $2: across the pnodes by name" "$out"
	fi
done
for n in n2 n5; do
	expect_eq "the account alice exists on $n" \
	    "alice:x:20001:6001:Alice Liddell:/home/alice:/bin/sh" \
	    "$("$NEOC" exec -d "$DB" "$n" -- grep '^alice:' /etc/passwd 2>&1)"
done
out=$("$NEOC" exec -d "$DB" n6 -- sh -c 'exit 7' 2>&1)
expect_eq "neoc exec passes the command's exit status" 7 "$?" "$out"

# --- again: nothing to do -------------------------------------------------------------
up --json > "$T/up2.out" 2> "$T/up2.err"
rc=$?
expect_eq "a second neoc up exits 0" 0 "$rc" "$(cat "$T/up2.err")"
python3 - "$T/up2.out" > "$T/up2.check" 2>&1 <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert ev[-1]["event"] == "done" and ev[-1]["ok"] is True, ev[-1]
assert ev[-1]["counts"]["ready"] == 8, ev[-1]["counts"]
assert any(e["event"] == "pnode" and e["phase"] == "done" for e in ev)
print("ok")
PY
expect_eq "--json: one event per line, the last 'done' with ok and 8 ready" \
    ok "$(cat "$T/up2.check")"
for k in 0 1; do
	expect_eq "a second up: pnode-$k says no changes" "no changes" \
	    "$(tail -1 "$DB.logs/pnode-$k.up.log" 2> /dev/null)"
done

# --- an edit: n7 joins lanA on pnode-0, bob joins the project ---------------------
initpid() { pn_exec pnode-0 lxc-info -P /var/lib/neoc/lxc -n nc-n1 -p -H 2> /dev/null; }
pid1=$(initpid)
sed -e 's/^set n6 \[\$ns node\]$/&\nset n7 [$ns node]\ntb-add-node-attribute $n7 containers:partition 0/' \
    -e 's/"\$n1 \$n2 \$n3"/"$n1 $n2 $n3 $n7"/' "$T/e.ns" > "$T/e3.ns"
cp "$T/tmcc/accounts" "$T/accounts.orig"
echo 'ADDUSER LOGIN=bob PSWD=* UID=20002 GID=6001 ROOT=0 NAME="Bob" HOMEDIR=/home/bob GLIST="" SERIAL=1 EMAIL="bob@example.org" SHELL=/bin/sh' \
    >> "$T/tmcc/accounts"
up --pnodes 2 --tmcc "$T/tmcc" "$T/e3.ns" > "$T/up5.out" 2> "$T/up5.err"
expect_eq "after an edit (n7 added, bob added): neoc up exits 0" 0 "$?" \
    "$(cat "$T/up5.err")" "$(tail -12 "$T/up5.out")"
expect_eq "...n7 is ready" ready "$(state_of n7)"
expect_eq "...n1 was not restarted (its init pid is the same)" "$pid1" "$(initpid)"
expect_eq "...bob exists in the running n1 and n6" \
    "bob:x:20002:6001:Bob:/home/bob:/bin/sh|bob:x:20002:6001:Bob:/home/bob:/bin/sh" \
    "$("$NEOC" exec -d "$DB" n1 -- grep '^bob:' /etc/passwd 2>&1)|$("$NEOC" exec -d "$DB" n6 -- grep '^bob:' /etc/passwd 2>&1)" \
    "$(tail -5 "$DB.logs/pnode-0.up.log")"
out=$(timeout 30 "$NEOC" exec -d "$DB" n7 -- ping -c 2 -W 2 n3 2>&1)
expect_eq "...n7 (pnode-0) pings n3 (pnode-1)" 0 "$?" "$out"
cp "$T/accounts.orig" "$T/tmcc/accounts"

check_down "after up"
out=$(down 2>&1)
expect_eq "neoc down a second time exits 0" 0 "$?" "$out"

# --- fault: pnode-1 unreachable ----------------------------------------------------
sshd_stop 1
t0=$(now_ms)
up --retries 1 --connect-timeout 2 > "$T/up3.out" 2> "$T/up3.err"
rc=$?
expect_eq "pnode-1's sshd stopped: neoc up exits 1" 1 "$rc" "$(cat "$T/up3.err")"
grep -q "pnode-1.*refused\|pnode-1.*attempt" "$T/up3.err" &&
    ok "...the message names pnode-1 and the connection ($(( ($(now_ms) - t0) / 1000 )) s)" ||
    notok "...the message names pnode-1 and the connection" "$(cat "$T/up3.err")"
expect_eq "...pnode-0's containers are ready, pnode-1's failed" \
    "ready ready ready failed failed failed failed" \
    "$(state_of n1 n2 n4 n3 n5 n6 pnode-1)"
sshd_start 1
check_down "after the failed up"

# --- Ctrl-C while pnode-1 is being retried ----------------------------------------
sshd_stop 1
up --retries 30 --connect-timeout 2 > "$T/up6.out" 2> "$T/up6.err" &
UP=$!
i=0
while [ "$(state_of n1 n2 n4)" != "ready ready ready" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
t0=$(now_ms)
pkill -INT -P "$UP"	# neoc: $! is the subshell running up()
wait "$UP"
rc=$?
expect_eq "Ctrl-C during the retries: neoc up exits 130 ($(( $(now_ms) - t0 )) ms)" \
    130 "$rc" "$(cat "$T/up6.err")"
grep -q "interrupted; .neoc down" "$T/up6.err" &&
    ok "...and says neoc down cleans up" ||
    notok "...and says neoc down cleans up" "$(cat "$T/up6.err")"
sshd_start 1
check_down "after Ctrl-C"

# --- fault: a step fails (the startcmd cannot start: its user is unknown),
# failure action nonfatal; n5's start command exits 3, which fails nothing
# (it runs in the background, its status is only shown) ------------------------
nsfile "$T/e2.ns" "tb-set-node-startcmd \$n6 \"sh -c 'exit 3'\"" \
    'tb-add-node-attribute $n6 startcmd_user nosuchuser' \
    'tb-set-node-failure-action $n6 nonfatal' \
    "tb-set-node-startcmd \$n5 \"sh -c 'exit 3'\""
up --pnodes 2 --tmcc "$T/tmcc" "$T/e2.ns" > "$T/up4.out" 2> "$T/up4.err"
rc=$?
expect_eq "n6's startcmd step fails, nonfatal: neoc up exits 0" 0 "$rc" \
    "$(cat "$T/up4.err")" "$(tail -12 "$T/up4.out")"
grep -q "n6 failed" "$T/up4.err" && grep -q "n6: failure action nonfatal" "$T/up4.err" &&
    ok "...n6's failure is reported as not fatal" ||
    notok "...n6's failure is reported as not fatal" "$(cat "$T/up4.err")"
expect_eq "...the others are ready" "ready ready ready ready ready failed" \
    "$(state_of n1 n2 n3 n4 n5 n6)"
i=0
while ! "$NEOC" status -d "$DB" --json | grep -q '"exited 3"' && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
expect_eq "...n5 ready, its start command's exit 3 in startstatus (remote pnode)" \
    "ready exited 3" \
    "$("$NEOC" status -d "$DB" --json | python3 -c 'import json,sys; n=[n for n in json.load(sys.stdin)["nodes"] if n["name"] == "n5"][0]; print(n["state"], n["startstatus"])')"
check_down "after the nonfatal failure"

expect_eq "/etc/hosts of the host untouched" "$host_hosts" "$(md5sum < /etc/hosts)"
pn_destroy_all
expect_eq "no namespace, link, process, mount or container left" "" \
    "$(pn_leftovers)"
