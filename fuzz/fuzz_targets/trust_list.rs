//! Fuzz target `trust_list`: see `inclusif_conformance::fuzz_targets::trust_list`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::trust_list(data));
