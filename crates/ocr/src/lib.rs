//! Offline OCR of page images with Debian's Tesseract (`tesseract-ocr`, `tesseract-ocr-chi-sim`),
//! an optional system tool like LibreOffice: used when installed, and a clear Chinese error naming
//! the packages when a document needs it and it is missing.
//!
//! A page image (PNG, JPEG, TIFF, or a PDF page rendered at 300 dpi by `pdftoppm` from
//! poppler-utils) is turned upright (Tesseract's orientation detection), straightened (the skew of
//! its text lines, [`pixels::skew_angle`], or its table's rows where the two disagree, after a
//! photograph's perspective is undone, [`perspective`]), its ruling lines are found as long dark
//! runs (pieces of one faint line joined) and erased,
//! and Tesseract reads what is left into word boxes with confidences ([`tsv::words`]). The caller
//! (`nianbao-parse`) feeds words and lines to the same table reconstruction PDF glyphs go through.
//!
//! Every run of a tool is bounded: its input size, its time (it is killed with its whole process
//! group when over), and the size of its answer.

pub mod digits;
pub mod frames;
pub mod perspective;
pub mod pixels;
pub mod seal;
pub mod tsv;

pub use image;
pub use pixels::Line;
pub use tsv::Word;

use image::GrayImage;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("本机未安装文字识别工具 {tool}；请安装 Debian 软件包 {package}（apt-get install {package}）")]
    Missing { tool: &'static str, package: &'static str },
    #[error("{tool} 运行超过 {secs} 秒上限，已终止")]
    Timeout { tool: &'static str, secs: u64 },
    #[error("{tool} 运行失败：{reason}")]
    Failed { tool: &'static str, reason: String },
    #[error("图片无法读取：{0}")]
    Image(String),
    #[error("{0}")]
    Limit(String),
}

/// Bounds of one OCR job.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time for each run of a tool (and for all pages of a PDF together).
    pub timeout: Duration,
    /// Largest image, in pixels (width × height).
    pub max_pixels: u64,
    /// Most pages of a PDF rendered.
    pub max_pages: usize,
    /// Resolution PDF pages are rendered at.
    pub dpi: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options { timeout: Duration::from_secs(120), max_pixels: 60_000_000, max_pages: 60, dpi: 300 }
    }
}

/// One page read: words and ruling lines in pixels of the corrected image.
#[derive(Debug, Clone)]
pub struct OcrPage {
    pub width: u32,
    pub height: u32,
    /// Pixels per inch: known for rendered PDF pages, estimated from the text for images.
    pub dpi: f64,
    /// Clockwise turn applied to make the page upright (0, 90, 180, 270).
    pub rotated: u32,
    /// Degrees the page was turned to straighten its lines.
    pub deskewed: f64,
    /// A photograph's perspective undone after the quarter turn and before the deskew.
    pub warp: Option<perspective::Homography>,
    pub words: Vec<Word>,
    pub lines: Vec<Line>,
}

/// Languages Tesseract reads with: simplified Chinese and English (for digits and Latin words).
const LANGUAGES: &str = "chi_sim+eng";

/// Whether Tesseract with the simplified Chinese model is installed (asked once per process).
pub fn available() -> Result<(), OcrError> {
    static FOUND: OnceLock<Result<(), (&'static str, &'static str)>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let out = Command::new("tesseract").arg("--list-langs").stdin(Stdio::null()).stderr(Stdio::null()).output();
        match out {
            Err(_) => Err(("tesseract", "tesseract-ocr tesseract-ocr-chi-sim")),
            Ok(o) if !String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == "chi_sim") => Err(("tesseract 的简体中文模型 chi_sim", "tesseract-ocr-chi-sim")),
            Ok(_) => Ok(()),
        }
    });
    found.map_err(|(tool, package)| OcrError::Missing { tool, package })
}

/// Whether `pdftoppm` (poppler-utils) is installed.
pub fn pdftoppm_available() -> Result<(), OcrError> {
    static FOUND: OnceLock<bool> = OnceLock::new();
    let ok = *FOUND.get_or_init(|| Command::new("pdftoppm").arg("-v").stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok());
    if ok {
        Ok(())
    } else {
        Err(OcrError::Missing { tool: "pdftoppm", package: "poppler-utils" })
    }
}

