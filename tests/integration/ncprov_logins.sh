#!/bin/sh
# ncprov_logins.sh: the logins step of `ncprov container` with a real
# sshd.  The tree: ncfs over a database of examples/small-lan.ns with the
# users of tests/data/tmcc-int (alice ROOT=1, carol, bob), each given a key
# made here.  Their homes are under /users, a mount target of the tree (as
# homes served over 9P are), so the accounts step writes no
# authorized_keys: only the logins step's /etc/neoc/keys/<user> can let
# them in.
#
#  A. `ncprov --root R container` for node h1, R holding a copy of this
#     machine's /etc (its PAM, sudoers, sshd_config) and its sshd: the key
#     files (0644 root's, in a 0755 directory), the drop-in, the node's own
#     host keys (different from this machine's and from another root's,
#     an image's keys replaced); a second run says "no changes"; --dry-run
#     changes nothing; three runs at once leave one recorded set of keys.  Then this machine's sshd runs in a network
#     namespace, in a mount namespace where R/etc is /etc: alice logs in
#     with her key (the host key checked against R's) and `sudo -n` works;
#     bob logs in and sudo refuses; bob's key changed in /nc/users/bob/keys
#     works after the next run, not before, and the old one no longer
#     does; bob removed from the tree loses his key file and his access.
#  B. ncprov itself starts and reloads sshd: in the same network
#     namespace and a mount namespace with R/etc on /etc, R/var on /var
#     and a tmpfs on /run, `ncprov container` (no --root) starts sshd
#     (alice logs in), a second run leaves it alone ("no changes"), a
#     changed drop-in gets it reloaded (same pid, still serving), and an
#     sshd that died is started again.
#
# Needs root, ip, sshd, ssh, ssh-keygen, sudo, sqlite3, FUSE.  Everything
# lives under $T or in the namespace; the exit trap stops it all.
. "$(dirname "$0")/lib.sh"

NCPROV=$NC_TOP/bin/ncprov
NCFS=$NC_TOP/bin/ncfs
LIMIT=${NC_TEST_LIMIT:-240}
NS=nclogins-$$
: > "$T/pids"

