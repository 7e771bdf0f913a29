#!/bin/sh
# tmcc.sh: testbed data (tmcc accounts, mounts, hostnames, ifconfig; passwd
# and group files) imported after an NS file: users, groups, memberships,
# keys and mounts appear in the export, the topology stays as it was,
# password hashes only with --secrets; malformed data fails cleanly.
. "$(dirname "$0")/lib.sh"
DATA=$NC_TOP/tests/data/tmcc-int
BAD=$NC_TOP/tests/data/bad
HASH=$(sed -n 's/.*LOGIN=alice PSWD=\([^ ]*\) .*/\1/p' "$DATA/accounts")
state() { cat "$1" "$1-wal" 2> /dev/null | sha256sum | cut -d' ' -f1; }

"$NEOC" import -d "$T/e.db" "$CORPUS/basic.ns" > /dev/null 2> "$T/ns.err" ||
	notok "basic.ns import" "$(cat "$T/ns.err")"
"$NEOC" export -d "$T/e.db" --json > "$T/before.json"
cp "$T/e.db" "$T/plain.db"

if "$NEOC" import -d "$T/e.db" --tmcc "$DATA" --pnode pnode-0 > "$T/tmcc.out" 2> "$T/tmcc.err"; then
	ok "import --tmcc DIR --pnode pnode-0 exits 0"
else
	notok "import --tmcc DIR --pnode pnode-0 exits 0" "$(cat "$T/tmcc.err")"
fi
[ -s "$T/tmcc.err" ] && notok "tmcc import of clean data prints no warnings" "$(cat "$T/tmcc.err")"
"$NEOC" export -d "$T/e.db" --json > "$T/after.json"
"$NEOC" export -d "$T/e.db" --json --secrets > "$T/secrets.json"

python3 - "$T/before.json" "$T/after.json" <<'PY'
import json, sys
def case(name, cond, *why):
    print(("ok - " if cond else "not ok - ") + name)
    if not cond:
        for w in why: print("    " + str(w))
try:
    b = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
except Exception as e:
    case("exports are JSON", False, e); sys.exit(0)
users = {u["name"]: u for u in d["users"]}
groups = {g["name"]: g for g in d["groups"]}
case("users alice bob carol", sorted(users) == ["alice", "bob", "carol"], sorted(users))
want = {"alice": (20001, 6001, "Alice Liddell", "/users/alice", "/bin/bash", True),
        "carol": (20002, 6001, "Carol Cheng", "/users/carol", "/bin/tcsh", False),
        "bob": (20003, 6001, "Bob Brown", "/users/bob", "/bin/bash", False)}
for n, w in want.items():
    u = users.get(n, {})
    got = tuple(u.get(k) for k in ("uid", "gid", "fullname", "home", "shell", "root"))
    case("user %s: uid gid fullname home shell root" % n, got == w, "want: %r" % (w,), "got:  %r" % (got,))
case("groups sec-proj 6001, sec-lab 6002",
     {g: groups[g]["gid"] for g in groups if g in ("sec-proj", "sec-lab")} == {"sec-proj": 6001, "sec-lab": 6002},
     d["groups"])
case("sec-lab members alice carol (GLIST)", sorted(groups.get("sec-lab", {}).get("members", [])) == ["alice", "carol"],
     groups.get("sec-lab"))
case("alice and carol are in sec-lab, bob is not",
     "sec-lab" in users.get("alice", {}).get("groups", []) and "sec-lab" in users.get("carol", {}).get("groups", [])
     and "sec-lab" not in users.get("bob", {}).get("groups", []),
     [(n, users.get(n, {}).get("groups")) for n in ("alice", "bob", "carol")])
k = {n: users.get(n, {}).get("keys") for n in ("alice", "bob", "carol")}
wantk = {"alice": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5c3RhcnNhbmRtb29uYmVhbXNvZnRoZXNreQ alice@laptop",
                   "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDaliceDeskKeyForTestsOnlyAAAA alice@desk"],
         "bob": [],
         "carol": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGNhcm9sa2V5Zm9ydGVzdHNvbmx5eHh4eHh4eHh4 carol@home"]}
case("keys: alice 2 in file order, carol 1, bob none", k == wantk, "want: %r" % wantk, "got:  %r" % k)
targets = sorted(m["target"] for m in d["mounts"])
case("mounts of the users' homes and the project",
     set(targets) >= {"/users/alice", "/users/bob", "/users/carol", "/proj/sec-proj"}, targets)
