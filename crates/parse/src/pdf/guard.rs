//! Bounds around the PDF library (lopdf, through pdf-extract), which has none of its own for
//! hostile files: it inflates streams without a size limit, follows `/Parent` and form XObject
//! references without cycle detection (a page whose parent is itself loops forever; a form that
//! draws itself recurses until the stack overflows), and parses CMaps and Type 1 fonts with
//! recursive parsers (5,000 nested `[` overflow the stack — an abort `catch_unwind` cannot stop).
//!
//! So, before the library walks a document:
//! * every stream is decoded here, with a bound, while the file is loaded (a load filter), and
//!   kept decoded; images are only measured (they are decoded one at a time later);
//! * cross-reference streams, which lopdf inflates before any filter runs, are measured first in
//!   the raw bytes;
//! * the page tree is checked for cycles and depth, the number of pages and objects is bounded;
//! * the drawing of every page is simulated the way pdf-extract will do it (content operators,
//!   `Do` of XObjects with its resources rules), bounding the depth of nested forms and the total
//!   number of operators it will run, forms drawn many times counted each time;
//! * the streams that recursive parsers read (ToUnicode and Encoding CMaps, Type 1 font files)
//!   are scanned for their nesting depth.

use crate::limits::{size, Limits};
use pdf_extract::content::Content;
use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::io::Read;

/// Why a PDF is not read.
#[derive(Debug)]
pub enum Refusal {
    /// A limit of [`Limits`] (the text names it).
    Limit(String),
    /// The structure is broken in a way that would hang or crash the library.
    Corrupt(String),
}

/// Forms nested deeper than this are refused (real documents nest a few levels).
const MAX_FORM_DEPTH: usize = 32;
/// Length of a `/Parent` chain (page tree depth).
const MAX_TREE_DEPTH: usize = 64;

struct LoadState {
    limits: Limits,
    objects: usize,
    kept: usize,
    refusal: Option<Refusal>,
}

thread_local! {
    static LOAD: RefCell<Option<LoadState>> = const { RefCell::new(None) };
}

/// Loads a PDF with every stream decoded within `limits`.
pub fn load(bytes: &[u8], limits: &Limits) -> Result<Document, Refusal> {
    measure_xref_streams(bytes, limits)?;
    let encrypted = declares_encryption(bytes);
    if encrypted && !crate::worker::in_worker() {
        // lopdf loads an encrypted file (permissions only, empty user password: common for
        // published reports) without the load filter and inflates its object streams unbounded
        // after decrypting them. In-process, accept only object streams too small to inflate past
        // the limit (deflate stops near 1032:1); a worker process is bounded by its rlimits.
        object_streams_small(bytes, limits)?;
    }
    LOAD.with(|s| *s.borrow_mut() = Some(LoadState { limits: limits.clone(), objects: 0, kept: 0, refusal: None }));
    let options = pdf_extract::LoadOptions { filter: Some(filter), ..Default::default() };
    let loaded = Document::load_mem_with_options(bytes, options);
    let state = LOAD.with(|s| s.borrow_mut().take());
    if let Some(refusal) = state.and_then(|s| s.refusal) {
        return Err(refusal);
    }
    let mut doc = loaded.map_err(|e| Refusal::Corrupt(e.to_string()))?;
    if encrypted {
        // The filter did not run: bound the decrypted streams now, before anything inflates them.
        bound_streams(&mut doc, limits)?;
    }
    Ok(doc)
}

/// Does the file declare encryption (a trailer or cross-reference stream with `/Encrypt`)?
pub fn declares_encryption(bytes: &[u8]) -> bool {
    bytes.windows(8).enumerate().any(|(i, w)| w == b"/Encrypt" && bytes.get(i + 8).is_some_and(|c| c.is_ascii_whitespace() || *c == b'<' || c.is_ascii_digit()))
}

