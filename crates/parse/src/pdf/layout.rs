//! Page layout: glyphs and ruling lines → lines, cells and table rows in reading order.
//! Coordinates are points on the page as displayed, y growing downwards.

/// One glyph: its box, baseline and size (the height of its em square).
#[derive(Debug, Clone)]
pub struct Glyph {
    pub x0: f64,
    pub x1: f64,
    pub top: f64,
    pub bottom: f64,
    pub base: f64,
    pub size: f64,
    /// Runs left to right on the displayed page.
    pub upright: bool,
    pub text: String,
}

impl Glyph {
    fn cx(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
    fn cy(&self) -> f64 {
        (self.top + self.bottom) / 2.0
    }
}

/// A ruling line: horizontal at y = `pos` from x = `from` to `to`, or vertical at x = `pos`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub horizontal: bool,
    pub pos: f64,
    pub from: f64,
    pub to: f64,
}

/// Thickest box read as a line, in points.
const THIN: f64 = 3.0;
/// Shortest line kept.
const SHORT: f64 = 3.0;
/// Lines this close are one line; a line ending this close to another touches it.
const TOL: f64 = 2.0;

impl Rule {
    pub fn from_box(x0: f64, y0: f64, x1: f64, y1: f64) -> Option<Rule> {
        let (w, h) = (x1 - x0, y1 - y0);
        if !(w.is_finite() && h.is_finite()) {
            return None;
        }
        if h <= THIN && w >= SHORT && w > 2.0 * h {
            Some(Rule {
                horizontal: true,
                pos: (y0 + y1) / 2.0,
                from: x0,
                to: x1,
            })
        } else if w <= THIN && h >= SHORT && h > 2.0 * w {
            Some(Rule {
                horizontal: false,
                pos: (x0 + x1) / 2.0,
                from: y0,
                to: y1,
            })
        } else {
            None
        }
    }
    pub fn from_segment(a: (f64, f64), b: (f64, f64)) -> Option<Rule> {
        let (dx, dy) = ((a.0 - b.0).abs(), (a.1 - b.1).abs());
        if dy < 0.5 && dx >= SHORT {
            Some(Rule {
                horizontal: true,
                pos: (a.1 + b.1) / 2.0,
                from: a.0.min(b.0),
                to: a.0.max(b.0),
            })
        } else if dx < 0.5 && dy >= SHORT {
            Some(Rule {
                horizontal: false,
                pos: (a.0 + b.0) / 2.0,
                from: a.1.min(b.1),
                to: a.1.max(b.1),
            })
        } else {
            None
        }
    }
    fn crosses(&self, other: &Rule) -> bool {
        self.horizontal != other.horizontal
            && other.pos >= self.from - TOL
            && other.pos <= self.to + TOL
            && self.pos >= other.from - TOL
            && self.pos <= other.to + TOL
    }
}

#[derive(Debug, Default)]
pub struct Page {
    pub number: u32,
    pub glyphs: Vec<Glyph>,
    pub rules: Vec<Rule>,
}

/// A piece of extracted text: a glyph with its box, or a space.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub text: String,
    pub bbox: Option<[f64; 4]>,
    /// The page, when not the page of the item holding the piece (a row joined across pages).
    pub page: Option<u32>,
}

/// A cell of a ruled table: its text and its box.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub pieces: Vec<Piece>,
    pub bbox: [f64; 4],
    /// First and last grid row of the cell.
    pub rows: (usize, usize),
    /// The cell reaches the bottom of its table on this page (a page break may cut it).
    pub at_bottom: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A line of text outside ruled tables, cut into cells at wide gaps (one cell: prose).
    Line(Vec<Vec<Piece>>),
    /// A row of a ruled table: its cells in column order, merged cells only in their first row.
    Row(Vec<Cell>),
}

impl Item {
    pub fn plain(&self) -> String {
        let join = |p: &[Piece]| p.iter().map(|p| p.text.as_str()).collect::<String>();
        match self {
            Item::Line(cells) => cells.iter().map(|c| join(c)).collect(),
            Item::Row(cells) => cells.iter().map(|c| join(&c.pieces)).collect(),
        }
    }
}

