#!/bin/sh
# deb.sh: `make deb` builds the two Debian packages (debian/, debhelper),
# and they install with dpkg into a scratch root, where `neoc --help` and
# `ncprov --help` run and `dpkg -L` lists the binaries, man pages, units,
# init scripts and rc files; then they purge cleanly.
#
# The scratch root is an overlay of this machine's root filesystem with an
# empty upper layer on a tmpfs, mounted in a private mount namespace
# (unshare -m): dpkg checks the packages' Depends against the packages
# installed here (`make deps` installs them), writes only to the upper
# layer, and every mount goes when the namespace's last process exits.
# The upper layer is where the test looks for what installing wrote (and
# that no service was enabled).  Needs root, debhelper and dpkg-dev.
. "$(dirname "$0")/lib.sh"

OUT=$T/out
mkdir -p "$OUT" "$T/ov" "$T/root"

[ "$(id -u)" -eq 0 ] || { notok "deb.sh runs as root" "uid $(id -u)"; exit 1; }
need_cmds dpkg-buildpackage dh dpkg-deb unshare chroot readelf

# --- make deb ---------------------------------------------------------------
start=$(date +%s)
if DEB_BUILD_OPTIONS="noddebs nocheck" make -C "$NC_TOP" deb DEB_OUT="$T/deb" \
    > "$T/make.out" 2>&1; then
	ok "make deb ($(($(date +%s) - start)) s)"
else
	notok "make deb" "$(tail -30 "$T/make.out")"
	exit 1
fi
main=$(ls "$T"/deb/neo-containers_*_*.deb 2> /dev/null)
prov=$(ls "$T"/deb/neo-containers-ncprov_*_*.deb 2> /dev/null)
if [ -f "$main" ] && [ -f "$prov" ]; then
	ok "make deb wrote $(basename "$main") and $(basename "$prov")"
else
	notok "make deb wrote both packages" "$(ls -l "$T/deb")"
	exit 1
fi

# The control node's package needs the provisioner of the same version (its
# embedded pnode runs it, `neoc up` sends it to the others).
ver=$(dpkg-deb -f "$main" Version)
deps=$(dpkg-deb -f "$main" Depends)
case $deps in
*"neo-containers-ncprov (= $ver)"*) ok "neo-containers depends on neo-containers-ncprov (= $ver)" ;;
*) notok "neo-containers depends on neo-containers-ncprov (= $ver)" "Depends: $deps" ;;
esac
pdeps=$(dpkg-deb -f "$prov" Depends)
case $pdeps in
*lib*) notok "neo-containers-ncprov depends on no shared library (static)" "Depends: $pdeps" ;;
*) ok "neo-containers-ncprov depends on no shared library (Depends: ${pdeps:-none})" ;;
esac

# --- install into the scratch root ------------------------------------------
# inside.sh T MAIN.deb PROV.deb: runs in the private mount namespace; each result goes to a
# file under $T/out for the checks below.
cat > "$T/inside.sh" << 'EOF'
set -u
T=$1 R=$1/root O=$1/out
mount -t tmpfs nc-deb "$T/ov" && mkdir "$T/ov/u" "$T/ov/w" &&
    mount -t overlay nc-deb -o "lowerdir=/,upperdir=$T/ov/u,workdir=$T/ov/w" "$R" &&
    mount -t proc proc "$R/proc" && mount --bind /dev "$R/dev" ||
    { echo "mounting the scratch root failed" > "$O/mount.err"; exit 1; }
