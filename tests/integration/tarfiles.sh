#!/bin/sh
# tarfiles.sh: tb-set-node-tarfiles and tb-set-node-rpms as neo-containers
# does them (issue 11): an NS file gives h1 three tarballs (one readable in
# the node, one URL, one path the node has not) and an RPM.  Checked: the
# import warns once about the RPM (the image is Debian); nodes/h1/tarfiles
# in the ncfs mount lists "DIR FILE" lines; `ncprov container --root R`
# unpacks the readable tarball into R/DIR, says the other two are not
# readable here (no failure of the step), and a second run unpacks nothing;
# a tarball changed is unpacked again; --dry-run says it would.
# Needs FUSE (ncfs), tar.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ncfs.lib"
need_ncfs
NCPROV=${NCPROV:-$NC_TOP/bin/ncprov}
need_exec "is built" "make" "$NCPROV"
command -v tar > /dev/null || { notok "tar is installed"; exit 1; }

R=$T/r
M=$T/nc
DB=$T/e.db
mkdir -p "$R/share" "$T/src/docs"
echo "hello from a tarball" > "$T/src/docs/readme.txt"
tar -czf "$R/share/docs.tgz" -C "$T/src" docs
cat > "$T/e.ns" <<'NS'
set ns [new Simulator]
source tb_compat.tcl
set h1 [$ns node]
set h2 [$ns node]
tb-set-node-os $h1 Ubuntu-STD
tb-set-node-tarfiles $h1 /opt/tools /share/docs.tgz /opt/web http://example.org/w.tgz /opt/gone /share/gone.tgz
tb-set-node-rpms $h1 /share/x.rpm
set lan0 [$ns make-lan "$h1 $h2" 100Mb 0ms]
$ns run
NS
"$NEOC" import -d "$DB" "$T/e.ns" > "$T/import.out" 2> "$T/import.err"
expect_eq "import exits 0" 0 "$?" "$(cat "$T/import.err")"
expect_eq "one warning: the RPM is not installed on debian-12" 1 \
    "$(grep -c 'e.ns:7: warning: tb-set-node-rpms: node h1 runs image debian-12, which has no RPM' "$T/import.err")" \
    "$(cat "$T/import.err")"
ncfs_mount "$M" "$DB" || { notok "ncfs mounts the experiment"; exit 1; }
expect_eq "nodes/h1/tarfiles: DIR FILE lines" \
    "$(printf '/opt/tools /share/docs.tgz\n/opt/web http://example.org/w.tgz\n/opt/gone /share/gone.tgz')" \
    "$(cat "$M/nodes/h1/tarfiles")"
expect_eq "nodes/h2/tarfiles is empty" "" "$(cat "$M/nodes/h2/tarfiles")"

prov() { "$NCPROV" --tree "$M" --node h1 --root "$R" "$@" container; }
prov --dry-run > "$T/dry.out" 2>&1
grep -q '^tarfiles: would unpack /share/docs.tgz into /opt/tools$' "$T/dry.out" &&
    [ ! -e "$R/opt/tools" ] &&
    ok "--dry-run: would unpack, nothing unpacked" ||
    notok "--dry-run: would unpack, nothing unpacked" "$(cat "$T/dry.out")"
prov > "$T/r1.out" 2>&1
expect_eq "the tarball is unpacked into its directory" "hello from a tarball" \
    "$(cat "$R/opt/tools/docs/readme.txt" 2>&1)" "$(cat "$T/r1.out")"
grep -q '^tarfiles: http://example.org/w.tgz: not a path in this node: not unpacked into /opt/web$' "$T/r1.out" &&
    grep -q '^tarfiles: /share/gone.tgz: not readable here: not unpacked into /opt/gone$' "$T/r1.out" &&
    ! grep -q 'failed tarfiles' "$T/r1.out" &&
    ok "a URL and a missing tarball are said, not a failure" ||
    notok "a URL and a missing tarball are said, not a failure" "$(cat "$T/r1.out")"
rm "$R/opt/tools/docs/readme.txt"
prov > "$T/r2.out" 2>&1
[ ! -e "$R/opt/tools/docs/readme.txt" ] && ! grep -q '^tarfiles: unpacked' "$T/r2.out" &&
    ok "a second run unpacks nothing" ||
    notok "a second run unpacks nothing" "$(cat "$T/r2.out")"
echo "second edition" > "$T/src/docs/readme.txt"
sleep 1	# another mtime
tar -czf "$R/share/docs.tgz" -C "$T/src" docs
prov > "$T/r3.out" 2>&1
expect_eq "a changed tarball is unpacked again" "second edition" \
    "$(cat "$R/opt/tools/docs/readme.txt" 2>&1)" "$(cat "$T/r3.out")"
ncfs_umount "$M" "$NCFS_PID" || notok "unmount"
