#![no_main]
// One request, one response, every step invariant (`redirspec::fuzz::machine_step`).
libfuzzer_sys::fuzz_target!(
    |input: redirspec::fuzz::StepInput| redirspec::fuzz::machine_step(&input)
);