fn is_cjk(s: &str) -> bool {
    s.chars().all(|c| c >= '\u{2e80}')
}

fn is_numeric(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%'))
}

// ---------------------------------------------------------------------------------------------
// Ruled tables

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind((0..n).collect())
    }
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}

/// Collinear pieces of one line (a border drawn cell by cell) joined.
fn merge_rules(mut rules: Vec<Rule>) -> Vec<Rule> {
    rules.sort_by(|a, b| {
        a.horizontal
            .cmp(&b.horizontal)
            .then(a.pos.total_cmp(&b.pos))
            .then(a.from.total_cmp(&b.from))
    });
    let mut out: Vec<Rule> = Vec::new();
    for r in rules {
        // Compare with the lines already kept on (about) the same position.
        let same = out
            .iter_mut()
            .rev()
            .take_while(|o| o.horizontal == r.horizontal && (r.pos - o.pos).abs() <= 1.0)
            .find(|o| r.from <= o.to + TOL && r.to >= o.from - TOL);
        match same {
            Some(o) => {
                o.from = o.from.min(r.from);
                o.to = o.to.max(r.to);
            }
            None => out.push(r),
        }
    }
    out
}

/// Positions closer than `TOL` are one.
fn cluster(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, usize)> = Vec::new();
    for x in v {
        match out.last_mut() {
            Some((mean, n)) if x - *mean / (*n as f64) <= TOL => {
                *mean += x;
                *n += 1;
            }
            _ => out.push((x, 1)),
        }
    }
    out.into_iter().map(|(s, n)| s / n as f64).collect()
}

/// A ruled table: the grid lines and the (merged) cells as rectangles of grid units.
#[derive(Debug)]
struct Grid {
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// (first row, first column, last row, last column) of each cell.
    cells: Vec<(usize, usize, usize, usize)>,
    /// Cell of each grid unit, row-major.
    unit: Vec<usize>,
}

impl Grid {
    fn contains(&self, x: f64, y: f64) -> bool {
        let (Some(&x0), Some(&x1), Some(&y0), Some(&y1)) = (
            self.xs.first(),
            self.xs.last(),
            self.ys.first(),
            self.ys.last(),
        ) else {
            return false;
        };
        x >= x0 && x <= x1 && y >= y0 && y <= y1
    }
    fn cell_at(&self, x: f64, y: f64) -> Option<usize> {
        if !self.contains(x, y) {
            return None;
        }
        let c = self
            .xs
            .partition_point(|&v| v <= x)
            .clamp(1, self.xs.len() - 1)
            - 1;
        let r = self
            .ys
            .partition_point(|&v| v <= y)
            .clamp(1, self.ys.len() - 1)
            - 1;
        self.unit.get(r * (self.xs.len() - 1) + c).copied()
    }
}

