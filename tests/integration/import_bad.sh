#!/bin/sh
# import_bad.sh: malformed NS files.  For each case a database is first made
# from a good file and its state (the database and any WAL) hashed; the bad
# import must then exit 1, say "FILE:LINE: reason" on stderr with the file as
# given and the right line (the line marked ERROR-HERE in the fixture), and
# leave the database byte-identical.  Nothing may crash or hang.
. "$(dirname "$0")/lib.sh"
BAD=$NC_TOP/tests/data/bad

# state DB: a hash of everything the database is made of
state() {
	for s in "" -wal -journal; do
		if [ -s "$1$s" ]; then printf '%s ' "$s"; sha256sum < "$1$s"; fi
	done | sha256sum | cut -d' ' -f1
}

"$NEOC" import -d "$T/base.db" "$CORPUS/basic.ns" > /dev/null 2> "$T/base.err" ||
	notok "base database from basic.ns" "$(cat "$T/base.err")"

# lines FILE: the ERROR-HERE lines of FILE as an alternation, e.g. "6|9"
lines() { grep -n 'ERROR-HERE' "$1" | cut -d: -f1 | paste -sd'|' -; }

# bad NAME FILE LINES REASON [REASON2]: import FILE (with $EXTRA options)
# over a copy of the base database.  LINES: alternation of acceptable
# line numbers ("[0-9]+" for any); REASON(s): extended regexps the message
# must match (case-insensitive).  $LIMIT: seconds the run may take.
bad() {
	name=$1 f=$2 want=$3 r1=$4 r2=${5:-.}
	db=$T/$name.db
	cp "$T/base.db" "$db"
	before=$(state "$db")
	t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout -k 5 "${LIMIT:-60}" "$NEOC" import -d "$db" ${EXTRA:-} "$f" \
	    > "$T/$name.out" 2> "$T/$name.err"
	rc=$?
	t1=$(date +%s)
	err=$(head -c 2000 "$T/$name.err")
	if [ $rc -eq 1 ]; then
		ok "$name: exits 1"
	else
		notok "$name: exits 1" "exit status $rc after $((t1 - t0)) s" "$err"
	fi
	msg=$(grep -E "(^|[ :])$(printf '%s' "$f" | sed 's#[][\.^$*+?(){}|]#\\&#g'):($want): " "$T/$name.err" | head -1)
	if [ -n "$msg" ]; then
		ok "$name: reports $(basename "$f"):$want:"
	else
		notok "$name: reports $(basename "$f"):$want:" "want a line with $f:($want): reason" "got:  $err"
	fi
	# the reason is judged on its own (even if the line was wrong)
	[ -n "$msg" ] || msg=$(grep -F -- "$f" "$T/$name.err" | head -1)
	if [ -n "$msg" ] && echo "$msg" | grep -Eiq -- "$r1" && echo "$msg" | grep -Eiq -- "$r2"; then
		ok "$name: the reason names what is wrong"
	else
		notok "$name: the reason names what is wrong" "want: /$r1/ and /$r2/" "got:  ${msg:-$err}"
	fi
	if [ "$(state "$db")" = "$before" ]; then
		ok "$name: database unchanged"
	else
		notok "$name: database unchanged" "$(ls -l "$db"*)"
	fi
	if grep -q 'AddressSanitizer\|runtime error:\|Segmentation\|Aborted' "$T/$name.err"; then
		notok "$name: no crash" "$err"
	fi
	[ $rc -ne 0 ] || "$NEOC" export -d "$db" --json > /dev/null 2>&1 ||
		notok "$name: database still exports"
}

# A fixture: lines from its ERROR-HERE markers.
badf() {	# badf NAME REASON [REASON2]
	bad "$1" "$BAD/$1.ns" "$(lines "$BAD/$1.ns")" "$2" "${3:-.}"
}

# --- a string, a link where a node is needed ---------------------------------
badf not-a-node 'node'
badf not-a-node-lan 'node'
badf not-a-node-tb 'node'
badf link-not-node 'node'

# --- addresses ----------------------------------------------------------------
badf bad-ip '10\.1\.1\.300'
badf bad-ip-word 'ten\.one\.one\.two'
badf dup-ip '10\.1\.1\.2'
badf dup-ip-links '10\.1\.1\.1'
badf ip-two-links 'link'
badf wide-netmask 'mask|255\.0\.0\.0'

