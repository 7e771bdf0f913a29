#!/bin/sh
# lans.sh: the shape of bench/neoc-up (bench/gen-lans: K LANs of M hosts
# behind routers, `$ns rtproto Static`) at a small size, 4 LANs of 5
# behind 2 routers (22 debian-12 containers), brought up by `neoc up` on
# one machine (inside one pnode's view of netns.lib, as up_local.sh).
# routes.sh has one router between two LANs and a chain of routers joined
# by links; here each router serves two LANs, and a LAN reaches the LANs
# of its own router and, over the link, those of the other.
#
# Checks:
#  - up exits 0; l1h1, made to fail (its start command's user is unknown,
#    failure action nonfatal), is failed and every other node ready;
#  - what up prints reads at any size: on stdout one line for the one node
#    that failed (name, step, reason), none per node otherwise, and the
#    counts line "pending 0, ..., ready 22, failed 1 (23 nodes)"; on stderr
#    (not a terminal) the counts as plain lines, at least 5 s apart but for
#    the last, which says 23/23 settled, no terminal escapes anywhere; -q
#    prints the result line only; on a terminal (script(1)) a bar redrawn
#    in place, erased before the result;
#  - the routers forward; l0h0 reaches a host of lan2 (its router's other
#    LAN) and of lan3 (through both routers), l3h4 reaches l0h0 back, and
#    l1h2 reaches l2h3 (r1 to r0);
#  - neoc down leaves nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

DB=$T/e.db
M=$T/nc

trap _pn_machine_cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
pn_machine lxc-start vde_switch ip nsenter unshare diod python3 script
ex() { in_pc timeout 60 "$NEOC" exec -d "$DB" "$@"; }
up() {
	in_pc "$NEOC" up -d "$DB" --no-auth --listen "0.0.0.0:$PORT" \
	    --mount "$M" --ready-timeout 300 "$@"
}

"$NC_TOP/bench/gen-lans" 4 5 2 | sed '/^\$ns run/d' > "$T/e.ns" ||
    fatal "bench/gen-lans 4 5 2"
cat >> "$T/e.ns" <<'EOF'
tb-set-node-startcmd $l1h1 "true"
tb-add-node-attribute $l1h1 startcmd_user nosuchuser
tb-set-node-failure-action $l1h1 nonfatal
$ns run
EOF
expect_eq "gen-lans 4 5 2: 22 nodes, 4 LANs, 1 link" "22 4 1" \
    "$(grep -c '\[\$ns node\]' "$T/e.ns") $(grep -c 'make-lan' "$T/e.ns") $(grep -c 'duplex-link' "$T/e.ns")"

t0=$(now_ms)
up --capacity 22 "$T/e.ns" > "$T/up1.out" 2> "$T/up1.err"
rc=$?
expect_eq "neoc up of 4 LANs of 5 behind 2 routers exits 0 ($(( ($(now_ms) - t0) / 1000 )) s)" \
    0 "$rc" "$(tail -8 "$T/up1.err")" "$(tail -8 "$T/up1.out")"
expect_eq "l1h1 failed, every other node ready" "failed:l1h1 ready:22" \
    "$("$NEOC" status -d "$DB" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)["nodes"]
f = [n["name"] for n in d if n["state"] == "failed"]
print("failed:" + ",".join(f), "ready:%d" % sum(n["state"] == "ready" for n in d))')"

# --- what up printed ---------------------------------------------------------
expect_eq "stdout: one line for a node, the one that failed, with its step" \
    "1 l1h1 failed at startcmd:" \
    "$(grep -c -E '(^|[] ])(r[01]|l[0-9]h[0-9])( |$)' "$T/up1.out") $(grep -E ' l1h1 ' "$T/up1.out" | sed 's/^\[ *[0-9.]*s\] *//' | awk '{ print $1, $2, $3, $4 }')"
expect_eq "stdout: the counts of the nodes" \
    "pending 0, booting 0, provisioning 0, ready 22, failed 1 (23 nodes)" \
    "$(grep -E '^pending [0-9]+, ' "$T/up1.out")"
tail -n 1 "$T/up1.out" | grep -q '^up in [0-9.]* s$' &&
    ok "stdout: the last line says up in N s" ||
    notok "stdout: the last line says up in N s" "$(tail -3 "$T/up1.out")"
