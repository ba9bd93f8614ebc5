//! One page image through the OCR stage, printed: `ocr-page IMAGE [DPI]` (for looking at what
//! Tesseract and the line finder see).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("用法：ocr-page 图片 [dpi]");
        std::process::exit(2);
    };
    let dpi = args.get(2).and_then(|d| d.parse().ok());
    let bytes = std::fs::read(path).unwrap_or_default();
    match nianbao_ocr::read_image(&bytes, dpi, &nianbao_ocr::Options::default()) {
        Ok(p) => {
            println!("{}x{} dpi {:.0} rotated {} deskewed {:.2}", p.width, p.height, p.dpi, p.rotated, p.deskewed);
            for l in &p.lines {
                println!("line {} pos {:.1} {:.0}..{:.0} w {:.0}", if l.horizontal { "H" } else { "V" }, l.pos, l.from, l.to, l.width);
            }
            for w in &p.words {
                println!("word {:?} {:.0} {:.0} {:.0} {:.0} conf {:.0}", w.text, w.x0, w.top, w.x1, w.bottom, w.conf);
            }
        }
        Err(e) => {
            eprintln!("错误：{e}");
            std::process::exit(2);
        }
    }
}
