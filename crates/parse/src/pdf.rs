//! Stage 1 for PDF files: text and table grids rebuilt from glyph positions.

use crate::error::ParseError;
use crate::Extracted;

pub fn extract(file: &str, _bytes: &[u8]) -> Result<Extracted, ParseError> {
    Err(ParseError::Unsupported { file: file.into(), format: "PDF", hint: "当前版本尚不能读取 PDF，请先另存为文本或网页" })
}