/// Every object stream's raw data is small enough that inflating it cannot pass the limit.
fn object_streams_small(bytes: &[u8], limits: &Limits) -> Result<(), Refusal> {
    let max_raw = limits.pdf_stream_bytes / 1100;
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], b"/ObjStm").map(|i| from + i) {
        from = at + 7;
        let window = &bytes[from..bytes.len().min(from + 4096)];
        let Some(s) = find(window, b"stream") else { continue };
        let data = from + s + 6;
        let end = find(&bytes[data..], b"endstream").map(|e| data + e).unwrap_or(bytes.len());
        if end - data > max_raw {
            return Err(Refusal::Limit(format!("加密 PDF 的对象流超过 {} 上限", size(max_raw as u64))));
        }
    }
    Ok(())
}

/// What the load filter does, for a document loaded without it (encrypted).
fn bound_streams(doc: &mut Document, limits: &Limits) -> Result<(), Refusal> {
    if doc.objects.len() > limits.pdf_objects {
        return Err(Refusal::Limit(format!("PDF 对象超过 {} 个上限", limits.pdf_objects)));
    }
    let mut kept = 0usize;
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else { continue };
        let image = stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Image");
        match decode(stream, limits.pdf_stream_bytes) {
            Err(()) => return Err(Refusal::Limit(format!("PDF 数据流解压后超过 {} 上限", size(limits.pdf_stream_bytes as u64)))),
            Ok(Some(data)) if !image => {
                kept += data.len();
                if kept > limits.pdf_total_stream_bytes {
                    return Err(Refusal::Limit(format!("PDF 数据流解压后合计超过 {} 上限", size(limits.pdf_total_stream_bytes as u64))));
                }
                if stream.dict.get(b"DecodeParms").is_err() {
                    stream.set_plain_content(data);
                }
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// The load filter: counts objects and decodes each stream within the limits. (A plain `fn`, as
/// lopdf wants, so the state is thread-local; lopdf loads on the calling thread.)
fn filter(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    LOAD.with(|cell| {
        let mut guard = cell.borrow_mut();
        let Some(st) = guard.as_mut() else {
            return Some((id, object.clone()));
        };
        if st.refusal.is_some() {
            return None;
        }
        st.objects += 1;
        if st.objects > st.limits.pdf_objects {
            st.refusal = Some(Refusal::Limit(format!("PDF 对象超过 {} 个上限", st.limits.pdf_objects)));
            return None;
        }
        let Object::Stream(stream) = object else {
            return Some((id, object.clone()));
        };
        let image = stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Image");
        match decode(stream, st.limits.pdf_stream_bytes) {
            Err(()) => {
                st.refusal = Some(Refusal::Limit(format!("PDF 数据流解压后超过 {} 上限", size(st.limits.pdf_stream_bytes as u64))));
                return None;
            }
            Ok(Some(data)) if !image => {
                st.kept += data.len();
                if st.kept > st.limits.pdf_total_stream_bytes {
                    st.refusal = Some(Refusal::Limit(format!("PDF 数据流解压后合计超过 {} 上限", size(st.limits.pdf_total_stream_bytes as u64))));
                    return None;
                }
                // Predictors (rare outside images and xref streams) are left to lopdf, which
                // cannot grow the data past what was measured.
                if stream.dict.get(b"DecodeParms").is_err() {
                    stream.set_plain_content(data);
                }
            }
            Ok(_) => {}
        }
        // lopdf stores the object it passed (the return value only matters for the objects of
        // object streams, which are never streams themselves).
        Some((id, Object::Null))
    })
}

/// Decodes a stream's filters the way lopdf does, stopping past `cap` bytes (`Err`).
/// `Ok(None)`: no filter, or one lopdf does not decode either (then its raw bytes are used).
fn decode(stream: &Stream, cap: usize) -> Result<Option<Vec<u8>>, ()> {
    let Ok(filters) = stream.filters() else { return Ok(None) };
    let mut data: Option<Vec<u8>> = None;
    for f in filters {
        let input = data.as_deref().unwrap_or(&stream.content);
        let out = match f {
            b"FlateDecode" => inflate(input, cap)?,
            b"LZWDecode" => {
                let early = stream
                    .dict
                    .get(b"DecodeParms")
                    .and_then(Object::as_dict)
                    .and_then(|p| p.get(b"EarlyChange"))
                    .and_then(Object::as_i64)
                    .map(|v| v != 0)
                    .unwrap_or(true);
                lzw(input, early, cap)?
            }
            // At most 5 bytes out per 4 in: lopdf's own decoder is bounded.
            b"ASCII85Decode" => {
                let mut d = Dictionary::new();
                d.set("Filter", Object::Name(b"ASCII85Decode".to_vec()));
                Stream::new(d, input.to_vec()).decompressed_content().map_err(|_| ())?
            }
            _ => return Ok(None),
        };
        if out.len() > cap {
            return Err(());
        }
        data = Some(out);
    }
    Ok(data)
}

/// Inflates like lopdf (zlib, or raw deflate after the two header bytes when zlib gives
/// nothing), keeping what came out before an error; `Err` past `cap`.
pub fn inflate(input: &[u8], cap: usize) -> Result<Vec<u8>, ()> {
    let mut out = Vec::new();
    let zlib = flate2::read::ZlibDecoder::new(input).take(cap as u64 + 1).read_to_end(&mut out);
    if zlib.is_err() && out.is_empty() && input.len() > 2 {
        let _ = flate2::read::DeflateDecoder::new(&input[2..]).take(cap as u64 + 1).read_to_end(&mut out);
    }
    if out.len() > cap {
        return Err(());
    }
    Ok(out)
}

fn lzw(input: &[u8], early_change: bool, cap: usize) -> Result<Vec<u8>, ()> {
    let mut decoder = if early_change {
        weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
    } else {
        weezl::decode::Decoder::new(weezl::BitOrder::Msb, 8)
    };
    let mut out = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut rest = input;
    loop {
        let r = decoder.decode_bytes(rest, &mut buf);
        out.extend_from_slice(&buf[..r.consumed_out]);
        if out.len() > cap {
            return Err(());
        }
        rest = &rest[r.consumed_in..];
        match r.status {
            Ok(weezl::LzwStatus::Ok) if r.consumed_in > 0 || r.consumed_out > 0 => continue,
            _ => break,
        }
    }
    Ok(out)
}

/// Cross-reference streams are inflated by lopdf while it reads the trailer, before the load
/// filter sees anything: measure each one in the raw bytes first.
fn measure_xref_streams(bytes: &[u8], limits: &Limits) -> Result<(), Refusal> {
    let mut budget = limits.pdf_total_stream_bytes;
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], b"/XRef").map(|i| from + i) {
        from = at + 5;
        let window = &bytes[from..bytes.len().min(from + 4096)];
        let Some(s) = find(window, b"stream") else { continue };
        let mut data = from + s + 6;
        if bytes.get(data) == Some(&b'\r') {
            data += 1;
        }
        if bytes.get(data) == Some(&b'\n') {
            data += 1;
        }
        let cap = limits.pdf_stream_bytes.min(budget);
        let mut sink = Counter(0);
        let mut z = flate2::read::ZlibDecoder::new(&bytes[data..]).take(cap as u64 + 1);
        let _ = std::io::copy(&mut z, &mut sink);
        if sink.0 == 0 && bytes.len() > data + 2 {
            let mut d = flate2::read::DeflateDecoder::new(&bytes[data + 2..]).take(cap as u64 + 1);
            let _ = std::io::copy(&mut d, &mut sink);
        }
        if sink.0 > cap as u64 {
            return Err(Refusal::Limit(format!("PDF 数据流解压后超过 {} 上限", size(cap as u64))));
        }
        budget -= sink.0 as usize;
    }
    Ok(())
}

struct Counter(u64);
impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(&Object::Null),
        other => other,
    }
}

