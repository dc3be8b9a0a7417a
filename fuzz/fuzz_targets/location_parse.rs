#![no_main]
// One raw Location value, both modes, both machines (`redirspec::fuzz::location_parse`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| redirspec::fuzz::location_parse(data));
