#!/bin/sh
# import_corpus.sh: the four real NS files of tests/corpus import with the
# right nodes, roles, links, LANs, members, bandwidths (kbit/s), delays (ms),
# interfaces, addresses and MACs, and a one-line summary.
. "$(dirname "$0")/lib.sh"

PYPRE='
import json, sys, re, ipaddress
def case(name, cond, *why):
    if cond:
        print("ok - " + name)
    else:
        print("not ok - " + name)
        for w in why:
            print("    " + str(w))
def load(p):
    try:
        return json.load(open(p))
    except Exception as e:
        case("export " + p + " is JSON", False, e)
        sys.exit(0)
d = load(sys.argv[1])
tag = sys.argv[2] + ": "
nodes = {n["name"]: n for n in d["nodes"]}
lans = {l["name"]: l for l in d["lans"]}
def role(r):
    return sorted(n for n in nodes if nodes[n]["role"] == r)
def lan_tuple(l):
    return (l["kind"], l["members"], l["bandwidth_kbps"], l["delay_ms"], l["loss"])
MAC = re.compile(r"^02(:[0-9a-fA-F]{2}){5}$")
def check_common():
    # every container on a pnode, a control node, addresses and MACs
    pn = set(role("pnode"))
    bad = [n for n in role("container") if nodes[n].get("host") not in pn]
    case(tag + "every container has a pnode host", not bad, bad)
    case(tag + "one control node", len(role("config")) == 1, role("config"))
    macs = [i["mac"] for n in d["nodes"] for i in n["ifaces"]]
    case(tag + "MACs are locally administered 02:..", all(MAC.match(m or "") for m in macs), macs)
    case(tag + "MACs are unique", len(set(macs)) == len(macs), macs)
    ips = [i["ip"] for n in d["nodes"] for i in n["ifaces"]]
    case(tag + "addresses are unique", len(set(ips)) == len(ips), ips)
    # every member of a LAN has exactly one interface on it, in its subnet
    probs = []
    for l in d["lans"]:
        nets = set()
        for m in l["members"]:
            ifs = [i for i in nodes[m]["ifaces"] if i["lan"] == l["name"]] if m in nodes else []
            if len(ifs) != 1:
                probs.append("%s has %d ifaces on %s" % (m, len(ifs), l["name"]))
                continue
            nets.add(ipaddress.ip_interface(ifs[0]["ip"] + "/" + ifs[0]["netmask"]).network)
        if len(nets) > 1:
            probs.append("%s spans %s" % (l["name"], nets))
    case(tag + "every LAN member has one interface on it, all in one subnet", not probs, *probs)
    # interfaces are eth1, eth2, ... in order
    probs = [n["name"] for n in d["nodes"]
             if [i["name"] for i in n["ifaces"]] != ["eth%d" % k for k in range(1, len(n["ifaces"]) + 1)]]
    case(tag + "interfaces are named eth1.. in order", not probs, probs)