/// Ends a run of an external tool started as the leader of its own process group
/// (`process_group(0)`): kills the whole group (a tool's own children too, which a kill of the
/// direct child would leave running) and reaps the child, so neither a grandchild nor a zombie
/// is left. Also used by `nianbao-parse` for LibreOffice's conversions.
pub fn end_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The child leads its own group, so its pid is the group's id.
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: kill(2) with a negative pid signals that process group only; no memory is touched.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Largest answer read from a tool.
const MAX_ANSWER: u64 = 64 << 20;

/// Runs `tool` with `args`, `input` on its standard input, within `timeout`; its standard output.
/// The tool runs in its own process group, killed with it on timeout; answers are capped.
pub fn run(tool: &'static str, args: &[&std::ffi::OsStr], input: Option<&[u8]>, timeout: Duration) -> Result<Vec<u8>, OcrError> {
    let mut command = Command::new(tool);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    // One core per page: the caller decides how many pages run at once.
    command.env("OMP_THREAD_LIMIT", "1");
    let mut child = command
        .args(args)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| if e.kind() == std::io::ErrorKind::NotFound { OcrError::Missing { tool, package: if tool == "pdftoppm" { "poppler-utils" } else { "tesseract-ocr" } } } else { OcrError::Failed { tool, reason: e.to_string() } })?;
    let stdin = child.stdin.take();
    let data = input.map(|d| d.to_vec());
    let writer = std::thread::spawn(move || {
        if let (Some(mut s), Some(d)) = (stdin, data) {
            let _ = s.write_all(&d);
        }
    });
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.take(MAX_ANSWER).read_to_end(&mut out);
        }
        out
    });
    let mut stderr = child.stderr.take();
    let errors = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.take(1 << 16).read_to_end(&mut out);
        }
        out
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < timeout => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                end_group(&mut child);
                let _ = writer.join();
                return Err(OcrError::Timeout { tool, secs: timeout.as_secs() });
            }
        }
    };
    // Helpers it left behind go with the group.
    end_group(&mut child);
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = errors.join().unwrap_or_default();
    if !status.success() {
        let reason = String::from_utf8_lossy(&err).lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("退出状态非零").chars().take(200).collect();
        return Err(OcrError::Failed { tool, reason });
    }
    Ok(out)
}

/// A grayscale image as binary PGM, which Tesseract (Leptonica) reads from standard input.
fn pgm(img: &GrayImage) -> Vec<u8> {
    let mut out = format!("P5\n{} {}\n255\n", img.width(), img.height()).into_bytes();
    out.extend_from_slice(img.as_raw());
    out
}

/// Decodes an image file (PNG, JPEG, TIFF) into gray levels, bounded in size. Coloured ink (a red
/// or blue seal over the table) is dropped: each pixel takes its lightest channel, so only ink
/// that is dark in every channel — print — stays dark.
pub fn decode(bytes: &[u8], opts: &Options) -> Result<GrayImage, OcrError> {
    Ok(lightest(&decode_image(bytes, opts)?))
}

/// Decodes an image file, bounded in size, as it is (colour kept).
pub fn decode_image(bytes: &[u8], opts: &Options) -> Result<image::DynamicImage, OcrError> {
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().map_err(|e| OcrError::Image(e.to_string()))?;
    let mut limits = image::Limits::default();
    let side = (opts.max_pixels as f64).sqrt() as u32 * 4;
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    limits.max_alloc = Some(opts.max_pixels * 4 + (16 << 20));
    let mut reader = reader;
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => OcrError::Limit(format!("图片超过 {} 万像素上限", opts.max_pixels / 10_000)),
        other => OcrError::Image(other.to_string()),
    })?;
    if img.width() as u64 * img.height() as u64 > opts.max_pixels {
        return Err(OcrError::Limit(format!("图片超过 {} 万像素上限", opts.max_pixels / 10_000)));
    }
    Ok(img)
}

