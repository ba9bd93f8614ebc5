//! The crop of a stored file's page image around a cell read by OCR (issue 15): what a reviewer
//! compares the reading with before typing the right value. A cell's span carries its page and
//! box in points of the page as OCR saw it, that is after the page was straightened; the crop is
//! taken from the page as published, so the box is turned back by the page's turn and skew,
//! found again the way the OCR found them (Tesseract's orientation detection when Tesseract is
//! installed, and [`nianbao_ocr::straighten_warped`]'s skew, on a small rendering, remembered per page),
//! and the crop is turned upright as the OCR read it. PDFs: `pdftoppm` renders just the region
//! (bounded in time, killed with its process group); image files: the `image` crate decodes and
//! crops (bounded in pixels). Only a path from the database reaches the file system; the request
//! names a cell, never a file.

use image::{Rgb, RgbImage};
use std::path::Path;
use std::time::Duration;
use thiserror::Error;

/// Resolution of the crop.
pub const DPI: f64 = 200.0;
/// Room around the cell's box, in points: its neighbours and labels, for context.
pub const PAD_X: f64 = 60.0;
pub const PAD_Y: f64 = 18.0;
/// Largest side of a crop, in pixels.
pub const MAX_SIDE: u32 = 1600;
/// Time for one run of `pdftoppm` (or of Tesseract's orientation detection).
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// Resolution the page is rendered at to find its turn and skew again (the OCR's orientation
/// detection saw a half-size copy of a 300 dpi rendering).
const SKEW_DPI: f64 = 150.0;

#[derive(Debug, Error)]
pub enum CropError {
    #[error("截取页面图像需要 pdftoppm：请安装 Debian 软件包 poppler-utils（apt-get install poppler-utils）")]
    Missing,
    #[error("截取页面图像超过 {0} 秒上限，已放弃")]
    Timeout(u64),
    #[error("截取页面图像失败：{0}")]
    Failed(String),
}

/// Where a crop is: the page (1-based) and the box in hundredths of a point, as the span holds it.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub page: u32,
    pub bbox: [i32; 4],
}

/// How the OCR turned a page before reading it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Geometry {
    /// The page as published, in points.
    width: f64,
    height: f64,
    /// Clockwise quarter turn that made it upright (0, 90, 180, 270).
    rotated: u32,
    /// Then the angle that straightened it (degrees, as given to `pixels::rotate`).
    skew: f64,
    /// A photograph's perspective undone before the skew (`nianbao_ocr::perspective`).
    warp: Option<nianbao_ocr::perspective::Homography>,
}

static GEOMETRY: std::sync::Mutex<Vec<((String, u32), Geometry)>> = std::sync::Mutex::new(Vec::new());
const GEOMETRY_ENTRIES: usize = 256;

/// Runs pdftoppm on `path` with `args` within [`TIMEOUT`]; the PNG it writes to standard output.
fn pdftoppm(path: &Path, args: &[String]) -> Result<Vec<u8>, CropError> {
    // A relative path that starts with '-' would read as an option.
    let file = if path.is_relative() { Path::new(".").join(path) } else { path.to_path_buf() };
    let mut all: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
    all.push(file.into_os_string());
    let all: Vec<&std::ffi::OsStr> = all.iter().map(|a| a.as_os_str()).collect();
    match nianbao_ocr::run("pdftoppm", &all, None, TIMEOUT) {
        Ok(png) if !png.is_empty() => Ok(png),
        Ok(_) => Err(CropError::Failed("pdftoppm：没有输出图像".into())),
        Err(nianbao_ocr::OcrError::Missing { .. }) => Err(CropError::Missing),
        Err(nianbao_ocr::OcrError::Timeout { secs, .. }) => Err(CropError::Timeout(secs)),
        Err(nianbao_ocr::OcrError::Failed { reason, .. }) => Err(CropError::Failed(format!("pdftoppm：{reason}"))),
        Err(other) => Err(CropError::Failed(other.to_string())),
    }
}

/// How the OCR turned a page image (gray levels, as `nianbao_ocr::decode` gives them) whose
/// size is `width` × `height` points.
fn geometry_of(gray: &image::GrayImage, width: f64, height: f64) -> Geometry {
    let (page, warp) = nianbao_ocr::straighten_warped(gray.clone(), TIMEOUT);
    Geometry { width, height, rotated: page.rotated, skew: page.skew, warp }
}

