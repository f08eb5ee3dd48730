//! Fuzz target `opening_hours`: see `inclusif_conformance::fuzz_targets::opening_hours`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::opening_hours(data));
