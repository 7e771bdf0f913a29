#!/bin/sh
# run.sh [unit|integration]: run the test suites and end with one line
# "N passed, N failed, N skipped" over all of them.  Unit tests are cmocka
# binaries (built plain under build/tests and with ASan/UBSan under
# build/asan/tests) run with CMOCKA_MESSAGE_OUTPUT=TAP; integration tests
# are tests/integration/*.sh printing "ok - NAME" or "not ok - NAME" per
# case.  A case that cannot run on this machine is a skip, counted apart:
# cmocka's skip() prints "not ok N # SKIP NAME", lib.sh's skip prints
# "ok - NAME # SKIP REASON".  Exit status is 1 when anything failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
log=$(mktemp -d /tmp/nc-tests.XXXXXX)
pass=0
fail=0
skipped=0

# The three kinds of result line (extended regular expressions).
SKIP_RE='^(not )?ok( |$).*#[[:space:]]*SKIP'
PASS_RE='^ok( |$)'
FAIL_RE='^not ok( |$)'

# results FILE: its result lines, each prefixed "pass ", "fail " or "skip ".
results() {
	awk -v s="$SKIP_RE" -v p="$PASS_RE" -v f="$FAIL_RE" '
	    $0 ~ s { print "skip " $0; next }
	    $0 ~ p { print "pass " $0; next }
	    $0 ~ f { print "fail " $0 }' "$1"
}

# count FILE: add the file's results to the totals; sets p f s for it.
count() {
	results "$1" > "$1.res"
	p=$(grep -c '^pass ' "$1.res")
	f=$(grep -c '^fail ' "$1.res")
	s=$(grep -c '^skip ' "$1.res")
	pass=$((pass + p))
	fail=$((fail + f))
	skipped=$((skipped + s))
}

# summary NAME: "NAME: N passed[, N skipped]", and the skips' lines.
summary() {
	grep '^skip ' "$out.res" | sed "s|^skip |$1: |"
	if [ "$s" -gt 0 ]; then
		echo "$1: $p passed, $s skipped"
	else
		echo "$1: $p passed"
	fi
}

# crashed NAME RC: a non-zero exit without a failing case (a crash, a
# sanitizer report, a test stopped before its cases) is one failure.
crashed() {
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail=$((fail + 1))
		echo "not ok - $1 exited $2" | tee -a "$log/crashes.out"
		tail -20 "$out"
	fi
}

run_unit() {	# run_unit BINARY
	name=$(echo "$1" | sed "s|$top/build/||")
	out=$log/$(echo "$name" | tr / _).out
	CMOCKA_MESSAGE_OUTPUT=TAP "$1" > "$out" 2>&1
	rc=$?
	count "$out"
	crashed "$name" $rc
	grep '^fail ' "$out.res" | sed "s|^fail |$name: |"
	summary "$name"
}

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in "$top"/build/tests/test_* "$top"/build/asan/tests/test_*; do
		case $t in *.d) continue ;; esac
		[ -e "$t" ] || continue
		if [ ! -x "$t" ]; then	# a failed build's leftover
			fail=$((fail + 1))
			echo "not ok - $t is not a program: $(file -b "$t" | cut -c1-60)" |
			    tee -a "$log/crashes.out"
			continue
		fi
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
		crashed "$name" $rc
		grep -A8 -E "$FAIL_RE" "$out" | grep -vE "$SKIP_RE" |
		    sed "s|^|$name: |"
		summary "$name"
	done
fi

echo "logs in $log"
# The failures again, last, where a truncated log (CI's tail) shows them.
if [ "$fail" -gt 0 ]; then
	echo "failed:"
	# each failure with the first lines of its detail (lib.sh's notok
	# indents them by four spaces), cut to 200 bytes a line
	for o in "$log"/*.out; do
		case $o in */crashes.out) continue ;; esac
		[ -f "$o" ] || continue
		awk -v f="$FAIL_RE" -v s="$SKIP_RE" '
		    $0 ~ f && $0 !~ s { print "  " $0; d = 4; next }
		    d > 0 && /^    / { print "  " substr($0, 1, 200); d--; next }
		    { d = 0 }' "$o"
	done
	cat "$log/crashes.out" 2> /dev/null | sed 's/^/  /'
fi
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