fn geometry(path: &Path, page: u32) -> Result<Geometry, CropError> {
    let key = (path.display().to_string(), page);
    if let Some(g) = GEOMETRY.lock().ok().and_then(|c| c.iter().find(|(k, _)| *k == key).map(|(_, g)| *g)) {
        return Ok(g);
    }
    let png = pdftoppm(path, &["-f".into(), page.to_string(), "-l".into(), page.to_string(), "-r".into(), SKEW_DPI.to_string(), "-png".into(), "-singlefile".into()])?;
    let gray = nianbao_ocr::decode(&png, &nianbao_ocr::Options::default()).map_err(|e| CropError::Failed(e.to_string()))?;
    let scale = 72.0 / SKEW_DPI;
    let g = geometry_of(&gray, gray.width() as f64 * scale, gray.height() as f64 * scale);
    if let Ok(mut cache) = GEOMETRY.lock() {
        if cache.len() >= GEOMETRY_ENTRIES {
            cache.clear();
        }
        cache.push((key, g));
    }
    Ok(g)
}

/// Where a point of the straightened page was on the page before it was straightened: the
/// inverse of `pixels::rotate(img, deg)`, about the page's centre (`w` × `h`).
fn unturn(x: f64, y: f64, w: f64, h: f64, deg: f64) -> (f64, f64) {
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (dx, dy) = (x - cx, y - cy);
    (dx * c - dy * s + cx, dx * s + dy * c + cy)
}

/// Where a point of the page as the OCR read it (upright and straightened, points) is on the page
/// as published.
fn to_published(x: f64, y: f64, g: &Geometry) -> (f64, f64) {
    let (w, h) = (g.width, g.height);
    let (uw, uh) = if g.rotated % 180 == 90 { (h, w) } else { (w, h) };
    let (x, y) = unturn(x, y, uw, uh, g.skew);
    let (x, y) = match &g.warp {
        Some(h) => {
            let (u, v) = nianbao_ocr::perspective::apply(h, x / uw, y / uh);
            (u * uw, v * uh)
        }
        None => (x, y),
    };
    // The inverse of image's rotate90/180/270 (clockwise quarter turns).
    match g.rotated {
        90 => (y, h - x),
        180 => (w - x, h - y),
        270 => (w - y, x),
        _ => (x, y),
    }
}

/// The bounding box on the published page of a box of the page as the OCR read it.
fn published_box(b: [f64; 4], g: &Geometry) -> [f64; 4] {
    let corners = [(b[0], b[1]), (b[2], b[1]), (b[0], b[3]), (b[2], b[3])].map(|(x, y)| to_published(x, y, g));
    let xs = corners.map(|c| c.0);
    let ys = corners.map(|c| c.1);
    let min = |v: [f64; 4]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: [f64; 4]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    [min(xs), min(ys), max(xs), max(ys)]
}

/// The cell's box and the region to render, in points of the published page: the box padded as
/// the OCR read it (across its lines, along them), turned back, kept on the page.
fn region(place: Place, g: &Geometry) -> ([f64; 4], [f64; 4]) {
    let b = place.bbox.map(|v| v as f64 / 100.0);
    let cell = published_box(b, g);
    let padded = published_box([b[0] - PAD_X, b[1] - PAD_Y, b[2] + PAD_X, b[3] + PAD_Y], g);
    let area = [padded[0].max(0.0), padded[1].max(0.0), padded[2].min(g.width.max(cell[2])), padded[3].min(g.height.max(cell[3]))];
    (cell, area)
}

/// Draws the cell's box (in pixels of the crop) in red, two pixels wide.
fn outline(img: &mut RgbImage, b: [i64; 4]) {
    let red = Rgb([220, 30, 30]);
    let (w, h) = (img.width() as i64, img.height() as i64);
    let mut put = |x: i64, y: i64| {
        if (0..w).contains(&x) && (0..h).contains(&y) {
            img.put_pixel(x as u32, y as u32, red);
        }
    };
    for t in 0..2 {
        for x in b[0] - 2..=b[2] + 2 {
            put(x, b[1] - 2 - t);
            put(x, b[3] + 2 + t);
        }
        for y in b[1] - 2..=b[3] + 2 {
            put(b[0] - 2 - t, y);
            put(b[2] + 2 + t, y);
        }
    }
}

fn png(img: &RgbImage) -> Result<Vec<u8>, CropError> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).map_err(|e| CropError::Failed(e.to_string()))?;
    Ok(out)
}

/// The crop of a PDF page around `place`, as PNG.
pub fn crop_pdf(path: &Path, place: Place, outlined: bool) -> Result<Vec<u8>, CropError> {
    let g = geometry(path, place.page)?;
    let (cell, area) = region(place, &g);
    let k = DPI / 72.0;
    let x = (area[0] * k).floor() as u32;
    let y = (area[1] * k).floor() as u32;
    let width = (((area[2] - area[0]) * k).ceil() as u32).clamp(1, MAX_SIDE);
    let height = (((area[3] - area[1]) * k).ceil() as u32).clamp(1, MAX_SIDE);
    let args: Vec<String> = [
        "-f", &place.page.to_string(), "-l", &place.page.to_string(), "-r", &DPI.to_string(), "-x", &x.to_string(), "-y", &y.to_string(), "-W", &width.to_string(), "-H",
        &height.to_string(), "-png", "-singlefile",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let bytes = pdftoppm(path, &args)?;
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).map_err(|e| CropError::Failed(e.to_string()))?.to_rgb8();
    finish(img, cell, (x, y), k, g.rotated, outlined)
}

