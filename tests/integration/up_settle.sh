#!/bin/sh
# up_settle.sh: failed, never stuck (issue 12).  A container whose
# provisioner cannot reach the 9P server is reported failed by its pnode,
# with the reason, and neoc up does not wait on it.  neoc up on this
# machine (inside one pnode's view of netns.lib, as up_local.sh) of three
# Debian containers a, b, c, where the pnode's input filter refuses c's
# control address (172.30.0.12: the third container of the pnode) on the
# 9P port.  The boot hook is the real one (provision/rc/rcS.hook) with its
# wait for the server cut from 120 s to 6 s.
# Checks: up exits 1, well before its ready timeout, naming c; c is
# "failed boot" with the hook's reason; a and b are ready; c's boot result
# is in its upper layer; the pnode says it failed c.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

DB=$T/e.db
M=$T/nc

fatal() { notok "$@"; exit 1; }
cleanup() {
	set +e
	pn_exec pc "$NEOC" down -d "$DB" -q > /dev/null 2>&1
	pn_destroy_all
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

[ "$(id -u)" -eq 0 ] || fatal "runs as root (netns, LXC)"
need_cmds lxc-create lxc-start vde_switch ip nsenter unshare diod python3 nft
need_debian_image
pn_init || fatal "the host bridge"
pn_create pc "$PN_NET.2/24" || fatal "the machine's namespace"
PORT=$(free_port)
mkdir -p "$T/rc"
cp "$NC_TOP"/provision/rc/* "$T/rc/"
sed -i 's/NCPROV_WAIT=120/NCPROV_WAIT=6/' "$T/rc/rcS.hook"
grep -q 'NCPROV_WAIT=6$' "$T/rc/rcS.hook" || fatal "the hook's wait is cut to 6 s"
export NCPROV_RC_DIR=$T/rc
in_pc() { pn_exec pc "$@"; }
cat > "$T/three.ns" <<'NS'
set ns [new Simulator]
source tb_compat.tcl
set a [$ns node]
set b [$ns node]
set c [$ns node]
set lan0 [$ns make-lan "$a $b $c" 100Mb 0ms]
$ns run
NS
# c's control traffic to the 9P server is refused (a reset: the hook's
# tries fail at once, as they would against a server that is down)
in_pc nft -f - <<NFT || fatal "the input filter"
table inet nctest {
	chain in {
		type filter hook input priority 0;
		ip saddr 172.30.0.12 tcp dport $PORT reject with tcp reset
	}
}
NFT

t0=$(now_ms)
in_pc "$NEOC" up -d "$DB" --no-auth --listen "0.0.0.0:$PORT" --mount "$M" \
    --ready-timeout 240 "$T/three.ns" > "$T/up.out" 2> "$T/up.err"
rc=$?
took=$(( ($(now_ms) - t0) / 1000 ))
expect_eq "neoc up exits 1 ($took s)" 1 "$rc" "$(tail -5 "$T/up.err")" \
    "$(tail -15 "$T/up.out")"
# well before the ready timeout (240 s): the hook gives up after 6 s
[ "$took" -lt 120 ] && ok "up did not wait on c: $took s" ||
    notok "up did not wait on c: $took s (timeout 240 s)"
"$NEOC" status -d "$DB" --json > "$T/st.json" 2> /dev/null
st() { jget "$T/st.json" "' '.join(str(n.get('$2')) for n in d['nodes'] if n['name'] == '$1')"; }
expect_eq "a and b ready" "ready ready" "$(st a state) $(st b state)"
expect_eq "c's control address is the refused one" 172.30.0.12 "$(st c control)"
expect_eq "c failed at boot" "failed boot" "$(st c state) $(st c step)"
case $(st c message) in
*"its provisioner gave up: the 9P server was not reachable within 6 s"*)
	ok "c's message gives the hook's reason" ;;
*) notok "c's message gives the hook's reason" "$(st c message)" ;;
esac
if grep -q 'c' "$T/up.err" && grep -q 'not reachable' "$T/up.err"; then
	ok "up names c and why on stderr"
else
	notok "up names c and why on stderr" "$(cat "$T/up.err")"
fi
R=$(pn_dir pc)/var/lxc/nc-c/rootfs/var/lib/neoc/boot.result
case $(cat "$R" 2> /dev/null) in
"1 the 9P server was not reachable within 6 s; gave up")
	ok "c's boot result in its upper layer" ;;
*) notok "c's boot result in its upper layer" "$(cat "$R" 2>&1)" ;;
esac
expect_eq "a's boot result: exit 0" "0 ncprov container: exit 0" \
    "$(cat "$(pn_dir pc)/var/lxc/nc-a/rootfs/var/lib/neoc/boot.result" 2>&1)"
if grep -q '^containers: c: failed boot: its provisioner gave up' \
    "$T/e.db.logs/pnode-0.up.log" 2> /dev/null; then
	ok "the pnode's log says it failed c"
else
	notok "the pnode's log says it failed c" \
	    "$(tail -5 "$T/e.db.logs/pnode-0.up.log" 2>&1)"
fi
