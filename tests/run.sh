#!/bin/sh
# run.sh [unit|integration]: run the test suites and end with one line
# "N passed, N failed" over all of them.  Unit tests are cmocka binaries
# (built plain under build/tests and with ASan/UBSan under build/asan/tests);
# integration tests are tests/integration/*.sh printing "ok - NAME" or
# "not ok - NAME" per case.  Exit status is 1 when anything failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
log=$(mktemp -d /tmp/nc-tests.XXXXXX)
pass=0
fail=0

count() {	# count FILE: add the file's ok / not ok lines to the totals
	p=$(grep -c '^ok ' "$1")
	f=$(grep -c '^not ok ' "$1")
	pass=$((pass + p))
	fail=$((fail + f))
}

run_unit() {	# run_unit BINARY
	name=$(echo "$1" | sed "s|$top/build/||")
	out=$log/$(echo "$name" | tr / _).out
	CMOCKA_MESSAGE_OUTPUT=TAP "$1" > "$out" 2>&1
	rc=$?
	count "$out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
		# crashed or sanitizer report without a failing case
		fail=$((fail + 1))
		echo "not ok - $name exited $rc" | tee -a "$log/crashes.out"
		tail -20 "$out"
	fi
	grep '^not ok ' "$out" | sed "s|^|$name: |"
	echo "$name: $(grep -c '^ok ' "$out") passed"
}

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in "$top"/build/tests/test_* "$top"/build/asan/tests/test_*; do
		[ -x "$t" ] || continue
		run_unit "$t"
	done
fi

if [ "$what" = all ] || [ "$what" = integration ]; then
	for t in "$top"/tests/integration/*.sh; do
		[ -f "$t" ] || continue
		case $t in */lib.sh) continue ;; esac
		name=$(basename "$t" .sh)
		out=$log/int_$name.out
		NC_TOP=$top sh "$t" > "$out" 2>&1
		rc=$?
		count "$out"
		if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
			fail=$((fail + 1))
			echo "not ok - $name exited $rc" | tee -a "$log/crashes.out"
			tail -20 "$out"
		fi
		grep -A8 '^not ok ' "$out" | sed "s|^|$name: |"
		echo "$name: $(grep -c '^ok ' "$out") passed"
	done
fi

echo "logs in $log"
# The failures again, last, where a truncated log (CI's tail) shows them.
if [ "$fail" -gt 0 ]; then
	echo "failed:"
	grep -h '^not ok ' "$log"/*.out 2> /dev/null | sed 's/^/  /'
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
