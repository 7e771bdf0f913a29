#!/bin/sh
# run.sh [SECONDS] [--coverage]: build the 9P2000.L reply-decoder fuzzer
# (tests/fuzz/fuzz_p9.c with lib/p9/p9_msg.c) with clang, libFuzzer,
# ASan and UBSan, and run it for SECONDS (default 60) from the seed corpus
# in tests/fuzz/corpus.  New inputs go to build/fuzz/corpus, crashes to
# build/fuzz/artifacts (add a crashing input to tests/fuzz/corpus once it
# is fixed).  With --coverage, afterwards report the line and branch
# coverage of p9_msg.c reached by the seeds plus everything found.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
cov=${2:-}
out=$top/build/fuzz
cc=$(command -v clang-14 || command -v clang)
mkdir -p "$out/corpus" "$out/artifacts"

"$cc" -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$top/provision" "$top/tests/fuzz/fuzz_p9.c" \
    "$top/lib/p9/p9_msg.c" -o "$out/fuzz_p9"

"$out/fuzz_p9" -max_total_time="$secs" -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
    "$out/corpus" "$top/tests/fuzz/corpus"

if [ "$cov" = --coverage ]; then
	prof=$(command -v llvm-profdata-14 || command -v llvm-profdata)
	llcov=$(command -v llvm-cov-14 || command -v llvm-cov)
	"$cc" -std=c11 -D_GNU_SOURCE -g -O0 -fsanitize=fuzzer \
	    -fprofile-instr-generate -fcoverage-mapping \
	    -I"$top/provision" "$top/tests/fuzz/fuzz_p9.c" \
	    "$top/lib/p9/p9_msg.c" -o "$out/fuzz_p9_cov"
	LLVM_PROFILE_FILE="$out/cov.profraw" "$out/fuzz_p9_cov" -runs=0 \
	    "$out/corpus" "$top/tests/fuzz/corpus" >/dev/null 2>&1
	"$prof" merge -sparse "$out/cov.profraw" -o "$out/cov.profdata"
	"$llcov" report "$out/fuzz_p9_cov" -instr-profile="$out/cov.profdata" \
	    "$top/lib/p9/p9_msg.c"
fi
