//! Scanned PDFs and page images, read by OCR (`nianbao-ocr`, Tesseract): each word Tesseract reads
//! becomes glyphs with boxes (its width shared among its characters) and each ruling line found
//! in the image a [`Rule`], in points of the page (pixels × 72 / dpi), and the page goes through
//! the same table reconstruction as a PDF's glyphs (`layout.rs`). The confidence of every glyph
//! follows its text into [`Extracted::ocr`], where [`crate::trust`] finds it.

use super::layout::{Glyph, Page, Rule};
use super::{hundredths, lay_out};
use crate::error::ParseError;
use crate::{Extracted, OcrSpan};
use nianbao_ocr::{OcrError, OcrPage, Options};
use std::collections::HashMap;
use std::time::Instant;

const SCAN: &str = "没有文字层的 PDF（扫描件）";
const IMAGE: &str = "图片";

/// Fewer characters than this read from the whole document: nothing to read.
const MIN_CHARS: usize = 20;

fn error(file: &str, format: &'static str, e: OcrError) -> ParseError {
    match e {
        OcrError::Missing { package, .. } => ParseError::Unsupported {
            file: file.into(),
            format,
            hint: if package == "poppler-utils" {
                "需要先把页面转为图片再做文字识别（OCR）：请安装 Debian 软件包 poppler-utils（apt-get install poppler-utils）"
            } else {
                "需要文字识别（OCR）：请安装 Debian 软件包 tesseract-ocr 和 tesseract-ocr-chi-sim（apt-get install tesseract-ocr tesseract-ocr-chi-sim）"
            },
        },
        OcrError::Timeout { tool, secs } => ParseError::Limit { file: file.into(), what: format!("文字识别（{tool}）超过 {secs} 秒上限") },
        OcrError::Limit(what) => ParseError::Limit { file: file.into(), what },
        OcrError::Failed { tool, reason } => ParseError::Corrupt { file: file.into(), format, reason: format!("{tool}：{reason}") },
        OcrError::Image(reason) => ParseError::Corrupt { file: file.into(), format, reason },
    }
}

pub(crate) fn options(limits: &crate::Limits, started: Instant) -> Result<Options, ()> {
    let left = limits.ocr_time.checked_sub(started.elapsed()).ok_or(())?;
    Ok(Options { timeout: left, max_pages: limits.pdf_pages.min(200), ..Options::default() })
}

/// A page image given as the file itself (PNG, JPEG, TIFF; every page of a multi-page TIFF).
pub fn extract_image(file: &str, bytes: &[u8], limits: &crate::Limits) -> Result<Extracted, ParseError> {
    nianbao_ocr::available().map_err(|e| error(file, IMAGE, e))?;
    let opts = options(limits, Instant::now()).map_err(|_| ParseError::Limit { file: file.into(), what: "文字识别时间上限为零".into() })?;
    let pages = nianbao_ocr::read_pages(bytes, &opts).map_err(|e| error(file, IMAGE, e))?;
    assemble(file, IMAGE, pages, crate::decode::Format::Image)
}

/// A PDF without a text layer: its pages rendered at 300 dpi by pdftoppm, then read by OCR,
/// several pages at once (one Tesseract per core).
pub fn extract_scanned(file: &str, bytes: &[u8], limits: &crate::Limits) -> Result<Extracted, ParseError> {
    nianbao_ocr::available().map_err(|e| error(file, SCAN, e))?;
    let started = Instant::now();
    let over = || ParseError::Limit { file: file.into(), what: format!("文字识别超过 {} 秒上限", limits.ocr_time.as_secs()) };
    let opts = options(limits, started).map_err(|_| over())?;
    let images = nianbao_ocr::render_pdf(bytes, &opts).map_err(|e| error(file, SCAN, e))?;
    let pages = nianbao_ocr::each_page(images.len(), |i| match options(limits, started) {
        Ok(o) => nianbao_ocr::read_image(&images[i], Some(opts.dpi as f64), &o).map_err(|e| error(file, SCAN, e)),
        Err(()) => Err(over()),
    })?;
    if pages.len() < images.len() {
        return Err(over());
    }
    assemble(file, SCAN, pages, crate::decode::Format::Pdf)
}

/// How far a ruling line is drawn past its ends, in points: lines found in an image stop a pixel
/// or two short of the lines they cross.
const REACH: f64 = 1.5;

