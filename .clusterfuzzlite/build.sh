#!/bin/bash -eu
# Builds every target of fuzz/ with the sanitizer the engine asks for
# (cargo fuzz reads $SANITIZER's flags from the OSS-Fuzz environment), and
# puts into $OUT, per target: the binary, its seed corpus, the dictionary and
# its libFuzzer options (fuzz/fuzz_targets/<target>.options: max_len), read
# through fuzz/options.sh as .ci/fuzz.sh reads them.
#
# follower_* targets (a third-party client against the model) are left out:
# what they find is a new divergence of that client, to triage and pin by
# hand (FUZZ_FOLLOWERS=1 .ci/fuzz.sh), not a crash of this crate.
cd "$SRC/redirspec"
cargo fuzz build -O
bin_dir=fuzz/target/x86_64-unknown-linux-gnu/release
for target in $(cargo fuzz list); do
    if [[ "$target" == follower_* ]]; then
        continue
    fi
    cp "$bin_dir/$target" "$OUT/"
    cp corpus/location.dict "$OUT/$target.dict"
    if [ -f "fuzz/fuzz_targets/$target.options" ]; then
        cp "fuzz/fuzz_targets/$target.options" "$OUT/$target.options"
    fi
    seeds="$(fuzz/options.sh "$target" seeds)"
    if [ -n "$seeds" ]; then
        (cd "$seeds" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
done
