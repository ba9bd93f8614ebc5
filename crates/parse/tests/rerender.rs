//! Property: a report's tables rendered the way real pipelines flatten them — pipe rows, cells
//! apart by spaces, a whole page on one line, separators lost so that digits run together —
//! read back to the truth or to nulls, never to another number.
//!
//! The tables are random (counts that satisfy the statutory arithmetic, as published reports
//! mostly do, and some that do not), the labels and order are the official layout's, and the
//! prose around them is a fixed minimal report. A wrong number found here is a reader bug.

use nianbao_model::layout::{self, Layout};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// The values of one report: 表二 rows, 表三 rows of seven, 表四 fifteen.
#[derive(Debug, Clone)]
struct Tables {
    layout: Layout,
    active: Vec<Vec<u32>>,
    applications: Vec<[u32; 7]>,
    review: [u32; 15],
}

fn row_of_seven(parts: [u32; 6]) -> [u32; 7] {
    let mut r = [0; 7];
    r[..6].copy_from_slice(&parts);
    r[6] = parts.iter().sum();
    r
}

/// Small counts, mostly zero, as in real reports.
fn count() -> impl Strategy<Value = u32> {
    prop_oneof![6 => Just(0u32), 3 => 1u32..10, 1 => 10u32..300]
}

fn tables() -> impl Strategy<Value = Tables> {
    let layout = prop_oneof![Just(Layout::L2021), Just(Layout::L2019)];
    layout.prop_flat_map(|layout| {
        let rows = layout::applications_rows(layout).len();
        let outcome = layout::outcome_rows(layout).len();
        let active: Vec<usize> = layout::active_disclosure_rows(layout).iter().map(|r| r.fields.len()).collect();
        (
            Just(layout),
            active.into_iter().map(|n| proptest::collection::vec(count(), n)).collect::<Vec<_>>(),
            proptest::collection::vec(proptest::array::uniform6(count()), outcome),
            proptest::array::uniform6(count()),
            proptest::array::uniform4(count()),
            proptest::array::uniform4(count()),
            proptest::array::uniform4(count()),
            Just(rows),
        )
            .prop_map(|(layout, active, outcomes, forward, r1, r2, r3, _rows)| {
                // Outcomes, their 总计, what is carried forward, and the 新收 + 上年结转 that
                // balance them in every column.
                let outcome_rows: Vec<[u32; 7]> = outcomes.iter().map(|p| row_of_seven(*p)).collect();
                let mut total = [0u32; 6];
                for p in &outcomes {
                    for c in 0..6 {
                        total[c] += p[c];
                    }
                }
                let total_row = row_of_seven(total);
                let forward_row = row_of_seven(forward);
                let carried: [u32; 6] = std::array::from_fn(|c| (total[c] + forward[c]).min(forward[c]));
                let new: [u32; 6] = std::array::from_fn(|c| total[c] + forward[c] - carried[c]);
                let mut applications = vec![row_of_seven(new), row_of_seven(carried)];
                applications.extend(outcome_rows);
                applications.push(total_row);
                applications.push(forward_row);
                let group = |g: [u32; 4]| [g[0], g[1], g[2], g[3], g.iter().sum()];
                let (a, b, c) = (group(r1), group(r2), group(r3));
                let review: [u32; 15] = std::array::from_fn(|i| [a, b, c][i / 5][i % 5]);
                Tables { layout, active, applications, review }
            })
    })
}

/// The ways a table reaches us.
#[derive(Debug, Clone, Copy)]
enum Rendering {
    /// `label | 1 | 2 |` rows (copied text, Markdown).
    Pipes,
    /// Cells apart by spaces (a terminal dump, `pandoc -t plain`).
    Spaces,
    /// The page's text content on one line, cells apart by a space.
    OneLine,
    /// A crawler's dump: one line, separators lost, neighbouring digits run together.
    Tight,
}

