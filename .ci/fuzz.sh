#!/usr/bin/env bash
# Fuzz smoke run for CI: builds every cargo-fuzz target and runs each for a
# bounded time (FUZZ_SECONDS, default 20) from the committed seeds, with the
# shared dictionary. Installs cargo-fuzz when missing; uses the nightly
# toolchain when there is one, otherwise stable with RUSTC_BOOTSTRAP=1 (the
# sanitizer flags are nightly-only). Prints one summary line per target and
# the tail of the log of a target that fails.
#
# follower_* targets (a third-party client against the model) are built but
# run only with FUZZ_FOLLOWERS=1: what they find is a new divergence of that
# client, to triage and pin, not a failure of this crate.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${FUZZ_SECONDS:-20}"
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

cargo "${tc[@]}" fuzz build
for t in $(cargo "${tc[@]}" fuzz list); do
    if [[ "$t" == follower_* && "${FUZZ_FOLLOWERS:-0}" != 1 ]]; then
        echo "fuzz $t: built, not run (FUZZ_FOLLOWERS=1 runs it)"
        continue
    fi
    mkdir -p "fuzz/corpus/$t"
    seeds=()
    if [ -d "corpus/$t" ]; then seeds=("corpus/$t"); fi
    if ! cargo "${tc[@]}" fuzz run "$t" "fuzz/corpus/$t" "${seeds[@]}" -- \
        -max_total_time="$secs" -dict=corpus/location.dict >"$logs/$t.log" 2>&1; then
        echo "fuzz target $t FAILED; last lines of its log:"
        tail -n 60 "$logs/$t.log"
        exit 1
    fi
    echo "fuzz $t: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$t.log" | tail -n 1)"
done
