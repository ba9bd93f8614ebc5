//! A page image as the OCR reads it, before its lines are erased: `straighten IMAGE OUT.png`
//! writes the page evened out, upright, its perspective undone and straightened, and prints the
//! turn, the perspective correction and the skew (for looking at photographs); `--erased` after
//! the output erases the ruling lines as the reader does before Tesseract reads the page.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        eprintln!("用法：straighten 图片 输出.png [--erased]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(input).unwrap_or_default();
    let gray = match nianbao_ocr::decode(&bytes, &nianbao_ocr::Options::default()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("错误：{e}");
            std::process::exit(2);
        }
    };
    let (page, warp) = nianbao_ocr::straighten_warped(gray, std::time::Duration::from_secs(60));
    println!("rotated {} skew {:.2} warp {:?}", page.rotated, page.skew, warp);
    // As Tesseract sees it: the ruling lines found as `read_gray` finds them, erased.
    let scale = page.gray.width().max(page.gray.height()) as f64 / 11.7;
    let lines = nianbao_ocr::pixels::ruling_lines(&page.gray, nianbao_ocr::pixels::line_threshold(&page.gray, page.ink), page.ink, ((scale * 0.4) as u32).max(24), ((scale * 0.035) as u32).max(3));
    let mut clean = page.gray;
    if args.get(3).is_some_and(|a| a == "--erased") {
        nianbao_ocr::pixels::erase(&mut clean, &lines);
    }
    if let Err(e) = clean.save(output) {
        eprintln!("错误：{e}");
        std::process::exit(2);
    }
}
