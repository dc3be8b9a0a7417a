#![no_main]
// RFC 3986 §5.2 resolution laws and the WHATWG differential (`redirspec::fuzz::resolve`).
libfuzzer_sys::fuzz_target!(|input: redirspec::fuzz::ResolveInput| {
    let (reference, base) = input.parts();
    redirspec::fuzz::resolve(reference, base);
});