/// Gray levels, each pixel its lightest channel: print stays dark, coloured ink turns light.
pub fn lightest(img: &image::DynamicImage) -> GrayImage {
    if img.color().has_color() {
        let rgb = img.to_rgb8();
        let mut out = GrayImage::new(rgb.width(), rgb.height());
        for (o, p) in out.pixels_mut().zip(rgb.pixels()) {
            o.0[0] = p.0[0].max(p.0[1]).max(p.0[2]);
        }
        out
    } else {
        img.to_luma8()
    }
}

/// Reads one page image. `dpi`: its resolution when known (a rendered PDF page); else it is
/// estimated from the height of the Chinese characters read.
/// Numbers with a seal's ink around them keep at most [`seal::UNDER_SEAL`] confidence.
pub fn read_image(bytes: &[u8], dpi: Option<f64>, opts: &Options) -> Result<OcrPage, OcrError> {
    available()?;
    let img = decode_image(bytes, opts)?;
    let seal = seal::mask(&img);
    let mut page = read_gray(lightest(&img), dpi, opts)?;
    if let Some(mask) = seal {
        seal::doubt_under(&mut page, &mask);
    }
    Ok(page)
}

/// Reads every page of an image file: each page of a multi-page TIFF (a scanner's or fax
/// server's whole report, [`frames`]), several at once (one Tesseract per core); one page for
/// any other image. All pages together get `opts.timeout`.
pub fn read_pages(bytes: &[u8], opts: &Options) -> Result<Vec<OcrPage>, OcrError> {
    let pages = if frames::is_tiff(bytes) { frames::count(bytes, opts)? } else { 1 };
    if pages == 1 {
        return Ok(vec![read_image(bytes, None, opts)?]);
    }
    available()?;
    let started = Instant::now();
    let read = each_page(pages, |i| match opts.timeout.checked_sub(started.elapsed()) {
        Some(left) if !left.is_zero() => {
            let o = Options { timeout: left, ..opts.clone() };
            frames::page(bytes, i, &o).and_then(|gray| read_gray(gray, None, &o))
        }
        _ => Err(OcrError::Timeout { tool: "tesseract", secs: opts.timeout.as_secs() }),
    })?;
    if read.len() < pages {
        return Err(OcrError::Timeout { tool: "tesseract", secs: opts.timeout.as_secs() });
    }
    Ok(read)
}

/// `read(i)` for every page `i` in `0..pages`, one worker per core (Tesseract is held to one
/// thread), the pages in order. A worker stops at its first error, which is returned; pages left
/// unread by a stopped worker are missing from the answer, which the caller checks.
pub fn each_page<T: Send, E: Send>(pages: usize, read: impl Fn(usize) -> Result<T, E> + Sync) -> Result<Vec<T>, E> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(pages).max(1);
    let mut done: Vec<(usize, Result<T, E>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= pages {
                            break;
                        }
                        let page = read(i);
                        let failed = page.is_err();
                        out.push((i, page));
                        if failed {
                            break;
                        }
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, p)| p).collect()
}

/// Tesseract's orientation detection wants this much text at least; smaller images stay as they are.
const OSD_MIN_SIDE: u32 = 300;

/// A page image as it is read: lighting evened out, upright, straightened.
pub struct Straightened {
    pub gray: GrayImage,
    /// The clockwise quarter turn (0, 90, 180, 270) Tesseract's orientation detection asked for.
    pub rotated: u32,
    /// The angle the page was then turned by (degrees, as given to `pixels::rotate`); 0 below a
    /// quarter of a degree, where a ruling line still runs for hundreds of pixels in one pixel row
    /// and turning the page would only blur thin lines.
    pub skew: f64,
    /// The Otsu ink threshold of the upright page, before straightening.
    pub ink: u8,
}

/// The commonest paper level below which a page is a photograph rather than a scan.
const PHOTO_PAPER: u8 = 235;

