//! Word and PDF reading beyond the fixtures' expected JSON: spans carry the page and box of PDF
//! values, rotated pages read the same, scans and broken files get their Chinese errors.

use std::path::{Path, PathBuf};

fn office(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/office")
        .join(rel)
}

/// `NIANBAO_DUMP=file.pdf cargo test -p nianbao-parse --test office dump -- --nocapture` prints
/// the extracted text of a file (for looking at what the reader sees).
#[test]
fn dump() {
    let Ok(path) = std::env::var("NIANBAO_DUMP") else {
        return;
    };
    let bytes = std::fs::read(&path).expect("read");
    let x = nianbao_parse::extract(&path, &bytes).expect("extract");
    println!("{}", x.text);
}

#[test]
fn pdf_values_carry_their_page_and_box() {
    let path = office("pdf-writer/002.pdf");
    let doc = nianbao_parse::parse_file(&path).expect("parse");
    let report = &doc.reports[0].report;
    let table = &report.applications;
    let mut seen = 0;
    for row in &table.rows {
        for cell in &row.cells {
            let span = cell.span.expect("span");
            let page = span.page.expect("page");
            assert!((1..=20).contains(&page), "{span:?}");
            let [l, t, r, b] = span.bbox.expect("box");
            // Inside an A4 page, left < right, top < bottom (hundredths of a point).
            assert!(
                0 <= l && l < r && r <= 59_600 && 0 <= t && t < b && b <= 84_300,
                "{span:?}"
            );
            seen += 1;
        }
    }
    assert!(seen > 100);
    // The text diagnostics show the extracted line the span points to.
    let first = table.rows[0].cells[0].span.expect("span");
    assert!(
        doc.source
            .line_text(first.line as usize)
            .contains("本年新收"),
        "{}",
        doc.source.line_text(first.line as usize)
    );
}

#[test]
fn docx_values_point_at_their_table_row() {
    let doc = nianbao_parse::parse_file(&office("docx/003.docx")).expect("parse");
    let table = &doc.reports[0].report.applications;
    let span = table.rows[0].cells[0].span.expect("span");
    assert!(span.page.is_none() && span.bbox.is_none());
    assert!(doc
        .source
        .line_text(span.line as usize)
        .contains("本年新收"));
}

