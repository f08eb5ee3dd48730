//! Fuzz target `redemption_batch`: see `inclusif_conformance::fuzz_targets::redemption_batch`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::redemption_batch(data));
