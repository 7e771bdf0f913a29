#!/bin/sh
# export_stable.sh: the same file imported twice (into two databases, or
# twice into one) gives byte-identical JSON, addresses and MACs included;
# import -> export -> import --json -> export is byte-identical too.
. "$(dirname "$0")/lib.sh"
EX=$NC_TOP/examples

# same NAME FILE [OPTIONS...]
same() {
	n=$1; f=$2; shift 2
	for k in 1 2; do
		"$NEOC" import -d "$T/$n-$k.db" "$@" "$f" > /dev/null 2> "$T/$n-$k.err" ||
			notok "$n: import $k" "$(cat "$T/$n-$k.err")"
		"$NEOC" export -d "$T/$n-$k.db" --json > "$T/$n-$k.json" 2>> "$T/$n-$k.err"
	done
	if [ -s "$T/$n-1.json" ] && cmp -s "$T/$n-1.json" "$T/$n-2.json"; then
		ok "$n: two imports, byte-identical JSON"
	else
		notok "$n: two imports, byte-identical JSON" "$(diff "$T/$n-1.json" "$T/$n-2.json" | head -20)"
	fi
	# the same file again into the first database (replace)
	"$NEOC" import -d "$T/$n-1.db" "$@" "$f" > /dev/null 2>&1
	"$NEOC" export -d "$T/$n-1.db" --json > "$T/$n-3.json" 2>&1
	if [ -s "$T/$n-1.json" ] && cmp -s "$T/$n-1.json" "$T/$n-3.json"; then
		ok "$n: re-import into the same database, byte-identical JSON"
	else
		notok "$n: re-import into the same database, byte-identical JSON" "$(diff "$T/$n-1.json" "$T/$n-3.json" | head -20)"
	fi
	# round trip through JSON
	"$NEOC" import -d "$T/$n-rt.db" --json "$T/$n-1.json" > /dev/null 2> "$T/$n-rt.err" ||
		notok "$n: import --json" "$(cat "$T/$n-rt.err")"
	"$NEOC" export -d "$T/$n-rt.db" --json > "$T/$n-rt.json" 2>> "$T/$n-rt.err"
	if [ -s "$T/$n-1.json" ] && cmp -s "$T/$n-1.json" "$T/$n-rt.json"; then
		ok "$n: import -> export -> import --json -> export byte-identical"
	else
		notok "$n: import -> export -> import --json -> export byte-identical" "$(diff "$T/$n-1.json" "$T/$n-rt.json" | head -20)" "$(cat "$T/$n-rt.err")"
	fi
	# and once more: the JSON import is itself stable
	"$NEOC" import -d "$T/$n-rt2.db" --json "$T/$n-rt.json" > /dev/null 2>&1
	"$NEOC" export -d "$T/$n-rt2.db" --json > "$T/$n-rt2.json" 2>&1
	if [ -s "$T/$n-rt.json" ] && cmp -s "$T/$n-rt.json" "$T/$n-rt2.json"; then
		ok "$n: second JSON round trip byte-identical"
	else
		notok "$n: second JSON round trip byte-identical" "$(diff "$T/$n-rt.json" "$T/$n-rt2.json" | head -20)"
	fi
}

same basic "$CORPUS/basic.ns"
same example4 "$CORPUS/example4.tcl"
same small-lan "$EX/small-lan.ns"
same star "$EX/star.ns"
same images "$EX/images.ns"
same thousand "$EX/thousand.ns"
same thousand-placed "$EX/thousand.ns" --pnodes 120 --capacity 10
same basic-named "$CORPUS/basic.ns" --name demo --project sec --group lab --subnet 172.16.0.0/12

# names given on the command line reach the export
got=$(jget "$T/basic-named-1.json" '"%s %s %s" % (d["experiment"]["name"], d["experiment"]["project"], d["experiment"]["group"])' 2>&1)
expect_eq "basic-named: --name --project --group in the export" "demo sec lab" "$got"
got=$(jget "$T/basic-named-1.json" 'all(i["ip"].startswith("172.") and 16 <= int(i["ip"].split(".")[1]) < 32 for n in d["nodes"] for i in n["ifaces"])' 2>&1)
expect_eq "basic-named: --subnet 172.16.0.0/12 gives the addresses" "True" "$got"

# with secrets: users and password hashes survive the round trip too
mkdir -p "$T/tmcc"
cp "$NC_TOP/tests/data/tmcc-int/"* "$T/tmcc/" 2>/dev/null
"$NEOC" import -d "$T/acct.db" "$CORPUS/basic.ns" > /dev/null 2>&1
if "$NEOC" import -d "$T/acct.db" --tmcc "$T/tmcc" > /dev/null 2> "$T/acct.err"; then
	"$NEOC" export -d "$T/acct.db" --json --secrets > "$T/acct.json"
	"$NEOC" import -d "$T/acct-rt.db" --json "$T/acct.json" > /dev/null 2> "$T/acct-rt.err"
	"$NEOC" export -d "$T/acct-rt.db" --json --secrets > "$T/acct-rt.json"
	if [ -s "$T/acct.json" ] && cmp -s "$T/acct.json" "$T/acct-rt.json"; then
		ok "accounts: --secrets export round trip byte-identical"
	else
		notok "accounts: --secrets export round trip byte-identical" "$(diff "$T/acct.json" "$T/acct-rt.json" | head -20)" "$(cat "$T/acct-rt.err")"
	fi
else
	notok "accounts: tmcc import" "$(cat "$T/acct.err")"
fi