fn dict_of<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, o) {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// A dictionary's entry, looked up through `/Parent` like pdf-extract's `get_inherited` (the
/// chain was checked for cycles before).
fn inherited<'a>(doc: &'a Document, mut dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    for _ in 0..MAX_TREE_DEPTH {
        if let Ok(v) = dict.get(key) {
            return Some(deref(doc, v));
        }
        dict = dict_of(doc, dict.get(b"Parent").ok()?)?;
    }
    None
}

/// Checks a loaded document before the library walks it.
pub fn check(doc: &Document, limits: &Limits) -> Result<(), Refusal> {
    let pages = doc.get_pages();
    if pages.len() > limits.pdf_pages {
        return Err(Refusal::Limit(format!("PDF 页数超过 {} 页上限", limits.pdf_pages)));
    }
    for (&number, &id) in &pages {
        // pdf-extract follows /Parent for inherited entries with no cycle check.
        let mut seen = HashSet::new();
        let mut current = id;
        let mut depth = 0;
        loop {
            if !seen.insert(current) {
                return Err(Refusal::Corrupt(format!("页面树存在循环引用（第 {number} 页）")));
            }
            depth += 1;
            if depth > MAX_TREE_DEPTH {
                return Err(Refusal::Corrupt(format!("页面树超过 {MAX_TREE_DEPTH} 层（第 {number} 页）")));
            }
            let Ok(dict) = doc.get_dictionary(current) else { break };
            match dict.get(b"Parent") {
                Ok(Object::Reference(p)) => current = *p,
                // A direct dictionary as parent: a chain of those is bounded by the parser's nesting.
                _ => break,
            }
        }
    }
    let mut sim = Simulation { doc, limits, operators: 0, memo: HashMap::new(), fonts_seen: HashSet::new(), resources_seen: HashSet::new() };
    let empty = Dictionary::new();
    for &id in pages.values() {
        let Ok(page) = doc.get_dictionary(id) else { continue };
        let resources = inherited(doc, page, b"Resources").and_then(|r| r.as_dict().ok()).unwrap_or(&empty);
        let content = doc.get_page_content(id).unwrap_or_default();
        let ops = sim.run(&content, resources, 0)?;
        sim.add(ops)?;
    }
    Ok(())
}

