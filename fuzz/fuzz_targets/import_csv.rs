//! Fuzz target `import_csv`: see `kgraph_fuzz::import_csv` (`fuzz/src/lib.rs`) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kgraph_fuzz::import_csv(data));
