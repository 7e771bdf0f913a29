#!/bin/sh
# serve_9p.sh: neoc serve (ncfs + diod on loopback) and ncprov's 9P client.
#
#  - for every node, `ncprov --9p ... show` is byte-identical to
#    `ncprov --tree MNT show` and to the same lines built here with sh from
#    the FUSE mount (readdir order, as `ls -f` gives it);
#  - errors end with a message and a non-zero exit, never a hang: unknown
#    node, closed port, a server that accepts and never answers, a server
#    that closes after Rversion or in the middle of a reply, a connection
#    cut in the middle of a large Tread (a proxy in front of a real diod),
#    diod killed while a loop of reads runs;
#  - a status written over 9P shows in the mount and in `neoc status
#    --json`; a malformed status line written through an nc9pfs mount of
#    the export is refused and the old line stays;
#  - the service: SIGTERM stops diod, unmounts and removes the pidfile; a
#    second serve with the same pidfile is refused; after kill -9 of serve,
#    ncfs and diod the stale mount is cleared by the next start; without -f
#    serve becomes a daemon named by its pidfile.
#
# Every process the test starts is recorded in $T/pids and every mount lives
# under $T; the exit trap stops them (SIGTERM, then SIGKILL) and unmounts
# (fusermount3 -u, then -z), and a watchdog does the same after
# $NC_TEST_LIMIT seconds (default 240), so nothing is left behind.
. "$(dirname "$0")/lib.sh"

NCPROV=$NC_TOP/bin/ncprov
NC9PFS=$NC_TOP/bin/nc9pfs
DIOD=/usr/sbin/diod
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
LIMIT=${NC_TEST_LIMIT:-240}
: > "$T/pids"

# --- helpers --------------------------------------------------------------

