#!/bin/sh
# watch_9p.sh: ncprov watch over 9P, with no containers (a plain diod
# exporting a directory that stands for the tree: experiment/confgen and
# nodes/p1/guests), under --root:
#   - watch --detach returns once the watcher runs; its pid in
#     ROOT/var/lib/neoc/watch.pid; a second one replaces the first;
#   - a moved confgen is read with the guests list: the applied file
#     follows it (a guest not made here is left to neoc up);
#   - diod killed: the watcher says so and tries again with backoff;
#     diod back on the same port: it reconnects and follows the tree again;
#   - ncprov down stops it and removes its files ("no changes" after).
. "$(dirname "$0")/lib.sh"

NCPROV=$NC_TOP/bin/ncprov
R=$T/root
D=$T/tree
PORT=$(free_port)
cleanup() {
	set +e
	"$NCPROV" --root "$R" down > /dev/null 2>&1
	stop_tracked
	finish_cleanup
}
trap cleanup EXIT
need_cmds diod
mkdir -p "$R" "$D/experiment" "$D/nodes/p1"
echo 5 > "$D/experiment/confgen"
printf 'g1 5\ng2 3\n' > "$D/nodes/p1/guests"
diod_start "$PORT" "$D" "$T/diod.log" || { notok "diod listens"; exit 1; }
W() { "$NCPROV" --9p "127.0.0.1:$PORT" --aname "$D" --node p1 --root "$R" "$@"; }
LOG=$R/var/lib/neoc/watch.log
pid() { cat "$R/var/lib/neoc/watch.pid" 2> /dev/null; }

out=$(W watch --detach --interval 50 2>&1)
expect_eq "watch --detach exits 0" 0 "$?" "$out"
p1=$(pid)
if [ -n "$p1" ] && alive "$p1"; then
	ok "...the watcher runs (pid $p1 in var/lib/neoc/watch.pid)"
else
	notok "...the watcher runs" "pid '$p1'" "$(cat "$LOG" 2>&1)"
fi
wait_for 5 test -s "$R/var/lib/neoc/applied"
expect_eq "...with nothing applied before, what the tree says is the start" \
    "g1 5 g2 3" "$(xargs < "$R/var/lib/neoc/applied")"

out=$(W watch --detach --interval 50 2>&1)
expect_eq "a second watch --detach exits 0" 0 "$?" "$out"
p2=$(pid)
wait_gone "$p1" 50 2> /dev/null
if [ -n "$p2" ] && [ "$p2" != "$p1" ] && alive "$p2" && ! alive "$p1"; then
	ok "...it replaced the first ($p1 gone, $p2 runs)"
else
	notok "...it replaced the first" "$p1 -> $p2" "$(cat "$LOG")"
fi

printf 'g1 7\ng2 3\n' > "$D/nodes/p1/guests"
echo 7 > "$D/experiment/confgen"
wait_for 5 grep -q '^g1 7$' "$R/var/lib/neoc/applied"
expect_eq "a moved confgen: the guests read again, applied follows (g1 not made here)" \
    "g1 7 g2 3" "$(xargs < "$R/var/lib/neoc/applied")"
expect_eq "...nothing provisioned (no container of g1 here)" 0 \
    "$(grep -c 'provisioning .* again' "$LOG")"

kill "$DPID"
wait_gone "$DPID" 50 2> /dev/null
wait_for 10 grep -q 'reconnecting' "$LOG"
grep -q 'reconnecting' "$LOG" && ok "diod gone: the watcher tries to reconnect" ||
    notok "diod gone: the watcher tries to reconnect" "$(cat "$LOG")"
alive "$p2" && ok "...and keeps running" || notok "...and keeps running"
sleep 2
n=$(grep -c 'reconnecting' "$LOG")
if [ "$n" -ge 2 ] && [ "$n" -le 6 ]; then
	ok "...with backoff ($n tries in about 2.5 s, 0.5 s doubling)"
else
	notok "...with backoff (2 to 6 tries in about 2.5 s)" "$n" "$(cat "$LOG")"
fi
printf 'g1 9\ng2 9\n' > "$D/nodes/p1/guests"
echo 9 > "$D/experiment/confgen"
diod_start "$PORT" "$D" "$T/diod2.log" || notok "diod listens again"
wait_for 40 grep -q 'connected again' "$LOG"
grep -q 'connected again' "$LOG" && ok "diod back: the watcher reconnected" ||
    notok "diod back: the watcher reconnected" "$(cat "$LOG")"
wait_for 5 grep -q '^g2 9$' "$R/var/lib/neoc/applied"
expect_eq "...and follows the tree again" "g1 9 g2 9" "$(xargs < "$R/var/lib/neoc/applied")"

out=$("$NCPROV" --root "$R" down 2>&1)
expect_eq "ncprov down exits 0" 0 "$?" "$out"
case $out in
*"stopped the watcher (pid $p2)"*) ok "...it stopped the watcher" ;;
*) notok "...it stopped the watcher" "$out" ;;
esac
alive "$p2" && notok "...the watcher is gone" "$p2 runs" ||
    ok "...the watcher is gone"
expect_eq "...its files too" "" "$(ls "$R/var/lib/neoc" 2> /dev/null | grep -e watch -e applied)"
expect_eq "a second down: no changes" "no changes" "$("$NCPROV" --root "$R" down 2>&1)"
