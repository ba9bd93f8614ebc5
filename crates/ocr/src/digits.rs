//! A second reading of doubtful numbers (free of I/O): Tesseract reads isolated digits in table
//! cells badly with the Chinese model (`5` as `。`, `0` as `>`, two cells as `Ds`). Each doubtful
//! word's crop is pasted, padded, one under the other into a tall sheet that Tesseract reads once
//! with digits only; each number read is mapped back to its crop by its height on the sheet.
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
fn as_number(text: &str) -> Option<String> {
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
        })
        .map(|(i, _)| i)
        .collect()
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

/// Cells of the ruled grid where the first reading found nothing although numbers stand in the
/// same row of cells to their left: a digit lost in noise. Only cells right of the row's first
/// number (labels stand left of the numbers) and of about a cell's size; inset from their lines.
pub fn empty_cells(words: &[Word], lines: &[crate::Line]) -> Vec<[u32; 4]> {
    let mut heights: Vec<f64> = words.iter().filter(|w| w.text.chars().all(is_cjk) && w.conf >= 60.0).map(|w| w.bottom - w.top).collect();
    heights.sort_by(f64::total_cmp);
    let Some(&em) = heights.get(heights.len() / 2) else { return Vec::new() };
    let mut ys: Vec<f64> = lines.iter().filter(|l| l.horizontal).map(|l| l.pos).collect();
    ys.sort_by(f64::total_cmp);
    ys.dedup_by(|a, b| (*a - *b).abs() < em * 0.5);
    let mut out = Vec::new();
    for band in ys.windows(2) {
        let (top, bottom) = (band[0], band[1]);
        if bottom - top > 8.0 * em || bottom - top < 1.2 * em {
            continue;
        }
        let mid = (top + bottom) / 2.0;
        let inside = |w: &&Word| {
            let cy = (w.top + w.bottom) / 2.0;
            cy > top && cy < bottom
        };
        let numbers: Vec<&Word> = words.iter().filter(inside).filter(|w| as_number(&w.text).is_some()).collect();
        if numbers.len() < 2 {
            continue;
        }
        let first = numbers.iter().map(|w| w.x0).fold(f64::MAX, f64::min);
        let mut xs: Vec<f64> = lines.iter().filter(|l| !l.horizontal && l.from <= mid && l.to >= mid).map(|l| l.pos).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup_by(|a, b| (*a - *b).abs() < em * 0.5);
        for col in xs.windows(2) {
            let (left, right) = (col[0], col[1]);
            if right < first || right - left > 10.0 * em || right - left < 1.0 * em {
                continue;
            }
            let taken = words.iter().filter(inside).any(|w| {
                let cx = (w.x0 + w.x1) / 2.0;
                cx > left && cx < right
            });
            if !taken {
                let inset = 0.2 * em;
                out.push([(left + inset) as u32, (top + inset) as u32, (right - inset) as u32, (bottom - inset) as u32]);
            }
        }
    }
    out
}

/// Numbers read in crops `from..` of the sheet, which held no word of the first reading: new
/// words at their place on the page, never with a confidence that keeps them without arithmetic.
pub fn found_in_empty(again: &[Word], boxes: &[[u32; 4]], offsets: &[(u32, u32)], from: usize, line: (u32, u32, u32)) -> Vec<Word> {
    let mut out = Vec::new();
    for a in again {
        let cy = (a.top + a.bottom) / 2.0;
        let Some(k) = offsets.iter().zip(boxes).position(|(o, b)| cy >= o.1 as f64 && cy < (o.1 + b[3] - b[1]) as f64) else { continue };
        if k < from || as_number(&a.text).is_none() || !a.text.chars().all(|c| c.is_ascii_digit() || c == '.') {
            continue;
        }
        let (dx, dy) = (boxes[k][0] as f64 - offsets[k].0 as f64, boxes[k][1] as f64 - offsets[k].1 as f64);
        out.push(Word { x0: a.x0 + dx, x1: a.x1 + dx, top: a.top + dy, bottom: a.bottom + dy, conf: a.conf.min(DIFFERING), text: a.text.clone(), line });
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
/// the page. A crop the second reading found nothing in keeps its first reading.
pub fn merge(words: Vec<Word>, picks: &[usize], boxes: &[[u32; 4]], offsets: &[(u32, u32)], again: &[Word]) -> Vec<Word> {
    let mut found: Vec<Vec<&Word>> = vec![Vec::new(); picks.len()];
    for a in again {
        let cy = (a.top + a.bottom) / 2.0;
        let k = offsets.iter().zip(boxes).position(|(o, b)| cy >= o.1 as f64 && cy < (o.1 + b[3] - b[1]) as f64);
        if let Some(k) = k {
            if as_number(&a.text).is_some() && a.text.chars().all(|c| c.is_ascii_digit() || c == '.') {
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
        let agree = found[k].len() == 1 && old.as_deref() == Some(found[k][0].text.as_str());
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
    fn an_empty_cell_right_of_a_rows_numbers_is_read_again_and_a_label_cell_is_not() {
        let line = |horizontal, pos, from, to| crate::Line { horizontal, pos, from, to, width: 4.0 };
        let lines = vec![
            line(true, 0.0, 0.0, 1000.0),
            line(true, 100.0, 0.0, 1000.0),
            line(false, 0.0, 0.0, 100.0),
            line(false, 400.0, 0.0, 100.0),
            line(false, 600.0, 0.0, 100.0),
            line(false, 800.0, 0.0, 100.0),
            line(false, 1000.0, 0.0, 100.0),
        ];
        // A label, two numbers, and the cell at 600..800 empty.
        let words = vec![word("申请", 50.0, 27.0, 97.0), word("数量", 150.0, 27.0, 97.0), word("公开", 250.0, 27.0, 97.0), word("3", 480.0, 27.0, 90.0), word("3", 880.0, 27.0, 90.0)];
        let cells = empty_cells(&words, &lines);
        assert_eq!(cells.len(), 1, "{cells:?}");
        assert!(cells[0][0] > 600 && cells[0][2] < 800);
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
        let merged = merge(words, &picks, &boxes, &offsets, &again);
        assert_eq!(merged.len(), 3);
        let five = merged.iter().find(|w| w.text == "5").unwrap();
        // Differing readings: never "very high"; back at the first reading's place on the page.
        assert_eq!(five.conf, DIFFERING);
        assert!((five.x0 - 1000.0).abs() < 1.0 && (five.top - 100.0).abs() < 1.0, "{five:?}");
        let zero = merged.iter().find(|w| w.text == "0").unwrap();
        assert_eq!(zero.conf, 91.0);
        assert!(merged.iter().all(|w| w.text != "。"));
    }
}
