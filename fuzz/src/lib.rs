//! A plain mutation fuzzer for nianbao's readers, checker and renderer, on stable Rust (no
//! `cargo fuzz`, no coverage instrumentation): seeds from `tests/fixtures`, byte and token
//! mutations (format-aware for DOCX and PDF, so most inputs get past the container), and after
//! every input the invariants every hostile file must keep:
//!
//! * no panic (a panic is caught and the input saved);
//! * every span of the parsed reports and of the findings lies inside the file (or the extracted
//!   text, for DOCX and PDF) and on a character boundary;
//! * the checker and the text renderer run on whatever was parsed.
//!
//! The binary (`src/main.rs`) adds what cannot be caught in-process: a supervisor restarts the
//! worker after an abort (stack overflow, allocation failure) and saves the input that caused it,
//! and a watchdog saves inputs over the time or memory budget.

use nianbao_model::Span;
use nianbao_parse::ParsedDocument;
use std::path::{Path, PathBuf};

/// What an input is fed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Text,
    Html,
    Docx,
    Pdf,
    /// Any format, then the checker and the renderer on every report (all targets check spans;
    /// this one mixes the seeds of all formats).
    Check,
}

impl Target {
    pub const ALL: [Target; 5] = [Target::Text, Target::Html, Target::Docx, Target::Pdf, Target::Check];

    pub fn name(self) -> &'static str {
        match self {
            Target::Text => "text",
            Target::Html => "html",
            Target::Docx => "docx",
            Target::Pdf => "pdf",
            Target::Check => "check",
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s)
    }

    fn takes(self, ext: &str) -> bool {
        match self {
            Target::Text => ext == "txt",
            Target::Html => ext == "html" || ext == "htm",
            Target::Docx => ext == "docx",
            Target::Pdf => ext == "pdf",
            Target::Check => matches!(ext, "txt" | "html" | "htm" | "docx" | "pdf"),
        }
    }
}

