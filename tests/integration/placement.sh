#!/bin/sh
# placement.sh: every container gets a pnode; --pnodes N --capacity C
# balances without going over C and keeps LAN members together where
# possible; containers:partition and tb-fix-node pin; single-machine mode;
# the control node; embedded physical nodes; impossible placements fail.
. "$(dirname "$0")/lib.sh"
NSI=$NC_TOP/tests/data/ns-int
state() { cat "$1" "$1-wal" 2> /dev/null | sha256sum | cut -d' ' -f1; }

PYPRE='
import json, sys, collections
def case(name, cond, *why):
    print(("ok - " if cond else "not ok - ") + name)
    if not cond:
        for w in why: print("    " + str(w))
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    case(sys.argv[2] + ": export is JSON", False, e); sys.exit(0)
tag = sys.argv[2] + ": "
nodes = {n["name"]: n for n in d["nodes"]}
cont = {n: nodes[n] for n in nodes if nodes[n]["role"] == "container"}
pnodes = sorted(n for n in nodes if nodes[n]["role"] == "pnode")
load = collections.Counter(n["host"] for n in cont.values())
host = lambda n: nodes.get(n, {}).get("host")
'
pycheck() { python3 -c "$PYPRE
$(cat)" "$@"; }

# imp NAME FILE ARGS...
imp() {
	n=$1; f=$2; shift 2
	if "$NEOC" import -d "$T/$n.db" "$@" "$f" > "$T/$n.out" 2> "$T/$n.err"; then
		ok "$n: import $* exits 0"
	else
		notok "$n: import $* exits 0" "$(cat "$T/$n.err")"
	fi
	"$NEOC" export -d "$T/$n.db" --json > "$T/$n.json" 2> /dev/null
}

# --- three LANs of 4, 3, 3 on three pnodes of capacity 4
imp lans "$NSI/place-lans.ns" --pnodes 3 --capacity 4
grep -Eq '\(10 containers? on 3 pnodes?\)' "$T/lans.out" && ok "lans: summary says 10 containers on 3 pnodes" ||
	notok "lans: summary says 10 containers on 3 pnodes" "$(cat "$T/lans.out")"
pycheck "$T/lans.json" lans <<'PY'
case(tag + "pnodes pnode-0 pnode-1 pnode-2", pnodes == ["pnode-0", "pnode-1", "pnode-2"], pnodes)
case(tag + "10 containers", len(cont) == 10, sorted(cont))
case(tag + "every container on a pnode", all(n["host"] in pnodes for n in cont.values()),
     [(k, n["host"]) for k, n in cont.items()])
case(tag + "no pnode over capacity 4", max(load.values() or [0]) <= 4, dict(load))
for l in d["lans"]:
    if l["kind"] == "lan":
        hs = sorted(set(host(m) for m in l["members"]))
        case(tag + "LAN %s together on one pnode" % l["name"], len(hs) == 1, hs)
case(tag + "pnodes hold no pnode, config has no host",
     all(nodes[p].get("host") in (None, "") for p in pnodes) and all(n.get("host") in (None, "") for n in d["nodes"] if n["role"] == "config"),
     [(n["name"], n.get("host")) for n in d["nodes"] if n["role"] != "container"])
PY

# --- pins
imp pins "$NSI/place-pins.ns" --pnodes 3 --capacity 4
pycheck "$T/pins.json" pins <<'PY'
case(tag + "every container on a pnode", len(cont) == 10 and all(n["host"] in pnodes for n in cont.values()),
     [(k, n["host"]) for k, n in cont.items()])
case(tag + "no pnode over capacity 4", max(load.values() or [0]) <= 4, dict(load))
case(tag + "containers:partition 2 pins x-0 to pnode-2", host("x-0") == "pnode-2", host("x-0"))
case(tag + "tb-fix-node pins x-1 to pnode-1", host("x-1") == "pnode-1", host("x-1"))
case(tag + "the partition attribute is kept", ["containers:partition", "2"] in nodes.get("x-0", {}).get("attributes", []),
     nodes.get("x-0", {}).get("attributes"))
PY

# --- a LAN larger than a pnode is split, everything placed
imp biglan "$NSI/place-biglan.ns" --pnodes 3 --capacity 4
pycheck "$T/biglan.json" biglan <<'PY'
case(tag + "7 containers all placed", len(cont) == 7 and all(n["host"] in pnodes for n in cont.values()),
     [(k, n["host"]) for k, n in cont.items()])
case(tag + "no pnode over capacity 4", max(load.values() or [0]) <= 4, dict(load))
lan = [l for l in d["lans"] if l["kind"] == "lan"][0]
case(tag + "the LAN of 6 spans exactly 2 pnodes", len(set(host(m) for m in lan["members"])) == 2,
     [(m, host(m)) for m in lan["members"]])
PY

# --- default capacity 10: 1,000 containers need 100 pnodes
"$NEOC" import -d "$T/cap.db" --pnodes 99 "$NC_TOP/examples/thousand.ns" > /dev/null 2> "$T/cap.err"
expect_eq "thousand on 99 pnodes of default capacity 10: no room, exit 1" 1 $?
imp thousand "$NC_TOP/examples/thousand.ns" --pnodes 100
pycheck "$T/thousand.json" thousand <<'PY'
case(tag + "100 pnodes, 10 containers each (default capacity)", len(pnodes) == 100 and set(load.values()) == {10},
     len(pnodes), collections.Counter(load.values()))
split = [l["name"] for l in d["lans"] if l["kind"] == "lan" and len(set(host(m) for m in l["members"])) != 1]
case(tag + "every LAN of 10 on one pnode", not split, split[:10])
PY

# --- no room: 13 containers, 3 pnodes of 4
cat > "$T/full.ns" <<'NS'
set ns [new Simulator]
source tb_compat.tcl
for {set i 0} {$i < 13} {incr i} { set n($i) [$ns node] }
$ns run
NS
"$NEOC" import -d "$T/full.db" "$CORPUS/basic.ns" > /dev/null 2>&1
before=$(state "$T/full.db")
"$NEOC" import -d "$T/full.db" --pnodes 3 --capacity 4 "$T/full.ns" > /dev/null 2> "$T/full.err"
rc=$?
if [ $rc -eq 1 ] && [ -s "$T/full.err" ] && [ "$(state "$T/full.db")" = "$before" ]; then
	ok "13 containers on 3 pnodes of 4: exit 1 with a message, db unchanged"
else
	notok "13 containers on 3 pnodes of 4: exit 1 with a message, db unchanged" "exit $rc" "$(cat "$T/full.err")"
fi

# --- pins to pnodes that do not exist: errors at the line of the pin
for pin in "tb-fix-node \$n(1) pnode-7" "tb-add-node-attribute \$n(1) containers:partition 5" \
    "tb-add-node-attribute \$n(1) containers:partition many"; do
	printf 'set ns [new Simulator]\nsource tb_compat.tcl\nfor {set i 0} {$i < 4} {incr i} { set n($i) [$ns node] }\n%s\n$ns run\n' "$pin" > "$T/pin.ns"
	"$NEOC" import -d "$T/pin.db" --pnodes 3 "$T/pin.ns" > /dev/null 2> "$T/pin.err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "$T/pin.ns:4: " "$T/pin.err"; then
		ok "'$pin' with 3 pnodes: exit 1, pin.ns:4:"
	else
		notok "'$pin' with 3 pnodes: exit 1, pin.ns:4:" "exit $rc" "$(cat "$T/pin.err")"
	fi
done

# --- single-machine mode: every container on pnode-0, an implicit config
imp single "$NSI/place-lans.ns"
pycheck "$T/single.json" single <<'PY'
case(tag + "one pnode pnode-0", pnodes == ["pnode-0"], pnodes)
case(tag + "all 10 containers on pnode-0, no capacity limit", len(cont) == 10 and set(load) == {"pnode-0"}, dict(load))
cfg = [n["name"] for n in d["nodes"] if n["role"] == "config"]
case(tag + "an implicit control node config", cfg == ["config"], cfg)
case(tag + "the experiment names its control node", d["experiment"].get("control") == "config", d["experiment"])
PY

# --- a node named config is the control node; embedded_pnode is physical
imp control "$NSI/place-control.ns"
pycheck "$T/control.json" control <<'PY'
cfg = [n["name"] for n in d["nodes"] if n["role"] == "config"]
case(tag + "the file's config is the control node, none added", cfg == ["config"] and list(nodes).count("config") == 1, cfg)
case(tag + "router is physical", nodes.get("router", {}).get("role") == "physical", nodes.get("router"))
case(tag + "web is the only container, on pnode-0", sorted(cont) == ["web"] and host("web") == "pnode-0", sorted(cont))
case(tag + "the link web-router is kept", [l["members"] for l in d["lans"]] == [["web", "router"]], d["lans"])
PY

# --- --control NAME
cat > "$T/ctl.ns" <<'NS'
set ns [new Simulator]
source tb_compat.tcl
set boss [$ns node]
set a [$ns node]
set b [$ns node]
set l0 [$ns duplex-link $a $b 100Mb 0ms DropTail]
$ns run
NS
imp ctl "$T/ctl.ns" --control boss
pycheck "$T/ctl.json" ctl <<'PY'
cfg = [n["name"] for n in d["nodes"] if n["role"] == "config"]
case(tag + "--control boss: boss is the control node, no config added", cfg == ["boss"] and "config" not in nodes, cfg, sorted(nodes))
case(tag + "experiment.control is boss", d["experiment"].get("control") == "boss", d["experiment"])
case(tag + "a and b are containers", sorted(cont) == ["a", "b"], sorted(cont))
PY
"$NEOC" import -d "$T/ctl2.db" --control nobody "$T/ctl.ns" > /dev/null 2> "$T/ctl2.err"
rc=$?
if [ $rc -eq 0 ]; then
	"$NEOC" export -d "$T/ctl2.db" --json > "$T/ctl2.json"
	got=$(jget "$T/ctl2.json" '[n["name"] for n in d["nodes"] if n["role"] == "config"] == [d["experiment"]["control"]] == ["nobody"]')
	expect_eq "--control nobody (no such node): an implicit control node nobody" "True" "$got"
else
	expect_eq "--control nobody (no such node): an error" 1 $rc
fi
