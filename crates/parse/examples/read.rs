//! The reader alone, with the CLI's interface for scoring (`read parse --format json FILE`):
//! `../shared/tools/score-classes DIR target/debug/examples/read` measures the reader without
//! linking the whole `nianbao` binary.
fn main() {
    let Some(path) = std::env::args().last() else { std::process::exit(2) };
    match nianbao_parse::parse_file(std::path::Path::new(&path)) {
        Ok(doc) => {
            for r in &doc.reports {
                for w in &r.warnings {
                    eprintln!("警告：{}", w.message);
                }
            }
            println!("{}", serde_json::to_string_pretty(&nianbao_parse::to_json(&doc)).unwrap_or_default());
        }
        Err(e) => {
            eprintln!("错误：{e}");
            std::process::exit(2);
        }
    }
}
