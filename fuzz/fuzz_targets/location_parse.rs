#![no_main]
// One raw Location value in strict mode: the parser, its round trip and the
// RFC 9110 machine (`redirspec::fuzz::location_parse`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| redirspec::fuzz::location_parse(data));
