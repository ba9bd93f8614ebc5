//! The text renderer never slices inside a character, whatever span a finding carries: a span
//! from a file with invalid bytes or spread entity offsets may start or end inside a multi-byte
//! character (issue 17: `nianbao check` panicked on a 117-byte HTML file).

use nianbao_check::{render, Finding, Kind, Severity};
use nianbao_model::{Source, Span};

#[test]
fn spans_inside_characters_are_rendered_without_panic() {
    let line = "一、总体情况：本年度收到申请１２件。".repeat(8);
    let source = Source::new("a.html", format!("{line}\n第二行\n"), None);
    let len = line.len();
    for (start, end) in [(1, 4), (4, 5), (2, 2), (len - 1, len + 7), (10, 3), (0, usize::MAX / 2), (200, 301)] {
        let f = Finding {
            rule: "A001",
            severity: Severity::Error,
            kind: Kind::Arithmetic,
            report: 0,
            message: "测试".into(),
            expected: None,
            found: None,
            cells: Vec::new(),
            span: Some(Span { start, end, line: 1, column: 1, page: None, bbox: None, cell: None }),
            label: Some("应为 10".into()),
        };
        let text = render::finding(&f, &source, "第 1 份报告");
        assert!(text.contains("a.html:1:1") && text.contains('^'), "{text}");
    }
}
