#!/bin/sh
# images.sh: ncimage and `neoc image` against a local HTTP server on
# loopback (a python3 script that honours Range and logs every request):
# fetch into the cache with the right sha256, a second fetch does nothing,
# resume of a .part by a Range request, a wrong --sha256 leaves nothing,
# two parallel fetches download once, verify catches a corrupted file, a
# 404 and a dead port fail quickly and clearly, file:// URLs, box catalogs,
# and `neoc image list|fetch` on an imported experiment.
. "$(dirname "$0")/lib.sh"
NCIMAGE=$NC_TOP/bin/ncimage
unset NCIMAGE_CACHE

# --- a test box: tar czf of metadata.json and a dummy disk
mkdir -p "$T/src" "$T/www"
echo '{"provider":"libvirt"}' > "$T/src/metadata.json"
head -c 400000 /dev/urandom > "$T/src/box-disk.img"
(cd "$T/src" && tar czf "$T/www/test.box" metadata.json box-disk.img)
cp "$T/www/test.box" "$T/www/other.box"
SUM=$(sha256sum "$T/www/test.box" | cut -d' ' -f1)
SIZE=$(wc -c < "$T/www/test.box")

# --- the server: serves $T/www, honours "Range: bytes=N-", logs
# "GET PATH RANGE" per request; /slow/X sends X slowly (parallel test).
cat > "$T/server.py" <<'PY'
import http.server, os, sys, time
root, logpath, portfile = sys.argv[1], sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        rng = self.headers.get("Range") or "-"
        with open(logpath, "a") as f:
            f.write("GET %s %s\n" % (self.path, rng))
        slow = self.path.startswith("/slow/")
        name = self.path[6:] if slow else self.path[1:]
        path = os.path.join(root, os.path.basename(name))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        start = 0
        if rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" %
                             (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        body = data[start:]
        step = 16384 if slow else len(body) or 1
        for i in range(0, len(body), step):
            self.wfile.write(body[i:i + step])
            if slow:
                time.sleep(0.03)
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
PY
LOG=$T/server.log
: > "$LOG"
python3 "$T/server.py" "$T/www" "$LOG" "$T/port" &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(cat "$T/port")
URL=http://127.0.0.1:$PORT
C=$T/cache
# gets PATH: how many requests the server saw for PATH
gets() { grep -c "^GET $1 " "$LOG"; }

# --- help everywhere
for c in "" list fetch verify; do
	# shellcheck disable=SC2086
	if "$NCIMAGE" $c --help > "$T/h.out" 2> "$T/h.err" &&
	    grep -qi usage "$T/h.out" && [ ! -s "$T/h.err" ]; then
		ok "ncimage${c:+ $c} --help"
	else
		notok "ncimage${c:+ $c} --help" "$(cat "$T/h.out" "$T/h.err")"
	fi
done
"$NCIMAGE" frob > /dev/null 2> "$T/e"; rc=$?
if [ $rc -eq 2 ] && grep -q frob "$T/e"; then ok "unknown command: exit 2"
else notok "unknown command: exit 2" "exit $rc" "$(cat "$T/e")"; fi

# --- fetch: into the cache, right sha256, metadata copy
if "$NCIMAGE" --cache "$C" fetch --no-progress test/box "$URL/test.box" \
    > "$T/f.out" 2> "$T/f.err"; then
	got=$(sha256sum "$C/test--box/box" | cut -d' ' -f1)
	rec=$(cut -d' ' -f1 "$C/test--box/box.sha256")
	if [ "$got" = "$SUM" ] && [ "$rec" = "$SUM" ] &&
	    grep -q libvirt "$C/test--box/metadata.json" &&
	    [ ! -e "$C/test--box/box.part" ]; then
		ok "fetch: cached file has the right sha256"
	else
		notok "fetch: cached file has the right sha256" "want $SUM" \
		    "file $got" "recorded $rec" "$(ls -la "$C/test--box")"
	fi
else
	notok "fetch: cached file has the right sha256" "$(cat "$T/f.err")"
fi
(cd "$C/test--box" && sha256sum -c --quiet box.sha256) > /dev/null 2>&1 &&
    ok "box.sha256 is in sha256sum format" ||
    notok "box.sha256 is in sha256sum format" "$(cat "$C/test--box/box.sha256")"

# --- a second fetch does nothing
n0=$(gets /test.box)
"$NCIMAGE" --cache "$C" fetch test/box "$URL/test.box" > "$T/f2.out" 2>&1
rc=$?
n1=$(gets /test.box)
if [ $rc -eq 0 ] && [ "$n0" = "$n1" ] && grep -q cached "$T/f2.out"; then
	ok "second fetch: cached, no request"
else
	notok "second fetch: cached, no request" "exit $rc, requests $n0 -> $n1" \
	    "$(cat "$T/f2.out")"
fi
# NCIMAGE_CACHE names the cache too
NCIMAGE_CACHE=$C "$NCIMAGE" fetch test/box "$URL/test.box" > "$T/f3.out" 2>&1
grep -q cached "$T/f3.out" && ok "NCIMAGE_CACHE selects the cache" ||
    notok "NCIMAGE_CACHE selects the cache" "$(cat "$T/f3.out")"

# --- resume: a .part with the first half is completed by a Range request
mkdir -p "$C/resume--box"
head -c $((SIZE / 2)) "$T/www/test.box" > "$C/resume--box/box.part"
"$NCIMAGE" --cache "$C" fetch resume/box "$URL/test.box" > "$T/r.out" 2>&1
rc=$?
got=$(sha256sum "$C/resume--box/box" 2>/dev/null | cut -d' ' -f1)
if [ $rc -eq 0 ] && [ "$got" = "$SUM" ] &&
    grep -q "^GET /test.box bytes=$((SIZE / 2))-" "$LOG" &&
    grep -q "resumed at byte $((SIZE / 2))" "$T/r.out"; then
	ok "resume: Range request, right sha256"
else
	notok "resume: Range request, right sha256" "exit $rc, sha $got" \
	    "$(cat "$T/r.out")" "$(tail -3 "$LOG")"
fi

# --- a .part larger than the file (416): starts over and succeeds
mkdir -p "$C/big--part"
head -c $((SIZE + 100)) /dev/zero > "$C/big--part/box.part"
"$NCIMAGE" --cache "$C" fetch big/part "$URL/test.box" > "$T/b.out" 2>&1
rc=$?
got=$(sha256sum "$C/big--part/box" 2>/dev/null | cut -d' ' -f1)
if [ $rc -eq 0 ] && [ "$got" = "$SUM" ]; then
	ok "resume refused (416): starts over"
else
	notok "resume refused (416): starts over" "exit $rc" "$(cat "$T/b.out")"
fi

# --- a .part from another URL is not resumed
mkdir -p "$C/moved--url"
head -c 1000 /dev/zero > "$C/moved--url/box.part"
echo "$URL/elsewhere.box" > "$C/moved--url/box.url"
"$NCIMAGE" --cache "$C" fetch moved/url "$URL/test.box" > "$T/m.out" 2>&1
rc=$?
got=$(sha256sum "$C/moved--url/box" 2>/dev/null | cut -d' ' -f1)
if [ $rc -eq 0 ] && [ "$got" = "$SUM" ] && grep -q 'starting over' "$T/m.out"
then
	ok "a .part from another URL: starts over"
else
	notok "a .part from another URL: starts over" "exit $rc" \
	    "$(cat "$T/m.out")"
fi

# --- a wrong --sha256 fails and leaves no cached file
BAD=0000000000000000000000000000000000000000000000000000000000000000
"$NCIMAGE" --cache "$C" fetch --sha256 $BAD wrong/sum "$URL/test.box" \
    > "$T/w.out" 2> "$T/w.err"
rc=$?
if [ $rc -ne 0 ] && grep -qi 'checksum mismatch' "$T/w.err" &&
    [ ! -e "$C/wrong--sum/box" ] && [ ! -e "$C/wrong--sum/box.part" ]; then
	ok "wrong --sha256: fails, nothing cached"
else
	notok "wrong --sha256: fails, nothing cached" "exit $rc" \
	    "$(cat "$T/w.err")" "$(ls "$C/wrong--sum")"
fi
"$NCIMAGE" --cache "$C" fetch --sha256 "$SUM" right/sum "$URL/test.box" \
    > /dev/null 2>&1 && [ -f "$C/right--sum/box" ] &&
    ok "right --sha256: cached" || notok "right --sha256: cached"
"$NCIMAGE" --cache "$C" fetch --sha256 xyz bad/arg "$URL/test.box" \
    > /dev/null 2>&1
[ $? -eq 2 ] && ok "--sha256 not hex: usage error" ||
    notok "--sha256 not hex: usage error"

# --- two parallel fetches of one image download once
"$NCIMAGE" --cache "$C" fetch par/box "$URL/slow/other.box" > "$T/p1" 2>&1 &
P1=$!
# the second starts once the server saw the first one's request
wait_for 10 count_at_least 1 "$LOG" '^GET /slow/other.box ' ||
    notok "parallel fetches: the first one's request reaches the server"
"$NCIMAGE" --cache "$C" fetch par/box "$URL/slow/other.box" > "$T/p2" 2>&1 &
P2=$!
wait $P1; r1=$?
wait $P2; r2=$?
n=$(gets /slow/other.box)
got=$(sha256sum "$C/par--box/box" 2>/dev/null | cut -d' ' -f1)
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ "$n" = 1 ] && [ "$got" = "$SUM" ] &&
    grep -q cached "$T/p2" && grep -q waiting "$T/p2"; then
	ok "parallel fetches: one download, the second waits"
