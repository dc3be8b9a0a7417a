#!/usr/bin/env bash
# What a cargo-fuzz target is run with, from the files kept beside it:
#
#   fuzz/options.sh TARGET flags   libFuzzer flags from fuzz/fuzz_targets/TARGET.options
#                                  ([libfuzzer] section, `key = value` -> `-key=value`)
#   fuzz/options.sh TARGET seeds   the committed seed folder of TARGET, if it has one
#
# ClusterFuzzLite/OSS-Fuzz read the same .options files from $OUT
# (.clusterfuzzlite/build.sh copies them), so a local run, CI and continuous
# fuzzing use one limit. Example:
#   cargo +nightly fuzz run location_parse fuzz/corpus/location_parse \
#       $(fuzz/options.sh location_parse seeds) -- $(fuzz/options.sh location_parse flags)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:?usage: fuzz/options.sh TARGET flags|seeds}"
case "${2:-flags}" in
flags)
    file="$root/fuzz/fuzz_targets/$target.options"
    [ -f "$file" ] || exit 0
    awk '
        /^[[:space:]]*[#;]/ || /^[[:space:]]*$/ { next }
        /^[[:space:]]*\[/ { section = $0; gsub(/[][[:space:]]/, "", section); next }
        section == "libfuzzer" && index($0, "=") {
            key = substr($0, 1, index($0, "=") - 1); value = substr($0, index($0, "=") + 1)
            gsub(/^[[:space:]]+|[[:space:]]+$/, "", key); gsub(/^[[:space:]]+|[[:space:]]+$/, "", value)
            printf "-%s=%s\n", key, value
        }' "$file"
    ;;
seeds)
    # The lenient targets read the same Location values as location_parse.
    case "$target" in
    location_differential | location_fetch) dir=location_parse ;;
    # The two halves of the resolve check read the same input (neither
    # commits seeds today: `arbitrary` input, no corpus/resolve folder).
    resolve_whatwg) dir=resolve ;;
    *) dir="$target" ;;
    esac
    if [ -d "$root/corpus/$dir" ]; then echo "corpus/$dir"; fi
    ;;
*)
    echo "usage: fuzz/options.sh TARGET flags|seeds" >&2
    exit 2
    ;;
esac
