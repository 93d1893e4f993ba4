//! Fuzz target `snapshot_open`: see `kgraph_fuzz::snapshot_open` (`fuzz/src/lib.rs`) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kgraph_fuzz::snapshot_open(data));
