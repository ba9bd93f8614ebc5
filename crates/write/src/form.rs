//! The fill-in form: an Excel workbook with one sheet per table drawn like the official layout
//! (merged headers, row labels as printed), input cells unlocked and validated, every total a
//! formula with its value cached, everything else locked; a sheet for the prose and one for
//! the metadata. [`read`] reads a filled form back, refusing text in number cells, negative
//! counts and missing sheets with a message naming the sheet and cell.

use crate::grid::{self, Content, Grid, ValueRef};
use crate::{CellError, Document, WriteError, SECTION_HEADINGS};
use calamine::{Data, Reader};
use nianbao_model::layout::{self, Layout, TableId};
use nianbao_model::Report;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

pub const META_SHEET: &str = "基本信息";
pub const PROSE_SHEET: &str = "正文";

/// The sheet name of a table.
pub fn sheet_name(id: TableId) -> &'static str {
    id.short_name()
}

/// First sheet row of the table grid (rows 0–1 hold the title and the instructions).
const TOP: usize = nianbao_model::grid::FORM_TOP;

/// Rows of the metadata sheet: (label, hint).
const META_ROWS: &[(&str, &str)] = &[
    ("机关名称", "发布报告的机关全称，如：某某县人民政府办公室"),
    ("报告年度", "由模板确定，不可修改"),
    ("表格版式", "由报告年度确定，不可修改"),
    ("发布日期", "格式：2024-01-30；可空"),
    ("落款机关", "可空：默认同机关名称"),
    ("联系方式", "可空：如“县政府办公室政务公开科，电话 0000-0000000”"),
];

/// What the form is filled with.
#[derive(Debug, Clone, Default)]
pub struct FormSpec {
    /// The report being written: year, agency, and any values already known.
    pub doc: Document,
    /// Last year's report: 上年结转 and the 现行有效件数 stock are drawn from it, and its figures
    /// are shown beside this year's.
    pub previous: Option<Report>,
}

fn xerr(e: XlsxError) -> WriteError {
    WriteError::Xlsx(e.to_string())
}

/// "D5" from zero-based row and column.
pub use nianbao_model::source::a1;

/// Where a table value is typed on the form: "表三!D6".
pub fn cell_of(id: TableId, layout: Layout, row: &str, col: usize) -> Option<String> {
    let (r, c) = grid::grid(id, layout).position(row, col)?;
    Some(format!("{}!{}", sheet_name(id), a1(r + TOP, c)))
}

/// The first cell to type in a table's sheet ("D6"), where a blank table is pointed at.
pub fn first_input_cell(id: TableId, layout: Layout) -> Option<String> {
    let g = grid::grid(id, layout);
    g.values().filter(|(_, v)| !v.total).map(|(c, _)| (c.row, c.col)).min().map(|(r, c)| a1(r + TOP, c))
}

/// Where the text of section `n` (1–6) is typed: "正文!B4"; 0 is the opening.
pub fn prose_cell(n: usize) -> String {
    format!("{PROSE_SHEET}!B{}", 3 + n)
}

/// Where a field of the 基本信息 sheet is typed: 1 机关名称, 2 报告年度, 4 发布日期, 5 落款机关.
pub fn meta_cell(n: usize) -> String {
    format!("{META_SHEET}!B{}", 1 + n)
}

/// Words saying what a value cell is: "“一、本年新收政府信息公开申请数量”行“自然人”列".
pub fn place(id: TableId, layout: Layout, v: &ValueRef) -> String {
    let Some(def) = layout::row_def(id, layout, v.row) else { return v.row.to_string() };
    let field = def.fields.get(v.col).map(|f| f.label).unwrap_or("");
    match id {
        TableId::ReviewLitigation => match def.group {
            Some(g) => format!("“{g}·{}”“{field}”", def.label),
            None => format!("“{}”“{field}”", def.label),
        },
        _ => format!("“{}”行“{field}”列", def.printed()),
    }
}

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    label: Format,
    input_count: Format,
    input_decimal: Format,
    total: Format,
    previous: Format,
    meta_label: Format,
    meta_input: Format,
    meta_locked: Format,
    prose_input: Format,
}

