//! Stage 1b for web pages: the DOM (html5ever, through `scraper`) → blocks. Data tables become
//! rows with their cells in place (blank cells kept, so columns are known); layout tables (a
//! table holding tables) are read as flow. html5ever gives no source positions, so each text
//! node is found again in the page source by a forward search.

use crate::blocks::Block;
use crate::normalize::normalize;
use nianbao_model::TextLine;
use scraper::{ElementRef, Html, Node};

const SKIP: &[&str] = &["script", "style", "noscript", "template", "head", "title", "select", "button", "iframe", "svg", "object"];
const BLOCK: &[&str] = &[
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "table", "section", "article", "header",
    "footer", "nav", "dl", "dt", "dd", "blockquote", "pre", "form", "center", "hr", "tbody", "thead", "caption", "main",
    "aside", "td", "th",
];

struct Walker<'a> {
    src: &'a str,
    cursor: usize,
    traditional: bool,
    blocks: Vec<Block>,
    line: TextLine,
}

impl<'a> Walker<'a> {
    /// Finds a text node's text in the source after the cursor; returns its offset.
    fn locate(&mut self, text: &str) -> Option<usize> {
        let window_end = (self.cursor + 200_000).min(self.src.len());
        let hay = self.src.get(self.cursor..window_end)?;
        let mut from = 0;
        while let Some(i) = hay[from..].find(text) {
            let at = from + i;
            let before = hay[..at].trim_end_matches(|c: char| c.is_whitespace());
            if before.is_empty() || before.ends_with('>') || before.ends_with(';') || text.chars().count() > 3 {
                let found = self.cursor + at;
                self.cursor = found + text.len();
                return Some(found);
            }
            from = at + text.len().max(1);
        }
        None
    }

    /// The text node as a line with offsets into the page source.
    fn text_line(&mut self, text: &str) -> TextLine {
        if let Some(at) = self.locate(text) {
            return crate::normalize::identity_line(text, at);
        }
        // Entities were decoded: find the longest prefix free of them, then spread.
        let prefix: String = text.chars().take_while(|c| !matches!(c, '\u{a0}' | '&' | '<' | '>' | '"' | '\'')).collect();
        let at = if prefix.trim().is_empty() { self.cursor } else { self.locate(prefix.trim()).unwrap_or(self.cursor) };
        let offsets = (0..=text.len()).map(|_| at as u32).collect();
        TextLine { text: text.to_string(), offsets, is_table_row: false }
    }

    fn push_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let piece = self.text_line(text);
        append(&mut self.line, &piece);
    }

    fn flush(&mut self) {
        if self.line.text.trim().is_empty() {
            self.line = TextLine::default();
            return;
        }
        let raw = std::mem::take(&mut self.line);
        // Collapse runs of white space the page had for layout.
        let line = normalize(&collapse_spaces(&raw), self.traditional);
        if !line.text.is_empty() {
            self.blocks.push(Block::prose(line));
        }
    }

    fn walk(&mut self, node: ego_tree::NodeRef<'_, Node>) {
        match node.value() {
            Node::Text(t) => self.push_text(&t.text),
            Node::Element(e) => {
                let name = e.name();
                if SKIP.contains(&name) {
                    return;
                }
                if name == "table" {
                    if let Some(el) = ElementRef::wrap(node) {
                        if !is_layout_table(el) {
                            self.flush();
                            self.data_table(el);
                            return;
                        }
                    }
                }
                let block = BLOCK.contains(&name);
                if block {
                    self.flush();
                }
                for child in node.children() {
                    self.walk(child);
                }
                if block {
                    self.flush();
                }
            }
            _ => {
                for child in node.children() {
                    self.walk(child);
                }
            }
        }
    }

    /// Text of a cell: its text nodes joined; line breaks inside a cell do not split it.
    fn cell_line(&mut self, cell: ElementRef<'_>) -> TextLine {
        let mut line = TextLine::default();
        for node in cell.descendants() {
            if let Node::Text(t) = node.value() {
                if node.ancestors().any(|a| a.value().as_element().is_some_and(|e| SKIP.contains(&e.name()))) {
                    continue;
                }
                let piece = self.text_line(&t.text);
                append(&mut line, &piece);
            }
        }
        normalize(&collapse_spaces(&line), self.traditional)
    }

    fn data_table(&mut self, table: ElementRef<'_>) {
        for tr in table.descendants().filter_map(ElementRef::wrap).filter(|e| e.value().name() == "tr") {
            if closest(tr, "table").map(|t| t.id()) != Some(table.id()) {
                continue;
            }
            // Physical cells only: a cell spanning rows or columns appears once, in the row
            // that holds it; rows are read by their trailing value cells (tables.rs).
            let cells: Vec<TextLine> = tr
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|e| matches!(e.value().name(), "td" | "th"))
                .map(|cell| self.cell_line(cell))
                .collect();
            if cells.iter().all(|c| c.text.is_empty()) {
                continue;
            }
            self.blocks.push(Block::from_cells(cells, true));
        }
    }
}

