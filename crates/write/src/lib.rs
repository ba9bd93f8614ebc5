//! Writes 政府信息公开工作年度报告: the fill-in form an agency completes ([`form`]), and the
//! finished report in the official layout as DOCX, HTML or Markdown ([`render_docx`],
//! [`render_html`], [`render_md`]), checked by the same rules the supervising office runs
//! ([`lint`]) before anything is written.
//!
//! Every writer draws the tables from one description of the official layout ([`grid`]): which
//! cell holds which label or value and which cells are merged, so the form, the Word file and
//! the web page print the same table.

pub mod form;
/// The table grids live in the model so that the parser reads the form by the same description.
pub use nianbao_model::grid;
pub mod input;
pub mod lint;
pub mod notice;
pub mod place;
pub mod prose;
pub mod reminder;
pub mod render_docx;
pub mod render_html;
pub mod render_md;

use nianbao_model::{Layout, Report, TableId};
use thiserror::Error;

/// The six official section headings, in order.
pub use nianbao_model::SECTION_HEADINGS;

/// Everything a written report is made of: the tables, the prose and the metadata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The tables, agency, year, layout and publication date.
    pub report: Report,
    /// The opening paragraph(s); `None`: the standard opening with the statistical period.
    pub preface: Option<String>,
    /// The body of each section (index 0 = 一、总体情况), paragraphs separated by line breaks;
    /// `None`: not written — a report is refused, a draft prints a marked `【请填写：…】`.
    pub sections: [Option<String>; 6],
    /// The issuer printed above the date; `None`: the agency.
    pub signature: Option<String>,
    /// Who to contact about the report (printed in the opening).
    pub contact: Option<String>,
}

impl Document {
    /// A document with the tables of `report` and the standard prose. The layout is fixed to
    /// the one the report uses (or the one its year requires).
    pub fn from_report(mut report: Report) -> Document {
        report.layout = Some(report.effective_layout());
        Document { report, ..Document::default() }
    }

    pub fn layout(&self) -> Layout {
        self.report.effective_layout()
    }

    /// The body text of section `n` (1–6): the given text; for a section the agency did not
    /// write, or a table it left blank, a visible `【请填写：…】` (never generic prose: the same
    /// text in every agency's report is the 内容雷同 the format's accountability clause names).
    pub fn section_text(&self, n: usize) -> String {
        match self.sections.get(n - 1).and_then(|s| s.as_deref()).map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.to_string(),
            None => match self.gaps().into_iter().find(|g| g.section == n) {
                Some(g) => placeholder(&g.hint),
                None => prose::default_section(&self.report, n),
            },
        }
    }

    /// What the agency has not filled in: the sections 一、五、六 without text and the tables
    /// with no figure at all. A report with a gap is refused unless rendered as a draft.
    pub fn gaps(&self) -> Vec<Gap> {
        let mut out = Vec::new();
        let written = |n: usize| self.sections[n - 1].as_deref().is_some_and(|s| !s.trim().is_empty());
        for n in 1..=6usize {
            let table = match n {
                2 => Some(TableId::ActiveDisclosure),
                3 => Some(TableId::Applications),
                4 => Some(TableId::ReviewLitigation),
                _ => None,
            };
            let heading = SECTION_HEADINGS[n - 1];
            let hint = match (n, table) {
                (_, Some(id)) if self.report.table(id).rows.iter().all(|r| r.cells.iter().all(|c| c.value.is_none())) => {
                    format!("{}（{}）全部空白，请填写各项数字，没有发生的填 0", id.short_name(), id.title())
                }
                (_, Some(_)) => continue,
                (_, None) if written(n) => continue,
                (1, _) => "本机关本年度的总体情况：主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障".to_string(),
                (5, _) => "本机关本年度存在的主要问题及改进情况".to_string(),
                _ if self.report.year.is_some_and(|y| y >= 2021) => "其他需要报告的事项，包括信息处理费的收取情况（发出收费通知的件数和金额、实际收取的金额）".to_string(),
                _ => "其他需要报告的事项".to_string(),
            };
            out.push(Gap { section: n, table, message: format!("“{heading}”{}", if table.is_some() { "的表格全部空白" } else { "未填写" }), hint });
        }
        out
    }

    pub fn preface_text(&self) -> String {
        match self.preface.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.to_string(),
            None => prose::default_preface(self),
        }
    }

    pub fn signature_text(&self) -> Option<String> {
        self.signature.clone().filter(|s| !s.trim().is_empty()).or_else(|| self.report.agency.clone())
    }

    /// Sections whose text was not given (the standard text will be used), 1–6; sections
    /// 二–四 are the tables and need no text.
    pub fn defaulted_sections(&self) -> Vec<usize> {
        [1usize, 5, 6].into_iter().filter(|&n| self.sections[n - 1].as_deref().is_none_or(|s| s.trim().is_empty())).collect()
    }
}

