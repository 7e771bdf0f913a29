#!/bin/sh
# cycles.sh: tools/cycles.py, the file-cycle check of make unit and make
# check: the build has no cycle between .c files, and the script finds
# one in objects made to have it (two files, and a loop of three), and
# none in a chain.
. "$(dirname "$0")/lib.sh"
CYC=$NC_TOP/tools/cycles.py

# obj DIR NAME SOURCE: compile SOURCE as DIR/NAME.o (and keep it as
# DIR/NAME.c: the script skips objects whose source is gone).
obj() {
	printf '%s\n' "$3" > "$1/$2.c" &&
	cc -c -o "$1/$2.o" "$1/$2.c"
}

out=$(cd "$NC_TOP" && python3 "$CYC" build 2>&1)
rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q '^cycles: 0 among'; then
	ok "the build has no file cycle"
else
	notok "the build has no file cycle" "exit $rc" "$out"
fi

mkdir -p "$T/two" "$T/three" "$T/chain"
obj "$T/two" a 'int b(void); int a(void) { return b(); }'
obj "$T/two" b 'int a(void); int b(void) { return 1; } int c(void) { return a(); }'
out=$(cd "$T" && python3 "$CYC" two 2>&1)
rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q '^cycle: a.c b.c$' &&
    echo "$out" | grep -q '^  a.c -> b.c: b$' &&
    echo "$out" | grep -q '^  b.c -> a.c: a$'; then
	ok "a cycle of two files is found, with its symbols"
else
	notok "a cycle of two files is found, with its symbols" "exit $rc" \
	    "$out"
fi

obj "$T/three" x 'int y(void); int x(void) { return y(); }'
obj "$T/three" y 'int z(void); int y(void) { return z(); }'
obj "$T/three" z 'int x(void); int z(void) { return x(); }'
out=$(cd "$T" && python3 "$CYC" three 2>&1)
rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q '^cycle: x.c y.c z.c$'; then
	ok "a loop of three files is found"
else
	notok "a loop of three files is found" "exit $rc" "$out"
fi

obj "$T/chain" p 'int q(void); int p(void) { return q(); }'
obj "$T/chain" q 'int r(void); int q(void) { return r(); }'
obj "$T/chain" r 'int r(void) { return 0; }'
out=$(cd "$T" && python3 "$CYC" chain 2>&1)
rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q '^cycles: 0 among 3 files$'; then
	ok "a chain is no cycle"
else
	notok "a chain is no cycle" "exit $rc" "$out"
fi
