#!/bin/sh
# status.sh: neoc status from the status lines the provisioners write.
#
#  - a fresh import: every non-config node pending, in the table and in
#    --json ({"nodes": [{name, role, host, state, time, step, message}],
#    "counts": {...}}), the nodes in the experiment's order;
#  - after `ncprov --tree MNT status ...` writes on an ncfs mount: each
#    node's state, step and message, and the counts per state, are right in
#    the table (rows and the counts line) and in --json;
#  - --state (repeated or a list) and --pnode keep some nodes, in order,
#    with the counts of those kept; an unknown state or pnode is refused;
#  - --watch keeps watching while a node is unsettled and returns once every
#    node is ready or failed (as soon as the last one settles).
#
# The ncfs mount lives under $T; the exit trap unmounts it and stops every
# process the test started, and a watchdog does the same after
# $NC_TEST_LIMIT seconds (default 240: a loaded machine took 180 s).
. "$(dirname "$0")/lib.sh"

NCPROV=$NC_TOP/bin/ncprov
NCFS=$NC_TOP/bin/ncfs
LIMIT=${NC_TEST_LIMIT:-240}
: > "$T/pids"

# --- helpers --------------------------------------------------------------

cleanup() {
	set +e
	stop_watchdog
	unmount_all
	stop_tracked
	unmount_lazy
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
start_watchdog

need_exec "is built" "" "$NEOC" "$NCPROV" "$NCFS"

DB=$T/e.db
M=$T/nc
if ! "$NEOC" import -d "$DB" "$NC_TOP/examples/small-lan.ns" > /dev/null 2> "$T/import.err" ||
    ! "$NEOC" import -d "$DB" --tmcc "$NC_TOP/tests/data/tmcc-int" > /dev/null 2>> "$T/import.err"; then
	notok "import the test experiment" "$(cat "$T/import.err")"
	exit 1
fi

# st [ARGS]: neoc status of the test database (bounded).
st() { timeout 20 "$NEOC" status -d "$DB" "$@"; }
# row NODE: the table row's STATE column.
row_state() { st | awk -v n="$1" '$1 == n { print $4 }'; }
# row_rest NODE: the row's STEP / MESSAGE column (after AGE, CONTROL, START).
row_rest() {
	st | awk -v n="$1" '$1 == n { $1 = $2 = $3 = $4 = $5 = $6 = $7 = ""; sub(/^ +/, ""); print }'
}
counts_line() { st | grep -E '^pending [0-9]+, ' ; }
# jnode FILE NODE KEY: one field of a node in the --json output.
jnode() { jget "$1" "[n for n in d['nodes'] if n['name'] == '$2'][0]['$3']"; }

# The experiment's non-config nodes, in order, with role and host, from
# the export (the reference neoc status must agree with).
"$NEOC" export -d "$DB" --json > "$T/export.json"
want_nodes=$(jget "$T/export.json" "' '.join(n['name'] for n in d['nodes'] if n['role'] != 'config')")
want_rh=$(jget "$T/export.json" "' '.join('%s:%s:%s' % (n['name'], n['role'], n.get('host')) for n in d['nodes'] if n['role'] != 'config')")
N=$(echo "$want_nodes" | wc -w)
config=$(jget "$T/export.json" "' '.join(n['name'] for n in d['nodes'] if n['role'] == 'config')")

# --- a fresh import -----------------------------------------------------------

if st > "$T/table" 2> "$T/err"; then
	ok "neoc status of a fresh import exits 0"
else
	notok "neoc status of a fresh import exits 0" "$(cat "$T/err")"
fi
got=$(awk 'NR > 1 && NF >= 4 && $1 !~ /^(pending|\[)/ { printf "%s ", $1 }' "$T/table" | sed 's/ $//')
expect_eq "the table lists every non-config node, in order" "$want_nodes" "$got"
bad=$(for n in $want_nodes; do s=$(awk -v n="$n" '$1 == n { print $4 }' "$T/table"); [ "$s" = pending ] || echo "$n:$s"; done)
expect_eq "the table shows every node pending" "" "$bad"
for c in $config; do
	awk -v n="$c" '$1 == n { f = 1 } END { exit !f }' "$T/table" &&
	    notok "the config node $c is not listed" || ok "the config node $c is not listed"
done
expect_eq "the table's counts line" "pending $N, booting 0, provisioning 0, ready 0, failed 0 ($N nodes)" \
    "$(grep -E '^pending [0-9]+, ' "$T/table")"

if st --json > "$T/s.json" 2> "$T/err" && jget "$T/s.json" 1 > /dev/null 2>&1; then
	ok "neoc status --json prints one JSON document"
else
	notok "neoc status --json prints one JSON document" "$(head -c 300 "$T/s.json")" "$(cat "$T/err")"
fi
expect_eq "--json: the top level has nodes and counts" "counts nodes" \
    "$(jget "$T/s.json" "' '.join(sorted(d))" 2>&1)"
expect_eq "--json: every node has exactly name role host state time step message control startstatus" "ok" \
    "$(jget "$T/s.json" "'ok' if all(sorted(n) == sorted(['name','role','host','state','time','step','message','control','startstatus']) for n in d['nodes']) else [sorted(n) for n in d['nodes']]" 2>&1)"
expect_eq "--json: no control address nor startstatus yet (null)" "True" \
    "$(jget "$T/s.json" "all(n['control'] is None and n['startstatus'] is None for n in d['nodes'])" 2>&1)"
expect_eq "--json: the nodes, in order" "$want_nodes" \
    "$(jget "$T/s.json" "' '.join(n['name'] for n in d['nodes'])" 2>&1)"
expect_eq "--json: role and host of every node (host null for a pnode)" "$want_rh" \
    "$(jget "$T/s.json" "' '.join('%s:%s:%s' % (n['name'], n['role'], n['host']) for n in d['nodes'])" 2>&1)"
expect_eq "--json: every node pending, time 0, no step or message" "ok" \
    "$(jget "$T/s.json" "'ok' if all((n['state'], n['time'], n['step'], n['message']) == ('pending', 0, None, None) for n in d['nodes']) else d['nodes']" 2>&1)"
expect_eq "--json: counts" "{'pending': $N, 'booting': 0, 'provisioning': 0, 'ready': 0, 'failed': 0}" \
    "$(jget "$T/s.json" "d['counts']" 2>&1)"

# --- statuses written by ncprov on an ncfs mount --------------------------------

mkdir -p "$M"
"$NCFS" -f "$DB" "$M" 2> "$T/ncfs.log" &
NP=$!
track "$NP"
if ! wait_mounted "$M" "$NP"; then
	notok "ncfs mounts the experiment" "$(tail -5 "$T/ncfs.log")"
	exit 1
fi

# prov NODE ARGS...: ncprov --tree on the mount, status ARGS.
prov() {
	_n=$1
	shift
	if ! _o=$(timeout 20 "$NCPROV" --tree "$M" --node "$_n" status "$@" 2>&1); then
		notok "ncprov --node $_n status $*" "$_o"
		return 1
	fi
}

t0=$(date +%s)
prov gw booting &&
prov h1 provisioning accounts "making users" &&
prov pnode-0 provisioning switches "vde for lan0" &&
prov h2 ready &&
prov h3 failed mounts "diod unreachable: 192.168.10.2 refused" &&
    ok "ncprov --tree writes five statuses on the ncfs mount"
t1=$(date +%s)

expect_eq "the mount shows h3's line" "failed" "$(cut -d' ' -f1 "$M/nodes/h3/status")"
st > "$T/table"
for ns in gw:booting h1:provisioning pnode-0:provisioning h2:ready h3:failed server:pending; do
	n=${ns%%:*} s=${ns#*:}
	expect_eq "table: $n is $s" "$s" "$(awk -v n="$n" '$1 == n { print $4 }' "$T/table")"
done
expect_eq "table: h1's step and message" "accounts making users" "$(row_rest h1)"
expect_eq "table: h3's step and message" "mounts diod unreachable: 192.168.10.2 refused" "$(row_rest h3)"
expect_eq "table: h2 (ready, no step) shows no step or message" "" "$(row_rest h2)"
expect_eq "table: the counts line" "pending 1, booting 1, provisioning 2, ready 1, failed 1 ($N nodes)" \
    "$(grep -E '^pending [0-9]+, ' "$T/table")"
age=$(awk '$1 == "h1" { print $5 }' "$T/table")
case $age in
[0-9]s|[0-9][0-9]s) ok "table: h1's AGE is seconds since it was written ($age)" ;;
*) notok "table: h1's AGE is seconds since it was written" "got $age" ;;
esac

