//! Stage 1 for PDF files. Every glyph is collected with its box (pdf-extract, through an
//! `OutputDev` of our own, in the coordinates of the page as displayed, /Rotate applied), and so
//! is every ruling line (thin filled rectangles and stroked straight segments). Then, page by page:
//!
//! * ruling lines that touch each other make a table; its grid is the set of their positions, and
//!   neighbouring grid cells with no line between them are one merged cell, so a cell spanning
//!   rows or columns appears once, in its first row, as in an HTML table (`layout::ruled_tables`);
//! * the glyphs of a cell, on however many lines, are its text; the glyphs outside tables (and
//!   inside a ruled frame around a table without inner lines) are grouped into lines by their
//!   baseline and cut into cells where the gap between two words is wide;
//! * in tables without ruling lines, the columns are the x-ranges of the headings above the rows
//!   (headings over several columns left out) and of the values under them; a row with fewer
//!   values than columns gets a blank cell in each empty column and is read by position, as a
//!   ruled row is (the columns carry over to the next page when the table runs on);
//! * tables and lines are put in reading order; a table continued on the next page with its
//!   header repeated reads as one table (the later stages skip the repeated header).
//!
//! The text spans point into is the extracted text, one line per block; the page and box of each
//! glyph (and of each table cell) go to [`Extracted::boxes`], so a value's span carries its page
//! and box. A PDF without a text layer (a scan) is refused with a message saying OCR is needed; a
//! panic inside the PDF library is caught and becomes an error for that file.

pub mod guard;
mod layout;
pub mod scan;

use crate::blocks::Block;
use crate::error::ParseError;
use crate::normalize::{identity_line, is_traditional, normalize};
use crate::Extracted;
use layout::{Glyph, Item, Page, Rule};
use nianbao_model::source::TextBox;
use nianbao_model::TextLine;
use pdf_extract::{ColorSpace, MediaBox, OutputDev, OutputError, Path, PathOp, Transform};
use std::collections::BTreeMap;

/// Fewer visible glyphs than this in the whole file: a scan (maybe with a page number as text).
const MIN_GLYPHS: usize = 20;

/// Maps user space of a page to the page as displayed: y down, origin top-left, /Rotate applied.
#[derive(Clone, Copy, Default)]
struct View {
    llx: f64,
    ury: f64,
    width: f64,
    height: f64,
    rotate: i64,
}

impl View {
    fn new(media: &MediaBox, rotate: i64) -> View {
        let (x0, x1) = (media.llx.min(media.urx), media.llx.max(media.urx));
        let (y0, y1) = (media.lly.min(media.ury), media.lly.max(media.ury));
        View {
            llx: x0,
            ury: y1,
            width: x1 - x0,
            height: y1 - y0,
            rotate: rotate.rem_euclid(360),
        }
    }
    fn map(&self, x: f64, y: f64) -> (f64, f64) {
        let (u, v) = (x - self.llx, self.ury - y);
        match self.rotate {
            90 => (self.height - v, u),
            180 => (self.width - u, self.height - v),
            270 => (v, self.width - u),
            _ => (u, v),
        }
    }
}

fn apply(t: &Transform, x: f64, y: f64) -> (f64, f64) {
    (x * t.m11 + y * t.m21 + t.m31, x * t.m12 + y * t.m22 + t.m32)
}

#[derive(Default)]
struct Collector {
    rotations: BTreeMap<u32, i64>,
    view: View,
    pages: Vec<Page>,
    /// The document's time budget, checked every so many calls (an error ends the walk).
    deadline: Option<crate::limits::Deadline>,
    calls: u32,
    /// Set when the walk was stopped by the time budget.
    timed_out: bool,
    /// Glyphs and rules still allowed (`Limits::pdf_glyphs`); the walk stops when they run out.
    room: usize,
    full: bool,
}

