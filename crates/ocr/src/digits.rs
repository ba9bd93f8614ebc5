//! A second reading of doubtful numbers (free of I/O): Tesseract reads isolated digits in table
//! cells badly with the Chinese model (`5` as `。`, `0` as `>`, two cells as `Ds`). Each doubtful
//! word's crop is pasted, padded, one under the other into a tall sheet that Tesseract reads twice
//! with digits only, with the English and with the Chinese model (each misreads the lone digits of
//! some font; [`reconcile`] makes one reading of the two); each number read is mapped back to its
//! crop by its height on the sheet.
//!
//! The second reading replaces the first, with a confidence that says whether both agree: when
//! they do, the higher of the two; when they differ, below the level at which a number no
//! relation checks is kept (so only the table's arithmetic can confirm a changed reading).

use crate::tsv::Word;
use image::GrayImage;

/// Confidence given to a number whose two readings differ: under the trust rule's "very high".
pub const DIFFERING: f32 = 89.0;

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The word as a number, through the usual confusions (`O` → 0, `l`/`I`/`]` → 1); `None` when it
/// is not one.
pub fn as_number(text: &str) -> Option<String> {
    let s: String = text
        .chars()
        .map(|c| match c {
            'O' | 'o' => '0',
            'l' | 'I' | ']' => '1',
            c => c,
        })
        .collect();
    (!s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.') && s.chars().any(|c| c.is_ascii_digit())).then_some(s)
}

/// The words worth a second reading: short, no Chinese character, not a list number (`1.`),
/// about a character high, and either not a clean number or not read with high confidence.
pub fn doubtful(words: &[Word]) -> Vec<usize> {
    let mut heights: Vec<f64> = words.iter().filter(|w| w.text.chars().all(is_cjk) && w.conf >= 60.0).map(|w| w.bottom - w.top).collect();
    heights.sort_by(f64::total_cmp);
    let Some(&em) = heights.get(heights.len() / 2) else { return Vec::new() };
    let touches_chinese = |w: &Word| touches_chinese(words, w, em);
    words
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            let n = w.text.chars().count();
            let h = w.bottom - w.top;
            let list_number = w.text.ends_with('.') && w.text.trim_end_matches('.').chars().all(|c| c.is_ascii_digit());
            n <= 10
                && !w.text.chars().any(is_cjk)
                && !list_number
                && h >= 0.5 * em
                && h <= 1.6 * em
                && (w.x1 - w.x0) <= 8.0 * em
                && (as_number(&w.text).is_none() || w.conf < 95.0)
                // Punctuation or letters alone are numbers only when they sit alone (a cell).
                && (as_number(&w.text).is_some() || w.text.chars().all(|c| !c.is_alphanumeric()) || n <= 3)
                // Punctuation touching Chinese text is the label's own (`补正、行政机关`).
                && (w.text.chars().any(|c| c.is_alphanumeric()) || !touches_chinese(w))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Whether a word stands next to Chinese text on its line (within half an em): then it is part of
/// a label (`补正、行政`), not a number cell's content.
fn touches_chinese(words: &[Word], w: &Word, em: f64) -> bool {
    words.iter().any(|o| !std::ptr::eq(o, w) && o.text.chars().any(is_cjk) && o.top < w.bottom && o.bottom > w.top && (o.x0 - w.x1).max(w.x0 - o.x1) < 0.5 * em)
}

/// The crop of a word: its box with a margin of half its height, inside the image.
pub fn crop_box(w: &Word, width: u32, height: u32) -> [u32; 4] {
    let m = (w.bottom - w.top) * 0.5;
    let x0 = (w.x0 - m).max(0.0) as u32;
    let y0 = (w.top - m).max(0.0) as u32;
    let x1 = ((w.x1 + m).ceil() as u32).min(width);
    let y1 = ((w.bottom + m).ceil() as u32).min(height);
    [x0, y0, x1.max(x0 + 1), y1.max(y0 + 1)]
}

/// A cell of the ruled grid worth reading again for a number, and the words of the first reading
/// inside it (none when it looked empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub bbox: [u32; 4],
    pub words: Vec<usize>,
}

/// A word in a number cell that is no number: a short scrap (`者`, `t`, `0.`, `«0:ti<ia`, or
/// Chinese read with little confidence, `让于`) the first reading made of a digit under noise or
/// a seal.
fn scrap(w: &Word) -> bool {
    let n = w.text.chars().count();
    let number = as_number(&w.text).is_some() && !w.text.ends_with('.');
    !number && (n == 1 || (n <= 10 && !w.text.chars().any(is_cjk)) || (n <= 3 && w.conf < 60.0))
}

/// The words without specks and line residue: digits or bars far lower than a character (a
/// `1` three pixels high, a `2` of a seal's dots next to a cell's `0`), and words of bars alone
/// (`|`, what is left of an erased ruling line). They would join a cell's number (`1 0`, `20`).
pub fn without_specks(words: Vec<Word>) -> Vec<Word> {
    let mut heights: Vec<f64> = words.iter().filter(|w| w.text.chars().all(is_cjk) && w.conf >= 60.0).map(|w| w.bottom - w.top).collect();
    heights.sort_by(f64::total_cmp);
    let Some(&em) = heights.get(heights.len() / 2) else { return words };
    let bar = |c: char| matches!(c, '|' | '丨' | '¦');
    words
        .into_iter()
        .filter(|w| {
            let small = w.text.chars().all(|c| c.is_ascii_digit() || bar(c)) && w.bottom - w.top < 0.35 * em;
            !small && !w.text.chars().all(bar)
        })
        .collect()
}

/// The words with a degree sign as tall as a digit read as `0`: Tesseract's Chinese model
/// takes the narrow oval zero of some fonts (Chromium's print of a table) for `°`, which a table
/// cell never holds. The `0` is held under the trust rule's "very high" (so only arithmetic or an
/// agreeing second reading can keep it); a small raised `°` stays as it is.
pub fn degrees_as_zeros(mut words: Vec<Word>) -> Vec<Word> {
    let mut heights: Vec<f64> = words.iter().filter(|w| w.text.chars().all(is_cjk) && w.conf >= 60.0).map(|w| w.bottom - w.top).collect();
    heights.sort_by(f64::total_cmp);
    let Some(&em) = heights.get(heights.len() / 2) else { return words };
    for w in &mut words {
        if matches!(w.text.as_str(), "°" | "º") && w.bottom - w.top >= 0.5 * em {
            w.text = "0".into();
            w.conf = w.conf.min(DIFFERING);
        }
    }
    words
}

/// Cells of the ruled grid the first reading found no clean number in although numbers stand in
/// the same row of cells: a digit lost in noise, or read as a scrap. A cell qualifies when it lies
/// right of the row's first number (labels stand left of the numbers), or when its column holds
/// clean numbers in at least three other rows (a row whose first numbers were all lost); it is
/// about a cell's size, holds nothing but scraps, and none of them is already re-read as a word
/// (`picked`, from [`doubtful`]). A cell the first reading found nothing in at all qualifies
/// also when it holds ink (`ink`: pixels of solid ink in a box, at least a twentieth of an em
/// squared — a digit Tesseract skipped, not paper noise) and its column holds a clean number in
/// another row, or it lies right of the row's label: in a table of mostly empty cells a row's
/// only numbers can be lost.
/// Boxes inset from their lines.
pub fn cells_to_reread(words: &[Word], lines: &[crate::Line], picked: &[usize], ink: &dyn Fn([u32; 4]) -> usize) -> Vec<Cell> {
    let mut heights: Vec<f64> = words.iter().filter(|w| w.text.chars().all(is_cjk) && w.conf >= 60.0).map(|w| w.bottom - w.top).collect();
    heights.sort_by(f64::total_cmp);
    let Some(&em) = heights.get(heights.len() / 2) else { return Vec::new() };
    let mut ys: Vec<f64> = lines.iter().filter(|l| l.horizontal).map(|l| l.pos).collect();
    ys.sort_by(f64::total_cmp);
    ys.dedup_by(|a, b| (*a - *b).abs() < em * 0.5);
    let clean = |w: &Word| as_number(&w.text).is_some() && !w.text.ends_with('.');
    // Every row band's cells: (top, bottom, [(left, right, words inside)]), and the x of its first number.
    let mut bands = Vec::new();
    for band in ys.windows(2) {
        let (top, bottom) = (band[0], band[1]);
        // A row of a label on four lines (`5.要求行政机关确认或重新出具已获取信息`) is ten ems high.
        if bottom - top > 14.0 * em || bottom - top < 1.2 * em {
            continue;
        }
        let mid = (top + bottom) / 2.0;
        let inside: Vec<usize> = (0..words.len())
            .filter(|&i| {
                let cy = (words[i].top + words[i].bottom) / 2.0;
                cy > top && cy < bottom
            })
            .collect();
        let numbers: Vec<usize> = inside.iter().copied().filter(|&i| clean(&words[i])).collect();
        let first = numbers.iter().map(|&i| words[i].x0).fold(f64::MAX, f64::min);
        let mut xs: Vec<f64> = lines.iter().filter(|l| !l.horizontal && l.from <= mid && l.to >= mid).map(|l| l.pos).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup_by(|a, b| (*a - *b).abs() < em * 0.5);
        let cells: Vec<(f64, f64, Vec<usize>)> = xs
            .windows(2)
            .filter(|c| c[1] - c[0] <= 10.0 * em && c[1] - c[0] >= 1.0 * em)
            .map(|c| {
                let ws = inside
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let cx = (words[i].x0 + words[i].x1) / 2.0;
                        cx > c[0] && cx < c[1]
                    })
                    .collect();
                (c[0], c[1], ws)
            })
            .collect();
        // A row with no Chinese text at all and several cells is a row of numbers (表四's only
        // row) even when the first reading made nothing of them.
        let bare = cells.len() >= 3 && !inside.iter().any(|&i| words[i].text.chars().any(is_cjk) && words[i].conf >= 60.0);
        // Where the row's label ends: the middle of its last Chinese word read with confidence.
        let label_end = inside.iter().filter(|&&i| words[i].text.chars().any(is_cjk) && words[i].conf >= 60.0).map(|&i| (words[i].x0 + words[i].x1) / 2.0).fold(f64::NAN, f64::max);
        bands.push((top, bottom, numbers.len(), first, cells, bare, label_end));
    }
    // Columns by the clean numbers they hold, row by row.
    let holds_number = |b: usize, left: f64, right: f64| {
        bands[b].4.iter().any(|(l, r, ws)| (l - left).abs() < em * 0.5 && (r - right).abs() < em * 0.5 && ws.iter().any(|&i| clean(&words[i])))
    };
    let mut out = Vec::new();
    for (b, (top, bottom, count, first, cells, bare, label_end)) in bands.iter().enumerate() {
        for (left, right, ws) in cells {
            // A scrap next to Chinese text outside the cell is a piece of a label reaching in.
            let outside: Vec<Word> = (0..words.len()).filter(|i| !ws.contains(i)).map(|i| words[i].clone()).collect();
            // Scraps alone, or beside one clean number (`0 e`: the cell's text is no number).
            let loose = |i: usize| scrap(&words[i]) && !picked.contains(&i) && !touches_chinese(&outside, &words[i], em);
            let clean_ones = ws.iter().filter(|&&i| clean(&words[i]) && !picked.contains(&i)).count();
            let scraps = ws.iter().filter(|&&i| loose(i)).count();
            // Nothing read, or only guesses without confidence (a label's `。` reaching in).
            let nothing = ws.iter().all(|&i| words[i].conf < 20.0 && !words[i].text.chars().any(is_cjk) && !picked.contains(&i));
            if !(nothing || scraps == ws.len() || (clean_ones == 1 && scraps >= 1 && scraps + 1 == ws.len())) {
                continue;
            }
            let numeric = |rows: usize| (0..bands.len()).filter(|&o| o != b && holds_number(o, *left, *right)).count() >= rows;
            let right_of_numbers = *count >= 1 && *right >= *first;
            let inset = 0.2 * em;
            let bbox = [(left + inset) as u32, (top + inset) as u32, (right - inset) as u32, (bottom - inset) as u32];
            let past_label = *left >= *label_end;
            let skipped = || nothing && ink(bbox) as f64 >= 0.05 * em * em && (numeric(1) || past_label);
            if *bare || right_of_numbers || (*count >= 1 && numeric(3)) || skipped() {
                out.push(Cell { bbox, words: ws.clone() });
            }
        }
    }
    out
}