grep -q 'neoc up: l1h1 failed at startcmd: ' "$T/up1.err" &&
    grep -q 'neoc up: l1h1: failure action nonfatal: not fatal' "$T/up1.err" &&
    ok "stderr: the failure with its step and reason, not fatal" ||
    notok "stderr: the failure with its step and reason, not fatal" "$(cat "$T/up1.err")"
grep -E '^neoc up: \[ *[0-9.]+s\] [0-9]+/23 settled: pending ' "$T/up1.err" > "$T/counts"
expect_eq "stderr: the last counts line says 23/23 settled" \
    "23/23 settled: pending 0, booting 0, provisioning 0, ready 22, failed 1" \
    "$(tail -n 1 "$T/counts" | sed 's/^neoc up: \[ *[0-9.]*s\] //')"
gaps=$(sed 's/^neoc up: \[ *\([0-9.]*\)s\].*/\1/' "$T/counts" |
    awk 'NR > 1 { print $1 - p } { p = $1 }' | sed '$d' |
    awk '$1 < 4.9 { print }')
expect_eq "stderr: $(wc -l < "$T/counts") counts lines, at least 5 s apart (but the last)" "" "$gaps" \
    "$(cat "$T/counts")"
expect_eq "no terminal escapes on stdout or stderr (neither is a terminal)" 0 \
    "$(cat "$T/up1.out" "$T/up1.err" | tr -d -c '\033\r' | wc -c)"
up -q > "$T/up2.out" 2> "$T/up2.err"
expect_eq "neoc up -q again: exit 0, the result line only, no counts on stderr" \
    "0 1 0" "$? $(wc -l < "$T/up2.out") $(grep -c 'settled:' "$T/up2.err")" \
    "$(cat "$T/up2.out")"

# on a terminal (script(1) gives up one): the bar, redrawn with \r and
# erased at the end, instead of the counts lines
in_pc script -qec "'$NEOC' up -d '$DB' --no-auth --listen 0.0.0.0:$PORT --mount '$M'" \
    /dev/null > "$T/up3.tty" 2>&1
expect_eq "neoc up on a terminal exits 0" 0 "$?" "$(tail -5 "$T/up3.tty")"
tty_check() {
	python3 - "$T/up3.tty" <<'EOF'
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bars = [m.start() for m in re.finditer(r"\r\x1b\[K\[#+\] 23/23  pending 0 booting 0 "
                                      r"provisioning 0 ready 22 failed 1 ", t)]
res = t.find("pending 0, booting 0, provisioning 0, ready 22, failed 1 (23 nodes)")
print(len(bars) >= 1, res > (bars[-1] if bars else 1 << 30),
      "\r\x1b[K" in t[bars[-1] + 3:res] if bars and res > 0 else False,
      "settled:" in t)
EOF
}
expect_eq "...the bar drawn in place (full: 23/23), erased before the result, no counts lines" \
    "True True True False" "$(tty_check 2>&1)" "$(cat -v "$T/up3.tty" | tail -8)"

# --- routes ------------------------------------------------------------------
expect_eq "r0 and r1 forward" "1 1" "$(for r in r0 r1; do
    ex "$r" -- cat /proc/sys/net/ipv4/ip_forward; done 2>&1 | xargs)"
for pair in l0h0:l2h4:"lan2, its router's other LAN" \
    l0h0:l3h4:"lan3, through both routers" l3h4:l0h0:"lan0, back" \
    l1h2:l2h3:"lan2, from r1's LAN to r0's"; do
	s=${pair%%:*} rest=${pair#*:}
	d=${rest%%:*}
	out=$(ex "$s" -- ping -c 2 -W 3 "$d" 2>&1)
	expect_eq "$s pings $d (${rest#*:})" 0 "$?" "$out" \
	    "$(in_pc cat "$M/nodes/$s/routes" 2>&1 | head -5)"
done

in_pc "$NEOC" down -d "$DB" -q > "$T/down.out" 2>&1
expect_eq "neoc down exits 0" 0 "$?" "$(cat "$T/down.out")"
expect_eq "down: no container left" "" "$(in_pc lxc-ls -P /var/lib/neoc/lxc | xargs)"
pn_destroy_all
expect_eq "nothing left" "" "$(pn_leftovers)"
