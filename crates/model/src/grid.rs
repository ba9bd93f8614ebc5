//! The official tables as grids of cells with their merges, drawn from the layout data of
//! `nianbao_model::layout`. Every writer (form, DOCX, HTML, Markdown) draws from here.
//!
//! 表二: groups by the item of 条例第二十条, each with a heading row, a header row ("信息内容"
//! and the columns) and its rows. 表三: the 勾稽关系 corner (3×3), 申请人情况 over 自然人 /
//! 法人或其他组织 (five) / 总计, row labels in up to three columns (三、本年度办理结果 spanning
//! every result row, the group headings （三）–（六） spanning their items). 表四: 行政复议 and
//! 行政诉讼 (未经复议直接起诉, 复议后起诉) over five columns each, and one row of fifteen values.

use crate::layout::{self, Layout, TableId, APPLICATIONS_TOTAL_COLUMN};
use crate::Report;

/// The sheet row of the fill-in form where a table's grid starts (rows 0–1 hold the title and
/// the instructions): `nianbao template` writes there and the parser reads there.
pub const FORM_TOP: usize = 2;

/// What a grid cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A printed label or header.
    Label(String),
    /// The value of a row's field.
    Value(ValueRef),
}

/// A value cell: the row key and column index in the model, and what kind of number it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRef {
    pub row: &'static str,
    pub col: usize,
    /// Decimals allowed (amounts).
    pub decimal: bool,
    /// May be negative (2019 本年增/减).
    pub signed: bool,
    /// A total: computed from other cells, never typed.
    pub total: bool,
}

/// One cell of a grid, at its top-left position, with its merge.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub content: Content,
    /// Part of the table's header (column headings, group headings, row labels).
    pub header: bool,
}

/// A whole table.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub table: TableId,
    pub layout: Layout,
    pub rows: usize,
    pub cols: usize,
    pub cells: Vec<GridCell>,
    /// Relative column widths (sum 100).
    pub widths: Vec<u32>,
}

impl Grid {
    fn push(&mut self, row: usize, col: usize, rowspan: usize, colspan: usize, content: Content, header: bool) {
        self.cells.push(GridCell { row, col, rowspan, colspan, content, header });
        self.rows = self.rows.max(row + rowspan);
    }
    fn label(&mut self, row: usize, col: usize, rowspan: usize, colspan: usize, text: impl Into<String>) {
        self.push(row, col, rowspan, colspan, Content::Label(text.into()), true);
    }
    fn value(&mut self, row: usize, col: usize, colspan: usize, v: ValueRef) {
        self.push(row, col, 1, colspan, Content::Value(v), false);
    }

    /// The cell whose area covers (row, col), if any.
    pub fn covering(&self, row: usize, col: usize) -> Option<&GridCell> {
        self.cells.iter().find(|c| (c.row..c.row + c.rowspan).contains(&row) && (c.col..c.col + c.colspan).contains(&col))
    }

    /// The cells that start in grid row `row`, left to right.
    pub fn row_cells(&self, row: usize) -> Vec<&GridCell> {
        let mut v: Vec<&GridCell> = self.cells.iter().filter(|c| c.row == row).collect();
        v.sort_by_key(|c| c.col);
        v
    }

    /// Where a value is: (grid row, grid col).
    pub fn position(&self, row: &str, col: usize) -> Option<(usize, usize)> {
        self.cells.iter().find_map(|c| match &c.content {
            Content::Value(v) if v.row == row && v.col == col => Some((c.row, c.col)),
            _ => None,
        })
    }

    pub fn values(&self) -> impl Iterator<Item = (&GridCell, &ValueRef)> {
        self.cells.iter().filter_map(|c| match &c.content {
            Content::Value(v) => Some((c, v)),
            _ => None,
        })
    }
}

/// The grid of `table` in `layout`.
pub fn grid(table: TableId, layout: Layout) -> Grid {
    match table {
        TableId::ActiveDisclosure => active_disclosure(layout),
        TableId::Applications => applications(layout),
        TableId::ReviewLitigation => review_litigation(layout),
    }
}

