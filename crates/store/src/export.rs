//! `nianbao export`: the corpus out again, as a long table (one line per cell) with a codebook
//! in Chinese and English — CSV, JSON Lines, Parquet, or an Excel workbook that also holds the
//! findings and, for a small selection, each report's tables laid out as in the official format.
//! Rows are streamed from the database, so memory stays flat however large the corpus.

use crate::{Store, StoreError};
use futures_util::TryStreamExt;
use nianbao_model::{layout, Layout, TableId};
use sqlx::Row;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
    Parquet,
}

/// Which reports to export (all current ones when empty).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub agency: Option<String>,
    /// The agency and every agency under it (its departments).
    pub parent: Option<String>,
    pub year: Option<i32>,
}

/// How an export is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// CSV in GBK (for software that only reads GBK) instead of UTF-8 with a byte-order mark.
    pub gbk: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ExportSummary {
    pub reports: usize,
    pub cells: usize,
    pub findings: usize,
    pub files: Vec<PathBuf>,
}

/// The byte-order mark that makes Excel read a CSV as UTF-8 (without it, Chinese shows as
/// mojibake under a Chinese-locale Excel).
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a
/// carriage return at the start) prefixed with `'`, so opening an export never runs a formula
/// that came from a scraped report or a file name.
pub fn escape_formula(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The part of the source paths common to the whole selection (a directory, ending in a
/// separator), which the export leaves out: the file names stay relative to the ingested
/// folder and no absolute server path leaks into a shared spreadsheet.
fn common_dir(min: &str, max: &str) -> usize {
    // The common prefix of the smallest and the largest path is common to all of them.
    let mut n = min.bytes().zip(max.bytes()).take_while(|(a, b)| a == b).count();
    if min == max {
        n = min.len();
    }
    min[..n.min(min.len())].rfind(['/', '\\']).map(|i| i + 1).unwrap_or(0)
}

/// A CSV sink in GBK: the CSV writer's UTF-8 is re-encoded in whole characters (a write may end
/// inside one; its bytes wait for the next write).
struct GbkWriter<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> std::io::Write for GbkWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        };
        let text = std::str::from_utf8(&self.pending[..valid]).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        self.inner.write_all(&bytes)?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A CSV writer on `path`: UTF-8 with a byte-order mark, or GBK.
fn csv_writer(path: &Path, gbk: bool) -> Result<csv::Writer<Box<dyn std::io::Write>>, StoreError> {
    use std::io::Write;
    let io = |e: std::io::Error| StoreError::Other(format!("无法写入 {}：{e}", path.display()));
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    let sink: Box<dyn std::io::Write> = if gbk {
        Box::new(GbkWriter { inner: file, pending: Vec::new() })
    } else {
        file.write_all(UTF8_BOM).map_err(io)?;
        Box::new(file)
    };
    Ok(csv::Writer::from_writer(sink))
}

/// The columns of the long table.
pub const COLUMNS: [&str; 10] = ["agency", "parent", "year", "layout", "table", "row", "column", "value", "semantics", "source_file"];

/// One line of the long table.
#[derive(Debug, Clone, PartialEq)]
pub struct LongRow {
    pub agency: String,
    pub parent: String,
    pub year: Option<i64>,
    pub layout: String,
    pub table: String,
    pub row: String,
    pub column: String,
    pub value: Option<f64>,
    pub semantics: String,
    pub source_file: String,
}

/// Every key of the export explained: (key, 中文, English).
pub fn codebook() -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = vec![
        ("agency".into(), "机关名称（别名已归并）".into(), "Agency name (aliases merged)".into()),
        ("parent".into(), "上级机关（政府）".into(), "Parent body (the government the agency belongs to)".into()),
        ("year".into(), "报告年度".into(), "Year the report is about".into()),
        ("layout".into(), "表格版式：2021（国办公开办函〔2021〕30号）或 2019（〔2019〕60号）".into(), "Table layout: 2021 or 2019 official format".into()),
        ("table".into(), "表：active_disclosure 表二主动公开；applications 表三依申请公开；review_litigation 表四复议诉讼".into(), "Table key".into()),
        ("row".into(), "行（见下方各行说明）".into(), "Row key (see below)".into()),
        ("column".into(), "列：表三为 0–6（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计），表二、表四为字段名".into(), "Column: 0–6 for applications, a field name for the other tables".into()),
        ("value".into(), "数值；空白、斜杠或无法识别时为空".into(), "Value; empty when blank, a slash or unreadable".into()),
        ("semantics".into(), "单元格内容：number 非零数字、zero 零、blank 空白、slash 斜杠或“无”、unreadable 无法识别".into(), "What the cell held: number, zero, blank, slash, unreadable".into()),
        ("source_file".into(), "来源文件路径".into(), "Path of the source file".into()),
    ];
    for id in TableId::ALL {
        out.push((id.key().into(), format!("{}（{}）", id.short_name(), id.title()), format!("Table {}", id.key())));
    }
    for l in [Layout::L2021, Layout::L2019] {
        for id in TableId::ALL {
            for d in layout::rows(id, l) {
                let key = format!("{}.{}", id.key(), d.key);
                if out.iter().any(|(k, _, _)| *k == key) {
                    continue;
                }
                let zh = match d.group {
                    Some(g) => format!("{g} {}", d.printed()),
                    None => d.printed(),
                };
                out.push((key, format!("{zh}（{} 版）", l.as_str()), format!("Row {} of {}", d.key, id.key())));
                if id != TableId::Applications {
                    for f in d.fields {
                        let fk = format!("{}.{}.{}", id.key(), d.key, f.key);
                        out.push((fk, f.label.to_string(), format!("Field {} of row {}", f.key, d.key)));
                    }
                }
            }
        }
    }
    out
}