/// The confidence a number only the Chinese model's sheet reading found, in a crop where the
/// first reading found none, needs to be kept (for arithmetic to check).
const SURE_ALONE: f32 = 80.0;

/// The crop of the sheet a word read on it lies in (by the middle of its height).
fn crop_of(w: &Word, boxes: &[[u32; 4]], offsets: &[(u32, u32)]) -> Option<usize> {
    let cy = (w.top + w.bottom) / 2.0;
    offsets.iter().zip(boxes).position(|(o, b)| cy >= o.1 as f64 && cy < (o.1 + b[3] - b[1]) as f64)
}

/// Two readings of the sheet, the English model's (`a`) and the Chinese model's (`b`), made one
/// reading per crop. The English model reads most fonts' lone digits well but takes the narrow
/// oval zero of some (a Chromium print) for `6` or `.0`, where the Chinese model reads `0`.
/// Where both read the same number it is kept with the higher confidence. Where they differ the
/// crop has one reading, chosen as below, and [`merge`] holds it under the trust rule's "very
/// high" unless it agrees with the first reading, so only arithmetic can keep a changed number.
/// A dot before a number (`.0`) is the noise of a cell's edge and is dropped; one after it stays
/// (`3.` is a list number, a label's).
pub fn reconcile(a: Vec<Word>, b: Vec<Word>, boxes: &[[u32; 4]], offsets: &[(u32, u32)], firsts: &[Option<String>]) -> Vec<Word> {
    let mut by_crop: Vec<[Vec<Word>; 2]> = vec![[Vec::new(), Vec::new()]; boxes.len()];
    for (side, reading) in [a, b].into_iter().enumerate() {
        for mut w in reading {
            let Some(k) = crop_of(&w, boxes, offsets) else { continue };
            let trimmed = w.text.trim_start_matches('.');
            if trimmed.is_empty() {
                continue;
            }
            w.text = trimmed.to_string();
            by_crop[k][side].push(w);
        }
    }
    let text = |ws: &[Word]| ws.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
    let surest = |ws: &[Word]| ws.iter().map(|w| w.conf).fold(f32::NEG_INFINITY, f32::max);
    let mut out = Vec::new();
    for (k, [wa, wb]) in by_crop.into_iter().enumerate() {
        let (ta, tb) = (text(&wa), text(&wb));
        if wa.is_empty() && wb.is_empty() {
            continue;
        }
        if ta == tb {
            let conf = surest(&wa).max(surest(&wb));
            out.extend(wa.into_iter().map(|w| Word { conf: w.conf.max(conf), ..w }));
            continue;
        }
        // They differ (or one read nothing): the one the page's first reading agrees with; else,
        // when both read a number, the surer; else the English reading alone. A Chinese reading
        // alone, of a crop with no number in the first reading, is kept only when sure: the first
        // reading was the Chinese model's too and found none there.
        let first = firsts.get(k).and_then(|f| f.as_deref());
        if !wb.is_empty() && first == Some(tb.as_str()) {
            out.extend(wb);
        } else if !wa.is_empty() && first == Some(ta.as_str()) {
            out.extend(wa);
        } else if !wa.is_empty() && !wb.is_empty() && surest(&wb) > surest(&wa) {
            out.extend(wb);
        } else if !wa.is_empty() {
            out.extend(wa);
        } else if first.is_some() || surest(&wb) >= SURE_ALONE {
            out.extend(wb);
        }
    }
    out
}

