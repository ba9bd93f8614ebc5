//! `nianbao template` and `nianbao render`: the fill-in form and the finished report.

use clap::ValueEnum;
use nianbao_write::{input, Format};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RenderFormat {
    Docx,
    Html,
    Md,
}

pub fn template(year: i32, agency: Option<String>, from: Option<PathBuf>, out: &Path) -> ExitCode {
    if !(2019..=2100).contains(&year) {
        eprintln!("错误：年度 {year} 不在支持范围内（2019 年及以后，按 2019 年版或 2021 年版格式）");
        return ExitCode::from(2);
    }
    match input::template(year, agency, from.as_deref(), out) {
        Ok(notes) => {
            for n in notes {
                eprintln!("{n}");
            }
            let layout = nianbao_model::Layout::required_for(year);
            eprintln!("已生成 {year} 年度填报表（{} 年版格式）：{}", layout.as_str(), out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }
    }
}

pub fn render(file: &Path, format: RenderFormat, out: &Path, year: Option<i32>, force: bool, draft: bool) -> ExitCode {
    let format = match format {
        RenderFormat::Docx => Format::Docx,
        RenderFormat::Html => Format::Html,
        RenderFormat::Md => Format::Md,
    };
    let r = match input::render_file_with(file, year, format, out, force, draft) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    if !r.lint.rules.is_empty() || r.lint.mismatch.is_some() {
        eprint!("{}", r.lint.text);
    }
    for (gap, place) in &r.gaps {
        let level = if draft { "提示" } else { "错误" };
        eprintln!("{level}：{place}：{}", gap.message);
    }
    if !r.gaps.is_empty() && !draft {
        eprintln!(
            "错误：报告有 {} 处未填写，未生成 {}（每一部分须由本机关如实撰写；生成标出空缺的草稿请加 --draft）",
            r.gaps.len(),
            out.display()
        );
        return ExitCode::from(1);
    }
    if !r.written {
        eprintln!("错误：检查发现 {} 个错误，未生成 {}（确需生成请加 --force）", r.lint.errors.max(1), out.display());
        return ExitCode::from(1);
    }
    if !r.gaps.is_empty() {
        eprintln!("已生成草稿 {}：{} 处未填写的内容以【请填写：…】醒目标出，填写后再生成正式报告", out.display(), r.gaps.len());
    } else if r.lint.has_errors() {
        eprintln!("警告：报告有 {} 个错误，因 --force 仍已生成：{}", r.lint.errors, out.display());
    } else {
        eprintln!("已生成 {}（{} 个警告）", out.display(), r.lint.warnings);
    }
    ExitCode::SUCCESS
}
