#!/bin/sh
# ncfs_browse.sh: reading a mounted experiment.  `ls -R` and `find` walk the
# whole tree, which must be exactly the tree of docs/DESIGN.md for the
# experiment's records (every name, type, mode bits, owner root); `stat`
# sizes equal what `cat` returns; inode numbers are unique and stable
# across stats and across a remount; every value file reads what the
# database (its JSON export) holds; the rendered files are handed to the
# real tools: passwd/group/shadow to pwck, grpck, getent and id, hosts to
# getent hosts (each bind-mounted over /etc in a private mount namespace,
# `unshare -m`), mounts to findmnt --fstab, keys/<user> to ssh-keygen -l.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs

DB=$T/e.db
M=$T/m
make_db "$DB"
"$NEOC" export -d "$DB" --json --secrets > "$T/export.json"
ncfs_mount "$M" "$DB" || { notok "ncfs mounts $DB"; exit 1; }
ok "ncfs -f mounts the experiment database"

# --- walking the tree --------------------------------------------------------
if ls -R "$M" > "$T/ls.out" 2> "$T/ls.err" && [ ! -s "$T/ls.err" ]; then
	ok "ls -R of the whole tree succeeds without errors"
else
	notok "ls -R of the whole tree succeeds without errors" "$(head -5 "$T/ls.err")"
fi
if find "$M" -printf '%P\t%y\t%m\t%U\t%G\n' > "$T/find.out" 2> "$T/find.err" &&
    [ ! -s "$T/find.err" ]; then
	ok "find of the whole tree succeeds without errors"
else
	notok "find of the whole tree succeeds without errors" "$(head -5 "$T/find.err")"
fi
expect_eq "ls -R and find see the same number of entries" \
    "$(($(grep -c . "$T/find.out") - 1))" \
    "$(grep -v -e '^$' -e ':$' "$T/ls.out" | grep -c .)"

# The expected tree: every path with its type and mode, from the export.
"$PY" - "$T/export.json" > "$T/want.tree" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
R, W, S = 0o444, 0o644, 0o600
EXP = {"name": W, "project": W, "group": W, "control_host": R,
       "control_addr": W, "generation": R, "confgen": R}
NODE = {"role": W, "os": W, "hardware": W, "startcmd": W,
        "failure_action": W, "host": W, "containers": R, "hosts": R,
        "passwd": R, "group": R, "shadow": S, "sudoers": R, "sshkeys": S,
        "mounts": R, "physical": R, "status": W, "tarfiles": R,
        "startstatus": W, "control": W, "routes": W, "forwarding": R,
        "confgen": R, "guests": R, "bundle": S}
NIMG = {k: R for k in ("os", "type", "name", "url", "version", "provider",
                       "packages")}
IFACE = {"lan": R, "ip": W, "netmask": R, "mac": W, "bandwidth": W,
         "delay": W, "loss": W}
LAN = {"kind": R, "members": R, "bandwidth": W, "delay": W, "loss": W,
       "netmask": R}
USER = {"uid": W, "gid": W, "name": W, "home": W, "shell": W, "groups": W,
        "keys": W, "password": S, "root": W}
GROUP = {"gid": W, "members": W}
ACCOUNT = {"uid": R, "gid": R, "home": R, "shell": R, "groups": R, "keys": S,
           "sudo": R}
IMAGE = {"os": R, "type": R, "provider": W, "version": W, "url": W,
         "sha256": W, "packages": W, "osnames": W}
out = {}
def dr(p): out[p] = ("d", 0o755)
def files(p, fields):
    dr(p)
    for f, m in fields.items():
        out[p + "/" + f] = ("f", m)
for p in ("experiment", "nodes", "lans", "users", "groups", "images"):
    dr(p)
