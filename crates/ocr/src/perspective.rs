//! Perspective: a page photographed at an angle shows its table as a quadrilateral (keystone: the
//! far edge narrower), so its ruling lines converge and no single rotation straightens them — the
//! rows of one end of a table would then drift into the next row's cells. The table's outer lines
//! (the longest near-horizontal and near-vertical ruling lines, each fitted as a line with its own
//! slope) give four corners; when the lines converge, the page is warped so that they become a
//! rectangle. A scan (lines parallel and square, however turned) is left alone: its skew is
//! `pixels::skew_angle`'s. Free of I/O and deterministic: the workbench's crop retraces it.

use image::GrayImage;

/// A homography between the corrected page and the page before it (same size), in coordinates
/// normalized to the image (0..1 across and down): row-major 3 × 3, mapping a point of the
/// corrected page to where it was on the page as given.
pub type Homography = [f64; 9];

/// Tilt searched for a line of either family, in degrees either way.
pub(crate) const MAX_TILT: f64 = 7.0;
/// Angle step of the line search (degrees); each found line is then fitted to its pixels.
const STEP: f64 = 0.1;
/// Lines converging (or not square) by less than this (degrees) are a scan, not a photograph.
const KEYSTONE: f64 = 0.3;
/// Inches the ends of two lines must drift apart by, over the shorter one's length, to count as
/// converging.
const DRIFT: f64 = 0.06;
/// Farthest a corner of the table is moved, as a share of the page's longer side.
const MAX_SHIFT: f64 = 0.08;

/// `h` applied to (x, y).
pub fn apply(h: &Homography, x: f64, y: f64) -> (f64, f64) {
    let w = h[6] * x + h[7] * y + h[8];
    ((h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w)
}

/// A fitted line: across = a + b·(along − centre), where for a horizontal line `across` is y and
/// `along` is x, for a vertical one the other way round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fitted {
    pub horizontal: bool,
    pub a: f64,
    pub b: f64,
    /// Pixels along the line where it has ink.
    pub length: f64,
}

/// The ink pixels (≤ `ink`) of `img` in runs of at least `min_run` along one axis, sampled every
/// `step` pixels: (along, across).
fn run_pixels(img: &GrayImage, ink: u8, horizontal: bool, min_run: u32, step: u32) -> Vec<(u32, u32)> {
    let (w, h) = (img.width(), img.height());
    let (outer, inner) = if horizontal { (h, w) } else { (w, h) };
    let raw = img.as_raw();
    let dark = |along: u32, across: u32| {
        let (x, y) = if horizontal { (along, across) } else { (across, along) };
        raw[(y * w + x) as usize] <= ink
    };
    let mut out = Vec::new();
    for o in (0..outer).step_by(step as usize) {
        let mut start: Option<u32> = None;
        for i in 0..=inner {
            let d = i < inner && dark(i, o);
            match (d, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    if i - s >= min_run {
                        out.extend((s..i).step_by(step as usize).map(|a| (a, o)));
                    }
                    start = None;
                }
                _ => {}
            }
        }
    }
    out
}

/// Candidate lines of one family: (tangent of its tilt, offset at the centre, votes), strongest
/// first, found by a Hough transform over tilts within ±`MAX_TILT`.
fn candidates(points: &[(u32, u32)], centre: f64, extent: u32, step: u32) -> Vec<(f64, f64, u32)> {
    let n_angles = (2.0 * MAX_TILT / STEP).round() as usize + 1;
    let tans: Vec<f64> = (0..n_angles).map(|i| (-MAX_TILT + i as f64 * STEP).to_radians().tan()).collect();
    let bin = step as f64;
    let margin = (centre * MAX_TILT.to_radians().tan()).ceil() + 2.0;
    let bins = ((extent as f64 + 2.0 * margin) / bin).ceil() as usize + 1;
    let mut acc = vec![0u32; n_angles * bins];
    for &(along, across) in points {
        let d = along as f64 - centre;
        for (k, t) in tans.iter().enumerate() {
            let r = ((across as f64 - d * t + margin) / bin) as usize;
            if r < bins {
                acc[k * bins + r] += 1;
            }
        }
    }
    // Each offset's best tilt, votes summed over a thick line's neighbouring bins.
    let mut best: Vec<(u32, usize)> = vec![(0, 0); bins];
    for (k, row) in acc.chunks(bins).enumerate() {
        for r in 0..bins {
            let v = row[r] + if r > 0 { row[r - 1] } else { 0 } + row.get(r + 1).copied().unwrap_or(0);
            if v > best[r].0 {
                best[r] = (v, k);
            }
        }
    }
    // Local maxima over a window of about a tenth of an inch at 300 dpi.
    let window = (30 / step).max(3) as usize;
    let mut out = Vec::new();
    for r in 0..bins {
        let v = best[r].0;
        if v == 0 {
            continue;
        }
        let lo = r.saturating_sub(window);
        let hi = (r + window).min(bins - 1);
        // Ties go to the first bin of a plateau, so one line gives one candidate.
        if (lo..=hi).all(|q| best[q].0 < v || (best[q].0 == v && q >= r)) {
            out.push((tans[best[r].1], r as f64 * bin - margin + bin / 2.0, v));
        }
    }
    out.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.total_cmp(&b.1)));
    out
}

