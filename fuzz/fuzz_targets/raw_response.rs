#![no_main]
// One raw response head through httparse and every profile (`redirspec::fuzz::raw_response`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    redirspec::fuzz::raw_response(data);
});
