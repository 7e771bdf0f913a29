#!/bin/sh
# import_warn.sh: ns-2 features the testbed ignores (agents, traffic
# generators, $ns at, queues and their set calls, unknown $ns methods) and
# the quirks of real files import with exit 0 and warnings naming file:line.
. "$(dirname "$0")/lib.sh"
NSI=$NC_TOP/tests/data/ns-int

# marked FILE TAG: the lines marked WARN-TAG, as an alternation
marked() { grep -n "WARN-$2" "$1" | cut -d: -f1 | paste -sd'|' -; }

f=$NSI/ns2-features.ns
if "$NEOC" import -d "$T/f.db" "$f" > "$T/f.out" 2> "$T/f.err"; then
	ok "ns2-features: exit 0"
else
	notok "ns2-features: exit 0" "$(cat "$T/f.err")"
fi
if grep -q '^imported ' "$T/f.out"; then
	ok "ns2-features: summary on stdout"
else
	notok "ns2-features: summary on stdout" "$(cat "$T/f.out")"
fi
for w in agent at queue unknown; do
	if grep -Eq "^$f:($(marked "$f" "$w")): warning: " "$T/f.err"; then
		ok "ns2-features: warning for $w at $(basename "$f"):($(marked "$f" "$w"))"
	else
		notok "ns2-features: warning for $w at $(basename "$f"):($(marked "$f" "$w"))" "$(cat "$T/f.err")"
	fi
done
if grep -Eq "^$f:$(marked "$f" unknown): warning: .*frobnicate" "$T/f.err"; then
	ok "ns2-features: the unknown method is named"
else
	notok "ns2-features: the unknown method is named" "$(cat "$T/f.err")"
fi
if grep -v "^$f:[0-9][0-9]*: warning: " "$T/f.err" > "$T/f.other"; then
	notok "ns2-features: every line on stderr is a file:line: warning" "$(cat "$T/f.other")"
else
	ok "ns2-features: every line on stderr is a file:line: warning"
fi
# a warning in a loop is given once, not once per iteration
cat > "$T/loop.ns" <<'NS'
set ns [new Simulator]
source tb_compat.tcl
set a [$ns node]
set b [$ns node]
set l0 [$ns duplex-link $a $b 10Mb 5ms DropTail]
for {set i 0} {$i < 1000} {incr i} {
    $ns at $i "puts $i"
}
$ns run
NS
"$NEOC" import -d "$T/loop.db" "$T/loop.ns" > /dev/null 2> "$T/loop.err"
rc=$?
n=$(grep -c warning "$T/loop.err")
if [ $rc -eq 0 ] && [ "$n" -ge 1 ] && [ "$n" -le 2 ]; then
	ok "1000 \$ns at in a loop: exit 0, one warning ($n)"
else
	notok "1000 \$ns at in a loop: exit 0, one warning" "exit $rc, $n warnings" "$(head -5 "$T/loop.err")"
fi
"$NEOC" export -d "$T/f.db" --json > "$T/f.json" 2>&1
got=$(jget "$T/f.json" '" ".join(sorted(n["name"] for n in d["nodes"] if n["role"] == "container")) + " / " + " ".join("%s:%s:%s:%s:%s" % (l["name"], l["kind"], ",".join(l["members"]), l["bandwidth_kbps"], l["delay_ms"]) for l in d["lans"])' 2>&1)
expect_eq "ns2-features: the topology imported (agents are no nodes)" "a b / l0:link:a,b:10000:5" "$got"

# neoc check prints the same warnings and exits 0
"$NEOC" check "$f" > /dev/null 2> "$T/c.err"
expect_eq "ns2-features: check exits 0" 0 $?
if cmp -s "$T/f.err" "$T/c.err"; then
	ok "ns2-features: check prints the same warnings"
else
	notok "ns2-features: check prints the same warnings" "$(diff "$T/f.err" "$T/c.err")"
fi

# --- quirks of real files ----------------------------------------------------
f=$NSI/quirks.ns
if "$NEOC" import -d "$T/q.db" "$f" > "$T/q.out" 2> "$T/q.err"; then
	ok "quirks: exit 0"
else
	notok "quirks: exit 0" "$(cat "$T/q.err")"
fi
if grep -Eq "^$f:$(marked "$f" rtproto): warning: .*Bogus" "$T/q.err"; then
	ok "quirks: warning for rtproto Bogus at its line"
else
	notok "quirks: warning for rtproto Bogus at its line" "$(cat "$T/q.err")"
fi
if grep -v "^$f:[0-9][0-9]*: warning: " "$T/q.err" > "$T/q.other"; then
	notok "quirks: every line on stderr is a file:line: warning" "$(cat "$T/q.other")"
else
	ok "quirks: every line on stderr is a file:line: warning"
fi
"$NEOC" export -d "$T/q.db" --json > "$T/q.json" 2>&1
python3 - "$T/q.json" <<'PY'
import json, sys
def case(name, cond, *why):
    print(("ok - " if cond else "not ok - ") + name)
    if not cond:
        for w in why: print("    " + str(w))
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    case("quirks: export is JSON", False, e); sys.exit(0)
ls = sorted((l["kind"], tuple(l["members"]), l["bandwidth_kbps"]) for l in d["lans"])
want = sorted([("link", ("a", "b"), 100000), ("link", ("b", "c"), 1000), ("link", ("b", "c"), 2000),
               ("lan", ("a", "c", "d"), 100000)])
case("quirks: ns without $, bare bits/s, two links b-c, LAN from lappend+join", ls == want,
     "want: %r" % want, "got:  %r" % ls)
names = [l["name"] for l in d["lans"]]
case("quirks: link and LAN names are unique", len(set(names)) == len(names), names)
case("quirks: the first link held by l is named l", any(l["name"] == "l" and l["bandwidth_kbps"] == 1000 for l in d["lans"]),
     [(l["name"], l["bandwidth_kbps"]) for l in d["lans"]])
b = [n for n in d["nodes"] if n["name"] == "b"]
case("quirks: b has three interfaces", b and [i["name"] for i in b[0]["ifaces"]] == ["eth1", "eth2", "eth3"], b)
PY