impl Store {
    fn filter_sql(&self, filter: &Filter) -> (String, Vec<String>) {
        let mut clauses = vec!["r.is_current = 1".to_string()];
        let mut binds = Vec::new();
        if let Some(y) = filter.year {
            clauses.push(format!("r.year = {}", i64::from(y)));
        }
        if let Some(a) = &filter.agency {
            binds.push(nianbao_check::agency::key(a));
            clauses.push(format!("r.agency_id IN (SELECT agency_id FROM agency_aliases WHERE alias_key = ${})", binds.len()));
        }
        if let Some(p) = &filter.parent {
            binds.push(nianbao_check::agency::key(p));
            let n = binds.len();
            clauses.push(format!(
                "(r.agency_id IN (SELECT agency_id FROM agency_aliases WHERE alias_key = ${n}) OR a.parent_id IN (SELECT agency_id FROM agency_aliases WHERE alias_key = ${n}))"
            ));
        }
        (clauses.join(" AND "), binds)
    }

    /// Streams the long table; `sink` gets each row in report and cell order.
    pub async fn long_rows(&self, filter: &Filter, sink: &mut dyn FnMut(LongRow) -> Result<(), StoreError>) -> Result<usize, StoreError> {
        let (cond, binds) = self.filter_sql(filter);
        let sql = format!(
            "SELECT COALESCE(a.name, r.agency_name, ''), COALESCE(p.name, ''), r.year, COALESCE(r.layout, ''), k.tbl, k.row_key, k.col, k.field, c.value, c.semantics, f.path \
             FROM cells c JOIN reports r ON r.id = c.report_id JOIN source_files f ON f.id = r.file_id JOIN cell_keys k ON k.cell_id = c.cell_id \
             LEFT JOIN agencies a ON a.id = r.agency_id LEFT JOIN agencies p ON p.id = a.parent_id WHERE {cond} ORDER BY r.id, c.cell_id"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let cut = self.source_prefix(filter).await?;
        let mut rows = q.fetch(&self.pool);
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            let table: String = r.try_get(4)?;
            let column = if table == "applications" { r.try_get::<i64, _>(6)?.to_string() } else { r.try_get(7)? };
            sink(LongRow {
                agency: r.try_get(0)?,
                parent: r.try_get(1)?,
                year: r.try_get(2)?,
                layout: r.try_get(3)?,
                table,
                row: r.try_get(5)?,
                column,
                value: r.try_get(8)?,
                semantics: r.try_get(9)?,
                source_file: strip_prefix(r.try_get(10)?, cut),
            })?;
            n += 1;
        }
        Ok(n)
    }