fn active_disclosure(layout: Layout) -> Grid {
    let mut g = Grid { table: TableId::ActiveDisclosure, layout, rows: 0, cols: 4, cells: Vec::new(), widths: vec![34, 22, 22, 22] };
    let defs = layout::active_disclosure_rows(layout);
    let mut r = 0;
    let mut i = 0;
    while i < defs.len() {
        let item = defs[i].article_item.unwrap_or("");
        let group: Vec<_> = defs[i..].iter().take_while(|d| d.article_item.unwrap_or("") == item).collect();
        g.label(r, 0, 1, 4, item);
        r += 1;
        // The header row: 信息内容 and the columns; a last column spans what is left.
        let fields = group[0].fields;
        g.label(r, 0, 1, 1, "信息内容");
        let spans = spans_for(fields.len());
        let mut c = 1;
        for (f, span) in fields.iter().zip(&spans) {
            g.label(r, c, 1, *span, f.label);
            c += span;
        }
        r += 1;
        for d in &group {
            g.label(r, 0, 1, 1, d.label);
            let mut c = 1;
            for (k, (f, span)) in d.fields.iter().zip(spans_for(d.fields.len())).enumerate() {
                g.value(r, c, span, ValueRef { row: d.key, col: k, decimal: f.decimal, signed: f.key == "change", total: false });
                c += span;
            }
            r += 1;
        }
        i += group.len();
    }
    g
}

/// How three value columns are shared by `n` fields.
fn spans_for(n: usize) -> Vec<usize> {
    match n {
        1 => vec![3],
        2 => vec![1, 2],
        _ => vec![1; n],
    }
}

fn applications(layout: Layout) -> Grid {
    let mut g = Grid {
        table: TableId::Applications,
        layout,
        rows: 0,
        cols: 10,
        cells: Vec::new(),
        widths: vec![7, 9, 21, 9, 9, 9, 9, 9, 9, 9],
    };
    g.label(0, 0, 3, 3, "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和");
    g.label(0, 3, 1, 7, "申请人情况");
    g.label(1, 3, 2, 1, "自然人");
    g.label(1, 4, 1, 5, "法人或其他组织");
    g.label(1, 9, 2, 1, "总计");
    for (k, f) in layout::APPLICANT_COLUMNS[1..6].iter().enumerate() {
        g.label(2, 4 + k, 1, 1, f.label);
    }
    let defs = layout::applications_rows(layout);
    let results = defs.iter().filter(|d| d.group.is_some()).count();
    let mut r = 3;
    let mut k = 0;
    while k < defs.len() {
        let d = &defs[k];
        match d.group {
            None => {
                g.label(r, 0, 1, 3, d.printed());
                values_row(&mut g, r, d.key);
                r += 1;
                k += 1;
            }
            Some(group) => {
                if defs[..k].iter().all(|p| p.group.is_none()) {
                    g.label(r, 0, results, 1, "三、本年度办理结果");
                }
                if group.starts_with('三') {
                    g.label(r, 1, 1, 2, d.printed());
                    values_row(&mut g, r, d.key);
                    r += 1;
                    k += 1;
                } else {
                    let items: Vec<_> = defs[k..].iter().take_while(|x| x.group == Some(group)).collect();
                    g.label(r, 1, items.len(), 1, group);
                    for it in &items {
                        g.label(r, 2, 1, 1, it.printed());
                        values_row(&mut g, r, it.key);
                        r += 1;
                    }
                    k += items.len();
                }
            }
        }
    }
    g
}

fn values_row(g: &mut Grid, r: usize, key: &'static str) {
    for c in 0..7 {
        let total = c == APPLICATIONS_TOTAL_COLUMN || key == "total_processed";
        g.value(r, 3 + c, 1, ValueRef { row: key, col: c, decimal: false, signed: false, total });
    }
}

fn review_litigation(layout: Layout) -> Grid {
    let mut g = Grid { table: TableId::ReviewLitigation, layout, rows: 0, cols: 15, cells: Vec::new(), widths: vec![100 / 15; 15] };
    let fields = layout::REVIEW_FIELDS;
    g.label(0, 0, 1, 5, "行政复议");
    g.label(0, 5, 1, 10, "行政诉讼");
    for (k, f) in fields.iter().enumerate() {
        g.label(1, k, 2, 1, f.label);
    }
    g.label(1, 5, 1, 5, "未经复议直接起诉");
    g.label(1, 10, 1, 5, "复议后起诉");
    for grp in 0..2 {
        for (k, f) in fields.iter().enumerate() {
            g.label(2, 5 + grp * 5 + k, 1, 1, f.label);
        }
    }
    for (gi, d) in layout::REVIEW_LITIGATION.iter().enumerate() {
        for k in 0..5 {
            g.value(3, gi * 5 + k, 1, ValueRef { row: d.key, col: k, decimal: false, signed: false, total: k == 4 });
        }
    }
    g
}