fn formats() -> Formats {
    let base = Format::new().set_font_name("宋体").set_font_size(10.5).set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
    let grey = Color::RGB(0xEDEDED);
    Formats {
        title: Format::new().set_font_name("黑体").set_font_size(14).set_bold().set_align(FormatAlign::Center),
        note: Format::new().set_font_name("宋体").set_font_size(9).set_font_color(Color::RGB(0x555555)).set_text_wrap(),
        header: base.clone().set_align(FormatAlign::Center).set_text_wrap().set_background_color(grey),
        label: base.clone().set_text_wrap().set_background_color(grey),
        input_count: base.clone().set_align(FormatAlign::Center).set_num_format("0").set_unlocked(),
        input_decimal: base.clone().set_align(FormatAlign::Center).set_num_format("0.00").set_unlocked(),
        total: base.clone().set_align(FormatAlign::Center).set_num_format("0").set_bold().set_background_color(Color::RGB(0xFFF2CC)),
        previous: base.clone().set_align(FormatAlign::Center).set_font_color(Color::RGB(0x7F7F7F)).set_background_color(Color::RGB(0xF7F7F7)),
        meta_label: base.clone().set_bold().set_background_color(grey),
        meta_input: base.clone().set_unlocked().set_text_wrap(),
        meta_locked: base.clone().set_background_color(grey),
        prose_input: base.set_unlocked().set_text_wrap().set_align(FormatAlign::Top),
    }
}

/// Writes a label cell, merged when it spans.
fn put_label(ws: &mut Worksheet, r: usize, c: usize, rs: usize, cs: usize, text: &str, fmt: &Format) -> Result<(), XlsxError> {
    if rs > 1 || cs > 1 {
        ws.merge_range(r as u32, c as u16, (r + rs - 1) as u32, (c + cs - 1) as u16, text, fmt)?;
    } else {
        ws.write_string_with_format(r as u32, c as u16, text, fmt)?;
    }
    Ok(())
}

fn put_number(ws: &mut Worksheet, r: usize, c: usize, cs: usize, v: Option<f64>, fmt: &Format) -> Result<(), XlsxError> {
    if cs > 1 {
        ws.merge_range(r as u32, c as u16, r as u32, (c + cs - 1) as u16, "", fmt)?;
    }
    match v {
        Some(x) => ws.write_number_with_format(r as u32, c as u16, x, fmt)?,
        None => ws.write_blank(r as u32, c as u16, fmt)?,
    };
    Ok(())
}

fn cached(v: Option<f64>) -> String {
    v.map(crate::format_value).unwrap_or_default()
}

/// The formula of a total cell: blank while every part is blank, else their sum.
fn total_formula(g: &Grid, v: &ValueRef) -> Option<String> {
    let parts = grid::total_inputs(g.table, g.layout, v.row, v.col);
    let pos: Vec<(usize, usize)> = parts.iter().filter_map(|(r, c)| g.position(r, *c)).collect();
    let (r0, c0) = *pos.iter().min()?;
    let (r1, c1) = *pos.iter().max()?;
    let range = format!("{}:{}", a1(r0 + TOP, c0), a1(r1 + TOP, c1));
    Some(format!("IF(COUNT({range})=0,\"\",SUM({range}))"))
}