impl Collector {
    fn tick(&mut self) -> Result<(), OutputError> {
        if self.full {
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        self.calls = self.calls.wrapping_add(1);
        if self.calls % 4096 == 0 && self.deadline.is_some_and(|d| d.expired()) {
            self.timed_out = true;
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        Ok(())
    }

    fn page(&mut self) -> Option<&mut Page> {
        self.pages.last_mut()
    }

    /// Axis-aligned straight pieces of a path, in page coordinates: stroked segments, or the
    /// bounding boxes of filled sub-paths (a table border drawn as a thin filled rectangle).
    fn rules(&mut self, ctm: &Transform, path: &Path, filled: bool) {
        let view = self.view;
        let to_page = |x: f64, y: f64| {
            let (a, b) = apply(ctm, x, y);
            view.map(a, b)
        };
        let mut found: Vec<Rule> = Vec::new();
        let mut subpaths: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut curved = false;
        let mut current: Vec<(f64, f64)> = Vec::new();
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => {
                    if current.len() > 1 {
                        subpaths.push(std::mem::take(&mut current));
                    }
                    current = vec![to_page(x, y)];
                }
                PathOp::LineTo(x, y) => current.push(to_page(x, y)),
                PathOp::CurveTo(.., x, y) => {
                    curved = true;
                    current.push(to_page(x, y));
                }
                PathOp::Rect(x, y, w, h) => {
                    if current.len() > 1 {
                        subpaths.push(std::mem::take(&mut current));
                    }
                    subpaths.push(vec![
                        to_page(x, y),
                        to_page(x + w, y),
                        to_page(x + w, y + h),
                        to_page(x, y + h),
                        to_page(x, y),
                    ]);
                    current.clear();
                }
                PathOp::Close => {
                    if let Some(&first) = current.first() {
                        current.push(first);
                    }
                }
            }
        }
        if current.len() > 1 {
            subpaths.push(current);
        }
        for sp in &subpaths {
            if filled {
                if curved {
                    continue;
                }
                let (x0, x1) = sp
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
                let (y0, y1) = sp
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
                if let Some(r) = Rule::from_box(x0, y0, x1, y1) {
                    found.push(r);
                }
            } else {
                for w in sp.windows(2) {
                    if let Some(r) = Rule::from_segment(w[0], w[1]) {
                        found.push(r);
                    }
                }
            }
        }
        if found.len() > self.room {
            self.full = true;
            return;
        }
        self.room -= found.len();
        if let Some(p) = self.page() {
            p.rules.extend(found);
        }
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        if self.deadline.is_some_and(|d| d.expired()) {
            self.timed_out = true;
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        self.view = View::new(
            media_box,
            self.rotations.get(&page_num).copied().unwrap_or(0),
        );
        self.pages.push(Page {
            number: page_num,
            glyphs: Vec::new(),
            rules: Vec::new(),
        });
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        self.tick()?;
        if self.room == 0 {
            self.full = true;
        }
        if self.full {
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        self.room -= 1;
        if ch.trim().is_empty() || ch.chars().all(char::is_control) {
            return Ok(());
        }
        let view = self.view;
        // Glyph space (in ems) → user space → page: the glyph's advance and its height.
        let at = |u: f64, v: f64| {
            let (x, y) = apply(trm, u * font_size, v * font_size);
            view.map(x, y)
        };
        let w = if width > 0.0 { width } else { 0.5 };
        let origin = at(0.0, 0.0);
        let advance = at(w, 0.0);
        let up = at(0.0, 1.0);
        let size = ((up.0 - origin.0).powi(2) + (up.1 - origin.1).powi(2)).sqrt();
        if !(size.is_finite() && size > 0.1) {
            return Ok(());
        }
        let corners = [at(0.0, -0.12), at(w, -0.12), at(0.0, 0.88), at(w, 0.88)];
        let (x0, x1) = corners
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (y0, y1) = corners
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
        // Text running left to right on the displayed page; anything else (vertical or rotated
        // text) is kept with its box but read in its own line.
        let (dx, dy) = (advance.0 - origin.0, advance.1 - origin.1);
        let upright = dx > 0.0 && dy.abs() <= dx * 0.2;
        if let Some(p) = self.page() {
            let text = ch.chars().map(unify_radical).collect();
            p.glyphs.push(Glyph {
                x0,
                x1,
                top: y0,
                bottom: y1,
                base: origin.1,
                size,
                upright,
                text,
            });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn stroke(
        &mut self,
        ctm: &Transform,
        _: &ColorSpace,
        _: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        self.tick()?;
        self.rules(ctm, path, false);
        Ok(())
    }
    fn fill(
        &mut self,
        ctm: &Transform,
        _: &ColorSpace,
        color: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        self.tick()?;
        // White fills (backgrounds, knock-outs) are not lines.
        if !(color.len() == 1 && color[0] > 0.95
            || color.len() == 3 && color.iter().all(|c| *c > 0.95))
        {
            self.rules(ctm, path, true);
        }
        Ok(())
    }
}

/// CJK Radicals Supplement characters that stand for a whole ideograph, mapped to it (Unicode's
/// EquivalentUnifiedIdeograph). Fonts often give one glyph both code points and a PDF's
/// ToUnicode then names the radical (`东阿县人⺠政府`); NFKC does not map these (it does map the
/// Kangxi radicals such as ⼯, which normalization takes care of later).
fn unify_radical(c: char) -> char {
    match c {
        '\u{2e81}' => '\u{5382}', // ⺁ → 厂
        '\u{2e84}' => '\u{4e59}', // ⺄ → 乙
        '\u{2e8c}' => '\u{5c0f}', // ⺌ → 小
        '\u{2e8e}' => '\u{5140}', // ⺎ → 兀
        '\u{2e90}' => '\u{5c22}', // ⺐ → 尢
        '\u{2e92}' => '\u{5df3}', // ⺒ → 巳
        '\u{2e93}' => '\u{5e7a}', // ⺓ → 幺
        '\u{2e94}' => '\u{5f51}', // ⺔ → 彑
        '\u{2e97}' => '\u{5fc3}', // ⺗ → 心
        '\u{2e99}' => '\u{6535}', // ⺙ → 攵
        '\u{2e9b}' => '\u{65e1}', // ⺛ → 旡
        '\u{2e9c}' => '\u{65e5}', // ⺜ → 日
        '\u{2e9d}' => '\u{6708}', // ⺝ → 月
        '\u{2e9e}' => '\u{6b7a}', // ⺞ → 歺
        '\u{2e9f}' => '\u{6bcd}', // ⺟ → 母
        '\u{2ea0}' => '\u{6c11}', // ⺠ → 民
        '\u{2ea7}' => '\u{725b}', // ⺧ → 牛
        '\u{2ea9}' => '\u{738b}', // ⺩ → 王
        '\u{2eaa}' => '\u{758b}', // ⺪ → 疋
        '\u{2eab}' => '\u{76ee}', // ⺫ → 目
        '\u{2eac}' => '\u{793a}', // ⺬ → 示
        '\u{2eae}' => '\u{7af9}', // ⺮ → 竹
        '\u{2eb3}' => '\u{7f51}', // ⺳ → 网
        '\u{2eb6}' => '\u{7f8a}', // ⺶ → 羊
        '\u{2eb7}' => '\u{7f8a}', // ⺷ → 羊
        '\u{2ebb}' => '\u{807f}', // ⺻ → 聿
        '\u{2ebc}' => '\u{8089}', // ⺼ → 肉
        '\u{2ebd}' => '\u{81fc}', // ⺽ → 臼
        '\u{2ec1}' => '\u{864e}', // ⻁ → 虎
        '\u{2ec4}' => '\u{897f}', // ⻄ → 西
        '\u{2ec5}' => '\u{89c1}', // ⻅ → 见
        '\u{2ec6}' => '\u{89d2}', // ⻆ → 角
        '\u{2ec9}' => '\u{8d1d}', // ⻉ → 贝
        '\u{2eca}' => '\u{8db3}', // ⻊ → 足
        '\u{2ecb}' => '\u{8f66}', // ⻋ → 车
        '\u{2ed1}' => '\u{9577}', // ⻑ → 長
        '\u{2ed3}' => '\u{957f}', // ⻓ → 长
        '\u{2ed4}' => '\u{95e8}', // ⻔ → 门
        '\u{2ed7}' => '\u{96e8}', // ⻗ → 雨
        '\u{2ed8}' => '\u{9752}', // ⻘ → 青
        '\u{2ed9}' => '\u{97e6}', // ⻙ → 韦
        '\u{2eda}' => '\u{9875}', // ⻚ → 页
        '\u{2edb}' => '\u{98ce}', // ⻛ → 风
        '\u{2edc}' => '\u{98de}', // ⻜ → 飞
        '\u{2edd}' => '\u{98df}', // ⻝ → 食
        '\u{2ee2}' => '\u{9a6c}', // ⻢ → 马
        '\u{2ee3}' => '\u{9aa8}', // ⻣ → 骨
        '\u{2ee4}' => '\u{9b3c}', // ⻤ → 鬼
        '\u{2ee5}' => '\u{9c7c}', // ⻥ → 鱼
        '\u{2ee6}' => '\u{9e1f}', // ⻦ → 鸟
        '\u{2ee7}' => '\u{5364}', // ⻧ → 卤
        '\u{2ee8}' => '\u{9ea6}', // ⻨ → 麦
        '\u{2ee9}' => '\u{9ec4}', // ⻩ → 黄
        '\u{2eea}' => '\u{9efe}', // ⻪ → 黾
        '\u{2eeb}' => '\u{6589}', // ⻫ → 斉
        '\u{2eec}' => '\u{9f50}', // ⻬ → 齐
        '\u{2eed}' => '\u{6b6f}', // ⻭ → 歯
        '\u{2eee}' => '\u{9f7f}', // ⻮ → 齿
        '\u{2eef}' => '\u{7adc}', // ⻯ → 竜
        '\u{2ef0}' => '\u{9f99}', // ⻰ → 龙
        '\u{2ef1}' => '\u{9f9c}', // ⻱ → 龜
        '\u{2ef2}' => '\u{4e80}', // ⻲ → 亀
        '\u{2ef3}' => '\u{9f9f}', // ⻳ → 龟
        other => other,
    }
}

thread_local! {
    static IN_PDF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Panics inside the PDF library become errors; keep their messages off the terminal (for this
/// thread only, while it reads a PDF; every other panic is reported as usual).
fn quiet_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_PDF.with(|f| f.get()) {
                previous(info);
            }
        }));
    });
}

