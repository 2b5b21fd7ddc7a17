#!/usr/bin/env bash
# Fuzzes configuration loading (Sources/ConfigFuzz: in-memory conf directories through
# ConfigLoader.load) for SECONDS (default 60). Same as `FUZZ_TARGET=config bash fuzz/run.sh SECONDS`.
exec env FUZZ_TARGET=config bash "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