/// Something a report must contain and does not (see [`Document::gaps`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The section (1–6).
    pub section: usize,
    /// The table of sections 二–四.
    pub table: Option<TableId>,
    /// "“五、存在的主要问题及改进情况”未填写".
    pub message: String,
    /// What to write there, shown in the draft's marker.
    pub hint: String,
}

/// How a draft marks a passage the agency still has to write.
pub const FILL_OPEN: &str = "【请填写：";
pub const FILL_CLOSE: char = '】';

/// `【请填写：…】`.
pub fn placeholder(hint: &str) -> String {
    format!("{FILL_OPEN}{hint}{FILL_CLOSE}")
}

/// A paragraph cut into plain text and `【请填写：…】` markers (`true`), for the writers to
/// highlight the markers.
pub fn split_marks(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(FILL_OPEN) {
        let end = rest[i..].find(FILL_CLOSE).map(|j| i + j + FILL_CLOSE.len_utf8()).unwrap_or(rest.len());
        if i > 0 {
            out.push((false, &rest[..i]));
        }
        out.push((true, &rest[i..end]));
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        out.push((false, rest));
    }
    out
}

/// The output formats of `nianbao render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Html,
    Md,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Html => "html",
            Format::Md => "md",
        }
    }
}

/// Renders the whole report in `format`.
pub fn render(doc: &Document, format: Format) -> Result<Vec<u8>, WriteError> {
    match format {
        Format::Docx => render_docx::render(doc),
        Format::Html => Ok(render_html::render(doc).into_bytes()),
        Format::Md => Ok(render_md::render(doc).into_bytes()),
    }
}

/// Why a form or report could not be read or written. Messages are Chinese and name the
/// sheet and cell when the fault is in a form.
#[derive(Debug, Error)]
pub enum WriteError {
    #[error("{file}：无法读取文件（{reason}）")]
    Io { file: String, reason: String },
    #[error("{file}：无法写入（{reason}）")]
    Write { file: String, reason: String },
    #[error("{file}：不是有效的 Excel 填报表（{reason}）")]
    NotAForm { file: String, reason: String },
    #[error("{file}：缺少工作表“{sheet}”，请使用 nianbao template 生成的填报表")]
    MissingSheet { file: String, sheet: String },
    #[error("{file}：填报表有 {n} 处错误，未写出任何文件：\n{list}", n = .errors.len(), list = join_errors(.errors))]
    Cells { file: String, errors: Vec<CellError> },
    #[error("{file}：{reason}")]
    Json { file: String, reason: String },
    #[error("{file}：含有 {count} 份报告（{years}），请用 --year 选择一份")]
    Ambiguous { file: String, count: usize, years: String },
    #[error("{file}：没有 {year} 年度的报告（文件中的年度：{years}）")]
    NoSuchYear { file: String, year: i32, years: String },
    #[error("{0}")]
    Parse(#[from] nianbao_parse::ParseError),
    #[error("生成 Word 文件失败：{0}")]
    Docx(String),
    #[error("生成 Excel 文件失败：{0}")]
    Xlsx(String),
}

fn join_errors(errors: &[CellError]) -> String {
    errors.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n")
}

/// One faulty cell of a filled form.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("工作表“{sheet}”{cell} 单元格（{place}）：{problem}")]
pub struct CellError {
    pub sheet: String,
    /// A1 reference.
    pub cell: String,
    /// What the cell is, in words: "“一、本年新收政府信息公开申请数量”行“自然人”列".
    pub place: String,
    pub problem: String,
}

/// "2024-01-30" → "2024年1月30日".
pub fn chinese_date(iso: &str) -> Option<String> {
    let mut it = iso.splitn(3, '-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    Some(format!("{y}年{m}月{d}日"))
}

/// A table value as printed: whole numbers without a fraction, decimals as they are.
pub fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
