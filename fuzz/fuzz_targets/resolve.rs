#![no_main]
// RFC 3986 §5.2 resolution laws and the WHATWG differential, the latter under
// the one setting of the policy switches the input picks
// (`redirspec::fuzz::resolve_under`).
libfuzzer_sys::fuzz_target!(|input: redirspec::fuzz::ResolveInput| {
    let (reference, base) = input.parts();
    redirspec::fuzz::resolve_under(reference, base, input.setting());
});