/// The crop with the cell outlined when asked, turned upright as the OCR read it, as PNG.
/// `origin`: the crop's top-left corner in pixels of the page at `k` pixels per point.
fn finish(mut img: RgbImage, cell: [f64; 4], origin: (u32, u32), k: f64, rotated: u32, outlined: bool) -> Result<Vec<u8>, CropError> {
    if outlined {
        let px = |v: f64, o: u32| (v * k).round() as i64 - o as i64;
        outline(&mut img, [px(cell[0], origin.0), px(cell[1], origin.1), px(cell[2], origin.0), px(cell[3], origin.1)]);
    }
    let img = match rotated {
        90 => image::imageops::rotate90(&img),
        180 => image::imageops::rotate180(&img),
        270 => image::imageops::rotate270(&img),
        _ => img,
    };
    png(&img)
}

/// Pixels per point of an image the OCR read: the scale under which the boxes of the text it
/// found (in points: pixels × 72 / the resolution OCR estimated, which is not kept) cover the
/// most ink of the straightened image. Searched from 50 to 1200 dpi in steps of 0.5%.
fn image_scale(straight: &image::GrayImage, boxes: &[[i32; 4]]) -> Option<f64> {
    if boxes.is_empty() {
        return None;
    }
    let ink = nianbao_ocr::pixels::otsu(straight);
    let (w, h) = (straight.width() as usize, straight.height() as usize);
    // Summed-area table of ink pixels.
    let mut sum = vec![0u32; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u32;
        for x in 0..w {
            row += u32::from(straight.get_pixel(x as u32, y as u32).0[0] <= ink);
            sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1] + row;
        }
    }
    let area = |x0: usize, y0: usize, x1: usize, y1: usize| -> f64 {
        let at = |x: usize, y: usize| sum[y * (w + 1) + x] as f64;
        at(x1, y1) - at(x0, y1) - at(x1, y0) + at(x0, y0)
    };
    let mut best: Option<(f64, f64)> = None;
    let mut k = 50.0 / 72.0;
    while k <= 1200.0 / 72.0 {
        let mut covered = 0.0;
        let mut n = 0.0;
        for b in boxes {
            let px = |v: i32, limit: usize| ((v as f64 / 100.0 * k).round().max(0.0) as usize).min(limit);
            let (x0, y0, x1, y1) = (px(b[0], w), px(b[1], h), px(b[2], w), px(b[3], h));
            // A box off the image counts as blank.
            if x1 > x0 && y1 > y0 {
                covered += area(x0, y0, x1, y1) / ((x1 - x0) * (y1 - y0)) as f64;
            }
            n += 1.0;
        }
        let score = covered / n;
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, k));
        }
        k *= 1.005;
    }
    best.map(|(_, k)| k)
}

