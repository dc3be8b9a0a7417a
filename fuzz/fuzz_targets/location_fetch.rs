#![no_main]
// One raw Location value in lenient mode: the Fetch machine's step and its
// invariants (`redirspec::fuzz::location_fetch`), from the location_parse seeds.
libfuzzer_sys::fuzz_target!(|data: &[u8]| redirspec::fuzz::location_fetch(data));
