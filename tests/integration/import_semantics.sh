#!/bin/sh
# import_semantics.sh: what an NS file means: every unit form of bandwidth
# and delay, loss, addresses in every tb-set-ip form with the rest assigned
# around them, netmasks, attributes in file order (first setting wins), the
# per-node settings, images, and the examples.
. "$(dirname "$0")/lib.sh"
NSI=$NC_TOP/tests/data/ns-int
EX=$NC_TOP/examples

PYPRE='
import json, sys, ipaddress, re, collections
def case(name, cond, *why):
    print(("ok - " if cond else "not ok - ") + name)
    if not cond:
        for w in why: print("    " + str(w))
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    case(sys.argv[2] + ": export is JSON", False, e); sys.exit(0)
tag = sys.argv[2] + ": "
nodes = {n["name"]: n for n in d["nodes"]}
lans = {l["name"]: l for l in d["lans"]}
def iface(node, lan):
    for i in nodes.get(node, {}).get("ifaces", []):
        if i["lan"] == lan:
            return i
    return {"ip": "0.0.0.0", "netmask": "255.255.255.255", "name": None}
def net(i):
    return ipaddress.ip_interface(i["ip"] + "/" + i["netmask"]).network
def close(a, b):
    return a is not None and abs(a - b) < 1e-9