/// Why the pages could not be collected.
enum Failure {
    Corrupt(String),
    Limit(String),
}

/// Stack for the thread that runs the PDF library: its parsers recurse, and the guard keeps
/// the depth they can reach far below what this holds (the memory is reserved, not used).
const PDF_STACK: usize = 256 << 20;

/// Collects the glyphs and rules of every page, in a thread of its own with a large stack,
/// after the guard has bounded what the library will do.
fn collect(bytes: &[u8], limits: &crate::Limits) -> Result<Vec<Page>, Failure> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("nianbao-pdf".into())
            .stack_size(PDF_STACK)
            .spawn_scoped(scope, || collect_here(bytes, limits))
            .map_err(|e| Failure::Corrupt(format!("无法启动 PDF 读取线程：{e}")))?;
        worker.join().unwrap_or_else(|_| Err(Failure::Corrupt("PDF 解析库内部错误".to_string())))
    })
}

/// The worker's side of [`crate::worker`]: the pages of a PDF, encoded.
pub(crate) fn serve(bytes: &[u8], limits: &crate::Limits) -> crate::worker::Answer {
    match collect(bytes, limits) {
        Ok(pages) => crate::worker::Answer::Done(encode_pages(&pages)),
        Err(Failure::Corrupt(why)) => crate::worker::Answer::Corrupt(why),
        Err(Failure::Limit(what)) => crate::worker::Answer::Limit(what),
    }
}