/// One OCR page as glyphs and rules in points; the confidence of each glyph by its box.
pub(crate) fn to_page(number: u32, p: &OcrPage, conf: &mut HashMap<(u32, [i32; 4]), f32>) -> Page {
    let scale = 72.0 / p.dpi;
    let cjk = |s: &str| s.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let mut heights: Vec<f64> = p.words.iter().filter(|w| w.conf >= 60.0 && cjk(&w.text)).map(|w| w.bottom - w.top).collect();
    if heights.len() < 3 {
        heights = p.words.iter().map(|w| w.bottom - w.top).collect();
    }
    heights.sort_by(f64::total_cmp);
    let em = heights.get(heights.len() / 2).copied().unwrap_or(40.0);
    let mut glyphs = Vec::new();
    for w in &p.words {
        let chars: Vec<char> = numeral(&unglue(&w.text)).chars().filter(|c| !c.is_whitespace()).collect();
        if chars.is_empty() {
            continue;
        }
        // A Chinese character is about twice as wide as a digit or a Latin letter: the word's
        // width is shared in that proportion (a label's last character and the number after it,
        // read as one word across an erased line, then fall into their own cells).
        let weight = |c: char| if c >= '\u{2e80}' { 2.0 } else { 1.0 };
        // A label's last character and the number of the next cell (`件3`) across a ruling line:
        // each part within its own side of the line, whatever the gap between them.
        let split = label_then_number(&chars).and_then(|k| crossing(w, &p.lines).map(|x| (k, x)));
        // Chinese text over a ruling line (two lines of a label read as one word, reaching past
        // the cell's edge) stays on the side that holds most of it: a label's last character
        // would otherwise open the next cell.
        let original = w;
        let mut w = w.clone();
        if chars.iter().all(|c| ('\u{4e00}'..='\u{9fff}').contains(c)) {
            if let Some(x) = crossing(&w, &p.lines) {
                // Tesseract's box of a word may reach over the next word (`服务` drawn over half
                // of `其他` in the next cell): a word standing right of the line over the word's
                // right part owns that cell. (Left of it, labels' boxes overlap all the time.)
                let beside = |o: &nianbao_ocr::Word| !std::ptr::eq(o, original) && o.top.max(w.top) < o.bottom.min(w.bottom) - 0.3 * (o.bottom - o.top).min(w.bottom - w.top);
                let right_taken = p.words.iter().any(|o| beside(o) && o.x0 >= x - 2.0 && w.x1 - o.x0 > 0.3 * (w.x1 - x));
                if right_taken || x - w.x0 >= w.x1 - x {
                    w.x1 = x;
                } else {
                    w.x0 = x;
                }
            }
        }
        let unit = (w.x1 - w.x0) / chars.iter().map(|&c| weight(c)).sum::<f64>();
        let mut at = w.x0;
        // Digits and Latin letters are shorter than the em; the line's size is the em.
        let size = (w.bottom - w.top).max(0.9 * em) * scale;
        for (i, &c) in chars.iter().enumerate() {
            let next = match split {
                Some((k, x)) if i < k => w.x0 + (x - w.x0) * (i + 1) as f64 / k as f64,
                Some((k, x)) => {
                    if i == k {
                        at = x;
                    }
                    x + (w.x1 - x) * (i + 1 - k) as f64 / (chars.len() - k) as f64
                }
                None => at + unit * weight(c),
            };
            let g = Glyph {
                x0: at * scale,
                x1: next * scale,
                top: w.top * scale,
                bottom: w.bottom * scale,
                base: w.bottom * scale,
                size,
                upright: true,
                text: c.to_string(),
            };
            at = next;
            conf.insert((number, hundredths([g.x0, g.top, g.x1, g.bottom])), w.conf);
            glyphs.push(g);
        }
    }
    let rules = nianbao_ocr::pixels::snapped(&p.lines)
        .iter()
        .map(|l| Rule { horizontal: l.horizontal, pos: l.pos * scale, from: l.from * scale - REACH, to: l.to * scale + REACH })
        .collect();
    Page { number, glyphs, rules }
}

/// Where a word made of Chinese characters followed by a number (`件3`) turns into the number.
fn label_then_number(chars: &[char]) -> Option<usize> {
    let k = chars.iter().position(|c| !('\u{4e00}'..='\u{9fff}').contains(c))?;
    (k > 0 && chars[k..].iter().all(|c| c.is_ascii_digit() || *c == '.') && chars[k..].iter().any(|c| c.is_ascii_digit())).then_some(k)
}

