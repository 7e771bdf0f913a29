#!/bin/sh
# names.sh: names that would be dangerous downstream (in DNS, filenames,
# interface names, shell commands) are either rejected with a clear error
# (exit 1, FILE:LINE: at the line that made the name, database untouched) or
# mapped to safe, unique DNS labels: never passed through.
. "$(dirname "$0")/lib.sh"
NSI=$NC_TOP/tests/data/ns-int

lines() { grep -n 'ERROR-HERE' "$1" | cut -d: -f1 | paste -sd'|' -; }
state() { cat "$1" "$1-wal" 2> /dev/null | sha256sum | cut -d' ' -f1; }

"$NEOC" import -d "$T/base.db" "$CORPUS/basic.ns" > /dev/null 2>&1 ||
	notok "base database from basic.ns"

# safe_export NAME JSON NODES [BAD...]: every name in the export is a valid
# DNS label (nodes, LANs, LAN members, hosts; interface names fit 15 bytes),
# node names are unique ignoring case, NODES experiment nodes are there, and
# no BAD substring appears anywhere in the export.
safe_export() {
	python3 - "$@" <<'PY'
import json, re, sys
name, path, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
bad = sys.argv[4:]
raw = open(path, "rb").read()
try:
    d = json.loads(raw)
except Exception as e:
    print("not ok - %s: export is JSON\n    %s" % (name, e)); sys.exit(0)
LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
probs = []
names = [n["name"] for n in d["nodes"]]
for n in d["nodes"]:
    for v in [n["name"], n.get("host")] :
        if v is not None and not LABEL.match(v):
            probs.append("node name/host %r" % v)
    for i in n["ifaces"]:
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$", i["name"]):
            probs.append("iface %r of %r" % (i["name"], n["name"]))
for l in d["lans"]:
    if not LABEL.match(l["name"]):
        probs.append("LAN name %r" % l["name"])
    for m in l["members"]:
        if m not in names:
            probs.append("LAN %r member %r is no node" % (l["name"], m))
lower = [x.lower() for x in names]
if len(set(lower)) != len(lower):
    probs.append("node names not unique ignoring case: %r" % names)
lnames = [l["name"].lower() for l in d["lans"]]
if len(set(lnames)) != len(lnames):
    probs.append("LAN names not unique: %r" % lnames)
exp = [n for n in d["nodes"] if n["role"] in ("container", "physical")]
if len(exp) != want:
    probs.append("want %d experiment nodes, got %r" % (want, [n["name"] for n in exp]))
for b in bad:
    if b.encode() in raw:
        probs.append("export contains %r" % b)
if probs:
    print("not ok - %s: mapped to safe, unique DNS labels" % name)
    for p in probs:
        print("    " + p)
else:
    print("ok - %s: mapped to safe, unique DNS labels %s" % (name, " ".join(sorted(names))[:200]))
PY
}

# dangerous NAME NODES [BAD...]: import tests/data/ns-int/NAME.ns over a copy
# of the base database; rejected cleanly or mapped safely.
dangerous() {
	n=$1; want=$2; shift 2
	f=$NSI/$n.ns
	db=$T/$n.db
	cp "$T/base.db" "$db"
	before=$(state "$db")
	timeout -k 5 60 "$NEOC" import -d "$db" "$f" > "$T/$n.out" 2> "$T/$n.err"
	rc=$?
	case $rc in
	1)	if grep -Eq "(^|[ :])$f:($(lines "$f")): ." "$T/$n.err"; then
			ok "$n: rejected with $(basename "$f"):LINE: reason"
		else
			notok "$n: rejected with $(basename "$f"):($(lines "$f")): reason" "$(cat "$T/$n.err")"
		fi
		if [ "$(state "$db")" = "$before" ]; then
			ok "$n: rejected, database unchanged"
		else
			notok "$n: rejected, database unchanged"
		fi
		for b in "$@"; do
			if grep -qF -- "$b" "$T/$n.out"; then
				notok "$n: nothing unsafe on stdout" "$(cat "$T/$n.out")"
			fi
		done ;;
	0)	"$NEOC" export -d "$db" --json > "$T/$n.json" 2> "$T/$n.xerr" ||
			notok "$n: export" "$(cat "$T/$n.xerr")"
		safe_export "$n" "$T/$n.json" "$want" "$@"
		if "$NEOC" graph -d "$db" > "$T/$n.dot" 2>&1 && dot -Tsvg "$T/$n.dot" > /dev/null 2>&1; then
			ok "$n: graph of the mapped names renders"
		else
			notok "$n: graph of the mapped names renders" "$(head -20 "$T/$n.dot")"
		fi ;;
	*)	notok "$n: rejected (exit 1) or mapped (exit 0)" "exit $rc" "$(cat "$T/$n.err")" ;;
	esac
}