cleanup() {
	set +e
	stop_watchdog
	# serve stops its diod and ncfs on SIGTERM; SIGKILL whatever stays
	stop_tracked
	unmount_all
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
start_watchdog

need_exec "is built / installed" "" "$NEOC" "$NCPROV" "$NC9PFS" "$NC_TOP/bin/ncfs" "$DIOD"

# show_tree ROOT REL: what `ncprov show` prints for ROOT/REL, built with sh:
# one "path: line" per line of each file ("path:" for an empty file),
# directories in readdir order (ls -f), without the node's bundle (the same
# files once more).
show_tree() {
	ls -f "$1/$2" | while IFS= read -r _n; do
		case $_n in .|..) continue ;; esac
		case $2/$_n in nodes/*/*/*) ;; nodes/*/bundle) continue ;; esac
		if [ -d "$1/$2/$_n" ]; then
			show_tree "$1" "$2/$_n"
		elif [ "$(wc -c < "$1/$2/$_n")" -eq 0 ]; then
			printf '%s:\n' "$2/$_n"
		else
			while IFS= read -r _l || [ -n "$_l" ]; do
				printf '%s: %s\n' "$2/$_n" "$_l"
			done < "$1/$2/$_n"
		fi
	done
}

# serve_start PORT: neoc serve -f on $M, $PIDFILE; sets SP, SERVE_NCFS,
# SERVE_DIOD; returns 1 when it is not up (mounted and listening) in 10 s.
serve_start() {
	SERVE_PORT=$1
	"$NEOC" serve -d "$DB" --mount "$M" --listen "127.0.0.1:$1" --no-auth -f \
	    --pidfile "$PIDFILE" >> "$T/serve.log" 2>&1 &
	SP=$!
	track "$SP"
	if ! wait_up "$M" "$1" "$SP"; then
		echo "# neoc serve did not come up; its log:"
		sed 's/^/#   /' "$T/serve.log" | tail -20
		return 1
	fi
	SERVE_NCFS='' SERVE_DIOD=''
	for c in $(children "$SP"); do
		track "$c"
		case $(tr '\0' '\n' < "/proc/$c/cmdline" | head -n 1) in
		*ncfs) SERVE_NCFS=$c ;;
		*diod) SERVE_DIOD=$c ;;
		esac
	done
	return 0
}

# p9 ARGS...: ncprov against the running serve (aname = the mount point).
p9() { timeout 20 "$NCPROV" --9p "127.0.0.1:$SERVE_PORT" --aname "$M" "$@"; }

# fail_fast NAME MAX_MS WANT_MSG CMD...: CMD must exit non-zero (not killed
# by timeout(1)), within MAX_MS, saying WANT_MSG (a grep -E pattern).
fail_fast() {
	_n=$1 _max=$2 _w=$3
	shift 3
	_t0=$(now_ms)
	"$@" > "$T/ff.out" 2> "$T/ff.err"
	_rc=$?
	_ms=$(($(now_ms) - _t0))
	_msg=$(head -c 300 "$T/ff.err")
	if [ $_rc -eq 0 ]; then
		notok "$_n" "exit 0; want failure" "stderr: $_msg"
	elif [ $_rc -eq 124 ] || [ $_rc -ge 128 ]; then
		notok "$_n" "hung: killed by timeout(1) (exit $_rc) after $_ms ms" "stderr: $_msg"
	elif [ $_ms -gt "$_max" ]; then
		notok "$_n" "took $_ms ms (limit $_max ms)" "stderr: $_msg"
	elif ! grep -Eq -- "$_w" "$T/ff.err"; then
		notok "$_n" "message does not match /$_w/" "stderr: $_msg"
	else
		ok "$_n (exit $_rc in $_ms ms: $(head -n 1 "$T/ff.err"))"
	fi
}

# The fake servers and the proxy: fake9p.py MODE PORT [UPSTREAM_PORT LIMIT]
#   silent        accept and never answer
#   close         answer Tversion, then close on the next request
#   partial       answer Tversion, then send 9 bytes of a 20-byte Rattach
#                 and close
#   cut           proxy to diod on UPSTREAM_PORT; after LIMIT bytes from the
#                 server, close both sides (mid-reply)
#   stall         the same, but stop forwarding and keep the sockets open
cat > "$T/fake9p.py" <<'PY'
import socket, struct, sys, threading, time
mode, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
keep = []

def recvn(c, n):
    b = b""
    while len(b) < n:
        x = c.recv(n - len(b))
        if not x:
            raise EOFError
        b += x
    return b

def recvmsg(c):
    h = recvn(c, 4)
    return h + recvn(c, struct.unpack("<I", h)[0] - 4)

def fake(c):
    m = recvmsg(c)
    typ, tag, msize = struct.unpack("<BHI", m[4:11])
    ver = b"9P2000.L"
    body = struct.pack("<BHIH", 101, tag, msize, len(ver)) + ver
    c.sendall(struct.pack("<I", len(body) + 4) + body)
    m = recvmsg(c)
    typ, tag = struct.unpack("<BH", m[4:7])
    if mode == "close":
        c.close()
    else:
        c.sendall(struct.pack("<IBH", 20, 105, tag) + b"\x80\x00")
        c.close()

def proxy(c):
    up = socket.create_connection(("127.0.0.1", int(sys.argv[3])))
    limit = int(sys.argv[4])
    def c2s():
        try:
            while True:
                b = c.recv(65536)
                if not b:
                    break
                up.sendall(b)
        except OSError:
            pass
    threading.Thread(target=c2s, daemon=True).start()
    sent = 0
    while True:
        b = up.recv(65536)
        if not b:
            break
        if sent + len(b) >= limit:
            c.sendall(b[:limit - sent])
            if mode == "cut":
                c.shutdown(socket.SHUT_RDWR)
                c.close()
                up.close()
            return
        c.sendall(b)
        sent += len(b)

while True:
    c, _ = s.accept()
    keep.append(c)
    if mode == "silent":
        continue
    try:
        if mode in ("close", "partial"):
            fake(c)
        else:
            threading.Thread(target=proxy, args=(c,), daemon=True).start()
    except (EOFError, OSError):
        c.close()
PY

# start_fake MODE [UPSTREAM LIMIT]: sets FAKE_PORT, FAKE_PID.
start_fake() {
	FAKE_PORT=$(free_port)
	"$PY" "$T/fake9p.py" "$1" "$FAKE_PORT" "${2:-0}" "${3:-0}" 2>> "$T/fake.log" &
	FAKE_PID=$!
	track "$FAKE_PID"
	wait_listen "$FAKE_PORT" 50
}
stop_fake() { kill "$FAKE_PID" 2> /dev/null; wait "$FAKE_PID" 2> /dev/null; }

# --- the experiment and the server ---------------------------------------

DB=$T/e.db
M=$T/nc
PIDFILE=$T/run/serve.pid
if ! "$NEOC" import -d "$DB" "$NC_TOP/examples/small-lan.ns" > /dev/null 2> "$T/import.err" ||
    ! "$NEOC" import -d "$DB" --tmcc "$NC_TOP/tests/data/tmcc-int" > /dev/null 2>> "$T/import.err"; then
	notok "import the test experiment" "$(cat "$T/import.err")"
	exit 1
fi

if serve_start "$(free_port)"; then
	ok "neoc serve --no-auth -f mounts $M and listens on 127.0.0.1:$SERVE_PORT"
else
	notok "neoc serve --no-auth -f mounts $M and listens on 127.0.0.1:$SERVE_PORT"
	exit 1
fi
expect_eq "the pidfile names serve" "$SP" "$(cat "$PIDFILE" 2> /dev/null)"
if [ -n "$SERVE_NCFS" ] && [ -n "$SERVE_DIOD" ]; then
	ok "serve runs ncfs ($SERVE_NCFS) and diod ($SERVE_DIOD)"
else
	notok "serve runs ncfs and diod" "children: $(children "$SP")"
fi

# --- every node: 9P == tree == the FUSE mount read with sh ------------------

NODES=$(ls "$M/nodes")
[ -n "$NODES" ] || notok "the mount lists nodes" "ls $M/nodes is empty"
for n in $NODES; do
	p9 --node "$n" show > "$T/show.9p" 2> "$T/show.9p.err"
	rc9=$?
	(cd "$M" && show_tree "$M" "nodes/$n") > "$T/show.sh"
	timeout 20 "$NCPROV" --tree "$M" --node "$n" show > "$T/show.tree" 2> "$T/show.tree.err"
	rct=$?
	if [ $rc9 -ne 0 ] || [ $rct -ne 0 ]; then
		notok "node $n: show over 9P and over the tree succeed" \
		    "9p exit $rc9: $(head -c 300 "$T/show.9p.err")" \
		    "tree exit $rct: $(head -c 300 "$T/show.tree.err")"
		continue
	fi
	lines=$(wc -l < "$T/show.9p")
	if cmp -s "$T/show.9p" "$T/show.tree"; then
		ok "node $n: ncprov --9p show is byte-identical to --tree show ($lines lines)"
	else
		notok "node $n: ncprov --9p show is byte-identical to --tree show" \
		    "$(diff "$T/show.tree" "$T/show.9p" | head -10)"
	fi
	# The sh rendering walks the mount in readdir order (ls -f), as
	# ncprov --tree does; diod reads the same directories, so the order
	# should agree.  A difference in order only is reported as such.
	if cmp -s "$T/show.9p" "$T/show.sh"; then
		ok "node $n: ncprov --9p show equals reading the FUSE mount with sh (same order)"
	elif [ "$(sort "$T/show.9p")" = "$(sort "$T/show.sh")" ]; then
		notok "node $n: ncprov --9p show equals reading the FUSE mount with sh (same order)" \
		    "the same lines sorted, in another order"
	else
		notok "node $n: ncprov --9p show equals reading the FUSE mount with sh" \
		    "$(diff "$T/show.sh" "$T/show.9p" | head -10)"
	fi
done

# timing and round trips of one node's show (diagnostics, not a budget)
t0=$(now_ms)
for i in 1 2 3 4 5 6 7 8 9 10; do p9 --node h1 show > /dev/null 2>&1; done
echo "# ncprov --9p show of h1: $((($(now_ms) - t0) / 10)) ms per run (10 runs, $(wc -l < "$T/show.9p") lines for the last node)"
if command -v strace > /dev/null; then
	timeout 20 strace -f -qq -e trace=sendto,sendmsg,write,writev -o "$T/strace.out" \
	    "$NCPROV" --9p "127.0.0.1:$SERVE_PORT" --aname "$M" --node h1 show > /dev/null 2>&1
	sends=$(grep -Ec '^([0-9]+ +)?(sendto|sendmsg)\(' "$T/strace.out")
	echo "# ncprov --9p show of h1: $sends sends on the 9P socket (strace; a pipelined batch is one); $(find "$M/nodes/h1" -type f | wc -l) files, $(find "$M/nodes/h1" -type d | wc -l) directories"
fi

# --- errors ------------------------------------------------------------------

fail_fast "unknown node: exit 1 naming it" 3000 'nosuchnode' \
    p9 --node nosuchnode show
rc=$(p9 --node nosuchnode show > /dev/null 2>&1; echo $?)
expect_eq "unknown node: the exit status is 1" 1 "$rc"

CLOSED=$(free_port)
fail_fast "server down (closed port): non-zero within 3 s, says refused" 3000 \
    "127\.0\.0\.1:$CLOSED.*[Rr]efused|[Rr]efused.*127\.0\.0\.1:$CLOSED" \
    timeout 20 "$NCPROV" --9p "127.0.0.1:$CLOSED" --node h1 show

if start_fake silent; then
	fail_fast "server accepts and never answers (--timeout 500): non-zero within 3 s" 3000 \
	    'no reply|timed? ?out|[Tt]imeout' \
	    timeout 20 "$NCPROV" --9p "127.0.0.1:$FAKE_PORT" --timeout 500 --node h1 show
	fail_fast "server never answers: status write fails within 3 s too" 3000 \
	    'no reply|timed? ?out|[Tt]imeout' \
	    timeout 20 "$NCPROV" --9p "127.0.0.1:$FAKE_PORT" --timeout 500 --node h1 status ready
else
	notok "fake silent server listens"
fi
stop_fake

if start_fake close; then
	fail_fast "server answers Tversion then closes: non-zero, says closed" 3000 \
	    'closed|reset|EOF|end of' \
	    timeout 20 "$NCPROV" --9p "127.0.0.1:$FAKE_PORT" --timeout 2000 --node h1 show
else
	notok "fake close server listens"
fi
stop_fake

if start_fake partial; then
	fail_fast "server closes in the middle of a reply: non-zero, says closed" 3000 \
	    'closed|reset|EOF|end of|short|truncated' \
	    timeout 20 "$NCPROV" --9p "127.0.0.1:$FAKE_PORT" --timeout 2000 --node h1 show
else
	notok "fake partial server listens"
fi
stop_fake

# A real diod exporting a tree with one node holding a 4 MB file; a proxy
# in front of it cuts (or stalls) the connection after 1 MB from the server,
# in the middle of an Rread.
BIG=$T/big
mkdir -p "$BIG/nodes/big"
yes 'the quick brown fox jumps over the lazy dog 0123456789' | head -c 4194304 > "$BIG/nodes/big/data"
echo small > "$BIG/nodes/big/small"
DPORT=$(free_port)
if diod_start "$DPORT" "$BIG" "$T/diod.big.log"; then
	timeout 20 "$NCPROV" --9p "127.0.0.1:$DPORT" --aname "$BIG" --node big show > "$T/big.9p" 2>&1
	rc=$?
	timeout 20 "$NCPROV" --tree "$BIG" --node big show > "$T/big.tree" 2>&1
	if [ $rc -eq 0 ] && cmp -s "$T/big.9p" "$T/big.tree"; then
		ok "a 4 MB file over 9P from a plain diod export equals the tree"
	else
		notok "a 4 MB file over 9P from a plain diod export equals the tree" \
		    "exit $rc: $(head -c 300 "$T/big.9p")"
	fi
	if start_fake cut "$DPORT" 1048576; then
		fail_fast "connection cut in the middle of a 4 MB read: non-zero within 3 s" 3000 \
		    'closed|reset|EOF|end of|short|truncated' \
		    timeout 20 "$NCPROV" --9p "127.0.0.1:$FAKE_PORT" --aname "$BIG" \
		    --timeout 2000 --node big show
	else
		notok "proxy (cut) listens"
	fi
	stop_fake
	if start_fake stall "$DPORT" 1048576; then
		fail_fast "server stalls in the middle of a 4 MB read (--timeout 500): non-zero within 3 s" 3000 \
		    'no reply|timed? ?out|[Tt]imeout' \
		    timeout 20 "$NCPROV" --9p "127.0.0.1:$FAKE_PORT" --aname "$BIG" \
		    --timeout 500 --node big show
	else
		notok "proxy (stall) listens"
	fi
	stop_fake

	# kill -9 diod while reads loop (after 3 good reads, one in flight):
	# the loop must end with a failure (each read bounded by --timeout
	# 2000), none killed by timeout(1).
	(
		i=0
		while :; do
			i=$((i + 1))
			timeout 20 "$NCPROV" --9p "127.0.0.1:$DPORT" --aname "$BIG" \
			    --timeout 2000 --node big show > /dev/null 2> "$T/loop.err"
			rc=$?
			[ $rc -eq 0 ] || break
			echo "$i" >> "$T/loop.ok"
		done
		echo "$rc $i" > "$T/loop.rc"
	) &
	LOOP=$!
	track "$LOOP"
	three_or_ended() { count_at_least 3 "$T/loop.ok" . || ! alive "$LOOP"; }
	wait_for 20 three_or_ended
	count_at_least 3 "$T/loop.ok" . ||
	    notok "3 reads succeed before diod is killed" "$(cat "$T/loop.err")"
	kill -9 "$DPID"
	t0=$(now_ms)
	if wait_gone "$LOOP" 50; then
		read -r rc runs < "$T/loop.rc"
		ms=$(($(now_ms) - t0))
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ]; then
			ok "diod killed while reads loop: the read in flight fails (exit $rc, run $runs, $ms ms after the kill: $(head -n 1 "$T/loop.err"))"
		else
			notok "diod killed while reads loop: the read in flight fails" \
			    "exit $rc (run $runs): $(head -c 300 "$T/loop.err")"
		fi
	else
		_k=$(children "$LOOP")
		kill -9 "$LOOP" $_k 2> /dev/null
		notok "diod killed while reads loop: the loop ends within 5 s"
	fi
else
	notok "diod exporting $BIG listens on $DPORT" "$(tail -5 "$T/diod.big.log")"
fi

# --- status over 9P ---------------------------------------------------------

t0=$(date +%s)
if out=$(p9 --node h1 status provisioning accounts "making users" 2>&1); then
	ok "ncprov --9p status provisioning accounts \"making users\" succeeds"
else
	notok "ncprov --9p status provisioning accounts \"making users\" succeeds" "$out"
fi
t1=$(date +%s)
line=$(cat "$M/nodes/h1/status" 2> /dev/null)
case $line in
"provisioning "[0-9]*" accounts making users")
	tm=$(echo "$line" | cut -d' ' -f2)
	if [ "$tm" -ge "$t0" ] && [ "$tm" -le "$t1" ]; then
		ok "the status written over 9P is in $M/nodes/h1/status: $line"
	else
		notok "the status written over 9P carries the time it was written" \
		    "$line (written between $t0 and $t1)"
	fi
	;;
*) notok "the status written over 9P is in $M/nodes/h1/status" "got: $line" ;;
esac
"$NEOC" status -d "$DB" --json > "$T/status.json" 2> "$T/status.err"
got=$(jget "$T/status.json" "'|'.join(str(n[k]) for n in d['nodes'] if n['name'] == 'h1' for k in ('state', 'step', 'message'))" 2>&1)
expect_eq "neoc status --json shows h1 provisioning / accounts / making users" \
    "provisioning|accounts|making users" "$got"
got=$(jget "$T/status.json" "[n['time'] for n in d['nodes'] if n['name'] == 'h1'][0]" 2>&1)
if [ "$got" -ge "$t0" ] 2> /dev/null && [ "$got" -le "$t1" ]; then
	ok "neoc status --json: h1's time is when it was written"
else
	notok "neoc status --json: h1's time is when it was written" "got $got, want $t0..$t1"
fi
got=$("$NEOC" status -d "$DB" | awk '$1 == "h1" { print $4 }')
expect_eq "neoc status (table) shows h1 provisioning" provisioning "$got"

fail_fast "ncprov refuses a status state that is not one of the five (exit non-zero)" 3000 \
    'bogus' p9 --node h1 status bogus
expect_eq "the refused state leaves the status as it was" "$line" "$(cat "$M/nodes/h1/status")"

# A malformed line written through an nc9pfs mount of the export: ncfs
# refuses it (at write or at close), nc9pfs must pass the error on.
M9=$T/m9
mkdir -p "$M9"
"$NC9PFS" "127.0.0.1:$SERVE_PORT:$M" "$M9" -f -o timeout=5000 2> "$T/nc9pfs.log" &
N9=$!
track "$N9"
if wait_mounted "$M9" "$N9"; then
	expect_eq "the status read through nc9pfs of the export" "$line" "$(timeout 20 cat "$M9/nodes/h1/status" 2>&1)"
	out=$(timeout 20 bash -c 'echo "bogus" > "$1"' bash "$M9/nodes/h1/status" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 124 ]; then
		ok "echo bogus > nodes/h1/status through nc9pfs is refused (exit $rc: $out)"
	else
		notok "echo bogus > nodes/h1/status through nc9pfs is refused" "exit $rc: $out"
	fi
	expect_eq "the refused line leaves the status as it was (ncfs)" "$line" "$(cat "$M/nodes/h1/status")"
	expect_eq "the refused line leaves the status as it was (nc9pfs)" "$line" "$(timeout 20 cat "$M9/nodes/h1/status" 2>&1)"
	got=$("$NEOC" status -d "$DB" --json | python3 -c "import json,sys; d=json.load(sys.stdin); print([n['state'] for n in d['nodes'] if n['name'] == 'h1'][0])")
	expect_eq "the refused line leaves neoc status as it was" provisioning "$got"
	# and a good line through the same path is accepted
	out=$(timeout 20 bash -c 'echo "ready $(date +%s) done all set" > "$1"' bash "$M9/nodes/h1/status" 2>&1)
	rc=$?
	case $rc:$(cat "$M/nodes/h1/status") in
	"0:ready "*" done all set") ok "a well-formed status line written through nc9pfs is accepted" ;;
	*) notok "a well-formed status line written through nc9pfs is accepted" "exit $rc: $out" "status: $(cat "$M/nodes/h1/status")" ;;
	esac
	fusermount3 -u "$M9" 2> /dev/null || fusermount3 -u -z "$M9"
	wait_gone "$N9" || notok "nc9pfs exits on unmount"
else
	notok "nc9pfs mounts the /nc export" "$(tail -5 "$T/nc9pfs.log")"
fi

# --- the service ------------------------------------------------------------

M2=$T/nc2
t0=$(now_ms)
out=$(timeout 10 "$NEOC" serve -d "$DB" --mount "$M2" --listen "127.0.0.1:$(free_port)" \
    --no-auth -f --pidfile "$PIDFILE" 2>&1)
rc=$?
ms=$(($(now_ms) - t0))
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && echo "$out" | grep -q "already running"; then
	ok "a second serve with the same pidfile is refused (exit $rc in $ms ms: $out)"
else
	notok "a second serve with the same pidfile is refused" "exit $rc after $ms ms: $out"
fi
is_mounted "$M2" && notok "the refused serve mounts nothing" || ok "the refused serve mounts nothing"
if alive "$SP" && [ "$(cat "$PIDFILE" 2> /dev/null)" = "$SP" ] && p9 --node h2 show > /dev/null 2>&1; then
	ok "the first serve still runs, serves and owns the pidfile"
else
	notok "the first serve still runs, serves and owns the pidfile" \
	    "alive: $(alive "$SP" && echo yes || echo no), pidfile: $(cat "$PIDFILE" 2>&1)"
fi

kill -TERM "$SP"
if wait_gone "$SP" 100; then
	ok "serve exits on SIGTERM"
	wait "$SP" 2> /dev/null
	expect_eq "serve exits 0 on SIGTERM" 0 "$?"
else
	notok "serve exits on SIGTERM within 10 s"
fi
if [ -n "$SERVE_DIOD" ] && ! alive "$SERVE_DIOD" && ! listening "$SERVE_PORT"; then
	ok "after SIGTERM: diod is gone and the port is closed"
else
	notok "after SIGTERM: diod is gone and the port is closed"
fi
[ -n "$SERVE_NCFS" ] && alive "$SERVE_NCFS" && notok "after SIGTERM: ncfs is gone" ||
    ok "after SIGTERM: ncfs is gone"
is_mounted "$M" && notok "after SIGTERM: $M is unmounted" || ok "after SIGTERM: $M is unmounted"
[ -e "$PIDFILE" ] && notok "after SIGTERM: the pidfile is removed" ||
    ok "after SIGTERM: the pidfile is removed"

# crash: kill -9 serve, its ncfs and its diod; the mount is left stale
if serve_start "$(free_port)"; then
	ok "serve starts again after a clean stop"
	p9 --node h1 show > "$T/before.9p" 2>&1
	kill -9 "$SP" "$SERVE_NCFS" "$SERVE_DIOD"
	for p in "$SP" "$SERVE_NCFS" "$SERVE_DIOD"; do wait_gone "$p"; done
	if is_mounted "$M" && ! stat "$M/nodes" > /dev/null 2>&1; then
		ok "kill -9 of serve, ncfs and diod leaves a stale mount ($(stat "$M" 2>&1 | head -n 1 | sed 's/.*: //'))"
	else
		notok "kill -9 of serve, ncfs and diod leaves a stale mount" \
		    "mounted: $(is_mounted "$M" && echo yes || echo no)"
	fi
	if serve_start "$(free_port)"; then
		ok "serve starts over the stale mount (and the stale pidfile)"
		p9 --node h1 show > "$T/after.9p" 2>&1
		if cmp -s "$T/before.9p" "$T/after.9p" && [ -s "$T/after.9p" ]; then
			ok "after the restart ncprov --9p show reads the same tree"
		else
			notok "after the restart ncprov --9p show reads the same tree" \
			    "$(diff "$T/before.9p" "$T/after.9p" | head -5)"
		fi
		kill -TERM "$SP"
		wait_gone "$SP" 100 && ! is_mounted "$M" && [ ! -e "$PIDFILE" ] &&
		    ok "the restarted serve stops cleanly on SIGTERM" ||
		    notok "the restarted serve stops cleanly on SIGTERM"
	else
		notok "serve starts over the stale mount (and the stale pidfile)"
	fi
else
	notok "serve starts again after a clean stop"
fi

# without -f: a daemon, named by the pidfile
P=$(free_port)
"$NEOC" serve -d "$DB" --mount "$M" --listen "127.0.0.1:$P" --no-auth \
    --pidfile "$PIDFILE" > "$T/daemon.log" 2>&1 &
FG=$!
if wait_gone "$FG" 50; then
	wait "$FG"
	rc=$?
	i=0
	while ! { is_mounted "$M" && listening "$P" && [ -s "$PIDFILE" ]; } && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	DP=$(cat "$PIDFILE" 2> /dev/null)
	[ -n "$DP" ] && track "$DP"
	if [ $rc -eq 0 ] && [ -n "$DP" ] && [ "$DP" != "$FG" ] && alive "$DP" &&
	    is_mounted "$M" && listening "$P"; then
		ok "serve without -f returns 0 and leaves a daemon (pid $DP) serving"
		track_children "$DP"
		SERVE_PORT=$P
		p9 --node h3 show > /dev/null 2>&1 && ok "the daemon serves ncprov --9p" ||
		    notok "the daemon serves ncprov --9p"
		kill -TERM "$DP"
		wait_gone "$DP" 100 && ! is_mounted "$M" && ! listening "$P" && [ ! -e "$PIDFILE" ] &&
		    ok "the daemon stops cleanly on SIGTERM" ||
		    notok "the daemon stops cleanly on SIGTERM"
	else
		notok "serve without -f returns 0 and leaves a daemon serving" \
		    "exit $rc, pidfile: $DP" "$(tail -5 "$T/daemon.log")"
	fi
else
	track "$FG"
	notok "serve without -f returns (becomes a daemon) within 5 s"
fi