    /// How many leading bytes of every source path of the selection are a directory common
    /// to all (see [`common_dir`]).
    async fn source_prefix(&self, filter: &Filter) -> Result<usize, StoreError> {
        let (cond, binds) = self.filter_sql(filter);
        let sql = format!(
            "SELECT MIN(f.path), MAX(f.path) FROM reports r JOIN source_files f ON f.id = r.file_id \
             LEFT JOIN agencies a ON a.id = r.agency_id WHERE {cond}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let row = q.fetch_one(&self.pool).await?;
        let (min, max): (Option<String>, Option<String>) = (row.try_get(0)?, row.try_get(1)?);
        Ok(match (min, max) {
            (Some(a), Some(b)) => common_dir(&a, &b),
            _ => 0,
        })
    }

    /// The findings of the selection, in report order.
    pub async fn findings_rows(&self, filter: &Filter) -> Result<Vec<FindingRow>, StoreError> {
        let (cond, binds) = self.filter_sql(filter);
        let sql = format!(
            "SELECT COALESCE(a.name, r.agency_name, ''), r.year, x.rule, x.severity, x.message, x.line, f.path \
             FROM findings x JOIN reports r ON r.id = x.report_id JOIN source_files f ON f.id = r.file_id \
             LEFT JOIN agencies a ON a.id = r.agency_id WHERE {cond} ORDER BY r.id, x.id"
        );
        let cut = self.source_prefix(filter).await?;
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(FindingRow {
                    agency: r.try_get(0)?,
                    year: r.try_get(1)?,
                    rule: r.try_get(2)?,
                    severity: r.try_get(3)?,
                    message: r.try_get(4)?,
                    line: r.try_get(5)?,
                    source_file: strip_prefix(r.try_get(6)?, cut),
                })
            })
            .collect()
    }

    /// One row per report of the selection for the summary sheet, by agency and year.
    pub async fn summary_rows(&self, filter: &Filter) -> Result<Vec<SummaryRow>, StoreError> {
        let (cond, binds) = self.filter_sql(filter);
        let sql = format!(
            "SELECT COALESCE(a.name, r.agency_name, ''), COALESCE(p.name, ''), r.year, COALESCE(r.layout, ''), r.published, r.errors, r.warnings, \
             (SELECT COUNT(*) FROM findings x WHERE x.report_id = r.id AND x.rule IN ('T001', 'T002')), r.report_json, f.path \
             FROM reports r JOIN source_files f ON f.id = r.file_id LEFT JOIN agencies a ON a.id = r.agency_id \
             LEFT JOIN agencies p ON p.id = a.parent_id WHERE {cond} ORDER BY 1, r.year, r.id"
        );
        let cut = self.source_prefix(filter).await?;
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let mut rows = q.fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(r) = rows.try_next().await? {
            let json: String = r.try_get(8)?;
            let report = serde_json::from_str::<serde_json::Value>(&json).ok().and_then(|v| nianbao_model::json::from_json(&v).ok());
            let app = |key: &str| report.as_ref().and_then(|x| x.applications.value(key, layout::APPLICATIONS_TOTAL_COLUMN));
            let review = |key: &str| report.as_ref().and_then(|x| x.review_litigation.value(key, 4));
            let litigation = match (review("litigation_direct"), review("litigation_after_review")) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
            };
            let published: Option<String> = r.try_get(4)?;
            let late: i64 = r.try_get(7)?;
            out.push(SummaryRow {
                agency: r.try_get(0)?,
                parent: r.try_get(1)?,
                year: r.try_get(2)?,
                layout: r.try_get(3)?,
                late: match (&published, late) {
                    (_, n) if n > 0 => "是",
                    (None, _) => "日期不详",
                    _ => "否",
                },
                published,
                errors: r.try_get(5)?,
                warnings: r.try_get(6)?,
                totals: [app("new_received"), app("carried_over"), app("total_processed"), app("carried_forward"), review("review"), litigation],
                source_file: strip_prefix(r.try_get(9)?, cut),
            });
        }
        Ok(out)
    }

    /// The selected reports as models (for the laid-out sheets), at most `limit`.
    pub async fn selected_reports(&self, filter: &Filter, limit: usize) -> Result<Vec<(String, Option<i64>, nianbao_model::Report)>, StoreError> {
        let (cond, binds) = self.filter_sql(filter);
        let sql = format!(
            "SELECT COALESCE(a.name, r.agency_name, ''), r.year, r.report_json FROM reports r JOIN source_files f ON f.id = r.file_id \
             LEFT JOIN agencies a ON a.id = r.agency_id WHERE {cond} ORDER BY r.id LIMIT {}",
            limit + 1
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let mut out = Vec::new();
        for r in q.fetch_all(&self.pool).await? {
            let json: String = r.try_get(2)?;
            let v: serde_json::Value = serde_json::from_str(&json).map_err(|e| StoreError::Other(format!("报告数据损坏：{e}")))?;
            let report = nianbao_model::json::from_json(&v).map_err(|e| StoreError::Other(format!("报告数据损坏：{e}")))?;
            out.push((r.try_get(0)?, r.try_get(1)?, report));
        }
        Ok(out)
    }

    /// Writes the selection to `out` in `format`; returns what was written.
    pub async fn export(&self, filter: &Filter, format: ExportFormat, out: &Path) -> Result<ExportSummary, StoreError> {
        self.export_with(filter, format, out, &ExportOptions::default()).await
    }

    /// [`Store::export`] with options (the CSV encoding).
    pub async fn export_with(&self, filter: &Filter, format: ExportFormat, out: &Path, options: &ExportOptions) -> Result<ExportSummary, StoreError> {
        let io = |e: std::io::Error| StoreError::Other(format!("无法写入 {}：{e}", out.display()));
        let mut summary = ExportSummary::default();
        // Write to a temporary name and rename at the end: no half-written export is left.
        let tmp = out.with_extension(format!("{}.part", out.extension().and_then(|e| e.to_str()).unwrap_or("out")));
        match format {
            ExportFormat::Csv => {
                let mut w = csv_writer(&tmp, options.gbk)?;
                w.write_record(COLUMNS).map_err(|e| StoreError::Other(e.to_string()))?;
                summary.cells = self
                    .long_rows(filter, &mut |r| {
                        let e = |s: &str| escape_formula(s).into_owned();
                        w.write_record([
                            e(&r.agency),
                            e(&r.parent),
                            r.year.map(|y| y.to_string()).unwrap_or_default(),
                            r.layout,
                            r.table,
                            r.row,
                            r.column,
                            r.value.map(fmt_value).unwrap_or_default(),
                            r.semantics,
                            e(&r.source_file),
                        ])
                        .map_err(|e| StoreError::Other(e.to_string()))
                    })
                    .await?;
                w.flush().map_err(io)?;
            }
            ExportFormat::Json => {
                use std::io::Write;
                let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io)?);
                summary.cells = self
                    .long_rows(filter, &mut |r| {
                        let v = serde_json::json!({
                            "agency": r.agency, "parent": r.parent, "year": r.year, "layout": r.layout, "table": r.table,
                            "row": r.row, "column": r.column, "value": r.value, "semantics": r.semantics, "source_file": r.source_file,
                        });
                        writeln!(w, "{v}").map_err(|e| StoreError::Other(e.to_string()))
                    })
                    .await?;
                w.flush().map_err(io)?;
            }
            ExportFormat::Parquet => summary.cells = self.export_parquet(filter, &tmp).await?,
            ExportFormat::Xlsx => {
                let (cells, reports, findings) = self.export_xlsx(filter, &tmp).await?;
                summary.cells = cells;
                summary.reports = reports;
                summary.findings = findings;
            }
        }
        std::fs::rename(&tmp, out).map_err(io)?;
        summary.files.push(out.to_path_buf());
        if format != ExportFormat::Xlsx {
            let book = codebook_path(out, format);
            write_codebook(&book, format, options.gbk)?;
            summary.files.push(book);
        }
        Ok(summary)
    }

    async fn export_parquet(&self, filter: &Filter, path: &Path) -> Result<usize, StoreError> {
        use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder};
        use arrow_array::{ArrayRef, RecordBatch};
        use arrow_schema::{DataType, Field, Schema};
        use std::sync::Arc;
        let err = |e: &dyn std::fmt::Display| StoreError::Other(format!("Parquet 写入失败：{e}"));
        let schema = Arc::new(Schema::new(
            COLUMNS
                .iter()
                .map(|c| match *c {
                    "year" => Field::new(*c, DataType::Int64, true),
                    "value" => Field::new(*c, DataType::Float64, true),
                    _ => Field::new(*c, DataType::Utf8, false),
                })
                .collect::<Vec<_>>(),
        ));
        let file = std::fs::File::create(path).map_err(|e| err(&e))?;
        let props = parquet::file::properties::WriterProperties::builder().set_compression(parquet::basic::Compression::ZSTD(Default::default())).build();
        let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| err(&e))?;
        struct Cols {
            s: Vec<StringBuilder>,
            year: Int64Builder,
            value: Float64Builder,
            n: usize,
        }
        let new_cols = || Cols { s: (0..8).map(|_| StringBuilder::new()).collect(), year: Int64Builder::new(), value: Float64Builder::new(), n: 0 };
        let mut cols = new_cols();
        let flush = |cols: &mut Cols, writer: &mut parquet::arrow::ArrowWriter<std::fs::File>| -> Result<(), StoreError> {
            if cols.n == 0 {
                return Ok(());
            }
            let mut s = cols.s.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef);
            let arrays: Vec<ArrayRef> = vec![
                s.next().unwrap_or_else(|| Arc::new(StringBuilder::new().finish())),
                s.next().unwrap_or_else(|| Arc::new(StringBuilder::new().finish())),
                Arc::new(cols.year.finish()),
                s.next().unwrap_or_else(|| Arc::new(StringBuilder::new().finish())),
                s.next().unwrap_or_else(|| Arc::new(StringBuilder::new().finish())),
                s.next().unwrap_or_else(|| Arc::new(StringBuilder::new().finish())),
                s.next().unwrap_or_else(|| Arc::new(StringBuilder::new().finish())),
                Arc::new(cols.value.finish()),
                s.next().unwrap_or_else(|| Arc::new(StringBuilder::new().finish())),
                s.next().unwrap_or_else(|| Arc::new(StringBuilder::new().finish())),
            ];
            let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| err(&e))?;
            writer.write(&batch).map_err(|e| err(&e))?;
            cols.n = 0;
            Ok(())
        };
        let mut pending: Result<(), StoreError> = Ok(());
        let n = self
            .long_rows(filter, &mut |r| {
                for (b, v) in cols.s.iter_mut().zip([&r.agency, &r.parent, &r.layout, &r.table, &r.row, &r.column, &r.semantics, &r.source_file]) {
                    b.append_value(v);
                }
                cols.year.append_option(r.year);
                cols.value.append_option(r.value);
                cols.n += 1;
                if cols.n >= 65_536 {
                    let res = flush(&mut cols, &mut writer);
                    if res.is_err() {
                        pending = res;
                    }
                }
                Ok(())
            })
            .await?;
        pending?;
        flush(&mut cols, &mut writer)?;
        writer.close().map_err(|e| err(&e))?;
        Ok(n)
    }

    /// How many cells the selection has.
    pub async fn count_cells(&self, filter: &Filter) -> Result<i64, StoreError> {
        let (cond, binds) = self.filter_sql(filter);
        let sql = format!(
            "SELECT COUNT(*) FROM cells c JOIN reports r ON r.id = c.report_id JOIN source_files f ON f.id = r.file_id \
             LEFT JOIN agencies a ON a.id = r.agency_id WHERE {cond}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for b in &binds {
            q = q.bind(b.clone());
        }
        Ok(q.fetch_one(&self.pool).await?.try_get(0)?)
    }

    async fn export_xlsx(&self, filter: &Filter, path: &Path) -> Result<(usize, usize, usize), StoreError> {
        use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
        // A worksheet holds 1,048,576 rows; say so before writing anything rather than cut.
        let n = self.count_cells(filter).await?;
        if n >= 1_048_576 {
            return Err(StoreError::Other(format!("所选范围有 {n} 个单元格，超过 Excel 工作表 1,048,576 行的上限；请用 --agency/--parent/--year 缩小范围，或导出为 CSV、Parquet")));
        }
        let err = |e: rust_xlsxwriter::XlsxError| StoreError::Other(format!("Excel 写入失败：{e}"));
        let mut book = Workbook::new();
        let header = Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7)).set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::VerticalCenter);

        // 1. 汇总: one row per agency and year.
        let summary = self.summary_rows(filter).await?;
        let sheet = book.add_worksheet();
        sheet.set_name("汇总").map_err(err)?;
        let heads: [(&str, f64); 15] = [
            ("机关", 28.0),
            ("上级", 20.0),
            ("年度", 7.0),
            ("版式", 7.0),
            ("发布日期", 12.0),
            ("是否逾期", 9.0),
            ("错误数", 8.0),
            ("警告数", 8.0),
            ("表三 本年新收申请", 11.0),
            ("表三 上年结转", 10.0),
            ("表三 办理结果总计", 11.0),
            ("表三 结转下年度", 10.0),
            ("表四 行政复议总计", 11.0),
            ("表四 行政诉讼总计", 11.0),
            ("来源文件", 36.0),
        ];
        write_header(sheet, &heads, &header).map_err(err)?;
        for (i, r) in summary.iter().enumerate() {
            let row = (i + 1) as u32;
            (|| -> Result<(), rust_xlsxwriter::XlsxError> {
                sheet.write_string(row, 0, escape_formula(&r.agency))?;
                sheet.write_string(row, 1, escape_formula(&r.parent))?;
                if let Some(y) = r.year {
                    sheet.write_number(row, 2, y as f64)?;
                }
                sheet.write_string(row, 3, &r.layout)?;
                if let Some(p) = &r.published {
                    sheet.write_string(row, 4, escape_formula(p))?;
                }
                sheet.write_string(row, 5, r.late)?;
                sheet.write_number(row, 6, r.errors as f64)?;
                sheet.write_number(row, 7, r.warnings as f64)?;
                for (c, v) in r.totals.iter().enumerate() {
                    if let Some(v) = v {
                        sheet.write_number(row, 8 + c as u16, *v)?;
                    }
                }
                sheet.write_string(row, 14, escape_formula(&r.source_file))?;
                Ok(())
            })()
            .map_err(err)?;
        }
        finish_sheet(sheet, summary.len() as u32, heads.len() as u16).map_err(err)?;

        // 2. 问题清单.
        let findings = self.findings_rows(filter).await?;
        let sheet = book.add_worksheet();
        sheet.set_name("问题清单").map_err(err)?;
        let heads: [(&str, f64); 8] = [("机关", 28.0), ("年度", 7.0), ("规则", 7.0), ("规则名称", 36.0), ("级别", 6.0), ("问题", 80.0), ("行号", 7.0), ("来源文件", 36.0)];
        write_header(sheet, &heads, &header).map_err(err)?;
        for (i, f) in findings.iter().enumerate() {
            let row = (i + 1) as u32;
            (|| -> Result<(), rust_xlsxwriter::XlsxError> {
                sheet.write_string(row, 0, escape_formula(&f.agency))?;
                if let Some(y) = f.year {
                    sheet.write_number(row, 1, y as f64)?;
                }
                sheet.write_string(row, 2, escape_formula(&f.rule))?;
                sheet.write_string(row, 3, nianbao_check::catalog::find(&f.rule).map(|m| m.title).unwrap_or(""))?;
                sheet.write_string(row, 4, severity_zh(&f.severity))?;
                sheet.write_string(row, 5, escape_formula(&f.message))?;
                if let Some(l) = f.line {
                    sheet.write_number(row, 6, l as f64)?;
                }
                sheet.write_string(row, 7, escape_formula(&f.source_file))?;
                Ok(())
            })()
            .map_err(err)?;
        }
        finish_sheet(sheet, findings.len() as u32, heads.len() as u16).map_err(err)?;

        // 3. 长表, in constant memory: one row per cell, in Chinese, with the key of the codebook.
        let long = book.add_worksheet_with_constant_memory().map_err(err)?;
        long.set_name("长表").map_err(err)?;
        let heads: [(&str, f64); 11] = [
            ("机关", 28.0),
            ("上级", 20.0),
            ("年度", 7.0),
            ("版式", 7.0),
            ("表", 6.0),
            ("行", 40.0),
            ("列", 14.0),
            ("数值", 9.0),
            ("单元格内容", 10.0),
            ("代码", 40.0),
            ("来源文件", 36.0),
        ];
        write_header(long, &heads, &header).map_err(err)?;
        let mut row = 0u32;
        let mut failure: Option<StoreError> = None;
        let cells = self
            .long_rows(filter, &mut |r| {
                row += 1;
                let res = (|| -> Result<(), rust_xlsxwriter::XlsxError> {
                    let l = Layout::parse(&r.layout).unwrap_or(Layout::L2021);
                    let table = TableId::from_key(&r.table);
                    long.write_string(row, 0, escape_formula(&r.agency))?;
                    long.write_string(row, 1, escape_formula(&r.parent))?;
                    if let Some(y) = r.year {
                        long.write_number(row, 2, y as f64)?;
                    }
                    long.write_string(row, 3, &r.layout)?;
                    long.write_string(row, 4, table.map(|t| t.short_name()).unwrap_or(&r.table))?;
                    long.write_string(row, 5, table.map(|t| row_label(t, l, &r.row)).unwrap_or_else(|| r.row.clone()))?;
                    long.write_string(row, 6, table.map(|t| column_label(t, l, &r.row, &r.column)).unwrap_or_else(|| r.column.clone()))?;
                    if let Some(v) = r.value {
                        long.write_number(row, 7, v)?;
                    }
                    long.write_string(row, 8, semantics_zh(&r.semantics))?;
                    long.write_string(row, 9, format!("{}.{}.{}", r.table, r.row, r.column))?;
                    long.write_string(row, 10, escape_formula(&r.source_file))?;
                    Ok(())
                })();
                if let Err(e) = res {
                    failure.get_or_insert(err(e));
                }
                Ok(())
            })
            .await?;
        if let Some(e) = failure {
            return Err(e);
        }
        finish_sheet(long, row, heads.len() as u16).map_err(err)?;

        // 4. 说明: the codebook.
        let sheet = book.add_worksheet();
        sheet.set_name("说明").map_err(err)?;
        let heads: [(&str, f64); 3] = [("代码", 40.0), ("中文说明", 60.0), ("English", 50.0)];
        write_header(sheet, &heads, &header).map_err(err)?;
        let book_rows = codebook();
        for (i, (k, zh, en)) in book_rows.iter().enumerate() {
            sheet.write_string((i + 1) as u32, 0, k).map_err(err)?;
            sheet.write_string((i + 1) as u32, 1, zh).map_err(err)?;
            sheet.write_string((i + 1) as u32, 2, en).map_err(err)?;
        }
        finish_sheet(sheet, book_rows.len() as u32, heads.len() as u16).map_err(err)?;

        // Each report laid out as in the official format, for a selection small enough to read.
        const MAX_SHEETS: usize = 200;
        let reports = self.selected_reports(filter, MAX_SHEETS).await?;
        let n_reports = reports.len().min(MAX_SHEETS);
        if reports.len() <= MAX_SHEETS {
            let border = Format::new().set_border(FormatBorder::Thin);
            let head = Format::new().set_border(FormatBorder::Thin).set_bold().set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter).set_text_wrap();
            for (k, (agency, year, report)) in reports.iter().enumerate() {
                let sheet = book.add_worksheet();
                let name: String = format!("{}{}", k + 1, agency).chars().take(28).collect::<String>().replace(['[', ']', ':', '*', '?', '/', '\\'], "");
                sheet.set_name(&name).map_err(err)?;
                layout_sheet(sheet, agency, *year, report, &border, &head).map_err(err)?;
                sheet.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
            }
        }
        book.save(path).map_err(err)?;
        Ok((cells, n_reports, findings.len()))
    }
}