fn render(t: &Tables, how: Rendering) -> String {
    let year = if t.layout == Layout::L2021 { 2023 } else { 2020 };
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let cell = |v: &u32| v.to_string();
    rows.push((format!("某县统计局{year}年政府信息公开工作年度报告"), vec![]));
    rows.push(("一、总体情况".into(), vec![]));
    rows.push((format!("{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。"), vec![]));
    rows.push(("二、主动公开政府信息情况".into(), vec![]));
    let active = layout::active_disclosure_rows(t.layout);
    let mut item = "";
    for (def, vals) in active.iter().zip(&t.active) {
        if def.article_item != Some(item) {
            item = def.article_item.unwrap_or("");
            rows.push((item.to_string(), vec![]));
            let mut head = vec!["信息内容".to_string()];
            head.extend(def.fields.iter().map(|f| f.label.to_string()));
            rows.push((head.join(" | "), vec![]));
        }
        rows.push((def.label.to_string(), vals.iter().map(cell).collect()));
    }
    rows.push(("三、收到和处理政府信息公开申请情况".into(), vec![]));
    rows.push(("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况".into(), vec![]));
    rows.push(("自然人 | 法人或其他组织 | 总计".into(), vec![]));
    rows.push(("商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他".into(), vec![]));
    let mut group = None;
    for (def, vals) in layout::applications_rows(t.layout).iter().zip(&t.applications) {
        let mut label = String::new();
        if def.group != group {
            group = def.group;
            if let Some(g) = def.group {
                label.push_str(g);
                label.push_str(" | ");
            }
        }
        label.push_str(&def.printed());
        rows.push((label, vals.iter().map(cell).collect()));
    }
    rows.push(("四、政府信息公开行政复议、行政诉讼情况".into(), vec![]));
    rows.push(("行政复议 | 行政诉讼".into(), vec![]));
    rows.push(("结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉".into(), vec![]));
    rows.push(("结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计".into(), vec![]));
    rows.push((String::new(), t.review.iter().map(cell).collect()));
    rows.push(("五、存在的主要问题及改进情况".into(), vec![]));
    rows.push(("信息公开的及时性有待提高。".into(), vec![]));
    rows.push(("六、其他需要报告的事项".into(), vec![]));
    rows.push(("本机关未收取信息处理费。".into(), vec![]));
    rows.push(("某县统计局".into(), vec![]));
    rows.push((format!("{}年1月20日", year + 1), vec![]));
    let lines: Vec<String> = rows
        .into_iter()
        .map(|(label, values)| {
            let mut cells: Vec<String> = if label.is_empty() { vec![] } else { label.split(" | ").map(str::to_string).collect() };
            cells.extend(values);
            match how {
                Rendering::Pipes => cells.join(" | "),
                _ => cells.join(" "),
            }
        })
        .collect();
    match how {
        Rendering::Pipes | Rendering::Spaces => lines.join("\n") + "\n",
        Rendering::OneLine => lines.join(" ") + "\n",
        Rendering::Tight => {
            let joined = lines.join(" ");
            // Separators between two digits vanish.
            let chars: Vec<char> = joined.chars().collect();
            let mut out = String::new();
            for (i, &c) in chars.iter().enumerate() {
                if c == ' ' && i > 0 && i + 1 < chars.len() && chars[i - 1].is_ascii_digit() && chars[i + 1].is_ascii_digit() {
                    continue;
                }
                out.push(c);
            }
            out + "\n"
        }
    }
}

/// Every cell read is the truth or null; returns the share read.
fn truth_or_null(t: &Tables, how: Rendering) -> Result<f64, String> {
    let text = render(t, how);
    let doc = nianbao_parse::parse_bytes("随机报告.txt", text.as_bytes()).map_err(|e| format!("{e}\n{text}"))?;
    let report = &doc.reports.first().ok_or("no report")?.report;
    let (mut read, mut all) = (0usize, 0usize);
    let mut check = |what: String, got: Option<f64>, want: u32| -> Result<(), String> {
        all += 1;
        match got {
            None => Ok(()),
            Some(v) if (v - want as f64).abs() < 1e-9 => {
                read += 1;
                Ok(())
            }
            Some(v) => Err(format!("{what}: read {v}, truth {want} ({how:?})\n{text}")),
        }
    };
    for (def, vals) in layout::active_disclosure_rows(t.layout).iter().zip(&t.active) {
        for (i, v) in vals.iter().enumerate() {
            check(format!("表二 {} [{i}]", def.key), report.active_disclosure.value(def.key, i), *v)?;
        }
    }
    for (def, vals) in layout::applications_rows(t.layout).iter().zip(&t.applications) {
        for (i, v) in vals.iter().enumerate() {
            check(format!("表三 {} [{i}]", def.key), report.applications.value(def.key, i), *v)?;
        }
    }
    for (g, def) in layout::REVIEW_LITIGATION.iter().enumerate() {
        for i in 0..5 {
            check(format!("表四 {} [{i}]", def.key), report.review_litigation.value(def.key, i), t.review[g * 5 + i])?;
        }
    }
    Ok(read as f64 / all.max(1) as f64)
}

