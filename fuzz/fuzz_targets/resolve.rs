#![no_main]
// RFC 3986 §5.2 resolution laws (properties 1-3) and the strict one-pass
// path against the strict general path (6), the latter under the one setting
// of the policy switches the input picks (`redirspec::fuzz::resolve_rfc3986`).
// No `url` crate: properties 4 and 5 are the `resolve_whatwg` target's.
libfuzzer_sys::fuzz_target!(|input: redirspec::fuzz::ResolveInput| {
    let (reference, base) = input.parts();
    redirspec::fuzz::resolve_rfc3986(reference, base, input.setting());
});