/// A small xorshift generator: reproducible runs from a seed, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// An input with the file name it is parsed under (the extension matters to nothing but the
/// legacy converter; the name shows in messages).
#[derive(Clone)]
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Seeds for a target: the fixtures with its extensions (sidecars excluded), plus generated
/// PDFs with uncompressed content for the PDF mutators to work on.
pub fn seeds(fixtures: &Path, target: Target) -> Vec<Input> {
    let mut files = Vec::new();
    walk(fixtures, &mut files);
    let mut out: Vec<Input> = files
        .into_iter()
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            target.takes(&ext) && !name.ends_with(".error.txt") && !name.ends_with(".notes.txt")
        })
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            // Big fixtures slow every execution down; the small ones cover the same syntax.
            (bytes.len() <= 2 << 20).then(|| Input { name: p.file_name().unwrap().to_string_lossy().into_owned(), bytes })
        })
        .collect();
    if matches!(target, Target::Pdf | Target::Check) {
        for (i, objects) in pdf_seeds().into_iter().enumerate() {
            out.push(Input { name: format!("gen{i}.pdf"), bytes: pdf(&objects) });
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A PDF of object bodies numbered from 1 (the first is the catalog), with a correct xref.
pub fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    nianbao_parse::pdf::assemble(objects)
}

fn stream(data: &[u8], extra: &str) -> Vec<u8> {
    let mut s = format!("<< /Length {}{extra} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

/// Object lists of small PDFs that exercise pages, fonts with CMaps, forms and rules.
fn pdf_seeds() -> Vec<Vec<Vec<u8>>> {
    let catalog = b"<< /Type /Catalog /Pages 2 0 R >>".to_vec();
    let pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec();
    let page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> /XObject << /X0 6 0 R >> >> /Contents 4 0 R >>".to_vec();
    let mut content = Vec::new();
    for (i, line) in ["(一、总体情况) Tj", "(规章 0 0 0) Tj", "(行政规范性文件 1 0 8) Tj"].iter().enumerate() {
        content.extend_from_slice(format!("BT /F1 12 Tf 72 {} Td {line} ET\n", 720 - 20 * i).as_bytes());
    }
    content.extend_from_slice(b"0.5 w 72 600 m 540 600 l S 72 580 468 0.5 re f /X0 Do\n");
    let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CMapName /X def\n1 begincodespacerange <00> <FF> endcodespacerange\n2 beginbfchar <41> <4E00> <42> <4E8C> endbfchar\n1 beginbfrange <30> <39> <0030> endbfrange\nendcmap CMapName currentdict /CMap defineresource pop end end\n";
    vec![
        vec![
            catalog.clone(),
            pages.clone(),
            page,
            stream(&content, ""),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 7 0 R >>".to_vec(),
            stream(b"q 1 0 0 1 10 10 cm BT /F1 9 Tf (ABC 123) Tj ET Q", " /Type /XObject /Subtype /Form /BBox [0 0 100 100]"),
            stream(cmap, ""),
        ],
        vec![
            catalog,
            b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 595 842] /Rotate 90 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /Contents [5 0 R 5 0 R] >>".to_vec(),
            stream(b"BT /F1 10 Tf 1 0 0 1 50 700 Tm [(A) -200 (B) 50 (12)] TJ T* (34) ' ET 50 650 m 300 650 l S", ""),
            b"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /W [1 [500 600] 10 20 300] >>] >>".to_vec(),
        ],
    ]
}

/// Tokens whose repetition or insertion reaches the classes of issue 17 (nesting, entities,
/// invalid multi-byte sequences, huge numbers, cycles).
fn tokens(ext: &str) -> &'static [&'static [u8]] {
    const HTML: &[&[u8]] = &[b"<div>", b"<b>", b"<ul><li>", b"<table><tr><td>", b"</td>", b"</tr>", b"<p>&#112;</p>", b"&nbsp;", b"&#x5f20;", b"<!--", b"-->", b"<script>", b"<br>", b"<td rowspan=99>", b"\xe4\xb8", b"\x81", b"99999999999999999999"];
    const PDF: &[&[u8]] = &[b"[", b"(", b"<<", b">>", b"]", b")", b"/Parent 3 0 R", b"/X0 Do ", b"q ", b"Q ", b"BT ", b"ET ", b"(A) Tj ", b"0 0 m 9 9 l S ", b"1 0 0 1 5 5 cm ", b"-1e308 ", b"99999999999 ", b"/Rotate 270"];
    const DOCX: &[&[u8]] = &[b"<w:p>", b"</w:p>", b"<w:tbl>", b"<w:tr><w:tc>", b"</w:tc></w:tr>", b"<w:t>", b"</w:t>", b"<w:vMerge/>", b"&#x5f20;", b"<w:del>", b"99999999999999999999"];
    const TEXT: &[&[u8]] = &[
        b"|", b" | ", b"\n", b"\r\n", b"\x81", b"\xff", b"\xa1", b"\xe4\xb8", b"99999999999999999999", "一、".as_bytes(), "（一）".as_bytes(),
        "\u{3000}".as_bytes(), "第二十条第(一)项".as_bytes(), b"\t", "件".as_bytes(),
    ];
    match ext {
        "html" | "htm" => HTML,
        "pdf" => PDF,
        "docx" => DOCX,
        _ => TEXT,
    }
}

fn ext_of(name: &str) -> String {
    name.rsplit('.').next().unwrap_or("").to_ascii_lowercase()
}

/// One byte-level mutation of `b`. `keep_len`: only mutations that keep every offset (for
/// PDFs, whose cross-reference table counts bytes).
fn mutate_bytes(rng: &mut Rng, b: &mut Vec<u8>, toks: &[&[u8]], other: &[u8], keep_len: bool) {
    if b.is_empty() {
        b.extend_from_slice(toks[rng.below(toks.len())]);
        return;
    }
    let choice = if keep_len { rng.below(3) } else { rng.below(9) };
    let at = rng.below(b.len());
    match choice {
        0 => b[at] ^= 1 << rng.below(8),
        1 => b[at] = [0u8, 0xff, b'<', b'>', b'[', b'(', b'&', b';', b'9', 0x81, b'\n', b'|', b'/'][rng.below(13)],
        2 => {
            // Overwrite with a token (same length).
            let t = toks[rng.below(toks.len())];
            let n = t.len().min(b.len() - at);
            b[at..at + n].copy_from_slice(&t[..n]);
        }
        3 => {
            let n = rng.below(64.min(b.len() - at) + 1);
            b.drain(at..at + n);
        }
        4 => {
            let n = rng.below(256.min(b.len() - at) + 1);
            let piece = b[at..at + n].to_vec();
            let to = rng.below(b.len() + 1);
            b.splice(to..to, piece);
        }
        5 | 6 => {
            // A token repeated: nesting, entity floods.
            let t = toks[rng.below(toks.len())];
            let times = [1, 2, 10, 100, 1000, 5000][rng.below(6)];
            let to = rng.below(b.len() + 1);
            b.splice(to..to, t.repeat(times));
        }
        7 => {
            // Splice a piece of another seed.
            if !other.is_empty() {
                let from = rng.below(other.len());
                let n = rng.below(512.min(other.len() - from) + 1);
                let to = rng.below(b.len() + 1);
                b.splice(to..to, other[from..from + n].iter().copied());
            }
        }
        _ => {
            // A digit run made long (numbers past the counts' range).
            if let Some(d) = b[at..].iter().position(u8::is_ascii_digit) {
                let to = at + d;
                b.splice(to..to, std::iter::repeat_n(b'9', [20, 309, 400][rng.below(3)]));
            }
        }
    }
}

/// Mutates an input by 1–4 mutations, format-aware for DOCX (inside `word/document.xml`) and PDF
/// (offset-keeping on real files; object bodies of generated ones are rebuilt with a new xref).
pub fn mutate(rng: &mut Rng, input: &Input, other: &Input) -> Input {
    let ext = ext_of(&input.name);
    let toks = tokens(&ext);
    let rounds = 1 + rng.below(4);
    let mut bytes = input.bytes.clone();
    if ext == "docx" && rng.chance(85) {
        if let Some(mut xml) = docx_xml(&bytes) {
            for _ in 0..rounds {
                mutate_bytes(rng, &mut xml, toks, &other.bytes, false);
            }
            if let Some(z) = docx_with(&xml) {
                return Input { name: input.name.clone(), bytes: z };
            }
        }
    }
    if ext == "pdf" {
        if let Some(mut objects) = pdf_objects(&bytes).filter(|_| rng.chance(60)) {
            for _ in 0..rounds {
                let k = rng.below(objects.len());
                mutate_bytes(rng, &mut objects[k], toks, &other.bytes, false);
                fix_length(&mut objects[k]);
            }
            return Input { name: input.name.clone(), bytes: pdf(&objects) };
        }
        for _ in 0..rounds {
            mutate_bytes(rng, &mut bytes, toks, &other.bytes, true);
        }
        return Input { name: input.name.clone(), bytes };
    }
    for _ in 0..rounds {
        mutate_bytes(rng, &mut bytes, toks, &other.bytes, false);
    }
    Input { name: input.name.clone(), bytes }
}

fn docx_xml(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut e = z.by_name("word/document.xml").ok()?;
    let mut xml = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut e, 8 << 20), &mut xml).ok()?;
    Some(xml)
}