else
	notok "parallel fetches: one download, the second waits" \
	    "exits $r1 $r2, $n requests" "$(cat "$T/p1" "$T/p2")"
fi

# --- verify: ok, then a corrupted cache file is caught
"$NCIMAGE" --cache "$C" verify test/box resume/box > "$T/v.out" 2>&1 &&
    ok "verify: intact files pass" || notok "verify: intact files pass" \
    "$(cat "$T/v.out")"
printf 'X' | dd of="$C/resume--box/box" bs=1 seek=1000 conv=notrunc \
    2> /dev/null
"$NCIMAGE" --cache "$C" verify test/box resume/box > "$T/v.out" 2> "$T/v.err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'resume/box: MISMATCH' "$T/v.err" &&
    grep -q 'test/box: ok' "$T/v.out"; then
	ok "verify: corrupted file, exit 1"
else
	notok "verify: corrupted file, exit 1" "exit $rc" "$(cat "$T/v.out" "$T/v.err")"
fi
"$NCIMAGE" --cache "$C" verify never/fetched > /dev/null 2> "$T/v.err"
[ $? -eq 1 ] && grep -q 'not cached' "$T/v.err" &&
    ok "verify: missing image, exit 1" ||
    notok "verify: missing image, exit 1" "$(cat "$T/v.err")"

