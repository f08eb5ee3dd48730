//! Fuzz target `venue_file`: see `inclusif_conformance::fuzz_targets::venue_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::venue_file(data));