fn docx_with(xml: &[u8]) -> Option<Vec<u8>> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).ok()?;
    std::io::Write::write_all(&mut z, xml).ok()?;
    z.finish().ok()?;
    Some(buf.into_inner())
}

/// The object bodies of a PDF written by [`pdf`] (objects `1..n` in order), `None` otherwise.
fn pdf_objects(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut objects = Vec::new();
    let mut at = 0;
    loop {
        let head = format!("{} 0 obj\n", objects.len() + 1);
        let start = find(&bytes[at..], head.as_bytes())? + at + head.len();
        let Some(end) = find(&bytes[start..], b"\nendobj\n").map(|e| e + start) else { break };
        objects.push(bytes[start..end].to_vec());
        at = end;
        if find(&bytes[at..], format!("{} 0 obj\n", objects.len() + 1).as_bytes()).is_none() {
            break;
        }
    }
    (!objects.is_empty() && find(bytes, b"/Filter").is_none()).then_some(objects)
}

/// Sets `/Length` of a stream object to its data's length again after a mutation.
fn fix_length(body: &mut Vec<u8>) {
    let (Some(s), Some(e)) = (find(body, b"stream\n"), rfind(body, b"\nendstream")) else { return };
    if e < s + 7 {
        return;
    }
    let len = e - (s + 7);
    if let Some(l) = find(&body[..s], b"/Length ") {
        let digits = body[l + 8..].iter().take_while(|c| c.is_ascii_digit()).count();
        body.splice(l + 8..l + 8 + digits, len.to_string().into_bytes());
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// What one execution found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Parsed: number of reports and findings (a cheap signature to grow the corpus with).
    Parsed { reports: usize, findings: usize },
    /// Refused with a Chinese error; the error's kind.
    Refused(String),
}

/// Runs an input through the reader and, when it parses, the checker and the renderer, then
/// checks the span invariants. `Err` is a bug: a broken invariant (a panic propagates; the
/// caller catches it).
pub fn run(input: &Input) -> Result<Outcome, String> {
    let doc = match nianbao_parse::parse_bytes(&input.name, &input.bytes) {
        Ok(d) => d,
        Err(e) => {
            let msg = e.to_string();
            if !msg.starts_with(&input.name) {
                return Err(format!("error does not name the file: {msg}"));
            }
            let kind = format!("{e:?}").split([' ', '{', '(']).next().unwrap_or("").to_string();
            return Ok(Outcome::Refused(kind));
        }
    };
    check_spans(input, &doc)?;
    let docs = [doc];
    let result = nianbao_check::check(&docs);
    for f in &result.findings {
        if let Some(span) = f.span {
            span_ok(input, &docs[0], &span).map_err(|e| format!("finding {}: {e}", f.rule))?;
        }
    }
    let text = nianbao_check::render::text(&result);
    let _ = result.to_json().to_string();
    let _ = nianbao_parse::to_json(&docs[0]).to_string();
    if text.is_empty() && !result.findings.is_empty() {
        return Err("renderer printed nothing".into());
    }
    Ok(Outcome::Parsed { reports: docs[0].reports.len(), findings: result.findings.len() })
}

/// Every span of the parsed reports.
fn check_spans(input: &Input, doc: &ParsedDocument) -> Result<(), String> {
    for r in &doc.reports {
        let mut spans: Vec<(String, Span)> = Vec::new();
        for table in [&r.report.active_disclosure, &r.report.applications, &r.report.review_litigation] {
            spans.extend(table.span.map(|s| ("table".to_string(), s)));
            for row in &table.rows {
                spans.extend(row.label_span.map(|s| (format!("label {}", row.key), s)));
                spans.extend(row.cells.iter().filter_map(|c| c.span).map(|s| (format!("cell {}", row.key), s)));
            }
            for sub in &table.subtotals {
                spans.extend(sub.span.map(|s| ("subtotal".to_string(), s)));
                spans.extend(sub.cells.iter().filter_map(|c| c.span).map(|s| ("subtotal cell".to_string(), s)));
            }
        }
        spans.extend(r.warnings.iter().filter_map(|w| w.span).map(|s| ("warning".to_string(), s)));
        spans.extend(r.published_span.map(|s| ("published".to_string(), s)));
        for (what, span) in spans {
            span_ok(input, doc, &span).map_err(|e| format!("{what}: {e}"))?;
        }
    }
    Ok(())
}

/// A span lies in the file (or, for DOCX, PDF and the XLSX form, the extracted text its offsets point into),
/// `start <= end`, both on character boundaries.
pub fn span_ok(input: &Input, doc: &ParsedDocument, span: &Span) -> Result<(), String> {
    let source = &doc.source;
    let extracted = matches!(doc.format, nianbao_parse::decode::Format::Docx | nianbao_parse::decode::Format::Pdf | nianbao_parse::decode::Format::Xlsx);
    // Text read by OCR from a page's pictures is appended past the end of the file (its spans
    // run on from the file's length): the map's end, or the decoded length, covers it.
    let len = if extracted { source.decoded.len() } else { source.file_offsets.as_ref().and_then(|m| m.last()).map(|&l| l as usize).unwrap_or(source.decoded.len()).max(input.bytes.len()) };
    if span.start > span.end || span.end > len {
        return Err(format!("span {}..{} outside 0..{len}", span.start, span.end));
    }
    match &source.file_offsets {
        Some(map) => {
            // The file offsets of character starts are exactly the values of the map.
            for at in [span.start, span.end] {
                if map.binary_search(&(at as u32)).is_err() {
                    return Err(format!("span {}..{}: {at} is not where a character starts", span.start, span.end));
                }
            }
        }
        None => {
            if !source.decoded.is_char_boundary(span.start) || !source.decoded.is_char_boundary(span.end) {
                return Err(format!("span {}..{} not on character boundaries", span.start, span.end));
            }
        }
    }
    Ok(())
}
