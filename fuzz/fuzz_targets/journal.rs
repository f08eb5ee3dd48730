//! Fuzz target `journal`: see `inclusif_conformance::fuzz_targets::journal`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::journal(data));