'
pycheck() { python3 -c "$PYPRE
$(cat)" "$@"; }

imp() {	# imp NAME FILE ARGS...
	n=$1; f=$2; shift 2
	if "$NEOC" import -d "$T/$n.db" "$@" "$f" > "$T/$n.out" 2> "$T/$n.err"; then
		ok "$n: import exits 0"
	else
		notok "$n: import exits 0" "$(cat "$T/$n.err")"
	fi
	"$NEOC" export -d "$T/$n.db" --json > "$T/$n.json" 2> /dev/null
}

# --- units ------------------------------------------------------------------
imp units "$NSI/units.ns"
# the one warning: the RED queue of l(12) is not emulated
red=$(grep -n 'RED' "$NSI/units.ns" | tail -1 | cut -d: -f1)
if grep -v "^$NSI/units.ns:$red: warning: " "$T/units.err" > "$T/units.other"; then
	notok "units: one warning, for the RED queue at units.ns:$red" "$(cat "$T/units.err")"
else
	ok "units: one warning, for the RED queue at units.ns:$red"
fi
pycheck "$T/units.json" units <<'PY'
want = {  # name: (kbit/s, ms, loss)
    "l-0": (1000000, 10, 0), "l-1": (1000, 10, 0), "l-2": (1500, 1, 0),
    "l-3": (100, 5, 0), "l-4": (0, 0, 0), "l-5": (10, 0, 0),
    "l-6": (2000000, 0, 0), "l-7": (64, 250, 0), "l-8": (20, 1000, 0),
    "l-9": (30, 0, 0), "l-10": (7000, 3, 0.25), "l-11": (1000, 0, 0.5),
    "l-12": (2500000, 1.5, 0), "l-13": (12, 0, 0), "l-14": (3000, 0, 0),
    "l-15": (4000000, 0, 0), "l-16": (50, 2000, 0), "l-17": (100000, 0, 0),
    "lan0": (20000, 4, 0.1), "lan1": (100, 100, 0)}
src = {"l-0": "1Gb 10ms", "l-1": "1000Kb 0.01s", "l-2": "1.5Mbps 1000000ns",
       "l-3": "100000 (bits/s) 0.005 (s)", "l-4": "* 0", "l-5": "10kb 0ms",
       "l-6": "2Gbps", "l-7": "64kbps 250ms", "l-8": "20000bps 1s", "l-9": "30K",
       "l-10": "tb-set-link-bandwidth 7Mb, -delay 3ms, -loss 0.25",
       "l-11": "tb-set-link-loss node node 0.5", "l-12": "2.5Gb 1.5ms", "l-13": "12Kbps",
       "l-14": "3M", "l-15": "4G", "l-16": "50000b 2 (s)", "l-17": "loss 0",
       "lan0": "tb-set-lan-bandwidth 20Mb, -delay 4ms, -loss 0.1", "lan1": "100Kb 100ms"}
for name, (bw, ms, loss) in want.items():
    l = lans.get(name)
    got = l and (l["bandwidth_kbps"], l["delay_ms"], l["loss"])
    case(tag + "%s: %s -> %s kbit/s %s ms loss %s" % (name, src[name], bw, ms, loss),
         l is not None and l["bandwidth_kbps"] == bw and close(l["delay_ms"], ms) and close(l["loss"], loss),
         "got: %r" % (got,))
case(tag + "bandwidth_kbps is an integer", all(isinstance(l["bandwidth_kbps"], int) for l in d["lans"]))
case(tag + "kinds: l-* links, lan* LANs", all(l["kind"] == ("lan" if l["name"].startswith("lan") else "link") for l in d["lans"]),
     [(l["name"], l["kind"]) for l in d["lans"]])
case(tag + "lan1 members n-39 n-36, n-36 on eth1 lan0, eth2 lan1",
     lans.get("lan1", {}).get("members") == ["n-39", "n-36"] and
     [(i["name"], i["lan"]) for i in nodes.get("n-36", {}).get("ifaces", [])] == [("eth1", "lan0"), ("eth2", "lan1")],
     lans.get("lan1"), nodes.get("n-36"))
PY

# --- addresses, attributes, node settings -------------------------------------
imp semantics "$NSI/semantics.ns"
pycheck "$T/semantics.json" semantics <<'PY'
i = iface
case(tag + "tb-set-ip-lan: a 192.168.5.10, b 192.168.5.20 /24",
     (i("a", "lan0")["ip"], i("b", "lan0")["ip"], i("a", "lan0")["netmask"]) == ("192.168.5.10", "192.168.5.20", "255.255.255.0"),
     i("a", "lan0"), i("b", "lan0"))
c0 = i("c", "lan0")
case(tag + "c gets a free address in 192.168.5.0/24",
     ipaddress.ip_address(c0["ip"]) in ipaddress.ip_network("192.168.5.0/24") and
     c0["ip"] not in ("192.168.5.0", "192.168.5.255", "192.168.5.10", "192.168.5.20"), c0)
case(tag + "tb-set-ip-link: d on l1 172.16.9.2", i("d", "l1")["ip"] == "172.16.9.2", i("d", "l1"))
case(tag + "c on l1 in 172.16.9.0/24, not .2",
     net(i("c", "l1")) == ipaddress.ip_network("172.16.9.0/24") and i("c", "l1")["ip"] != "172.16.9.2", i("c", "l1"))
case(tag + "tb-set-ip-interface e d: e on l2 10.0.0.5", i("e", "l2")["ip"] == "10.0.0.5", i("e", "l2"))
case(tag + "d on l2 in 10.0.0.0/24, not .5",
     net(i("d", "l2")) == ipaddress.ip_network("10.0.0.0/24") and i("d", "l2")["ip"] != "10.0.0.5", i("d", "l2"))
case(tag + "tb-set-ip g (one link): g on l6 10.0.1.7", i("g", "l6")["ip"] == "10.0.1.7", i("g", "l6"))
case(tag + "a on l6 in 10.0.1.0/24, not .7",
     net(i("a", "l6")) == ipaddress.ip_network("10.0.1.0/24") and i("a", "l6")["ip"] != "10.0.1.7", i("a", "l6"))
# every LAN has one subnet of its own: assigned subnets avoid the explicit ones
nets = {}
for l in d["lans"]:
    s = set(net(i(m, l["name"])) for m in l["members"])
    nets[l["name"]] = s
case(tag + "every LAN within one subnet", all(len(s) == 1 for s in nets.values()), nets)
flat = [(k, list(s)[0]) for k, s in nets.items() if len(s) == 1]
over = [(a, b) for x, (a, na) in enumerate(flat) for (b, nb) in flat[x + 1:] if na.overlaps(nb)]
case(tag + "no two LANs share or overlap a subnet", not over, over, flat)
ips = [x["ip"] for n in d["nodes"] for x in n["ifaces"]]
case(tag + "addresses unique", len(ips) == len(set(ips)), ips)
case(tag + "a joined lan0, l4, l6 in order: eth1 eth2 eth3",
     [(x["name"], x["lan"]) for x in nodes.get("a", {}).get("ifaces", [])] == [("eth1", "lan0"), ("eth2", "l4"), ("eth3", "l6")],
     nodes.get("a", {}).get("ifaces"))
case(tag + "attributes in file order, the first setting of a key wins",
     nodes.get("a", {}).get("attributes") == [["containers:node_type", "qemu"], ["zeta", "1"], ["alpha", "2"]],
     nodes.get("a", {}).get("attributes"))
b = nodes.get("b", {})
case(tag + "b: os FBSD10-STD hardware pc3000",
     (b.get("os"), b.get("hardware")) == ("FBSD10-STD", "pc3000"), b)
case(tag + "b: startcmd kept verbatim", b.get("startcmd") == "echo 'hello; world' > /tmp/start.log", b.get("startcmd"))
case(tag + "failure actions: b nonfatal, c ignore, a fatal (default)",
     (b.get("failure_action"), nodes.get("c", {}).get("failure_action"), nodes.get("a", {}).get("failure_action"))
     == ("nonfatal", "ignore", "fatal"),
     (b.get("failure_action"), nodes.get("c", {}).get("failure_action"), nodes.get("a", {}).get("failure_action")))
case(tag + "c: os Ubuntu1404-64-STD", nodes.get("c", {}).get("os") == "Ubuntu1404-64-STD", nodes.get("c"))
PY

# --- images ---------------------------------------------------------------------
imp images "$EX/images.ns"
pycheck "$T/images.json" images <<'PY'
ub = {"os": "ubuntu", "type": "vagrant", "name": "ubuntu/trusty64", "url": None}
win = {"os": "windows", "type": "vagrant", "name": "deter/win7",
       "url": "http://images.example.org/boxes/deter-win7.box"}
for n in ("web", "db"):
    case(tag + "%s: image ubuntu/trusty64" % n, nodes.get(n, {}).get("image") == ub, nodes.get(n, {}).get("image"))
case(tag + "desktop: Windows image deter/win7 from its URL", nodes.get("desktop", {}).get("image") == win,
     nodes.get("desktop", {}).get("image"))
cat = {x["name"]: x for x in d["images"]}
case(tag + "catalog: ubuntu/trusty64 virtualbox 14.04",
     (cat.get("ubuntu/trusty64", {}).get("provider"), cat.get("ubuntu/trusty64", {}).get("version")) == ("virtualbox", "14.04"),
     cat.get("ubuntu/trusty64"))
case(tag + "catalog: deter/win7 with its URL",
     cat.get("deter/win7", {}).get("url") == win["url"] and cat.get("deter/win7", {}).get("os") == "windows",
     cat.get("deter/win7"))
names = [x["name"] for x in d["images"]]
case(tag + "each image once in the catalog", len(names) == len(set(names)), names)
case(tag + "the attributes are kept",
     ["containers:image_url", win["url"]] in nodes.get("desktop", {}).get("attributes", []),
     nodes.get("desktop", {}).get("attributes"))
PY

# every baked-in image is known without a URL
for img in ubuntu/trusty64 ubuntu/precise64 hashicorp/precise64 chef/centos-7.0 chef/freebsd-10.0 \
    fgrehm/precise64-lxc fgrehm/trusty64-lxc liibvert/centos64; do
	printf 'set ns [new Simulator]\nsource tb_compat.tcl\nset h [$ns node]\ntb-add-node-attribute $h containers:image_name %s\n$ns run\n' "$img" > "$T/img.ns"
	"$NEOC" check "$T/img.ns" > /dev/null 2> "$T/img.err"
	expect_eq "baked-in image $img is known" 0 $?
done

# --- the examples ------------------------------------------------------------------
imp small-lan "$EX/small-lan.ns"
grep -Eq '^imported [^ :]+: [0-9]+ nodes? \(5 containers? on 1 pnodes?\), 1 links?, 1 LANs?(, .*)?$' "$T/small-lan.out" &&
	ok "small-lan: summary" || notok "small-lan: summary" "$(cat "$T/small-lan.out")"
pycheck "$T/small-lan.json" small-lan <<'PY'
case(tag + "gw h1 h2 h3 on 192.168.1.1 .11 .12 .13",
     [iface(n, "lan0")["ip"] for n in ("gw", "h1", "h2", "h3")] == ["192.168.1.1", "192.168.1.11", "192.168.1.12", "192.168.1.13"],
     [iface(n, "lan0") for n in ("gw", "h1", "h2", "h3")])
u = lans.get("uplink", {})
case(tag + "uplink gw-server 10000 kbit/s 20 ms loss 0.01",
     (u.get("members"), u.get("bandwidth_kbps"), u.get("delay_ms"), u.get("loss")) == (["gw", "server"], 10000, 20, 0.01), u)
case(tag + "lan0 100000 kbit/s 2 ms", (lans.get("lan0", {}).get("bandwidth_kbps"), lans.get("lan0", {}).get("delay_ms")) == (100000, 2),
     lans.get("lan0"))
case(tag + "server os Ubuntu1604-64-STD, gw Ubuntu1404-64-STD",
     (nodes.get("server", {}).get("os"), nodes.get("gw", {}).get("os")) == ("Ubuntu1604-64-STD", "Ubuntu1404-64-STD"))
case(tag + "startcmds", nodes.get("server", {}).get("startcmd") == "/usr/local/bin/start-web.sh >& /tmp/web.log", nodes.get("server"))
case(tag + "h3 nonfatal", nodes.get("h3", {}).get("failure_action") == "nonfatal", nodes.get("h3"))
PY
imp star "$EX/star.ns"
pycheck "$T/star.json" star <<'PY'
leaves = ["leaf-%d" % k for k in range(8)]
case(tag + "hub and leaf-0..leaf-7", sorted(n for n in nodes if nodes[n]["role"] == "container") == sorted(["hub"] + leaves))
got = sorted((l["name"], tuple(l["members"]), l["bandwidth_kbps"], l["delay_ms"], l["loss"]) for l in d["lans"])
want = sorted(("spoke-%d" % k, ("hub", "leaf-%d" % k), 10000 if k % 2 else 1000000, 50 if k % 2 else 1, 0.05 if k % 2 else 0)
              for k in range(8))
case(tag + "spokes: odd 10Mb 50ms loss 0.05, even 1Gb 1ms", got == want, "want: %r" % want, "got:  %r" % got)
PY
imp thousand "$EX/thousand.ns"
pycheck "$T/thousand.json" thousand <<'PY'
cont = [n for n in d["nodes"] if n["role"] == "container"]
case(tag + "1000 containers n-0..n-999", sorted(n["name"] for n in cont) == sorted("n-%d" % k for k in range(1000)))
kinds = collections.Counter(l["kind"] for l in d["lans"])
case(tag + "100 LANs of 10, 100 ring links", kinds == {"lan": 100, "link": 100} and
     all(len(l["members"]) == 10 for l in d["lans"] if l["kind"] == "lan"), kinds)
case(tag + "all on pnode-0", set(n["host"] for n in cont) == {"pnode-0"})
ips = [x["ip"] for n in d["nodes"] for x in n["ifaces"]]
case(tag + "1200 unique addresses", len(ips) == 1200 and len(set(ips)) == 1200, len(ips), len(set(ips)))
macs = [x["mac"] for n in d["nodes"] for x in n["ifaces"]]
case(tag + "1200 unique MACs", len(set(macs)) == 1200, len(set(macs)))
PY