/// Degrees by which the table's rows must disagree with the text's lines to straighten the page by
/// the rows (closer, the profile's angle straightens both).
const TABLE_TILT_WINS: f64 = 0.5;

/// Prepares a page image for reading. The crop of a cell on the workbench retraces these steps
/// to find the cell again, so they live in one place.
pub fn straighten(gray: GrayImage, timeout: Duration) -> Straightened {
    straighten_warped(gray, timeout).0
}

/// [`straighten`], and the perspective it undid before the skew (see [`perspective`]): the
/// homography from the corrected page to the upright page, in coordinates normalized to the image
/// (both the same size); `None` for a page whose lines were parallel and square (a scan).
pub fn straighten_warped(gray: GrayImage, timeout: Duration) -> (Straightened, Option<perspective::Homography>) {
    // A photograph's paper is grey or coloured (room light); its faint ink is darkened. A scan's
    // paper is white and its page is read as scanned.
    let photographed = pixels::paper(&gray, pixels::otsu(&gray)) < PHOTO_PAPER;
    let flat = pixels::flatten(&gray);
    let gray = if photographed { pixels::stretch(&flat) } else { flat };
    let rotated = orientation(&gray, timeout);
    let gray = turn(&gray, rotated);
    let ink = pixels::otsu(&gray);
    let (warp, rows_tilt) = perspective::correction_and_tilt(&gray, ink);
    let gray = match &warp {
        Some(h) => perspective::warp(&gray, h),
        None => gray,
    };
    let mut skew = pixels::skew_angle(&gray, ink, 4.0);
    // The sharpest profile is the text's. On a photograph the text and the table stand at angles
    // a degree apart, and a table a degree askew has no line straight enough to be found: its
    // rows' own tilt then wins.
    if let Some(tilt) = rows_tilt.filter(|t| (t - skew).abs() > TABLE_TILT_WINS && t.abs() <= perspective::MAX_TILT) {
        skew = tilt;
    }
    let page = if skew.abs() >= 0.25 { Straightened { gray: pixels::rotate(&gray, skew), rotated, skew, ink } } else { Straightened { gray, rotated, skew: 0.0, ink } };
    (page, warp)
}

/// The clockwise quarter turn that makes a page (lighting evened out) upright, by Tesseract's
/// orientation detection on a half-size copy (it copes with a small skew); 0 for a small page or
/// when too little text decides it — that is not an error.
pub fn orientation(flat: &GrayImage, timeout: Duration) -> u32 {
    if flat.width().min(flat.height()) < OSD_MIN_SIDE {
        return 0;
    }
    let small = if flat.width() > 2000 { image::imageops::resize(flat, flat.width() / 2, flat.height() / 2, image::imageops::FilterType::Triangle) } else { flat.clone() };
    let args: Vec<&std::ffi::OsStr> = ["stdin", "stdout", "--psm", "0", "-l", "osd"].iter().map(std::ffi::OsStr::new).collect();
    match run("tesseract", &args, Some(&pgm(&small)), timeout) {
        Ok(answer) => tsv::osd_rotation(&String::from_utf8_lossy(&answer), 1.5),
        Err(_) => 0,
    }
}

/// `img` turned clockwise by a quarter turn `rotated` (0, 90, 180, 270).
pub fn turn(img: &GrayImage, rotated: u32) -> GrayImage {
    match rotated {
        90 => image::imageops::rotate90(img),
        180 => image::imageops::rotate180(img),
        270 => image::imageops::rotate270(img),
        _ => img.clone(),
    }
}