fn encode_pages(pages: &[Page]) -> Vec<u8> {
    use crate::worker::{put_bytes, put_u64};
    let mut out = Vec::new();
    put_u64(&mut out, pages.len() as u64);
    for p in pages {
        put_u64(&mut out, p.number as u64);
        put_u64(&mut out, p.glyphs.len() as u64);
        for g in &p.glyphs {
            for v in [g.x0, g.x1, g.top, g.bottom, g.base, g.size] {
                put_u64(&mut out, v.to_bits());
            }
            put_u64(&mut out, g.upright as u64);
            put_bytes(&mut out, g.text.as_bytes());
        }
        put_u64(&mut out, p.rules.len() as u64);
        for r in &p.rules {
            put_u64(&mut out, r.horizontal as u64);
            for v in [r.pos, r.from, r.to] {
                put_u64(&mut out, v.to_bits());
            }
        }
    }
    out
}

fn decode_pages(payload: &[u8]) -> Option<Vec<Page>> {
    let mut r = crate::worker::Reader(payload);
    let n = r.u64()? as usize;
    // Counts come from our own worker, but are still checked against what is left.
    let mut pages = Vec::with_capacity(n.min(payload.len() / 24));
    for _ in 0..n {
        let number = r.u64()? as u32;
        let glyphs_n = r.u64()? as usize;
        let mut glyphs = Vec::with_capacity(glyphs_n.min(r.0.len() / 64));
        for _ in 0..glyphs_n {
            let (x0, x1, top, bottom, base, size) = (r.f64()?, r.f64()?, r.f64()?, r.f64()?, r.f64()?, r.f64()?);
            let upright = r.u64()? != 0;
            let text = r.string()?;
            glyphs.push(Glyph { x0, x1, top, bottom, base, size, upright, text });
        }
        let rules_n = r.u64()? as usize;
        let mut rules = Vec::with_capacity(rules_n.min(r.0.len() / 32));
        for _ in 0..rules_n {
            let horizontal = r.u64()? != 0;
            rules.push(Rule { horizontal, pos: r.f64()?, from: r.f64()?, to: r.f64()? });
        }
        pages.push(Page { number, glyphs, rules });
    }
    Some(pages)
}

fn collect_here(bytes: &[u8], limits: &crate::Limits) -> Result<Vec<Page>, Failure> {
    quiet_panics();
    IN_PDF.with(|f| f.set(true));
    let result = std::panic::catch_unwind(|| -> Result<Vec<Page>, Failure> {
        let refused = |r: guard::Refusal| match r {
            guard::Refusal::Limit(what) => Failure::Limit(what),
            guard::Refusal::Corrupt(why) => Failure::Corrupt(why),
        };
        let doc = guard::load(bytes, limits).map_err(refused)?;
        if doc.is_encrypted() {
            return Err(Failure::Corrupt("文件已加密".into()));
        }
        let mut doc = doc;
        fix_cid_widths(&mut doc);
        guard::check(&doc, limits).map_err(refused)?;
        let mut c = Collector { deadline: Some(crate::limits::Deadline::new(limits.time)), room: limits.pdf_glyphs, ..Collector::default() };
        for (number, id) in doc.get_pages() {
            c.rotations.insert(number, rotation(&doc, id));
        }
        let walked = pdf_extract::output_doc(&doc, &mut c);
        if c.timed_out {
            return Err(Failure::Limit(format!("读取时间超过 {} 秒上限", limits.time.as_secs())));
        }
        if c.full {
            return Err(Failure::Limit(format!("PDF 文字和线条超过 {} 个上限", limits.pdf_glyphs)));
        }
        walked.map_err(|e| Failure::Corrupt(format!("{e:?}")))?;
        Ok(c.pages)
    });
    IN_PDF.with(|f| f.set(false));
    result.map_err(|_| Failure::Corrupt("PDF 解析库内部错误".to_string()))?
}