files("experiment", EXP)
for n in d["nodes"]:
    b = "nodes/" + n["name"]
    files(b, NODE)
    files(b + "/image", NIMG)
    dr(b + "/ifaces"); dr(b + "/attributes"); dr(b + "/keys")
    dr(b + "/accounts")
    for u in d["users"]:
        files(b + "/accounts/" + u["name"], ACCOUNT)
    for i in n["ifaces"]:
        files(b + "/ifaces/" + i["name"], IFACE)
    for k, v in n["attributes"]:
        out[b + "/attributes/" + k] = ("f", W)
    for u in d["users"]:
        out[b + "/keys/" + u["name"]] = ("f", S)
for l in d["lans"]:
    files("lans/" + l["name"], LAN)
for u in d["users"]:
    files("users/" + u["name"], USER)
for g in d["groups"]:
    files("groups/" + g["name"], GROUP)
for im in d["images"]:
    parts = im["name"].split("/")
    for k in range(1, len(parts)):
        dr("images/" + "/".join(parts[:k]))
    files("images/" + im["name"], IMAGE)
for p in sorted(out):
    t, m = out[p]
    print("%s\t%s\t%o\t0\t0" % (p, t, m))
PY
sed 1d "$T/find.out" | sort > "$T/got.tree"
if cmp -s "$T/want.tree" "$T/got.tree"; then
	ok "the tree is exactly docs/DESIGN.md's: names, types, modes, owner root ($(wc -l < "$T/got.tree") entries)"
else
	notok "the tree is exactly docs/DESIGN.md's: names, types, modes, owner root" \
	    "$(diff "$T/want.tree" "$T/got.tree" | head -20)"
fi
# The contract (lib/nctree.h, the NCT_TREE rows) against the mounted tree:
# every path found is a row (walking down from the root's type, a keyed row
# where no fixed name matches) with the row's type and mode, and every row
# is found.  The images rows are checked on the images experiment below.
contract_walk() { # find-output... ; prints "ok"/"not ok" lines itself
	"$PY" - "$NC_TOP/lib/nctree.h" "$@" <<'PY'
import re, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
rows = re.findall(r'X\((\w+),\s*(\w+),\s*"([^"]*)",\s*(NCT_D_\w+|NCT_FILE),'
                  r'\s*(0\d+),\s*(NCT_W_\w+),\s*([01]),', text)
if len(rows) < 50:
    print("not ok - the contract's rows are read from lib/nctree.h (%d)" % len(rows))
    sys.exit(0)
bad, seen, n = [], set(), 0
def row(t, name):
    for r in rows:
        if r[1] == t and r[2] == name:
            return r
    for r in rows:
        if r[1] == t and r[2].startswith("<"):
            return r
    return None
for f in sys.argv[2:]:
    paths = {}
    for line in open(f):
        p, y, m = line.rstrip("\n").split("\t")[:3]
        if p:
            paths[p] = (y, int(m, 8))
    for p in sorted(paths):
        t, r, comps = "ROOT", None, p.split("/")
        i = 0
        while i < len(comps):
            r = row(t, comps[i])
            if r is None:
                break
            if r[1] == "IMAGES" and r[2].startswith("<"):
                # an image name may hold '/': the directory with an os file
                # is the image, the ones above it are name prefixes
                j = i + 1
                while j <= len(comps) and \
                        "/".join(comps[:j]) + "/os" not in paths:
                    j += 1
                if j > len(comps):
                    r = ("PREFIX", "IMAGES", "<prefix>", "NCT_D_IMAGES",
                         "0755", "", "0")
                    j = len(comps)
                i = j
            else:
                i += 1
            t = r[3][len("NCT_D_"):] if r[3] != "NCT_FILE" else None
        if r is None:
            bad.append("%s: not in the contract" % p)
            continue
        want = ("f" if r[3] == "NCT_FILE" else "d", int(r[4], 8))
        if paths[p] != want:
            bad.append("%s: %s %o, the contract says %s %o" % (p, paths[p][0],
                       paths[p][1], want[0], want[1]))
        seen.add(r[0]); n += 1
missing = [r[0] for r in rows if r[0] not in seen]
print(("ok - " if not bad else "not ok - ") +
      "all %d paths found are rows of the contract, with its type and mode" % n)
for b in bad[:10]: print("    " + b)
print(("ok - " if not missing else "not ok - ") +
      "every row of the contract (%d) is in the mounted trees" % len(rows))
if missing: print("    missing: " + " ".join(missing))
PY
}