/// [`read_image`] on decoded gray levels.
pub fn read_gray(gray: GrayImage, dpi: Option<f64>, opts: &Options) -> Result<OcrPage, OcrError> {
    available()?;
    if gray.width() < 8 || gray.height() < 8 {
        return Err(OcrError::Image(format!("图片太小（{}×{} 像素）", gray.width(), gray.height())));
    }
    let (Straightened { gray, rotated, skew: deskewed, ink }, warp) = straighten_warped(gray, opts.timeout);
    let (w, h) = (gray.width(), gray.height());
    // A ruling line is longer than any stroke of a character and thinner than a filled block.
    let scale = dpi.unwrap_or(w.max(h) as f64 / 11.7).clamp(50.0, 1200.0);
    let min_len = ((scale * 0.4) as u32).max(24);
    let max_width = ((scale * 0.035) as u32).max(3);
    let lines = pixels::ruling_lines(&gray, pixels::line_threshold(&gray, ink), ink, min_len, max_width);
    let mut clean = gray;
    pixels::erase(&mut clean, &lines);
    // Every dark run is erased, but only lines of a table are handed on as rules.
    let lines = pixels::in_tables(&lines, scale);
    let args: Vec<&std::ffi::OsStr> = ["stdin", "stdout", "-l", LANGUAGES, "--psm", "6", "-c", "tessedit_create_tsv=1"].iter().map(std::ffi::OsStr::new).collect();
    let answer = run("tesseract", &args, Some(&pgm(&clean)), opts.timeout)?;
    let mut words = digits::degrees_as_zeros(digits::without_specks(digits::split_at_lines(tsv::without_shadows(tsv::words(&String::from_utf8_lossy(&answer))), &lines)));
    // A second, independent reading of every doubtful number: its crops alone, digits only.
    let picks = digits::doubtful(&words);
    let cells = digits::cells_to_reread(&words, &lines, &picks, &|b| pixels_solid_ink(&clean, b, ink));
    if !picks.is_empty() || !cells.is_empty() {
        let mut boxes: Vec<[u32; 4]> = picks.iter().map(|&i| digits::crop_box(&words[i], w, h)).collect();
        boxes.extend(cells.iter().map(|c| c.bbox).map(|b| [b[0].min(w), b[1].min(h), b[2].min(w).max(b[0].min(w) + 1), b[3].min(h).max(b[1].min(h) + 1)]));
        let (sheet, offsets) = digits::sheet(&clean, &boxes);
        // Two readings of the sheet, digits only, by the English and the Chinese model: each
        // misreads lone digits of some fonts, on different crops (`digits::reconcile`).
        let read_sheet = |language: &str| -> Result<Vec<Word>, OcrError> {
            let flags = ["stdin", "stdout", "-l", language, "--psm", "6", "-c", "tessedit_char_whitelist=0123456789.", "-c", "tessedit_create_tsv=1"];
            let args: Vec<&std::ffi::OsStr> = flags.iter().map(std::ffi::OsStr::new).collect();
            let answer = run("tesseract", &args, Some(&pgm(&sheet)), opts.timeout)?;
            Ok(tsv::words(&String::from_utf8_lossy(&answer)))
        };
        // The first reading stands when the second cannot be had.
        if let (Ok(english), Ok(chinese)) = (read_sheet("eng"), read_sheet("chi_sim")) {
            let firsts: Vec<Option<String>> = picks.iter().map(|&i| digits::as_number(&words[i].text)).collect();
            let again = digits::reconcile(english, chinese, &boxes, &offsets, &firsts);
            let mut added = digits::found_in_empty(&again, &boxes, &offsets, picks.len(), (0, 0, 0));
            added.retain(|(_, w)| !(w.conf < digits::GUESS && !digits::one_digit_per_cell(w, &lines)));
            // A number read in a cell replaces the scraps the first reading made of it.
            for (k, found) in &mut added {
                for &i in &cells[*k - picks.len()].words {
                    // The clean number beside the scraps, read alike: the two readings agree.
                    if words[i].text == found.text {
                        found.conf = found.conf.max(words[i].conf);
                    }
                    words[i].text.clear();
                }
            }
            words = digits::merge(words, &picks, &boxes[..picks.len()], &offsets[..picks.len()], &again, &lines);
            words.retain(|w| !w.text.is_empty());
            words.extend(added.into_iter().map(|(_, w)| w));
        }
    }
    let dpi = dpi.unwrap_or_else(|| estimate_dpi(&words));
    Ok(OcrPage { width: w, height: h, dpi, rotated, deskewed, warp, words, lines })
}

