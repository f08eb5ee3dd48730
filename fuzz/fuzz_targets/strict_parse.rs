//! Fuzz target `strict_parse`: see `inclusif_conformance::fuzz_targets::strict_parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| inclusif_conformance::fuzz_targets::strict_parse(data));