expect_eq "ls -U nodes lists the nodes in the experiment's order" \
    "$(jget "$T/export.json" '" ".join(n["name"] for n in d["nodes"])')" \
    "$(ls -U "$M/nodes" | paste -sd' ' -)"
expect_eq "ls -U nodes/gw/ifaces lists the interfaces in order" "eth1 eth2" \
    "$(ls -U "$M/nodes/gw/ifaces" | paste -sd' ' -)"

# --- stat -------------------------------------------------------------------
bad=
find "$M" -type f > "$T/files"
while read -r f; do
	s=$(stat -c %s "$f")
	c=$(cat "$f" | wc -c)
	[ "$s" = "$c" ] || bad="$bad ${f#"$M"/}:stat=$s,cat=$c"
done < "$T/files"
if [ -z "$bad" ]; then
	ok "stat size equals cat | wc -c for all $(wc -l < "$T/files") files"
else
	notok "stat size equals cat | wc -c for every file" "$bad"
fi
bad=
while read -r f; do
	[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || [ ! -s "$f" ] ||
	    bad="$bad ${f#"$M"/}"
done < "$T/files"
if [ -z "$bad" ]; then ok "every non-empty file ends in a newline"; else
	notok "every non-empty file ends in a newline" "$bad"; fi
expect_eq "stat of a directory: 0755 directory root root" "755 directory 0 0" \
    "$(stat -c '%a %F %u %g' "$M/nodes/gw/ifaces/eth1")"
expect_eq "stat of a value: 0644 regular file root root" "644 regular file 0 0" \
    "$(stat -c '%a %F %u %g' "$M/nodes/gw/ifaces/eth1/ip")"

find "$M" -printf '%i %P\n' | sort -k2 > "$T/ino1"
find "$M" -printf '%i %P\n' | sort -k2 > "$T/ino2"
if cmp -s "$T/ino1" "$T/ino2"; then ok "inode numbers are the same on a second walk"; else
	notok "inode numbers are the same on a second walk" "$(diff "$T/ino1" "$T/ino2" | head)"; fi
dups=$(cut -d' ' -f1 "$T/ino1" | sort | uniq -d | head -5)
if [ -z "$dups" ]; then ok "inode numbers are unique"; else
	notok "inode numbers are unique" "duplicates: $dups" "$(grep -F -e "$(echo "$dups" | head -1)" "$T/ino1")"; fi
expect_eq "the root's inode number is 1" 1 "$(stat -c %i "$M")"

# --- values -----------------------------------------------------------------
"$PY" - "$T/export.json" "$M" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1])); M = sys.argv[2]
bad = []
def want(path, value):
    try:
        got = open(os.path.join(M, path), "rb").read().decode()
    except OSError as e:
        bad.append("%s: %s" % (path, e)); return
    if got != value:
        bad.append("%s: want %r got %r" % (path, value, got))
def val(v):
    if v is None: return "\n"
    if v is True: return "1\n"
    if v is False: return "0\n"
    if isinstance(v, float) and v == int(v): v = int(v)
    return "%s\n" % v
