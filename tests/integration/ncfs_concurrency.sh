#!/bin/sh
# ncfs_concurrency.sh: 4 writer and 4 reader processes for ~3 s, twice.
#
# Phase 1, each writer its own file: three write startcmd values of nodes
# gw h1 h2 and one moves h3's address through 192.168.1.100-199 (which
# changes every node's hosts).  Every value carries its own check
# ("w1-000042-xx...x-end", as many x as the sequence number mod 50), so a
# reader can tell a torn or mixed value from a whole one.  The readers cat
# the four files and hosts in a loop: every read must be the initial value
# or a whole value of that writer; hosts must always parse, with exactly one
# line for h3 holding one of the addresses.  No writer and no reader may see
# an error.  Afterwards each file (and the database) holds its writer's last
# acknowledged value (a write is acknowledged when close(2) returned 0).
#
# Phase 2, all 4 writers on the same file: no errors, no torn reads, and the
# final value is the last acknowledged write of one of the writers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs

DB=$T/e.db
M=$T/m
SECS=${NCFS_CONC_SECS:-3}
make_db "$DB"
ncfs_mount "$M" "$DB" || { notok "ncfs mounts $DB"; exit 1; }

cat > "$T/conc.py" <<'PY'
import os, re, sys, time
mode, tag, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
files = sys.argv[4:]
end = time.time() + secs
VAL = re.compile(r"^(w\d)-(\d{6})-(x*)-end\n$")
def ok_value(s):
    m = VAL.match(s)
    return m and len(m.group(3)) == int(m.group(2)) % 50
def write(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, data.encode())
    finally:
        os.close(fd)		# raises on a refused commit
if mode == "writer":		# writer TAG SECS FILE
    ack = open("%s.ack" % tag, "w", buffering=1)
    n = 0
    while time.time() < end:
        n += 1
        if tag.endswith("ip"):
            v = "192.168.1.%d\n" % (100 + n % 100)
        else:
            v = "%s-%06d-%s-end\n" % (os.path.basename(tag), n, "x" * (n % 50))
        try:
            write(files[0], v)
        except OSError as e:
            print("%s: write %d: %s" % (tag, n, e)); sys.exit(1)
        ack.write(v)
    print("%s: %d writes" % (tag, n))
elif mode == "reader":		# reader TAG SECS HOSTS FILE...
    hosts, paths = files[0], files[1:]
    initial = [open(p + ".init").read() for p in
               (os.path.join(os.environ["T"], "init%d" % i) for i in range(len(paths)))]
    n = bad = 0
    while time.time() < end:
        for i, p in enumerate(paths):
            try:
                s = open(p).read()
            except OSError as e:
                print("%s: read %s: %s" % (tag, p, e)); bad += 1; continue
            n += 1
            if s != initial[i] and not (ok_value(s) or
                    re.match(r"^192\.168\.1\.1\d\d\n$", s)):
                print("%s: torn or foreign value in %s: %r" % (tag, p[len(os.environ["T"]) + 1:], s)); bad += 1
        try:
            h = open(hosts).read()
        except OSError as e:
            print("%s: read hosts: %s" % (tag, e)); bad += 1; continue
        n += 1
        lines = h.split("\n")
        h3 = [l for l in lines if l.endswith("\th3-lan0 h3")]
        if (not h.startswith("# neo-containers experiment ") or not h.endswith("\n")
                or len(h3) != 1 or not re.match(r"^192\.168\.1\.\d+\t", h3[0])
                or any(l and not l.startswith("#") and len(l.split("\t")) != 2 for l in lines)):
            print("%s: bad hosts: %r" % (tag, h)); bad += 1
        if bad > 10:
            break
    print("%s: %d reads, %d bad" % (tag, n, bad))
    sys.exit(1 if bad else 0)
PY

# run_all: start the writers ($W: "TAG FILE" lines) and 4 readers of $R
# (files) and $HOSTS, wait for all; fails when any failed.  The readers
# accept each file's contents at the start ($T/initN.init) besides whole
# values of the writers.
run_all() {
	i=0
	for f in $R; do cat "$f" > "$T/init$i.init"; i=$((i + 1)); done
	pids=
	while read -r tag file; do
		"$PY" "$T/conc.py" writer "$T/$tag" "$SECS" "$M/$file" > "$T/$tag.out" 2>&1 &
		pids="$pids $!"
	done <<-EOF
	$W
	EOF
	for r in 1 2 3 4; do
		# shellcheck disable=SC2086
		T=$T "$PY" "$T/conc.py" reader "r$r" "$SECS" "$HOSTS" $R > "$T/r$r.out" 2>&1 &
		pids="$pids $!"
	done
	NCFS_HELPERS=$pids
	fail=0
	for p in $pids; do wait "$p" || fail=1; done
	NCFS_HELPERS=
	return $fail
}

