//! Why a file could not be read. Messages are in Chinese: they are shown to users as they are.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ParseError {
    #[error("{file}：无法读取文件（{reason}）")]
    Io { file: String, reason: String },
    #[error("{file}：文件为空")]
    Empty { file: String },
    #[error("{file}：二进制文件，无法识别为年度报告（第 {offset} 字节处起不是文本）")]
    Binary { file: String, offset: usize },
    #[error("{file}：这是 {format} 文件，{hint}")]
    Unsupported { file: String, format: &'static str, hint: &'static str },
    #[error("{file}：文件已损坏或不是{format}（{reason}）")]
    Corrupt { file: String, format: &'static str, reason: String },
    /// An Excel workbook that is not a filled form of `nianbao template` (or one whose tables
    /// were redrawn); `reason` names the sheet and cell.
    #[error("{file}：不是有效的年度报告填报表：{reason}")]
    Form { file: String, reason: String },
    #[error("{file}：未找到政府信息公开工作年度报告（没有找到{missing}）")]
    NoReport { file: String, missing: String },
    /// A bound of [`crate::limits::Limits`] was exceeded; `what` names the limit
    /// (`解压后超过 32 MB 上限`).
    #[error("{file}：{what}，已停止读取")]
    Limit { file: String, what: String },
}

impl ParseError {
    /// The process exit status the command line uses for this error.
    pub fn exit_code(&self) -> i32 {
        2
    }
}