# --- units and values -----------------------------------------------------------
badf bad-unit '100Xb'
badf bad-delay-unit '10parsecs'
badf low-bandwidth 'bandwidth|kbit|5kb'
badf low-bandwidth-set 'bandwidth|kbit|9000'
badf bad-loss 'loss|1\.5'
badf bad-failure-action 'explode'

# --- Tcl errors -------------------------------------------------------------------
badf syntax 'brace'
badf syntax-bracket 'bracket'
badf tcl-error '.'

# --- images ------------------------------------------------------------------------
badf unknown-image 'acme/nonexistent64' 'webserver'

# --- empty, no nodes -----------------------------------------------------------------
bad empty "$BAD/empty.ns" '[0-9]+' 'node|empty'
bad no-nodes "$BAD/no-nodes.ns" '[0-9]+' 'node|empty'

# --- a relative path is reported as given --------------------------------------------
(cd "$NC_TOP/tests/data" && bad relative-path bad/bad-unit.ns "$(lines bad/bad-unit.ns)" '100Xb')

# --- binary garbage: seeded (reproducible), /dev/urandom, an ELF binary ----------------
for seed in 1 2 3; do
	python3 -c 'import random,sys; sys.stdout.buffer.write(random.Random(int(sys.argv[1])).randbytes(4096))' \
	    "$seed" > "$T/garbage-$seed.ns"
	LIMIT=20 bad "garbage-$seed" "$T/garbage-$seed.ns" '[0-9]+' '.'
done
head -c 4096 /dev/urandom > "$T/garbage-urandom.ns"
LIMIT=20 bad garbage-urandom "$T/garbage-urandom.ns" '[0-9]+' '.' > "$T/urandom.res"
cat "$T/urandom.res"
if grep -q '^not ok' "$T/urandom.res"; then	# keep the input to reproduce
	keep=$(mktemp /tmp/nc-int-garbage.XXXXXX)
	cp "$T/garbage-urandom.ns" "$keep"
	echo "    the random input is kept in $keep"
fi
cp /bin/true "$T/elf.ns"
LIMIT=20 bad elf-binary "$T/elf.ns" '[0-9]+' '.'
printf 'set ns [new Simulator]\nset a [$ns node]\nset b "\000\001\002"\n\001\002\377\376 ;# ERROR-HERE\n$ns run\n' > "$T/nul.ns"
LIMIT=20 bad control-bytes "$T/nul.ns" '3|4' '.'

# --- 10 MB files: import or fail cleanly, within seconds ----------------------------------
# (a) 10 MB of comments around valid content: either it imports (and then
# the nodes are right) or it fails cleanly (exit 1, file:line, db unchanged).
big=$T/big-comments.ns
{
	echo 'set ns [new Simulator]'
	echo 'source tb_compat.tcl'
	python3 -c 'import sys; sys.stdout.write(("# " + "x" * 97 + "\n") * 104858)'
	echo 'set a [$ns node]'
	echo 'set b [$ns node]'
	echo 'set l0 [$ns duplex-link $a $b 100Mb 5ms DropTail]'
	echo '$ns run'
} > "$big"
cp "$T/base.db" "$T/big.db"
before=$(state "$T/big.db")
t0=$(date +%s)
timeout -k 5 30 "$NEOC" import -d "$T/big.db" "$big" > "$T/big.out" 2> "$T/big.err"
rc=$?
t1=$(date +%s)
case $rc in
0)	ok "10MB-comments: imports (exit 0) in $((t1 - t0)) s"
	"$NEOC" export -d "$T/big.db" --json > "$T/big.json" 2>&1
	got=$(jget "$T/big.json" '" ".join(sorted(n["name"] for n in d["nodes"] if n["role"] == "container")) + " " + ";".join("%s:%s:%s" % (l["name"], l["bandwidth_kbps"], l["delay_ms"]) for l in d["lans"])' 2>&1)
	expect_eq "10MB-comments: nodes a b, l0 100000 kbit/s 5 ms" "a b l0:100000:5" "$got" ;;
1)	if grep -Eq "$big:[0-9]+: " "$T/big.err" && [ "$(state "$T/big.db")" = "$before" ]; then
		ok "10MB-comments: fails cleanly (exit 1, file:line, db unchanged) in $((t1 - t0)) s"
	else
		notok "10MB-comments: fails cleanly" "$(head -c 1000 "$T/big.err")"
	fi ;;