/// One finding of the export.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub agency: String,
    pub year: Option<i64>,
    pub rule: String,
    pub severity: String,
    pub message: String,
    pub line: Option<i64>,
    pub source_file: String,
}

/// One report of the summary sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub agency: String,
    pub parent: String,
    pub year: Option<i64>,
    pub layout: String,
    pub published: Option<String>,
    /// 是 / 否 / 日期不详 (T001 or T002 found).
    pub late: &'static str,
    pub errors: i64,
    pub warnings: i64,
    /// 表三 new, carried over, concluded, carried forward (总计 column); 表四 review and
    /// litigation totals.
    pub totals: [Option<f64>; 6],
    pub source_file: String,
}

fn strip_prefix(path: String, cut: usize) -> String {
    match path.get(cut..) {
        Some(rest) if cut > 0 && !rest.is_empty() => rest.to_string(),
        _ => path,
    }
}

fn severity_zh(key: &str) -> &str {
    match key {
        "error" => "错误",
        "warning" => "警告",
        "info" => "提示",
        other => other,
    }
}

fn semantics_zh(key: &str) -> &str {
    match key {
        "number" => "数字",
        "zero" => "零",
        "blank" => "空白",
        "slash" => "斜杠或“无”",
        "unreadable" => "无法识别",
        other => other,
    }
}