cleanup() {
	set +e
	stop_watchdog
	for _p in $(ip netns pids "$NS" 2> /dev/null); do
		kill -9 "$_p"
	done
	ip netns del "$NS" 2> /dev/null
	stop_tracked
	unmount_all
	finish_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
start_watchdog

need_exec "is built" "run make" "$NEOC" "$NCPROV" "$NCFS"
if [ "$(id -u)" != 0 ]; then
	notok "ncprov_logins.sh runs as root"
	exit 1
fi
for need in /usr/sbin/sshd /usr/bin/ssh /usr/bin/ssh-keygen /usr/bin/sudo \
    /etc/ssh/sshd_config; do
	if [ ! -e "$need" ]; then
		notok "$need is there" "apt-get install openssh-server sudo"
		exit 1
	fi
done

# --- the tree -------------------------------------------------------------

DB=$T/e.db
M=$T/nc
if ! "$NEOC" import -d "$DB" "$NC_TOP/examples/small-lan.ns" > /dev/null 2>&1 ||
    ! "$NEOC" import -d "$DB" --tmcc "$NC_TOP/tests/data/tmcc-int" \
    > "$T/import.log" 2>&1; then
	notok "the test database" "$(cat "$T/import.log")"
	exit 1
fi
mkdir -p "$M" "$T/k"
"$NCFS" -f "$DB" "$M" > "$T/ncfs.log" 2>&1 &
track $!
if ! wait_mounted "$M"; then
	notok "ncfs mounts the tree" "$(cat "$T/ncfs.log")"
	exit 1
fi
for k in alice bob bob2 carol; do
	ssh-keygen -q -t ed25519 -N "" -C "$k@test" -f "$T/k/$k"
done
for u in alice bob carol; do
	cat "$T/k/$u.pub" > "$M/users/$u/keys"
done

# mkroot ROOT NODE: this machine's /etc without its host keys or anything
# of ours, its sshd, and NODE's interface, routes and the tree's mounts
# faked as already there (so that ifaces, routes and mounts have nothing
# to do).
mkroot() {
	mkdir -p "$1/usr/sbin" "$1/proc/self" "$1/sys/class/net/eth1"
	cp -a /etc "$1/etc"
	rm -rf "$1"/etc/ssh/ssh_host_* "$1/etc/neoc" \
	    "$1/etc/ssh/sshd_config.d/neoc.conf" "$1/etc/sudoers.d/neoc"
	cp /usr/sbin/sshd "$1/usr/sbin/sshd"
	cat "$M/nodes/$2/ifaces/"*/mac > "$1/sys/class/net/eth1/address"
	echo 0x1003 > "$1/sys/class/net/eth1/flags"
	echo "$(cat "$M/nodes/$2/ifaces/"*/ip)/24" \
	    > "$1/sys/class/net/eth1/neoc_test_addrs"
	awk '{ print $1 " " $2 " 9p rw 0 0" }' "$M/nodes/$2/mounts" \
	    > "$1/proc/self/mounts"
	mkdir -p "$1/proc/net"
	sed -n 's/$/ dev eth1/p' "$M/nodes/$2/routes" \
	    > "$1/proc/net/neoc_test_routes"
}
# prov ROOT NODE ARGS...: ncprov container (output in $T/out).
prov() {
	_r=$1 _n=$2
	shift 2
	"$NCPROV" --tree "$M" --node "$_n" --root "$_r" --no-start "$@" \
	    container > "$T/out" 2>&1
}
has() {	# has NAME FILE LINE: FILE has exactly this line
	if grep -qxF -- "$3" "$2"; then ok "$1"; else
		notok "$1" "no line: $3" "in:" "$(cat "$2")"; fi
}
fp() { ssh-keygen -l -f "$1" 2>&1 | awk '{ print $2 }'; }

# --- A. the files, under --root -------------------------------------------

R=$T/root
mkroot "$R" h1
RD=$T/rootdry
mkroot "$RD" h1
find "$RD" -printf '%p %m %s %T@\n' | sort > "$T/dry1"
prov "$RD" h1 --dry-run
find "$RD" -printf '%p %m %s %T@\n' | sort > "$T/dry2"
if cmp -s "$T/dry1" "$T/dry2" &&
    grep -qx "logins: would make the ed25519 host key (there is none)" "$T/out"
then
	ok "--dry-run: says it would make the host keys and changes nothing"
else
	notok "--dry-run: says it would make the host keys and changes nothing" \
	    "$(diff "$T/dry1" "$T/dry2" | head)" "$(cat "$T/out")"
fi

if prov "$R" h1; then
	ok "first run exits 0"
else
	notok "first run exits 0" "$(cat "$T/out")"
fi
cp "$T/out" "$T/out.first"
has "first run: says it wrote alice's keys" "$T/out.first" \
    "logins: /etc/neoc/keys/alice: 1 key"
has "first run: says it wrote the drop-in" "$T/out.first" \
    "logins: /etc/ssh/sshd_config.d/neoc.conf"
expect_eq "alice's key file: the tree's keys" "$(cat "$M/nodes/h1/keys/alice")" \
    "$(cat "$R/etc/neoc/keys/alice" 2>&1)"
expect_eq "key files 0644 root's in a 0755 root's directory" \
    "755 0:0 644 0:0 644 0:0" \
    "$(stat -c '%a %u:%g' "$R/etc/neoc/keys" "$R/etc/neoc/keys/alice" \
    "$R/etc/neoc/keys/bob" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
if [ ! -e "$R/users/alice/.ssh/authorized_keys" ] &&
    [ ! -e "$R/users/bob/.ssh/authorized_keys" ]; then
	ok "homes under the mounts: no authorized_keys there"
else
	notok "homes under the mounts: no authorized_keys there"
fi
has "the drop-in: AuthorizedKeysFile reads the tree's copy" \
    "$R/etc/ssh/sshd_config.d/neoc.conf" \
    "AuthorizedKeysFile .ssh/authorized_keys /etc/neoc/keys/%u"
has "the drop-in: no passwords" "$R/etc/ssh/sshd_config.d/neoc.conf" \
    "PasswordAuthentication no"
expect_eq "host key made: ed25519, private 0600, public 0644" "600 644" \
    "$(stat -c %a "$R/etc/ssh/ssh_host_ed25519_key" \
    "$R/etc/ssh/ssh_host_ed25519_key.pub" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
if [ ! -e "$R/etc/ssh/ssh_host_ecdsa_key" ] &&
    ! grep -q ecdsa "$R/etc/ssh/sshd_config.d/neoc.conf"; then
	ok "ed25519 only: no ECDSA key made or offered"
else
	notok "ed25519 only: no ECDSA key made or offered" \
	    "$(ls "$R/etc/ssh")" "$(cat "$R/etc/ssh/sshd_config.d/neoc.conf")"
fi
if [ "$(fp "$R/etc/ssh/ssh_host_ed25519_key.pub")" != \
    "$(fp /etc/ssh/ssh_host_ed25519_key.pub)" ] &&
    ssh-keygen -y -f "$R/etc/ssh/ssh_host_ed25519_key" > /dev/null 2>&1; then
	ok "the node's host key is its own (not this machine's), and whole"
else
	notok "the node's host key is its own (not this machine's), and whole"
fi
if command -v visudo > /dev/null; then
	check "sudoers.d/neoc passes visudo -c" visudo -c -f \
	    "$R/etc/sudoers.d/neoc"
fi

find "$R" -printf '%p %y %m %U:%G %s %T@\n' | sort > "$T/snap1"
prov "$R" h1
expect_eq "second run: no changes" "0 no changes" "$? $(cat "$T/out")"
find "$R" -printf '%p %y %m %U:%G %s %T@\n' | sort > "$T/snap2"
if cmp -s "$T/snap1" "$T/snap2"; then
	ok "second run: no file, mode, owner or mtime changed"
else
	notok "second run: no file, mode, owner or mtime changed" \
	    "$(diff "$T/snap1" "$T/snap2" | head)"
fi

# Another node: its own keys.  A clone of h1's root given to h2 (as an
# image's keys, or a copied container): the keys are replaced.
R2=$T/root2
mkroot "$R2" h2
mkdir -p "$R2/var/lib/neoc"
cp -a "$R"/etc/ssh/ssh_host_* "$R2/etc/ssh/"
cp -a "$R/var/lib/neoc/logins" "$R2/var/lib/neoc/logins"
prov "$R2" h2
has "a clone of h1's keys on h2: replaced" "$T/out" \
    "logins: made the ed25519 host key /etc/ssh/ssh_host_ed25519_key (the one there was not made for this node)"
if [ "$(fp "$R/etc/ssh/ssh_host_ed25519_key.pub")" != \
    "$(fp "$R2/etc/ssh/ssh_host_ed25519_key.pub")" ]; then
	ok "h1 and h2 have different host keys"
else
	notok "h1 and h2 have different host keys"
fi

# A damaged key file: made again.
: > "$R2/etc/ssh/ssh_host_ed25519_key"
prov "$R2" h2
if grep -q "^logins: made the ed25519 host key" "$T/out" &&
    ssh-keygen -y -f "$R2/etc/ssh/ssh_host_ed25519_key" > /dev/null 2>&1; then
	ok "an emptied host key is made again"
else
	notok "an emptied host key is made again" "$(cat "$T/out")"
fi

# Three runs at once on a fresh root: one set of host keys, whole, and
# recorded (the next run has nothing to do).
R3=$T/root3
mkroot "$R3" h1
for k in 1 2 3; do
	"$NCPROV" --tree "$M" --node h1 --root "$R3" --no-start container \
	    > "$T/outc.$k" 2>&1 &
	eval "pc$k=\$!"
done
wait "$pc1" "$pc2" "$pc3"
prov "$R3" h1
if [ "$(cat "$T/out")" = "no changes" ] &&
    ssh-keygen -y -f "$R3/etc/ssh/ssh_host_ed25519_key" > /dev/null 2>&1; then
	ok "3 runs at once: whole host keys, recorded; the next run: no changes"
else
	notok "3 runs at once: whole host keys, recorded; the next run: no changes" \
	    "$(cat "$T/out")" "$(cat "$T/outc.1" "$T/outc.2" "$T/outc.3")"
fi

# --- A. logins through this machine's sshd --------------------------------

ip netns add "$NS" && ip -n "$NS" link set lo up ||
    { notok "make network namespace $NS"; exit 1; }
{
	for f in "$R"/etc/ssh/ssh_host_*_key.pub; do
		echo "127.0.0.1 $(cut -d' ' -f1,2 "$f")"
	done
} > "$T/known"
# login USER KEY: ssh USER@127.0.0.1 in the namespace; prints "USER sudo=N"
# (N: sudo -n true's status) and returns ssh's status.
login() {
	ip netns exec "$NS" ssh -F /dev/null -i "$2" -o IdentitiesOnly=yes \
	    -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$T/known" -o GlobalKnownHostsFile=/dev/null \
	    -o ConnectTimeout=5 -p 22 "$1@127.0.0.1" \
	    'echo "$(id -un) sudo=$(sudo -n true > /dev/null 2>&1; echo $?)"' \
	    2> "$T/ssh.err"
}
sshd_up() { ip netns exec "$NS" ss -Hltn 'sport = :22' | grep -q .; }

ip netns exec "$NS" sh -c 'mount --bind "$1/etc" /etc &&
    mount -t tmpfs -o mode=755 tmpfs /run && mkdir /run/sshd &&
    exec /usr/sbin/sshd -D -E "$2"' sh "$R" "$T/sshd.log" &
SSHD_PID=$!
track "$SSHD_PID"
if ! wait_for 10 sshd_up; then
	notok "sshd listens in the namespace" "$(cat "$T/sshd.log")"
	exit 1
fi

out=$(login alice "$T/k/alice")
expect_eq "alice logs in with her key (host key: the node's) and sudo works" \
    "0 alice sudo=0" "$? $out" "$(cat "$T/ssh.err")" "$(tail -5 "$T/sshd.log")"
out=$(ip netns exec "$NS" ssh -F /dev/null -i "$T/k/alice" \
    -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$T/known" -o GlobalKnownHostsFile=/dev/null \
    alice@127.0.0.1 sudo -n id -u 2> /dev/null)
expect_eq "alice: sudo -n id -u prints 0" 0 "$out"
out=$(login bob "$T/k/bob")
expect_eq "bob logs in with his key; sudo -n refuses him" "0 bob sudo=1" \
    "$? $out" "$(cat "$T/ssh.err")" "$(tail -5 "$T/sshd.log")"
login alice "$T/k/bob" > /dev/null
expect_eq "bob's key does not open alice's account" 255 "$?"

# bob's key changes in the tree: not before the next run, then only it.
cat "$T/k/bob2.pub" > "$M/users/bob/keys"
login bob "$T/k/bob2" > /dev/null
expect_eq "bob's new key: refused before the next provisioning run" 255 "$?"
prov "$R" h1
has "the run after bob's key changed rewrites his file" "$T/out" \
    "logins: /etc/neoc/keys/bob: 1 key"
out=$(login bob "$T/k/bob2")
expect_eq "bob's new key works after the run" "0 bob sudo=1" "$? $out" \
    "$(cat "$T/ssh.err")"
login bob "$T/k/bob" > /dev/null
expect_eq "bob's old key no longer works" 255 "$?"

# carol's keys emptied: her file goes, her login with it (her account
# stays).
: > "$M/users/carol/keys"
prov "$R" h1
has "carol's keys emptied: her file removed" "$T/out" \
    "logins: removed /etc/neoc/keys/carol"
if [ ! -e "$R/etc/neoc/keys/carol" ] && grep -q '^carol:' "$R/etc/passwd"; then
	ok "carol keeps her account, not her key file"
else
	notok "carol keeps her account, not her key file"
fi

# bob leaves the tree.
if rmdir "$M/users/bob" 2> "$T/err"; then
	prov "$R" h1
	has "bob removed from the tree: his key file removed" "$T/out" \
	    "logins: removed /etc/neoc/keys/bob"
	[ ! -e "$R/etc/neoc/keys/bob" ] && ok "no /etc/neoc/keys/bob left" ||
	    notok "no /etc/neoc/keys/bob left"
	login bob "$T/k/bob2" > /dev/null
	expect_eq "bob removed: he can no longer log in" 255 "$?"
	out=$(login alice "$T/k/alice")
	expect_eq "alice still logs in" "0 alice sudo=0" "$? $out"
else
	notok "rmdir users/bob" "$(cat "$T/err")"
fi
kill "$SSHD_PID" 2> /dev/null
wait "$SSHD_PID" 2> /dev/null

# --- B. ncprov starts and reloads sshd ------------------------------------

# Homes local and no mounts (the run is for real, in the namespaces);
# h1's interface is a veth with its MAC; no startcmd.
sqlite3 "$DB" "UPDATE users SET home = '$T/home/' || name;
    DELETE FROM mounts;" || notok "edit the database"
: > "$M/nodes/h1/startcmd"
wait_for 5 sh -c "[ -z \"\$(cat '$M/nodes/h1/mounts')\" ]" ||
    notok "ncfs shows the edited database"
mkdir -p "$T/home" "$R/var"
ip -n "$NS" link add eth1 type veth peer name eth1p &&
    ip -n "$NS" link set eth1 address "$(cat "$M/nodes/h1/ifaces/"*/mac)" ||
    notok "a veth eth1 with h1's MAC"

cat > "$T/inner.sh" <<'EOF'
# Runs in the namespace: $1 the root whose etc and var are bound, $2 the
# tree, $3 ncprov, $4 alice's key, $5 known_hosts, $6 a file for output.
R=$1 M=$2 NCPROV=$3 KEY=$4 KNOWN=$5 OUT=$6
ok() { echo "ok - B: $1"; }
notok() { echo "not ok - B: $1"; shift; for l in "$@"; do echo "    $l"; done; }
mount --bind "$R/etc" /etc && mount --bind "$R/var" /var &&
    mount -t tmpfs -o mode=755 tmpfs /run ||
    { notok "bind the root's etc and var"; exit 1; }
prov() { "$NCPROV" --tree "$M" --node h1 container > "$OUT" 2>&1; }
pid() { cat /run/sshd.pid 2> /dev/null; }
alice() {
	ssh -F /dev/null -i "$KEY" -o IdentitiesOnly=yes -o BatchMode=yes \
	    -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$KNOWN" \
	    -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=5 \
	    alice@127.0.0.1 'id -un; sudo -n id -u' 2> /dev/null | tr '\n' ' '
}
prov; rc=$?
p1=$(pid)
if [ $rc -eq 0 ] && [ -n "$p1" ] &&
    grep -qx "logins: started sshd (pid $p1)" "$OUT"; then
	ok "ncprov container starts sshd"
else
	notok "ncprov container starts sshd" "exit $rc" "$(cat "$OUT")"
fi
[ -d /run/sshd ] && ok "/run/sshd made" || notok "/run/sshd made"
out=$(alice)
[ "$out" = "alice 0 " ] && ok "alice logs in to the sshd ncprov started" ||
    notok "alice logs in to the sshd ncprov started" "got: $out" \
    "$(tail -5 /var/log/neoc/sshd.log 2>&1)"
prov; rc=$?
[ $rc -eq 0 ] && [ "$(cat "$OUT")" = "no changes" ] &&
    [ "$(pid)" = "$p1" ] && ok "a second run: no changes, sshd left alone" ||
    notok "a second run: no changes, sshd left alone" "$(cat "$OUT")"
echo "# edited by hand" >> /etc/ssh/sshd_config.d/neoc.conf
prov; rc=$?
if [ $rc -eq 0 ] &&
    grep -qx "logins: reloaded sshd (pid $p1)" "$OUT"; then
	ok "a changed drop-in: rewritten, sshd reloaded"
else
	notok "a changed drop-in: rewritten, sshd reloaded" "$(cat "$OUT")"
fi
# sshd execs itself again on SIGHUP: a login may wait for it (5 s at most).
for i in $(seq 50); do out=$(alice); [ "$out" = "alice 0 " ] && break; sleep 0.1; done
[ "$out" = "alice 0 " ] && [ "$(pid)" = "$p1" ] &&
    ok "after the reload: the same sshd serves alice" ||
    notok "after the reload: the same sshd serves alice" "got: $out $(pid)"
kill "$p1"
for i in $(seq 50); do kill -0 "$p1" 2> /dev/null || break; sleep 0.1; done
prov; rc=$?
p2=$(pid)
[ $rc -eq 0 ] && [ -n "$p2" ] && [ "$p2" != "$p1" ] &&
    grep -qx "logins: started sshd (pid $p2)" "$OUT" &&
    ok "an sshd that died is started again" ||
    notok "an sshd that died is started again" "$(cat "$OUT")"
out=$(alice)
[ "$out" = "alice 0 " ] && ok "alice logs in to the new sshd" ||
    notok "alice logs in to the new sshd" "got: $out"
[ -n "$p2" ] && kill "$p2"
for i in $(seq 50); do kill -0 "$p2" 2> /dev/null || break; sleep 0.1; done
# sshd is started without a `sshd -t` first; one that refuses its
# configuration fails the step, with sshd -t's reason
cp /etc/ssh/sshd_config "$OUT.conf"
echo "NoSuchKeyword yes" >> /etc/ssh/sshd_config
prov; rc=$?
p=$(pid)
if [ $rc -ne 0 ] && grep -q "sshd -t: exit .*NoSuchKeyword" "$OUT" &&
    { [ -z "$p" ] || ! kill -0 "$p" 2> /dev/null; }; then
	ok "an sshd that refuses its configuration: the step fails, saying why"
else
	notok "an sshd that refuses its configuration: the step fails, saying why" \
	    "exit $rc" "$(cat "$OUT")"
fi
cp "$OUT.conf" /etc/ssh/sshd_config
prov; rc=$?
p3=$(pid)
[ $rc -eq 0 ] && [ -n "$p3" ] &&
    grep -qx "logins: started sshd (pid $p3)" "$OUT" &&
    ok "the configuration mended: sshd started" ||
    notok "the configuration mended: sshd started" "$(cat "$OUT")"
[ -n "$p3" ] && kill "$p3"
EOF
ip netns exec "$NS" sh "$T/inner.sh" "$R" "$M" "$NCPROV" "$T/k/alice" \
    "$T/known" "$T/b.out" > "$T/inner.out" 2>&1
cat "$T/inner.out"
grep -q "^ok - B: the configuration mended: sshd started" "$T/inner.out" ||
    notok "B ran to its end" "$(tail -5 "$T/inner.out")"