/// The line near (`t`, `a`) fitted to the full-resolution pixels within `band` of it: at each
/// position along it, the middle of the darkest ink across (when dark enough — a faint
/// photographed line is found though lighter than text, and paper grain is never the darkest);
/// least squares, outliers (text, a crossing line) dropped.
fn fit(img: &GrayImage, ink: u8, horizontal: bool, t: f64, a: f64, centre: f64, band: f64) -> Option<Fitted> {
    let (w, h) = (img.width(), img.height());
    let (len_along, len_across) = if horizontal { (w, h) } else { (h, w) };
    let raw = img.as_raw();
    let (mut b, mut a) = (t, a);
    let mut fitted = None;
    for _ in 0..3 {
        let mut samples: Vec<(f64, f64)> = Vec::new();
        for along in 0..len_along {
            let mid = a + b * (along as f64 - centre);
            let lo = (mid - band).floor().max(0.0) as i64;
            let hi = ((mid + band).ceil() as i64).min(len_across as i64 - 1);
            let at = |across: i64| {
                let (x, y) = if horizontal { (along as i64, across) } else { (across, along as i64) };
                raw[(y as u32 * w + x as u32) as usize]
            };
            let Some(darkest) = (lo..=hi).min_by_key(|&c| (at(c), c)) else { continue };
            if at(darkest) > ink {
                continue;
            }
            let (mut sum, mut weight) = (0.0, 0.0);
            for across in (darkest - 3).max(lo)..=(darkest + 3).min(hi) {
                let v = at(across);
                if v <= ink {
                    let k = (ink - v) as f64 + 1.0;
                    sum += across as f64 * k;
                    weight += k;
                }
            }
            samples.push((along as f64 - centre, sum / weight));
        }
        if samples.len() < 20 {
            return None;
        }
        let (mut sb, mut sa) = (b, a);
        for _ in 0..2 {
            let near: Vec<&(f64, f64)> = samples.iter().filter(|(u, v)| (v - (sa + sb * u)).abs() <= 2.5).collect();
            if near.len() < 20 {
                return None;
            }
            let n = near.len() as f64;
            let (mu, mv) = (near.iter().map(|p| p.0).sum::<f64>() / n, near.iter().map(|p| p.1).sum::<f64>() / n);
            let suu: f64 = near.iter().map(|p| (p.0 - mu) * (p.0 - mu)).sum();
            let suv: f64 = near.iter().map(|p| (p.0 - mu) * (p.1 - mv)).sum();
            if suu <= 0.0 {
                return None;
            }
            sb = suv / suu;
            sa = mv - sb * mu;
        }
        b = sb;
        a = sa;
        let length = samples.iter().filter(|(u, v)| (v - (a + b * u)).abs() <= 2.0).count() as f64;
        fitted = Some(Fitted { horizontal, a, b, length });
    }
    fitted
}

/// The long ruling lines of one family (at least three tenths of the page long), fitted, the
/// strongest first.
fn family(img: &GrayImage, ink: u8, horizontal: bool, scale: f64) -> Vec<Fitted> {
    let (w, h) = (img.width(), img.height());
    let (len_along, len_across) = if horizontal { (w, h) } else { (h, w) };
    let step = (w.max(h) / 1600).max(1);
    let min_run = ((scale * 0.05) as u32).max(8);
    let points = run_pixels(img, ink, horizontal, min_run, step);
    let centre = len_along as f64 / 2.0;
    let cands = candidates(&points, centre, len_across, step);
    let Some(top) = cands.first().map(|c| c.2) else { return Vec::new() };
    let band = (step as f64 * 3.0).max(scale * 0.02);
    let mut out: Vec<Fitted> = Vec::new();
    for &(t, a, v) in cands.iter().take(40) {
        if v * 8 < top {
            break;
        }
        if let Some(f) = fit(img, ink, horizontal, t, a, centre, band) {
            // Long enough to be a table's line, and not one already found.
            if f.length >= 0.3 * len_along as f64 && !out.iter().any(|o| (o.a - f.a).abs() < scale * 0.05) {
                out.push(f);
            }
        }
    }
    out
}