# --- phase 1: each writer its own file --------------------------------------------
W="w1 nodes/gw/startcmd
w2 nodes/h1/startcmd
w3 nodes/h2/startcmd
w4ip nodes/h3/ifaces/eth1/ip"
R="$M/nodes/gw/startcmd $M/nodes/h1/startcmd $M/nodes/h2/startcmd $M/nodes/h3/ifaces/eth1/ip"
HOSTS=$M/nodes/server/hosts
if run_all; then
	ok "phase 1: 4 writers (own files) and 4 readers for ${SECS} s: no errors"
else
	notok "phase 1: 4 writers (own files) and 4 readers for ${SECS} s: no errors" \
	    "$(cat "$T"/w*.out "$T"/r*.out | grep -v ': [0-9]* writes$' | grep -v ' reads, ' | head -8 | sed -e "s|$T/||" -e 's/\\/\\\\/g' | tr '\n' ' ')"
fi
echo "# $(cat "$T"/w?.out "$T"/w4ip.out "$T"/r?.out | grep -e ' writes$' -e ' reads, ' | sed "s|$T/||" | paste -sd' ' -)"
bad=
for tag in w1 w2 w3 w4ip; do
	file=$(echo "$W" | awk -v t=$tag '$1 == t { print $2 }')
	last=$(tail -n 1 "$T/$tag.ack")
	[ -n "$last" ] || { bad="$bad $tag:no-writes"; continue; }
	got=$(cat "$M/$file")
	[ "$got" = "$last" ] || bad="$bad $file:want=$last,got=$got"
done
if [ -z "$bad" ]; then ok "phase 1: each file holds its writer's last acknowledged value"; else
	notok "phase 1: each file holds its writer's last acknowledged value" "$bad"; fi
expect_eq "phase 1: the database holds them too" \
    "$(tail -n 1 "$T/w1.ack") $(tail -n 1 "$T/w4ip.ack")" \
    "$(sqlite3 "$DB" "SELECT startcmd FROM nodes WHERE name = 'gw'") $(sqlite3 "$DB" "SELECT ip FROM ifaces i JOIN nodes n ON n.id = i.node_id WHERE n.name = 'h3'")"
grep -qxF "$(tail -n 1 "$T/w4ip.ack")$(printf '\t')h3-lan0 h3" "$M/nodes/gw/hosts" &&
    ok "phase 1: hosts holds h3's last address" || notok "phase 1: hosts holds h3's last address" \
    "$(grep h3 "$M/nodes/gw/hosts")"

# --- phase 2: four writers on one file ---------------------------------------------------
rm -f "$T"/w*.ack
W="w1 nodes/h1/startcmd
w2 nodes/h1/startcmd
w3 nodes/h1/startcmd
w4 nodes/h1/startcmd"
R="$M/nodes/h1/startcmd"
if run_all; then
	ok "phase 2: 4 writers on one file and 4 readers for ${SECS} s: no errors"
else
	notok "phase 2: 4 writers on one file and 4 readers for ${SECS} s: no errors" \
	    "$(cat "$T"/w*.out "$T"/r*.out | grep -v ': [0-9]* writes$' | grep -v ' reads, ' | head -8 | sed -e "s|$T/||" -e 's/\\/\\\\/g' | tr '\n' ' ')"
fi
echo "# $(cat "$T"/w?.out "$T"/r?.out | grep -e ' writes$' -e ' reads, ' | sed "s|$T/||" | paste -sd' ' -)"
final=$(cat "$M/nodes/h1/startcmd")
lasts=$(for w in w1 w2 w3 w4; do tail -n 1 "$T/$w.ack"; done)
if echo "$lasts" | grep -qxF -- "$final"; then
	ok "phase 2: the file holds the last acknowledged write of one writer"
else
	notok "phase 2: the file holds the last acknowledged write of one writer" "final: $final" "lasts: $lasts"
fi
expect_eq "phase 2: the database agrees with the mount" "$final" \
    "$(sqlite3 "$DB" "SELECT startcmd FROM nodes WHERE name = 'h1'")"
expect_eq "PRAGMA integrity_check" ok "$(sqlite3 "$DB" 'PRAGMA integrity_check')"
expect_eq "the generation in the mount is the database's" "$(gen "$DB")" "$(cat "$M/experiment/generation")"