/// The cells a total is the sum of: (row key, column).
pub fn total_inputs(table: TableId, layout: Layout, row: &str, col: usize) -> Vec<(&'static str, usize)> {
    match table {
        TableId::Applications if row == "total_processed" && col != APPLICATIONS_TOTAL_COLUMN => {
            layout::outcome_rows(layout).iter().map(|d| (d.key, col)).collect()
        }
        TableId::Applications if col == APPLICATIONS_TOTAL_COLUMN => {
            let key = layout::applications_rows(layout).iter().find(|d| d.key == row).map(|d| d.key).unwrap_or("");
            (0..APPLICATIONS_TOTAL_COLUMN).map(|c| (key, c)).collect()
        }
        TableId::ReviewLitigation if col == 4 => {
            let key = layout::REVIEW_LITIGATION.iter().find(|d| d.key == row).map(|d| d.key).unwrap_or("");
            (0..4).map(|c| (key, c)).collect()
        }
        _ => Vec::new(),
    }
}

/// Sets every total of `report` to the sum of its parts (blank when every part is blank), as
/// the form's formulas compute them. Rows are created in layout order when missing.
pub fn fill_totals(report: &mut Report) {
    let layout = report.effective_layout();
    for id in [TableId::Applications, TableId::ReviewLitigation] {
        let g = grid(id, layout);
        // Column sums first (they feed the row sums of the same row).
        let mut totals: Vec<&ValueRef> = g.values().map(|(_, v)| v).filter(|v| v.total).collect();
        totals.sort_by_key(|v| (v.col == APPLICATIONS_TOTAL_COLUMN && id == TableId::Applications) as u8);
        for v in totals {
            let parts = total_inputs(id, layout, v.row, v.col);
            let table = report.table(id);
            let vals: Vec<f64> = parts.iter().filter_map(|(r, c)| table.value(r, *c)).collect();
            let sum = if vals.is_empty() { None } else { Some(vals.iter().sum::<f64>()) };
            set_value(report, id, v.row, v.col, sum);
        }
    }
}

/// Sets one value, creating the row (with blank cells) when the table lacks it.
pub fn set_value(report: &mut Report, id: TableId, row: &str, col: usize, value: Option<f64>) {
    let layout = report.effective_layout();
    let Some(def) = layout::row_def(id, layout, row) else { return };
    let table = report.table_mut(id);
    if table.row(row).is_none() {
        let blank = crate::Cell { how: crate::ReadHow::Given, ..crate::Cell::blank() };
        table.rows.push(crate::Row { key: def.key.to_string(), cells: vec![blank; def.fields.len()], label: None, label_span: None });
        let order: Vec<&str> = layout::rows(id, layout).iter().map(|d| d.key).collect();
        table.rows.sort_by_key(|r| order.iter().position(|k| *k == r.key));
    }
    if let Some(cell) = table.row_mut(row).and_then(|r| r.cells.get_mut(col)) {
        *cell = match value {
            Some(v) => crate::Cell { how: crate::ReadHow::Given, ..crate::Cell::number(v) },
            None => crate::Cell { how: crate::ReadHow::Given, ..crate::Cell::blank() },
        };
    }
}

/// The value of a cell of the report, for printing.
pub fn value_of(report: &Report, table: TableId, v: &ValueRef) -> Option<f64> {
    report.table(table).value(v.row, v.col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_and_field_of_the_layout_has_one_value_cell() {
        for layout in [Layout::L2019, Layout::L2021] {
            for id in TableId::ALL {
                let g = grid(id, layout);
                for d in layout::rows(id, layout) {
                    for k in 0..d.fields.len() {
                        assert!(g.position(d.key, k).is_some(), "{id:?} {layout:?} {} {k}", d.key);
                    }
                }
                // No two cells overlap and the grid is covered.
                for r in 0..g.rows {
                    for c in 0..g.cols {
                        let n = g.cells.iter().filter(|x| (x.row..x.row + x.rowspan).contains(&r) && (x.col..x.col + x.colspan).contains(&c)).count();
                        assert_eq!(n, 1, "{id:?} {layout:?} ({r},{c})");
                    }
                }
            }
        }
    }

    #[test]
    fn the_results_label_spans_every_result_row() {
        let g = grid(TableId::Applications, Layout::L2021);
        let c = g.cells.iter().find(|c| c.content == Content::Label("三、本年度办理结果".into())).expect("label");
        assert_eq!(c.rowspan, 22);
        let g = grid(TableId::Applications, Layout::L2019);
        let c = g.cells.iter().find(|c| c.content == Content::Label("三、本年度办理结果".into())).expect("label");
        assert_eq!(c.rowspan, 20);
    }
}