fn other_layout(l: Layout) -> Layout {
    match l {
        Layout::L2019 => Layout::L2021,
        Layout::L2021 => Layout::L2019,
    }
}

/// A row of a table as printed in the format ("三、本年度办理结果 （一）予以公开").
fn row_label(table: TableId, l: Layout, key: &str) -> String {
    match layout::row_def(table, l, key).or_else(|| layout::row_def(table, other_layout(l), key)) {
        Some(d) => match d.group {
            Some(g) => format!("{g} {}", d.printed()),
            None => d.printed(),
        },
        None => key.to_string(),
    }
}

/// A column by its label: an applicant type of 表三, a field of 表二 and 表四.
fn column_label(table: TableId, l: Layout, row: &str, column: &str) -> String {
    let fields = layout::row_def(table, l, row).or_else(|| layout::row_def(table, other_layout(l), row)).map(|d| d.fields).unwrap_or(&[]);
    let found = match column.parse::<usize>() {
        Ok(i) if table == TableId::Applications => fields.get(i),
        _ => fields.iter().find(|f| f.key == column),
    };
    found.map(|f| f.label.to_string()).unwrap_or_else(|| column.to_string())
}

/// A bold, shaded header row with the columns' widths.
fn write_header(sheet: &mut rust_xlsxwriter::Worksheet, heads: &[(&str, f64)], format: &rust_xlsxwriter::Format) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (c, (h, w)) in heads.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, format)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    Ok(())
}

