//! What the workbench's integration tests share: the seed reports, the router helpers of the
//! tower tests (`http`) and the chromedriver/Chromium harness of the browser tests (`browser`).
//! Each test binary uses only part of it.
#![allow(dead_code)]

pub mod browser;
pub mod http;

use nianbao_store::Store;
use std::path::{Path, PathBuf};

pub fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds")
}

/// Files the seed reports into `store` from a copy in `dir/files` (so a test may change them)
/// and puts 东阿县人民政府办公室 under 东阿县人民政府 in the agency tree.
pub async fn seed_store(store: &Store, dir: &Path) {
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    for e in std::fs::read_dir(seeds()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            std::fs::copy(&p, files.join(p.file_name().unwrap())).unwrap();
        }
    }
    store.ingest(std::slice::from_ref(&files), false).await.unwrap();
    let tree = dir.join("tree.csv");
    std::fs::write(&tree, "name,parent\n东阿县人民政府办公室,东阿县人民政府\n").unwrap();
    store.import_tree(&tree).await.unwrap();
}