def lst(items): return "".join(i + "\n" for i in items)
e = d["experiment"]
want("experiment/name", val(e["name"]))
want("experiment/project", val(e["project"]))
want("experiment/group", val(e["group"]))
want("experiment/control_host", val(e["control"]))
lans = {l["name"]: l for l in d["lans"]}
for n in d["nodes"]:
    b = "nodes/%s/" % n["name"]
    for f in ("role", "os", "hardware", "startcmd", "failure_action", "host"):
        want(b + f, val(n.get(f)))
    for k, v in n["attributes"]:
        want(b + "attributes/" + k, val(v))
    hosted = [c["name"] for c in d["nodes"]
              if c["role"] == "container" and c.get("host") == n["name"]]
    want(b + "containers", lst(hosted if n["role"] == "pnode" else []))
    for i in n["ifaces"]:
        ib = b + "ifaces/%s/" % i["name"]
        l = lans[i["lan"]]
        want(ib + "lan", val(i["lan"]))
        want(ib + "ip", val(i["ip"]))
        want(ib + "netmask", val(i["netmask"]))
        want(ib + "mac", val(i["mac"]))
        want(ib + "bandwidth", val(i.get("bandwidth_kbps", l["bandwidth_kbps"])))
        want(ib + "delay", val(i.get("delay_ms", l["delay_ms"])))
        want(ib + "loss", val(i.get("loss", l["loss"])))
    for u in d["users"]:
        want(b + "keys/" + u["name"], lst(u["keys"]))
        a = b + "accounts/%s/" % u["name"]
        for f in ("uid", "gid", "home", "shell"):
            want(a + f, val(u[f]))
        want(a + "groups", lst(u["groups"]))
        want(a + "keys", lst(u["keys"]))
        want(a + "sudo", val(bool(u["root"])))
    want(b + "status", "pending 0\n")
for l in d["lans"]:
    b = "lans/%s/" % l["name"]
    want(b + "kind", val(l["kind"]))
    want(b + "members", lst(l["members"]))
    want(b + "bandwidth", val(l["bandwidth_kbps"]))
    want(b + "delay", val(l["delay_ms"]))
    want(b + "loss", val(l["loss"]))
    want(b + "netmask", val(l.get("netmask") or "255.255.255.0"))
for u in d["users"]:
    b = "users/%s/" % u["name"]
    for f, k in (("uid", "uid"), ("gid", "gid"), ("name", "fullname"),
                 ("home", "home"), ("shell", "shell"), ("root", "root"),
                 ("password", "password")):
        want(b + f, val(u[k]))
    want(b + "groups", lst(u["groups"]))
    want(b + "keys", lst(u["keys"]))
for g in d["groups"]:
    want("groups/%s/gid" % g["name"], val(g["gid"]))
    want("groups/%s/members" % g["name"], lst(g["members"]))
want("experiment/generation", os.popen("sqlite3 '%s' 'SELECT generation FROM experiment'"
     % os.path.join(os.path.dirname(M), "e.db")).read())
print(("ok - " if not bad else "not ok - ") +
      "every value file reads what the database holds")
for b in bad[:15]: print("    " + b)
PY
expect_eq "cat nodes/h1/ifaces/eth1/ip" 192.168.1.11 "$(cat "$M/nodes/h1/ifaces/eth1/ip")"
expect_eq "cat lans/uplink/loss" 0.01 "$(cat "$M/lans/uplink/loss")"
expect_eq "cat nodes/pnode-0/containers" "gw h1 h2 h3 server" \
    "$(paste -sd' ' "$M/nodes/pnode-0/containers")"
expect_eq "cat groups/sec-lab/members" "alice carol" "$(paste -sd' ' "$M/groups/sec-lab/members")"
expect_eq "a read at an offset (tail -c 3 of an address)" ".11" \
    "$(tail -c 4 "$M/nodes/h1/ifaces/eth1/ip" | head -c 3)"
# accounts/: who can log in on a node, the users of its passwd
expect_eq "ls -U nodes/h1/accounts: alice carol bob" "alice carol bob" \
    "$(ls -U "$M/nodes/h1/accounts" | paste -sd' ' -)"
expect_eq "ls nodes/h1/accounts equals the users of nodes/h1/passwd" \
    "$(cut -d: -f1 "$M/nodes/h1/passwd" | paste -sd' ' -)" \
    "$(ls -U "$M/nodes/h1/accounts" | paste -sd' ' -)"
expect_eq "stat of accounts/<u>/keys: 0600 like keys/<u>" \
    "$(stat -c '%a %U' "$M/nodes/h1/keys/alice")" \
    "$(stat -c '%a %U' "$M/nodes/h1/accounts/alice/keys")"
