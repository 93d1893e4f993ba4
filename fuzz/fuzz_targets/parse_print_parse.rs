//! Fuzz target `parse_print_parse`: see `kgraph_fuzz::parse_print_parse` (`fuzz/src/lib.rs`) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kgraph_fuzz::parse_print_parse(data));
