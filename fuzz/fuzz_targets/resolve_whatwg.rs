#![no_main]
// The WHATWG half of `resolve` (same input, seeds and options): the `url`
// crate against RFC 3986 on the agreed subset (property 4) and the WHATWG
// fast paths against the general path (5), the latter under the one setting
// of the policy switches the input picks (`redirspec::fuzz::resolve_whatwg`).
libfuzzer_sys::fuzz_target!(|input: redirspec::fuzz::ResolveInput| {
    let (reference, base) = input.parts();
    redirspec::fuzz::resolve_whatwg(reference, base, input.setting());
});