fn closest<'a>(el: ElementRef<'a>, name: &str) -> Option<ElementRef<'a>> {
    el.ancestors().filter_map(ElementRef::wrap).find(|a| a.value().name() == name)
}

/// A table used for page layout: one of its own cells holds another table.
fn is_layout_table(table: ElementRef<'_>) -> bool {
    table.descendants().filter_map(ElementRef::wrap).any(|e| e.value().name() == "table" && e.id() != table.id())
}

fn append(line: &mut TextLine, piece: &TextLine) {
    if line.offsets.len() > line.text.len() {
        line.offsets.pop();
    }
    line.text.push_str(&piece.text);
    line.offsets.extend_from_slice(&piece.offsets);
}

fn collapse_spaces(line: &TextLine) -> TextLine {
    let mut out = TextLine { is_table_row: line.is_table_row, ..TextLine::default() };
    let mut prev_space = true;
    for (i, c) in line.text.char_indices() {
        let space = c.is_whitespace() && c != '\u{3000}';
        if space && prev_space {
            continue;
        }
        let at = line.offsets.get(i).copied().unwrap_or(0);
        let c = if space { ' ' } else { c };
        out.text.push(c);
        out.offsets.extend(std::iter::repeat_n(at, c.len_utf8()));
        prev_space = space;
    }
    let end = line.offsets.last().copied().unwrap_or(0);
    out.offsets.push(end);
    out
}

/// The blocks of an HTML page.
pub fn html_blocks(decoded: &str, traditional: bool) -> Vec<Block> {
    let doc = Html::parse_document(decoded);
    let mut w = Walker { src: decoded, cursor: 0, traditional, blocks: Vec::new(), line: TextLine::default() };
    // Skip the <head> in the source too, so searches start in the body.
    if let Some(i) = decoded.to_ascii_lowercase().find("<body") {
        w.cursor = i;
    }
    w.walk(doc.tree.root());
    w.flush();
    w.blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cells_in_place_and_points_into_the_source() {
        let src = r#"<html><head><title>x</title><script>var s="<table>";</script></head><body>
<p>一、总体情况</p><table><tr><td rowspan=2>规章</td><td width="100">0</td><td>&nbsp;</td><td>12</td></tr></table>
<p>第二段<br>第三段</p></body></html>"#;
        let blocks = html_blocks(src, false);
        let texts: Vec<_> = blocks.iter().map(|b| b.text().to_string()).collect();
        assert_eq!(texts, vec!["一、总体情况", "规章 | 0 |  | 12", "第二段", "第三段"]);
        let row = &blocks[1];
        assert!(row.positional);
        assert_eq!(row.cell_text(2), "");
        let (s, _) = row.cells[1];
        let at = row.line.offsets[s] as usize;
        assert_eq!(&src[at - 1..at + 1], ">0");
    }

    #[test]
    fn layout_tables_are_read_as_flow() {
        let src = "<body><table><tr><td><p>标题</p><table><tr><td>行政许可</td><td>5</td></tr></table></td></tr></table></body>";
        let blocks = html_blocks(src, false);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].cell_text(1), "5");
    }
}