st --json > "$T/s.json"
expect_eq "--json: counts" "{'pending': 1, 'booting': 1, 'provisioning': 2, 'ready': 1, 'failed': 1}" \
    "$(jget "$T/s.json" "d['counts']" 2>&1)"
expect_eq "--json: h1 state / step / message" "provisioning|accounts|making users" \
    "$(jnode "$T/s.json" h1 state)|$(jnode "$T/s.json" h1 step)|$(jnode "$T/s.json" h1 message)"
expect_eq "--json: h3 state / step / message" "failed|mounts|diod unreachable: 192.168.10.2 refused" \
    "$(jnode "$T/s.json" h3 state)|$(jnode "$T/s.json" h3 step)|$(jnode "$T/s.json" h3 message)"
expect_eq "--json: pnode-0 state / step / message" "provisioning|switches|vde for lan0" \
    "$(jnode "$T/s.json" pnode-0 state)|$(jnode "$T/s.json" pnode-0 step)|$(jnode "$T/s.json" pnode-0 message)"
expect_eq "--json: h2 ready with null step and message" "ready|None|None" \
    "$(jnode "$T/s.json" h2 state)|$(jnode "$T/s.json" h2 step)|$(jnode "$T/s.json" h2 message)"
expect_eq "--json: gw booting" "booting|None|None" \
    "$(jnode "$T/s.json" gw state)|$(jnode "$T/s.json" gw step)|$(jnode "$T/s.json" gw message)"
