#!/bin/sh
# cli.sh: the command line of neoc: --help everywhere, unknown commands and
# options, `neoc check` (exit 0/1, never writes a database), the default
# database ./experiment.db, missing files.
. "$(dirname "$0")/lib.sh"
BAD=$NC_TOP/tests/data/bad

# --- help: exit 0, usage on stdout, nothing on stderr
for c in "" import export check graph; do
	# shellcheck disable=SC2086
	"$NEOC" $c --help > "$T/help.out" 2> "$T/help.err"
	rc=$?
	name="neoc${c:+ $c} --help"
	if [ $rc -eq 0 ] && grep -qi 'usage' "$T/help.out" && [ ! -s "$T/help.err" ]; then
		ok "$name: exit 0, usage on stdout"
	else
		notok "$name: exit 0, usage on stdout" "exit $rc" "stdout: $(head -3 "$T/help.out")" "stderr: $(head -3 "$T/help.err")"
	fi
	[ -n "$c" ] && ! grep -q "$c" "$T/help.out" && notok "$name: names the command" "$(head -3 "$T/help.out")"
done
"$NEOC" --help > "$T/help.out" 2>&1
for c in import export check graph; do
	grep -q "$c" "$T/help.out" || notok "neoc --help lists $c" "$(cat "$T/help.out")"
done
for o in --name --project --group --pnodes --capacity --control --subnet --time-limit --tmcc --pnode --passwd --json; do
	"$NEOC" import --help 2>&1 | grep -q -- "$o" || notok "neoc import --help mentions $o"
done
"$NEOC" export --help 2>&1 | grep -q -- '--secrets' || notok "neoc export --help mentions --secrets"
"$NEOC" graph --help 2>&1 | grep -q -- '--svg' || notok "neoc graph --help mentions --svg"

# --- unknown command, unknown option, no command: non-zero, usage on stderr
"$NEOC" frobnicate > "$T/u.out" 2> "$T/u.err"
rc=$?
if [ $rc -ne 0 ] && grep -qi usage "$T/u.err" && [ ! -s "$T/u.out" ]; then
	ok "neoc frobnicate: non-zero, usage on stderr"
else
	notok "neoc frobnicate: non-zero, usage on stderr" "exit $rc" "stdout: $(cat "$T/u.out")" "stderr: $(cat "$T/u.err")"
fi
grep -q frobnicate "$T/u.err" || notok "neoc frobnicate: names the unknown command" "$(cat "$T/u.err")"
"$NEOC" > "$T/u.out" 2> "$T/u.err"
rc=$?
if [ $rc -ne 0 ] && grep -qi usage "$T/u.err"; then
	ok "neoc (no command): non-zero, usage on stderr"
else
	notok "neoc (no command): non-zero, usage on stderr" "exit $rc" "$(cat "$T/u.err")"
fi
for c in import export check graph; do
	(cd "$T" && mkdir -p opt && cd opt && "$NEOC" $c --no-such-option "$CORPUS/basic.ns" > "$T/o.out" 2> "$T/o.err")
	rc=$?
	if [ $rc -ne 0 ] && [ -s "$T/o.err" ] && ! ls "$T/opt/"*.db > /dev/null 2>&1; then
		ok "neoc $c --no-such-option: non-zero with a message, no database"
	else
		notok "neoc $c --no-such-option: non-zero with a message, no database" "exit $rc" "$(cat "$T/o.err")" "$(ls "$T/opt")"
	fi
done
for a in "--pnodes x" "--pnodes -1" "--capacity 0" "--time-limit abc" "--subnet 10.0.0.0/33" "--subnet 300.0.0.0/8"; do
	# shellcheck disable=SC2086
	"$NEOC" import -d "$T/opt.db" $a "$CORPUS/basic.ns" > /dev/null 2> "$T/o.err"
	rc=$?
	if [ $rc -ne 0 ] && [ -s "$T/o.err" ] && [ ! -e "$T/opt.db" ]; then
		ok "neoc import $a: refused"
	else
		notok "neoc import $a: refused" "exit $rc" "$(cat "$T/o.err")"
		rm -f "$T/opt.db"*
	fi
done

