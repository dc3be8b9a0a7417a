#![no_main]
// One raw Location value: the fast paths against the `url` crate and the
// general resolver (`redirspec::fuzz::location_differential`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| redirspec::fuzz::location_differential(data));