fn table_sheet(wb: &mut Workbook, spec: &FormSpec, report: &Report, id: TableId, f: &Formats) -> Result<(), WriteError> {
    let layout = spec.doc.layout();
    let g = grid::grid(id, layout);
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(id)).map_err(xerr)?;
    let heading = SECTION_HEADINGS[match id {
        TableId::ActiveDisclosure => 1,
        TableId::Applications => 2,
        TableId::ReviewLitigation => 3,
    }];
    let wide = g.cols;
    ws.merge_range(0, 0, 0, (wide - 1) as u16, heading, &f.title).map_err(xerr)?;
    let note = match id {
        TableId::ActiveDisclosure => "白色单元格填写数字：件数填不小于 0 的整数，收费金额单位为万元、可带小数；灰色单元格为表头，不能修改。",
        TableId::Applications => "白色单元格填写件数（不小于 0 的整数，没有请填 0）；黄色单元格为合计，自动计算。勾稽关系：第一项加第二项之和，等于第三项加第四项之和。",
        TableId::ReviewLitigation => "白色单元格填写件数（不小于 0 的整数，没有请填 0）；黄色“总计”单元格自动计算。",
    };
    ws.merge_range(1, 0, 1, (wide - 1) as u16, note, &f.note).map_err(xerr)?;
    ws.set_row_height(1, if wide < 8 { 58 } else { 30 }).map_err(xerr)?;
    // Column widths in characters.
    let widths: Vec<f64> = match id {
        TableId::ActiveDisclosure => vec![24.0, 15.0, 15.0, 15.0],
        TableId::Applications => vec![8.0, 12.0, 36.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0],
        TableId::ReviewLitigation => vec![7.5; 15],
    };
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(xerr)?;
    }
    let mut cells_report = report.clone();
    grid::fill_totals(&mut cells_report);
    let count_rule = DataValidation::new()
        .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
        .set_error_title("输入无效")
        .and_then(|d| d.set_error_message("请填写不小于 0 的整数（件数）。"))
        .map_err(xerr)?;
    let signed_rule = DataValidation::new()
        .allow_whole_number(DataValidationRule::Between(-1_000_000_000, 1_000_000_000))
        .set_error_title("输入无效")
        .and_then(|d| d.set_error_message("请填写整数（本年增/减，可为负数）。"))
        .map_err(xerr)?;
    let decimal_rule = DataValidation::new()
        .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
        .set_error_title("输入无效")
        .and_then(|d| d.set_error_message("请填写不小于 0 的数，单位万元，可带小数。"))
        .map_err(xerr)?;
    for c in &g.cells {
        let (r, col) = (c.row + TOP, c.col);
        match &c.content {
            Content::Label(t) => {
                let fmt = if c.col == 0 && id != TableId::ReviewLitigation && c.colspan < g.cols && c.row >= 1 { &f.label } else { &f.header };
                put_label(ws, r, col, c.rowspan, c.colspan, t, fmt).map_err(xerr)?;
            }
            Content::Value(v) if v.total => {
                let value = grid::value_of(&cells_report, id, v);
                let formula = total_formula(&g, v).unwrap_or_default();
                ws.write_formula_with_format(r as u32, col as u16, Formula::new(format!("={formula}")).set_result(cached(value)), &f.total).map_err(xerr)?;
            }
            Content::Value(v) => {
                let fmt = if v.decimal { &f.input_decimal } else { &f.input_count };
                let value = grid::value_of(report, id, v);
                let stock = stock_formula(&g, spec, report, v);
                match stock {
                    Some((formula, result)) => {
                        ws.write_formula_with_format(r as u32, col as u16, Formula::new(formula).set_result(cached(Some(result))), fmt).map_err(xerr)?;
                    }
                    None => put_number(ws, r, col, c.colspan, value, fmt).map_err(xerr)?,
                }
                let rule = if v.decimal { &decimal_rule } else if v.signed { &signed_rule } else { &count_rule };
                ws.add_data_validation(r as u32, col as u16, r as u32, (col + c.colspan - 1) as u16, rule).map_err(xerr)?;
            }
        }
    }
    for r in 0..g.rows {
        let tall = g.row_cells(r).iter().any(|c| matches!(&c.content, Content::Label(t) if t.chars().count() > 18 && c.colspan * c.rowspan < 3));
        ws.set_row_height((r + TOP) as u32, if tall { 30 } else { 18 }).map_err(xerr)?;
    }
    if let Some(prev) = &spec.previous {
        previous_block(ws, &g, prev, f).map_err(xerr)?;
    }
    ws.set_paper_size(9);
    if id != TableId::ActiveDisclosure {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.protect();
    Ok(())
}