bad = [m for m in d["mounts"] if not m["source"].endswith(m["target"]) or not m["server"]]
case("each mount has a server and its source path", not bad, bad)
ex = lambda x: sorted((n for n in x["nodes"] if n["role"] in ("container", "physical")), key=lambda n: n["name"])
case("containers unchanged by the tmcc import", ex(b) == ex(d))
case("LANs unchanged by the tmcc import", b["lans"] == d["lans"])
case("experiment unchanged by the tmcc import", b["experiment"] == d["experiment"], b["experiment"], d["experiment"])
PY

if grep -qF -- "$HASH" "$T/after.json"; then
	notok "no password hash in the export without --secrets"
else
	ok "no password hash in the export without --secrets"
fi
if grep -qF -- "$HASH" "$T/secrets.json"; then
	ok "the password hash in the export with --secrets"
else
	notok "the password hash in the export with --secrets" "$(grep -A3 '"alice"' "$T/secrets.json" | head -20)"
fi
if grep -q '192\.168\.10\.10' "$T/after.json"; then
	ok "ifconfig/hostnames: pnode-0's physical address is in the export"
else
	notok "ifconfig/hostnames: pnode-0's physical address is in the export"
fi

# the same data again changes nothing (no duplicate users, keys, mounts)
"$NEOC" import -d "$T/e.db" --tmcc "$DATA" --pnode pnode-0 > /dev/null 2>&1
"$NEOC" export -d "$T/e.db" --json > "$T/again.json"
if cmp -s "$T/after.json" "$T/again.json"; then
	ok "tmcc import twice: the same export"
else
	notok "tmcc import twice: the same export" "$(diff "$T/after.json" "$T/again.json" | head -20)"
fi

# an NS re-import after tmcc: the topology is replaced, the export is valid
"$NEOC" import -d "$T/e.db" "$CORPUS/basic.ns" > /dev/null 2> "$T/re.err" &&
	"$NEOC" export -d "$T/e.db" --json > "$T/re.json" &&
	jget "$T/re.json" 'd["nodes"]' > /dev/null 2>&1 &&
	ok "NS re-import after tmcc data" || notok "NS re-import after tmcc data" "$(cat "$T/re.err")"