expect_eq "--json: server (never written) pending, time 0" "pending|0|None|None" \
    "$(jnode "$T/s.json" server state)|$(jnode "$T/s.json" server time)|$(jnode "$T/s.json" server step)|$(jnode "$T/s.json" server message)"
bad=$(for n in gw h1 pnode-0 h2 h3; do
	tm=$(jnode "$T/s.json" "$n" time)
	[ "$tm" -ge "$t0" ] 2> /dev/null && [ "$tm" -le "$t1" ] || echo "$n:$tm"
done)
expect_eq "--json: each written node's time is when it was written ($t0..$t1)" "" "$bad"
expect_eq "--json: the time equals the one in the status file" \
    "$(cut -d' ' -f2 "$M/nodes/h1/status")" "$(jnode "$T/s.json" h1 time)"

# a new line replaces the old one
prov h1 ready
st --json > "$T/s.json"
expect_eq "a new status replaces the old: h1 ready, step and message gone" "ready|None|None" \
    "$(jnode "$T/s.json" h1 state)|$(jnode "$T/s.json" h1 step)|$(jnode "$T/s.json" h1 message)"
expect_eq "... and the counts move" "{'pending': 1, 'booting': 1, 'provisioning': 1, 'ready': 2, 'failed': 1}" \
    "$(jget "$T/s.json" "d['counts']" 2>&1)"
expect_eq "... in the table too" "pending 1, booting 1, provisioning 1, ready 2, failed 1 ($N nodes)" \
    "$(counts_line)"