/// Numbers read in crops `from..` of the sheet (cells with no clean number in the first reading):
/// each with its crop's index, at its place on the page, never with a confidence that keeps it
/// without arithmetic.
pub fn found_in_empty(again: &[Word], boxes: &[[u32; 4]], offsets: &[(u32, u32)], from: usize, line: (u32, u32, u32)) -> Vec<(usize, Word)> {
    let mut out = Vec::new();
    for a in again {
        let Some(k) = crop_of(a, boxes, offsets) else { continue };
        if k < from || as_number(&a.text).is_none() || !a.text.chars().all(|c| c.is_ascii_digit() || c == '.') {
            continue;
        }
        let (dx, dy) = (boxes[k][0] as f64 - offsets[k].0 as f64, boxes[k][1] as f64 - offsets[k].1 as f64);
        out.push((k, Word { x0: a.x0 + dx, x1: a.x1 + dx, top: a.top + dy, bottom: a.bottom + dy, conf: a.conf.min(DIFFERING), text: a.text.clone(), line }));
    }
    out
}

/// Below this confidence a second reading that runs across vertical ruling lines with other than
/// one digit per cell ([`one_digit_per_cell`]) is a guess: its digits cannot be shared among the
/// cells it spans (`.3` over two cells).
pub const GUESS: f32 = 50.0;

