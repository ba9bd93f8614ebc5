//! PDFs read in a worker process (`nianbao_parse::worker`): the same result as in-process, the
//! guard's errors passed through, and a crash of the PDF library contained — the worker dies, the
//! file gets a Chinese error, this process goes on. (Its own test binary: the worker setting is
//! process-wide.)

use nianbao_parse::{worker, Limits};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(rel)
}

fn exe() -> Option<PathBuf> {
    Some(PathBuf::from(env!("CARGO_BIN_EXE_nianbao-pdf-worker")))
}

fn stream(data: &[u8], extra: &str) -> Vec<u8> {
    let mut s = format!("<< /Length {}{extra} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

/// A one-page PDF whose font's ToUnicode CMap nests `[` `depth` deep.
fn deep_cmap_pdf(depth: usize) -> Vec<u8> {
    let cmap = format!("1 begincodespacerange <00> <FF> endcodespacerange\n1 beginbfrange <00> <01> {}{} endbfrange\n", "[".repeat(depth), "]".repeat(depth));
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(cmap.as_bytes()).unwrap();
    let objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET", ""),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>".to_vec(),
        stream(&z.finish().unwrap(), " /Filter /FlateDecode"),
    ];
    nianbao_parse::pdf::assemble(&objects)
}

#[test]
fn pdfs_read_in_a_worker_process() {
    // The same reports as in-process.
    let path = fixture("office/pdf-writer/002.pdf");
    worker::set_worker(None);
    let here = nianbao_parse::to_json(&nianbao_parse::parse_file(&path).unwrap());
    worker::set_worker(exe());
    let there = nianbao_parse::to_json(&nianbao_parse::parse_file(&path).unwrap());
    assert_eq!(here, there);

    // The guard's refusals come back as they are.
    for (name, word) in [("parent_cycle.pdf", "循环"), ("flate_bomb.pdf", "解压后超过 32 MB 上限"), ("tounicode_array.pdf", "嵌套")] {
        let err = nianbao_parse::parse_file(&fixture(&format!("hostile/{name}"))).unwrap_err().to_string();
        assert!(err.contains(name) && err.contains(word), "{err}");
    }

    // With the nesting limit lifted, a CMap nested 3,000,000 deep overflows the stack of the PDF
    // library (in-process this would abort the test binary): only the worker dies.
    let limits = Limits { pdf_depth: usize::MAX, ..Limits::default() };
    let err = nianbao_parse::parse_bytes_with("深.pdf", &deep_cmap_pdf(3_000_000), &limits).unwrap_err().to_string();
    assert!(err.starts_with("深.pdf") && err.contains("崩溃"), "{err}");

    // Its memory is bounded: with too little address space it fails cleanly too.
    let limits = Limits { worker_memory: 64 << 20, ..Limits::default() };
    let err = nianbao_parse::parse_bytes_with("小.pdf", &std::fs::read(&path).unwrap(), &limits).unwrap_err().to_string();
    assert!(err.starts_with("小.pdf"), "{err}");
    worker::set_worker(None);
}