/// `bytes` with every page's content drawn under the transformation `cm` (a PDF `cm` operator's
/// six numbers) on a page of `width` × `height`, shown turned by `rotate` degrees.
fn transformed(bytes: &[u8], cm: &str, width: f32, height: f32, rotate: i64) -> Vec<u8> {
    use pdf_extract::{Dictionary, Document, Object, Stream};
    let mut doc = Document::load_mem(bytes).expect("load");
    let pages: Vec<_> = doc.get_pages().into_values().collect();
    for id in pages {
        let pre = doc.add_object(Stream::new(
            Dictionary::new(),
            format!("q {cm} cm\n").into_bytes(),
        ));
        let post = doc.add_object(Stream::new(Dictionary::new(), b"\nQ".to_vec()));
        let Ok(Object::Dictionary(d)) = doc.get_object(id).cloned() else {
            panic!("page")
        };
        let mut contents = vec![Object::Reference(pre)];
        match d.get(b"Contents") {
            Ok(Object::Array(a)) => contents.extend(a.iter().cloned()),
            Ok(o) => contents.push(o.clone()),
            Err(_) => {}
        }
        contents.push(Object::Reference(post));
        if let Ok(Object::Dictionary(d)) = doc.get_object_mut(id) {
            d.set("Contents", Object::Array(contents));
            d.set("Rotate", Object::Integer(rotate));
            d.set(
                "MediaBox",
                Object::Array(vec![
                    0.into(),
                    0.into(),
                    Object::Real(width),
                    Object::Real(height),
                ]),
            );
        }
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

/// A page drawn turned and shown upright by /Rotate (as scanners' and some exporters' landscape
/// pages are) reads the same as the plain page.
#[test]
fn rotated_pages_read_the_same() {
    let bytes = std::fs::read(office("pdf-chromium/004.pdf")).expect("read");
    let plain =
        nianbao_parse::to_json(&nianbao_parse::parse_bytes("a.pdf", &bytes).expect("parse"));
    let (w, h) = (594.96f32, 841.92f32);
    for angle in [90i64, 180, 270] {
        // Content turned against the page's /Rotate, so that the page is shown upright.
        let out = match angle {
            90 => transformed(&bytes, &format!("0 1 -1 0 {h} 0"), h, w, angle),
            180 => transformed(&bytes, &format!("-1 0 0 -1 {w} {h}"), w, h, angle),
            _ => transformed(&bytes, &format!("0 -1 1 0 0 {w}"), h, w, angle),
        };
        let turned = nianbao_parse::to_json(
            &nianbao_parse::parse_bytes("b.pdf", &out).expect("parse rotated"),
        );
        assert_eq!(plain, turned, "/Rotate {angle}");
    }
}

/// A page scaled as a whole (printed "fit to page" onto a smaller or larger sheet: every glyph,
/// gap and ruling line in proportion) reads the same as the original.
#[test]
fn scaled_pages_read_the_same() {
    // Both fixtures are A4 pages with their origin at 0 0 (Writer's is 0.3 pt wider: margin only).
    let (w, h) = (594.96f32, 841.92f32);
    for file in ["pdf-chromium/004.pdf", "pdf-writer/002.pdf"] {
        let bytes = std::fs::read(office(file)).expect("read");
        let plain =
            nianbao_parse::to_json(&nianbao_parse::parse_bytes("a.pdf", &bytes).expect("parse"));
        for scale in [0.7f32, 1.41] {
            let out = transformed(
                &bytes,
                &format!("{scale} 0 0 {scale} 0 0"),
                w * scale,
                h * scale,
                0,
            );
            let scaled = nianbao_parse::to_json(
                &nianbao_parse::parse_bytes("b.pdf", &out).expect("parse scaled"),
            );
            assert_eq!(plain, scaled, "{file} scaled ×{scale}");
        }
    }
}

#[test]
fn a_pdf_without_text_is_a_scan_needing_ocr() {
    use pdf_extract::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"0 0 0 rg 10 10 100 100 re f".to_vec(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    let err = nianbao_parse::parse_bytes("扫描件.pdf", &out)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("扫描件") && err.contains("OCR"), "{err}");
}

#[test]
fn a_broken_pdf_is_an_error_not_a_panic() {
    let mut bytes = std::fs::read(office("pdf-writer/004.pdf")).expect("read");
    bytes.truncate(bytes.len() / 3);
    let err = nianbao_parse::parse_bytes("坏.pdf", &bytes)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("坏.pdf"), "{err}");
}

/// The font subtypes a PDF uses, with the CID font's subtype for Type0 fonts (`Type0/CIDFontType2`).
fn font_kinds(path: &Path) -> std::collections::BTreeSet<String> {
    use pdf_extract::{Document, Object};
    let doc = Document::load_mem(&std::fs::read(path).expect("read")).expect("load");
    let name = |d: &pdf_extract::Dictionary, key: &[u8]| match d.get(key) {
        Ok(Object::Name(n)) => String::from_utf8_lossy(n).into_owned(),
        _ => String::new(),
    };
    let deref = |o: &Object| match o {
        Object::Reference(id) => doc.get_object(*id).ok().cloned(),
        other => Some(other.clone()),
    };
    let mut kinds = std::collections::BTreeSet::new();
    for obj in doc.objects.values() {
        let Object::Dictionary(d) = obj else { continue };
        if name(d, b"Type") != "Font"
            || name(d, b"Subtype") == "CIDFontType2"
            || name(d, b"Subtype") == "CIDFontType0"
        {
            continue;
        }
        let mut kind = name(d, b"Subtype");
        if kind == "Type0" {
            if let Ok(Object::Array(desc)) = d.get(b"DescendantFonts") {
                if let Some(Object::Dictionary(cid)) = desc.first().and_then(deref) {
                    kind = format!("{kind}/{}", name(&cid, b"Subtype"));
                }
            }
        }
        assert!(
            d.get(b"ToUnicode").is_ok(),
            "{}: a {kind} font without ToUnicode",
            path.display()
        );
        kinds.insert(kind);
    }
    kinds
}

/// The PDF fixtures of the same report cover the font kinds agencies' PDFs come with — CID
/// TrueType fonts with Identity-H (Chromium), simple Type 1 fonts with a ToUnicode map
/// (LibreOffice), and Type 3 fonts (Chromium with a font whose licence forbids embedding) — and
/// every one reads as the same report.
#[test]
fn every_kind_of_cjk_font_reads_the_same() {
    let cases = [
        ("pdf-chromium/003.pdf", "Type0/CIDFontType2"),
        ("pdf-writer/003.pdf", "Type1"),
        ("special/003_type3_chromium.pdf", "Type3"),
    ];
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(office("docx/003.expected.json")).expect("read"))
            .expect("json");
    for (file, kind) in cases {
        let path = office(file);
        let kinds = font_kinds(&path);
        assert!(kinds.contains(kind), "{file}: {kinds:?}");
        assert_eq!(kinds.len(), 1, "{file}: {kinds:?}");
        let got = nianbao_parse::to_json(&nianbao_parse::parse_file(&path).expect("parse"));
        assert_eq!(got, expected, "{file}");
    }
}
