//! Golden files: `check_golden(name, actual)` compares with `tests/golden/NAME`, or rewrites it
//! when `UPDATE_GOLDEN` is set. Cases in a golden file start with `---------- Input ----------`,
//! and a difference is shown for the first case that differs.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

/// Compares `actual` with the golden file, or rewrites it when `UPDATE_GOLDEN` is set.
pub fn check_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let written = std::fs::write(&path, actual);
        assert!(written.is_ok(), "cannot write {}: {written:?}", path.display());
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let exp_cases: Vec<&str> = expected.split("---------- Input ----------").collect();
        let act_cases: Vec<&str> = actual.split("---------- Input ----------").collect();
        let first_diff = exp_cases
            .iter()
            .zip(&act_cases)
            .position(|(e, a)| e != a)
            .unwrap_or(exp_cases.len().min(act_cases.len()));
        let show = |cases: &[&str]| cases.get(first_diff).copied().unwrap_or("<missing>").to_string();
        assert_eq!(
            show(&act_cases),
            show(&exp_cases),
            "{} differs (case {first_diff}); run with UPDATE_GOLDEN=1 to accept",
            path.display()
        );
        assert_eq!(actual, expected, "{} differs", path.display());
    }
}
