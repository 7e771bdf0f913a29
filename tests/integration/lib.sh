# lib.sh: helpers for the integration tests (sourced).  Each case prints
# "ok - NAME" or "not ok - NAME" followed by what went wrong.
set -u
: "${NC_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
NEOC=$NC_TOP/bin/neoc
CORPUS=$NC_TOP/tests/corpus
T=$(mktemp -d /tmp/nc-int.XXXXXX)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; }

# check NAME COMMAND...: the command must succeed.
check() {
	name=$1; shift
	if out=$("$@" 2>&1); then ok "$name"; else notok "$name" "$out"; fi
}

# expect_eq NAME WANT GOT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "want: $2" "got:  $3"; fi
}

# jq-free JSON queries through python3: jget FILE EXPR (EXPR in python, the
# document bound to d).
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
