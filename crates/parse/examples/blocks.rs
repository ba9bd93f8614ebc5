//! Prints the blocks the reader sees for a file, after segmentation: one line each, rows with
//! their cells between `|`. For debugging a rendering the reader gets wrong:
//! `cargo run -p nianbao-parse --example blocks -- FILE`.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("用法：blocks 文件");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("错误：{path}：{e}");
            std::process::exit(2);
        }
    };
    match nianbao_parse::extract(&path, &bytes) {
        Ok(x) => {
            for (i, b) in nianbao_parse::segment::resegment(x.blocks).iter().enumerate() {
                let kind = if b.is_row() { if b.positional { "P" } else { "R" } } else { " " };
                let text = if b.is_row() { (0..b.cells.len()).map(|k| b.cell_text(k)).collect::<Vec<_>>().join(" | ") } else { b.text().to_string() };
                println!("{i:5} {kind} {text}");
            }
        }
        Err(e) => {
            eprintln!("错误：{e}");
            std::process::exit(2);
        }
    }
}
