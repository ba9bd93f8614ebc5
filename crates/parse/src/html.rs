//! Stage 1b for web pages: the DOM (html5ever, through `scraper`) → blocks. Data tables become
//! rows with their cells in place (blank cells kept, so columns are known); layout tables (a
//! table holding tables) are read as flow. html5ever gives no source positions, so each text
//! node is found again in the page source by a forward search.
//!
//! Hostile pages are bounded: the nesting depth is measured by a cheap scan of the tags before
//! the tree is built (html5ever's scope checks are linear in the depth, so very deep pages cost
//! quadratic time), the tree is walked with an explicit stack, and the forward searches share a
//! budget linear in the size of the page.

use crate::blocks::Block;
use crate::error::ParseError;
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
    /// Bytes the forward searches may still scan; when spent, text is placed at the cursor.
    budget: usize,
    /// Tables that hold another table (layout tables), found in one pass.
    layout_tables: std::collections::HashSet<ego_tree::NodeId>,
}

impl<'a> Walker<'a> {
    /// Finds a text node's text in the source after the cursor; returns its offset.
    fn locate(&mut self, text: &str) -> Option<usize> {
        // A text that is not in the source as such (entities decoded) would otherwise scan the
        // whole window once per text node: 64,000 `<p>&#112;</p>` took 76 s.
        let mut window_end = (self.cursor + 200_000.min(self.budget)).min(self.src.len());
        while !self.src.is_char_boundary(window_end) {
            window_end -= 1;
        }
        let hay = self.src.get(self.cursor..window_end)?;
        let mut from = 0;
        while let Some(i) = hay[from..].find(text) {
            let at = from + i;
            let before = hay[..at].trim_end_matches(|c: char| c.is_whitespace());
            if before.is_empty() || before.ends_with('>') || before.ends_with(';') || text.chars().count() > 3 {
                self.budget = self.budget.saturating_sub(at + text.len());
                let found = self.cursor + at;
                self.cursor = found + text.len();
                return Some(found);
            }
            from = at + text.len().max(1);
        }
        self.budget = self.budget.saturating_sub(hay.len());
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

    /// Depth-first, with an explicit stack: a page nested 20,000 deep overflowed the thread's
    /// stack when this recursed.
    fn walk(&mut self, root: ego_tree::NodeRef<'_, Node>) {
        enum Step<'t> {
            Enter(ego_tree::NodeRef<'t, Node>),
            Leave,
        }
        let mut stack = vec![Step::Enter(root)];
        while let Some(step) = stack.pop() {
            let node = match step {
                Step::Leave => {
                    self.flush();
                    continue;
                }
                Step::Enter(node) => node,
            };
            match node.value() {
                Node::Text(t) => self.push_text(&t.text),
                Node::Element(e) => {
                    let name = e.name();
                    if SKIP.contains(&name) {
                        continue;
                    }
                    if name == "table" && !self.layout_tables.contains(&node.id()) {
                        if let Some(el) = ElementRef::wrap(node) {
                            self.flush();
                            self.data_table(el);
                            continue;
                        }
                    }
                    if BLOCK.contains(&name) {
                        self.flush();
                        stack.push(Step::Leave);
                    }
                    push_children(&mut stack, node, Step::Enter);
                }
                _ => push_children(&mut stack, node, Step::Enter),
            }
        }
    }

    /// Text of a cell: its text nodes joined; line breaks inside a cell do not split it.
    fn cell_line(&mut self, cell: ElementRef<'_>) -> TextLine {
        let mut line = TextLine::default();
        for node in cell.descendants() {
            if let Node::Text(t) = node.value() {
                let mut inside = node.ancestors().take_while(|a| a.id() != cell.id());
                if inside.any(|a| a.value().as_element().is_some_and(|e| SKIP.contains(&e.name()))) {
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

/// Pushes the children of `node` so that the first is popped first.
fn push_children<'t, S>(stack: &mut Vec<S>, node: ego_tree::NodeRef<'t, Node>, wrap: impl Fn(ego_tree::NodeRef<'t, Node>) -> S) {
    let mut child = node.last_child();
    while let Some(c) = child {
        stack.push(wrap(c));
        child = c.prev_sibling();
    }
}

fn closest<'a>(el: ElementRef<'a>, name: &str) -> Option<ElementRef<'a>> {
    el.ancestors().filter_map(ElementRef::wrap).find(|a| a.value().name() == name)
}

fn is_table(node: &ego_tree::NodeRef<'_, Node>) -> bool {
    node.value().as_element().is_some_and(|e| e.name() == "table")
}

/// Tables used for page layout: one of their cells holds another table. One pass: each table
/// marks the tables above it, stopping at one already marked (whose ancestors are marked too),
/// so nested tables cost linear time rather than a scan of every table's descendants.
fn layout_tables(doc: &Html) -> std::collections::HashSet<ego_tree::NodeId> {
    let mut marked = std::collections::HashSet::new();
    for node in doc.tree.root().descendants().filter(is_table) {
        for a in node.ancestors().filter(is_table) {
            if !marked.insert(a.id()) {
                break;
            }
        }
    }
    marked
}

/// Elements that hold no content (never nest).
const VOID: &[&str] = &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "keygen", "basefont", "bgsound", "frame"];
/// Elements whose content is raw text up to their end tag.
const RAW: &[&str] = &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"];

/// For a start tag: the open elements it closes (with everything open inside them) when one is
/// found near the top of the stack before a barrier — end tags that may be left out, as the
/// parser's list-item, cell and paragraph rules close them.
fn closes(name: &str) -> (&'static [&'static str], &'static [&'static str]) {
    const TABLE: &[&str] = &["table", "html"];
    const LIST: &[&str] = &[
        "ul", "ol", "dl", "menu", "dir", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "body", "html", "blockquote",
        "section", "article", "nav", "aside", "header", "footer", "main", "form", "fieldset", "figure", "details", "object", "button",
        "template", "center", "pre", "select",
    ];
    const BUTTON: &[&str] = &["table", "td", "th", "caption", "html", "button", "object", "marquee", "applet", "template"];
    match name {
        "p" => (&["p"], BUTTON),
        "li" => (&["li"], LIST),
        "dt" | "dd" => (&["dt", "dd"], LIST),
        "td" | "th" => (&["td", "th"], TABLE),
        "tr" => (&["tr"], TABLE),
        "thead" | "tbody" | "tfoot" => (&["thead", "tbody", "tfoot"], TABLE),
        "option" | "optgroup" => (&["option"], &["select", "html"]),
        "rb" | "rt" | "rp" => (&["rb", "rt", "rp"], &["ruby", "html"]),
        _ => (&[], &[]),
    }
}

/// The deepest nesting of elements in `src`, by a scan of its tags that follows the parser's
/// rules closely enough (void elements, raw text, end tags that may be left out, unmatched end
/// tags ignored); stops counting once `cap` is passed. Linear in the length of `src`.
pub fn nesting_depth(src: &str, cap: usize) -> usize {
    let b = src.as_bytes();
    let lower = |s: &[u8]| s.iter().map(|c| c.to_ascii_lowercase()).collect::<Vec<u8>>();
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut max = 0;
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        i += off + 1;
        if b[i..].starts_with(b"!--") {
            i = match find(&b[i + 3..], b"-->") {
                Some(e) => i + 3 + e + 3,
                None => b.len(),
            };
            continue;
        }
        let close = b.get(i) == Some(&b'/');
        let name_start = i + close as usize;
        let name_len = b[name_start..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':').count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = lower(&b[name_start..name_start + name_len]);
        let tag_end = match b[name_start..].iter().position(|&c| c == b'>') {
            Some(e) => name_start + e,
            None => b.len(),
        };
        i = tag_end.min(b.len());
        let name_str = std::str::from_utf8(&name).unwrap_or("");
        if close {
            // Only an end tag matching an element near the top closes anything.
            if let Some(k) = stack.iter().rev().take(64).position(|n| *n == name) {
                let len = stack.len() - 1 - k;
                stack.truncate(len);
            }
            continue;
        }
        if VOID.contains(&name_str) {
            continue;
        }
        if RAW.contains(&name_str) {
            let end_tag = [b"</".as_slice(), &name].concat();
            i = match find(&b[i..], &end_tag) {
                Some(e) => i + e + end_tag.len(),
                None => b.len(),
            };
            continue;
        }
        let (targets, barriers) = closes(name_str);
        if !targets.is_empty() {
            let is = |set: &[&str], n: &[u8]| set.iter().any(|g| g.as_bytes() == n);
            for k in 0..stack.len().min(32) {
                let n = &stack[stack.len() - 1 - k];
                if is(targets, n) {
                    let len = stack.len() - 1 - k;
                    stack.truncate(len);
                    break;
                }
                if is(barriers, n) {
                    break;
                }
            }
        }
        let self_closed = tag_end > 0 && b.get(tag_end - 1) == Some(&b'/') && stack.iter().any(|n| n == b"svg" || n == b"math");
        if !self_closed {
            stack.push(name);
            max = max.max(stack.len());
            if max > cap {
                return max;
            }
        }
    }
    max
}