# --- a 404 and a dead port fail quickly and clearly
start=$(date +%s)
"$NCIMAGE" --cache "$C" fetch gone/box "$URL/nothing.box" > /dev/null 2> "$T/e"
rc=$?
if [ $rc -eq 1 ] && grep -q 'HTTP 404' "$T/e" &&
    [ ! -e "$C/gone--box/box" ]; then
	ok "404: fails with HTTP 404"
else
	notok "404: fails with HTTP 404" "exit $rc" "$(cat "$T/e")"
fi
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$NCIMAGE" --cache "$C" fetch dead/port "http://127.0.0.1:$DEAD/x.box" \
    > /dev/null 2> "$T/e"
rc=$?
end=$(date +%s)
if [ $rc -eq 1 ] && grep -qi 'connect' "$T/e" && [ $((end - start)) -lt 10 ]; then
	ok "dead port: fails quickly ($((end - start)) s for both)"
else
	notok "dead port: fails quickly" "exit $rc, $((end - start)) s" "$(cat "$T/e")"
fi
"$NCIMAGE" --cache "$C" fetch ftp/box "ftp://127.0.0.1/x.box" > /dev/null 2> "$T/e"
[ $? -eq 2 ] && grep -q 'not an http' "$T/e" && ok "ftp URL refused" ||
    notok "ftp URL refused" "$(cat "$T/e")"
"$NCIMAGE" --cache "$C" fetch ../evil "$URL/test.box" > /dev/null 2> "$T/e"
[ $? -ne 0 ] && [ ! -e "$T/evil" ] && ok "bad image name refused" ||
    notok "bad image name refused" "$(cat "$T/e")"

# --- file:// URLs
"$NCIMAGE" --cache "$C" fetch file/box "file://$T/www/test.box" > "$T/e" 2>&1
got=$(sha256sum "$C/file--box/box" 2>/dev/null | cut -d' ' -f1)
[ "$got" = "$SUM" ] && ok "file:// URL" || notok "file:// URL" "$(cat "$T/e")"