/// What makes a list sheet usable as it opens and as it prints: the header frozen and filtered,
/// A4 landscape, as wide as one page, the header repeated on every printed page.
fn finish_sheet(sheet: &mut rust_xlsxwriter::Worksheet, last_row: u32, columns: u16) -> Result<(), rust_xlsxwriter::XlsxError> {
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row.max(1), columns.saturating_sub(1))?;
    sheet.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A number, or a bordered blank where the report left the cell blank.
fn value_cell(sheet: &mut rust_xlsxwriter::Worksheet, row: u32, col: u16, v: Option<f64>, border: &rust_xlsxwriter::Format) -> Result<(), rust_xlsxwriter::XlsxError> {
    match v {
        Some(v) => sheet.write_number_with_format(row, col, v, border)?,
        None => sheet.write_blank(row, col, border)?,
    };
    Ok(())
}

/// The three tables of one report as the official format draws them.
fn layout_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    agency: &str,
    year: Option<i64>,
    r: &nianbao_model::Report,
    border: &rust_xlsxwriter::Format,
    head: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let l = r.effective_layout();
    let title = format!("{agency}{}年政府信息公开工作年度报告（{} 版格式）", year.map(|y| y.to_string()).unwrap_or_default(), l.as_str());
    sheet.merge_range(0, 0, 0, 9, &title, head)?;
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 14)?;
    sheet.set_column_width(2, 34)?;
    let mut row = 2u32;
    sheet.merge_range(row, 0, row, 9, "二、主动公开政府信息情况", head)?;
    row += 1;
    let mut last_item = "";
    for d in layout::active_disclosure_rows(l) {
        let item = d.article_item.unwrap_or("");
        if item != last_item {
            sheet.merge_range(row, 0, row, 9, item, head)?;
            row += 1;
            sheet.merge_range(row, 0, row, 2, "信息内容", head)?;
            for (c, f) in d.fields.iter().enumerate() {
                sheet.write_string_with_format(row, 3 + c as u16, f.label, head)?;
            }
            row += 1;
            last_item = item;
        }
        sheet.merge_range(row, 0, row, 2, d.label, border)?;
        for c in 0..d.fields.len() {
            value_cell(sheet, row, 3 + c as u16, r.active_disclosure.value(d.key, c), border)?;
        }
        row += 1;
    }
    row += 1;
    sheet.merge_range(row, 0, row, 9, "三、收到和处理政府信息公开申请情况", head)?;
    row += 1;
    let top = row;
    sheet.merge_range(top, 0, top + 2, 2, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", head)?;
    sheet.merge_range(top, 3, top, 9, "申请人情况", head)?;
    sheet.merge_range(top + 1, 3, top + 2, 3, "自然人", head)?;
    sheet.merge_range(top + 1, 4, top + 1, 8, "法人或其他组织", head)?;
    sheet.merge_range(top + 1, 9, top + 2, 9, "总计", head)?;
    for (c, name) in ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"].iter().enumerate() {
        sheet.write_string_with_format(top + 2, 4 + c as u16, *name, head)?;
    }
    row = top + 3;
    for d in layout::applications_rows(l) {
        let label = match d.group {
            Some(g) if d.number.starts_with(|c: char| c.is_ascii_digit()) => format!("{g} {}", d.printed()),
            Some(g) if g.starts_with("三、") => format!("三、本年度办理结果 {}", d.printed()),
            _ => d.printed(),
        };
        sheet.merge_range(row, 0, row, 2, &label, border)?;
        for c in 0..7 {
            value_cell(sheet, row, 3 + c as u16, r.applications.value(d.key, c), border)?;
        }
        row += 1;
    }
    row += 1;
    sheet.merge_range(row, 0, row, 9, "四、政府信息公开行政复议、行政诉讼情况", head)?;
    row += 1;
    // One row of fifteen cells under a three-level header, as in the format.
    sheet.merge_range(row, 0, row, 4, "行政复议", head)?;
    sheet.merge_range(row, 5, row, 14, "行政诉讼", head)?;
    for (c, f) in layout::REVIEW_FIELDS.iter().enumerate() {
        sheet.merge_range(row + 1, c as u16, row + 2, c as u16, f.label, head)?;
    }
    sheet.merge_range(row + 1, 5, row + 1, 9, "未经复议直接起诉", head)?;
    sheet.merge_range(row + 1, 10, row + 1, 14, "复议后起诉", head)?;
    for g in 0..2u16 {
        for (c, f) in layout::REVIEW_FIELDS.iter().enumerate() {
            sheet.write_string_with_format(row + 2, 5 + g * 5 + c as u16, f.label, head)?;
        }
    }
    for (g, d) in layout::REVIEW_LITIGATION.iter().enumerate() {
        for c in 0..5 {
            value_cell(sheet, row + 3, (g * 5 + c) as u16, r.review_litigation.value(d.key, c), border)?;
        }
    }
    Ok(())
}