/// The 现行有效件数 of this year as last year's stock + 本年制发 − 本年废止 (2021 layout), kept
/// as a formula in the input cell so the agency sees it follow its entries and may overwrite it.
fn stock_formula(g: &Grid, spec: &FormSpec, report: &Report, v: &ValueRef) -> Option<(String, f64)> {
    let prev = spec.previous.as_ref()?;
    if g.table != TableId::ActiveDisclosure || g.layout != Layout::L2021 || prev.effective_layout() != Layout::L2021 {
        return None;
    }
    if v.col != 2 || report.active_disclosure.value(v.row, 2).is_some() {
        return None;
    }
    let last = prev.active_disclosure.value(v.row, 2)?;
    let (ri, ci) = g.position(v.row, 0)?;
    let (rr, cr) = g.position(v.row, 1)?;
    let issued = report.active_disclosure.value(v.row, 0).unwrap_or(0.0);
    let repealed = report.active_disclosure.value(v.row, 1).unwrap_or(0.0);
    Some((format!("={}+{}-{}", crate::format_value(last), a1(ri + TOP, ci), a1(rr + TOP, cr)), last + issued - repealed))
}

/// Last year's figures beside this year's (表二, 表三) or below them (表四), locked and grey.
fn previous_block(ws: &mut Worksheet, g: &Grid, prev: &Report, f: &Formats) -> Result<(), XlsxError> {
    let year = prev.year.map(|y| format!("{y}年")).unwrap_or_else(|| "上年".into());
    let title = format!("上年数（{year}，仅供对照）");
    let mapped = prev.effective_layout() == g.layout;
    let first_value_col = g.values().map(|(c, _)| c.col).min().unwrap_or(0);
    let (dr, dc, from_col) = match g.table {
        TableId::ReviewLitigation => (g.rows + 2, 0usize, 0usize),
        _ => (0, g.cols + 1 - first_value_col, first_value_col),
    };
    let width = g.cols - from_col;
    let title_row = TOP + dr - 1;
    ws.merge_range(title_row as u32, (from_col + dc) as u16, title_row as u32, (from_col + dc + width - 1) as u16, &title, &f.note)?;
    if g.table != TableId::ReviewLitigation {
        for c in from_col..from_col + width {
            ws.set_column_width((c + dc) as u16, 8.0)?;
        }
    }
    for c in g.cells.iter().filter(|c| c.col >= from_col) {
        let (r, col) = (c.row + TOP + dr, c.col + dc);
        match &c.content {
            Content::Label(t) => put_label(ws, r, col, c.rowspan, c.colspan, t, &f.header)?,
            Content::Value(v) => {
                let value = if mapped { prev.table(g.table).value(v.row, v.col) } else { None };
                put_number(ws, r, col, c.colspan, value, &f.previous)?;
            }
        }
    }
    if g.table == TableId::ReviewLitigation {
        for r in 0..g.rows {
            ws.set_row_height((r + TOP + dr) as u32, 18)?;
        }
    }
    Ok(())
}

