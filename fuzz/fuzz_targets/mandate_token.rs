//! Fuzz target `mandate_token`: see `inclusif_conformance::fuzz_targets::mandate_token`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::mandate_token(data));