fn codebook_path(out: &Path, format: ExportFormat) -> PathBuf {
    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("export");
    let ext = if format == ExportFormat::Json { "json" } else { "csv" };
    out.with_file_name(format!("{stem}.codebook.{ext}"))
}

fn write_codebook(path: &Path, format: ExportFormat, gbk: bool) -> Result<(), StoreError> {
    let io = |e: &dyn std::fmt::Display| StoreError::Other(format!("无法写入 {}：{e}", path.display()));
    if format == ExportFormat::Json {
        let v: Vec<serde_json::Value> = codebook().into_iter().map(|(k, zh, en)| serde_json::json!({"key": k, "zh": zh, "en": en})).collect();
        std::fs::write(path, serde_json::to_string_pretty(&v).unwrap_or_default()).map_err(|e| io(&e))
    } else {
        let mut w = csv_writer(path, gbk)?;
        w.write_record(["key", "中文", "English"]).map_err(|e| io(&e))?;
        for (k, zh, en) in codebook() {
            w.write_record([k, zh, en]).map_err(|e| io(&e))?;
        }
        w.flush().map_err(|e| io(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_a_spreadsheet_would_run_is_escaped() {
        for s in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(escape_formula(s), format!("'{s}"));
        }
        for s in ["东阿县统计局", "2023", "a=b", ""] {
            assert_eq!(escape_formula(s), s);
        }
    }

    #[test]
    fn the_directory_common_to_all_paths_is_left_out() {
        let (a, b) = ("/srv/uploads/2023/a.txt", "/srv/uploads/2024/b.txt");
        assert_eq!(&a[common_dir(a, b)..], "2023/a.txt");
        assert_eq!(&b[common_dir(a, b)..], "2024/b.txt");
        let one = "/srv/uploads/a.txt";
        assert_eq!(&one[common_dir(one, one)..], "a.txt");
        // A common prefix inside a name is not a directory.
        let (c, d) = ("reports/abc.txt", "reports/abd.txt");
        assert_eq!(&c[common_dir(c, d)..], "abc.txt");
        assert_eq!(common_dir("a.txt", "b.txt"), 0);
        assert_eq!(strip_prefix("x/y.txt".into(), 2), "y.txt");
    }

    #[test]
    fn gbk_output_survives_characters_split_across_writes() {
        use std::io::Write;
        let mut w = GbkWriter { inner: Vec::new(), pending: Vec::new() };
        let bytes = "东阿县,统计局\n".as_bytes();
        for chunk in bytes.chunks(2) {
            w.write_all(chunk).unwrap();
        }
        let (text, _, bad) = encoding_rs::GBK.decode(&w.inner);
        assert!(!bad && w.pending.is_empty());
        assert_eq!(text, "东阿县,统计局\n");
    }
}
