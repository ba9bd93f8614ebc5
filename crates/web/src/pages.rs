//! The server-rendered pages: reports list, one report, an agency over years, the region's
//! dashboard, decisions on findings, re-checks and exports.

use crate::auth::{Auth, CsrfForm};
use crate::view::{self, SourceLine, TableView};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use nianbao_model::{layout, Layout, TableId};
use nianbao_store::web::{AgencyYear, Decision, FindingRow, ReportDetail, ReportQuery, ReportRow, User};
use serde::Deserialize;
use std::collections::HashMap;

/// What every page's frame needs.
pub struct Frame {
    pub user: String,
    pub role: String,
    pub region: String,
    pub csrf: String,
    pub admin: bool,
    /// A supervising office's account (administrator or reviewer).
    pub office: bool,
}

impl Frame {
    pub fn of(auth: &Auth) -> Frame {
        Frame {
            user: auth.user.name.clone(),
            role: auth.user.role.zh().to_string(),
            region: auth.user.region_name.clone().unwrap_or_else(|| if auth.user.scope().is_none() { "全部".into() } else { "未指定".into() }),
            csrf: auth.csrf.clone(),
            admin: auth.user.scope().is_none(),
            office: auth.user.is_office(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub message: String,
    pub status: u16,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub csrf: String,
    pub next: String,
    pub error: Option<String>,
}

pub async fn home(_auth: Auth) -> Redirect {
    Redirect::to("/reports")
}

/// The list's query string.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub agency: Option<i64>,
    /// Rule codes, comma-separated: reports with a finding of one of them.
    #[serde(default)]
    pub rule: Option<String>,
    /// The review case's status.
    #[serde(default)]
    pub case: Option<String>,
    /// A region (an agency and those under it) within the user's.
    #[serde(default)]
    pub region: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;

impl ListParams {
    pub fn year(&self) -> Option<i32> {
        self.year.as_deref().and_then(|y| y.trim().parse().ok())
    }
    /// Whether every year was asked for (`year=all`), not the default year.
    pub fn all_years(&self) -> bool {
        self.year.as_deref() == Some("all")
    }
    pub fn query(&self, user: &User) -> ReportQuery {
        let page = self.page.unwrap_or(1).max(1);
        ReportQuery {
            scope: user.scope(),
            search: self.q.clone(),
            year: self.year(),
            agency_id: self.agency,
            status: self.status.clone().filter(|s| !s.is_empty()),
            rules: self.rule.as_deref().unwrap_or("").split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect(),
            case_status: self.case.clone().filter(|s| !s.is_empty()),
            sort: self.sort.clone().filter(|s| !s.is_empty()),
            offset: (page - 1) * PAGE_SIZE,
            limit: PAGE_SIZE,
        }
    }
    /// The query string with `sort` (and page 1) replaced.
    pub fn with_sort(&self, sort: &str) -> String {
        let current = self.sort.as_deref().unwrap_or("agency");
        let sort = if current == sort { format!("-{sort}") } else { sort.to_string() };
        self.encode(Some(&sort), 1)
    }
    pub fn with_page(&self, page: i64) -> String {
        self.encode(self.sort.as_deref(), page)
    }
    fn encode(&self, sort: Option<&str>, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(q) = self.q.as_deref().filter(|q| !q.is_empty()) {
            pairs.push(("q", q.to_string()));
        }
        if let Some(y) = self.year() {
            pairs.push(("year", y.to_string()));
        } else if self.all_years() {
            pairs.push(("year", "all".to_string()));
        }
        if let Some(s) = self.status.as_deref().filter(|s| !s.is_empty()) {
            pairs.push(("status", s.to_string()));
        }
        if let Some(a) = self.agency {
            pairs.push(("agency", a.to_string()));
        }
        if let Some(r) = self.rule.as_deref().filter(|r| !r.is_empty()) {
            pairs.push(("rule", r.to_string()));
        }
        if let Some(c) = self.case.as_deref().filter(|c| !c.is_empty()) {
            pairs.push(("case", c.to_string()));
        }
        if let Some(r) = self.region {
            pairs.push(("region", r.to_string()));
        }
        if let Some(s) = sort {
            pairs.push(("sort", s.to_string()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The review state of a report's findings, in words.
pub fn review_status(findings: i64, decided: i64) -> &'static str {
    match (findings, decided) {
        (0, _) => "无问题",
        (_, 0) => "未审核",
        (f, d) if d >= f => "已审核",
        _ => "审核中",
    }
}

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub frame: Frame,
    pub params: ListParams,
    pub rows: Vec<ReportRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub years: Vec<i64>,
    pub year: String,
    pub q: String,
    pub status: String,
    pub rule: String,
    pub case: String,
    /// An agency account's uploads not submitted yet: (report id, year, errors, warnings, file).
    pub drafts: Vec<(i64, Option<i64>, i64, i64, String)>,
}

impl ReportsPage {
    pub fn review(&self, r: &ReportRow) -> &'static str {
        review_status(r.findings, r.decided)
    }
    pub fn sort_link(&self, key: &str) -> String {
        self.params.with_sort(key)
    }
    pub fn page_link(&self, page: i64) -> String {
        self.params.with_page(page)
    }
    pub fn export_link(&self, format: &str) -> String {
        let mut pairs = vec![("format", format.to_string())];
        if let Some(y) = self.params.year() {
            pairs.push(("year", y.to_string()));
        }
        if let Some(a) = self.params.agency {
            pairs.push(("agency", a.to_string()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

pub async fn reports(State(state): State<AppState>, auth: Auth, Query(mut params): Query<ListParams>) -> Result<Html<String>, WebError> {
    let years = state.store.report_years(auth.user.scope()).await?;
    // Without a year the list shows the year under review (last year's reports, due in
    // January–March), when there are reports of it; `year=all` shows every year.
    if params.year.as_deref().is_none_or(|y| y.trim().is_empty()) {
        let review = i64::from(crate::cycle::year_under_review());
        if years.contains(&review) {
            params.year = Some(review.to_string());
        }
    }
    let mut query = params.query(&auth.user);
    query.scope = crate::cycle::region_scope(&state, &auth, params.region).await?;
    let (rows, total) = state.store.list_reports(&query).await?;
    let page = params.page.unwrap_or(1).max(1);
    let page = ReportsPage {
        frame: Frame::of(&auth),
        year: if params.all_years() { "all".into() } else { params.year().map(|y| y.to_string()).unwrap_or_default() },
        rule: params.rule.clone().unwrap_or_default(),
        case: params.case.clone().unwrap_or_default(),
        drafts: match auth.user.agency_id() {
            Some(a) => state.store.drafts_of(a).await?,
            None => Vec::new(),
        },
        q: params.q.clone().unwrap_or_default(),
        status: params.status.clone().unwrap_or_default(),
        params,
        rows,
        total,
        page,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        years,
    };
    Ok(Html(page.render()?))
}

/// One finding as the report page shows it.
pub struct FindingView {
    pub f: FindingRow,
    pub severity_zh: &'static str,
    pub title: String,
    pub cells: Vec<(String, String)>,
    pub decision: Option<Decision>,
    pub status_zh: &'static str,
    /// On a filled fill-in form: the sheet and cell the finding points at.
    pub form_cell: Option<String>,
    /// The report is a filled fill-in form (no line of text to point at).
    pub form: bool,
}

impl FindingView {
    /// The form cell the finding points at when its listed cells do not already name it (a
    /// finding on the text of the 正文 sheet, or on the 基本信息 sheet).
    pub fn own_form_cell(&self) -> Option<&str> {
        self.form_cell.as_deref().filter(|at| !self.cells.iter().any(|c| c.1.starts_with(&format!("{at}（"))))
    }
    pub fn status_key(&self) -> &str {
        self.decision.as_ref().map(|d| d.status.as_str()).unwrap_or("open")
    }
    pub fn cell_ids(&self) -> String {
        self.cells.iter().map(|c| c.0.as_str()).collect::<Vec<_>>().join(" ")
    }
}

pub fn severity_zh(s: &str) -> &'static str {
    match s {
        "error" => "错误",
        "warning" => "警告",
        _ => "提示",
    }
}

pub fn decision_zh(s: &str) -> &'static str {
    match s {
        "confirmed" => "确认问题",
        "dismissed" => "不是问题（误报）",
        _ => "待审核",
    }
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub frame: Frame,
    pub r: ReportDetail,
    pub year: String,
    pub layout: String,
    pub published: String,
    pub parent: String,
    pub tables: Vec<TableView>,
    pub findings: Vec<FindingView>,
    pub source: Vec<SourceLine>,
    pub source_note: Option<String>,
    /// Cells read from an image (OCR) or corrected by a reviewer, the doubtful ones first.
    pub ocr_cells: Vec<crate::ocr_cells::OcrCell>,
    /// The reviewers' corrections of this report, newest first.
    pub corrections: Vec<crate::ocr_cells::CorrectionView>,
    pub prose: Vec<(u8, String, String)>,
    pub notice: Option<String>,
    /// The report's agency-year: status, history, versions and what changed.
    pub case: Option<crate::cycle::CaseView>,
    /// A supervising office's account (decides, approves, returns).
    pub office: bool,
    /// The agency's own account looking at its own report.
    pub own_agency: bool,
}

impl ReportPage {
    /// Cells read from an image whose reading the arithmetic did not confirm (null).
    pub fn ocr_doubtful(&self) -> Vec<&crate::ocr_cells::OcrCell> {
        self.ocr_cells.iter().filter(|c| c.doubtful).collect()
    }
    /// Cells read from an image and kept, or corrected.
    pub fn ocr_read(&self) -> Vec<&crate::ocr_cells::OcrCell> {
        self.ocr_cells.iter().filter(|c| !c.doubtful).collect()
    }
    /// Whether the office returned this agency-year (its letter is then the agency's to read).
    pub fn returned(&self) -> bool {
        self.case.as_ref().is_some_and(|c| c.events.iter().any(|e| e.action == "退回整改"))
    }
}

/// Everything the report page and the API show about one report.
pub struct Loaded {
    pub detail: ReportDetail,
    pub report: nianbao_model::Report,
    pub findings: Vec<FindingRow>,
    pub decisions: HashMap<String, Decision>,
}

/// Loads a report the user may see.
pub async fn load(state: &AppState, auth: &Auth, id: i64) -> Result<Loaded, WebError> {
    let detail = state.store.report_detail(id).await?.ok_or(WebError::NotFound)?;
    auth.require_region(state, detail.agency_id).await?;
    let v: serde_json::Value = serde_json::from_str(&detail.report_json).map_err(|e| WebError::Internal(format!("报告数据损坏：{e}")))?;
    let report = nianbao_model::json::from_json(&v).map_err(|e| WebError::Internal(format!("报告数据损坏：{e}")))?;
    let findings = state.store.findings_of(id).await?;
    let keys: Vec<String> = findings.iter().map(|f| f.key.clone()).collect();
    let decisions = state.store.decisions_for(&keys).await?;
    Ok(Loaded { detail, report, findings, decisions })
}

pub fn prose_of(json: &str) -> Vec<(u8, String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or(serde_json::Value::Null);
    v.as_array()
        .into_iter()
        .flatten()
        .map(|s| (s["number"].as_u64().unwrap_or(0) as u8, s["heading"].as_str().unwrap_or("").to_string(), s["text"].as_str().unwrap_or("").to_string()))
        .collect()
}

#[derive(Deserialize, Default)]
pub struct ReportParams {
    #[serde(default)]
    pub notice: Option<String>,
}

pub async fn report(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(p): Query<ReportParams>) -> Result<Html<String>, WebError> {
    let loaded = load(&state, &auth, id).await?;
    let layout = loaded.report.effective_layout();
    let tables = view::tables(&loaded.report, &loaded.findings);
    // A filled fill-in form: places are the sheets and cells the agency typed in (`表三!D6`);
    // the lines of the text the reader assembled from its sheets mean nothing to anyone.
    let form = loaded.detail.format.as_deref() == Some("xlsx");
    let findings: Vec<FindingView> = loaded
        .findings
        .iter()
        .map(|f| {
            let decision = loaded.decisions.get(&f.key).cloned();
            let cells = view::finding_cells(f, layout)
                .into_iter()
                .map(|(t, r, c)| {
                    let label = match t {
                        TableId::ReviewLitigation => format!("{}·{}", layout::describe_row(t, layout, &r), layout::column_label(t, layout, &r, c)),
                        _ => format!("{}·{}", layout::describe_row(t, layout, &r), layout::column_label(t, layout, &r, c)),
                    };
                    let label = match nianbao_write::form::cell_of(t, layout, &r, c).filter(|_| form) {
                        Some(at) => format!("{at}（{label}）"),
                        None => label,
                    };
                    (view::cell_id(t, &r, c), label)
                })
                .collect();
            FindingView {
                form_cell: f.cell.clone().filter(|_| form),
                form,
                severity_zh: severity_zh(&f.severity),
                title: nianbao_check::catalog::find(&f.rule).map(|m| m.title.to_string()).unwrap_or_default(),
                cells,
                status_zh: decision_zh(decision.as_ref().map(|d| d.status.as_str()).unwrap_or("open")),
                decision,
                f: f.clone(),
            }
        })
        .collect();
    // The source text: the file is read again (the database keeps the model, not the text).
    // Parsing is CPU work: on a parse worker, never on the async runtime.
    let loaded = std::sync::Arc::new(loaded);
    let shared = loaded.clone();
    let fixes = state.store.corrections_of(id).await?;
    let corrections: Vec<crate::ocr_cells::CorrectionView> = fixes.iter().rev().map(|c| crate::ocr_cells::CorrectionView::of(c, layout)).collect();
    let store = state.store.clone();
    let office = auth.user.is_office();
    let viewed = state.config.guards().parse.run(move || source_view(&store, &shared, &fixes, office)).await;
    let (source, source_note, ocr_cells) = match viewed {
        Ok(Ok((lines, cells))) => (lines, None, cells),
        Ok(Err(note)) => (Vec::new(), Some(note), Vec::new()),
        Err(e) => (Vec::new(), Some(format!("原文暂不可显示：{}", e.public_message())), Vec::new()),
    };
    let d = &loaded.detail;
    let case = crate::cycle::case_view(&state, d.id, d.agency_id, &d.agency, d.year, layout).await?;
    let page = ReportPage {
        case,
        office: auth.user.is_office(),
        own_agency: auth.user.agency_id().is_some() && auth.user.agency_id() == d.agency_id,
        frame: Frame::of(&auth),
        year: opt(&d.year),
        layout: opt(&d.layout),
        published: opt(&d.published),
        parent: opt(&d.parent),
        tables,
        findings,
        source,
        source_note,
        ocr_cells,
        corrections,
        prose: prose_of(&d.prose_json),
        notice: p.notice.filter(|n| !n.is_empty()).map(|n| match n.as_str() {
            "decided" => "已保存审核意见".to_string(),
            "rechecked" => "已重新检查；审核意见按问题的机关、年度、规则和单元格保留".to_string(),
            "verdict" => "已保存审核结论".to_string(),
            "chosen" => "已将此版本设为当前版本".to_string(),
            "submitted" => "已提交，等待政务公开办审核".to_string(),
            "corrected" => "已保存更正并重新检查；更正作为识别结果的新版本保留".to_string(),
            _ => String::new(),
        }),
        r: loaded.detail.clone(),
    };
    Ok(Html(page.render()?))
}

/// The source lines with the findings' spans marked, and the cells read from an image (with the
/// report's corrections applied). The file is read again (a scan's OCR is remembered).
fn source_view(store: &nianbao_store::Store, loaded: &Loaded, fixes: &[nianbao_store::corrections::Correction], office: bool) -> Result<(Vec<SourceLine>, Vec<crate::ocr_cells::OcrCell>), String> {
    let path = std::path::Path::new(&loaded.detail.file);
    let doc = store.parse_stored(path).map_err(|e| {
        eprintln!("警告：{e}");
        "原文暂不可显示：源文件无法读取".to_string()
    })?;
    // The report within the file: the one with the same agency and year, else the first.
    let parsed = crate::ocr_cells::report_in(&doc, loaded).ok_or_else(|| "原文中没有找到该报告".to_string())?;
    let ocr_cells = if fixes.is_empty() {
        crate::ocr_cells::ocr_cells(parsed, loaded.detail.id, office)
    } else {
        let mut corrected = parsed.clone();
        nianbao_store::corrections::apply(&mut corrected.report, fixes);
        crate::ocr_cells::ocr_cells(&corrected, loaded.detail.id, office)
    };
    let source = &doc.source;
    let (first, last) = view::report_line_range(source, parsed);
    let mut ranges = Vec::new();
    for f in &loaded.findings {
        if let (Some(line), Some(s), Some(e)) = (f.line, f.start, f.end) {
            ranges.push((line as usize, source.decoded_offset(s as usize), source.decoded_offset(e as usize)));
        }
    }
    let layout = loaded.report.effective_layout();
    for f in &loaded.findings {
        for (t, r, c) in view::finding_cells(f, layout) {
            if let Some(span) = loaded.report.table(t).cell(&r, c).and_then(|c| c.span) {
                ranges.push((span.line as usize, source.decoded_offset(span.start), source.decoded_offset(span.end)));
            }
        }
    }
    Ok((view::source_lines(source, first, last, &ranges), ocr_cells))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    pub status: String,
    #[serde(default)]
    pub comment: String,
}

pub async fn decide(State(state): State<AppState>, Path((id, fid)): Path<(i64, i64)>, f: CsrfForm<DecisionForm>) -> Result<Response, WebError> {
    let CsrfForm { auth, form } = f;
    auth.require_office()?;
    let loaded = load(&state, &auth, id).await?;
    let finding = loaded.findings.iter().find(|x| x.id == fid).ok_or(WebError::NotFound)?;
    let status = match form.status.as_str() {
        s @ ("confirmed" | "dismissed" | "open") => s,
        _ => return Err(WebError::BadRequest("审核结论应为 确认问题、不是问题（误报） 或 撤销".into())),
    };
    let comment: String = form.comment.trim().chars().take(2000).collect();
    state.store.decide(finding, loaded.detail.agency_id, loaded.detail.year, status, &comment, auth.user.id).await?;
    Ok(Redirect::to(&format!("/reports/{id}?notice=decided#f-{}", finding.id)).into_response())
}

#[derive(Deserialize)]
pub struct Nothing {}

/// Checks the report again (with the agency's other years when it has them). Decisions stay:
/// they are stored by finding key, not by finding id.
pub async fn recheck(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Nothing>) -> Result<Response, WebError> {
    f.auth.require_office()?;
    let loaded = load(&state, &f.auth, id).await?;
    let _held = state.config.guards().parse.hold().await?;
    state.store.recheck_file(&loaded.detail.file, loaded.detail.agency_id).await?;
    // The re-check keeps report rows; the same id is still this report.
    Ok(Redirect::to(&format!("/reports/{id}?notice=rechecked")).into_response())
}

/// An agency over its years.
#[derive(Template)]
#[template(path = "agency.html")]
pub struct AgencyPage {
    pub frame: Frame,
    pub id: i64,
    pub name: String,
    pub years: Vec<YearColumn>,
    /// (label, value per year)
    pub figures: Vec<(String, Vec<String>)>,
    pub cross_year: Vec<(String, i64, FindingRow)>,
    /// (from year, to year, section heading, similarity %, 雷同)
    pub similarity: Vec<(String, String, String, String, bool)>,
    /// The letters issued to the agency (office accounts only), newest first.
    pub letters: Vec<nianbao_store::letters::LetterRow>,
}

impl AgencyPage {
    pub fn letter_kind(&self, kind: &str) -> &'static str {
        if kind == "reminder" {
            "催报通知"
        } else {
            "整改通知"
        }
    }
}

pub struct YearColumn {
    pub year: String,
    pub report_id: i64,
    pub errors: i64,
    pub warnings: i64,
}

pub async fn agency(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    auth.require_region(&state, Some(id)).await?;
    let name = state.store.agency_name(id).await.map_err(|_| WebError::NotFound)?;
    let q = ReportQuery { scope: auth.user.scope(), agency_id: Some(id), sort: Some("year".into()), limit: 100, ..ReportQuery::default() };
    let (rows, _) = state.store.list_reports(&q).await?;
    let mut loaded = Vec::new();
    for r in &rows {
        loaded.push(load(&state, &auth, r.id).await?);
    }
    let years: Vec<YearColumn> = rows.iter().map(|r| YearColumn { year: opt(&r.year), report_id: r.id, errors: r.errors, warnings: r.warnings }).collect();
    // Key figures of each year, by the layout each report uses.
    let mut figures = Vec::new();
    let picks: [(&str, TableId, &str, usize); 8] = [
        ("本年新收申请（总计）", TableId::Applications, "new_received", 6),
        ("上年结转申请", TableId::Applications, "carried_over", 6),
        ("予以公开", TableId::Applications, "granted", 6),
        ("部分公开", TableId::Applications, "partially_granted", 6),
        ("办理结果总计", TableId::Applications, "total_processed", 6),
        ("结转下年度继续办理", TableId::Applications, "carried_forward", 6),
        ("行政复议（总计）", TableId::ReviewLitigation, "review", 4),
        ("未经复议直接起诉（总计）", TableId::ReviewLitigation, "litigation_direct", 4),
    ];
    for (label, t, row, col) in picks {
        let vals = loaded.iter().map(|l| l.report.table(t).value(row, col).map(|v| nianbao_model::json::number_value(Some(v)).to_string()).unwrap_or_else(|| "—".into())).collect();
        figures.push((label.to_string(), vals));
    }
    for (label, row) in [("行政许可 处理决定", "licensing"), ("行政处罚 处理决定", "penalty"), ("行政强制 处理决定", "coercion")] {
        let vals = loaded
            .iter()
            .map(|l| {
                let i = l.report.field_index(TableId::ActiveDisclosure, row, "decisions");
                i.and_then(|i| l.report.active_disclosure.value(row, i)).map(|v| nianbao_model::json::number_value(Some(v)).to_string()).unwrap_or_else(|| "—".into())
            })
            .collect();
        figures.push((label.to_string(), vals));
    }
    let mut cross_year = Vec::new();
    for l in &loaded {
        for f in l.findings.iter().filter(|f| f.kind == "cross_year" || f.rule.starts_with('Y')) {
            cross_year.push((opt(&l.detail.year), l.detail.id, f.clone()));
        }
    }
    let mut similarity = Vec::new();
    for pair in loaded.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let c = nianbao_store::compare::compare(&a.report, &b.report, &prose_of(&a.detail.prose_json), &prose_of(&b.detail.prose_json));
        for (_, heading, s, alike) in c.prose {
            similarity.push((opt(&a.detail.year), opt(&b.detail.year), heading, format!("{:.0}%", s * 100.0), alike));
        }
    }
    let letters = if auth.user.is_office() { state.store.letter_log(Some(id), 200).await? } else { Vec::new() };
    let page = AgencyPage { frame: Frame::of(&auth), id, name, years, figures, cross_year, similarity, letters };
    Ok(Html(page.render()?))
}

#[derive(Deserialize, Default)]
pub struct DashParams {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub region: Option<i64>,
}

/// The figures of a region and year, for the dashboard page and `/api/dashboard`.
#[derive(serde::Serialize)]
pub struct Dashboard {
    pub region: Option<String>,
    pub year: Option<i32>,
    pub years: Vec<i64>,
    pub agencies: usize,
    pub published: usize,
    pub late: usize,
    pub missing: usize,
    pub with_errors: usize,
    /// (agency id, agency, report id, published, errors, warnings, state)
    pub rows: Vec<DashRow>,
    pub by_rule: Vec<(String, String, i64, String)>,
    /// 表三 of the year summed, in the year's layout: (row label, seven sums).
    pub totals: Vec<(String, Vec<String>)>,
    pub layout_note: Option<String>,
    /// Set when `rows` shows only part of the agencies (a very large selection).
    pub rows_note: Option<String>,
    pub chart: serde_json::Value,
}

/// The most agencies listed one by one on the dashboard page; a larger selection (a whole
/// country) lists those with the most problems and says so.
pub const DASHBOARD_ROWS: usize = 500;

#[derive(serde::Serialize)]
pub struct DashRow {
    pub agency_id: i64,
    pub agency: String,
    pub report_id: Option<i64>,
    pub published: String,
    pub errors: i64,
    pub warnings: i64,
    pub state: &'static str,
}

/// A report on `year` is due by 31 January of the next year (《条例》第五十条).
pub fn is_late(year: i32, published: Option<&str>) -> bool {
    published.is_some_and(|p| p > format!("{}-01-31", year + 1).as_str())
}

pub async fn dashboard_data(state: &AppState, auth: &Auth, params: &DashParams) -> Result<Dashboard, WebError> {
    auth.require_office()?;
    // A reviewer sees its region; an administrator any region, or everything.
    let scope = crate::cycle::region_scope(state, auth, params.region).await?;
    let region = match scope {
        Some(id) => Some(state.store.agency_name(id).await.map_err(|_| WebError::NotFound)?),
        None => None,
    };
    let years = state.store.report_years(scope).await?;
    let year = params.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok()).or(years.first().map(|&y| y as i32));
    let mut d = Dashboard {
        region,
        year,
        years: years.clone(),
        agencies: 0,
        published: 0,
        late: 0,
        missing: 0,
        with_errors: 0,
        rows: vec![],
        by_rule: vec![],
        totals: vec![],
        layout_note: None,
        rows_note: None,
        chart: serde_json::Value::Null,
    };
    let Some(year) = year else { return Ok(d) };
    let list: Vec<AgencyYear> = state.store.agencies_in_year(scope, year).await?;
    // Every agency of the selection, as the status board lists them (without a region: every
    // agency), so that 未发布 counts exactly the board's 未提交 rows the tile opens.
    for a in list {
        d.agencies += 1;
        let state_zh = match (&a.report_id, is_late(year, a.published.as_deref())) {
            (None, _) => {
                d.missing += 1;
                "未发布"
            }
            (Some(_), true) => {
                d.published += 1;
                d.late += 1;
                "逾期发布"
            }
            (Some(_), false) => {
                d.published += 1;
                "已发布"
            }
        };
        if a.errors > 0 {
            d.with_errors += 1;
        }
        d.rows.push(DashRow { agency_id: a.agency_id, agency: a.agency, report_id: a.report_id, published: a.published.unwrap_or_default(), errors: a.errors, warnings: a.warnings, state: state_zh });
    }
    d.by_rule = state
        .store
        .findings_by_rule(scope, year)
        .await?
        .into_iter()
        .map(|(rule, sev, n)| {
            let title = nianbao_check::catalog::find(&rule).map(|m| m.title.to_string()).unwrap_or_default();
            (rule, severity_zh(&sev).to_string(), n, title)
        })
        .collect();
    // Roll-up of 表三 in the layout the year requires.
    let layout = Layout::required_for(year);
    // Every year's sums at once (cached by the store): this year's table and the trend.
    let all_years = state.store.cell_sums(scope, None, "applications").await?;
    let mut by_cell: HashMap<(String, i64), f64> = HashMap::new();
    let mut other_layout = false;
    for (_, l, row, col, v) in all_years.iter().filter(|s| s.0 == i64::from(year)) {
        if l == layout.as_str() {
            *by_cell.entry((row.clone(), *col)).or_default() += v;
        } else {
            other_layout = true;
        }
    }
    let fmt = |v: f64| nianbao_model::json::number_value(Some(v)).to_string();
    for def in layout::rows(TableId::Applications, layout) {
        let vals = (0..7).map(|c| by_cell.get(&(def.key.to_string(), c)).map(|v| fmt(*v)).unwrap_or_else(|| "0".into())).collect();
        d.totals.push((def.printed(), vals));
    }
    if other_layout {
        d.layout_note = Some(format!("部分报告未使用 {} 版格式，其表三数字未计入上表", layout.as_str()));
    }
    // Charts.
    let outcome: Vec<serde_json::Value> = layout::outcome_rows(layout)
        .iter()
        .filter(|r| r.key != "total_processed")
        .map(|r| serde_json::json!({ "name": r.printed(), "value": by_cell.get(&(r.key.to_string(), 6)).copied().unwrap_or(0.0) }))
        .collect();
    let applicants: Vec<serde_json::Value> = layout::APPLICANT_COLUMNS[..6]
        .iter()
        .enumerate()
        .map(|(c, f)| serde_json::json!({ "name": f.label, "value": by_cell.get(&("new_received".to_string(), c as i64)).copied().unwrap_or(0.0) }))
        .collect();
    let mut trend: std::collections::BTreeMap<i64, (f64, f64)> = std::collections::BTreeMap::new();
    for (y, _, row, col, v) in all_years {
        if col == 6 && y > 0 {
            let e = trend.entry(y).or_default();
            match row.as_str() {
                "new_received" => e.0 += v,
                "total_processed" => e.1 += v,
                _ => {}
            }
        }
    }
    let mut ranked: Vec<&DashRow> = d.rows.iter().filter(|r| r.errors + r.warnings > 0).collect();
    ranked.sort_by_key(|r| (std::cmp::Reverse(r.errors), std::cmp::Reverse(r.warnings)));
    ranked.truncate(15);
    d.chart = serde_json::json!({
        "outcome": outcome,
        "applicants": applicants,
        "trend": { "years": trend.keys().collect::<Vec<_>>(), "received": trend.values().map(|v| v.0).collect::<Vec<_>>(), "processed": trend.values().map(|v| v.1).collect::<Vec<_>>() },
        "ranked": { "ids": ranked.iter().rev().map(|r| r.agency_id).collect::<Vec<_>>(), "names": ranked.iter().rev().map(|r| r.agency.clone()).collect::<Vec<_>>(), "errors": ranked.iter().rev().map(|r| r.errors).collect::<Vec<_>>(), "warnings": ranked.iter().rev().map(|r| r.warnings).collect::<Vec<_>>() },
        "rules": { "names": d.by_rule.iter().map(|r| r.0.clone()).collect::<Vec<_>>(), "counts": d.by_rule.iter().map(|r| r.2).collect::<Vec<_>>() },
    });
    if d.rows.len() > DASHBOARD_ROWS {
        let all = d.rows.len();
        // Missing first, then by errors and warnings.
        d.rows.sort_by_key(|r| (r.report_id.is_some(), std::cmp::Reverse(r.errors), std::cmp::Reverse(r.warnings)));
        d.rows.truncate(DASHBOARD_ROWS);
        d.rows_note = Some(format!("共 {all} 个机关，此处只列出未发布和问题最多的 {DASHBOARD_ROWS} 个；请选择区域查看其全部机关，或导出 XLSX"));
    }
    Ok(d)
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub frame: Frame,
    pub d: Dashboard,
    pub year: String,
    pub chart: String,
    pub regions: Vec<(i64, String)>,
    pub region_id: Option<i64>,
    /// (who, deadline, days left) of the year's reports.
    pub countdown: Vec<(String, String, i64)>,
}

impl DashboardPage {
    pub fn is_region(&self, id: &i64) -> bool {
        self.region_id == Some(*id)
    }
    /// The query string of the year and region shown, for links into the lists.
    pub fn here(&self) -> String {
        let mut pairs = vec![("year", self.year.clone())];
        if let Some(r) = self.region_id {
            pairs.push(("region", r.to_string()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

pub async fn dashboard(State(state): State<AppState>, auth: Auth, Query(params): Query<DashParams>) -> Result<Html<String>, WebError> {
    let d = dashboard_data(&state, &auth, &params).await?;
    // Regions to choose from: agencies that have agencies under them, within the user's region.
    let regions = state.store.parent_agencies(auth.user.scope()).await?;
    let page = DashboardPage {
        frame: Frame::of(&auth),
        year: opt(&d.year),
        chart: d.chart.to_string(),
        regions,
        region_id: params.region.or(auth.user.scope()),
        countdown: d.year.map(crate::cycle::countdown).unwrap_or_default(),
        d,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize, Default)]
pub struct ExportParams {
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub agency: Option<i64>,
}

/// The XLSX or CSV of the selection (an agency, or the user's region), for one year or all.
pub async fn export(State(state): State<AppState>, auth: Auth, Query(p): Query<ExportParams>) -> Result<Response, WebError> {
    auth.require_office()?;
    use nianbao_store::export::{ExportFormat, Filter};
    let format = match p.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => ExportFormat::Xlsx,
        "csv" => ExportFormat::Csv,
        other => return Err(WebError::BadRequest(format!("不支持的导出格式“{other}”（可用 xlsx、csv）"))),
    };
    let year = p.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok());
    let mut filter = Filter { year, ..Filter::default() };
    if let Some(a) = p.agency {
        auth.require_region(&state, Some(a)).await?;
        filter.agency = Some(state.store.agency_name(a).await.map_err(|_| WebError::NotFound)?);
    } else if let Some(region) = auth.user.scope() {
        // A reviewer exports its region: the region's own report and its departments'.
        filter.parent = Some(state.store.agency_name(region).await.map_err(|_| WebError::Forbidden)?);
    }
    let ext = if format == ExportFormat::Xlsx { "xlsx" } else { "csv" };
    let dir = std::env::temp_dir().join(format!("nianbao-export-{}", crate::auth::random_token()));
    std::fs::create_dir_all(&dir).map_err(|e| WebError::Internal(format!("无法创建临时目录：{e}")))?;
    let out = dir.join(format!("export.{ext}"));
    // The export's future is not Send (the XLSX writer): it runs on a blocking thread.
    let (store, out2) = (state.store.clone(), out.clone());
    let result = tokio::task::spawn_blocking(move || nianbao_store::block_on(async move { store.export(&filter, format, &out2).await }))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let bytes = result
        .and_then(|r| r)
        .map_err(WebError::from).and_then(|_| std::fs::read(&out).map_err(|e| WebError::Internal(format!("无法读取导出文件：{e}"))));
    let _ = std::fs::remove_dir_all(&dir);
    let bytes = bytes?;
    let name = format!("nianbao-{}.{ext}", year.map(|y| y.to_string()).unwrap_or_else(|| "全部年度".into()));
    let mime = if ext == "xlsx" { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" } else { "text/csv; charset=utf-8" };
    let disposition = format!("attachment; filename=\"nianbao.{ext}\"; filename*=UTF-8''{}", crate::auth::url_encode(&name));
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