'
pycheck() { python3 -c "$PYPRE
$(cat)" "$@"; }

# summary_ok NAME OUTFILE CONTAINERS PNODES LINKS LANS
summary_ok() {
	line=$(cat "$2")
	if echo "$line" | grep -Eq "^imported [^ :]+: [0-9]+ nodes? \\($3 containers? on $4 pnodes?\\), $5 links?, $6 LANs?(, .*)?\$"; then
		ok "$1"
	else
		notok "$1" "want: imported E: N nodes ($3 containers on $4 pnodes), $5 links, $6 LANs" "got:  $line"
	fi
}

# imp NAME FILE ARGS...: import FILE into $T/NAME.db, export to $T/NAME.json.
# A clean file imports without a word on stderr; with WARN=1 warnings are
# allowed, each naming the file and line.
imp() {
	n=$1; f=$2; shift 2
	if "$NEOC" import -d "$T/$n.db" "$@" "$f" > "$T/$n.out" 2> "$T/$n.err"; then
		ok "$n: import exits 0"
	else
		notok "$n: import exits 0" "$(cat "$T/$n.err")"
	fi
	if [ "${WARN:-0}" = 1 ]; then
		if grep -v "^$f:[0-9][0-9]*: warning: " "$T/$n.err" > "$T/$n.other"; then
			notok "$n: warnings name file:line" "$(cat "$T/$n.other")"
		else
			ok "$n: warnings name file:line"
		fi
	elif [ -s "$T/$n.err" ]; then
		notok "$n: import prints no warnings" "$(cat "$T/$n.err")"
	else
		ok "$n: import prints no warnings"
	fi
	"$NEOC" export -d "$T/$n.db" --json > "$T/$n.json" 2> "$T/$n.xerr" ||
		notok "$n: export exits 0" "$(cat "$T/$n.xerr")"
}

# --- basic.ns: A B C D, link0 A-B, lan0 B C D, 100Mb 0ms -------------------
imp basic "$CORPUS/basic.ns"
summary_ok "basic: summary" "$T/basic.out" 4 1 1 1
pycheck "$T/basic.json" basic <<'PY'
case(tag + "containers A B C D", role("container") == ["A", "B", "C", "D"], role("container"))
case(tag + "single-machine mode: one pnode pnode-0", role("pnode") == ["pnode-0"], role("pnode"))
case(tag + "implicit control node config", role("config") == ["config"], role("config"))
case(tag + "no physical nodes", role("physical") == [], role("physical"))
case(tag + "containers on pnode-0", all(nodes[n]["host"] == "pnode-0" for n in "ABCD"),
     [(n, nodes[n]["host"]) for n in "ABCD"])
case(tag + "two LANs: link0, lan0", sorted(lans) == ["lan0", "link0"], sorted(lans))
case(tag + "link0 = link A B 100000 kbit/s 0 ms", lan_tuple(lans.get("link0", {"kind":0,"members":0,"bandwidth_kbps":0,"delay_ms":0,"loss":0})) == ("link", ["A", "B"], 100000, 0, 0),
     lans.get("link0"))
case(tag + "lan0 = lan B C D 100000 kbit/s 0 ms", lan_tuple(lans.get("lan0", {"kind":0,"members":0,"bandwidth_kbps":0,"delay_ms":0,"loss":0})) == ("lan", ["B", "C", "D"], 100000, 0, 0),
     lans.get("lan0"))
ifs = {n: [(i["name"], i["lan"]) for i in nodes[n]["ifaces"]] for n in "ABCD"}
want = {"A": [("eth1", "link0")], "B": [("eth1", "link0"), ("eth2", "lan0")],
        "C": [("eth1", "lan0")], "D": [("eth1", "lan0")]}
case(tag + "interfaces in join order", ifs == want, "want: %s" % want, "got:  %s" % ifs)
ip = {(n, i["lan"]): i for n in "ABCD" for i in nodes[n]["ifaces"]}
try:
    a, b = ip[("A", "link0")], ip[("B", "link0")]
    b2, c, dd = ip[("B", "lan0")], ip[("C", "lan0")], ip[("D", "lan0")]
    allif = [a, b, b2, c, dd]
    case(tag + "netmasks are /24", all(i["netmask"] == "255.255.255.0" for i in allif), [i["netmask"] for i in allif])
    net = lambda i: ipaddress.ip_interface(i["ip"] + "/" + i["netmask"]).network
    case(tag + "subnets inside 10.0.0.0/8", all(net(i).subnet_of(ipaddress.ip_network("10.0.0.0/8")) for i in allif),
         [i["ip"] for i in allif])
    case(tag + "link0 and lan0 get their own subnets", net(a) != net(b2), net(a), net(b2))
    last = [int(i["ip"].split(".")[3]) for i in allif]
    case(tag + "members get .1 .2 ... in member order", last == [1, 2, 1, 2, 3], [i["ip"] for i in allif])
except (KeyError, ValueError) as e:
    case(tag + "addresses", False, "missing or bad interface: %r" % (e,))
check_common()
PY

# --- clientserver.tcl: two nodes and a link, with a startcmd -----------------
imp clientserver "$CORPUS/clientserver.tcl"
summary_ok "clientserver: summary" "$T/clientserver.out" 2 1 1 0
pycheck "$T/clientserver.json" clientserver <<'PY'
case(tag + "containers clientnode servernode", role("container") == ["clientnode", "servernode"], role("container"))
case(tag + "one LAN named link", sorted(lans) == ["link"], sorted(lans))
l = lans.get("link")
case(tag + "link = link clientnode servernode 100000 kbit/s 0 ms",
     l is not None and lan_tuple(l) == ("link", ["clientnode", "servernode"], 100000, 0, 0), l)
cmd = "sudo python /share/magi/current/magi_bootstrap.py"
case(tag + "startcmd of both nodes", all(nodes.get(n, {}).get("startcmd") == cmd for n in ("clientnode", "servernode")),
     [nodes.get(n, {}).get("startcmd") for n in ("clientnode", "servernode")])
check_common()
PY

# --- example4.tcl: a star built in a loop, `ns duplex-link` without $ --------
WARN=1
imp example4 "$CORPUS/example4.tcl"
WARN=0
summary_ok "example4: summary" "$T/example4.out" 9 1 9 0
pycheck "$T/example4.json" example4 <<'PY'
sat = ["n-%d" % i for i in range(9)]
case(tag + "nodes center n-0..n-8", sorted(n for n in nodes if nodes[n]["role"] in ("container", "physical")) == sorted(["center"] + sat),
     sorted(nodes))
case(tag + "n-8 is physical (embedded_pnode)", nodes.get("n-8", {}).get("role") == "physical", nodes.get("n-8"))
case(tag + "center, n-0..n-7 are containers", role("container") == sorted(["center"] + sat[:8]), role("container"))
case(tag + "n-0..n-7 keep containers:node_type qemu",
     all(["containers:node_type", "qemu"] in nodes.get(n, {}).get("attributes", []) for n in sat[:8]),
     [nodes.get(n, {}).get("attributes") for n in sat[:8]])
case(tag + "n-8 keeps containers:node_type embedded_pnode",
     ["containers:node_type", "embedded_pnode"] in nodes.get("n-8", {}).get("attributes", []), nodes.get("n-8"))
links = [l for l in d["lans"]]
case(tag + "9 links, no LAN", len(links) == 9 and all(l["kind"] == "link" for l in links), [l["name"] for l in links])
pairs = sorted(tuple(l["members"]) for l in links)
case(tag + "links center-n-i", pairs == sorted(("center", s) for s in sat), pairs)
case(tag + "links 100000 kbit/s 10 ms loss 0",
     all((l["bandwidth_kbps"], l["delay_ms"], l["loss"]) == (100000, 10, 0) for l in links),
     [(l["name"], l["bandwidth_kbps"], l["delay_ms"], l["loss"]) for l in links])
case(tag + "link names are unique DNS labels",
     len(set(l["name"] for l in links)) == 9 and all(re.match(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$", l["name"]) for l in links),
     [l["name"] for l in links])
case(tag + "center has 9 interfaces eth1..eth9", [i["name"] for i in nodes.get("center", {}).get("ifaces", [])] == ["eth%d" % k for k in range(1, 10)],
     nodes.get("center"))
check_common()
PY

# --- parsable.ns: a chain of three with an OS ---------------------------------
imp parsable "$CORPUS/parsable.ns"
summary_ok "parsable: summary" "$T/parsable.out" 3 1 2 0
pycheck "$T/parsable.json" parsable <<'PY'
case(tag + "containers n1 n2 n3", role("container") == ["n1", "n2", "n3"], role("container"))
case(tag + "os Ubuntu-STD", all(nodes.get(n, {}).get("os") == "Ubuntu-STD" for n in ("n1", "n2", "n3")),
     [nodes.get(n, {}).get("os") for n in ("n1", "n2", "n3")])
case(tag + "two links link1 link2", sorted(lans) == ["link1", "link2"], sorted(lans))
for name, m in (("link1", ["n1", "n2"]), ("link2", ["n2", "n3"])):
    l = lans.get(name)
    case(tag + "%s = link %s 1000000 kbit/s 0 ms" % (name, " ".join(m)),
         l is not None and lan_tuple(l) == ("link", m, 1000000, 0, 0), l)
case(tag + "n2 joins link1 on eth1, link2 on eth2",
     [(i["name"], i["lan"]) for i in nodes.get("n2", {}).get("ifaces", [])] == [("eth1", "link1"), ("eth2", "link2")],
     nodes.get("n2"))
check_common()
PY