/// Where a horizontal line `hz` and a vertical line `vt` cross (x, y).
fn cross(hz: &Fitted, vt: &Fitted, cx: f64, cy: f64) -> (f64, f64) {
    // y = a + b(x − cx), x = c + d(y − cy)
    let (a, b, c, d) = (hz.a, hz.b, vt.a, vt.b);
    let x = (c + d * (a - cy) - d * b * cx) / (1.0 - d * b);
    (x, a + b * (x - cx))
}

/// The homography mapping the four points `from` to the four points `to` (solved as an 8 × 8
/// linear system; `None` when degenerate).
pub fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Option<Homography> {
    let mut m = [[0.0f64; 9]; 8];
    for (k, (&(x, y), &(u, v))) in from.iter().zip(to.iter()).enumerate() {
        m[2 * k] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        m[2 * k + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gaussian elimination with partial pivoting.
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        for row in 0..8 {
            if row != col {
                let f = m[row][col] / m[col][col];
                for k in col..9 {
                    m[row][k] -= f * m[col][k];
                }
            }
        }
    }
    let mut h = [0.0; 9];
    for i in 0..8 {
        h[i] = m[i][8] / m[i][i];
    }
    h[8] = 1.0;
    h.iter().all(|v| v.is_finite()).then_some(h)
}

/// The correction of a page whose table is seen in perspective: the homography from the
/// corrected page to the page as given (normalized coordinates), or `None` when its lines are
/// parallel and square (a scan, turned or not) or too few lines are found to tell. `ink`: the
/// Otsu threshold of text.
pub fn correction(img: &GrayImage, ink: u8) -> Option<Homography> {
    correction_and_tilt(img, ink).0
}

/// [`correction`], and the tilt of the table's rows when the page is not corrected: the angle (in
/// degrees, as [`crate::pixels::rotate`] takes it) that levels the long horizontal lines, when at
/// least two of them agree on it (see [`TILT_AGREES`]).
pub fn correction_and_tilt(img: &GrayImage, ink: u8) -> (Option<Homography>, Option<f64>) {
    let (w, h) = (img.width() as f64, img.height() as f64);
    if w < 200.0 || h < 200.0 {
        return (None, None);
    }
    // A photographed thin line is a light grey, lighter than text: the line finder's threshold.
    let ink = crate::pixels::line_threshold(img, ink);
    let scale = w.max(h) / 11.7;
    let horizontal = family(img, ink, true, scale);
    let vertical = family(img, ink, false, scale);
    let warp = keystone(&horizontal, &vertical, w, h, scale);
    (warp, if warp.is_none() { rows_tilt(&horizontal) } else { None })
}

/// Two lines of a table whose slopes differ by less than this (degrees) are parallel.
const TILT_AGREES: f64 = 0.3;

/// The angle that levels the horizontal lines: of the slopes the most length of lines agrees on
/// (a page's edge or a line misfound stands apart), their average weighted by length; `None`
/// without a second line to confirm it.
fn rows_tilt(horizontal: &[Fitted]) -> Option<f64> {
    let limit = TILT_AGREES.to_radians().tan();
    let agreeing = |r: &Fitted| horizontal.iter().filter(|f| (f.b - r.b).abs() <= limit).map(|f| f.length).sum::<f64>();
    let reference = horizontal.iter().max_by(|p, q| agreeing(p).total_cmp(&agreeing(q)))?;
    let parallel: Vec<&Fitted> = horizontal.iter().filter(|f| (f.b - reference.b).abs() <= limit).collect();
    if parallel.len() < 2 {
        return None;
    }
    let length: f64 = parallel.iter().map(|f| f.length).sum();
    let slope = parallel.iter().map(|f| f.b * f.length).sum::<f64>() / length;
    Some(slope.atan().to_degrees())
}

/// The homography that makes the table's outer lines a rectangle, when they converge.
fn keystone(horizontal: &[Fitted], vertical: &[Fitted], w: f64, h: f64, scale: f64) -> Option<Homography> {
    let (cx, cy) = (w / 2.0, h / 2.0);
    let top = horizontal.iter().min_by(|p, q| p.a.total_cmp(&q.a))?;
    let bottom = horizontal.iter().max_by(|p, q| p.a.total_cmp(&q.a))?;
    let left = vertical.iter().min_by(|p, q| p.a.total_cmp(&q.a))?;
    let right = vertical.iter().max_by(|p, q| p.a.total_cmp(&q.a))?;
    // Lines close together tell too little about how they converge.
    if bottom.a - top.a < 0.25 * h || right.a - left.a < 0.25 * w {
        return None;
    }
    // A convergence counts when it is both an angle and a distance: the ends of two lines of a
    // scan (turned, JPEG'd, a table drawn cell by cell) differ by a few pixels, and over a short
    // line that is already a few tenths of a degree.
    let limit = KEYSTONE.to_radians().tan();
    let far = scale * DRIFT;
    let converges = |b1: f64, b2: f64, len: f64| (b1 - b2).abs() >= limit && (b1 - b2).abs() * len >= far;
    let shortest = top.length.min(bottom.length).min(left.length).min(right.length);
    // Turned as a whole, a horizontal line's slope is minus a vertical one's.
    if !converges(top.b, bottom.b, top.length.min(bottom.length)) && !converges(left.b, right.b, left.length.min(right.length)) && !converges((top.b + bottom.b) / 2.0, -(left.b + right.b) / 2.0, shortest) {
        return None;
    }
    let quad = [cross(top, left, cx, cy), cross(top, right, cx, cy), cross(bottom, right, cx, cy), cross(bottom, left, cx, cy)];
    let dist = |p: (f64, f64), q: (f64, f64)| ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt();
    let width = (dist(quad[0], quad[1]) + dist(quad[3], quad[2])) / 2.0;
    let height = (dist(quad[0], quad[3]) + dist(quad[1], quad[2])) / 2.0;
    let mx = quad.iter().map(|p| p.0).sum::<f64>() / 4.0;
    let my = quad.iter().map(|p| p.1).sum::<f64>() / 4.0;
    let rect = [(mx - width / 2.0, my - height / 2.0), (mx + width / 2.0, my - height / 2.0), (mx + width / 2.0, my + height / 2.0), (mx - width / 2.0, my + height / 2.0)];
    // A corner far from its place is a line misfound (text, the page's edge), not a keystone.
    if quad.iter().zip(rect.iter()).any(|(q, r)| dist(*q, *r) > MAX_SHIFT * w.max(h)) {
        return None;
    }
    let norm = |p: (f64, f64)| (p.0 / w, p.1 / h);
    homography(rect.map(norm), quad.map(norm))
}

/// `img` warped by `h` (from the corrected page to `img`, normalized coordinates): same size,
/// bilinear, white outside.
pub fn warp(img: &GrayImage, h: &Homography) -> GrayImage {
    let (w, ht) = (img.width(), img.height());
    let (fw, fh) = (w as f64, ht as f64);
    let src = img.as_raw();
    let at = |x: i64, y: i64| -> f64 {
        if x < 0 || y < 0 || x >= w as i64 || y >= ht as i64 {
            255.0
        } else {
            src[y as usize * w as usize + x as usize] as f64
        }
    };
    let mut out = GrayImage::new(w, ht);
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (u, v) = apply(h, (x as f64 + 0.5) / fw, (y as f64 + 0.5) / fh);
        let (sx, sy) = (u * fw - 0.5, v * fh - 0.5);
        if !sx.is_finite() || !sy.is_finite() {
            p.0[0] = 255;
            continue;
        }
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let (xi, yi) = (x0 as i64, y0 as i64);
        let value = at(xi, yi) * (1.0 - fx) * (1.0 - fy) + at(xi + 1, yi) * fx * (1.0 - fy) + at(xi, yi + 1) * (1.0 - fx) * fy + at(xi + 1, yi + 1) * fx * fy;
        p.0[0] = value.round().clamp(0.0, 255.0) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ruled table of 6 × 4 cells with a few "words", on a white page of 1200 × 1600.
    fn table() -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 1600, image::Luma([255]));
        let (x0, x1, y0, y1) = (150u32, 1050u32, 250u32, 1350u32);
        for k in 0..=6 {
            let y = y0 + k * (y1 - y0) / 6;
            for x in x0..=x1 {
                for t in 0..3 {
                    img.put_pixel(x, y + t, image::Luma([0]));
                }
            }
        }
        for k in 0..=4 {
            let x = x0 + k * (x1 - x0) / 4;
            for y in y0..=y1 {
                for t in 0..3 {
                    img.put_pixel(x + t, y, image::Luma([0]));
                }
            }
        }
        for r in 0..6 {
            for c in 0..4 {
                for x in 0..60 {
                    for y in 0..25 {
                        if (x / 6) % 2 == 0 {
                            img.put_pixel(x0 + 40 + c * 225 + x, y0 + 70 + r * 183 + y, image::Luma([0]));
                        }
                    }
                }
            }
        }
        img
    }

    #[test]
    fn the_homography_maps_the_corners() {
        let from = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
        let to = [(0.05, 0.01), (0.97, 0.0), (1.0, 1.0), (0.0, 0.99)];
        let h = homography(from, to).unwrap();
        for (p, q) in from.iter().zip(to.iter()) {
            let (x, y) = apply(&h, p.0, p.1);
            assert!((x - q.0).abs() < 1e-9 && (y - q.1).abs() < 1e-9, "{p:?} → ({x}, {y}), not {q:?}");
        }
        assert!(homography([(0.0, 0.0); 4], to).is_none());
    }

    #[test]
    fn a_keystoned_table_is_warped_back_to_a_rectangle() {
        let page = table();
        // The top edge narrower, as a phone held below the page sees it.
        let to = [(0.05, 0.012), (0.97, 0.0), (1.0, 1.0), (0.0, 0.99)];
        let unit = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
        let photo = warp(&page, &homography(unit, to).unwrap());
        let h = correction(&photo, 128).expect("a keystone is found");
        let fixed = warp(&photo, &h);
        // Straight again: the table's lines are single rows and columns of pixels.
        let t = crate::pixels::otsu(&fixed);
        let lines = crate::pixels::ruling_lines(&fixed, t, t, 400, 8);
        let hz: Vec<_> = lines.iter().filter(|l| l.horizontal && l.to - l.from > 600.0).collect();
        let vt: Vec<_> = lines.iter().filter(|l| !l.horizontal && l.to - l.from > 800.0).collect();
        assert_eq!((hz.len(), vt.len()), (7, 5), "{lines:?}");
        // And nothing to correct the second time.
        assert!(correction(&fixed, 128).is_none());
    }

    #[test]
    fn a_wide_table_turned_is_levelled_by_its_rows() {
        // 表四 alone at the top of a page: three long rows, columns too short to find corners by.
        let mut page = GrayImage::from_pixel(1600, 1200, image::Luma([255]));
        for y in [150u32, 230, 310] {
            for x in 100..1500 {
                for t in 0..3 {
                    page.put_pixel(x, y + t, image::Luma([0]));
                }
            }
        }
        for x in (100..=1500u32).step_by(100) {
            for y in 150..313 {
                for t in 0..3 {
                    page.put_pixel(x.min(1497) + t, y, image::Luma([0]));
                }
            }
        }
        assert!(correction_and_tilt(&page, 128).1.is_some_and(|t| t.abs() < 0.05));
        for deg in [-5.0, 2.5] {
            let turned = crate::pixels::rotate(&page, deg);
            let (warp, tilt) = correction_and_tilt(&turned, 128);
            assert!(warp.is_none(), "turned {deg}°");
            let tilt = tilt.unwrap_or_else(|| panic!("turned {deg}°: no tilt"));
            // The tilt given to `rotate` levels the rows again.
            assert!((tilt + deg).abs() < 0.1, "turned {deg}°: tilt {tilt}");
            let level = crate::pixels::rotate(&turned, tilt);
            let long = crate::pixels::ruling_lines(&level, 128, 128, 400, 8).iter().filter(|l| l.horizontal && l.to - l.from > 1200.0).count();
            assert_eq!(long, 3, "turned {deg}°");
        }
        // One long line alone confirms nothing.
        let line = |b: f64| Fitted { horizontal: true, a: 100.0, b, length: 1000.0 };
        assert_eq!(rows_tilt(&[line(0.05)]), None);
        // A line at another angle (the page's edge) is left out of the average.
        let t = rows_tilt(&[line(0.05), line(0.0502), line(0.12)]).unwrap();
        assert!((t - 0.0501f64.atan().to_degrees()).abs() < 1e-6, "{t}");
    }

    #[test]
    fn a_scan_turned_as_a_whole_is_left_alone() {
        let page = table();
        assert!(correction(&page, 128).is_none());
        for deg in [-2.8, 1.5] {
            assert!(correction(&crate::pixels::rotate(&page, deg), 128).is_none(), "turned {deg}°");
        }
        // A blank page and a page of text alone: nothing to go by.
        assert!(correction(&GrayImage::from_pixel(800, 1000, image::Luma([255])), 128).is_none());
    }
}
