//! `nianbao-gen`: writes a realistic test corpus — many agencies × years of annual reports in
//! the official layouts, with numbers that satisfy every relation of the format (and carry over
//! from year to year), prose written from the numbers, and, on request, one injected defect per
//! report recorded in `truth.csv`. Also writes `agencies.csv` (name,parent) for
//! `nianbao agency import`. Streams to disk: memory does not grow with the corpus.
//!
//! Usage: `nianbao-gen --agencies N --years 2019..2024 --out DIR [--defects 0.1] [--seed S]
//! [--formats txt,html]` (with html, every other report is written as a web page).

use nianbao_model::layout::{self, Layout};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// A small deterministic PRNG (xorshift64*): the same seed gives the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1e6 < p
    }
    fn small(&mut self, max: u64) -> u64 {
        // Mostly zeros and small counts, like real tables.
        if self.chance(0.6) {
            0
        } else {
            1 + self.below(max)
        }
    }
}

const PLACES: &[&str] = &["东阿", "平阴", "莘县", "阳谷", "茌平", "冠县", "高唐", "临清", "桓台", "沂源", "博兴", "邹平", "惠民", "阳信", "无棣", "乐陵"];
const DEPARTMENTS: &[&str] = &["应急管理局", "统计局", "民政局", "财政局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "市场监督管理局", "医疗保障局", "人民政府办公室"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Defect {
    RowTotal,
    ProseCount,
    CarryOver,
    SectionSix,
    Late,
}

impl Defect {
    fn describe(self) -> &'static str {
        match self {
            Defect::RowTotal => "表三新收行总计列多 1",
            Defect::ProseCount => "正文所述收到申请数比表三多 2",
            Defect::CarryOver => "上年结转比上年结转下年度多 1",
            Defect::SectionSix => "第六部分改名为下一步工作打算",
            Defect::Late => "部门报告于次年 2 月发布",
        }
    }
    fn rule(self) -> &'static str {
        match self {
            Defect::RowTotal => "A303",
            Defect::ProseCount => "N001",
            Defect::CarryOver => "Y001",
            Defect::SectionSix => "S001",
            Defect::Late => "T001",
        }
    }
}

