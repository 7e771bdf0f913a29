#!/bin/sh
# demo.sh: what `make demo` runs after building, from the top of the tree.
# Imports examples/small-lan.ns into build/demo/experiment.db and shows it:
# the import summary, the JSON export and the Graphviz graph (rendered to
# SVG when `dot` is installed).  The files stay in build/demo/ to look at.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
neoc=$top/bin/neoc
ns=${1:-$top/examples/small-lan.ns}
out=$top/build/demo
db=$out/experiment.db

heading() { printf '\n==== %s ====\n\n' "$*"; }

if [ ! -x "$neoc" ]; then
	echo "demo: $neoc is missing; run 'make' first" >&2
	exit 1
fi
mkdir -p "$out"
rm -f "$db" "$db-wal" "$db-shm"

heading "The NS file: ${ns#"$top"/}"
cat "$ns"

heading "neoc import -d ${db#"$top"/} ${ns#"$top"/}"
"$neoc" import -d "$db" "$ns"

heading "neoc export -d ${db#"$top"/} --json"
"$neoc" export -d "$db" --json > "$out/experiment.json"
cat "$out/experiment.json"

heading "neoc graph -d ${db#"$top"/}"
"$neoc" graph -d "$db" > "$out/experiment.dot"
cat "$out/experiment.dot"

if command -v dot > /dev/null 2>&1; then
	heading "neoc graph -d ${db#"$top"/} --svg ${out#"$top"/}/experiment.svg"
	"$neoc" graph -d "$db" --svg "$out/experiment.svg"
	echo "the topology drawn as SVG: $out/experiment.svg"
else
	heading "SVG"
	echo "graphviz 'dot' is not installed: no SVG (apt-get install graphviz)"
fi

heading "Files"
echo "database:  $db"
echo "JSON:      $out/experiment.json"
echo "dot:       $out/experiment.dot"
