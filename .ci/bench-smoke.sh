#!/usr/bin/env bash
# Bench smoke for CI: compile the benches, then run each benchmark once, as a
# test (no measurement, no timing assertions). Budget: well under 3 minutes.
#
# It builds with the `test` profile and the features `cargo test
# --all-features` used just before, so every dependency is already built and
# only benches/decide.rs compiles (a fresh release build of the dependencies
# took 4 minutes here). Real measurements: `cargo bench --bench decide`.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=(--all-features --profile test -p redirspec --bench decide)
cargo bench "${smoke[@]}" --no-run
# `--test` runs every benchmark routine once (what `cargo test --benches` does).
cargo bench "${smoke[@]}" -- --test
