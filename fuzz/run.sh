#!/usr/bin/env bash
# Fuzzes the per-datagram path (RequestHandler.handle: libosip2 parsing, validation, trust gate, dial plan,
# response building) with libFuzzer and AddressSanitizer for SECONDS (default 60), in one process.
#
#   bash fuzz/run.sh [SECONDS]          (make fuzz FUZZ_SECONDS=...)
#
# Builds Sources/SwitchdFuzz with -DFUZZING -sanitize=fuzzer,address into .build-fuzz, seeds the corpus
# fuzz-out/corpus (kept between runs, not in git) from fuzz/seeds, fuzz/regressions and the RFC 4475
# torture messages (Tests/Fixtures/sip-torture/*.dat), and writes crash/leak/timeout inputs to fuzz-out/.
# Exits non-zero when libFuzzer reports a crash, an ASan or LeakSanitizer error, a timeout or an OOM.
# FUZZ_FLAGS adds libFuzzer flags (e.g. FUZZ_FLAGS="-seed=1 -detect_leaks=0").
set -euo pipefail

seconds=${1:-60}
case $seconds in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
swift=${SWIFT:-swift}
scratch=.build-fuzz
out=fuzz-out
corpus=$out/corpus
torture=$root/Tests/Fixtures/sip-torture
build_flags=(-c release --scratch-path "$scratch" -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address)

echo "== building SwitchdFuzz (libFuzzer + AddressSanitizer) in $scratch"
"$swift" build "${build_flags[@]}" --product SwitchdFuzz
binary=$("$swift" build "${build_flags[@]}" --show-bin-path)/SwitchdFuzz

mkdir -p "$corpus"
cp fuzz/seeds/* "$corpus"/
if compgen -G "fuzz/regressions/*" >/dev/null; then cp fuzz/regressions/* "$corpus"/; fi
# The torture messages are part of the repository: without them the checkout is broken, and fuzzing
# from fuzz/seeds alone would quietly explore less.
if ! compgen -G "$torture/*.dat" >/dev/null; then
    echo "error: no torture messages in $torture (see its README.md)" >&2
    exit 1
fi
cp "$torture"/*.dat "$corpus"/

# Artifacts found before this run stay where they are; only new ones count.
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT

echo "== fuzzing for ${seconds}s; corpus $corpus ($(ls "$corpus" | wc -l) inputs); log $out/fuzz.log"
set +e
# shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
"$binary" -max_total_time="$seconds" -max_len=65535 -rss_limit_mb=4096 -timeout=10 \
    -dict=fuzz/sip.dict -artifact_prefix="$out/" -print_final_stats=1 ${FUZZ_FLAGS:-} \
    "$corpus" 2>&1 | tee "$out/fuzz.log" | grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE)'
status=${PIPESTATUS[0]}
set -e

new_artifacts=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' -o -name 'slow-unit-*' \) -newer "$marker" | sort)
if [ "$status" -ne 0 ] || [ -n "$new_artifacts" ]; then
    echo "== FUZZING FOUND A PROBLEM (libFuzzer exit $status); inputs: ${new_artifacts:-none written}" >&2
    echo "   reproduce: $binary INPUT   (or swift run SwitchdFuzz --show INPUT without sanitizers)" >&2
    echo "   minimise:  $binary -minimize_crash=1 -runs=100000 -artifact_prefix=$out/min- INPUT" >&2
    exit 1
fi
echo "== no crash, sanitizer report or timeout in ${seconds}s"
