//! Fuzz target `scenario`: see `inclusif_conformance::fuzz_targets::scenario`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::scenario(data));