/// Rewrites the glyph widths of CID fonts (`/W`) into the `first [w1 w2 …]` form only: pdf-extract
/// 0.12 misreads the `first last w` form, gives those glyphs the default width and so puts every
/// glyph after them in a string too far right (Chromium's PDFs use that form).
fn fix_cid_widths(doc: &mut pdf_extract::Document) {
    use pdf_extract::Object;
    let resolve = |doc: &pdf_extract::Document, o: &Object| -> Object {
        match o {
            Object::Reference(id) => doc.get_object(*id).cloned().unwrap_or(Object::Null),
            other => other.clone(),
        }
    };
    let num = |o: &Object| match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(*r as f64),
        _ => None,
    };
    let mut fixes = Vec::new();
    for (id, obj) in &doc.objects {
        let Ok(dict) = obj.as_dict() else { continue };
        let cid = dict
            .get(b"Subtype")
            .and_then(|s| s.as_name())
            .is_ok_and(|n| n == b"CIDFontType0" || n == b"CIDFontType2");
        let Some(w) = cid.then(|| dict.get(b"W").ok()).flatten() else {
            continue;
        };
        let Object::Array(w) = resolve(doc, w) else {
            continue;
        };
        let items: Vec<Object> = w.iter().map(|o| resolve(doc, o)).collect();
        let mut out: Vec<Object> = Vec::new();
        let mut i = 0;
        let mut budget = 1 << 17;
        let mut changed = false;
        while i + 1 < items.len() {
            match (&items[i], &items[i + 1]) {
                (first, Object::Array(ws)) => {
                    out.push(first.clone());
                    out.push(Object::Array(ws.iter().map(|o| resolve(doc, o)).collect()));
                    i += 2;
                }
                (first, last) if i + 2 < items.len() => {
                    let (Some(a), Some(b), Some(width)) =
                        (num(first), num(last), num(&items[i + 2]))
                    else {
                        break;
                    };
                    let n = (b - a + 1.0).max(0.0) as usize;
                    if n > budget {
                        break;
                    }
                    budget -= n;
                    out.push(Object::Integer(a as i64));
                    out.push(Object::Array(vec![Object::Real(width as f32); n]));
                    changed = true;
                    i += 3;
                }
                _ => break,
            }
        }
        if changed {
            fixes.push((*id, out));
        }
    }
    for (id, w) in fixes {
        if let Ok(Object::Dictionary(d)) = doc.get_object_mut(id) {
            d.set("W", Object::Array(w));
        }
    }
}

/// /Rotate of a page, inherited from the page tree.
fn rotation(doc: &pdf_extract::Document, mut id: pdf_extract::ObjectId) -> i64 {
    for _ in 0..32 {
        let Ok(dict) = doc.get_dictionary(id) else {
            return 0;
        };
        if let Ok(r) = dict.get(b"Rotate") {
            let r = match r {
                pdf_extract::Object::Reference(rid) => {
                    doc.get_object(*rid).ok().and_then(|o| o.as_i64().ok())
                }
                o => o.as_i64().ok(),
            };
            return r.unwrap_or(0);
        }
        match dict.get(b"Parent").and_then(|p| p.as_reference()) {
            Ok(parent) => id = parent,
            Err(_) => return 0,
        }
    }
    0
}

/// Box in hundredths of a point.
fn hundredths(b: [f64; 4]) -> [i32; 4] {
    b.map(|v| (v * 100.0).round().clamp(i32::MIN as f64, i32::MAX as f64) as i32)
}

/// Writes the extracted text and blocks.
struct Writer {
    traditional: bool,
    text: String,
    blocks: Vec<Block>,
    boxes: Vec<TextBox>,
}

impl Writer {
    /// Appends a piece of text made of `pieces` (text, page, box) and returns its normalized line.
    fn piece(&mut self, page: u32, pieces: &[layout::Piece]) -> TextLine {
        let start = self.text.len();
        for p in pieces {
            let s = self.text.len() as u32;
            self.text.push_str(&p.text);
            if let Some(b) = p.bbox {
                self.boxes.push(TextBox {
                    start: s,
                    end: self.text.len() as u32,
                    page: p.page.unwrap_or(page),
                    bbox: hundredths(b),
                    cell: false,
                });
            }
        }
        let raw = self.text[start..].to_string();
        normalize(&identity_line(&raw, start), self.traditional)
    }

