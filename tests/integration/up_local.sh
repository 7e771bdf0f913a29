#!/bin/sh
# up_local.sh: neoc up on one machine, the embedded default of `make demo`
# (issue 7): the control node is the only pnode, reached without SSH, and
# the containers are LXC clones of the debian-12 image (built once into the
# host's /var/lib/neoc/images when missing: needs the package mirror).  It runs inside one pnode's view of
# netns.lib (its own network, /etc, /var/lib/neoc, /run/neoc) so the host
# is left alone.  examples/two-lans.ns: 5 containers on 2 LANs.
# Checks: up exits 0 with every node ready and a start command run; the
# tree mounted (ls nodes); neoc exec runs commands (ping by name, exit
# status); a second up changes nothing; an edit of the tree (a new user
# made with mkdir and echo in /nc) reaches the running containers through
# up; neoc down leaves no container, link, process, nft table or mount, and
# a second down has nothing to do.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.lib"

DB=$T/e.db
M=$T/nc
NS=$NC_TOP/examples/two-lans.ns
NODES="router a1 a2 b1 b2"

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
need_cmds lxc-create lxc-start vde_switch ip nsenter unshare diod python3
need_debian_image	# its containers are of the default image
pn_init || fatal "the host bridge"
pn_create pc "$PN_NET.2/24" || fatal "the machine's namespace"
PORT=$(free_port)
export NCPROV_RC_DIR=$NC_TOP/provision/rc
in_pc() { pn_exec pc "$@"; }
up() {
	in_pc "$NEOC" up -d "$DB" --no-auth --listen "0.0.0.0:$PORT" \
	    --mount "$M" --ready-timeout 60 "$@"
}
state_of() {
	"$NEOC" status -d "$DB" --json 2> /dev/null | python3 -c '
import json, sys
d = {n["name"]: n["state"] for n in json.load(sys.stdin)["nodes"]}
print(" ".join(d.get(n, "?") for n in sys.argv[1:]))' "$@"
}
ex() { in_pc timeout 30 "$NEOC" exec -d "$DB" "$@"; }

t0=$(now_ms)
up "$NS" > "$T/up1.out" 2> "$T/up1.err"
expect_eq "neoc up on this machine exits 0 ($(( ($(now_ms) - t0) / 1000 )) s)" \
    0 "$?" "$(cat "$T/up1.err")" "$(tail -15 "$T/up1.out")"
expect_eq "every node ready" "ready ready ready ready ready ready" \
    "$(state_of $NODES pnode-0)"
grep -q "^serve: " "$T/up1.out" && grep -q "pnode-0.*ncprov pnode on this machine" "$T/up1.out" &&
    ok "up says it served the tree and ran ncprov pnode here" ||
    notok "up says it served the tree and ran ncprov pnode here" "$(head -5 "$T/up1.out")"
expect_eq "the tree is mounted: ls nodes" "a1 a2 b1 b2 config pnode-0 router" \
    "$(in_pc ls "$M/nodes" | sort | xargs)"
expect_eq "a1's start command ran" "started at boot" \
    "$(ex a1 -- cat /tmp/startcmd.out 2>&1)"
expect_eq "a1 runs Debian 12 (the default image), python too" \
    "$(printf 'debian 12\nPython 3.11.2')" \
    "$(ex a1 -- sh -c '. /etc/os-release; echo "$ID $VERSION_ID"; python --version' 2>&1)"
B=/var/lib/neoc/images/debian-12/$(cat /var/lib/neoc/images/debian-12/current 2> /dev/null)
if grep -q '^name debian-12$' "$B/manifest" 2> /dev/null &&
    grep -q '^sha256 [0-9a-f]\{64\} var/lib/dpkg/status$' "$B/manifest" &&
    [ "$(sed -n 's/^lxc.include = //p' "$(pn_dir pc)/var/lxc/nc-a1/config")" = "$B/config" ]; then
	ok "a1 is a clone of the cached build ${B##*/} (its manifest: name, SHA-256 of the packages)"
else
	notok "a1 is a clone of the cached build" "$B" "$(cat "$B/manifest" 2>&1)" \
	    "$(head -3 "$(pn_dir pc)/var/lxc/nc-a1/config" 2>&1)"