/// The crop of an image file around `place`, as PNG. `boxes`: the boxes (hundredths of a point)
/// of the text OCR read on it, from which the scale it used is found again.
pub fn crop_image(bytes: &[u8], place: Place, boxes: &[[i32; 4]], outlined: bool) -> Result<Vec<u8>, CropError> {
    let opts = nianbao_ocr::Options::default();
    let failed = |e: nianbao_ocr::OcrError| CropError::Failed(e.to_string());
    // A multi-page TIFF: the page the cell is on, in gray (as OCR read it).
    let (gray, img) = if nianbao_ocr::frames::is_tiff(bytes) && nianbao_ocr::frames::count(bytes, &opts).map_err(failed)? > 1 {
        let gray = nianbao_ocr::frames::page(bytes, place.page.saturating_sub(1) as usize, &opts).map_err(failed)?;
        (gray.clone(), image::DynamicImage::ImageLuma8(gray))
    } else {
        (nianbao_ocr::decode(bytes, &opts).map_err(failed)?, image::load_from_memory(bytes).map_err(|e| CropError::Failed(e.to_string()))?)
    };
    // The page as the OCR read it: upright, straightened; its scale from the boxes of its text.
    let (page, warp) = nianbao_ocr::straighten_warped(gray, TIMEOUT);
    let turn = Geometry { width: 1.0, height: 1.0, rotated: page.rotated, skew: page.skew, warp };
    let straight = page.gray;
    let k = image_scale(&straight, boxes).ok_or_else(|| CropError::Failed("图片上没有识别出文字的位置".into()))?;
    let g = Geometry { width: img.width() as f64 / k, height: img.height() as f64 / k, ..turn };
    let (cell, area) = region(place, &g);
    let x = ((area[0] * k).floor() as u32).min(img.width().saturating_sub(1));
    let y = ((area[1] * k).floor() as u32).min(img.height().saturating_sub(1));
    let width = (((area[2] - area[0]) * k).ceil() as u32).clamp(1, MAX_SIDE).min(img.width() - x);
    let height = (((area[3] - area[1]) * k).ceil() as u32).clamp(1, MAX_SIDE).min(img.height() - y);
    finish(img.crop_imm(x, y, width, height).to_rgb8(), cell, (x, y), k, g.rotated, outlined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_of_an_image_is_found_from_the_boxes_of_its_text() {
        // Words as striped blocks at 216 dpi (3 px per point), a ruling line between rows.
        let k = 3.0;
        let boxes: Vec<[i32; 4]> = (0..6).flat_map(|r| (0..4).map(move |c| [2000 + c * 4000, 1500 + r * 2000, 4500 + c * 4000, 2600 + r * 2000])).collect();
        let mut img = image::GrayImage::from_pixel(560, 420, image::Luma([250]));
        for b in &boxes {
            let p = b.map(|v| (v as f64 / 100.0 * k) as u32);
            for x in (p[0]..p[2]).step_by(2) {
                for y in p[1]..p[3] {
                    img.put_pixel(x, y, image::Luma([20]));
                }
            }
        }
        for x in 0..560 {
            img.put_pixel(x, 90, image::Luma([0]));
        }
        let found = image_scale(&img, &boxes).unwrap();
        assert!((found / k - 1.0).abs() < 0.02, "{found}");
        assert!(image_scale(&img, &[]).is_none());
    }

    #[test]
    fn a_point_of_the_page_as_read_is_found_on_the_page_as_published() {
        // A dot on a 200 × 100 page; the page turned and straightened as the OCR does; the dot
        // found there is mapped back (one pixel = one point).
        let mut page = image::GrayImage::from_pixel(200, 100, image::Luma([255]));
        for dx in 0..3 {
            for dy in 0..3 {
                page.put_pixel(150 + dx, 20 + dy, image::Luma([0]));
            }
        }
        // A keystone as a photograph's perspective correction undoes it.
        let unit = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
        let keystone = nianbao_ocr::perspective::homography(unit, [(0.04, 0.01), (0.97, 0.0), (1.0, 1.0), (0.0, 0.98)]);
        assert!(keystone.is_some());
        for (rotated, skew, warp) in [(0, 0.0, None), (90, 0.0, None), (180, 0.0, None), (270, 0.0, None), (90, 2.0, None), (270, -1.5, None), (0, 0.0, keystone), (90, 1.2, keystone)] {
            let upright = nianbao_ocr::turn(&page, rotated);
            let upright = match &warp {
                Some(h) => nianbao_ocr::perspective::warp(&upright, h),
                None => upright,
            };
            let read = nianbao_ocr::pixels::rotate(&upright, skew);
            let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
            for (x, y, p) in read.enumerate_pixels() {
                if p.0[0] < 128 {
                    sx += x as f64 + 0.5;
                    sy += y as f64 + 0.5;
                    n += 1.0;
                }
            }
            let g = Geometry { width: 200.0, height: 100.0, rotated, skew, warp };
            let (x, y) = to_published(sx / n, sy / n, &g);
            assert!((x - 151.5).abs() < 1.0 && (y - 21.5).abs() < 1.0, "turned {rotated}, skew {skew}, warp {warp:?}: ({x}, {y})");
        }
    }

    #[test]
    fn a_point_turned_by_rotate_comes_back() {
        // `pixels::rotate` takes output (x, y) from source `unturn(x, y)`: a dark pixel of the
        // source lands where the straightened page shows it.
        let mut src = image::GrayImage::from_pixel(200, 100, image::Luma([255]));
        for dx in 0..3 {
            for dy in 0..3 {
                src.put_pixel(150 + dx, 20 + dy, image::Luma([0]));
            }
        }
        let turned = nianbao_ocr::pixels::rotate(&src, 3.0);
        let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
        for (x, y, p) in turned.enumerate_pixels() {
            if p.0[0] < 128 {
                sx += x as f64;
                sy += y as f64;
                n += 1.0;
            }
        }
        let (x, y) = (sx / n, sy / n);
        let (ux, uy) = unturn(x, y, 200.0, 100.0, 3.0);
        assert!((ux - 151.0).abs() < 1.0 && (uy - 21.0).abs() < 1.0, "{ux} {uy}");
    }
}
