//! The README's walkthrough, run as written: every code block preceded by `<!-- walkthrough -->`
//! is run line by line, in order, with the built binaries first on the `PATH`, in a fresh
//! directory holding a copy of `tests/fixtures`. A line exits 0 unless its comment says
//! `exits N`. So the README cannot promise a command that does not work.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (command, expected exit status) of every walkthrough line, in order.
fn walkthrough(readme: &str) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "<!-- walkthrough -->" {
            continue;
        }
        let fence = lines.next().unwrap_or_default();
        assert!(fence.starts_with("```"), "a walkthrough marker must be followed by a code block, found {fence:?}");
        for cmd in lines.by_ref() {
            if cmd.starts_with("```") {
                break;
            }
            let cmd = cmd.trim();
            if cmd.is_empty() || cmd.starts_with('#') {
                continue;
            }
            let comment = cmd.split_once(" # ").map(|(_, c)| c).unwrap_or("");
            let expected = comment.split_once("exits ").and_then(|(_, n)| n.chars().next()).and_then(|c| c.to_digit(10)).map(|d| d as i32).unwrap_or(0);
            out.push((cmd.to_string(), expected));
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn the_readme_walkthrough_works_as_written() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let steps = walkthrough(&readme);
    let all: String = steps.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join("\n");
    // The walkthrough covers the whole path a new user takes.
    for needed in ["nianbao check", "nianbao rules A", "nianbao ingest", "nianbao agency import", "nianbao compare", "nianbao rollup", "nianbao export", "nianbao user add", "nianbao template", "nianbao render"] {
        assert!(all.contains(needed), "the walkthrough lost `{needed}`:\n{all}");
    }
    assert!(!all.contains("cargo ") && !all.contains("nianbao serve"), "install, cargo and serve are not walkthrough steps");

    let dir = std::env::temp_dir().join(format!("nianbao-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["seeds", "sample"] {
        copy_dir(&repo().join("tests/fixtures").join(sub), &dir.join("tests/fixtures").join(sub));
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_nianbao")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
    for (cmd, expected) in &steps {
        let out = Command::new("sh").arg("-c").arg(cmd).current_dir(&dir).env("PATH", &path).env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE").output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        assert_eq!(
            code,
            *expected,
            "README step `{cmd}` exited {code}, the README says {expected}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What the steps say they make is there.
    for made in ["nianbao.db", "2023.xlsx", "2023.csv", "all.parquet", "form.xlsx", "草稿.docx", "报告.docx", "corpus/agencies.csv"] {
        assert!(dir.join(made).exists(), "{made} was not written");
    }
    assert!(!dir.join("misspelt.db").exists() && !dir.join("none.csv").exists(), "a refused command wrote nothing");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn walkthrough_lines_and_exit_statuses_are_read() {
    let md = "text\n<!-- walkthrough -->\n```sh\nnianbao a   # exits 1: errors\n# a comment\n\nnianbao b\n```\n```sh\nnianbao c\n```\n";
    assert_eq!(walkthrough(md), vec![("nianbao a   # exits 1: errors".to_string(), 1), ("nianbao b".to_string(), 0)]);
}
