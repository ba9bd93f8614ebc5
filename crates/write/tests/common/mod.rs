//! What the write crate's tests share.

use serde_json::Value;
use std::path::PathBuf;

/// Every report of the seed fixtures' `.expected.json` files, in file order, named `file#index`.
pub fn seeds() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(".expected.json")).collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let v: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        for (i, r) in v.as_array().unwrap().iter().enumerate() {
            out.push((format!("{}#{}", f.file_name().unwrap().to_string_lossy(), i), r.clone()));
        }
    }
    out
}