proptest! {
    // PROPTEST_CASES=5000 for a longer hunt; the suite runs 96.
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96), ..ProptestConfig::default() })]

    #[test]
    fn rerendered_tables_read_back_to_the_truth_or_to_nulls(t in tables()) {
        for how in [Rendering::Pipes, Rendering::Spaces, Rendering::OneLine, Rendering::Tight] {
            if let Err(e) = truth_or_null(&t, how) {
                return Err(TestCaseError::fail(e));
            }
        }
    }
}

/// The renderings with separators are read whole, not just safely.
#[test]
fn renderings_with_separators_read_every_cell() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..24 {
        let t = tables().new_tree(&mut runner).expect("strategy").current();
        for how in [Rendering::Pipes, Rendering::Spaces, Rendering::OneLine] {
            let share = truth_or_null(&t, how).expect("truth or null");
            assert!(share > 0.999, "{how:?} read {:.1}% of\n{}", share * 100.0, render(&t, how));
        }
    }
}

/// 表二's digits run together are read by the counts the prose states, when exactly one split
/// agrees with them; without such counts the row is null.
#[test]
fn run_together_document_counts_are_read_by_the_prose() {
    let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/seeds/003_5726aaf970dd957d.txt")).expect("seed");
    let row = "行政规范性文件 | 3 | 6 | 8 |";
    assert!(seed.contains(row));
    let run = seed.replacen(row, "行政规范性文件 | 123105 |", 1);
    let stated = run.replacen("一、总体情况\n", "一、总体情况\n本年制发行政规范性文件12件，现行有效规范性文件105件。\n", 1);
    let read = |text: &str| {
        let doc = nianbao_parse::parse_bytes("表二.txt", text.as_bytes()).expect("parses");
        doc.reports[0].report.active_disclosure.row("normative_documents").map(|r| r.cells.iter().map(|c| (c.value, c.how)).collect::<Vec<_>>())
    };
    let with_prose = read(&stated).expect("row");
    assert_eq!(with_prose.iter().map(|c| c.0).collect::<Vec<_>>(), vec![Some(12.0), Some(3.0), Some(105.0)]);
    assert!(with_prose.iter().all(|c| c.1 == nianbao_model::ReadHow::Prose));
    let without = read(&run).expect("row");
    assert!(without.iter().all(|c| c.0.is_none()), "{without:?}");
}

/// A PDF wraps a centred title and a long sentence onto the next line; the reader joins them, so
/// the checker does not call a correct title or period missing (S006/S007).
#[test]
fn wrapped_title_and_period_sentence_are_joined() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/seeds/");
    let seed = std::fs::read_to_string(format!("{dir}003_5726aaf970dd957d.txt")).expect("seed");
    let wrapped = seed.replacen("太原市小店区人民政府2023年政府信息公开工作年度报告\n", "太原市小店区人民政府2023年政府信息公开工作年度报\n告\n", 1);
    let doc = nianbao_parse::parse_bytes("wrapped.txt", wrapped.as_bytes()).expect("parses");
    let title = doc.reports[0].title.as_ref().map(|t| t.value.clone());
    assert_eq!(title.as_deref(), Some("太原市小店区人民政府2023年政府信息公开工作年度报告"));
    let seed = std::fs::read_to_string(format!("{dir}000_f1bcb5344c0ff0ec.txt")).expect("seed");
    let wrapped = seed.replacen("统计期限为2023年1月1日至2023", "统计期限为2023年1月1日至2023\n", 1);
    let doc = nianbao_parse::parse_bytes("wrapped.txt", wrapped.as_bytes()).expect("parses");
    let period = doc.reports[0].period.as_ref().map(|p| p.value.clone());
    assert_eq!(period, Some(("2023-01-01".to_string(), "2023-12-31".to_string())));
}