fn meta_sheet(wb: &mut Workbook, doc: &Document, f: &Formats) -> Result<(), WriteError> {
    let ws = wb.add_worksheet();
    ws.set_name(META_SHEET).map_err(xerr)?;
    ws.set_column_width(0, 14).map_err(xerr)?;
    ws.set_column_width(1, 48).map_err(xerr)?;
    ws.set_column_width(2, 44).map_err(xerr)?;
    ws.merge_range(0, 0, 0, 2, "政府信息公开工作年度报告 · 基本信息", &f.title).map_err(xerr)?;
    let r = &doc.report;
    let layout = doc.layout();
    let values: [Option<String>; 6] = [
        r.agency.clone(),
        r.year.map(|y| y.to_string()),
        Some(format!("{} 年版（{}）", layout.as_str(), crate::prose::layout_notice(layout))),
        r.published.clone(),
        doc.signature.clone(),
        doc.contact.clone(),
    ];
    for (i, ((label, hint), value)) in META_ROWS.iter().zip(values).enumerate() {
        let row = (i + 1) as u32;
        ws.write_string_with_format(row, 0, *label, &f.meta_label).map_err(xerr)?;
        let fmt = if i == 1 || i == 2 { &f.meta_locked } else { &f.meta_input };
        match (i, value) {
            (1, Some(v)) => ws.write_number_with_format(row, 1, v.parse::<f64>().unwrap_or(0.0), fmt).map_err(xerr)?,
            (_, Some(v)) => ws.write_string_with_format(row, 1, v, fmt).map_err(xerr)?,
            (_, None) => ws.write_blank(row, 1, fmt).map_err(xerr)?,
        };
        ws.write_string_with_format(row, 2, *hint, &f.note).map_err(xerr)?;
        ws.set_row_height(row, 22).map_err(xerr)?;
    }
    ws.merge_range(8, 0, 8, 2, "填写后保存，用 nianbao render 本文件 --format docx -o 报告.docx 生成报告；生成前会按上级检查规则自动检查。", &f.note).map_err(xerr)?;
    ws.set_row_height(8, 30).map_err(xerr)?;
    ws.protect();
    ws.set_active(true);
    Ok(())
}

fn prose_sheet(wb: &mut Workbook, doc: &Document, f: &Formats) -> Result<(), WriteError> {
    let ws = wb.add_worksheet();
    ws.set_name(PROSE_SHEET).map_err(xerr)?;
    ws.set_column_width(0, 30).map_err(xerr)?;
    ws.set_column_width(1, 90).map_err(xerr)?;
    ws.merge_range(0, 0, 0, 1, "正文：六个部分的文字", &f.title).map_err(xerr)?;
    ws.write_string_with_format(1, 0, "部分", &f.meta_label).map_err(xerr)?;
    ws.write_string_with_format(1, 1, "内容（每段一行，单元格内换行用 Alt+Enter；留空则按格式生成基本文字，请核实后再发布）", &f.meta_label).map_err(xerr)?;
    let mut rows: Vec<(String, Option<String>)> = vec![("开头（含统计期限；可空）".into(), doc.preface.clone())];
    for (i, h) in SECTION_HEADINGS.iter().enumerate() {
        let label = if (1..=3).contains(&i) { format!("{h}（表格见“{}”工作表，此处可写表前说明）", ["表二", "表三", "表四"][i - 1]) } else { h.to_string() };
        rows.push((label, doc.sections[i].clone()));
    }
    for (i, (label, value)) in rows.into_iter().enumerate() {
        let row = (i + 2) as u32;
        ws.write_string_with_format(row, 0, label, &f.meta_label).map_err(xerr)?;
        match value {
            Some(v) => ws.write_string_with_format(row, 1, v, &f.prose_input).map_err(xerr)?,
            None => ws.write_blank(row, 1, &f.prose_input).map_err(xerr)?,
        };
        ws.set_row_height(row, if i == 0 || i == 1 || i >= 5 { 120 } else { 40 }).map_err(xerr)?;
    }
    ws.protect();
    Ok(())
}