# --- neoc check: exit 0 on good files, 1 on bad ones, never a database
mkdir "$T/cwd"
for f in "$CORPUS"/*.ns "$CORPUS"/*.tcl "$NC_TOP"/examples/*.ns; do
	(cd "$T/cwd" && "$NEOC" check "$f" > "$T/c.out" 2> "$T/c.err")
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "check $(basename "$f"): exit 0"
	else
		notok "check $(basename "$f"): exit 0" "exit $rc" "$(head -5 "$T/c.err")"
	fi
done
for f in "$BAD"/bad-ip.ns "$BAD"/syntax.ns "$BAD"/not-a-node.ns "$BAD"/unknown-image.ns "$BAD"/dup-ip.ns "$BAD"/empty.ns; do
	(cd "$T/cwd" && "$NEOC" check "$f" > "$T/c.out" 2> "$T/c.err")
	rc=$?
	line=$(grep -n 'ERROR-HERE' "$f" | head -1 | cut -d: -f1)
	if [ $rc -eq 1 ] && grep -Eq "$f:${line:-[0-9]+}: " "$T/c.err"; then
		ok "check $(basename "$f"): exit 1 with $(basename "$f"):${line:-N}:"
	else
		notok "check $(basename "$f"): exit 1 with $(basename "$f"):${line:-N}:" "exit $rc" "$(head -5 "$T/c.err")"
	fi
done
if [ -z "$(ls -A "$T/cwd")" ]; then
	ok "check creates no file in the current directory"
else
	notok "check creates no file in the current directory" "$(ls -A "$T/cwd")"
fi
# check leaves an existing ./experiment.db alone, and ignores -d if given
(cd "$T/cwd" && "$NEOC" import "$CORPUS/basic.ns" > /dev/null 2>&1)
sum=$(cat "$T/cwd/experiment.db" 2> /dev/null | sha256sum)
(cd "$T/cwd" && "$NEOC" check "$CORPUS/parsable.ns" > /dev/null 2>&1)
if [ -f "$T/cwd/experiment.db" ] && [ "$(sha256sum < "$T/cwd/experiment.db")" = "$sum" ]; then
	ok "check leaves ./experiment.db as it was"
else
	notok "check leaves ./experiment.db as it was"
fi

# --- the default database is ./experiment.db
if [ -f "$T/cwd/experiment.db" ]; then
	ok "import without -d writes ./experiment.db"
else
	notok "import without -d writes ./experiment.db" "$(ls -A "$T/cwd")"
fi
(cd "$T/cwd" && "$NEOC" export --json > "$T/def.json" 2> "$T/def.err")
got=$(jget "$T/def.json" '" ".join(sorted(n["name"] for n in d["nodes"] if n["role"] == "container"))' 2>&1)
expect_eq "export without -d reads ./experiment.db" "A B C D" "$got"
(cd "$T/cwd" && "$NEOC" graph > "$T/def.dot" 2>&1)
grep -q 'graph' "$T/def.dot" && ok "graph without -d reads ./experiment.db" ||
	notok "graph without -d reads ./experiment.db" "$(head -5 "$T/def.dot")"

# --- missing inputs
"$NEOC" import -d "$T/m.db" "$T/no-such-file.ns" > /dev/null 2> "$T/m.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "no-such-file.ns" "$T/m.err" && [ ! -e "$T/m.db" ]; then
	ok "import of a missing file: exit 1, names it, no database"
else
	notok "import of a missing file: exit 1, names it, no database" "exit $rc" "$(cat "$T/m.err")"
fi
"$NEOC" check "$T/no-such-file.ns" > /dev/null 2> "$T/m.err"
expect_eq "check of a missing file: exit 1" 1 $?
"$NEOC" export -d "$T/none/x.db" --json > /dev/null 2> "$T/m.err"
rc=$?
if [ $rc -ne 0 ] && [ -s "$T/m.err" ]; then
	ok "export of a missing database: non-zero with a message"
else
	notok "export of a missing database: non-zero with a message" "exit $rc"
fi
"$NEOC" export -d "$T/none.db" --json > /dev/null 2>&1
if [ $? -ne 0 ] && [ ! -e "$T/none.db" ]; then
	ok "export of a missing database creates none"
else
	notok "export of a missing database creates none" "$(ls -l "$T"/none.db* 2>&1)"
fi
"$NEOC" graph -d "$T/none.db" > /dev/null 2>&1
if [ $? -ne 0 ] && [ ! -e "$T/none.db" ]; then
	ok "graph of a missing database: non-zero, creates none"
else
	notok "graph of a missing database: non-zero, creates none"
fi
# a file that is not a database
echo "not a database" > "$T/junk.db"
"$NEOC" export -d "$T/junk.db" --json > /dev/null 2> "$T/j.err"
rc=$?
if [ $rc -ne 0 ] && [ -s "$T/j.err" ]; then
	ok "export of a file that is no database: non-zero with a message"
else
	notok "export of a file that is no database: non-zero with a message" "exit $rc"
fi

# --- import --json of bad JSON: exit 1, the database unchanged
"$NEOC" import -d "$T/js.db" "$CORPUS/basic.ns" > /dev/null 2>&1
sum=$(sha256sum < "$T/js.db")
printf '{"experiment": {"name": "x"}, "nodes": [' > "$T/trunc.json"
"$NEOC" import -d "$T/js.db" --json "$T/trunc.json" > /dev/null 2> "$T/js.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "trunc.json" "$T/js.err" && [ "$(sha256sum < "$T/js.db")" = "$sum" ]; then
	ok "import --json of truncated JSON: exit 1 naming the file, db unchanged"
else
	notok "import --json of truncated JSON: exit 1 naming the file, db unchanged" "exit $rc" "$(cat "$T/js.err")"
fi
"$NEOC" export -d "$T/js.db" --json > "$T/js.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["nodes"][0]["ifaces"] = [{"name": "eth1", "lan": "nolan", "ip": "10.1.1.300", "netmask": "255.255.255.0", "mac": "02:00:00:00:00:01"}]
d["nodes"][1]["name"] = "a;b"
json.dump(d, open(sys.argv[2], "w"))' "$T/js.json" "$T/evil.json"
"$NEOC" import -d "$T/js.db" --json "$T/evil.json" > /dev/null 2> "$T/js.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "evil.json" "$T/js.err" && [ "$(sha256sum < "$T/js.db")" = "$sum" ]; then
	ok "import --json with a bad name and address: exit 1, db unchanged"
else
	notok "import --json with a bad name and address: exit 1, db unchanged" "exit $rc" "$(cat "$T/js.err")"
fi
