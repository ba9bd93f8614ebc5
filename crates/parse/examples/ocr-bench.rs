//! The OCR benchmark: pages/s of OCR on one core against baselines measured in the same run, and
//! the share of OCR'd numbers the tables' arithmetic confirms.
//! `cargo run --release -p nianbao-parse --example ocr-bench -- [DIR]` (default tests/fixtures/ocr).
//!
//! * baseline 1: rendering the same PDF pages at 300 dpi with pdftoppm (what a scan costs before
//!   any recognition);
//! * baseline 2: the OCR stage on a blank 300 dpi A4 page (the fixed cost of starting Tesseract
//!   twice, orientation and recognition, and of the pixel passes);
//! * OCR: every page image of the folder through `nianbao_ocr::read_image`, one page at a time
//!   (Tesseract is held to one thread), so the rate is per core;
//! * then every document through the whole reader, counting what the trust rule did.
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/ocr").to_string());
    if let Err(e) = nianbao_ocr::available() {
        eprintln!("错误：{e}");
        std::process::exit(2);
    }
    let opts = nianbao_ocr::Options::default();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    let docs: Vec<&std::path::PathBuf> = files.iter().filter(|p| !p.to_string_lossy().ends_with(".json")).collect();
    // Baseline 1 and the page images.
    let mut pages: Vec<(Vec<u8>, Option<f64>)> = Vec::new();
    let (mut rendered, started) = (0usize, Instant::now());
    for f in &docs {
        let bytes = std::fs::read(f).unwrap_or_default();
        if bytes.starts_with(b"%PDF") {
            match nianbao_ocr::render_pdf(&bytes, &opts) {
                Ok(imgs) => {
                    rendered += imgs.len();
                    pages.extend(imgs.into_iter().map(|i| (i, Some(opts.dpi as f64))));
                }
                Err(e) => eprintln!("{}：{e}", f.display()),
            }
        }
    }
    let render_rate = rendered as f64 / started.elapsed().as_secs_f64();
    for f in &docs {
        let bytes = std::fs::read(f).unwrap_or_default();
        if !bytes.starts_with(b"%PDF") {
            pages.push((bytes, None));
        }
    }
    // Baseline 2.
    let blank = nianbao_ocr::image::GrayImage::from_pixel(2480, 3508, nianbao_ocr::image::Luma([255]));
    let started = Instant::now();
    let rounds = 3;
    for _ in 0..rounds {
        let _ = nianbao_ocr::read_gray(blank.clone(), Some(300.0), &opts);
    }
    let blank_rate = rounds as f64 / started.elapsed().as_secs_f64();
    // OCR, one page at a time.
    let started = Instant::now();
    let mut words = 0;
    for (img, dpi) in &pages {
        match nianbao_ocr::read_image(img, *dpi, &opts) {
            Ok(p) => words += p.words.len(),
            Err(e) => eprintln!("{e}"),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let ocr_rate = pages.len() as f64 / secs;
    println!("OCR：{} 页，{words} 个词，{secs:.1} 秒，{ocr_rate:.3} 页/秒（单核）", pages.len());
    println!("基线 pdftoppm 300 dpi 渲染：{render_rate:.2} 页/秒（OCR 为其 {:.3} 倍）", ocr_rate / render_rate);
    println!("基线 空白页 OCR：{blank_rate:.2} 页/秒（OCR 为其 {:.3} 倍）", ocr_rate / blank_rate);
    // The trust rule over whole documents.
    let mut total = nianbao_parse::trust::Audit::default();
    for f in &docs {
        if let Ok(doc) = nianbao_parse::parse_file(f) {
            for r in &doc.reports {
                let a = nianbao_parse::trust::audit(r);
                total.read += a.read;
                total.confirmed += a.confirmed;
                total.by_confidence += a.by_confidence;
                total.nulled += a.nulled;
                total.solved += a.solved;
            }
        }
    }
    let share = |n: usize| 100.0 * n as f64 / total.read.max(1) as f64;
    println!(
        "OCR 读出的数：{}；勾稽关系印证 {}（{:.1}%），仅凭置信度保留 {}（{:.1}%），未读出或读错而由勾稽关系推算并核验 {}（{:.1}%），置空 {}（{:.1}%）",
        total.read,
        total.confirmed,
        share(total.confirmed),
        total.by_confidence,
        share(total.by_confidence),
        total.solved,
        share(total.solved),
        total.nulled,
        share(total.nulled)
    );
}