# --- a box catalog: the highest version for the provider is fetched
cat > "$T/www/catalog.json" <<JSON
{"name": "cat/box", "versions": [
 {"version": "1.2.0", "providers": [{"name": "libvirt",
   "url": "$URL/test.box", "checksum_type": "sha256", "checksum": "$SUM"}]},
 {"version": "1.10.0", "providers": [{"name": "virtualbox",
   "url": "$URL/nothing.box"}, {"name": "libvirt",
   "url": "$URL/test.box", "checksum_type": "sha256", "checksum": "$SUM"}]},
 {"version": "1.9.0", "providers": [{"name": "libvirt",
   "url": "$URL/nothing.box"}]}]}
JSON
"$NCIMAGE" --cache "$C" fetch --provider libvirt cat/box "$URL/catalog.json" > "$T/c.out" 2>&1
rc=$?
got=$(sha256sum "$C/cat--box/box" 2>/dev/null | cut -d' ' -f1)
if [ $rc -eq 0 ] && [ "$got" = "$SUM" ] && grep -q 'version 1.10.0' "$T/c.out"; then
	ok "box catalog: highest version fetched"
else
	notok "box catalog: highest version fetched" "exit $rc" "$(cat "$T/c.out")"
fi

# --- neoc image on an imported experiment
sed "s|http://images.example.org/boxes/deter-win7.box|$URL/test.box|" \
    "$NC_TOP/examples/images.ns" > "$T/images.ns"
DB=$T/exp.db
if "$NEOC" import -d "$DB" "$T/images.ns" > "$T/i.out" 2>&1; then
	"$NEOC" image -d "$DB" list --cache "$C" > "$T/l.out" 2> "$T/l.err"
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^ubuntu/trusty64 .*virtualbox' "$T/l.out" &&
	    grep -q "^deter/win7 .* no .*$URL/test.box" "$T/l.out"; then
		ok "neoc image list shows the experiment's images"
	else
		notok "neoc image list shows the experiment's images" "exit $rc" \
		    "$(cat "$T/l.out" "$T/l.err")"
	fi
	"$NEOC" image -d "$DB" fetch --cache "$C" > "$T/d.out" 2> "$T/d.err"
	rc=$?
	sha=$(sqlite3 "$DB" "SELECT sha256 FROM images WHERE name='deter/win7'")
	prov=$(sqlite3 "$DB" "SELECT provider FROM images WHERE name='deter/win7'")
	if [ $rc -eq 0 ] && [ "$sha" = "$SUM" ] && [ "$prov" = libvirt ] &&
	    grep -q 'ubuntu/trusty64: baked in, nothing to fetch' "$T/d.out"; then
		ok "neoc image fetch records sha256 and provider in the database"
	else
		notok "neoc image fetch records sha256 and provider in the database" \
		    "exit $rc, sha '$sha', provider '$prov'" \
		    "$(cat "$T/d.out" "$T/d.err")"
	fi
	"$NEOC" image -d "$DB" list --cache "$C" > "$T/l.out" 2>&1
	grep -q "^deter/win7 .*libvirt .* yes *$SUM" "$T/l.out" &&
	    ok "neoc image list: cached, with sha256" ||
	    notok "neoc image list: cached, with sha256" "$(cat "$T/l.out")"
	"$NEOC" image -d "$DB" verify --cache "$C" > "$T/v.out" 2>&1 &&
	    grep -q 'deter/win7: ok' "$T/v.out" &&
	    ok "neoc image verify" || notok "neoc image verify" "$(cat "$T/v.out")"
	# the default database ./experiment.db is passed on
	cp "$DB" "$T/experiment.db"
	(cd "$T" && "$NEOC" image list --cache "$C") > "$T/l.out" 2>&1
	grep -q '^deter/win7 ' "$T/l.out" &&
	    ok "neoc image list: default ./experiment.db" ||
	    notok "neoc image list: default ./experiment.db" "$(cat "$T/l.out")"
	"$NEOC" image --help > "$T/h.out" 2>&1 && grep -q fetch "$T/h.out" &&
	    ok "neoc image --help" || notok "neoc image --help" "$(cat "$T/h.out")"
else
	notok "neoc import examples/images.ns" "$(cat "$T/i.out")"
fi
