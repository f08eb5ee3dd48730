//! Fuzz target `verify`: see `inclusif_conformance::fuzz_targets::verify`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::verify(data));
