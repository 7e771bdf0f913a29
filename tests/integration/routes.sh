#!/bin/sh
# routes.sh: `$ns rtproto Static` routes installed in LXC containers by
# `neoc up` on one machine (as up_local.sh: inside one pnode's view of
# netns.lib).  The containers are pinned to busybox (tb-set-node-os), so no
# package mirror is needed.
#
# examples/two-lans.ns: a1 reaches b1 on the other LAN through router,
# whose forwarding is on; the routes are those of the tree; a bad route
# written to /nc is refused; a route taken out of the tree is deleted by the
# next up.  tests/data/routes/chain.ns: a reaches b three routers away, and
# back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

M=$T/nc

fatal() { notok "$@"; exit 1; }
cleanup() {
	set +e
	for db in "$T/two.db" "$T/chain.db"; do
		[ -e "$db.up" ] && pn_exec pc "$NEOC" down -d "$db" -q > /dev/null 2>&1
	done
	pn_destroy_all
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

[ "$(id -u)" -eq 0 ] || fatal "runs as root (netns, LXC)"
need_cmds lxc-create lxc-start vde_switch ip nsenter unshare diod python3
pn_init || fatal "the host bridge"
pn_create pc "$PN_NET.2/24" || fatal "the machine's namespace"
PORT=$(free_port)
export NCPROV_RC_DIR=$NC_TOP/provision/rc
in_pc() { pn_exec pc "$@"; }

# busybox FILE NODES...: FILE with its nodes pinned to busybox, into $T
busybox() {
	_f=$1; shift
	_out=$T/$(basename "$_f")
	sed '/^\$ns run/d' "$_f" > "$_out"
	for _n in "$@"; do echo "tb-set-node-os \$$_n busybox" >> "$_out"; done
	echo '$ns run' >> "$_out"
	echo "$_out"
}
up() {
	_db=$1; shift
	in_pc "$NEOC" up -d "$_db" --no-auth --listen "0.0.0.0:$PORT" \
	    --mount "$M" --ready-timeout 90 "$@"
}
down() { in_pc "$NEOC" down -d "$1" > /dev/null 2>&1; }
ex() { _db=$1; shift; in_pc timeout 30 "$NEOC" exec -d "$_db" "$@"; }
states() {
	"$NEOC" status -d "$1" --json 2> /dev/null | python3 -c '
import json, sys
print(" ".join(sorted(set(n["state"] for n in json.load(sys.stdin)["nodes"]))))'
}

# ---- two LANs and a router ----
DB=$T/two.db
NS=$(busybox "$NC_TOP/examples/two-lans.ns" router a1 a2 b1 b2)
t0=$(now_ms)
up "$DB" "$NS" > "$T/up1.out" 2> "$T/up1.err"
expect_eq "up examples/two-lans.ns (busybox) exits 0 ($(( ($(now_ms) - t0) / 1000 )) s)" \
    0 "$?" "$(cat "$T/up1.err")" "$(tail -15 "$T/up1.out")"
expect_eq "...every node ready" "ready" "$(states "$DB")"
expect_eq "the tree has a1's route to lanB via the router" \
    "10.0.1.0/24 via 10.0.0.1" "$(in_pc cat "$M/nodes/a1/routes")"
out=$(ex "$DB" a1 -- ip route show 2>&1)
echo "$out" | grep -q "^10\.0\.1\.0/24 via 10\.0\.0\.1 " &&
    ok "a1's kernel has the route" || notok "a1's kernel has the route" "$out"
expect_eq "the router forwards" "1" \
    "$(ex "$DB" router -- cat /proc/sys/net/ipv4/ip_forward 2>&1)"
out=$(ex "$DB" a1 -- ping -c 2 -W 2 b1 2>&1)
expect_eq "a1 pings b1 (lanB) through the router" 0 "$?" "$out"
out=$(ex "$DB" b2 -- ping -c 2 -W 2 a2 2>&1)
expect_eq "b2 pings a2 (lanA) through the router" 0 "$?" "$out"

# a bad route is refused and changes nothing
# (coreutils' echo, which names the errno; dash's says "I/O error")
if in_pc sh -c "env echo '10.0.1.0/24 via 10.9.9.9' > '$M/nodes/a1/routes'" 2> "$T/bad.err"; then
	notok "a gateway on none of a1's LANs is refused" "the write succeeded"
else
	grep -q "Invalid argument" "$T/bad.err" &&
	    ok "a gateway on none of a1's LANs is refused (EINVAL)" ||
	    notok "a gateway on none of a1's LANs is refused (EINVAL)" "$(cat "$T/bad.err")"
fi
expect_eq "...the route stays" "10.0.1.0/24 via 10.0.0.1" \
    "$(in_pc cat "$M/nodes/a1/routes")"

# a route taken out of the tree goes at the next up
in_pc sh -c ": > '$M/nodes/a1/routes'" 2> "$T/empty.err" ||
    notok "empty a1's routes" "$(cat "$T/empty.err")"
up "$DB" > "$T/up2.out" 2> "$T/up2.err"
expect_eq "up after the edit exits 0" 0 "$?" "$(cat "$T/up2.err")"
out=$(ex "$DB" a1 -- ip route show 2>&1)
echo "$out" | grep -q "^10\.0\.1\.0/24 " &&
    notok "...a1's route is gone" "$out" || ok "...a1's route is gone"
out=$(ex "$DB" a1 -- ping -c 1 -W 1 b1 2>&1)
expect_eq "...and a1 no longer reaches b1" 1 "$([ $? -ne 0 ] && echo 1 || echo 0)" "$out"
down "$DB"
expect_eq "down: no container left" "" "$(in_pc lxc-ls -P /var/lib/neoc/lxc | xargs)"

# ---- a chain: b is three routers away from a ----
DB=$T/chain.db
NS=$(busybox "$NC_TOP/tests/data/routes/chain.ns" a r1 r2 r3 b)
up "$DB" "$NS" > "$T/up3.out" 2> "$T/up3.err"
expect_eq "up tests/data/routes/chain.ns exits 0" 0 "$?" \
    "$(cat "$T/up3.err")" "$(tail -15 "$T/up3.out")"
expect_eq "...every node ready" "ready" "$(states "$DB")"
out=$(ex "$DB" a -- ping -c 2 -W 2 b 2>&1)
expect_eq "a pings b, three routers away" 0 "$?" "$out"
out=$(ex "$DB" b -- ping -c 2 -W 2 a 2>&1)
expect_eq "b pings a back" 0 "$?" "$out"
expect_eq "r1 r2 r3 forward" "1 1 1" "$(for r in r1 r2 r3; do
    ex "$DB" $r -- cat /proc/sys/net/ipv4/ip_forward; done 2>&1 | xargs)"
down "$DB"
pn_destroy_all
expect_eq "nothing left" "" "$(pn_leftovers)"