# --state and --pnode: the nodes kept, in order, and their counts (of the
# nodes kept, "K of N" in the table); unknown names refused
jnames() { jget "$1" "' '.join(n['name'] for n in d['nodes'])"; }
st --state failed > "$T/f.table"
expect_eq "--state failed: the table lists h3 only" "h3" \
    "$(awk 'NR > 1 && NF >= 4 && $1 !~ /^(pending|\[)/ { printf "%s ", $1 }' "$T/f.table" | sed 's/ $//')"
expect_eq "--state failed: the counts line is of the nodes kept" \
    "pending 0, booting 0, provisioning 0, ready 0, failed 1 (1 of $N nodes)" \
    "$(grep -E '^pending [0-9]+, ' "$T/f.table")"
st --state ready --state booting --json > "$T/f.json"
want=$(for n in $want_nodes; do case $n in gw|h1|h2) printf '%s ' "$n" ;; esac; done | sed 's/ $//')
expect_eq "--state ready --state booting --json: gw, h1, h2 in order" "$want" "$(jnames "$T/f.json")"
expect_eq "... --json counts are of the nodes kept" \
    "{'pending': 0, 'booting': 1, 'provisioning': 0, 'ready': 2, 'failed': 0}" \
    "$(jget "$T/f.json" "d['counts']" 2>&1)"
st --state failed,pending --json > "$T/f.json"
expect_eq "--state failed,pending (a list): h3 and server" "h3 server" \
    "$(jget "$T/f.json" "' '.join(sorted(n['name'] for n in d['nodes']))")"
st --state failed,bogus > "$T/f.out" 2> "$T/f.err"
expect_eq "--state bogus: exit 2, nothing on stdout" "2|" "$?|$(cat "$T/f.out")"
grep -q 'unknown state "bogus" (the states: pending booting provisioning ready failed)' "$T/f.err" &&
    ok "...the error names the word and the states" ||
    notok "...the error names the word and the states" "$(cat "$T/f.err")"
st --pnode pnode-0 --json > "$T/f.json"
want=$(jget "$T/export.json" "' '.join(n['name'] for n in d['nodes'] if n['name'] == 'pnode-0' or n.get('host') == 'pnode-0')")
expect_eq "--pnode pnode-0: the pnode and its containers, in order" "$want" "$(jnames "$T/f.json")"
st --pnode pnode-0 --state ready --json > "$T/f.json"
expect_eq "--pnode pnode-0 --state ready: both filters" "h1 h2" \
    "$(jget "$T/f.json" "' '.join(sorted(n['name'] for n in d['nodes']))")"
st --pnode nope > "$T/f.out" 2> "$T/f.err"
expect_eq "--pnode nope: exit 2" 2 "$?"
grep -q -- '--pnode nope: no such pnode (the pnodes: pnode-0)' "$T/f.err" &&
    ok "...the error names it and the pnodes" ||
    notok "...the error names it and the pnodes" "$(cat "$T/f.err")"

# startstatus and control, written through the mount as a node (and its
# pnode) write them: in the table and in --json
put_f() { printf '%s\n' "$2" > "$M/$1" 2> "$T/put.err" || notok "write $1" "$(cat "$T/put.err")"; }
put_f nodes/h1/startstatus "exited 3 1700000030"
put_f nodes/h1/control 172.30.0.11
put_f nodes/h2/startstatus "running 1700000040"
printf 'exited 300 5\n' > "$M/nodes/h2/startstatus" 2> /dev/null &&
    notok "an exit status over 255 is refused" || ok "an exit status over 255 is refused"
st --json > "$T/s.json"
expect_eq "--json: h1 startstatus, starttime, control" "exited 3|1700000030|172.30.0.11" \
    "$(jnode "$T/s.json" h1 startstatus)|$(jnode "$T/s.json" h1 starttime)|$(jnode "$T/s.json" h1 control)"
expect_eq "--json: h2 running, no control" "running|None" \
    "$(jnode "$T/s.json" h2 startstatus)|$(jnode "$T/s.json" h2 control)"
expect_eq "table: h1's CONTROL and START columns" "172.30.0.11 exited=3" \
    "$(st | awk '$1 == "h1" { print $6, $7 }')"
