//! Stage 1 for Word files (.docx): paragraphs and tables straight from the package.

use crate::error::ParseError;
use crate::Extracted;

pub fn extract(file: &str, _bytes: &[u8]) -> Result<Extracted, ParseError> {
    Err(ParseError::Unsupported { file: file.into(), format: "Word（DOCX）", hint: "当前版本尚不能读取 Word 文件，请先另存为文本或网页" })
}