/// One report's numbers.
struct Tables {
    t2: Vec<(&'static str, Vec<f64>)>,
    t3: Vec<(&'static str, [u64; 7])>,
    t4: [u64; 15],
}

fn tables(rng: &mut Rng, l: Layout, carried: [u64; 6]) -> Tables {
    let rows = layout::applications_rows(l);
    let mut t3: Vec<(&'static str, [u64; 7])> = rows.iter().map(|r| (r.key, [0u64; 7])).collect();
    let idx = |k: &str| rows.iter().position(|r| r.key == k).unwrap_or(0);
    let outcomes = layout::outcome_rows(l);
    for c in 0..6 {
        let weight = if c == 0 { 6 } else { 1 };
        for o in outcomes {
            let v = if matches!(o.key, "granted" | "unavailable_not_held" | "partially_granted" | "other_other" | "other") { rng.small(weight) } else if rng.chance(0.1) { rng.small(1) } else { 0 };
            t3[idx(o.key)].1[c] = v;
        }
        let total: u64 = outcomes.iter().map(|o| t3[idx(o.key)].1[c]).sum();
        let forward = if rng.chance(0.2) { rng.small(2) } else { 0 };
        // 新收 + 上年结转 = 总计 + 结转: make 新收 fit, raising 予以公开 when needed.
        let mut total = total;
        if total + forward < carried[c] {
            t3[idx("granted")].1[c] += carried[c] - total - forward;
            total = carried[c] - forward;
        }
        t3[idx("total_processed")].1[c] = total;
        t3[idx("carried_forward")].1[c] = forward;
        t3[idx("carried_over")].1[c] = carried[c];
        t3[idx("new_received")].1[c] = total + forward - carried[c];
    }
    for row in t3.iter_mut() {
        row.1[6] = row.1[..6].iter().sum();
    }
    let mut t4 = [0u64; 15];
    if rng.chance(0.15) {
        for g in 0..3 {
            for c in 0..4 {
                t4[g * 5 + c] = if rng.chance(0.3) { rng.below(3) } else { 0 };
            }
            t4[g * 5 + 4] = t4[g * 5..g * 5 + 4].iter().sum();
        }
    }
    let t2 = layout::active_disclosure_rows(l)
        .iter()
        .map(|d| {
            let v = d
                .fields
                .iter()
                .map(|f| match (d.key, f.key) {
                    ("rules", _) => 0.0,
                    (_, "amount_wan_yuan") | (_, "amount") => (rng.below(100_000) as f64) / 100.0,
                    (_, "in_force") | (_, "total_published") => (5 + rng.below(40)) as f64,
                    (_, "change") => 0.0,
                    _ => rng.below(if d.key == "licensing" || d.key == "penalty" { 500 } else { 5 }) as f64,
                })
                .collect();
            (d.key, v)
        })
        .collect();
    Tables { t2, t3, t4 }
}

fn value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// The report as text, tables as pipe rows (the way pages are copied).
fn render(agency: &str, year: i32, l: Layout, t: &Tables, defect: Option<Defect>, published: &str) -> String {
    let app = |k: &str| t.t3.iter().find(|r| r.0 == k).map(|r| r.1).unwrap_or([0; 7]);
    let sum = |prefix: &str| t.t3.iter().filter(|r| r.0.starts_with(prefix)).map(|r| r.1[6]).sum::<u64>();
    let new = app("new_received")[6];
    let said = if defect == Some(Defect::ProseCount) { new + 2 } else { new };
    let mut s = format!("{agency}{year}年政府信息公开工作年度报告\n");
    let _ = writeln!(s, "本报告所列数据统计期限为{year}年1月1日至{year}年12月31日。");
    let _ = writeln!(s, "一、总体情况");
    let _ = writeln!(s, "(一)主动公开方面。{year}年，{agency}坚持以公开为常态、不公开为例外，及时公开机构职能、政策文件和重点领域信息，主动公开政府信息{}条。", 100 + year % 7 * 13);
    let _ = writeln!(
        s,
        "(二)依申请公开方面。{year}年，共收到政府信息公开申请{said}件，办结{}件，其中予以公开{}件，无法提供{}件。",
        app("total_processed")[6],
        app("granted")[6],
        sum("unavailable_")
    );
    let _ = writeln!(s, "(三)政府信息管理方面。落实公开属性源头认定和保密审查制度，动态更新主动公开目录。");
    let _ = writeln!(s, "(四)政府信息公开平台建设方面。加强政府网站和政务新媒体管理，规范信息发布。");
    let _ = writeln!(s, "(五)监督保障方面。调整政务公开领导小组，将政务公开纳入年度考核，开展业务培训。");
    let _ = writeln!(s, "二、主动公开政府信息情况");
    let mut last_item = "";
    for d in layout::active_disclosure_rows(l) {
        let item = d.article_item.unwrap_or("");
        if item != last_item {
            let _ = writeln!(s, "{} | |||", item.replace('（', "(").replace('）', ")"));
            let heads: Vec<&str> = d.fields.iter().map(|f| f.label).collect();
            let _ = writeln!(s, "信息内容 | {} |", heads.join(" | ").replace('（', "(").replace('）', ")").replace('：', ":"));
            last_item = item;
        }
        let vals: Vec<String> = t.t2.iter().find(|r| r.0 == d.key).map(|r| r.1.iter().map(|v| value(*v)).collect()).unwrap_or_default();
        let _ = writeln!(s, "{} | {} |", d.label, vals.join(" | "));
    }
    let _ = writeln!(s, "三、收到和处理政府信息公开申请情况");
    let _ = writeln!(s, "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 | ||||||||");
    let _ = writeln!(s, "自然人 | 法人或其他组织 | 总计 | |||||||");
    let _ = writeln!(s, "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |||||");
    let mut last_group = None;
    for (k, d) in layout::applications_rows(l).iter().enumerate() {
        let mut cells: Vec<String> = Vec::new();
        if d.group != last_group {
            if let Some(g) = d.group {
                if d.number.starts_with(|c: char| c.is_ascii_digit()) {
                    cells.push(g.replace('（', "(").replace('）', ")"));
                } else if k == 2 {
                    cells.push(g.to_string());
                }
            }
            last_group = d.group;
        }
        cells.push(d.printed().replace('（', "(").replace('）', ")").replace('，', ","));
        let mut v = t.t3[k].1;
        if defect == Some(Defect::RowTotal) && d.key == "new_received" {
            v[6] += 1;
        }
        cells.extend(v.iter().map(|x| x.to_string()));
        let _ = writeln!(s, "{} |", cells.join(" | "));
    }
    let _ = writeln!(s, "四、政府信息公开行政复议、行政诉讼情况");
    let _ = writeln!(s, "行政复议 | 行政诉讼 | |||||||||||||");
    let _ = writeln!(s, "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 | ||||||||");
    let _ = writeln!(s, "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | |||||");
    let _ = writeln!(s, "{} |", t.t4.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(s, "五、存在的主要问题及改进情况");
    let _ = writeln!(s, "主要问题：{agency}政策解读形式还不够丰富，信息公开的及时性有待提高。改进措施：下一步将加强业务培训，完善工作机制，提升公开质量。");
    let six = if defect == Some(Defect::SectionSix) { "六、下一步工作打算" } else { "六、其他需要报告的事项" };
    let _ = writeln!(s, "{six}");
    let _ = writeln!(s, "本机关{year}年度未收取政府信息公开信息处理费。");
    let _ = writeln!(s, "{agency}");
    let _ = writeln!(s, "{published}");
    s
}

/// The same report as an HTML page: prose in paragraphs, each run of table rows a `<table>`.
fn to_html(title: &str, text: &str) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut out = format!("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<div class=\"nav\">首页 &gt; 政务公开 &gt; 年度报告</div>\n", esc(title));
    let mut in_table = false;
    for line in text.lines() {
        if line.contains('|') {
            if !in_table {
                out.push_str("<table border=\"1\">\n");
                in_table = true;
            }
            let cells: Vec<&str> = line.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
            out.push_str("<tr>");
            for c in cells {
                let _ = write!(out, "<td>{}</td>", esc(c));
            }
            out.push_str("</tr>\n");
        } else {
            if in_table {
                out.push_str("</table>\n");
                in_table = false;
            }
            let _ = writeln!(out, "<p>{}</p>", esc(line));
        }
    }
    if in_table {
        out.push_str("</table>\n");
    }
    out.push_str("<div class=\"footer\">主办：县人民政府办公室</div></body></html>\n");
    out
}

const HELP: &str = "生成测试用的年报语料：若干机关 × 若干年度的年度报告（按官方格式，数字满足全部勾稽关系并逐年衔接），
另写 agencies.csv（机关隶属关系，供 nianbao agency import）和 truth.csv（注入的问题及其规则）。

用法：nianbao-gen [选项]

选项：
      --agencies <数量>     机关数（每 16 个为一个县：县政府及其 15 个部门）（默认：100）
      --years <起..止>      年度范围，如 2019..2024（默认：2019..2024）
      --out <目录>          输出目录（默认：corpus）
      --defects <比例>      注入一个问题的报告所占比例，0 到 1（默认：0）
      --seed <数>           随机种子：相同种子生成相同语料（默认：1）
      --formats <格式>      txt 或 txt,html（html：每隔一份报告写成网页）（默认：txt）
  -h, --help                显示帮助
  -V, --version             显示版本号
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return;
    }
    if args.iter().any(|a| a == "-V" || a == "--version") {
        println!("nianbao-gen {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    let mut agencies = 100usize;
    let (mut from, mut to) = (2019, 2024);
    let mut out = PathBuf::from("corpus");
    let mut defects = 0.0;
    let mut seed = 1u64;
    let mut html = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--agencies" => agencies = v.parse().unwrap_or(agencies),
            "--years" => {
                if let Some((a, b)) = v.split_once("..") {
                    from = a.parse().unwrap_or(from);
                    to = b.parse().unwrap_or(to);
                }
            }
            "--out" => out = PathBuf::from(v),
            "--defects" => defects = v.parse().unwrap_or(0.0),
            "--seed" => seed = v.parse().unwrap_or(1),
            // Every other report as an HTML page ("txt,html"), or only text ("txt").
            "--formats" => html = v.split(',').any(|f| f.trim() == "html"),
            other => {
                eprintln!("错误：未知参数 {other}。用法：nianbao-gen --agencies N --years 2019..2024 --out 目录 [--defects 0.1] [--seed S]；更多信息请用 --help");
                std::process::exit(2);
            }
        }
    }
    let start = Instant::now();
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("错误：无法创建目录 {}：{e}", out.display());
        std::process::exit(2);
    }
    let open = |name: &str| std::fs::File::create(out.join(name)).map(std::io::BufWriter::new);
    let (Ok(mut tree), Ok(mut truth)) = (open("agencies.csv"), open("truth.csv")) else {
        eprintln!("错误：无法写入 {}", out.display());
        std::process::exit(2);
    };
    let _ = writeln!(tree, "name,parent");
    let _ = writeln!(truth, "file,year,rule,description");
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (mut files, mut bytes) = (0usize, 0u64);
    for a in 0..agencies {
        // Sixteen agencies per county: the government itself and fifteen departments.
        let county = a / DEPARTMENTS.len();
        let place = format!("{}{}县", PLACES[county % PLACES.len()], county / PLACES.len() + 1);
        let government = format!("{place}人民政府");
        let dept = DEPARTMENTS[a % DEPARTMENTS.len()];
        let name = if a % DEPARTMENTS.len() == 0 { government.clone() } else { format!("{place}{dept}") };
        let _ = writeln!(tree, "{name},{}", if name == government { "" } else { government.as_str() });
        let dir = out.join(format!("{:03}", a / 1000));
        let _ = std::fs::create_dir_all(&dir);
        let mut carried = [0u64; 6];
        for year in from..=to {
            let l = Layout::required_for(year);
            let defect = rng.chance(defects).then(|| match rng.below(5) {
                0 => Defect::RowTotal,
                1 => Defect::ProseCount,
                2 if year > from => Defect::CarryOver,
                3 => Defect::SectionSix,
                _ if name != government => Defect::Late,
                _ => Defect::RowTotal,
            });
            let mut t = tables(&mut rng, l, carried);
            let next_carried: [u64; 6] = {
                let f = t.t3.iter().find(|r| r.0 == "carried_forward").map(|r| r.1).unwrap_or([0; 7]);
                [f[0], f[1], f[2], f[3], f[4], f[5]]
            };
            if defect == Some(Defect::CarryOver) {
                // One more carried over than last year carried forward, handled and granted this
                // year: every relation inside the report still holds, only the continuity breaks.
                for key in ["carried_over", "granted", "total_processed"] {
                    if let Some(row) = t.t3.iter_mut().find(|r| r.0 == key) {
                        row.1[0] += 1;
                        row.1[6] += 1;
                    }
                }
            }
            let day = 10 + rng.below(18);
            let published = if defect == Some(Defect::Late) { format!("{}年2月{}日", year + 1, day) } else { format!("{}年1月{}日", year + 1, day) };
            let text = render(&name, year, l, &t, defect, &published);
            let as_html = html && (a + year as usize) % 2 == 1;
            let (text, ext) = if as_html { (to_html(&format!("{name}{year}年政府信息公开工作年度报告"), &text), "html") } else { (text, "txt") };
            let file = dir.join(format!("{a:06}_{year}.{ext}"));
            if std::fs::write(&file, &text).is_err() {
                eprintln!("错误：无法写入 {}", file.display());
                std::process::exit(2);
            }
            files += 1;
            bytes += text.len() as u64;
            if let Some(d) = defect {
                // A carry-over defect only shows when the defect could be placed.
                let _ = writeln!(truth, "{},{year},{},{}", file.display(), d.rule(), d.describe());
            }
            carried = next_carried;
        }
    }
    let _ = tree.flush();
    let _ = truth.flush();
    println!("写入 {files} 份报告（{agencies} 个机关 × {} 年），{:.1} MB，用时 {:.1} 秒 → {}", to - from + 1, bytes as f64 / 1e6, start.elapsed().as_secs_f64(), out.display());
}
