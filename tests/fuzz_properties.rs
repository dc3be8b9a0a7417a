//! The fuzz properties as bolero harnesses: `cargo test --all-features` runs
//! each with random inputs for about a second (`BOLERO_RANDOM_TEST_TIME_MS`,
//! `BOLERO_RANDOM_SEED` to replay); `cargo +nightly bolero test <name>
//! --all-features -T 60s` runs one under libFuzzer. Each
//! harness calls the same `redirspec::fuzz` function as the cargo-fuzz target
//! of the same name, so a property lives in one place.
#![cfg(feature = "fuzz")]

use redirspec::fuzz::{ChainInput, ResolveInput, StepInput};

#[test]
fn location_parse() {
    bolero::check!().for_each(|bytes: &[u8]| redirspec::fuzz::location_parse(bytes));
}

#[test]
fn location_fetch() {
    bolero::check!().for_each(|bytes: &[u8]| redirspec::fuzz::location_fetch(bytes));
}

#[test]
fn location_differential() {
    bolero::check!().for_each(|bytes: &[u8]| redirspec::fuzz::location_differential(bytes));
}

#[test]
fn resolve() {
    bolero::check!()
        .with_arbitrary::<ResolveInput>()
        .for_each(|input: &ResolveInput| {
            let (reference, base) = input.parts();
            redirspec::fuzz::resolve_rfc3986(reference, base, input.setting());
        });
}

#[test]
fn resolve_whatwg() {
    bolero::check!()
        .with_arbitrary::<ResolveInput>()
        .for_each(|input: &ResolveInput| {
            let (reference, base) = input.parts();
            redirspec::fuzz::resolve_whatwg(reference, base, input.setting());
        });
}

/// Both halves of the resolve check under every setting of the policy
/// switches (`redirspec::fuzz::resolve`, which users embed).
#[test]
fn resolve_all_settings() {
    bolero::check!()
        .with_arbitrary::<ResolveInput>()
        .for_each(|input: &ResolveInput| {
            let (reference, base) = input.parts();
            redirspec::fuzz::resolve(reference, base);
        });
}

#[test]
fn machine_step() {
    bolero::check!()
        .with_arbitrary::<StepInput>()
        .for_each(redirspec::fuzz::machine_step);
}

#[test]
fn chain() {
    bolero::check!()
        .with_arbitrary::<ChainInput>()
        .for_each(redirspec::fuzz::chain);
}

#[test]
fn raw_response() {
    bolero::check!().for_each(|bytes: &[u8]| {
        redirspec::fuzz::raw_response(bytes);
    });
}
