#!/usr/bin/env bash
# Leak check of the parse/respond loop: runs the SIPTests `parseRespondLoop` test (every torture
# message parsed by libosip2 and answered 200 times) under valgrind and fails on a definite leak.
#   bash scripts/valgrind-parse-loop.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
swift build --build-tests >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the toolchain's DWARF 5 debug info: run a stripped copy.
objcopy --strip-debug "$(swift build --show-bin-path)/switchdPackageTests.xctest" "$work/tests.xctest"
gcc -shared -fPIC -O2 scripts/valgrind/sigsuspend_copy.c -o "$work/sigsuspend_copy.so" -ldl
# The test bundle links jemalloc (through the Switchd target): memcheck must replace its malloc too.
LD_PRELOAD="$work/sigsuspend_copy.so" valgrind --soname-synonyms=somalloc=libjemalloc.so.2 \
    --leak-check=full --errors-for-leak-kinds=definite \
    "$work/tests.xctest" --testing-library swift-testing --filter parseRespondLoop \
    > "$work/valgrind.log" 2>&1 || true
grep -E "==[0-9]+== +(definitely lost|indirectly lost|possibly lost|still reachable):|ERROR SUMMARY|Test run" "$work/valgrind.log"
grep -q "Test run with 1 test .*passed" "$work/valgrind.log" || { echo "the test did not pass under valgrind" >&2; exit 1; }
# Swift's runtime keeps one-time caches ("possibly lost"/"still reachable"); a definite leak is ours.
grep -q "definitely lost: 0 bytes" "$work/valgrind.log" || { echo "valgrind found a definite leak" >&2; exit 1; }
echo "valgrind: no definite leak in the parse/respond loop"