    fn item(&mut self, page: u32, item: &Item) {
        match item {
            Item::Line(cells) if cells.len() == 1 => {
                let line = self.piece(page, &cells[0]);
                if !line.text.is_empty() {
                    self.blocks.push(Block::prose(line));
                }
            }
            Item::Line(cells) | Item::Grid(cells) => {
                let mut lines = Vec::new();
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        self.text.push_str(" | ");
                    }
                    lines.push(self.piece(page, c));
                }
                let positional = matches!(item, Item::Grid(_));
                self.blocks.push(Block::from_cells(lines, positional));
            }
            Item::Row(cells) => {
                let mut lines = Vec::new();
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        self.text.push_str(" | ");
                    }
                    let start = self.text.len() as u32;
                    lines.push(self.piece(page, &c.pieces));
                    self.boxes.push(TextBox {
                        start,
                        end: self.text.len() as u32,
                        page,
                        bbox: hundredths(c.bbox),
                        cell: true,
                    });
                }
                self.blocks.push(Block::from_cells(lines, true));
            }
        }
        self.text.push('\n');
    }
}

pub fn extract(file: &str, bytes: &[u8]) -> Result<Extracted, ParseError> {
    extract_with(file, bytes, &crate::Limits::default())
}

/// Reads a PDF within `limits` (see [`guard`]).
pub fn extract_with(file: &str, bytes: &[u8], limits: &crate::Limits) -> Result<Extracted, ParseError> {
    let collected = match crate::worker::worker() {
        Some(exe) => match crate::worker::run(&exe, bytes, limits) {
            crate::worker::Answer::Done(payload) => decode_pages(&payload).ok_or_else(|| Failure::Corrupt("PDF 读取进程的回答无法识别".into())),
            crate::worker::Answer::Corrupt(why) => Err(Failure::Corrupt(why)),
            crate::worker::Answer::Limit(what) => Err(Failure::Limit(what)),
        },
        None => collect(bytes, limits),
    };
    let pages = collected.map_err(|f| match f {
        Failure::Corrupt(reason) => ParseError::Corrupt { file: file.to_string(), format: "PDF 文件", reason },
        Failure::Limit(what) => ParseError::Limit { file: file.to_string(), what },
    })?;
    let glyphs: usize = pages.iter().map(|p| p.glyphs.len()).sum();
    if glyphs < MIN_GLYPHS {
        // A scan: read by OCR when Tesseract is installed (else an error naming the packages).
        return scan::extract_scanned(file, bytes, limits);
    }
    let inked: Vec<(u32, Vec<[f64; 4]>)> = pages.iter().map(|p| (p.number, p.glyphs.iter().map(|g| [g.x0, g.top, g.x1, g.bottom]).collect())).collect();
    let mut ex = lay_out(pages, crate::decode::Format::Pdf);
    // Image XObjects are never inside object streams: their dictionaries are in the file as text.
    if bytes.windows(6).any(|w| w == b"/Image") {
        if let Some(scanned) = picture_pages(file, bytes, &mut ex, &inked, limits)? {
            return Ok(scanned);
        }
    }
    Ok(ex)
}

/// What the page tree says about each page: whether it draws images, and whether it writes text
/// in render mode 3 (invisible: the OCR layer scanners and ocrmypdf put over the page image).
struct PageKind {
    number: u32,
    images: bool,
    invisible_text: bool,
}