# nothing starts in the scratch root; no manual page index rebuilt
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod 0755 "$R/usr/sbin/policy-rc.d"
rm -f "$R/var/lib/man-db/auto-update"
mkdir -p "$R/var/tmp/nc-debs"
cp "$T"/deb/*.deb "$R/var/tmp/nc-debs/"
chroot "$R" dpkg -i "/var/tmp/nc-debs/$2" "/var/tmp/nc-debs/$3" \
    > "$O/install.out" 2>&1
echo $? > "$O/install.rc"
chroot "$R" dpkg-query -W -f '${Package} ${Status}\n' neo-containers \
    neo-containers-ncprov > "$O/status" 2>&1
chroot "$R" dpkg -L neo-containers > "$O/list.main" 2>&1
chroot "$R" dpkg -L neo-containers-ncprov > "$O/list.prov" 2>&1
chroot "$R" /usr/bin/neoc --help > "$O/neoc.help" 2>&1
echo $? > "$O/neoc.rc"
chroot "$R" /usr/bin/ncprov --help > "$O/ncprov.help" 2>&1
echo $? > "$O/ncprov.rc"
readelf -d "$R/usr/bin/ncprov" > "$O/ncprov.dyn" 2>&1
for f in lib/systemd/system/neoc-serve.service \
    lib/systemd/system/ncprov-pnode.service etc/init.d/ncprov-pnode; do
	cp "$R/$f" "$O/$(basename "$f")"
done
# what installing wrote: the upper layer (enabled units would be links)
(cd "$T/ov/u" && find . ! -type d) > "$O/written" 2>&1
chroot "$R" dpkg --purge neo-containers neo-containers-ncprov \
    > "$O/purge.out" 2>&1
echo $? > "$O/purge.rc"
for f in $(cat "$O/list.main" "$O/list.prov"); do
	[ -d "$R$f" ] || [ ! -e "$R$f" ] || echo "$f"
done > "$O/left"
EOF
unshare -m --propagation private sh "$T/inside.sh" "$T" "$(basename "$main")" \
    "$(basename "$prov")" > "$T/inside.out" 2>&1
if [ -f "$OUT/mount.err" ] || [ ! -f "$OUT/install.rc" ]; then
	notok "the scratch root (overlay of /) mounts" "$(cat "$T/inside.out")"
	exit 1
fi

if [ "$(cat "$OUT/install.rc")" -eq 0 ]; then
	ok "dpkg -i of both packages into the scratch root"
else
	notok "dpkg -i of both packages into the scratch root" \
	    "exit $(cat "$OUT/install.rc")" "$(tail -20 "$OUT/install.out")"
	exit 1
fi
expect_eq "both packages are installed there" \
    "neo-containers install ok installed
neo-containers-ncprov install ok installed" "$(cat "$OUT/status")"

# --- the programs run from there ---------------------------------------------
help_ok() {	# help_ok PROG WANT: PROG --help exited 0 and printed WANT
	rc=$(cat "$OUT/$1.rc")
	if [ "$rc" -eq 0 ] && grep -q "$2" "$OUT/$1.help"; then
		ok "$1 --help in the scratch root: $(head -1 "$OUT/$1.help")"
	else
		notok "$1 --help in the scratch root exits 0 with '$2'" "exit $rc" \
		    "$(head -10 "$OUT/$1.help")"
	fi
}
help_ok neoc '^usage: neoc COMMAND'
help_ok ncprov '^usage: ncprov '
if grep -q 'There is no dynamic section' "$OUT/ncprov.dyn"; then
	ok "the packaged ncprov is static"
else
	notok "the packaged ncprov is static" "$(head -8 "$OUT/ncprov.dyn")"
fi

# --- what the packages hold ----------------------------------------------------
holds() {	# holds PKG LIST PATH...: dpkg -L PKG lists every PATH
	_p=$1 _l=$2
	shift 2
	_miss=
	for f; do grep -qx "$f" "$OUT/$_l" || _miss="$_miss $f"; done
	if [ -z "$_miss" ]; then ok "dpkg -L $_p: $*"; else
		notok "dpkg -L $_p lists every file" "missing:$_miss" \
		    "$(cat "$OUT/$_l")"
	fi
}
holds neo-containers list.main /usr/bin/neoc /usr/bin/ncfs /usr/bin/nc9pfs \
    /usr/bin/ncimage /usr/share/man/man1/neoc.1.gz \
    /usr/share/man/man8/ncfs.8.gz /lib/systemd/system/neoc-serve.service \
    /etc/init.d/neoc-serve /usr/share/neoc/rc/neoc-serve.service
holds neo-containers-ncprov list.prov /usr/bin/ncprov \
    /lib/systemd/system/ncprov-pnode.service \
    /lib/systemd/system/ncprov-container.service /etc/init.d/ncprov-pnode \
    /etc/init.d/ncprov-container /usr/share/neoc/rc/ncprov-container.service \
    /usr/share/neoc/rc/ncprov-container.init /usr/share/neoc/rc/rcS.hook
bad=$(grep -c 'ncprov' "$OUT/list.main")
expect_eq "neo-containers holds no ncprov file (they are the -ncprov package's)" \
    0 "$bad" "$(grep ncprov "$OUT/list.main")"

# The boot files name the packaged binaries, not /usr/local/bin.
exec_lines() { grep -h '^ExecSt\|^DAEMON=\|/bin/n' "$@" | grep -v '^#'; }
if exec_lines "$OUT/neoc-serve.service" | grep -q '/usr/bin/neoc serve' &&
    exec_lines "$OUT/ncprov-pnode.service" "$OUT/ncprov-pnode" |
    grep -q '/usr/bin/ncprov' &&
    ! cat "$OUT/neoc-serve.service" "$OUT/ncprov-pnode.service" \
    "$OUT/ncprov-pnode" | grep -q '/usr/local/bin/n'; then
	ok "the units and init scripts run /usr/bin/neoc and /usr/bin/ncprov"
else
	notok "the units and init scripts run /usr/bin/neoc and /usr/bin/ncprov" \
	    "$(exec_lines "$OUT/neoc-serve.service" "$OUT/ncprov-pnode.service" \
	    "$OUT/ncprov-pnode")"
fi

# Installing wrote the files into the scratch root and enabled nothing.
if grep -qx './usr/bin/neoc' "$OUT/written" &&
    grep -qx './usr/bin/ncprov' "$OUT/written"; then
	ok "dpkg wrote the files into the scratch root's upper layer ($(wc -l < "$OUT/written") files)"
else
	notok "dpkg wrote the files into the scratch root's upper layer" \
	    "$(head -20 "$OUT/written")"
fi
en=$(grep -E 'etc/(systemd/system/.*\.wants|rc[0-6S]\.d)/.*(neoc|ncprov)' "$OUT/written")
expect_eq "installing enabled no service" "" "$en"

# --- purge ------------------------------------------------------------------
expect_eq "dpkg --purge of both packages" 0 "$(cat "$OUT/purge.rc")" \
    "$(tail -20 "$OUT/purge.out")"
expect_eq "purging left none of their files" "" "$(cat "$OUT/left")"

# The namespace took its mounts with it: nothing is mounted under $T here.
expect_eq "no scratch mount outlives the test" "" "$(mounted_under "$T")"