# --- unknown keywords: a warning with file and line, the rest imported
mkdir "$T/warn"
cp "$DATA"/* "$T/warn/"
{ head -2 "$DATA/accounts"; echo 'ADDFROBNICATOR NAME=x LEVEL=11'; tail -n +3 "$DATA/accounts"; } > "$T/warn/accounts"
cp "$T/plain.db" "$T/warn.db"
if "$NEOC" import -d "$T/warn.db" --tmcc "$T/warn" > /dev/null 2> "$T/warn.err"; then
	ok "unknown tmcc keyword: exit 0"
else
	notok "unknown tmcc keyword: exit 0" "$(cat "$T/warn.err")"
fi
if grep -q "$T/warn/accounts:3: warning: " "$T/warn.err"; then
	ok "unknown tmcc keyword: warning at accounts:3"
else
	notok "unknown tmcc keyword: warning at accounts:3" "$(cat "$T/warn.err")"
fi
"$NEOC" export -d "$T/warn.db" --json > "$T/warn.json" 2>&1
got=$(jget "$T/warn.json" '" ".join(sorted(u["name"] for u in d["users"]))' 2>&1)
expect_eq "unknown tmcc keyword: the users still imported" "alice bob carol" "$got"

# --- malformed data: exit 1, DIR/FILE:LINE:, the database unchanged
# badtmcc NAME FILE LINE REASON
badtmcc() {
	n=$1; file=$2; line=$3; reason=$4
	cp "$T/plain.db" "$T/$n.db"
	before=$(state "$T/$n.db")
	timeout -k 5 60 "$NEOC" import -d "$T/$n.db" --tmcc "$BAD/$n" > /dev/null 2> "$T/$n.err"
	rc=$?
	expect_eq "$n: exit 1" 1 "$rc"
	if grep -Eq "$BAD/$n/$file:$line: .*($reason)" "$T/$n.err"; then
		ok "$n: $file:$line: reason"
	else
		notok "$n: $file:$line: reason ($reason)" "$(cat "$T/$n.err")"
	fi
	if [ "$(state "$T/$n.db")" = "$before" ]; then
		ok "$n: database unchanged"
	else
		notok "$n: database unchanged"
	fi
}
badtmcc tmcc-malformed accounts 3 'twenty|uid'
badtmcc tmcc-badlogin accounts 2 'eve|login|name'
badtmcc tmcc-badhome accounts 3 'home|path|\.\.'
badtmcc tmcc-badmount mounts 3 'path|local|\.\.'

# --- passwd(5) and group(5) files as a simpler source
cat > "$T/passwd" <<'PW'
dave:x:20010:6010:Dave Doe:/users/dave:/bin/bash
erin:x:20011:6010:Erin Eck:/users/erin:/bin/sh
PW
cat > "$T/group" <<'GR'
lab:x:6010:
extra:x:6011:dave,erin
GR
cp "$T/plain.db" "$T/pw.db"
if "$NEOC" import -d "$T/pw.db" --passwd "$T/passwd" --group "$T/group" > /dev/null 2> "$T/pw.err"; then
	ok "import --passwd --group exits 0"
else
	notok "import --passwd --group exits 0" "$(cat "$T/pw.err")"
fi
"$NEOC" export -d "$T/pw.db" --json > "$T/pw.json" 2>&1
got=$(jget "$T/pw.json" '"; ".join("%s %s %s %s %s %s" % (u["name"], u["uid"], u["gid"], u["fullname"], u["home"], u["shell"]) for u in sorted(d["users"], key=lambda u: u["name"]))' 2>&1)
expect_eq "passwd: users dave erin" "dave 20010 6010 Dave Doe /users/dave /bin/bash; erin 20011 6010 Erin Eck /users/erin /bin/sh" "$got"
got=$(jget "$T/pw.json" '"; ".join("%s %s" % (g["name"], g["gid"]) for g in sorted(d["groups"], key=lambda g: g["name"]) if g["name"] in ("lab", "extra"))' 2>&1)
expect_eq "group: lab 6010, extra 6011" "extra 6011; lab 6010" "$got"
got=$(jget "$T/pw.json" '[sorted(g["members"]) for g in d["groups"] if g["name"] == "extra"] == [["dave", "erin"]] and all("extra" in u["groups"] for u in d["users"] if u["name"] in ("dave", "erin"))' 2>&1)
expect_eq "group: extra has members dave erin, both list it" "True" "$got"

# --- testbed data keeps a placed experiment's placement (issue 11): a
# 100-container experiment on this machine's implicit pnode-0, then tmcc
# data whose hostnames name pnodes; --replace places them again.
python3 - "$T/c100.ns" <<'PY'
import sys
n = 100
with open(sys.argv[1], "w") as f:
    f.write("set ns [new Simulator]\nsource tb_compat.tcl\n")
    for i in range(n):
        f.write("set n%d [$ns node]\n" % i)
    f.write('set lan [$ns make-lan "%s" 100Mb 0ms]\n$ns run\n' %
            " ".join("$n%d" % i for i in range(n)))
PY
mkdir -p "$T/tmcc-pn"
cp "$NC_TOP/tests/data/tmcc-int/"* "$T/tmcc-pn/"
echo "NAME=pnode-1 IP=192.168.10.11 ALIASES=''" >> "$T/tmcc-pn/hostnames"
hosts() { sqlite3 "$1" "SELECT host || ':' || count(*) FROM nodes WHERE role = 'container' GROUP BY host ORDER BY host" | xargs; }
if "$NEOC" import -d "$T/c100.db" "$T/c100.ns" > /dev/null 2> "$T/c100.err"; then
	before=$(hosts "$T/c100.db")
	"$NEOC" import -d "$T/c100.db" --tmcc "$T/tmcc-pn" > "$T/c100.out" 2> "$T/c100.err"
	expect_eq "import --tmcc into a placed 100-container experiment exits 0" 0 "$?" "$(cat "$T/c100.err")"
	expect_eq "...the placement is kept (pnode-0:100)" "pnode-0:100 pnode-0:100" "$before $(hosts "$T/c100.db")"
	expect_eq "...no pnode added from hostnames, the users added" "pnode-0 3" \
	    "$(sqlite3 "$T/c100.db" "SELECT group_concat(name, ' ') FROM nodes WHERE role = 'pnode'") $(sqlite3 "$T/c100.db" "SELECT count(*) FROM users")"
	"$NEOC" import -d "$T/c100.db" --tmcc "$T/tmcc-pn" --replace --pnodes 10 > /dev/null 2> "$T/c100r.err"
	expect_eq "import --tmcc --replace --pnodes 10 places them again" "0 10" \
	    "$? $(sqlite3 "$T/c100.db" "SELECT count(DISTINCT host) FROM nodes WHERE role = 'container'")" "$(cat "$T/c100r.err")"
	out=$("$NEOC" import -d "$T/c100.db" --replace "$T/c100.ns" 2>&1)
	expect_eq "--replace with an NS file is a usage error" 2 "$?" "$out"
else
	notok "import the 100-container experiment" "$(cat "$T/c100.err")"
fi