refused "accounts/<u>/shell is read-only (edits go to users/)" "Permission denied" \
    sh -c 'echo /bin/sh > "$1"' sh "$M/nodes/h1/accounts/bob/shell"
refused "cat of a missing node: No such file" "No such file" cat "$M/nodes/nosuch/role"
refused "cat of a missing file: No such file" "No such file" cat "$M/nodes/gw/nosuch"
refused "cat of a directory: Is a directory" "Is a directory" cat "$M/nodes/gw"
refused "ls of a file as a directory: Not a directory" "Not a directory" ls "$M/nodes/gw/os/x"
check "stat -f (statfs) of the mount" stat -f "$M"

# --- rendered files handed to the real tools ---------------------------------
R=$T/rendered
mkdir -p "$R"
for f in passwd group shadow hosts mounts sudoers; do cp "$M/nodes/h1/$f" "$R/$f"; done
expect_eq "passwd: one line per user, 7 fields" "alice:20001:6001 carol:20002:6001 bob:20003:6001" \
    "$(awk -F: 'NF == 7 && $2 == "x" { printf "%s%s:%s:%s", s, $1, $3, $4; s = " " }' "$R/passwd")"
expect_eq "group: name:x:gid:members" "sec-proj:6001: sec-lab:6002:alice,carol" \
    "$(awk -F: 'NF == 4 && $2 == "x" { printf "%s%s:%s:%s", s, $1, $3, $4; s = " " }' "$R/group")"
expect_eq "shadow: alice's hash, * for the others" \
    "alice:$(jget "$T/export.json" 'd["users"][0]["password"]') carol:* bob:*" \
    "$(awk -F: 'NF == 9 { printf "%s%s:%s", s, $1, $2; s = " " }' "$R/shadow")"
check "pwck -r -q accepts passwd and shadow" pwck -r -q "$R/passwd" "$R/shadow"
expect_eq "sudoers: the users with root (alice)" "alice ALL=(ALL) NOPASSWD:ALL" "$(cat "$R/sudoers")"
if command -v visudo > /dev/null; then
	check "visudo -c accepts sudoers" visudo -c -q -f "$R/sudoers"
else
	skip "visudo -c accepts sudoers" "visudo is not installed (package sudo)"
fi
if command -v unshare > /dev/null; then
	# A private mount namespace in which /etc holds the rendered files.
	in_etc() {
		unshare -m sh -c 'for f in passwd group hosts; do
		    mount --bind "$0/$f" /etc/$f || exit 99; done; exec "$@"' "$R" "$@"
	}
	check "grpck -r accepts group (with passwd as /etc/passwd)" in_etc grpck -r "$R/group"
	expect_eq "getent -s files passwd alice" "alice:x:20001:6001:Alice Liddell:/users/alice:/bin/bash" \
	    "$(in_etc getent -s files passwd alice 2>&1)"
	expect_eq "getent -s files group sec-lab" "sec-lab:x:6002:alice,carol" \
	    "$(in_etc getent -s files group sec-lab 2>&1)"
	expect_eq "id carol: primary and supplementary groups" \
	    "uid=20002(carol) gid=6001(sec-proj) groups=6001(sec-proj),6002(sec-lab)" \
	    "$(in_etc id carol 2>&1)"
	expect_eq "getent -s files hosts h2 (hosts as /etc/hosts)" "192.168.1.12    h2-lan0 h2" \
	    "$(in_etc getent -s files hosts h2 2>&1)"
	expect_eq "getent -s files hosts gw-uplink" "10.0.0.1        gw-uplink" \
	    "$(in_etc getent -s files hosts gw-uplink 2>&1)"
	expect_eq "getent -s files hosts pc10 (a hostnames alias)" "192.168.10.10   pnode-0 pc10 pc10.example.org" \
	    "$(in_etc getent -s files hosts pc10 2>&1)"
	# every address line of hosts resolves back through getent
	bad=
	for name in $(awk '!/^#/ { print $2 }' "$R/hosts"); do
		ip=$(awk -v n="$name" '$2 == n { print $1 }' "$R/hosts")
		got=$(in_etc getent -s files hosts "$name" | awk '{ print $1 }')
		[ "$got" = "$ip" ] || bad="$bad $name:$ip/$got"
	done
	if [ -z "$bad" ]; then ok "getent resolves every name of hosts to its address"; else
		notok "getent resolves every name of hosts to its address" "$bad"; fi