/// First place of `needle` (lower case) in `hay`, ignoring ASCII case.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
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

/// The blocks of an HTML page (no depth limit: for trusted pages).
pub fn html_blocks(decoded: &str, traditional: bool) -> Vec<Block> {
    blocks_of(decoded, traditional)
}

/// The blocks of an HTML page of the file `file`, refused when it nests deeper than
/// `limits.html_depth`.
pub fn html_blocks_with(file: &str, decoded: &str, traditional: bool, limits: &crate::Limits) -> Result<Vec<Block>, ParseError> {
    let depth = nesting_depth(decoded, limits.html_depth);
    if depth > limits.html_depth {
        return Err(ParseError::Limit { file: file.to_string(), what: format!("网页标签嵌套超过 {} 层上限", limits.html_depth) });
    }
    Ok(blocks_of(decoded, traditional))
}

fn blocks_of(decoded: &str, traditional: bool) -> Vec<Block> {
    let doc = Html::parse_document(decoded);
    let layout_tables = layout_tables(&doc);
    let budget = decoded.len().saturating_mul(32).saturating_add(4 << 20);
    let mut w = Walker { src: decoded, cursor: 0, traditional, blocks: Vec::new(), line: TextLine::default(), budget, layout_tables };
    // Skip the <head> in the source too, so searches start in the body.
    if let Some(i) = decoded.to_ascii_lowercase().find("<body") {
        w.cursor = i;
    }
    w.walk(doc.tree.root());
    w.flush();
    w.blocks
}

