//! The shared benchmark kit's generated data, made once into `target/bench-data/SCALE` with
//! `../shared/bench/gen.py` (beside the crate root, as in CI).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The node file, the relationship file and the generator's `params.json` of a scale.
pub fn dataset(scale: &str) -> (PathBuf, PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target").join("bench-data").join(scale);
    let (nodes, rels, params) = (
        dir.join("nodes.csv"),
        dir.join("relationships.csv"),
        dir.join("params.json"),
    );
    if !(nodes.exists() && rels.exists() && params.exists()) {
        let r#gen = root.join("../shared/bench/gen.py");
        assert!(
            r#gen.exists(),
            "{} is missing: the benches need the shared benchmark kit beside the crate",
            r#gen.display()
        );
        let status = Command::new("python3")
            .arg(&r#gen)
            .args(["--scale", scale, "--out"])
            .arg(&dir)
            .status()
            .expect("python3 runs gen.py");
        assert!(status.success(), "gen.py failed: {status}");
    }
    (nodes, rels, params)
}