/// The report as it goes into the form: this year's values plus what last year gives.
pub fn prefilled(spec: &FormSpec) -> Report {
    let mut report = spec.doc.report.clone();
    report.layout = Some(spec.doc.layout());
    let Some(prev) = &spec.previous else { return report };
    let layout = spec.doc.layout();
    // 上年结转 = last year's 结转下年度继续办理, column by column.
    if report.applications.row("carried_over").is_none_or(|r| r.cells.iter().all(|c| c.value.is_none())) {
        for c in 0..layout::APPLICATIONS_TOTAL_COLUMN {
            let v = prev.applications.value("carried_forward", c);
            grid::set_value(&mut report, TableId::Applications, "carried_over", c, v);
        }
    }
    // 2019 layout: 上一年项目数量 = last year's 上一年项目数量 + 本年增/减.
    if layout == Layout::L2019 && prev.effective_layout() == Layout::L2019 {
        for d in layout::active_disclosure_rows(layout) {
            if d.fields.first().is_some_and(|f| f.key == "prior_items") && report.active_disclosure.value(d.key, 0).is_none() {
                if let (Some(a), Some(b)) = (prev.active_disclosure.value(d.key, 0), prev.active_disclosure.value(d.key, 1)) {
                    grid::set_value(&mut report, TableId::ActiveDisclosure, d.key, 0, Some(a + b));
                }
            }
        }
    }
    report
}

/// Writes the form.
pub fn write(spec: &FormSpec) -> Result<Vec<u8>, WriteError> {
    let f = formats();
    let report = prefilled(spec);
    let mut wb = Workbook::new();
    meta_sheet(&mut wb, &spec.doc, &f)?;
    for id in TableId::ALL {
        table_sheet(&mut wb, spec, &report, id, &f)?;
    }
    prose_sheet(&mut wb, &spec.doc, &f)?;
    wb.save_to_buffer().map_err(xerr)
}

// ---------------------------------------------------------------- reading a filled form

type Sheet = calamine::Range<Data>;

fn cell_text(d: &Data) -> Option<String> {
    match d {
        Data::Empty => None,
        Data::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Data::Float(x) => Some(crate::format_value(*x)),
        Data::Int(i) => Some(i.to_string()),
        Data::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(dt) => Some(nianbao_model::source::excel_date(dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.chars().take(10).collect()),
        Data::Error(e) => Some(format!("{e:?}")),
    }
}

fn get<'a>(sheet: &'a Sheet, row: usize, col: usize) -> &'a Data {
    sheet.get_value((row as u32, col as u32)).unwrap_or(&Data::Empty)
}

/// A number typed in a value cell, or why it is not one.
fn read_number(d: &Data, v: &ValueRef) -> Result<Option<f64>, String> {
    let x = match d {
        Data::Empty => return Ok(None),
        Data::Float(x) => *x,
        Data::Int(i) => *i as f64,
        Data::String(s) if s.trim().is_empty() => return Ok(None),
        Data::String(s) => match s.trim().replace(',', "").parse::<f64>() {
            Ok(x) if x.is_finite() => x,
            _ => return Err(format!("应填数字，实为文字“{}”", s.trim())),
        },
        Data::Error(e) => return Err(format!("公式出错（{e:?}）")),
        Data::Bool(_) => return Err("应填数字，实为逻辑值".into()),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => return Err("应填数字，实为日期".into()),
    };
    if x < 0.0 && !v.signed {
        return Err(format!("不能为负数（填的是 {}）", crate::format_value(x)));
    }
    if !v.decimal && x.fract() != 0.0 {
        return Err(format!("件数应为整数（填的是 {}）", crate::format_value(x)));
    }
    Ok(Some(x))
}

