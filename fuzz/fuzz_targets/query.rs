//! Fuzz target `query`: see `kgraph_fuzz::query` (`fuzz/src/lib.rs`) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kgraph_fuzz::query(data));
