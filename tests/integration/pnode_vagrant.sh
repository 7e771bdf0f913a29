#!/bin/sh
# pnode_vagrant.sh: every Vagrantfile the pnode provisioner's vagrant
# backend writes passes `vagrant validate` (issue 6, "Must show").
#
# The unit test build/tests/test_pnode_backends writes the Vagrantfiles of
# sample experiments (Ubuntu trusty64 virtualbox guests with two NICs on
# VDE switches, an lxc-provider guest, a libvirt guest, a Windows guest with
# an image URL, and all of them in one file) to $NC_VAGRANT_OUT/<sample>/;
# each is validated in its directory.  Debian's vagrant lacks two things
# validation runs into, each allowed only when it is the sole complaint:
#   - the winrm gem: a Windows file fails with "cannot load such file --
#     winrm"; it is validated again with its communicator line removed,
#     and that line is checked separately;
#   - a running libvirtd: vagrant-libvirt connects to it while validating
#     its provider block ("Error while connecting to Libvirt"); the file is
#     validated again with --ignore-provider (the rest of it still is).
# Needs vagrant (Debian's package) and the unit test built; a missing one
# is a failure, never a skip.
. "$(dirname "$0")/lib.sh"

UNIT=$NC_TOP/build/tests/test_pnode_backends
OUT=$T/vagrant

command -v vagrant > /dev/null 2>&1 || {
	notok "vagrant is installed" "apt-get install vagrant"; exit 1; }
[ -x "$UNIT" ] || {
	notok "$UNIT is built" "make build/tests/test_pnode_backends"; exit 1; }

if NC_VAGRANT_OUT=$OUT "$UNIT" > "$T/unit.out" 2>&1; then
	ok "test_pnode_backends wrote the sample Vagrantfiles"
else
	notok "test_pnode_backends wrote the sample Vagrantfiles" \
	    "$(grep -v '^containers:' "$T/unit.out" | tail -20)"
fi

# validate DIR: vagrant validate in DIR; prints its output, returns its status
validate() { (cd "$1" && VAGRANT_CWD=$1 timeout 120 vagrant validate 2>&1); }

n=0
for dir in "$OUT"/*/; do
	dir=${dir%/}
	s=$(basename "$dir")
	[ -f "$dir/Vagrantfile" ] || continue
	n=$((n + 1))
	defs=$(grep -c '^  config\.vm\.define "' "$dir/Vagrantfile")
	if out=$(validate "$dir"); then
		ok "$s: vagrant validate ($defs machines): $(echo "$out" | tail -n 1)"
		continue
	fi
	note=
	if echo "$out" | grep -q 'cannot load such file -- winrm'; then
		if grep -q '^    m\.vm\.communicator = "winrm"$' "$dir/Vagrantfile" &&
		    grep -q '^    m\.vm\.guest = :windows$' "$dir/Vagrantfile"; then
			ok "$s: the Windows guest's communicator is winrm and its guest :windows"
		else
			notok "$s: the Windows guest's communicator is winrm" \
			    "$(grep -n 'communicator\|vm.guest' "$dir/Vagrantfile")"
		fi
		mkdir -p "$dir.nowinrm"
		grep -v '^    m\.vm\.communicator = "winrm"$' "$dir/Vagrantfile" \
		    > "$dir.nowinrm/Vagrantfile"
		dir=$dir.nowinrm
		note="without the winrm line (no winrm gem)"
		out=$(validate "$dir") && {
			ok "$s: vagrant validate $note: $(echo "$out" | tail -n 1)"
			continue
		}
	fi
	if echo "$out" | grep -q 'Error while connecting to Libvirt' &&
	    [ "$(echo "$out" | grep -vc 'libvirt\|Libvirt\|virConnectOpen')" -eq 0 ]; then
		note="${note:+$note, }with --ignore-provider (no libvirtd)"
		if out=$(cd "$dir" && VAGRANT_CWD=$dir timeout 120 \
		    vagrant validate --ignore-provider 2>&1) &&
		    echo "$out" | grep -q 'validated successfully'; then
			ok "$s: vagrant validate $note: $(echo "$out" | tail -n 1)"
			continue
		fi
	fi
	notok "$s: vagrant validate${note:+ $note}" "$(echo "$out" | tail -15)" \
	    "--- $dir/Vagrantfile:" "$(cat "$dir/Vagrantfile")"
done
[ $n -ge 5 ] && ok "$n sample Vagrantfiles validated" ||
    notok "the unit test wrote 5 sample Vagrantfiles" "found $n in $OUT"