fn page_kinds(bytes: &[u8], limits: &crate::Limits) -> Vec<PageKind> {
    quiet_panics();
    std::panic::catch_unwind(|| {
        let Ok(doc) = guard::load(bytes, limits) else { return Vec::new() };
        doc.get_pages()
            .into_iter()
            .take(limits.pdf_pages)
            .map(|(number, id)| {
                let images = doc.get_page_images(id).is_ok_and(|v| !v.is_empty()) || form_images(&doc, id);
                let content = doc.get_page_content(id).unwrap_or_default();
                PageKind { number, images, invisible_text: invisible_text(&content) }
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Images drawn through a form XObject one level down (Chromium wraps each image in a form).
fn form_images(doc: &pdf_extract::Document, page: pdf_extract::ObjectId) -> bool {
    let Ok(page) = doc.get_dictionary(page) else { return false };
    let Ok(resources) = doc.get_dict_in_dict(page, b"Resources") else { return false };
    let Ok(xobjects) = doc.get_dict_in_dict(resources, b"XObject") else { return false };
    xobjects.iter().any(|(_, o)| {
        let Ok(id) = o.as_reference() else { return false };
        let Ok(stream) = doc.get_object(id).and_then(|o| o.as_stream()) else { return false };
        let subtype = |d: &pdf_extract::Dictionary| d.get(b"Subtype").and_then(|s| s.as_name()).ok().map(|n| n.to_vec());
        match subtype(&stream.dict).as_deref() {
            Some(b"Image") => true,
            Some(b"Form") => {
                let Ok(res) = doc.get_dict_in_dict(&stream.dict, b"Resources") else { return false };
                let Ok(inner) = doc.get_dict_in_dict(res, b"XObject") else { return false };
                inner.iter().any(|(_, o)| o.as_reference().ok().and_then(|id| doc.get_object(id).and_then(|o| o.as_stream()).ok()).is_some_and(|s| subtype(&s.dict).as_deref() == Some(b"Image")))
            }
            _ => false,
        }
    })
}

/// The content stream sets text render mode 3 (`3 Tr`): text drawn invisibly.
fn invisible_text(content: &[u8]) -> bool {
    content.windows(4).enumerate().any(|(i, w)| w == b"3 Tr" && (i == 0 || !content[i - 1].is_ascii_digit() && content[i - 1] != b'.') && content.get(i + 4).is_none_or(|c| !c.is_ascii_alphanumeric()))
}

/// A PDF with a text layer whose pages draw images: either a scan under an invisible OCR layer —
/// then the whole file is read as a scan (`Some`) — or, when its text lacks some of the tables, a
/// report whose table pages are pictures — then those pages are rendered, the printed text on
/// them masked, and OCR'd (`pictures.rs`).
///
/// An invisible layer (render mode 3 over the page image, as scanners and ocrmypdf make it) is
/// someone else's OCR without confidences, so the trust rule cannot vet it: on the 003 scan with a
/// layer by `tesseract -l chi_sim` it read 15% of the cells right and 6% wrong, where our own OCR
/// and the arithmetic read 98% right and none wrong. Such a file is read as a scan; only without
/// Tesseract is the layer read as text, with a warning.
fn picture_pages(file: &str, bytes: &[u8], ex: &mut Extracted, inked: &[(u32, Vec<[f64; 4]>)], limits: &crate::Limits) -> Result<Option<Extracted>, ParseError> {
    let kinds = page_kinds(bytes, limits);
    if !kinds.iter().any(|k| k.images) {
        return Ok(None);
    }
    let kind = |n: u32| kinds.iter().find(|k| k.number == n);
    let text_pages: Vec<u32> = inked.iter().filter(|(_, g)| !g.is_empty()).map(|(n, _)| *n).collect();
    let layer_scan = !text_pages.is_empty() && text_pages.iter().all(|&n| kind(n).is_some_and(|k| k.invisible_text && k.images));
    if layer_scan {
        if nianbao_ocr::available().is_err() {
            ex.notes.push("这是带不可见识别文字层的扫描件：未安装文字识别（tesseract-ocr、tesseract-ocr-chi-sim），只能按其文字层读取，数字未经核对，请对照原件".into());
            return Ok(None);
        }
        let mut scanned = scan::extract_scanned(file, bytes, limits)?;
        scanned.notes.push("这是带不可见识别文字层的扫描件：该文字层没有识别置信度，无法逐格核对，已重新做文字识别（OCR）并按表内勾稽关系核对".into());
        return Ok(Some(scanned));
    }
    // Scanned pages under an invisible layer inside an otherwise printed PDF (a signed page
    // scanned and appended): when their layer holds tables, it is unvetted OCR, so its lines are
    // left out and the pages are OCR'd like pictures (nothing to mask: the layer does not show).
    // A layer holding only prose (the signature page) is kept.
    let layered: Vec<u32> = kinds.iter().filter(|k| k.invisible_text && k.images).map(|k| k.number).collect();
    if !layered.is_empty() {
        let page_of = |at: u32| {
            let i = ex.boxes.partition_point(|b| b.start <= at);
            i.checked_sub(1).and_then(|i| ex.boxes.get(i)).map(|b| b.page)
        };
        let without: Vec<crate::blocks::Block> = ex.blocks.iter().filter(|b| b.line.offsets.first().and_then(|&o| page_of(o)).is_none_or(|p| !layered.contains(&p))).cloned().collect();
        if crate::pictures::missing_tables(&without) != crate::pictures::missing_tables(&ex.blocks) {
            if nianbao_ocr::available().is_ok() {
                ex.blocks = without;
                let pages: Vec<String> = layered.iter().map(|n| n.to_string()).collect();
                ex.notes.push(format!("第 {} 页是带不可见识别文字层的扫描页：该文字层没有识别置信度，其中的表格未采用，已重新做文字识别（OCR）", pages.join("、")));
            } else {
                ex.notes.push("PDF 中有带不可见识别文字层的扫描页：未安装文字识别（tesseract-ocr、tesseract-ocr-chi-sim），其中的表格只能按文字层读取，数字未经核对，请对照原件".into());
            }
        }
    }
    if crate::pictures::missing_tables(&ex.blocks).is_empty() {
        return Ok(None);
    }
    let ocr_ok = nianbao_ocr::available().is_ok();
    let candidates: Vec<u32> = kinds.iter().filter(|k| k.images && (!k.invisible_text || ocr_ok)).map(|k| k.number).collect();
    let last = candidates.iter().copied().max().unwrap_or(1);
    let page_end = |n: u32| ex.boxes.iter().filter(|b| b.page <= n).map(|b| b.end as usize).max().unwrap_or(0);
    let found: Vec<crate::pictures::Found> = candidates.iter().map(|&n| crate::pictures::Found { at: page_end(n), name: format!("第 {n} 页"), page: Some(n) }).collect();
    let mut rendered: Option<Result<Vec<Vec<u8>>, String>> = None;
    let started = std::time::Instant::now();
    crate::pictures::fill(ex, found, "PDF 中的图片", |f| {
        let n = f.page.unwrap_or(1);
        let opts = scan::options(limits, started).map_err(|_| "文字识别时间已用完，PDF 中的图片页未读取".to_string())?;
        // Pages after the last one with a picture are not rendered.
        let upto = nianbao_ocr::Options { max_pages: opts.max_pages.min(last as usize), ..opts.clone() };
        let pages = rendered.get_or_insert_with(|| nianbao_ocr::render_pdf(bytes, &upto).map_err(|e| format!("PDF 页面无法转为图片（{e}），图片页未读取")));
        let pages = pages.as_ref().map_err(|e| e.clone())?;
        let png = pages.get(n as usize - 1).ok_or_else(|| format!("第 {n} 页超过可转为图片的页数上限，未读取"))?;
        let img = nianbao_ocr::decode_image(png, &opts).map_err(|e| format!("第 {n} 页无法读取（{e}）"))?;
        let (mut gray, seal) = (nianbao_ocr::lightest(&img), nianbao_ocr::seal::mask(&img));
        drop(img);
        // The page's printed text is read already: only the pictures are left for OCR.
        let scale = opts.dpi as f64 / 72.0;
        if let Some((_, boxes)) = inked.iter().find(|(p, _)| *p == n && !layered.contains(p)) {
            for b in boxes {
                let (x0, y0) = ((b[0] * scale - 2.0).max(0.0) as u32, (b[1] * scale - 2.0).max(0.0) as u32);
                let (x1, y1) = (((b[2] * scale + 2.0) as u32).min(gray.width()), ((b[3] * scale + 2.0) as u32).min(gray.height()));
                for y in y0..y1 {
                    for x in x0..x1 {
                        gray.put_pixel(x, y, nianbao_ocr::image::Luma([255]));
                    }
                }
            }
        }
        Ok(crate::pictures::Loaded::Gray(gray, opts.dpi as f64, seal))
    }, limits);
    Ok(None)
}

/// Pages of glyphs and rules → the extracted text and its blocks, in reading order.
pub(crate) fn lay_out(pages: Vec<Page>, format: crate::decode::Format) -> Extracted {
    let mut carry = None;
    let mut laid: Vec<(u32, Vec<Item>)> = pages
        .into_iter()
        .map(|p| (p.number, layout::page_items_after(p, &mut carry)))
        .collect();
    layout::join_broken_rows(&mut laid);
    let sample: String = laid
        .iter()
        .flat_map(|(_, items)| items.iter())
        .take(300)
        .map(Item::plain)
        .collect();
    let mut w = Writer {
        traditional: is_traditional(&sample),
        text: String::new(),
        blocks: Vec::new(),
        boxes: Vec::new(),
    };
    for (page, items) in &laid {
        for item in items {
            w.item(*page, item);
        }
    }
    Extracted {
        format,
        encoding: "UTF-8",
        text: w.text,
        file_offsets: None,
        blocks: w.blocks,
        boxes: w.boxes,
        ocr: Vec::new(),
        notes: Vec::new(),
        partly_ocr: false,
    }
}

/// The number of pages of a PDF, for the benchmark (0 when the file cannot be read).
pub fn page_count(bytes: &[u8]) -> usize {
    let limits = crate::Limits::default();
    std::panic::catch_unwind(|| guard::load(bytes, &limits).map(|d| d.get_pages().len()).unwrap_or(0)).unwrap_or(0)
}

/// A PDF file of the given object bodies, numbered from 1 (the first is the catalog), with a
/// correct cross-reference table. For the fuzzer's seeds and the tests of hostile PDFs, which
/// build their inputs rather than commit megabytes.
#[doc(hidden)]
pub fn assemble(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}