/// How many vertical ruling lines a word runs across: one word made of several cells' digits.
pub fn lines_across(w: &Word, lines: &[crate::Line]) -> usize {
    let cy = (w.top + w.bottom) / 2.0;
    lines.iter().filter(|l| !l.horizontal && l.from <= cy && l.to >= cy && l.pos > w.x0 + l.width && l.pos < w.x1 - l.width).count()
}

/// Whether a word within one cell, or running across cells with one digit for each (`05` over
/// two cells, split right by their widths), can be placed.
pub fn one_digit_per_cell(w: &Word, lines: &[crate::Line]) -> bool {
    let across = lines_across(w, lines);
    across == 0 || w.text.chars().filter(|c| c.is_ascii_digit()).count() == across + 1
}

/// The words of the first reading cut at the vertical ruling lines they run across: on a noisy
/// scan Tesseract joins a row's lone digits into one word (`0.0` over two cells, `08`, a `1` or a
/// `上` stretched over a whole row). Each character goes to the cell its share of the word's width
/// falls in, and dots at a part's ends are dropped (the noise between two cells), when every part
/// is a number. A word with fewer
/// characters than the cells it spans cannot be shared among them: read with less than [`GUESS`]
/// it is no reading (its cells then count as empty and are read again), else it stays whole.
/// Chinese words of more than one character are labels, kept to one side of a line by the caller.
pub fn split_at_lines(words: Vec<Word>, lines: &[crate::Line]) -> Vec<Word> {
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        let chars: Vec<char> = w.text.chars().collect();
        if chars.len() > 1 && chars.iter().any(|&c| is_cjk(c)) {
            out.push(w);
            continue;
        }
        let cy = (w.top + w.bottom) / 2.0;
        let mut xs: Vec<f64> = lines.iter().filter(|l| !l.horizontal && l.from <= cy && l.to >= cy && l.pos > w.x0 + l.width && l.pos < w.x1 - l.width).map(|l| l.pos).collect();
        if xs.is_empty() {
            out.push(w);
            continue;
        }
        xs.sort_by(f64::total_cmp);
        let unit = (w.x1 - w.x0) / chars.len() as f64;
        // Each part: (left, right, first char, last char + 1).
        let mut bounds = vec![w.x0];
        bounds.extend(&xs);
        bounds.push(w.x1);
        let mut parts: Vec<(f64, f64, String)> = bounds.windows(2).map(|b| (b[1], b[0], String::new())).collect();
        for (i, &c) in chars.iter().enumerate() {
            let (a, b) = (w.x0 + i as f64 * unit, w.x0 + (i + 1) as f64 * unit);
            let cx = (a + b) / 2.0;
            let k = bounds.windows(2).position(|s| cx < s[1]).unwrap_or(parts.len() - 1);
            let p = &mut parts[k];
            p.0 = p.0.min(a.max(bounds[k]));
            p.1 = p.1.max(b.min(bounds[k + 1]));
            p.2.push(c);
        }
        let trimmed: Vec<String> = parts.iter().map(|p| p.2.trim_matches(|c| c == '.' || c == ',').to_string()).collect();
        if trimmed.iter().any(|t| t.is_empty()) {
            if w.conf >= GUESS {
                out.push(w);
            }
            continue;
        }
        // Only numbers are shared among cells; anything else (`0n`) stays one word, read again whole.
        if !trimmed.iter().all(|t| as_number(t).is_some()) {
            out.push(w);
            continue;
        }
        for (p, text) in parts.into_iter().zip(trimmed) {
            out.push(Word { x0: p.0, x1: p.1, text, ..w.clone() });
        }
    }
    out
}

