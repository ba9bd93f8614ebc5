//! Pixel work on a page image, free of I/O: the ink threshold, the skew of the text lines, the
//! rotation that straightens them, and the ruling lines of tables (long dark runs), which are then
//! erased so that Tesseract reads only the text.

use image::GrayImage;

/// A ruling line in pixels of the corrected image: horizontal at y = `pos` from x = `from` to
/// `to`, or vertical at x = `pos` from y = `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub horizontal: bool,
    pub pos: f64,
    pub from: f64,
    pub to: f64,
    /// Thickness in pixels.
    pub width: f64,
}

/// The page with its lighting evened out: each pixel divided by the paper's brightness around it
/// (a high percentile of its block, blocks joined smoothly), so a photograph's shadow or a
/// yellowed sheet becomes white paper and one threshold serves the whole page.
pub fn flatten(img: &GrayImage) -> GrayImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let block = (w.min(h) / 40).max(32);
    let (bw, bh) = (w.div_ceil(block), h.div_ceil(block));
    let raw = img.as_raw();
    let mut bg = vec![0u8; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            // The level nine tenths of the block are darker than, not its brightest pixel: the
            // brightest is noise, or a seal's ink saturated in its own colour channel, and would
            // grey the paper around it.
            let mut hist = [0u32; 256];
            let mut n = 0u32;
            for y in by * block..((by + 1) * block).min(h) {
                for &v in &raw[y * w + bx * block..y * w + ((bx + 1) * block).min(w)] {
                    hist[v as usize] += 1;
                    n += 1;
                }
            }
            let (mut seen, mut m) = (0u32, 255u8);
            for (level, &c) in hist.iter().enumerate().rev() {
                seen += c;
                if seen * 10 >= n {
                    m = level as u8;
                    break;
                }
            }
            bg[by * bw + bx] = m;
        }
    }
    // A block with no paper in it (all ink) takes its lightest neighbour.
    let mut smooth = bg.clone();
    for by in 0..bh {
        for bx in 0..bw {
            let mut m = bg[by * bw + bx];
            for (dx, dy) in [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)] {
                let (x, y) = (bx as i64 + dx, by as i64 + dy);
                if x >= 0 && y >= 0 && (x as usize) < bw && (y as usize) < bh {
                    m = m.max(bg[y as usize * bw + x as usize]);
                }
            }
            smooth[by * bw + bx] = m.max(1);
        }
    }
    let mut out = GrayImage::new(w as u32, h as u32);
    let at = |x: usize, y: usize| smooth[y.min(bh - 1) * bw + x.min(bw - 1)] as f64;
    for (x, y, p) in out.enumerate_pixels_mut() {
        // Bilinear between block centres.
        let fx = ((x as f64 + 0.5) / block as f64 - 0.5).max(0.0);
        let fy = ((y as f64 + 0.5) / block as f64 - 0.5).max(0.0);
        let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
        let (tx, ty) = (fx - x0 as f64, fy - y0 as f64);
        let b = at(x0, y0) * (1.0 - tx) * (1.0 - ty) + at(x0 + 1, y0) * tx * (1.0 - ty) + at(x0, y0 + 1) * (1.0 - tx) * ty + at(x0 + 1, y0 + 1) * tx * ty;
        let v = raw[y as usize * w + x as usize] as f64;
        p.0[0] = (v * 255.0 / b.max(1.0)).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// The page with faint ink darkened: when even the darkest ink (the level 1 pixel in 200 is
/// darker than) is a mid grey — a photograph, or a low-resolution picture enlarged, whose thin
/// strokes blur into grey — the levels from that ink to just under the paper are spread over the
/// whole range. Tesseract drops lone grey digits (a column of `0`s) that it reads once they are
/// black. A page whose ink is already dark (a scan, a rendered page) is returned as it is.
pub fn stretch(img: &GrayImage) -> GrayImage {
    let mut hist = [0u64; 256];
    for p in img.as_raw() {
        hist[*p as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let mut seen = 0u64;
    let mut dark = 0u8;
    for (level, n) in hist.iter().enumerate() {
        seen += n;
        if seen * 200 >= total {
            dark = level as u8;
            break;
        }
    }
    let white = paper(img, otsu(img));
    if dark < FAINT || white < dark.saturating_add(60) {
        return img.clone();
    }
    let (lo, hi) = (dark as f64, white as f64 - (white - dark) as f64 * 0.1);
    let mut lut = [0u8; 256];
    for (v, out) in lut.iter_mut().enumerate() {
        *out = ((v as f64 - lo) * 255.0 / (hi - lo)).round().clamp(0.0, 255.0) as u8;
    }
    let mut out = img.clone();
    for p in out.iter_mut() {
        *p = lut[*p as usize];
    }
    out
}

/// Ink lighter than this, even at its darkest, is faint (see [`stretch`]).
const FAINT: u8 = 70;

/// Otsu's threshold: pixels at or below it are ink.
pub fn otsu(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in img.as_raw() {
        hist[*p as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 127;
    }
    let sum: f64 = hist.iter().enumerate().map(|(i, n)| i as f64 * *n as f64).sum();
    // Every threshold between two well-separated modes is as good: take the middle of them.
    let (mut w0, mut sum0, mut best, mut at, mut upto) = (0f64, 0f64, -1f64, 127u8, 127u8);
    for (t, n) in hist.iter().enumerate() {
        w0 += *n as f64;
        if w0 == 0.0 {
            continue;
        }
        let w1 = total as f64 - w0;
        if w1 == 0.0 {
            break;
        }
        sum0 += t as f64 * *n as f64;
        let (m0, m1) = (sum0 / w0, (sum - sum0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best * (1.0 + 1e-9) {
            best = between;
            at = t as u8;
            upto = at;
        } else if between >= best * (1.0 - 1e-9) {
            upto = t as u8;
        }
    }
    // A blank page has one mode; never call paper ink.
    ((at as u16 + upto as u16) / 2).min(200) as u8
}

/// The gray level of the paper: the commonest level lighter than the ink threshold.
pub fn paper(img: &GrayImage, ink: u8) -> u8 {
    let mut hist = [0u64; 256];
    for p in img.as_raw() {
        hist[*p as usize] += 1;
    }
    (ink as usize + 1..256).max_by_key(|&i| (hist[i], i)).unwrap_or(255) as u8
}

/// The threshold for ruling lines: three quarters of the way from the ink threshold to the paper. Thin grey
/// lines (a 0.5 pt border rendered at 300 dpi is one or two pixels of mid-grey) are lighter than
/// text, and only long runs count as lines, so speckles of this level do not matter.
pub fn line_threshold(img: &GrayImage, ink: u8) -> u8 {
    let p = paper(img, ink);
    (ink as u16 + (p.saturating_sub(ink) as u16) * 3 / 4) as u8
}

/// The angle (degrees) that straightens the page when given to [`rotate`], found as the angle
/// whose row profile of ink is sharpest (text lines and ruling lines make tall narrow peaks only
/// when the angle is right). Searched within ±`max` degrees.
pub fn skew_angle(img: &GrayImage, ink: u8, max: f64) -> f64 {
    // A sample of ink pixels of a downscaled page is plenty for a tenth of a degree.
    let step = (img.width().max(img.height()) / 1200).max(1);
    let mut points: Vec<(f64, f64)> = Vec::new();
    for y in (0..img.height()).step_by(step as usize) {
        for x in (0..img.width()).step_by(step as usize) {
            if img.get_pixel(x, y).0[0] <= ink {
                points.push((x as f64, y as f64));
            }
        }
    }
    if points.len() < 50 || points.len() > 4_000_000 {
        return 0.0;
    }
    let bins = (img.height() as usize + img.width() as usize) / step as usize + 2;
    let mut hist = vec![0u32; bins];
    let offset = img.width() as f64;
    let mut score = |deg: f64| -> f64 {
        hist.iter_mut().for_each(|h| *h = 0);
        let (s, c) = deg.to_radians().sin_cos();
        for &(x, y) in &points {
            // Position across the lines after turning the page by `deg`.
            let r = (y * c + x * s + offset) / step as f64;
            if let Some(h) = hist.get_mut(r.max(0.0) as usize) {
                *h += 1;
            }
        }
        hist.iter().map(|&h| (h as f64) * (h as f64)).sum()
    };
    let mut best = (score(0.0), 0.0);
    let coarse = (max / 0.2).round() as i32;
    for i in -coarse..=coarse {
        let a = i as f64 * 0.2;
        let s = score(a);
        if s > best.0 * (1.0 + 1e-9) {
            best = (s, a);
        }
    }
    let centre = best.1;
    for i in -10..=10 {
        let a = centre + i as f64 * 0.02;
        let s = score(a);
        if s > best.0 * (1.0 + 1e-9) {
            best = (s, a);
        }
    }
    -best.1
}

/// The image turned by `deg` degrees about its centre (bilinear, white outside), same size.
/// `skew_angle`'s angle given here straightens the page.
pub fn rotate(img: &GrayImage, deg: f64) -> GrayImage {
    let (w, h) = (img.width(), img.height());
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let src = img.as_raw();
    let at = |x: i64, y: i64| -> f64 {
        if x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
            255.0
        } else {
            src[(y as usize) * w as usize + x as usize] as f64
        }
    };
    let mut out = GrayImage::new(w, h);
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (dx, dy) = (x as f64 - cx, y as f64 - cy);
        // Inverse of the turn that maps the source to the output (y grows downwards).
        let sx = dx * c - dy * s + cx;
        let sy = dx * s + dy * c + cy;
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let (xi, yi) = (x0 as i64, y0 as i64);
        let v = at(xi, yi) * (1.0 - fx) * (1.0 - fy)
            + at(xi + 1, yi) * fx * (1.0 - fy)
            + at(xi, yi + 1) * (1.0 - fx) * fy
            + at(xi + 1, yi + 1) * fx * fy;
        p.0[0] = v.round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Runs of ink along one axis at least `min_len` long (gaps of `gap` pixels bridged), as
/// (row or column, from, to).
fn runs(img: &GrayImage, ink: u8, horizontal: bool, min_len: u32, gap: u32) -> Vec<(u32, u32, u32)> {
    let (w, h) = (img.width(), img.height());
    let (outer, inner) = if horizontal { (h, w) } else { (w, h) };
    let raw = img.as_raw();
    let mut out = Vec::new();
    for o in 0..outer {
        let mut start: Option<u32> = None;
        let mut last = 0u32;
        for i in 0..=inner {
            let dark = i < inner && {
                let (x, y) = if horizontal { (i, o) } else { (o, i) };
                raw[(y * w + x) as usize] <= ink
            };
            if dark {
                match start {
                    Some(_) if i - last <= gap + 1 => {}
                    Some(s) => {
                        if last + 1 - s >= min_len {
                            out.push((o, s, last + 1));
                        }
                        start = Some(i);
                    }
                    None => start = Some(i),
                }
                last = i;
            } else if i == inner {
                if let Some(s) = start {
                    if last + 1 - s >= min_len {
                        out.push((o, s, last + 1));
                    }
                }
            }
        }
    }
    out
}

/// Ruling lines: runs at least `min_len` pixels long of pixels at most `ink`, joined over
/// neighbouring rows (a line several pixels thick, or one left slightly tilted), at most
/// `max_width` thick, with little text ink (`text_ink`) along either side.
pub fn ruling_lines(img: &GrayImage, ink: u8, text_ink: u8, min_len: u32, max_width: u32) -> Vec<Line> {
    let mut out = Vec::new();
    for horizontal in [true, false] {
        // (first row, last row, from, to, sum of rows, count)
        let mut open: Vec<(u32, u32, u32, u32, f64, f64)> = Vec::new();
        let mut done: Vec<(u32, u32, u32, u32, f64, f64)> = Vec::new();
        for (o, a, b) in runs(img, ink, horizontal, min_len, 2) {
            let mut joined = false;
            for l in open.iter_mut() {
                if o <= l.1 + 2 && a <= l.3 + 4 && b + 4 >= l.2 {
                    l.1 = o;
                    l.2 = l.2.min(a);
                    l.3 = l.3.max(b);
                    l.4 += o as f64 * (b - a) as f64;
                    l.5 += (b - a) as f64;
                    joined = true;
                    break;
                }
            }
            if !joined {
                open.push((o, o, a, b, o as f64 * (b - a) as f64, (b - a) as f64));
            }
            // Lines that can no longer grow are finished.
            let (keep, gone): (Vec<_>, Vec<_>) = open.into_iter().partition(|l| l.1 + 2 >= o);
            open = keep;
            done.extend(gone);
        }
        done.extend(open);
        for (first, last, from, to, sum, n) in done {
            let width = last - first + 1;
            // Thickness is ink per pixel of length: a line left a fraction of a degree askew
            // (a photograph's rows converge) wanders over more rows than it is thick.
            if n == 0.0 || n / (to - from).max(1) as f64 > max_width as f64 || width > 2 * max_width {
                continue;
            }
            // A line has paper along both its sides; a run through a line of (blurred) text has
            // the text's strokes beside it.
            if !paper_beside(img, text_ink, horizontal, first, last, from, to) {
                continue;
            }
            out.push(Line { horizontal, pos: sum / n, from: from as f64, to: to as f64, width: width as f64 });
        }
    }
    joined_over_faint_gaps(img, ink, text_ink, min_len, out)
}

/// Whether the band of `from..to` just outside rows (or columns) `first..=last` is mostly paper
/// on both sides (at most a quarter of it ink darker than `text_ink`).
fn paper_beside(img: &GrayImage, text_ink: u8, horizontal: bool, first: u32, last: u32, from: u32, to: u32) -> bool {
    let side = |at: i64| -> f64 {
        if at < 0 {
            return 0.0;
        }
        let mut dark = 0u32;
        for a in from..to {
            let (x, y) = if horizontal { (a as i64, at) } else { (at, a as i64) };
            if x < img.width() as i64 && y < img.height() as i64 && img.get_pixel(x as u32, y as u32).0[0] <= text_ink {
                dark += 1;
            }
        }
        dark as f64 / (to - from).max(1) as f64
    };
    let off = 3 + (last - first + 1) as i64 / 2;
    side(first as i64 - off) <= 0.25 && side(last as i64 + off) <= 0.25
}

/// Pieces of one line lie within this many pixels of each other's position.
const COLLINEAR: f64 = 2.0;
/// Share of a gap between two pieces of a line that must show ink at the line's height.
const GAP_INK: f64 = 0.6;

/// The lines with two pieces of one line joined across the gap between them when the gap shows
/// the line too, only fainter. A thin line photographed is a light grey that hovers about the
/// line threshold and wanders a pixel up or down: its runs along one row break into pieces too
/// short to count, and the piece lost between two found ones would join the cells above and below
/// it into one (two rows' numbers read as `03`). The gap counts as line when most of it
/// ([`GAP_INK`]) has ink within the line's band (darker than half-way to the paper) and no text
/// beside it, and no stretch of it longer than an eighth of a line's least length is blank (where
/// a seal's ring crossed, its red dropped with the line's ink under it). A cell really spanning
/// the two rows has paper there, or its text, with ink beside the band.
fn joined_over_faint_gaps(img: &GrayImage, ink: u8, text_ink: u8, min_len: u32, lines: Vec<Line>) -> Vec<Line> {
    let max_blank = (min_len / 8).max(4) as usize;
    let (w, h) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let darkest_across = |horizontal: bool, along: i64, lo: i64, hi: i64| -> u8 {
        (lo..=hi)
            .filter_map(|across| {
                let (x, y) = if horizontal { (along, across) } else { (across, along) };
                (x >= 0 && y >= 0 && x < w && y < h).then(|| raw[(y * w + x) as usize])
            })
            .min()
            .unwrap_or(255)
    };
    // Between the line threshold and the paper: a faint line, yet darker than any grain of paper.
    let paper = paper(img, text_ink);
    let faint = ((ink as u16 + paper.max(ink) as u16) / 2) as u8;
    let gap_is_line = |a: &Line, b: &Line| -> bool {
        let (start, end) = (a.to.ceil() as i64, b.from.floor() as i64);
        if end <= start {
            return false;
        }
        let pos = (a.pos + b.pos) / 2.0;
        let half = (a.width.max(b.width) / 2.0).ceil() + COLLINEAR;
        let (lo, hi) = ((pos - half).floor() as i64, (pos + half).ceil() as i64);
        let band = hi - lo + 1;
        // Ink in the band with no text beside it: a line's stretch, not a character.
        let inked: Vec<bool> = (start..end)
            .map(|along| {
                darkest_across(a.horizontal, along, lo, hi) <= faint
                    && darkest_across(a.horizontal, along, lo - band - 2, lo - 3) > text_ink
                    && darkest_across(a.horizontal, along, hi + 3, hi + band + 2) > text_ink
            })
            .collect();
        let (mut longest_blank, mut blank) = (0, 0);
        for &i in &inked {
            blank = if i { 0 } else { blank + 1 };
            longest_blank = longest_blank.max(blank);
        }
        inked.iter().filter(|&&i| i).count() as f64 >= GAP_INK * inked.len() as f64 && longest_blank <= max_blank
    };
    let (mut out, mut pending): (Vec<Line>, Vec<Line>) = (Vec::with_capacity(lines.len()), lines);
    pending.sort_by(|a, b| b.horizontal.cmp(&a.horizontal).then(a.pos.total_cmp(&b.pos)));
    // Groups of one direction whose positions lie within COLLINEAR of the group's first.
    let mut rest = &pending[..];
    while let Some(first) = rest.first() {
        let n = rest.iter().take_while(|l| l.horizontal == first.horizontal && l.pos - first.pos <= COLLINEAR).count();
        let mut group = rest[..n].to_vec();
        rest = &rest[n..];
        group.sort_by(|a, b| a.from.total_cmp(&b.from));
        let mut joined: Vec<Line> = Vec::with_capacity(group.len());
        for l in group {
            match joined.last_mut() {
                Some(prev) if prev.to < l.from && gap_is_line(prev, &l) => {
                    let (la, lb) = (prev.to - prev.from, l.to - l.from);
                    prev.pos = (prev.pos * la + l.pos * lb) / (la + lb).max(1.0);
                    prev.to = l.to;
                    prev.width = prev.width.max(l.width);
                }
                _ => joined.push(l),
            }
        }
        out.extend(joined);
    }
    out
}

/// The lines with each end that lies on a crossing line moved to that line's middle. A line found
/// in an image runs to the outer edge of the thick (blurred) line it meets, several pixels past
/// the middle where that line's own position is measured: the table's edge would then stand apart
/// from its border line and the grid gain a sliver of a column or row.
pub fn snapped(lines: &[Line]) -> Vec<Line> {
    let mut out = lines.to_vec();
    for (i, l) in out.iter_mut().enumerate() {
        let crossing = |end: f64| -> Option<f64> {
            lines
                .iter()
                .enumerate()
                .filter(|&(j, o)| j != i && o.horizontal != l.horizontal)
                .filter(|(_, o)| (o.pos - end).abs() <= o.width / 2.0 + 3.0 && l.pos >= o.from - 3.0 && l.pos <= o.to + 3.0)
                .map(|(_, o)| o.pos)
                .min_by(|a, b| (a - end).abs().total_cmp(&(b - end).abs()))
        };
        if let Some(p) = crossing(l.from) {
            l.from = p;
        }
        if let Some(p) = crossing(l.to) {
            l.to = p;
        }
    }
    out
}

/// The lines that belong to a table: a line shorter than `short` pixels must meet at least two
/// lines across it (a cell's border runs from one crossing line to the next). Short dark runs
/// that meet at most one — pieces of a seal's ring or squares, a smudge — would otherwise split
/// the cell they stand in and move the row's numbers out of their columns. Long lines stay
/// alone too (a table ruled with horizontal lines only).
pub fn in_tables(lines: &[Line], short: f64) -> Vec<Line> {
    let mut keep: Vec<bool> = vec![true; lines.len()];
    // Dropping one fragment can leave another with fewer crossings: repeat until nothing changes.
    loop {
        let mut changed = false;
        for (i, l) in lines.iter().enumerate() {
            if !keep[i] || l.to - l.from >= short {
                continue;
            }
            let meets = lines
                .iter()
                .enumerate()
                .filter(|&(j, o)| keep[j] && o.horizontal != l.horizontal)
                .filter(|(_, o)| {
                    let tol = (o.width.max(l.width) / 2.0) + 4.0;
                    o.pos >= l.from - tol && o.pos <= l.to + tol && l.pos >= o.from - tol && l.pos <= o.to + tol
                })
                .count();
            if meets < 2 {
                keep[i] = false;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    lines.iter().zip(keep).filter(|(_, k)| *k).map(|(l, _)| *l).collect()
}

/// Paints the ruling lines white (only their own band), so the text beside them is read alone.
pub fn erase(img: &mut GrayImage, lines: &[Line]) {
    let (w, h) = (img.width() as i64, img.height() as i64);
    for l in lines {
        let half = (l.width / 2.0).ceil() as i64 + 1;
        let (p0, p1) = (l.pos.round() as i64 - half, l.pos.round() as i64 + half);
        for a in l.from.floor() as i64..=l.to.ceil() as i64 {
            for p in p0..=p1 {
                let (x, y) = if l.horizontal { (a, p) } else { (p, a) };
                if x >= 0 && y >= 0 && x < w && y < h {
                    img.put_pixel(x as u32, y as u32, image::Luma([255]));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_on_a_thick_border_move_to_its_middle() {
        let line = |horizontal, pos, from, to, width| Line { horizontal, pos, from, to, width };
        let lines = [line(true, 100.0, 47.0, 953.0, 4.0), line(false, 50.0, 98.0, 600.0, 7.0), line(false, 950.0, 98.0, 600.0, 7.0), line(false, 500.0, 200.0, 600.0, 3.0)];
        let s = snapped(&lines);
        assert_eq!((s[0].from, s[0].to), (50.0, 950.0));
        // The vertical borders start on the top line's middle; the inner line, far from any end, stays.
        assert_eq!(s[1].from, 100.0);
        assert_eq!((s[3].from, s[3].to), (200.0, 600.0));
    }

    /// A page with three "text lines" of short dashes and a ruled box.
    fn page() -> GrayImage {
        let mut img = GrayImage::from_pixel(800, 600, image::Luma([255]));
        for line in 0..3 {
            let y = 100 + line * 60;
            for word in 0..20 {
                for x in (40 + word * 30)..(60 + word * 30) {
                    for t in 0..12 {
                        img.put_pixel(x, y + t, image::Luma([0]));
                    }
                }
            }
        }
        for x in 50..750 {
            for t in 0..3 {
                img.put_pixel(x, 400 + t, image::Luma([0]));
                img.put_pixel(x, 550 + t, image::Luma([0]));
            }
        }
        for y in 400..553 {
            for t in 0..3 {
                img.put_pixel(50 + t, y, image::Luma([0]));
                img.put_pixel(400 + t, y, image::Luma([0]));
                img.put_pixel(747 + t, y, image::Luma([0]));
            }
        }
        img
    }

    #[test]
    fn uneven_light_is_evened_out() {
        // The page in a shadow growing to the right: paper from 255 down to 150.
        let mut img = page();
        let w = img.width();
        for (x, _, p) in img.enumerate_pixels_mut() {
            let light = 1.0 - 0.4 * x as f64 / w as f64;
            p.0[0] = (p.0[0] as f64 * light) as u8;
        }
        let flat = flatten(&img);
        assert!(flat.get_pixel(780, 20).0[0] >= 245, "{}", flat.get_pixel(780, 20).0[0]);
        assert!(flat.get_pixel(45, 105).0[0] <= 10);
        let t = otsu(&flat);
        let lines = ruling_lines(&flat, line_threshold(&flat, t), t, 100, 8);
        assert_eq!(lines.len(), 5, "{lines:?}");
    }

    #[test]
    fn faint_ink_is_darkened_and_dark_ink_left_alone() {
        // A blurred photograph: the strokes a mid grey on greyish paper.
        let mut faint = page();
        for p in faint.pixels_mut() {
            p.0[0] = if p.0[0] == 0 { 120 } else { 240 };
        }
        let dark = stretch(&faint);
        assert_eq!(dark.get_pixel(45, 105).0[0], 0, "the ink");
        assert_eq!(dark.get_pixel(780, 20).0[0], 255, "the paper");
        // Ink already black: nothing changes.
        assert_eq!(stretch(&page()), page());
        // A blank page has no ink to darken.
        let blank = GrayImage::from_pixel(100, 100, image::Luma([230]));
        assert_eq!(stretch(&blank), blank);
    }

    #[test]
    fn the_threshold_separates_ink_from_paper() {
        let t = otsu(&page());
        assert!(t < 255 && t > 0, "{t}");
        assert_eq!(paper(&page(), t), 255);
        // A grey one-pixel line (anti-aliased) is a line, though lighter than the ink threshold.
        let mut img = page();
        for x in 50..750 {
            img.put_pixel(x, 300, image::Luma([170]));
            img.put_pixel(x, 301, image::Luma([215]));
        }
        let t = otsu(&img);
        assert!(t < 170, "{t}");
        let lines = ruling_lines(&img, line_threshold(&img, t), t, 100, 8);
        assert!(lines.iter().any(|l| l.horizontal && (l.pos - 300.0).abs() < 1.0), "{lines:?}");
    }

    #[test]
    fn a_tilted_page_is_measured_and_straightened() {
        let straight = page();
        for tilt in [-2.5, -1.0, 1.5, 3.0] {
            let tilted = rotate(&straight, tilt);
            let found = skew_angle(&tilted, 128, 4.0);
            assert!((found + tilt).abs() <= 0.15, "tilt {tilt}: found {found}");
        }
        assert!(skew_angle(&straight, 128, 4.0).abs() < 0.05);
    }

    #[test]
    fn ruling_lines_are_found_and_text_is_not_a_line() {
        let img = page();
        let lines = ruling_lines(&img, 128, 128, 100, 8);
        let h: Vec<_> = lines.iter().filter(|l| l.horizontal).collect();
        let v: Vec<_> = lines.iter().filter(|l| !l.horizontal).collect();
        assert_eq!(h.len(), 2, "{lines:?}");
        assert_eq!(v.len(), 3, "{lines:?}");
        assert!((h[0].pos - 401.0).abs() < 0.6 && h[0].from <= 51.0 && h[0].to >= 749.0, "{:?}", h[0]);
        let mut erased = img.clone();
        erase(&mut erased, &lines);
        assert!(ruling_lines(&erased, 128, 128, 100, 8).is_empty());
        // The text is still there.
        assert_eq!(erased.get_pixel(45, 105).0[0], 0);
    }

    /// Paper with a horizontal line at `y` drawn dark over `dark` and faint (a light grey, a
    /// pixel higher every 60 pixels, as a photographed thin line wanders) over `faint`.
    fn line_with_faint_stretch(img: &mut GrayImage, y: u32, dark: &[std::ops::Range<u32>], faint: std::ops::Range<u32>) {
        for r in dark {
            for x in r.clone() {
                for t in 0..3 {
                    img.put_pixel(x, y + t, image::Luma([60]));
                }
            }
        }
        for x in faint {
            let wander = (x / 60) % 2;
            img.put_pixel(x, y + wander, image::Luma([228]));
            img.put_pixel(x, y + wander + 1, image::Luma([236]));
        }
    }

    #[test]
    fn pieces_of_a_line_are_joined_over_its_faint_stretch_and_a_cell_spanning_rows_stays_open() {
        let mut img = GrayImage::from_pixel(1000, 700, image::Luma([255]));
        // Text elsewhere on the page, so the thresholds are a page's.
        for x in (100..900).step_by(40) {
            for y in 600..630 {
                for t in 0..12 {
                    img.put_pixel(x + t, y, image::Luma([0]));
                }
            }
        }
        line_with_faint_stretch(&mut img, 200, &[50..400, 700..950], 400..700);
        // A cell spanning the rows above and below y = 400: no line between the pieces.
        line_with_faint_stretch(&mut img, 400, &[50..400, 700..950], 0..0);
        // The same, with the spanning cell's text standing where the line would be.
        line_with_faint_stretch(&mut img, 500, &[50..400, 700..950], 0..0);
        for x in 420..680 {
            for y in 480..525 {
                if x % 9 < 4 {
                    img.put_pixel(x, y, image::Luma([0]));
                }
            }
        }
        let t = otsu(&img);
        let lines = ruling_lines(&img, line_threshold(&img, t), t, 100, 8);
        let at = |y: f64| lines.iter().filter(|l| l.horizontal && (l.pos - y).abs() < 3.0).map(|l| (l.from, l.to)).collect::<Vec<_>>();
        assert_eq!(at(201.0), vec![(50.0, 950.0)], "{lines:?}");
        assert_eq!(at(401.0), vec![(50.0, 400.0), (700.0, 950.0)], "{lines:?}");
        assert_eq!(at(501.0), vec![(50.0, 400.0), (700.0, 950.0)], "{lines:?}");
    }

    #[test]
    fn a_line_left_a_little_askew_is_found_by_its_thickness() {
        // Three pixels thick, falling six pixels over 900 (0.4°): it covers nine rows.
        let mut img = GrayImage::from_pixel(1000, 400, image::Luma([255]));
        for x in 50..950 {
            let y = 200 + (x - 50) * 6 / 900;
            for t in 0..3 {
                img.put_pixel(x, y + t, image::Luma([0]));
            }
        }
        let lines = ruling_lines(&img, 128, 128, 100, 8);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].horizontal && lines[0].from <= 51.0 && lines[0].to >= 949.0, "{lines:?}");
        // A filled bar as thick is no line.
        let mut bar = GrayImage::from_pixel(1000, 400, image::Luma([255]));
        for x in 50..950 {
            for y in 200..209 {
                bar.put_pixel(x, y, image::Luma([0]));
            }
        }
        assert!(ruling_lines(&bar, 128, 128, 100, 8).is_empty());
    }

    #[test]
    fn a_short_fragment_inside_a_cell_is_not_a_table_line() {
        let line = |horizontal, pos, from, to| Line { horizontal, pos, from, to, width: 3.0 };
        let lines = vec![
            line(true, 100.0, 0.0, 1000.0),
            line(true, 240.0, 0.0, 1000.0),
            line(false, 0.0, 100.0, 240.0),
            line(false, 150.0, 100.0, 240.0),
            line(false, 300.0, 100.0, 240.0),
            line(false, 1000.0, 100.0, 240.0),
            // A cell's own border between two verticals: kept.
            line(true, 170.0, 150.0, 300.0),
            // A piece of a seal's ring inside a cell, meeting one vertical: dropped.
            line(true, 125.0, 180.0, 320.0),
            // A fragment meeting nothing.
            line(false, 600.0, 120.0, 220.0),
        ];
        let kept = in_tables(&lines, 300.0);
        assert_eq!(kept.len(), 7, "{kept:?}");
        assert!(kept.iter().any(|l| l.horizontal && l.pos == 170.0));
        assert!(!kept.iter().any(|l| l.pos == 125.0 || l.pos == 600.0));
        // A long line alone (a table ruled with horizontal lines only) stays.
        assert_eq!(in_tables(&[line(true, 50.0, 0.0, 900.0)], 300.0).len(), 1);
    }
}
