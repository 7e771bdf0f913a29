#!/bin/sh
# fetch_consistent.sh: a node's configuration read at once over 9P
# (ncprov --fetch, nodes/<n>/bundle), against neoc serve on loopback.
#
#  - for every node, `ncprov --9p ... show` prints the same with --fetch
#    bundle (the default), pipeline and each, and the bundle one makes a
#    handful of 9P sends where each makes hundreds;
#  - no torn configuration: while a writer moves h1's LAN address back and
#    forth through the mount (each write one transaction, changing the
#    interface's ip and h1's line in hosts together), bundle fetches never
#    show an ip that is not the one hosts has, and they saw both addresses
#    (the edits did land between fetches).  How often the fetches file by
#    file (--fetch each) were torn is printed, not asserted;
#  - a server without the bundle (a plain diod exporting a copy of a node's
#    subtree) is read by the pipelined fallback: the same output as each.
#
# Every process the test starts is recorded in $T/pids and every mount lives
# under $T; the exit trap stops them and unmounts, and a watchdog does the
# same after $NC_TEST_LIMIT seconds (default 240).
. "$(dirname "$0")/lib.sh"

NCPROV=$NC_TOP/bin/ncprov
DIOD=/usr/sbin/diod
LIMIT=${NC_TEST_LIMIT:-240}
FETCHES=${NC_FETCHES:-60}
: > "$T/pids"