fn ruled_tables(rules: &[Rule]) -> Vec<Grid> {
    let rules = merge_rules(rules.to_vec());
    let mut uf = UnionFind::new(rules.len());
    for i in 0..rules.len() {
        for j in i + 1..rules.len() {
            if rules[i].crosses(&rules[j]) {
                uf.union(i, j);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<Rule>> =
        std::collections::BTreeMap::new();
    for (i, r) in rules.iter().enumerate() {
        let g = uf.find(i);
        groups.entry(g).or_default().push(*r);
    }
    let mut grids = Vec::new();
    for rules in groups.into_values() {
        let (h, v): (Vec<Rule>, Vec<Rule>) = rules.into_iter().partition(|r| r.horizontal);
        if h.len() < 2 || v.len() < 2 {
            continue;
        }
        let left = h.iter().map(|r| r.from).fold(f64::MAX, f64::min);
        let right = h.iter().map(|r| r.to).fold(f64::MIN, f64::max);
        let top = v.iter().map(|r| r.from).fold(f64::MAX, f64::min);
        let bottom = v.iter().map(|r| r.to).fold(f64::MIN, f64::max);
        let xs = cluster(v.iter().map(|r| r.pos).chain([left, right]).collect());
        let ys = cluster(h.iter().map(|r| r.pos).chain([top, bottom]).collect());
        if xs.len() < 2 || ys.len() < 2 || xs.len() * ys.len() > 100_000 {
            continue;
        }
        let (nc, nr) = (xs.len() - 1, ys.len() - 1);
        let has_v = |x: f64, y: f64| {
            v.iter()
                .any(|r| (r.pos - x).abs() <= TOL && r.from <= y && r.to >= y)
        };
        let has_h = |y: f64, x: f64| {
            h.iter()
                .any(|r| (r.pos - y).abs() <= TOL && r.from <= x && r.to >= x)
        };
        let mut uf = UnionFind::new(nr * nc);
        for r in 0..nr {
            let ym = (ys[r] + ys[r + 1]) / 2.0;
            for c in 0..nc {
                let xm = (xs[c] + xs[c + 1]) / 2.0;
                if c + 1 < nc && !has_v(xs[c + 1], ym) {
                    uf.union(r * nc + c, r * nc + c + 1);
                }
                if r + 1 < nr && !has_h(ys[r + 1], xm) {
                    uf.union(r * nc + c, (r + 1) * nc + c);
                }
            }
        }
        let mut ids = std::collections::HashMap::new();
        let mut cells: Vec<(usize, usize, usize, usize)> = Vec::new();
        let mut unit = Vec::with_capacity(nr * nc);
        for r in 0..nr {
            for c in 0..nc {
                let root = uf.find(r * nc + c);
                let id = *ids.entry(root).or_insert_with(|| {
                    cells.push((r, c, r, c));
                    cells.len() - 1
                });
                let cell = &mut cells[id];
                cell.1 = cell.1.min(c);
                cell.2 = cell.2.max(r);
                cell.3 = cell.3.max(c);
                unit.push(id);
            }
        }
        grids.push(Grid {
            xs,
            ys,
            cells,
            unit,
        });
    }
    grids
}

// ---------------------------------------------------------------------------------------------
// Lines and words

/// Glyphs on one baseline, left to right (fake-bold duplicates dropped).
fn group_lines(mut glyphs: Vec<Glyph>) -> Vec<Vec<Glyph>> {
    glyphs.sort_by(|a, b| a.base.total_cmp(&b.base).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    let mut line_base = f64::MIN;
    let mut line_size: f64 = 0.0;
    for g in glyphs {
        let same = (g.base - line_base).abs() <= 0.4 * line_size.max(g.size);
        match lines.last_mut() {
            Some(l) if same => l.push(g),
            _ => {
                line_base = g.base;
                line_size = g.size;
                lines.push(vec![g]);
            }
        }
    }
    for l in &mut lines {
        l.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        l.dedup_by(|b, a| {
            a.text == b.text
                && (a.x0 - b.x0).abs() < 0.2 * a.size
                && (a.base - b.base).abs() < 0.2 * a.size
        });
    }
    lines
}

/// Glyphs of rotated or vertical text: one line per column of glyphs, top to bottom.
fn group_columns(mut glyphs: Vec<Glyph>) -> Vec<Vec<Glyph>> {
    glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0).then(a.top.total_cmp(&b.top)));
    let mut out: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match out.last_mut() {
            Some(l)
                if l.first()
                    .is_some_and(|f| (g.x0 - f.x0).abs() <= 0.5 * f.size) =>
            {
                l.push(g)
            }
            _ => out.push(vec![g]),
        }
    }
    for l in &mut out {
        l.sort_by(|a, b| a.top.total_cmp(&b.top));
    }
    out
}

fn piece(g: &Glyph) -> Piece {
    Piece {
        text: g.text.clone(),
        bbox: Some([g.x0, g.top, g.x1, g.bottom]),
        page: None,
    }
}

fn space() -> Piece {
    Piece {
        text: " ".into(),
        bbox: None,
        page: None,
    }
}

/// Whether the gap before `g` (after `prev`) separates two cells of a table without lines.
fn cell_gap(prev: &Glyph, g: &Glyph) -> bool {
    let gap = g.x0 - prev.x1;
    let size = prev.size.max(g.size);
    if gap > 1.5 * size {
        return true;
    }
    // A number right after a label (or the reverse) with a clear gap.
    let boundary = is_numeric(&prev.text) != is_numeric(&g.text);
    boundary && gap > 0.8 * size
}

/// A line of glyphs as text, with a space between Latin words.
fn line_pieces(line: &[Glyph], out: &mut Vec<Piece>) {
    let mut prev: Option<&Glyph> = None;
    for g in line {
        if let Some(p) = prev {
            let gap = g.x0 - p.x1;
            if gap > 0.25 * p.size.max(g.size) && !(is_cjk(&p.text) || is_cjk(&g.text)) {
                out.push(space());
            }
        }
        out.push(piece(g));
        prev = Some(g);
    }
}

/// A free line cut into cells at wide gaps.
fn free_line(line: &[Glyph]) -> Vec<Vec<Piece>> {
    let mut cells: Vec<Vec<Piece>> = Vec::new();
    let mut start = 0;
    for i in 1..=line.len() {
        if i == line.len() || cell_gap(&line[i - 1], &line[i]) {
            let mut c = Vec::new();
            line_pieces(&line[start..i], &mut c);
            cells.push(c);
            start = i;
        }
    }
    cells
}

/// Text of a table cell: its lines joined (a space only between two Latin words).
fn cell_pieces(glyphs: Vec<Glyph>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for line in group_lines(glyphs) {
        let first = line.first().map(|g| g.text.clone()).unwrap_or_default();
        let last = out.last().map(|p| p.text.clone()).unwrap_or_default();
        let latin = |s: &str| s.chars().all(|c| c.is_ascii_alphabetic());
        if latin(&first) && latin(&last) && !first.is_empty() && !last.is_empty() {
            out.push(space());
        }
        line_pieces(&line, &mut out);
    }
    out
}

/// The items of a page in reading order.
pub fn page_items(page: Page) -> Vec<Item> {
    let grids = ruled_tables(&page.rules);
    let mut in_cell: Vec<Vec<Vec<Glyph>>> = grids
        .iter()
        .map(|g| vec![Vec::new(); g.cells.len()])
        .collect();
    let mut free = Vec::new();
    let mut turned = Vec::new();
    'glyphs: for g in page.glyphs {
        for (k, grid) in grids.iter().enumerate() {
            if let Some(c) = grid.cell_at(g.cx(), g.cy()) {
                in_cell[k][c].push(g);
                continue 'glyphs;
            }
        }
        if g.upright {
            free.push(g);
        } else {
            turned.push(g);
        }
    }
    // (top, order, item)
    let mut items: Vec<(f64, usize, Item)> = Vec::new();
    for (grid, glyphs) in grids.iter().zip(in_cell) {
        let texts: Vec<Vec<Piece>> = glyphs.into_iter().map(cell_pieces).collect();
        let nr = grid.ys.len() - 1;
        for r in 0..nr {
            let mut row: Vec<(usize, Cell)> = grid
                .cells
                .iter()
                .enumerate()
                .filter(|(_, c)| c.0 == r)
                .map(|(i, &(r0, c0, r1, c1))| {
                    let bbox = [grid.xs[c0], grid.ys[r0], grid.xs[c1 + 1], grid.ys[r1 + 1]];
                    (
                        c0,
                        Cell {
                            pieces: texts[i].clone(),
                            bbox,
                            rows: (r0, r1),
                            at_bottom: r1 + 1 == nr,
                        },
                    )
                })
                .collect();
            row.sort_by_key(|(c, _)| *c);
            if row.iter().all(|(_, c)| c.pieces.is_empty()) {
                continue;
            }
            let order = items.len();
            items.push((
                grid.ys[r],
                order,
                Item::Row(row.into_iter().map(|(_, c)| c).collect()),
            ));
        }
    }
    for line in group_lines(free) {
        let top = line.iter().map(|g| g.top).fold(f64::MAX, f64::min);
        let order = items.len();
        items.push((top, order, Item::Line(free_line(&line))));
    }
    for col in group_columns(turned) {
        let top = col.iter().map(|g| g.top).fold(f64::MAX, f64::min);
        let mut pieces = Vec::new();
        for g in &col {
            pieces.push(piece(g));
        }
        let order = items.len();
        items.push((top, order, Item::Line(vec![pieces])));
    }
    items.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    items.into_iter().map(|(_, _, i)| i).collect()
}