dangerous names-semicolon 2 ';'
dangerous names-dotdot 2 '../' '/x'
dangerous names-subst 2 '$' '(id' 'id)'
dangerous names-space 2 '`' 'reboot` y' 'x `'
dangerous names-long 2 "$(printf 'a%.0s' $(seq 64))"
dangerous names-utf8 3 'œ' 'é'
dangerous names-hyphen 3 '"-x"' '"_y"'
dangerous names-lan 3 ';' 'rm -rf' '../'
dangerous names-collide 3
dangerous names-case 2

# --- valid long LAN names are kept; their kernel-side forms are not our concern
#     here, but two of them must stay two LANs.
if "$NEOC" import -d "$T/longlan.db" "$NSI/names-longlan.ns" > /dev/null 2> "$T/longlan.err" &&
    "$NEOC" export -d "$T/longlan.db" --json > "$T/longlan.json"; then
	got=$(jget "$T/longlan.json" '" ".join(sorted(l["name"] for l in d["lans"]))')
	expect_eq "names-longlan: long LAN names kept" \
	    "a-rather-long-lan-name-indeed a-rather-long-lan-name-too" "$got"
else
	notok "names-longlan: imports" "$(cat "$T/longlan.err")"
fi

# --- array mangling: n(3) -> n-3, and a two-dimensional array
cat > "$T/arrays.ns" <<'NS'
set ns [new Simulator]
source tb_compat.tcl
set n(3) [$ns node]
set grid(1,2) [$ns node]
set lan(0) [$ns make-lan "$n(3) $grid(1,2)" 100Mb 0ms]
$ns run
NS
if "$NEOC" import -d "$T/arrays.db" "$T/arrays.ns" > /dev/null 2> "$T/arrays.err" &&
    "$NEOC" export -d "$T/arrays.db" --json > "$T/arrays.json"; then
	got=$(jget "$T/arrays.json" '" ".join(sorted(n["name"] for n in d["nodes"] if n["role"] == "container")) + " / " + " ".join(l["name"] for l in d["lans"])')
	expect_eq "arrays: n(3) -> n-3, grid(1,2) -> grid-1-2, lan(0) -> lan-0" "grid-1-2 n-3 / lan-0" "$got"
else
	notok "arrays: import" "$(cat "$T/arrays.err")"
fi

# --- a node is named after its first variable; a later alias does not rename it
cat > "$T/alias.ns" <<'NS'
set ns [new Simulator]
source tb_compat.tcl
set first [$ns node]
set second $first
set other [$ns node]
set l0 [$ns duplex-link $second $other 100Mb 0ms DropTail]
set l1 $l0
$ns run
NS
if "$NEOC" import -d "$T/alias.db" "$T/alias.ns" > /dev/null 2> "$T/alias.err" &&
    "$NEOC" export -d "$T/alias.db" --json > "$T/alias.json"; then
	got=$(jget "$T/alias.json" '" ".join(sorted(n["name"] for n in d["nodes"] if n["role"] == "container")) + " / " + " ".join("%s:%s" % (l["name"], ",".join(l["members"])) for l in d["lans"])')
	expect_eq "alias: named after the first variable" "first other / l0:first,other" "$got"
else
	notok "alias: import" "$(cat "$T/alias.err")"
fi