struct Simulation<'a> {
    doc: &'a Document,
    limits: &'a Limits,
    operators: u64,
    /// Operators a form runs (itself and the forms it draws), by form and resources.
    memo: HashMap<(ObjectId, usize), u64>,
    fonts_seen: HashSet<usize>,
    resources_seen: HashSet<usize>,
}

impl<'a> Simulation<'a> {
    fn add(&mut self, ops: u64) -> Result<(), Refusal> {
        self.operators = self.operators.saturating_add(ops);
        if self.operators > self.limits.pdf_operators as u64 {
            return Err(Refusal::Limit(format!("PDF 绘制指令超过 {} 条上限", self.limits.pdf_operators)));
        }
        Ok(())
    }

    /// Operators that drawing `content` with `resources` runs, forms included, as pdf-extract's
    /// `process_stream` will run them.
    fn run(&mut self, content: &[u8], resources: &'a Dictionary, depth: usize) -> Result<u64, Refusal> {
        if depth > MAX_FORM_DEPTH {
            return Err(Refusal::Corrupt(format!("表单对象（XObject）嵌套超过 {MAX_FORM_DEPTH} 层或循环引用")));
        }
        self.check_fonts(resources)?;
        let Ok(content) = Content::decode(content) else { return Ok(0) };
        let mut total = content.operations.len() as u64;
        if total > self.limits.pdf_operators as u64 {
            return Err(Refusal::Limit(format!("PDF 绘制指令超过 {} 条上限", self.limits.pdf_operators)));
        }
        for op in content.operations.iter().filter(|op| op.operator == "Do") {
            let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else { continue };
            let Some(xobjects) = resources.get(b"XObject").ok().and_then(|x| dict_of(self.doc, x)) else { continue };
            let Ok(target) = xobjects.get(name) else { continue };
            let Object::Stream(form) = deref(self.doc, target) else { continue };
            let inner = form.dict.get(b"Resources").ok().and_then(|r| dict_of(self.doc, r)).unwrap_or(resources);
            let key = target.as_reference().ok().map(|id| (id, inner as *const Dictionary as usize));
            let ops = match key.and_then(|k| self.memo.get(&k).copied()) {
                Some(ops) => ops,
                None => {
                    let data = form.decompressed_content().unwrap_or_else(|_| form.content.clone());
                    let ops = self.run(&data, inner, depth + 1)?;
                    if let Some(k) = key {
                        self.memo.insert(k, ops);
                    }
                    ops
                }
            };
            total = total.saturating_add(ops);
            if total > self.limits.pdf_operators as u64 {
                return Err(Refusal::Limit(format!("PDF 绘制指令超过 {} 条上限", self.limits.pdf_operators)));
            }
        }
        Ok(total)
    }