fn date_from(text: &str) -> Option<String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let digits: Vec<&str> = t.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).collect();
    let [y, m, d] = digits.as_slice() else { return None };
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((2000..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Reads a filled form. Every faulty cell is reported (sheet and cell named); totals are
/// computed from the entries, as the form's formulas do.
pub fn read(file: &str, bytes: &[u8]) -> Result<Document, WriteError> {
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|e| WriteError::NotAForm { file: file.into(), reason: e.to_string() })?;
    let names = wb.sheet_names();
    for s in [META_SHEET, sheet_name(TableId::ActiveDisclosure), sheet_name(TableId::Applications), sheet_name(TableId::ReviewLitigation), PROSE_SHEET] {
        if !names.iter().any(|n| n == s) {
            return Err(WriteError::MissingSheet { file: file.into(), sheet: s.into() });
        }
    }
    let mut sheet = |name: &str| wb.worksheet_range(name).map_err(|e| WriteError::NotAForm { file: file.into(), reason: format!("工作表“{name}”无法读取：{e}") });
    let meta = sheet(META_SHEET)?;
    let mut errors = Vec::new();
    let meta_cell = |row: usize| cell_text(get(&meta, row, 1));
    let year = match get(&meta, 2, 1) {
        Data::Float(x) if x.fract() == 0.0 => Some(*x as i32),
        Data::Int(i) => Some(*i as i32),
        Data::String(s) => s.trim().trim_end_matches('年').parse::<i32>().ok(),
        _ => None,
    };
    let Some(year) = year.filter(|y| (2000..=2100).contains(y)) else {
        return Err(WriteError::Cells {
            file: file.into(),
            errors: vec![CellError { sheet: META_SHEET.into(), cell: "B3".into(), place: "报告年度".into(), problem: "应为四位年份，如 2023".into() }],
        });
    };
    let published = match meta_cell(4) {
        None => None,
        Some(t) => match date_from(&t) {
            Some(d) => Some(d),
            None => {
                errors.push(CellError { sheet: META_SHEET.into(), cell: "B5".into(), place: "发布日期".into(), problem: format!("无法识别日期“{t}”，请写成 2024-01-30") });
                None
            }
        },
    };
    let layout = Layout::required_for(year);
    let mut report = Report { agency: meta_cell(1), year: Some(year), layout: Some(layout), published, ..Report::default() };
    for id in TableId::ALL {
        let name = sheet_name(id);
        let s = sheet(name)?;
        let g = grid::grid(id, layout);
        // The sheet must be drawn in this year's layout: its labels are where the grid puts them.
        let wrong = g.cells.iter().find_map(|c| match &c.content {
            Content::Label(t) if cell_text(get(&s, c.row + TOP, c.col)).as_deref() != Some(t.as_str()) => Some(a1(c.row + TOP, c.col)),
            _ => None,
        });
        if let Some(cell) = wrong {
            errors.push(CellError {
                sheet: name.into(),
                cell,
                place: "表头".into(),
                problem: format!("表格结构与 {} 年版式不符（表头被改动，或不是 {year} 年度的填报表）", layout.as_str()),
            });
            continue;
        }
        for d in layout::rows(id, layout) {
            let blank = nianbao_model::Cell { how: nianbao_model::ReadHow::Given, ..nianbao_model::Cell::blank() };
            report.table_mut(id).rows.push(nianbao_model::Row { key: d.key.to_string(), cells: vec![blank; d.fields.len()], label: None, label_span: None });
        }
        for (c, v) in g.values() {
            if v.total {
                continue;
            }
            let (r, col) = (c.row + TOP, c.col);
            match read_number(get(&s, r, col), v) {
                Ok(x) => grid::set_value(&mut report, id, v.row, v.col, x),
                Err(problem) => errors.push(CellError { sheet: name.into(), cell: a1(r, col), place: place(id, layout, v), problem }),
            }
        }
    }
    if !errors.is_empty() {
        return Err(WriteError::Cells { file: file.into(), errors });
    }
    grid::fill_totals(&mut report);
    let prose = sheet(PROSE_SHEET)?;
    let text = |row: usize| match get(&prose, row, 1) {
        Data::String(s) => Some(s.replace("\r\n", "\n")).filter(|s| !s.trim().is_empty()),
        other => cell_text(other),
    };
    let mut doc = Document::from_report(report);
    doc.preface = text(2);
    for i in 0..6 {
        doc.sections[i] = text(3 + i);
    }
    doc.signature = meta_cell(5);
    doc.contact = meta_cell(6);
    Ok(doc)
}
