#![no_main]
// Both Location modes on long values (8 KiB to past the 64 KiB limit), from the
// `corpus/location_long` seeds, with a larger `-max_len` (location_long.options).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    redirspec::fuzz::location_parse(data);
    redirspec::fuzz::location_fetch(data);
});