fi
out=$(ex a1 -- ping -c 2 -W 2 a2 2>&1)
expect_eq "neoc exec a1 -- ping a2 (by name)" 0 "$?" "$out"
out=$(ex b2 -- ping -c 2 -W 2 b1 2>&1)
expect_eq "neoc exec b2 -- ping b1 (lanB)" 0 "$?" "$out"
ex b1 -- sh -c 'exit 5' > /dev/null 2>&1
expect_eq "neoc exec returns the command's status" 5 "$?"
out=$(ex nosuch -- true 2>&1)
expect_eq "neoc exec of an unknown node fails" 1 "$?" "$out"

up > "$T/up2.out" 2> "$T/up2.err"
expect_eq "a second up exits 0" 0 "$?" "$(cat "$T/up2.err")"
expect_eq "...and ncprov pnode says no changes" "no changes" \
    "$(tail -1 "$DB.logs/pnode-0.up.log")"

# an edit of the tree: a user made in /nc reaches the running containers
in_pc sh -ec "mkdir '$M/users/carol'; echo 20077 > '$M/users/carol/uid';
    echo 20077 > '$M/users/carol/gid'" 2> "$T/edit.err" ||
    notok "mkdir users/carol and its uid/gid in the tree" "$(cat "$T/edit.err")"
up > "$T/up3.out" 2> "$T/up3.err"
expect_eq "up after the edit exits 0" 0 "$?" "$(cat "$T/up3.err")"
expect_eq "...carol exists in the running a2 and b2" "carol|carol" \
    "$(ex a2 -- sh -c 'grep ^carol: /etc/passwd | cut -d: -f1' 2>&1)|$(ex b2 -- sh -c 'grep ^carol: /etc/passwd | cut -d: -f1' 2>&1)" \
    "$(tail -5 "$DB.logs/pnode-0.up.log")"

# an OS written in the tree picks b2's image: the next up makes b2 again
pid_a2=$(in_pc lxc-info -P /var/lib/neoc/lxc -n nc-a2 -p -H 2> /dev/null)
in_pc sh -c "echo busybox > '$M/nodes/b2/os'" 2> "$T/os.err" ||
    notok "echo busybox > nodes/b2/os" "$(cat "$T/os.err")"
expect_eq "...its image is busybox at once" busybox \
    "$(in_pc cat "$M/nodes/b2/image/name" 2>&1)"
in_pc sh -c "echo FBSD10-STD > '$M/nodes/b2/os'" 2> /dev/null &&
    notok "an OS no image serves is refused" ||
    ok "an OS no image serves is refused (EINVAL)"
up > "$T/up4.out" 2> "$T/up4.err"
expect_eq "up after the os edit exits 0" 0 "$?" "$(cat "$T/up4.err")"
grep -q '^containers: nc-b2: made from debian-12 [0-9a-f]*, now busybox [0-9a-f]*: made again$' \
    "$DB.logs/pnode-0.up.log" &&
    ! grep -q 'nc-a2: made from' "$DB.logs/pnode-0.up.log" &&
    ok "...only b2 is made again, from busybox" ||
    notok "...only b2 is made again" "$(grep containers: "$DB.logs/pnode-0.up.log" | head -20)"
expect_eq "...b2 runs busybox and is ready again, a2 runs on" \
    "busybox ready $pid_a2" \
    "$(ex b2 -- sh -c 'readlink /bin/sh | sed "s|.*/||"' 2>&1) $(state_of b2) $(in_pc lxc-info -P /var/lib/neoc/lxc -n nc-a2 -p -H 2> /dev/null)"

out=$(in_pc "$NEOC" down -d "$DB" 2>&1)
expect_eq "neoc down exits 0" 0 "$?" "$out"
expect_eq "...no container left" "" "$(in_pc lxc-ls -P /var/lib/neoc/lxc | xargs)"
expect_eq "...no link of ours left" "eth0 lo" "$(in_pc ip -o link show |
    awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | xargs)"
expect_eq "...no process left in the machine's netns" "" \
    "$(ip netns pids "$(pn_ns pc)" | xargs)"
is_mounted "$M" && notok "...the tree unmounted" || ok "...the tree unmounted"
out=$(in_pc "$NEOC" down -d "$DB" 2>&1)
expect_eq "a second down: nothing is up" "0 nothing is up (no $DB.up)" "$? $out"
pn_destroy_all
expect_eq "nothing left" "" "$(pn_leftovers)"
