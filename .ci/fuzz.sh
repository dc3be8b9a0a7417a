#!/usr/bin/env bash
# Fuzz smoke run for CI: builds every cargo-fuzz target and runs each for a
# bounded time (FUZZ_SECONDS, default 20) from the committed seeds, with the
# shared dictionary and the target's own libFuzzer options
# (fuzz/fuzz_targets/<target>.options, read through fuzz/options.sh: the same
# max_len ClusterFuzzLite uses). Installs cargo-fuzz when missing; uses the
# nightly toolchain when there is one, otherwise stable with RUSTC_BOOTSTRAP=1
# (the sanitizer flags are nightly-only). Prints one summary line per target
# (libFuzzer's DONE line: executions, coverage, exec/s) and the tail of the
# log of a target that fails.
#
# Knobs (for measuring, see README "Fuzzing"): FUZZ_SANITIZER (default
# address, as CI; `none` for the raw rate), FUZZ_TARGETS (space-separated;
# default every target), FUZZ_CORPUS (scratch corpus root, default
# fuzz/corpus; new finds go there, the committed seeds are only read).
#
# follower_* targets (a third-party client against the model) are built but
# run only with FUZZ_FOLLOWERS=1: what they find is a new divergence of that
# client, to triage and pin, not a failure of this crate.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${FUZZ_SECONDS:-20}"
sanitizer="${FUZZ_SANITIZER:-address}"
scratch="${FUZZ_CORPUS:-fuzz/corpus}"
logs="$(mktemp -d)"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    tc=(+nightly)
else
    tc=()
    export RUSTC_BOOTSTRAP=1
fi
# One target dir per sanitizer, so that switching does not rebuild the other.
build=(-s "$sanitizer" --target-dir "fuzz/target-$sanitizer")

cargo "${tc[@]}" fuzz build "${build[@]}"
targets="${FUZZ_TARGETS:-$(cargo "${tc[@]}" fuzz list)}"
for t in $targets; do
    if [[ "$t" == follower_* && "${FUZZ_FOLLOWERS:-0}" != 1 ]]; then
        echo "fuzz $t: built, not run (FUZZ_FOLLOWERS=1 runs it)"
        continue
    fi
    mkdir -p "$scratch/$t"
    # shellcheck disable=SC2207 # one word per line, by construction
    seeds=($(fuzz/options.sh "$t" seeds)) flags=($(fuzz/options.sh "$t" flags))
    if ! cargo "${tc[@]}" fuzz run "${build[@]}" "$t" "$scratch/$t" "${seeds[@]}" -- \
        -max_total_time="$secs" -dict=corpus/location.dict "${flags[@]}" \
        >"$logs/$t.log" 2>&1; then
        echo "fuzz target $t FAILED; last lines of its log:"
        tail -n 60 "$logs/$t.log"
        exit 1
    fi
    echo "fuzz $t (${flags[*]}, $sanitizer): $(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$t.log" | tail -n 1)"
done