/// The pictures of a page: for every `<img>` (outside comments, scripts and styles) its offset in
/// `src` and its `src` attribute, entities decoded. A linear scan of the tags, like
/// [`nesting_depth`]: the tree html5ever builds keeps no positions.
pub fn images(src: &str) -> Vec<(usize, String)> {
    let b = src.as_bytes();
    let lower = |i: usize, w: &[u8]| b.len() >= i + w.len() && b[i..i + w.len()].eq_ignore_ascii_case(w);
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(k) = b[i..].iter().position(|&c| c == b'<') {
        let at = i + k;
        if lower(at, b"<!--") {
            i = find(&b[at + 4..], b"-->").map(|e| at + 4 + e + 3).unwrap_or(b.len());
            continue;
        }
        let raw_text = [&b"<script"[..], b"<style", b"<noscript", b"<template", b"<textarea"].into_iter().find(|t| lower(at, t) && b.get(at + t.len()).is_some_and(|c| c.is_ascii_whitespace() || *c == b'>'));
        if let Some(t) = raw_text {
            let close = [b"</", &t[1..]].concat();
            i = find(&b[at..], &close).map(|e| at + e + close.len()).unwrap_or(b.len());
            continue;
        }
        let end = tag_end(b, at);
        if lower(at, b"<img") && b.get(at + 4).is_some_and(|c| c.is_ascii_whitespace() || *c == b'/') {
            if let Some(v) = attribute(&src[at + 4..end], "src") {
                out.push((at, v));
            }
        }
        i = end.max(at + 1);
    }
    out
}

/// The end of the tag starting at `at` (just past `>`, quotes respected).
fn tag_end(b: &[u8], at: usize) -> usize {
    let mut quote = None;
    for (k, &c) in b[at..].iter().enumerate() {
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => return at + k + 1,
            _ => {}
        }
    }
    b.len()
}

/// The value of attribute `name` in the inside of a tag, entities decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let b = tag.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let key = &tag[start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = None;
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let from = i + 1;
                let to = b[from..].iter().position(|&c| c == q).map(|k| from + k).unwrap_or(b.len());
                value = Some(&tag[from..to]);
                i = to + 1;
            } else {
                let from = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = Some(&tag[from..i]);
            }
        }
        if key.is_empty() && i == start {
            i += 1;
            continue;
        }
        if key.eq_ignore_ascii_case(name) {
            return value.map(|v| unescape(v.trim()));
        }
    }
    None
}

/// The few entities a `src` holds (`&amp;` between query parameters, numeric references).
fn unescape(v: &str) -> String {
    if !v.contains('&') {
        return v.to_string();
    }
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(k) = rest.find('&') {
        out.push_str(&rest[..k]);
        rest = &rest[k..];
        // Byte-wise: twelve bytes may end inside a character.
        let semi = rest.bytes().take(12).position(|c| c == b';');
        let decoded = semi.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32),
                n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
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

    #[test]
    fn finds_pictures_with_their_place_and_skips_comments_and_scripts() {
        let page = r#"<p>表二</p><!-- <img src="old.png"> --><script>var s = "<img src='x.png'>";</script><IMG alt='a>b' SRC="t2.png?a=1&amp;b=2"><img src=t3.png/><img data-src="lazy.png">"#;
        let found = images(page);
        let srcs: Vec<&str> = found.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(srcs, vec!["t2.png?a=1&b=2", "t3.png/"]);
        assert_eq!(&page[found[0].0..found[0].0 + 4], "<IMG");
        // A bare ampersand before Chinese text is kept as it is.
        assert_eq!(images(r#"<img src="表&二表二表二.png">"#)[0].1, "表&二表二表二.png");
        assert_eq!(images("<img src=\"a&#x4e8c;.png\">")[0].1, "a二.png");
    }
}