/// Pixels of solid ink in a box of the image: darker than `ink` with at least four of their eight
/// neighbours dark too (strokes, not the specks of a noisy scan).
fn pixels_solid_ink(img: &GrayImage, b: [u32; 4], ink: u8) -> usize {
    let (x1, y1) = (b[2].min(img.width().saturating_sub(1)), b[3].min(img.height().saturating_sub(1)));
    let dark = |x: u32, y: u32| img.get_pixel(x, y).0[0] < ink;
    let mut n = 0;
    for y in b[1].max(1)..y1 {
        for x in b[0].max(1)..x1 {
            if dark(x, y) {
                let around = [(-1i32, -1i32), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)].iter().filter(|(dx, dy)| dark((x as i32 + dx) as u32, (y as i32 + dy) as u32)).count();
                if around >= 4 {
                    n += 1;
                }
            }
        }
    }
    n
}

/// The resolution that makes the median Chinese character 11 points high (body text of reports
/// is 10.5–12 pt); 300 when there is no Chinese text to measure.
pub fn estimate_dpi(words: &[Word]) -> f64 {
    let mut heights: Vec<f64> = words
        .iter()
        .filter(|w| w.conf >= 60.0 && w.text.chars().all(|c| c >= '\u{4e00}' && c <= '\u{9fff}'))
        .map(|w| w.bottom - w.top)
        .collect();
    if heights.len() < 5 {
        return 300.0;
    }
    heights.sort_by(f64::total_cmp);
    (heights[heights.len() / 2] / 11.0 * 72.0).clamp(50.0, 1200.0)
}

/// Renders the pages of a PDF to PNG at `opts.dpi` with `pdftoppm`, at most
/// `opts.max_pages` pages, in a private temporary folder removed afterwards.
pub fn render_pdf(bytes: &[u8], opts: &Options) -> Result<Vec<Vec<u8>>, OcrError> {
    pdftoppm_available()?;
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!("nianbao-ocr-{}-{}", std::process::id(), SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    let io = |e: std::io::Error| OcrError::Failed { tool: "pdftoppm", reason: format!("临时目录：{e}") };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let result = (|| {
        let input = dir.join("in.pdf");
        std::fs::write(&input, bytes).map_err(io)?;
        let (dpi, last) = (opts.dpi.to_string(), opts.max_pages.to_string());
        let prefix = dir.join("p");
        // In colour: a red seal over the table is dropped by `decode`, not turned into grey ink.
        let args: Vec<&std::ffi::OsStr> = vec!["-r".as_ref(), dpi.as_ref(), "-png".as_ref(), "-l".as_ref(), last.as_ref(), input.as_os_str(), prefix.as_os_str()];
        run("pdftoppm", &args, None, opts.timeout)?;
        let mut pages: Vec<(u32, std::path::PathBuf)> = std::fs::read_dir(&dir)
            .map_err(io)?
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                let n = name.strip_prefix("p-")?.strip_suffix(".png")?.parse::<u32>().ok()?;
                Some((n, e.path()))
            })
            .collect();
        pages.sort();
        pages.into_iter().map(|(_, p)| std::fs::read(p).map_err(io)).collect()
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resolution_is_estimated_from_the_characters() {
        let w = |h: f64| Word { x0: 0.0, top: 0.0, x1: h, bottom: h, conf: 90.0, text: "公开".into(), line: (1, 1, 1) };
        let words: Vec<Word> = (0..9).map(|_| w(45.8)).collect();
        assert!((estimate_dpi(&words) - 300.0).abs() < 1.0);
        assert_eq!(estimate_dpi(&[]), 300.0);
    }

    #[test]
    fn an_image_bigger_than_the_limit_is_refused_before_decoding() {
        let mut png = Vec::new();
        let img = GrayImage::from_pixel(400, 400, image::Luma([255]));
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        let small = Options { max_pixels: 10_000, ..Options::default() };
        assert!(matches!(decode(&png, &small), Err(OcrError::Limit(_))));
        assert!(decode(&png, &Options::default()).is_ok());
        assert!(matches!(decode(b"not an image", &Options::default()), Err(OcrError::Image(_))));
    }
}
