//! Two reports side by side: every table cell that changed, and how alike the prose is.

use nianbao_check::similarity::{similarity, MIN_CHARS, THRESHOLD};
use nianbao_model::{layout, Report, TableId};

/// One cell in both reports.
#[derive(Debug, Clone, PartialEq)]
pub struct CellChange {
    pub table: TableId,
    pub row: String,
    /// Row and column as printed.
    pub label: String,
    pub column: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub cells: Vec<CellChange>,
    /// (section number, heading, similarity 0–1, 内容雷同)
    pub prose: Vec<(u8, String, f64, bool)>,
    /// Cells that could not be compared because the layouts differ.
    pub layout_note: Option<String>,
}

/// Compares `before` (e.g. last year) with `after`. Only cells present in either are listed;
/// unchanged cells are kept too so the tables can be printed whole.
pub fn compare(before: &Report, after: &Report, prose_before: &[(u8, String, String)], prose_after: &[(u8, String, String)]) -> Comparison {
    let layout = after.effective_layout();
    let mut cells = Vec::new();
    for id in TableId::ALL {
        for def in layout::rows(id, layout) {
            for (c, f) in def.fields.iter().enumerate() {
                let a = after.table(id).value(def.key, c);
                // Same key and column in the other layout (表三 rows and 表四 are shared).
                let b = if before.effective_layout() == layout || id != TableId::ActiveDisclosure { before.table(id).value(def.key, c) } else { None };
                let label = match id {
                    TableId::ReviewLitigation => def.group.map(|g| format!("{g}·{}", def.label)).unwrap_or_else(|| def.label.to_string()),
                    _ => def.printed(),
                };
                cells.push(CellChange { table: id, row: def.key.to_string(), label, column: f.label.to_string(), before: b, after: a });
            }
        }
    }
    let layout_note = (before.effective_layout() != layout).then(|| {
        format!("两份报告版式不同（{} 与 {}），表二无法逐项对比；表三“其他处理”按行名对应", before.effective_layout().as_str(), layout.as_str())
    });
    let mut prose = Vec::new();
    for (n, heading, text) in prose_after {
        if let Some((_, _, old)) = prose_before.iter().find(|(m, _, _)| m == n) {
            let s = similarity(text, old);
            let alike = s >= THRESHOLD && text.chars().count() >= MIN_CHARS && old.chars().count() >= MIN_CHARS && [1, 5, 6].contains(n);
            prose.push((*n, heading.clone(), s, alike));
        }
    }
    Comparison { cells, prose, layout_note }
}