cleanup() {
	set +e
	stop_watchdog
	stop_tracked
	unmount_all
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
start_watchdog

need_exec "is built / installed" "" "$NEOC" "$NCPROV" "$NC_TOP/bin/ncfs" "$DIOD"

DB=$T/e.db
M=$T/nc
mkdir -p "$M"
if ! "$NEOC" import -d "$DB" "$NC_TOP/examples/small-lan.ns" > "$T/import.log" 2>&1; then
	notok "import small-lan.ns" "$(tail -3 "$T/import.log")"
	exit 1
fi
PORT=$(free_port)
"$NEOC" serve -d "$DB" --mount "$M" --listen "127.0.0.1:$PORT" --no-auth -f \
    --pidfile "$T/serve.pid" > "$T/serve.log" 2>&1 &
SP=$!
track "$SP"
if ! wait_up "$M" "$PORT" "$SP"; then
	notok "neoc serve comes up" "$(tail -5 "$T/serve.log")"
	exit 1
fi
for c in $(children "$SP"); do track "$c"; done

# p9 ARGS...: ncprov against the serve (aname = the mount point).
p9() { timeout 20 "$NCPROV" --9p "127.0.0.1:$PORT" --aname "$M" "$@"; }

# --- the three ways agree -------------------------------------------------

bad=''
for n in $(ls "$M/nodes"); do
	for f in bundle pipeline each; do
		p9 --node "$n" --fetch "$f" show > "$T/show.$f" 2> "$T/show.$f.err" ||
		    bad="$bad $n/$f: exit $? $(head -c 200 "$T/show.$f.err")"
	done
	cmp -s "$T/show.bundle" "$T/show.each" || bad="$bad $n: bundle differs"
	cmp -s "$T/show.pipeline" "$T/show.each" || bad="$bad $n: pipeline differs"
	[ -s "$T/show.each" ] || bad="$bad $n: empty"
	grep -q "/bundle:" "$T/show.each" && bad="$bad $n: show prints the bundle"
done
if [ -z "$bad" ]; then
	ok "show of every node: --fetch bundle, pipeline and each print the same"
else
	notok "show of every node: --fetch bundle, pipeline and each print the same" "$bad"
fi

# requests: strace counts the sends; a bundle fetch makes a few exchanges
if command -v strace > /dev/null 2>&1; then
	for f in bundle each; do
		strace -f -e trace=sendto -o "$T/strace.$f" "$NCPROV" --9p \
		    "127.0.0.1:$PORT" --aname "$M" --node h1 --fetch "$f" show \
		    > /dev/null 2>&1
		eval "sends_$f=$(grep -c 'sendto(' "$T/strace.$f")"
	done
	# bundle: version, attach, walk, lopen+getattr, read+read, clunk
	# (6), then keys/ and accounts/ (per-user views the bundle lists but
	# does not hold) listed live: walk, lopen, two readdirs, clunk each
	if [ "$sends_bundle" -le 16 ] && [ "$sends_each" -ge 100 ]; then
		ok "show h1 sends $sends_bundle times with the bundle, $sends_each file by file"
	else
		notok "show h1 sends at most 16 times with the bundle, 100 or more file by file" \
		    "bundle: $sends_bundle sends, each: $sends_each"
	fi
fi

# --- no torn configuration ------------------------------------------------

IF=''
for i in "$M"/nodes/h1/ifaces/*; do
	[ "$(cat "$i/lan")" = lan0 ] && IF=$(basename "$i")
done
[ -n "$IF" ] || { notok "h1 has an interface on lan0"; exit 1; }
A=192.168.1.11
B=192.168.1.111

# The writer: A, B, A, B ... until told to stop; every write is one commit
# that changes nodes/h1/ifaces/IF/ip and h1's line of hosts together.
: > "$T/writes"
(
	while [ ! -e "$T/stop" ]; do
		echo "$B" > "$M/nodes/h1/ifaces/$IF/ip" && echo B >> "$T/writes"
		sleep 0.002
		echo "$A" > "$M/nodes/h1/ifaces/$IF/ip" && echo A >> "$T/writes"
		sleep 0.002
	done
) &
WP=$!
track "$WP"

# check OUT: "torn IP HOSTS" when the ip and the hosts line differ, else the
# ip; "none" when either is missing.
check() {
	awk -v ip="nodes/h1/ifaces/$IF/ip:" '
		$1 == ip { a = $2 }
		$1 == "nodes/h1/hosts:" && $3 == "h1-lan0" { h = $2 }
		END {
			if (a == "" || h == "") print "none"
			else if (a != h) print "torn", a, h
			else print a
		}' "$1"
}

: > "$T/seen.bundle"
: > "$T/seen.each"
i=0
while [ $i -lt "$FETCHES" ]; do
	for f in bundle each; do
		p9 --node h1 --fetch "$f" show > "$T/f.out" 2> "$T/f.err" ||
		    echo "error $(head -c 200 "$T/f.err")" >> "$T/seen.$f"
		check "$T/f.out" >> "$T/seen.$f"
	done
	i=$((i + 1))
done
touch "$T/stop"
wait "$WP" 2> /dev/null
writes=$(grep -c . "$T/writes")

torn=$(grep -c -e '^torn' -e '^none' -e '^error' "$T/seen.bundle")
if [ "$torn" -eq 0 ]; then
	ok "$FETCHES bundle fetches during $writes edits: never a torn configuration"
else
	notok "$FETCHES bundle fetches during $writes edits: never a torn configuration" \
	    "$(grep -e '^torn' -e '^none' -e '^error' "$T/seen.bundle" | sort | uniq -c | head -5)"
fi
na=$(grep -cx "$A" "$T/seen.bundle")
nb=$(grep -cx "$B" "$T/seen.bundle")
if [ "$na" -gt 0 ] && [ "$nb" -gt 0 ] && [ "$writes" -ge 10 ]; then
	ok "the edits landed between fetches: $na saw $A, $nb saw $B"
else
	notok "the edits landed between fetches" "$A: $na, $B: $nb, $writes writes"
fi
echo "# file by file (--fetch each): $(grep -c '^torn' "$T/seen.each") of $FETCHES fetches torn"
# the last write left A: every way reads it now
p9 --node h1 show > "$T/f.out" 2>&1
expect_eq "after the edits, the bundle has the last value" "$(check "$T/f.out")" "$A"

# --- a server without the bundle: the pipelined fallback ------------------

C=$T/copy
mkdir -p "$C/nodes"
cp -r "$M/nodes/h1" "$C/nodes/h1"
rm -f "$C/nodes/h1/bundle"
DPORT=$(free_port)
if diod_start "$DPORT" "$C" "$T/diod.log"; then
	for f in bundle pipeline each; do
		timeout 20 "$NCPROV" --9p "127.0.0.1:$DPORT" --aname "$C" --node h1 \
		    --fetch "$f" show > "$T/copy.$f" 2> "$T/copy.$f.err"
		echo $? > "$T/copy.$f.rc"
	done
	if [ "$(cat "$T/copy.bundle.rc")" = 0 ] && [ -s "$T/copy.each" ] &&
	    grep -q "^nodes/h1/hosts: " "$T/copy.each" &&
	    cmp -s "$T/copy.bundle" "$T/copy.each" &&
	    cmp -s "$T/copy.pipeline" "$T/copy.each"; then
		ok "no bundle on the server: the pipelined fallback reads what each does"
	else
		notok "no bundle on the server: the pipelined fallback reads what each does" \
		    "$(diff "$T/copy.bundle" "$T/copy.each" | head -5)" \
		    "$(head -c 200 "$T/copy.bundle.err")"
	fi
else
	notok "a plain diod on the copy comes up" "$(tail -3 "$T/diod.log")"
fi