/// The x of a vertical ruling line running through a word's box, if one does.
fn crossing(w: &nianbao_ocr::Word, lines: &[nianbao_ocr::Line]) -> Option<f64> {
    let cy = (w.top + w.bottom) / 2.0;
    lines.iter().find(|l| !l.horizontal && l.from <= cy && l.to >= cy && l.pos > w.x0 && l.pos < w.x1).map(|l| l.pos)
}

/// A word with a quotation mark glued on from a neighbouring line (`“总计`): a mark that opens
/// without closing, or closes without opening, at the edge of Chinese text is dropped, so the
/// header it sticks to is recognised. Balanced quotes (`“放管服”`) stay.
fn unglue(word: &str) -> String {
    let opens = |c: char| matches!(c, '“' | '‘');
    let closes = |c: char| matches!(c, '”' | '’');
    let n_open = word.chars().filter(|&c| opens(c)).count();
    let n_close = word.chars().filter(|&c| closes(c)).count();
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let mut s = word;
    if n_open == 1 && n_close == 0 && s.starts_with(opens) && s.chars().skip(1).all(cjk) && s.chars().count() > 1 {
        s = &s[s.char_indices().nth(1).map(|(i, _)| i).unwrap_or(s.len())..];
    } else if n_close == 1 && n_open == 0 && s.ends_with(closes) && s.chars().rev().skip(1).all(cjk) && s.chars().count() > 1 {
        s = &s[..s.char_indices().last().map(|(i, _)| i).unwrap_or(0)];
    }
    s.to_string()
}

/// A word that is a number up to Tesseract's usual confusions: `O` for 0, `l`/`I`/`]` for 1 (a
/// serif 1 scanned black-and-white often reads as `]`), a quotation mark or bar from a
/// neighbouring line glued on. Anything else as read. The
/// table's arithmetic checks every number afterwards.
fn numeral(word: &str) -> String {
    let core = word.trim_matches(|c: char| matches!(c, '”' | '“' | '"' | '\'' | '‘' | '’' | '|' | '丨' | '_'));
    if core.is_empty() {
        return word.to_string();
    }
    let digitish = |c: char| c.is_ascii_digit() || matches!(c, 'O' | 'o' | 'l' | 'I' | ']');
    let has_digit = core.chars().any(|c| c.is_ascii_digit());
    // Letters alone only when short and made of the confusable ones (`Il` for 11).
    let letters_only = core.chars().count() <= 3 && !matches!(core, "I" | "o");
    if core.chars().all(digitish) && (has_digit || letters_only) {
        core.chars().map(|c| match c {
            'O' | 'o' => '0',
            'l' | 'I' | ']' => '1',
            d => d,
        }).collect()
    } else if core.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',')) && has_digit {
        core.to_string()
    } else {
        word.to_string()
    }
}

fn assemble(file: &str, format_name: &'static str, pages: Vec<OcrPage>, format: crate::decode::Format) -> Result<Extracted, ParseError> {
    let mut conf = HashMap::new();
    let pages: Vec<Page> = pages.iter().enumerate().map(|(i, p)| to_page(i as u32 + 1, p, &mut conf)).collect();
    let chars: usize = pages.iter().map(|p| p.glyphs.len()).sum();
    if chars < MIN_CHARS {
        return Err(ParseError::Unsupported { file: file.into(), format: format_name, hint: "已做文字识别（OCR），但没有识别出文字；请检查图片是否清晰" });
    }
    let mut extracted = lay_out(pages, format);
    extracted.ocr = extracted
        .boxes
        .iter()
        .filter(|b| !b.cell)
        .filter_map(|b| conf.get(&(b.page, b.bbox)).map(|&c| OcrSpan { start: b.start, end: b.end, conf: c }))
        .collect();
    Ok(extracted)
}

#[cfg(test)]
mod tests {
    use super::{crossing, label_then_number, numeral, to_page, unglue};
    use std::collections::HashMap;

    #[test]
    fn a_stray_quotation_mark_comes_off_a_header_but_balanced_quotes_stay() {
        assert_eq!(unglue("“总计"), "总计");
        assert_eq!(unglue("总计”"), "总计");
        assert_eq!(unglue("“放管服”"), "“放管服”");
        assert_eq!(unglue("“"), "“");
        assert_eq!(unglue("“0"), "“0");
    }

