#!/bin/sh
# graph.sh: `neoc graph` prints Graphviz dot that dot(1) renders, naming
# every node and showing links with their bandwidth/delay; --svg FILE writes
# an SVG.
. "$(dirname "$0")/lib.sh"
EX=$NC_TOP/examples

for f in "$CORPUS/basic.ns" "$CORPUS/example4.tcl" "$EX/small-lan.ns" "$EX/star.ns" "$EX/images.ns"; do
	n=$(basename "$f" | sed 's/\..*//')
	"$NEOC" import -d "$T/$n.db" "$f" > /dev/null 2> "$T/$n.err" ||
		notok "$n: import" "$(cat "$T/$n.err")"
	if "$NEOC" graph -d "$T/$n.db" > "$T/$n.dot" 2> "$T/$n.gerr"; then
		ok "$n: graph exits 0"
	else
		notok "$n: graph exits 0" "$(cat "$T/$n.gerr")"
	fi
	if dot -Tsvg "$T/$n.dot" > "$T/$n.svg" 2> "$T/$n.doterr" && grep -q '<svg' "$T/$n.svg"; then
		ok "$n: dot -Tsvg renders the output"
	else
		notok "$n: dot -Tsvg renders the output" "$(cat "$T/$n.doterr")" "$(head -10 "$T/$n.dot")"
	fi
	# every node of the export is named in the graph
	"$NEOC" export -d "$T/$n.db" --json > "$T/$n.json" 2>/dev/null
	missing=$(python3 - "$T/$n.json" "$T/$n.dot" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); dot = open(sys.argv[2]).read()
print(" ".join(n["name"] for n in d["nodes"] if n["role"] != "config" and n["name"] not in dot))
PY
)
	expect_eq "$n: every node is in the graph" "" "$missing"
done

# basic.ns: containers grouped by pnode (a cluster), links labelled
if grep -q 'subgraph' "$T/basic.dot" && grep -q 'pnode-0' "$T/basic.dot"; then
	ok "basic: containers grouped in a subgraph per pnode"
else
	notok "basic: containers grouped in a subgraph per pnode" "$(cat "$T/basic.dot")"
fi
if grep -Eiq '100 ?(Mb|Mbps|Mbit)' "$T/basic.dot"; then
	ok "basic: links labelled with their bandwidth"
else
	notok "basic: links labelled with their bandwidth" "$(cat "$T/basic.dot")"
fi
if grep -Eq '10 ?ms' "$T/example4.dot"; then
	ok "example4: links labelled with their delay"
else
	notok "example4: links labelled with their delay" "$(head -30 "$T/example4.dot")"
fi

# --svg FILE writes an SVG (and nothing else on stdout)
rm -f "$T/out.svg"
if "$NEOC" graph -d "$T/basic.db" --svg "$T/out.svg" > "$T/svg.out" 2> "$T/svg.err" &&
    head -c 512 "$T/out.svg" | grep -q '<svg\|<?xml' && grep -q '</svg>' "$T/out.svg"; then
	ok "graph --svg FILE writes an SVG"
else
	notok "graph --svg FILE writes an SVG" "$(cat "$T/svg.err")" "$(head -c 300 "$T/out.svg" 2>&1)"
fi
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$T/out.svg" 2> "$T/xml.err" &&
	ok "graph --svg: the SVG is well-formed XML" || notok "graph --svg: the SVG is well-formed XML" "$(tail -2 "$T/xml.err")"
grep -q 'lan0' "$T/out.svg" && ok "graph --svg: the SVG shows lan0" || notok "graph --svg: the SVG shows lan0"

# --svg into a directory that does not exist: an error, not a crash
"$NEOC" graph -d "$T/basic.db" --svg "$T/no/such/dir/x.svg" > /dev/null 2> "$T/svg2.err"
rc=$?
if [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ -s "$T/svg2.err" ]; then
	ok "graph --svg into a missing directory: non-zero with a message"
else
	notok "graph --svg into a missing directory: non-zero with a message" "exit $rc"
fi

# a 1,000-node graph is still valid dot (checked by nop -p, graphviz's
# parser without a layout: laying it out takes half a minute)
"$NEOC" import -d "$T/k.db" "$EX/thousand.ns" > /dev/null 2>&1
"$NEOC" graph -d "$T/k.db" > "$T/k.dot" 2>&1
if nop -p "$T/k.dot" > /dev/null 2> "$T/k.err"; then
	ok "thousand: graph parses as dot"
else
	notok "thousand: graph parses as dot" "$(head -5 "$T/k.err")"
fi
got=$(grep -c -- '--' "$T/k.dot")
expect_eq "thousand: 1000 LAN-member edges and 100 links in the graph" 1100 "$got"
