//! Fuzz target `import_jsonl`: see `kgraph_fuzz::import_jsonl` (`fuzz/src/lib.rs`) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kgraph_fuzz::import_jsonl(data));
