#!/bin/bash -eu
# Builds every target of fuzz/ with the sanitizer the engine asks for
# (cargo fuzz reads $SANITIZER's flags from the OSS-Fuzz environment), and
# puts each binary, its seed corpus and the dictionary into $OUT.
cd "$SRC/redirspec"
cargo fuzz build -O
bin_dir=fuzz/target/x86_64-unknown-linux-gnu/release
for target in $(cargo fuzz list); do
    cp "$bin_dir/$target" "$OUT/"
    cp corpus/location.dict "$OUT/$target.dict"
    if [ -d "corpus/$target" ]; then
        (cd "corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
done