else
	notok "unshare is available for the getent checks"
fi
expect_eq "hosts: a line per address plus the hostnames, one header" \
    "$(($(jget "$T/export.json" 'sum(1 for n in d["nodes"] for i in n["ifaces"] if i["ip"])') + 2 + 1))" \
    "$(grep -c . "$R/hosts")"
if findmnt --fstab -F "$R/mounts" -n -o SOURCE,TARGET,FSTYPE,OPTIONS > "$T/findmnt.out" 2>&1; then
	expect_eq "findmnt --fstab parses mounts: 9p from the node's pnode" \
	    "pnode-0:/users/alice /users/alice 9p aname=/users/alice" \
	    "$(head -1 "$T/findmnt.out" | tr -s ' ')"
	expect_eq "mounts: one line per mount" 4 "$(grep -c . "$T/findmnt.out")"
else
	notok "findmnt --fstab parses mounts" "$(cat "$T/findmnt.out")"
fi
for u in alice carol; do
	grep "LOGIN=$u KEY" "$TMCC/accounts" | sed 's/.*KEY="\(.*\)"$/\1/' > "$T/$u.pub"
	want=$(ssh-keygen -l -f "$T/$u.pub" 2>&1)
	got=$(ssh-keygen -l -f "$M/nodes/server/keys/$u" 2>&1)
	expect_eq "ssh-keygen -l -f nodes/server/keys/$u: $(echo "$want" | wc -l) fingerprints" "$want" \
	    "$(echo "$got" | sed "s|$M/nodes/server/keys/$u|$T/$u.pub|")"
	got=$(ssh-keygen -l -f "$M/users/$u/keys" 2>&1)
	expect_eq "ssh-keygen -l -f users/$u/keys" "$want" \
	    "$(echo "$got" | sed "s|$M/users/$u/keys|$T/$u.pub|")"
done
expect_eq "keys/bob is empty (bob has no keys)" 0 "$(stat -c %s "$M/nodes/gw/keys/bob")"
# sshkeys: every user's keys in one file, "<user> <key>"
expect_eq "sshkeys: a line per key, user first, in order" \
    "$(grep 'KEY=' "$TMCC/accounts" | sed 's/.*LOGIN=\([^ ]*\) KEY="\(.*\)"$/\1 \2/')" \
    "$(cat "$M/nodes/h1/sshkeys")"
cut -d' ' -f2- "$M/nodes/h1/sshkeys" > "$T/all.pub"
expect_eq "ssh-keygen -l reads every key of sshkeys" 3 "$(ssh-keygen -l -f "$T/all.pub" 2>&1 | grep -c SHA256)"
# physical: a pnode's interfaces from the testbed's ifconfig
expect_eq "physical: pnode-0's interface (IFACE MAC LAN IP NETMASK)" \
    "eth1 00:15:17:63:e1:a2 lan0 192.168.10.10 255.255.255.0" "$(cat "$M/nodes/pnode-0/physical")"
expect_eq "physical of a container is empty" 0 "$(stat -c %s "$M/nodes/h1/physical")"

