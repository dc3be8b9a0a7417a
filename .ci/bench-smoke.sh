#!/usr/bin/env bash
# Bench smoke for CI: compile the benches, then run each benchmark once, as a
# test (no measurement, no timing assertions). Budget: well under 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench decide --no-run
# `--test` runs every benchmark routine once (what `cargo test --benches` does).
cargo bench --bench decide -- --test
