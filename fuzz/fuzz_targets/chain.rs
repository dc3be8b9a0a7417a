#![no_main]
// A request and a chain of responses, invariants at every step (`redirspec::fuzz::chain`).
libfuzzer_sys::fuzz_target!(|input: redirspec::fuzz::ChainInput| redirspec::fuzz::chain(&input));