*)	notok "10MB-comments: imports or fails cleanly" "exit $rc after $((t1 - t0)) s" "$(head -c 1000 "$T/big.err")" ;;
esac
[ $((t1 - t0)) -le 20 ] && ok "10MB-comments: within 20 s" ||
	notok "10MB-comments: within 20 s" "took $((t1 - t0)) s"

# (b) 10 MB of junk: must fail cleanly within seconds.
python3 -c 'import random,sys; sys.stdout.buffer.write(random.Random(10).randbytes(10 * 1024 * 1024))' > "$T/big-junk.ns"
t0=$(date +%s)
LIMIT=30 bad 10MB-junk "$T/big-junk.ns" '[0-9]+' '.'
t1=$(date +%s)
[ $((t1 - t0)) -le 20 ] && ok "10MB-junk: within 20 s" ||
	notok "10MB-junk: within 20 s" "took $((t1 - t0)) s"
# (c) one 10 MB line: a word that is no command
{ printf 'set ns [new Simulator]\nset a [$ns node]\n'; python3 -c 'import sys; sys.stdout.write("z" * (10 * 1024 * 1024))'; printf '\n$ns run\n'; } > "$T/big-line.ns"
t0=$(date +%s)
LIMIT=30 bad 10MB-line "$T/big-line.ns" '[0-9]+' '.'
t1=$(date +%s)
[ $((t1 - t0)) -le 20 ] && ok "10MB-line: within 20 s" ||
	notok "10MB-line: within 20 s" "took $((t1 - t0)) s"

# --- files that never end: --time-limit 1 stops them within a few seconds ---------------
# (lib.sh's notok uses the variable l: loops here use other names)
for lp in loop loop-busy; do
	t0=$(date +%s)
	EXTRA="--time-limit 1" LIMIT=30 badf "$lp" 'time|limit|took longer'
	t1=$(date +%s)
	[ $((t1 - t0)) -le 5 ] && ok "$lp: stopped within 5 s" ||
		notok "$lp: stopped within 5 s" "took $((t1 - t0)) s"
done
EXTRA=
t0=$(date +%s)
timeout -k 5 30 "$NEOC" check --time-limit 1 "$BAD/loop.ns" > /dev/null 2> "$T/check-loop.err"
rc=$?
t1=$(date +%s)
if [ $rc -eq 1 ] && [ $((t1 - t0)) -le 5 ] && grep -Eiq "$BAD/loop.ns:[0-9]+: .*(time|limit|took longer)" "$T/check-loop.err"; then
	ok "check --time-limit 1 loop.ns: exit 1 within 5 s, file:line: time limit"
else
	notok "check --time-limit 1 loop.ns: exit 1 within 5 s, file:line: time limit" "exit $rc after $((t1 - t0)) s" "$(cat "$T/check-loop.err")"
fi

# --- an NS file cannot reach the shell or the filesystem --------------------------------------
# exec and open are no commands here: an error (or, at least, a warning) at
# the line, and nothing happens.
for c in exec open; do
	pwn=/tmp/nc-int-pwned-$c
	rm -f "$pwn"
	f=$BAD/$c.ns
	cp "$T/base.db" "$T/$c.db"
	timeout -k 5 30 "$NEOC" import -d "$T/$c.db" "$f" > /dev/null 2> "$T/$c.err"
	rc=$?
	if [ -e "$pwn" ]; then
		notok "$c.ns: $c has no effect" "$pwn was created"
		rm -f "$pwn"
	else
		ok "$c.ns: $c has no effect"
	fi
	if { [ $rc -eq 1 ] || [ $rc -eq 0 ]; } && grep -q "$f:$(lines "$f"): " "$T/$c.err"; then
		ok "$c.ns: exit $rc with a message at $c.ns:$(lines "$f")"
	else
		notok "$c.ns: an error or warning at $c.ns:$(lines "$f")" "exit $rc" "$(cat "$T/$c.err")"
	fi
done
badf source-file '.'
if grep -q 'root:' "$T/source-file.err"; then
	notok "source-file: no content of /etc/passwd in the message" "$(cat "$T/source-file.err")"
else
	ok "source-file: no content of /etc/passwd in the message"
fi

# --- a failed import into a new path creates no database ---------------------------------------
"$NEOC" import -d "$T/never.db" "$BAD/bad-unit.ns" > /dev/null 2>&1
if ls "$T"/never.db* > /dev/null 2>&1; then
	notok "a failed import creates no database" "$(ls -l "$T"/never.db*)"
else
	ok "a failed import creates no database"
fi
