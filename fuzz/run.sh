#!/usr/bin/env bash
# Runs one of the two libFuzzer targets with AddressSanitizer for SECONDS (default 60), in one process:
#
#   bash fuzz/run.sh [SECONDS]                     the per-datagram path (Sources/SwitchdFuzz):
#                                                  RequestHandler.handle: libosip2 parsing, validation,
#                                                  trust gate, dial plan, response building
#   FUZZ_TARGET=config bash fuzz/run.sh [SECONDS]  configuration loading (Sources/ConfigFuzz):
#   bash fuzz/run-config.sh [SECONDS]              in-memory conf directories through ConfigLoader.load
#   make fuzz FUZZ_SECONDS=...                     both, each for FUZZ_SECONDS
#
# Builds the target with -DFUZZING -sanitize=fuzzer,address into .build-fuzz, seeds its corpus (kept
# between runs, not in git) and writes crash/leak/timeout inputs to fuzz-out/:
#   sip:    corpus fuzz-out/corpus from fuzz/seeds, fuzz/regressions and the RFC 4475 torture messages
#           (Tests/Fixtures/sip-torture/*.dat); artifacts fuzz-out/crash-*; log fuzz-out/fuzz.log
#   config: corpus fuzz-out/config-corpus from fuzz/config-seeds and fuzz/config-regressions;
#           artifacts fuzz-out/config-crash-*; log fuzz-out/config-fuzz.log
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
torture=$root/Tests/Fixtures/sip-torture
build_flags=(-c release --scratch-path "$scratch" -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address)

target=${FUZZ_TARGET:-sip}
case $target in
sip)
    product=SwitchdFuzz corpus=$out/corpus prefix=$out/ base= log=$out/fuzz.log dict=fuzz/sip.dict max_len=65535
    slice=${FUZZ_SLICE_SECONDS:-$seconds}
    seed_dirs=(fuzz/seeds fuzz/regressions)
    ;;
config)
    product=ConfigFuzz corpus=$out/config-corpus prefix=$out/config- base=config- log=$out/config-fuzz.log dict=fuzz/toml.dict
    # Larger than any seed (the sample conf is 7 KB) with room to grow; the 4 MiB file limit is a test's job.
    max_len=65536
    seed_dirs=(fuzz/config-seeds fuzz/config-regressions)
    # TOMLKit never frees what it parses (TOMLTable has no deinit; every key and string it hands out is
    # a strdup'd copy nobody frees): every load leaks, so LeakSanitizer would stop the run at its first
    # input. Those allocations, and only those, are suppressed (fuzz/lsan-tomlkit.supp: frames of
    # TOMLKit's C++ shim and of TOMLKit's Swift sources); a leak anywhere else still fails the run.
    export LSAN_OPTIONS="suppressions=$root/fuzz/lsan-tomlkit.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    # The same leak grows the process by about 12 KB per input (ASan's own bookkeeping included): a
    # 4 GB RSS limit is reached after some 300,000 inputs, 10 to 15 minutes. Long runs are therefore
    # cut into slices of at most FUZZ_SLICE_SECONDS (default 300), each a new process on the same corpus.
    slice=${FUZZ_SLICE_SECONDS:-300}
    ;;
*)
    echo "FUZZ_TARGET must be sip or config, not $target" >&2
    exit 2
    ;;
esac

echo "== building $product (libFuzzer + AddressSanitizer) in $scratch"
"$swift" build "${build_flags[@]}" --product "$product"
binary=$("$swift" build "${build_flags[@]}" --show-bin-path)/$product

mkdir -p "$corpus"
for folder in "${seed_dirs[@]}"; do
    if compgen -G "$folder/*" >/dev/null; then cp "$folder"/* "$corpus"/; fi
done
if [ "$target" = sip ]; then
    if compgen -G "$torture/*.dat" >/dev/null; then
        cp "$torture"/*.dat "$corpus"/
    else
        # The torture messages are part of the repository: without them the checkout is broken, and
        # fuzzing from fuzz/seeds alone would quietly explore less.
        echo "error: no torture messages in $torture (see its README.md)" >&2
        exit 1
    fi
fi
cp "$torture"/*.dat "$corpus"/

# Artifacts found before this run stay where they are; only new ones count.
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT

echo "== fuzzing $product for ${seconds}s (slices of at most ${slice}s); corpus $corpus ($(ls "$corpus" | wc -l) inputs); log $log"
: >"$log"
status=0
remaining=$seconds
executions=0
slices=0
started=$SECONDS
while [ "$remaining" -gt 0 ] && [ "$status" -eq 0 ]; do
    this=$((remaining < slice ? remaining : slice))
    set +e
    # shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
    "$binary" -max_total_time="$this" -max_len="$max_len" -rss_limit_mb=4096 -timeout=10 \
        -dict="$dict" -artifact_prefix="$prefix" -print_final_stats=1 ${FUZZ_FLAGS:-} \
        "$corpus" 2>&1 | tee "$log.slice" | grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE)'
    status=${PIPESTATUS[0]}
    set -e
    cat "$log.slice" >>"$log"
    units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log.slice" | tail -1)
    executions=$((executions + ${units:-0}))
    slices=$((slices + 1))
    remaining=$((remaining - this))
done
rm -f "$log.slice"
echo "== $product: $executions inputs executed in $((SECONDS - started))s over $slices run(s)"

new_artifacts=$(find "$out" -maxdepth 1 -type f \( -name "${base}crash-*" -o -name "${base}leak-*" -o -name "${base}timeout-*" \
    -o -name "${base}oom-*" -o -name "${base}slow-unit-*" \) -newer "$marker" | sort)
if [ "$status" -ne 0 ] || [ -n "$new_artifacts" ]; then
    echo "== FUZZING $product FOUND A PROBLEM (libFuzzer exit $status); inputs: ${new_artifacts:-none written}" >&2
    echo "   reproduce: $binary INPUT   (or swift run $product INPUT without sanitizers)" >&2
    echo "   minimise:  $binary -minimize_crash=1 -runs=100000 -artifact_prefix=${prefix}min- INPUT" >&2
    exit 1
fi
echo "== $product: no crash, sanitizer report or timeout in ${seconds}s"