    #[test]
    fn a_label_and_the_next_cells_number_read_as_one_word_are_split_at_the_line() {
        let chars: Vec<char> = "件3".chars().collect();
        assert_eq!(label_then_number(&chars), Some(1));
        assert_eq!(label_then_number(&"规范性文件".chars().collect::<Vec<_>>()), None);
        assert_eq!(label_then_number(&"3件".chars().collect::<Vec<_>>()), None);
        let word = nianbao_ocr::Word { x0: 900.0, x1: 1300.0, top: 100.0, bottom: 150.0, conf: 90.0, text: "件3".into(), line: (1, 1, 1) };
        let line = |pos, horizontal| nianbao_ocr::Line { horizontal, pos, from: 0.0, to: 1000.0, width: 4.0 };
        assert_eq!(crossing(&word, &[line(1175.0, false)]), Some(1175.0));
        assert_eq!(crossing(&word, &[line(1400.0, false), line(125.0, true)]), None);
        let page = nianbao_ocr::OcrPage { width: 2000, height: 2000, dpi: 72.0, rotated: 0, deskewed: 0.0, warp: None, words: vec![word], lines: vec![line(1175.0, false)] };
        let p = to_page(1, &page, &mut HashMap::new());
        let xs: Vec<(String, f64, f64)> = p.glyphs.iter().map(|g| (g.text.clone(), g.x0, g.x1)).collect();
        assert_eq!(xs, vec![("件".to_string(), 900.0, 1175.0), ("3".to_string(), 1175.0, 1300.0)]);
        // Chinese text reaching over a line keeps to the side with most of it.
        let label = nianbao_ocr::Word { x0: 602.0, x1: 718.0, top: 100.0, bottom: 150.0, conf: 91.0, text: "文件".into(), line: (1, 1, 1) };
        let page = nianbao_ocr::OcrPage { words: vec![label], lines: vec![line(670.5, false)], ..page };
        let p = to_page(1, &page, &mut HashMap::new());
        assert!(p.glyphs.iter().all(|g| g.x1 <= 670.5), "{:?}", p.glyphs);
    }

    #[test]
    fn chinese_text_over_a_line_goes_to_the_side_no_other_word_stands_on() {
        // 表三's header `法律服务机构 | 其他`: Tesseract drew `服务` over the line and half of `其`.
        let word = |text: &str, x0: f64, x1: f64, top: f64, bottom: f64| nianbao_ocr::Word { x0, x1, top, bottom, conf: 90.0, text: text.into(), line: (1, 1, 1) };
        let line = nianbao_ocr::Line { horizontal: false, pos: 1968.9, from: 0.0, to: 3000.0, width: 7.0 };
        let words = vec![word("律", 1805.0, 1873.0, 609.0, 665.0), word("服务", 1902.0, 2037.0, 578.0, 697.0), word("其", 1980.0, 2094.0, 672.0, 728.0)];
        let page = nianbao_ocr::OcrPage { width: 2481, height: 3508, dpi: 72.0, rotated: 0, deskewed: 0.0, warp: None, words, lines: vec![line] };
        let p = to_page(1, &page, &mut HashMap::new());
        let side = |t: &str| p.glyphs.iter().filter(|g| g.text == t).all(|g| g.x1 <= 1968.9);
        assert!(side("服") && side("务") && side("律") && !side("其"), "{:?}", p.glyphs);
        // Alone, the same word keeps to the side holding most of it.
        // A neighbour touching the word's edge by a pixel takes no side (`上` before `公`).
        let alone = nianbao_ocr::OcrPage { words: vec![word("服务", 1902.0, 2037.0, 578.0, 697.0), word("其", 2035.0, 2094.0, 672.0, 728.0)], ..page };
        let p = to_page(1, &alone, &mut HashMap::new());
        assert!(p.glyphs.iter().all(|g| g.x0 >= 1968.9), "{:?}", p.glyphs);
    }

    #[test]
    fn numbers_are_read_through_the_usual_confusions() {
        assert_eq!(numeral("O"), "0");
        assert_eq!(numeral("”0"), "0");
        assert_eq!(numeral("1O4"), "104");
        assert_eq!(numeral("l2"), "12");
        assert_eq!(numeral("]"), "1");
        assert_eq!(numeral("Il"), "11");
        assert_eq!(numeral("]4"), "14");
        assert_eq!(numeral("|"), "|");
        assert_eq!(numeral("43923.57"), "43923.57");
        // Words are left alone.
        assert_eq!(numeral("Office"), "Office");
        assert_eq!(numeral("I"), "I");
        assert_eq!(numeral("“三"), "“三");
    }
}