# --- an experiment with images ----------------------------------------------
IDB=$T/i.db
IM=$T/im
make_db "$IDB" "$NC_TOP/examples/images.ns"
if ncfs_mount "$IM" "$IDB"; then
	expect_eq "images/ holds name prefixes as directories (and the two built images)" \
	    "busybox debian-12 deter ubuntu" \
	    "$(ls "$IM/images" | paste -sd' ' -)"
	expect_eq "images/ubuntu/trusty64/os" ubuntu "$(cat "$IM/images/ubuntu/trusty64/os")"
	expect_eq "images/deter/win7/url" http://images.example.org/boxes/deter-win7.box \
	    "$(cat "$IM/images/deter/win7/url")"
	expect_eq "nodes/web/image/name" ubuntu/trusty64 "$(cat "$IM/nodes/web/image/name")"
	expect_eq "nodes/desktop/image/os type" "windows vagrant" \
	    "$(cat "$IM/nodes/desktop/image/os" "$IM/nodes/desktop/image/type" | paste -sd' ' -)"
	expect_eq "attributes/<key> named as given (containers:image_os)" windows \
	    "$(cat "$IM/nodes/desktop/attributes/containers:image_os")"
	find "$IM" -printf '%P\t%y\t%m\n' > "$T/i.find"
	"$NEOC" export -d "$IDB" --json > "$T/i.json"
	find "$IM/images" -printf '%P\t%y\t%m\n' | sed 1d | sort > "$T/i.got"
	"$PY" - "$T/i.json" > "$T/i.want" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); out = {}
for im in d["images"]:
    p = im["name"].split("/")
    for k in range(1, len(p)): out["/".join(p[:k])] = "d\t755"
    out[im["name"]] = "d\t755"
    for f, m in (("os", 444), ("type", 444), ("provider", 644), ("version", 644),
                 ("url", 644), ("sha256", 644), ("packages", 644),
                 ("osnames", 644)):
        out[im["name"] + "/" + f] = "f\t%d" % m
for k in sorted(out): print(k + "\t" + out[k])
PY
	if cmp -s "$T/i.want" "$T/i.got"; then ok "find images/ is the catalog, nested by name"; else
		notok "find images/ is the catalog, nested by name" "$(diff "$T/i.want" "$T/i.got" | head)"; fi
	ncfs_umount "$IM" "$NCFS_PID" || notok "unmount of the images experiment"
else
	notok "ncfs mounts the images experiment"
fi

# --- the contract --------------------------------------------------------------
[ -s "$T/i.find" ] || : > "$T/i.find"
contract_walk "$T/find.out" "$T/i.find"

# --- remount: the same inode numbers -----------------------------------------
PID1=$(awk -v m="$M" '$2 == m { print $1; exit }' "$T/mounts.list")
if ncfs_umount "$M" "$PID1"; then
	ok "fusermount3 -u unmounts and ncfs exits"
else
	notok "fusermount3 -u unmounts and ncfs exits"
fi
if ncfs_mount "$M" "$DB"; then
	find "$M" -printf '%i %P\n' | sort -k2 > "$T/ino3"
	if cmp -s "$T/ino1" "$T/ino3"; then ok "inode numbers are the same after a remount"; else
		notok "inode numbers are the same after a remount" "$(diff "$T/ino1" "$T/ino3" | head)"; fi
else
	notok "ncfs mounts the database again"
fi

# --- accounts/ follows users/ --------------------------------------------------
echo /bin/zsh > "$M/users/bob/shell"
echo 1 > "$M/users/bob/root"
expect_eq "a new shell in users/bob shows in nodes/h1/accounts/bob/shell" /bin/zsh \
    "$(cat "$M/nodes/h1/accounts/bob/shell")"
expect_eq "root in users/bob makes nodes/gw/accounts/bob/sudo 1" 1 \
    "$(cat "$M/nodes/gw/accounts/bob/sudo")"
if mkdir "$M/users/dave" 2> "$T/mkdir.err"; then
	expect_eq "a user made in users/ is in accounts/ and passwd" "alice carol bob dave" \
	    "$(ls -U "$M/nodes/h1/accounts" | paste -sd' ' -)" \
	    "passwd: $(cut -d: -f1 "$M/nodes/h1/passwd" | paste -sd' ' -)"
	rmdir "$M/users/dave"
	expect_eq "a user removed from users/ leaves accounts/" "alice carol bob" \
	    "$(ls -U "$M/nodes/h1/accounts" | paste -sd' ' -)"
else
	notok "mkdir users/dave" "$(cat "$T/mkdir.err")"
fi