expect_eq "table: h3 shows - - for them" "- -" \
    "$(st | awk '$1 == "h3" { print $6, $7 }')"

# --- --watch --------------------------------------------------------------------

# A table ends with its counts line ("pending N, ..."): the second one is
# the first refresh, and the watch must still run after it.
TABLE='^pending [0-9]'
timeout 20 "$NEOC" status -d "$DB" --watch > "$T/watch0" 2>&1 &
W=$!
track "$W"
if wait_for 10 count_at_least 2 "$T/watch0" "$TABLE"; then
	ok "--watch refreshes (the second table $WAITED_MS ms after the start)"
else
	notok "--watch refreshes within 10 s" \
	    "$(grep -cE "$TABLE" "$T/watch0") tables" "$(tail -3 "$T/watch0")"
fi
if alive "$W"; then
	ok "--watch keeps watching while nodes are unsettled"
	kill "$W"
	wait "$W" 2> /dev/null
else
	wait "$W"
	notok "--watch keeps watching while nodes are unsettled" "it exited $?" "$(tail -3 "$T/watch0")"
fi

timeout 10 "$NEOC" status -d "$DB" --watch > "$T/watch1" 2>&1 &
W=$!
track "$W"
# the nodes settle once the watch has shown them unsettled
wait_for 5 count_at_least 1 "$T/watch1" "$TABLE" ||
    notok "--watch prints its first table" "$(tail -3 "$T/watch1")"
for n in gw pnode-0 h2 server; do prov "$n" ready; done
# h3 stays failed: ready or failed both settle a node
t0=$(now_ms)
if wait_gone "$W" 60; then
	wait "$W"
	rc=$?
	ms=$(($(now_ms) - t0))
	if [ $rc -eq 0 ]; then
		ok "--watch returns 0 once every node is ready or failed ($ms ms after the last write)"
	else
		notok "--watch returns 0 once every node is ready or failed" "exit $rc" "$(tail -3 "$T/watch1")"
	fi
	expect_eq "--watch: its last counts line" "pending 0, booting 0, provisioning 0, ready $((N - 1)), failed 1 ($N nodes)" \
	    "$(grep -E '^pending [0-9]+, ' "$T/watch1" | tail -n 1)"
else
	kill "$W" 2> /dev/null
	notok "--watch returns once every node is ready or failed (within 6 s)" "$(tail -3 "$T/watch1")"
fi

prov h3 ready
t0=$(now_ms)
out=$(timeout 10 "$NEOC" status -d "$DB" --watch 2>&1)
rc=$?
ms=$(($(now_ms) - t0))
if [ $rc -eq 0 ] && [ $ms -lt 1000 ]; then
	ok "--watch with every node ready returns at once ($ms ms)"
else
	notok "--watch with every node ready returns at once" "exit $rc after $ms ms"
fi
expect_eq "--watch with every node ready: the counts line" \
    "pending 0, booting 0, provisioning 0, ready $N, failed 0 ($N nodes)" \
    "$(echo "$out" | grep -E '^pending [0-9]+, ' | tail -n 1)"
if timeout 10 "$NEOC" status -d "$DB" --watch --json > "$T/wj.json" 2>&1 &&
    [ "$(jget "$T/wj.json" "d['counts']['ready']" 2>&1)" = "$N" ]; then
	ok "--watch --json with every node ready prints one JSON document and returns"
else
	notok "--watch --json with every node ready prints one JSON document and returns" "$(head -c 300 "$T/wj.json")"
fi

# --- errors -----------------------------------------------------------------

out=$(timeout 10 "$NEOC" status -d "$T/nope.db" 2>&1)
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ -n "$out" ] && [ ! -e "$T/nope.db" ]; then
	ok "neoc status of a missing database fails and creates nothing (exit $rc: $(echo "$out" | head -n 1))"
else
	notok "neoc status of a missing database fails and creates nothing" "exit $rc: $out" \
	    "created: $([ -e "$T/nope.db" ] && echo yes || echo no)"
fi
