//! Fuzz target `short_code`: see `inclusif_conformance::fuzz_targets::short_code`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::short_code(data));
