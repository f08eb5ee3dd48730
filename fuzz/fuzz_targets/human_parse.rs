//! Fuzz target `human_parse`: see `inclusif_conformance::fuzz_targets::human_parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::human_parse(data));