fn cell_text(c: &Cell) -> String {
    c.pieces.iter().map(|p| p.text.as_str()).collect()
}

fn overlap(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    (a[2].min(b[2]) - a[0].max(b[0])).max(0.0)
}

/// A table continued on the next page is joined again where a page break cut through cells.
/// * A row broken by the page break (a tall cell wrapping onto the next page): the next page
///   starts with a row that has no numbers, no text under the numbers of the row above, and is not
///   a repeated header; its texts are appended to the cells above them.
/// * A merged cell cut by the page break (`（四）无法提` / `供`): a cell of the first row of the next
///   page that continues a cell reaching the bottom of the previous page (spanning rows there or
///   here) gives it its text and leaves the row, as an HTML rowspan cell would.
pub fn join_broken_rows(pages: &mut [(u32, Vec<Item>)]) {
    let mut seen: Vec<Vec<String>> = Vec::new();
    for k in 1..pages.len() {
        let (before, after) = pages.split_at_mut(k);
        seen.extend(before[k - 1].1.iter().filter_map(|i| {
            if let Item::Row(r) = i {
                Some(r.iter().map(cell_text).collect())
            } else {
                None
            }
        }));
        let prev = &mut before[k - 1].1;
        let (page, next) = (after[0].0, &mut after[0].1);
        let (Some(Item::Row(last)), Some(Item::Row(first))) = (prev.last(), next.first()) else {
            continue;
        };
        // Same columns: every edge of the first row is an edge of the table above.
        let edges: Vec<f64> = prev
            .iter()
            .rev()
            .take(40)
            .filter_map(|i| if let Item::Row(r) = i { Some(r) } else { None })
            .flatten()
            .flat_map(|c| [c.bbox[0], c.bbox[2]])
            .collect();
        if !first.iter().filter(|c| !c.pieces.is_empty()).all(|c| {
            [c.bbox[0], c.bbox[2]]
                .iter()
                .all(|x| edges.iter().any(|e| (e - x).abs() <= 2.0 * TOL))
        }) {
            continue;
        }
        let texts: Vec<String> = first.iter().map(cell_text).collect();
        if seen.contains(&texts) {
            continue;
        }
        let numeric = |c: &Cell| {
            let t = cell_text(c);
            !t.is_empty() && is_numeric(&t)
        };
        let last_row = last.first().map(|c| c.rows.0).unwrap_or(0);
        let under_numbers = last.iter().filter(|c| numeric(c)).all(|n| {
            first
                .iter()
                .filter(|c| overlap(&c.bbox, &n.bbox) > 0.5 * (n.bbox[2] - n.bbox[0]))
                .all(|c| c.pieces.is_empty())
        });
        let whole_row = last.iter().any(numeric)
            && !first.iter().any(numeric)
            && !first.iter().all(|c| c.pieces.is_empty())
            && under_numbers;
        let Some(Item::Row(cont)) = Some(next.remove(0)) else {
            continue;
        };
        let mut kept = Vec::new();
        for c in cont {
            // The nearest row above with a cell over this column, reaching the page break.
            let target = prev
                .iter_mut()
                .rev()
                .filter_map(|i| if let Item::Row(r) = i { Some(r) } else { None })
                .find_map(|r| {
                    r.iter_mut()
                        .filter(|t| {
                            overlap(&t.bbox, &c.bbox)
                                > 0.5 * (c.bbox[2] - c.bbox[0]).min(t.bbox[2] - t.bbox[0])
                        })
                        .max_by(|a, b| {
                            overlap(&a.bbox, &c.bbox).total_cmp(&overlap(&b.bbox, &c.bbox))
                        })
                });
            match target {
                Some(t)
                    if t.at_bottom
                        && (whole_row
                            || (c.pieces.is_empty() && t.rows.0 < last_row)
                            || (!numeric(&c) && c.rows.1 > c.rows.0)) =>
                {
                    t.pieces.extend(c.pieces.into_iter().map(|p| Piece {
                        page: Some(page),
                        ..p
                    }));
                }
                _ => kept.push(c),
            }
        }
        if !kept.is_empty() && !whole_row {
            next.insert(0, Item::Row(kept));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(text: &str, x: f64, base: f64) -> Glyph {
        Glyph {
            x0: x,
            x1: x + 10.0,
            top: base - 9.0,
            bottom: base + 1.0,
            base,
            size: 10.0,
            upright: true,
            text: text.into(),
        }
    }

    fn word(s: &str, x: f64, base: f64) -> Vec<Glyph> {
        s.chars()
            .enumerate()
            .map(|(i, c)| glyph(&c.to_string(), x + 10.0 * i as f64, base))
            .collect()
    }

    fn h(y: f64, x0: f64, x1: f64) -> Rule {
        Rule {
            horizontal: true,
            pos: y,
            from: x0,
            to: x1,
        }
    }
    fn v(x: f64, y0: f64, y1: f64) -> Rule {
        Rule {
            horizontal: false,
            pos: x,
            from: y0,
            to: y1,
        }
    }

    fn shown(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Item::Line(cells) => cells
                    .iter()
                    .map(|c| c.iter().map(|p| p.text.as_str()).collect::<String>())
                    .collect::<Vec<_>>()
                    .join("|"),
                Item::Row(cells) => {
                    "R:".to_string()
                        + &cells
                            .iter()
                            .map(|c| c.pieces.iter().map(|p| p.text.as_str()).collect::<String>())
                            .collect::<Vec<_>>()
                            .join("|")
                }
            })
            .collect()
    }

    #[test]
    fn a_ruled_table_with_a_merged_cell_reads_like_html() {
        // Three columns, two rows; the first column's cell spans both rows; borders drawn per
        // cell edge (pieces joined), the label wraps onto two lines inside its cell.
        let mut rules = vec![
            h(100.0, 0.0, 100.0),
            h(100.0, 100.0, 300.0),
            h(130.0, 100.0, 300.0),
            h(160.0, 0.0, 300.0),
        ];
        rules.extend([
            v(0.0, 100.0, 160.0),
            v(100.0, 100.0, 160.0),
            v(200.0, 100.0, 130.0),
            v(200.0, 130.0, 160.0),
            v(300.0, 100.0, 160.0),
        ]);
        let mut glyphs = word("本年", 10.0, 120.0);
        glyphs.extend(word("办理", 10.0, 135.0));
        glyphs.extend(word("予以公开", 110.0, 120.0));
        glyphs.extend(word("14", 240.0, 120.0));
        glyphs.extend(word("部分公开", 110.0, 150.0));
        glyphs.extend(word("标题", 10.0, 50.0));
        glyphs.extend(word("落款", 10.0, 200.0));
        let items = page_items(Page {
            number: 1,
            glyphs,
            rules,
        });
        assert_eq!(
            shown(&items),
            vec!["标题", "R:本年办理|予以公开|14", "R:部分公开|", "落款"]
        );
        let Item::Row(cells) = &items[2] else {
            panic!()
        };
        assert_eq!(cells[1].bbox, [200.0, 130.0, 300.0, 160.0]);
    }

    #[test]
    fn lines_without_rules_are_cut_at_wide_gaps() {
        let mut glyphs = word("行政许可", 0.0, 50.0);
        glyphs.extend(word("221", 100.0, 50.0));
        glyphs.extend(word("3", 200.0, 50.0));
        glyphs.extend(word("本年度新制作2020年", 0.0, 80.0));
        let items = page_items(Page {
            number: 1,
            glyphs,
            rules: Vec::new(),
        });
        assert_eq!(shown(&items), vec!["行政许可|221|3", "本年度新制作2020年"]);
    }
}