    /// The streams of the fonts of `resources` that recursive parsers read.
    fn check_fonts(&mut self, resources: &'a Dictionary) -> Result<(), Refusal> {
        if !self.resources_seen.insert(resources as *const Dictionary as usize) {
            return Ok(());
        }
        let Some(fonts) = resources.get(b"Font").ok().and_then(|f| dict_of(self.doc, f)) else { return Ok(()) };
        for (_, font) in fonts.iter() {
            let Some(font) = dict_of(self.doc, font) else { continue };
            if !self.fonts_seen.insert(font as *const Dictionary as usize) {
                continue;
            }
            let mut streams: Vec<(&Stream, &str)> = Vec::new();
            for key in [b"ToUnicode".as_slice(), b"Encoding"] {
                if let Some(Object::Stream(s)) = font.get(key).ok().map(|o| deref(self.doc, o)) {
                    streams.push((s, "字体映射表（CMap）"));
                }
            }
            if let Some(d) = font.get(b"FontDescriptor").ok().and_then(|d| dict_of(self.doc, d)) {
                if let Some(Object::Stream(s)) = d.get(b"FontFile").ok().map(|o| deref(self.doc, o)) {
                    streams.push((s, "Type 1 字体"));
                }
            }
            for (s, what) in streams {
                let data = s.decompressed_content().unwrap_or_else(|_| s.content.clone());
                // Only the clear-text part of a Type 1 font is PostScript syntax.
                let clear = s.dict.get(b"Length1").and_then(Object::as_i64).ok().filter(|&n| n > 0).map(|n| n as usize);
                let part = &data[..clear.unwrap_or(data.len()).min(data.len())];
                if nesting_depth(part, self.limits.pdf_depth) > self.limits.pdf_depth {
                    return Err(Refusal::Limit(format!("PDF {what}嵌套超过 {} 层上限", self.limits.pdf_depth)));
                }
            }
        }
        Ok(())
    }
}

/// The deepest nesting of arrays, dictionaries, procedures and literal strings (whose balanced
/// parentheses nest too) in PDF or PostScript syntax; stops counting past `cap`.
pub fn nesting_depth(data: &[u8], cap: usize) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut i = 0;
    // Parentheses open inside the current literal string (0: not in a string).
    let mut in_string = 0usize;
    while i < data.len() {
        let c = data[i];
        if in_string > 0 {
            match c {
                b'\\' => i += 1,
                b'(' => {
                    in_string += 1;
                    depth += 1;
                }
                b')' => {
                    in_string -= 1;
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            }
        } else {
            match c {
                b'%' => {
                    while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                        i += 1;
                    }
                }
                b'(' => {
                    in_string = 1;
                    depth += 1;
                }
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth = depth.saturating_sub(1),
                b'<' if data.get(i + 1) == Some(&b'<') => {
                    depth += 1;
                    i += 1;
                }
                b'>' if data.get(i + 1) == Some(&b'>') => {
                    depth = depth.saturating_sub(1);
                    i += 1;
                }
                _ => {}
            }
        }
        max = max.max(depth);
        if max > cap {
            return max;
        }
        i += 1;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_in_strings_arrays_and_dictionaries() {
        assert_eq!(nesting_depth(b"[1 [2] (a(b)c) <</A <</B 1>> >>]", 10), 3);
        assert_eq!(nesting_depth(b"(\\(\\(\\() % [[[[\n[", 10), 1);
        assert!(nesting_depth(&[b'['; 5000], 64) > 64);
        assert!(nesting_depth(&[b'('; 5000], 64) > 64);
        assert!(nesting_depth(&b"<<".repeat(5000), 64) > 64);
    }

    #[test]
    fn inflation_stops_at_the_cap() {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut z, &vec![b'0'; 10 << 20]).unwrap();
        let small = z.finish().unwrap();
        assert!(inflate(&small, 1 << 20).is_err());
        assert_eq!(inflate(&small, 10 << 20).unwrap().len(), 10 << 20);
    }
}