/// Gap between two crops on the sheet, and the margin around them, in pixels.
const GAP: u32 = 40;

/// The crops pasted one under the other on white paper; the sheet and the top-left corner of each.
pub fn sheet(img: &GrayImage, boxes: &[[u32; 4]]) -> (GrayImage, Vec<(u32, u32)>) {
    let width = boxes.iter().map(|b| b[2] - b[0]).max().unwrap_or(1) + 2 * GAP;
    let height = boxes.iter().map(|b| b[3] - b[1] + GAP).sum::<u32>() + GAP;
    let mut out = GrayImage::from_pixel(width, height, image::Luma([255]));
    let mut offsets = Vec::with_capacity(boxes.len());
    let mut y = GAP;
    for b in boxes {
        for yy in b[1]..b[3] {
            for xx in b[0]..b[2] {
                if xx < img.width() && yy < img.height() {
                    out.put_pixel(GAP + xx - b[0], y + yy - b[1], *img.get_pixel(xx, yy));
                }
            }
        }
        offsets.push((GAP, y));
        y += b[3] - b[1] + GAP;
    }
    (out, offsets)
}

/// The words with each re-read word in place of the first reading: a number read again in crop
/// `k` (by the middle of its height on the sheet) replaces `words[picks[k]]`, at the same place on
/// the page. A crop the second reading found nothing in (or only a number across a ruling line,
/// [`one_digit_per_cell`]) keeps its first reading.
pub fn merge(words: Vec<Word>, picks: &[usize], boxes: &[[u32; 4]], offsets: &[(u32, u32)], again: &[Word], lines: &[crate::Line]) -> Vec<Word> {
    let mut found: Vec<Vec<&Word>> = vec![Vec::new(); picks.len()];
    for a in again {
        if let Some(k) = crop_of(a, boxes, offsets) {
            let (dx, dy) = (boxes[k][0] as f64 - offsets[k].0 as f64, boxes[k][1] as f64 - offsets[k].1 as f64);
            let placed = Word { x0: a.x0 + dx, x1: a.x1 + dx, top: a.top + dy, bottom: a.bottom + dy, ..a.clone() };
            if as_number(&a.text).is_some() && a.text.chars().all(|c| c.is_ascii_digit() || c == '.') && !(a.conf < GUESS && !one_digit_per_cell(&placed, lines)) {
                found[k].push(a);
            }
        }
    }
    let mut replaced = vec![false; words.len()];
    let mut extra = Vec::new();
    for (k, &i) in picks.iter().enumerate() {
        if found[k].is_empty() {
            continue;
        }
        let first = &words[i];
        let old = as_number(&first.text);
        let agree = found[k].len() == 1 && old.as_deref() == Some(found[k][0].text.trim_matches('.'));
        replaced[i] = true;
        for a in &found[k] {
            let (dx, dy) = (boxes[k][0] as f64 - offsets[k].0 as f64, boxes[k][1] as f64 - offsets[k].1 as f64);
            let conf = if agree { a.conf.max(first.conf) } else { a.conf.min(DIFFERING) };
            extra.push(Word { x0: a.x0 + dx, x1: a.x1 + dx, top: a.top + dy, bottom: a.bottom + dy, conf, text: a.text.clone(), line: first.line });
        }
    }
    let mut out: Vec<Word> = words.into_iter().zip(replaced).filter(|(_, r)| !r).map(|(w, _)| w).collect();
    out.extend(extra);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x0: f64, top: f64, conf: f32) -> Word {
        let wide = if text.chars().any(is_cjk) { 50.0 } else { 27.0 } * text.chars().count() as f64;
        Word { x0, top, x1: x0 + wide, bottom: top + 46.0, conf, text: text.into(), line: (1, 1, 1) }
    }

    #[test]
    fn cells_without_a_clean_number_among_numbers_are_read_again_and_label_cells_are_not() {
        let line = |horizontal, pos, from, to| crate::Line { horizontal, pos, from, to, width: 4.0 };
        // Six rows of a table: labels in 0..400, numbers in 400..600, 600..800, 800..1000.
        let mut lines: Vec<crate::Line> = (0..=6).map(|r| line(true, r as f64 * 100.0, 0.0, 1000.0)).collect();
        lines.extend([0.0, 400.0, 600.0, 800.0, 1000.0].map(|x| line(false, x, 0.0, 600.0)));
        let row = |r: usize, cells: [&str; 3]| {
            let y = r as f64 * 100.0 + 27.0;
            let mut ws = vec![word("申请", 50.0, y, 97.0), word("公开", 250.0, y, 97.0)];
            for (k, t) in cells.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
                ws.push(word(t, 480.0 + 200.0 * k as f64, y, 90.0));
            }
            ws
        };
        let mut words = Vec::new();
        // Row 0: the middle cell empty. Row 1: a scrap where a digit was. Row 2: only the last
        // number read, the first column's number read as `0.`. Rows 3-5: clean.
        for (r, cells) in [["3", "", "3"], ["3", "者", "3"], ["0.", "", "7"], ["1", "2", "3"], ["4", "5", "9"], ["0", "0", "0"]].iter().enumerate() {
            words.extend(row(r, *cells));
        }
        let cells = cells_to_reread(&words, &lines, &[], &|_| 0);
        let at = |r: usize, left: u32| cells.iter().find(|c| c.bbox[1] > r as u32 * 100 && c.bbox[3] < (r as u32 + 1) * 100 && c.bbox[0] > left && c.bbox[2] < left + 200);
        assert_eq!(cells.len(), 4, "{cells:?}");
        assert!(at(0, 600).is_some_and(|c| c.words.is_empty()));
        let scrap = at(1, 600).expect("the scrap's cell");
        assert_eq!(scrap.words.len(), 1);
        assert_eq!(words[scrap.words[0]].text, "者");
        // Left of the row's only number, but in a column of numbers.
        assert!(at(2, 400).is_some_and(|c| words[c.words[0]].text == "0."));
        assert!(at(2, 600).is_some());
        // Label cells never; a scrap already re-read as a word is not read twice.
        assert!(cells.iter().all(|c| c.bbox[0] > 400));
        let picked = [words.iter().position(|w| w.text == "者").unwrap()];
        assert_eq!(cells_to_reread(&words, &lines, &picked, &|_| 0).len(), 3);
    }

    #[test]
    fn doubtful_numbers_are_picked_and_labels_are_not() {
        let words = vec![
            word("申请", 0.0, 0.0, 97.0),
            word("补正", 0.0, 100.0, 92.0),
            word("。", 1065.0, 100.0, 49.0),
            word("0", 1289.0, 100.0, 74.0),
            word("0", 1400.0, 100.0, 97.0),
            word("Ds", 2026.0, 100.0, 32.0),
            word("1.", 600.0, 200.0, 91.0),
            word("(七", 600.0, 300.0, 85.0),
            word("Office", 600.0, 400.0, 50.0),
        ];
        assert_eq!(doubtful(&words), vec![2, 3, 5]);
        // A label's own punctuation, between its characters, is no number.
        let label = vec![word("补正", 0.0, 0.0, 97.0), word("、", 100.0, 0.0, 60.0), word("行政", 130.0, 0.0, 97.0), word("申请", 0.0, 100.0, 97.0)];
        assert!(doubtful(&label).is_empty());
    }

    #[test]
    fn a_second_reading_replaces_the_first_and_says_whether_they_agree() {
        let words = vec![word("公开", 0.0, 0.0, 97.0), word("。", 1000.0, 100.0, 49.0), word("0", 1200.0, 100.0, 74.0)];
        let picks = vec![1, 2];
        let boxes: Vec<[u32; 4]> = picks.iter().map(|&i| crop_box(&words[i], 3000, 3000)).collect();
        let img = GrayImage::from_pixel(3000, 3000, image::Luma([255]));
        let (sheet, offsets) = sheet(&img, &boxes);
        assert_eq!(sheet.height(), boxes.iter().map(|b| b[3] - b[1] + GAP).sum::<u32>() + GAP);
        // Tesseract's second reading, in sheet coordinates: `5` in the first crop, `0` in the second.
        let at = |k: usize, text: &str, conf: f32| Word { x0: 63.0, top: offsets[k].1 as f64 + 23.0, x1: 90.0, bottom: offsets[k].1 as f64 + 69.0, conf, text: text.into(), line: (1, 1, 1) };
        let again = vec![at(0, "5", 93.0), at(1, "0", 91.0)];
        let merged = merge(words, &picks, &boxes, &offsets, &again, &[]);
        assert_eq!(merged.len(), 3);
        let five = merged.iter().find(|w| w.text == "5").unwrap();
        // Differing readings: never "very high"; back at the first reading's place on the page.
        assert_eq!(five.conf, DIFFERING);
        assert!((five.x0 - 1000.0).abs() < 1.0 && (five.top - 100.0).abs() < 1.0, "{five:?}");
        let zero = merged.iter().find(|w| w.text == "0").unwrap();
        assert_eq!(zero.conf, 91.0);
        assert!(merged.iter().all(|w| w.text != "。"));
    }

    #[test]
    fn words_run_across_cells_are_cut_at_the_lines_or_dropped_when_they_cannot_be_shared() {
        let v = |x: f64| crate::Line { horizontal: false, pos: x, from: 0.0, to: 3000.0, width: 5.0 };
        // The last two cells of a row of 表三 (其他 | 总计) and a whole row of 表四.
        let lines = [v(2020.6), v(2155.6), v(2244.4)];
        let w = |text: &str, x0: f64, x1: f64, conf: f32| Word { x0, x1, top: 1248.0, bottom: 1294.0, conf, text: text.into(), line: (1, 1, 1) };
        let cut = split_at_lines(vec![w("0.0", 2074.0, 2214.0, 25.0), w("08", 2074.0, 2214.0, 51.0), w("7", 1095.0, 1123.0, 97.0)], &lines);
        let texts: Vec<(&str, bool)> = cut.iter().map(|w| (w.text.as_str(), w.x1 <= 2155.6)).collect();
        assert_eq!(texts, [("0", true), ("0", false), ("0", true), ("8", false), ("7", true)]);
        assert!(cut.iter().all(|p| p.x1 <= 2155.6 || p.x0 >= 2155.6), "{cut:?}");
        // One character over a row of cells: no reading, unless Tesseract was sure of it.
        let row = [v(373.0), v(534.4), v(695.0), v(830.0)];
        assert!(split_at_lines(vec![w("上", 291.0, 2218.0, 22.0)], &row).is_empty());
        assert_eq!(split_at_lines(vec![w("1", 291.0, 900.0, 80.0)], &row).len(), 1);
        // Labels stay whole; a word between two lines is untouched.
        let label = w("文件", 2100.0, 2200.0, 91.0);
        assert_eq!(split_at_lines(vec![label.clone()], &lines), vec![label]);
        let zero = w("0", 2180.0, 2210.0, 40.0);
        assert_eq!(split_at_lines(vec![zero.clone()], &lines), vec![zero]);
    }

    #[test]
    fn specks_and_line_residue_are_no_words() {
        let mut words = vec![word("公开", 0.0, 0.0, 97.0), word("申请", 200.0, 0.0, 97.0), word("0", 1828.0, 100.0, 96.0)];
        // A `1` three pixels high beside the `0`, a bar left of an erased line, a `2` of a seal's dots.
        words.push(Word { x0: 1784.0, x1: 1785.0, top: 120.0, bottom: 123.0, conf: 61.0, text: "1".into(), line: (1, 1, 1) });
        words.push(word("|", 1612.0, 100.0, 23.0));
        words.push(Word { x0: 1484.0, x1: 1520.0, top: 121.0, bottom: 132.0, conf: 29.0, text: "2".into(), line: (1, 1, 1) });
        // A full stop of a label stays.
        words.push(Word { x0: 400.0, x1: 410.0, top: 130.0, bottom: 140.0, conf: 90.0, text: "。".into(), line: (1, 1, 1) });
        let kept: Vec<String> = without_specks(words).into_iter().map(|w| w.text).collect();
        assert_eq!(kept, ["公开", "申请", "0", "。"]);
    }

    #[test]
    fn a_cell_with_a_number_and_scraps_is_read_again_and_one_with_two_numbers_is_not() {
        let line = |horizontal, pos, from, to| crate::Line { horizontal, pos, from, to, width: 4.0 };
        let mut lines: Vec<crate::Line> = (0..=2).map(|r| line(true, r as f64 * 100.0, 0.0, 1000.0)).collect();
        lines.extend([0.0, 400.0, 600.0, 800.0, 1000.0].map(|x| line(false, x, 0.0, 200.0)));
        let mut words = vec![word("申请", 50.0, 27.0, 97.0), word("0", 440.0, 27.0, 97.0), word("0", 640.0, 27.0, 97.0), word("e", 700.0, 27.0, 30.0), word("0", 840.0, 27.0, 97.0)];
        words.extend([word("申请", 50.0, 127.0, 97.0), word("0", 440.0, 127.0, 97.0), word("1", 620.0, 127.0, 97.0), word("0", 700.0, 127.0, 97.0), word("0", 840.0, 127.0, 97.0)]);
        let cells = cells_to_reread(&words, &lines, &[], &|_| 0);
        assert_eq!(cells.len(), 1, "{cells:?}");
        assert_eq!(cells[0].words.len(), 2);
        assert!(cells[0].bbox[0] > 600 && cells[0].bbox[3] < 100);
    }

    #[test]
    fn an_empty_cell_with_ink_in_a_column_of_numbers_is_read_again() {
        let line = |horizontal, pos, from, to| crate::Line { horizontal, pos, from, to, width: 4.0 };
        // 表三 of a small office: row 0 lost its only numbers, row 1 (总计) kept them, row 2 is empty.
        let mut lines: Vec<crate::Line> = (0..=3).map(|r| line(true, r as f64 * 100.0, 0.0, 1000.0)).collect();
        lines.extend([0.0, 400.0, 600.0, 800.0, 1000.0].map(|x| line(false, x, 0.0, 300.0)));
        let mut words = vec![word("本年新收", 50.0, 27.0, 97.0), word("总计", 50.0, 127.0, 97.0), word("2", 440.0, 127.0, 97.0), word("其他", 50.0, 227.0, 97.0)];
        // A second label cell further right: the row's label does not end before the inked cell.
        words.push(word("结转", 620.0, 27.0, 97.0));
        // Ink where a digit was: row 0's cell under the 2, and (paper noise) row 2's.
        let ink = |b: [u32; 4]| if b[1] < 100 && b[0] > 400 && b[2] < 600 { 400 } else { 20 };
        let cells = cells_to_reread(&words, &lines, &[], &ink);
        // Row 1's cells right of its number, and row 0's inked cell; nothing of row 2.
        assert_eq!(cells.len(), 3, "{cells:?}");
        assert!(cells.iter().any(|c| c.bbox[0] > 400 && c.bbox[2] < 600 && c.bbox[3] < 100 && c.words.is_empty()));
        assert!(cells.iter().all(|c| c.bbox[1] < 200));
        // Without a number in the column, ink alone is no reason, unless right of the row's label.
        words.retain(|w| w.text != "2");
        assert!(cells_to_reread(&words, &lines, &[], &ink).is_empty());
        words.retain(|w| w.text != "结转");
        let cells = cells_to_reread(&words, &lines, &[], &ink);
        assert_eq!(cells.len(), 1, "{cells:?}");
        assert!(cells[0].bbox[0] > 400 && cells[0].bbox[3] < 100);
    }

    #[test]
    fn a_row_of_cells_without_any_reading_and_without_labels_is_read_again() {
        let line = |horizontal, pos, from, to| crate::Line { horizontal, pos, from, to, width: 4.0 };
        // A header row with labels and 表四's row of numbers the first reading lost entirely.
        let mut lines: Vec<crate::Line> = [0.0, 100.0, 200.0].iter().map(|&y| line(true, y, 0.0, 1000.0)).collect();
        lines.extend([0.0, 200.0, 400.0, 600.0, 800.0, 1000.0].map(|x| line(false, x, 0.0, 200.0)));
        let mut words: Vec<Word> = (0..5).map(|k| word("结果", 40.0 + 200.0 * k as f64, 27.0, 96.0)).collect();
        assert_eq!(cells_to_reread(&words, &lines, &[], &|_| 0).len(), 5);
        assert!(cells_to_reread(&words, &lines, &[], &|_| 0).iter().all(|c| c.bbox[1] > 100));
        // A row whose cells hold Chinese text is no row of numbers.
        words.extend((0..5).map(|k| word("维持", 40.0 + 200.0 * k as f64, 127.0, 96.0)));
        assert!(cells_to_reread(&words, &lines, &[], &|_| 0).is_empty());
    }

    #[test]
    fn a_word_across_cells_is_placed_only_with_one_digit_per_cell() {
        let v = |x: f64| crate::Line { horizontal: false, pos: x, from: 0.0, to: 2000.0, width: 5.0 };
        let lines = [v(1971.0), v(2107.0), v(2245.0)];
        let w = |text: &str, x0: f64, x1: f64| Word { x0, x1, top: 984.0, bottom: 1029.0, conf: 10.0, text: text.into(), line: (1, 1, 1) };
        assert_eq!(lines_across(&w("05", 2026.0, 2189.0), &lines), 1);
        assert!(one_digit_per_cell(&w("05", 2026.0, 2189.0), &lines));
        assert!(!one_digit_per_cell(&w(".3", 2026.0, 2189.0), &lines));
        assert!(!one_digit_per_cell(&w("105", 2026.0, 2189.0), &lines));
        assert!(one_digit_per_cell(&w("105", 2000.0, 2090.0), &lines));
    }

    #[test]
    fn the_two_sheet_readings_agree_or_the_one_the_first_reading_or_confidence_backs_is_kept() {
        // Four crops, 100 px high each, one under the other on the sheet.
        let boxes = [[0, 0, 60, 100]; 5];
        let offsets: Vec<(u32, u32)> = (0..5).map(|k| (40, 40 + 140 * k)).collect();
        let at = |k: u32, text: &str, conf: f32| Word { x0: 50.0, x1: 70.0, top: 70.0 + 140.0 * k as f64, bottom: 100.0 + 140.0 * k as f64, conf, text: text.into(), line: (1, 1, 1) };
        let english = vec![at(0, "0", 40.0), at(1, "6", 0.0), at(2, ".0", 0.0), at(3, "20", 0.0)];
        let chinese = vec![at(0, "0", 85.0), at(1, "0", 70.0), at(2, "0", 30.0), at(4, "1", 57.0)];
        let firsts = [None, Some("8".to_string()), Some("0".to_string()), Some("1".to_string()), None];
        let got: Vec<(String, f32)> = reconcile(english, chinese, &boxes, &offsets, &firsts).into_iter().map(|w| (w.text, w.conf)).collect();
        assert_eq!(
            got,
            vec![
                // Both read 0: the surer confidence.
                ("0".to_string(), 85.0),
                // Both differ from the first reading's 8: the surer.
                ("0".to_string(), 70.0),
                // The Chinese reading agrees with the first; the English `.0` loses its dot anyway.
                ("0".to_string(), 30.0),
                // Only the English model read anything: it stands alone.
                ("20".to_string(), 0.0),
                // A Chinese reading alone, unsure, where the first reading found no number: dropped.
            ]
        );
    }

    #[test]
    fn a_degree_sign_as_tall_as_a_digit_is_a_doubtful_zero_and_a_raised_one_is_not() {
        let mut words: Vec<Word> = (0..5).map(|k| word("申请", 100.0 * k as f64, 0.0, 96.0)).collect();
        words.push(Word { x0: 600.0, x1: 620.0, top: 0.0, bottom: 40.0, conf: 93.0, text: "°".into(), line: (1, 1, 1) });
        words.push(Word { x0: 700.0, x1: 710.0, top: 0.0, bottom: 12.0, conf: 93.0, text: "°".into(), line: (1, 1, 1) });
        let out = degrees_as_zeros(words);
        assert_eq!((out[5].text.as_str(), out[5].conf), ("0", DIFFERING));
        assert_eq!(out[6].text, "°");
    }
}
