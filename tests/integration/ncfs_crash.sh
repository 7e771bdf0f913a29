#!/bin/sh
# ncfs_crash.sh: kill -9 of ncfs in the middle of writes, three times.
# Two writers run against the mount: one rewrites nodes/h1/startcmd
# ("c-000001", "c-000002", ...), one creates attributes nodes/h2/attributes/
# k1, k2, ... (a new record each); each logs a write as acknowledged once
# close(2) returned 0 (the log is fsync'ed).  After a while ncfs gets
# SIGKILL; the writers stop on their first error; the dead mount is removed
# with `fusermount3 -u -z`.  Then: PRAGMA integrity_check is ok, every
# acknowledged write is in the database (startcmd is the last acknowledged
# value or the one in flight when ncfs died; every acknowledged attribute
# exists, at most one more), and ncfs mounts the database again and shows
# the same.  Round R kills ncfs once each writer has acknowledged 5 * R
# writes in that round (30 s at most), so every round crashes mid-stream.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs

DB=$T/e.db
M=$T/m
make_db "$DB"

cat > "$T/crashw.py" <<'PY'
import os, sys
mode, path, ack = sys.argv[1], sys.argv[2], sys.argv[3]
start = int(sys.argv[4])
log = os.open(ack, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
n = start
while True:
    n += 1
    try:
        if mode == "value":
            v = "c-%06d" % n
            fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
        else:
            v = "k%d" % n
            fd = os.open(os.path.join(path, v), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, b"v\n" if mode != "value" else (v + "\n").encode())
        os.close(fd)
    except OSError as e:
        print("stopped at %d: %s" % (n, os.strerror(e.errno)))
        sys.exit(0)
    os.write(log, (v + "\n").encode())
    os.fsync(log)
PY

# nlines FILE: its line count, 0 when it does not exist yet.
nlines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
# acked N V0 A0: each writer acknowledged N writes since it had V0 (value)
# and A0 (attr) lines.
acked() {
	[ $(($(nlines "$T/ack.value") - $2)) -ge "$1" ] &&
	    [ $(($(nlines "$T/ack.attr") - $3)) -ge "$1" ]
}
# acked_or_stopped N V0 A0: acked, or a writer stopped (then it never will).
acked_or_stopped() { acked "$@" || ! alive "$w1" || ! alive "$w2"; }
start=0
for round in 1 2 3; do
	v0=$(nlines "$T/ack.value") a0=$(nlines "$T/ack.attr")
	ncfs_mount "$M" "$DB" || { notok "round $round: ncfs mounts $DB"; exit 1; }
	PID=$NCFS_PID
	"$PY" "$T/crashw.py" value "$M/nodes/h1/startcmd" "$T/ack.value" $start > "$T/w1.out" 2>&1 &
	w1=$!
	"$PY" "$T/crashw.py" attr "$M/nodes/h2/attributes" "$T/ack.attr" $start > "$T/w2.out" 2>&1 &
	w2=$!
	NCFS_HELPERS="$w1 $w2"
	wait_for 30 acked_or_stopped $((round * 5)) "$v0" "$a0"
	acked $((round * 5)) "$v0" "$a0" ||
	    notok "round $round: each writer has $((round * 5)) writes acknowledged" \
	    "$(cat "$T/w1.out" "$T/w2.out")"
	kill -9 "$PID"
	# Dying can take seconds: a thread in the middle of an fsync of the
	# database (the writers fsync too) finishes it first.  30 s bound.
	k0=$(now_ms)
	if ! wait_gone "$PID" 30; then
		echo "# ncfs still there 3 s after SIGKILL:"
		for t in /proc/$PID/task/*; do
			echo "#  $t: $(grep State: $t/status) $(cat $t/wchan 2>/dev/null)"
			cat $t/stack 2>/dev/null | sed 's/^/#    /'
		done
	fi
	if wait_gone "$PID" 270; then
		echo "# ncfs gone $(($(now_ms) - k0)) ms after SIGKILL"
	else
		for t in /proc/$PID/task/*; do
			echo "# task $t: $(grep State: $t/status) $(cat $t/wchan 2>/dev/null)"
			cat $t/stack 2>/dev/null | sed 's/^/#    /'
		done
		grep -v '^#' "$NCFS_LOG" | tail -5 | sed 's/^/# log: /'
		notok "round $round: ncfs dies on SIGKILL"
	fi
	fusermount3 -u -z "$M" 2> /dev/null
	# the writers stop on ENOTCONN (or hang in a request the kernel aborts)
	for w in $w1 $w2; do
		wait_gone "$w" 50 || { kill -9 "$w" 2> /dev/null; notok "round $round: writer $w stops after the kill"; }
	done
	NCFS_HELPERS=
	is_mounted "$M" && notok "round $round: fusermount3 -u -z removes the dead mount" ||
	    ok "round $round: ncfs killed after $(wc -l < "$T/ack.value") + $(wc -l < "$T/ack.attr") acknowledged writes, mount removed"
	expect_eq "round $round: PRAGMA integrity_check" ok "$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)"
	last=$(tail -n 1 "$T/ack.value")
	got=$(sqlite3 "$DB" "SELECT startcmd FROM nodes WHERE name = 'h1'")
	num=$(echo "${last#c-}" | sed 's/^0*//')
	next=$(printf 'c-%06d' $((${num:-0} + 1)))
	if [ "$got" = "$last" ] || [ "$got" = "$next" ]; then
		ok "round $round: startcmd is the last acknowledged value ($last) or the one in flight"
	else
		notok "round $round: startcmd is the last acknowledged value or the one in flight" \
		    "last acknowledged: $last" "database: $got"
	fi
	sqlite3 "$DB" "SELECT a.key FROM attributes a JOIN nodes n ON n.id = a.node_id
	    WHERE n.name = 'h2'" | sort > "$T/attrs.db"
	sort "$T/ack.attr" > "$T/attrs.ack"
	missing=$(comm -23 "$T/attrs.ack" "$T/attrs.db" | head -5)
	extra=$(comm -13 "$T/attrs.ack" "$T/attrs.db" | wc -l)
	if [ -z "$missing" ] && [ "$extra" -le 1 ]; then
		ok "round $round: every acknowledged attribute is in the database ($extra in flight)"
	else
		notok "round $round: every acknowledged attribute is in the database" \
		    "missing: $missing" "unacknowledged extra: $extra"
	fi
	# the one in flight is there now: count it as written for the next round
	comm -13 "$T/attrs.ack" "$T/attrs.db" >> "$T/ack.attr"
	# the next round numbers its writes after everything so far
	start=$(( $(sed 's/^[ck]-*//' "$T/ack.value" "$T/ack.attr" "$T/attrs.db" | sed 's/^0*//' | sort -n | tail -1) + 10 ))
done

# remount: the tree shows what the database holds
if ncfs_mount "$M" "$DB"; then
	expect_eq "after the crashes: ncfs mounts; startcmd as in the database" \
	    "$(sqlite3 "$DB" "SELECT startcmd FROM nodes WHERE name = 'h1'")" "$(cat "$M/nodes/h1/startcmd")"
	expect_eq "...the attributes as in the database" "$(sort "$T/attrs.db" | paste -sd' ' -)" \
	    "$(ls "$M/nodes/h2/attributes" | sort | paste -sd' ' -)"
	expect_eq "...experiment/generation as in the database" "$(gen "$DB")" "$(cat "$M/experiment/generation")"
	check "...and a write works" put "$M/nodes/h1/startcmd" after-crash
	expect_eq "...and is stored" after-crash "$(sqlite3 "$DB" "SELECT startcmd FROM nodes WHERE name = 'h1'")"
	ncfs_umount "$M" "$NCFS_PID" || notok "clean unmount after the crashes"
else
	notok "ncfs mounts the database after the crashes"
fi
expect_eq "PRAGMA integrity_check at the end" ok "$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)"
