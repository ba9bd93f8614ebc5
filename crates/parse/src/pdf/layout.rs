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
    /// A row of a table without ruling lines whose values were put in the columns under its
    /// heading: its label cells, then one cell per column (empty where the column is blank).
    Grid(Vec<Vec<Piece>>),
}

impl Item {
    pub fn plain(&self) -> String {
        let join = |p: &[Piece]| p.iter().map(|p| p.text.as_str()).collect::<String>();
        match self {
            Item::Line(cells) | Item::Grid(cells) => cells.iter().map(|c| join(c)).collect(),
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
    // A number after a label or a number (or a label after a number) with a clear gap.
    let boundary = is_numeric(&prev.text) || is_numeric(&g.text);
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

/// Where a line is cut: glyph index ranges between gaps for which `cut` holds.
fn cuts(line: &[Glyph], cut: &dyn Fn(&Glyph, &Glyph) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=line.len() {
        if i == line.len() || cut(&line[i - 1], &line[i]) {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// A free line cut into cells at wide gaps.
fn free_line(line: &[Glyph]) -> Vec<Vec<Piece>> {
    cuts(line, &cell_gap)
        .into_iter()
        .map(|r| {
            let mut c = Vec::new();
            line_pieces(&line[r], &mut c);
            c
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Tables without ruling lines

/// A word or cell of a free line: its glyphs and its horizontal extent.
#[derive(Debug, Clone)]
struct Word {
    glyphs: std::ops::Range<usize>,
    x0: f64,
    x1: f64,
    /// A value: a number, or a slash/dash standing for "not applicable".
    value: bool,
}

impl Word {
    fn cx(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
    fn overlaps(&self, o: &Word) -> bool {
        self.x0.max(o.x0) < self.x1.min(o.x1)
    }
}

fn words(line: &[Glyph], cut: &dyn Fn(&Glyph, &Glyph) -> bool) -> Vec<Word> {
    cuts(line, cut)
        .into_iter()
        .map(|r| {
            let gs = &line[r.clone()];
            let text: String = gs.iter().map(|g| g.text.as_str()).collect();
            Word {
                x0: gs.iter().map(|g| g.x0).fold(f64::MAX, f64::min),
                x1: gs.iter().map(|g| g.x1).fold(f64::MIN, f64::max),
                value: is_value(&text),
                glyphs: r,
            }
        })
        .collect()
}

fn is_value(s: &str) -> bool {
    !s.is_empty()
        && (is_numeric(s) && s.chars().any(|c| c.is_ascii_digit())
            || s.chars().all(|c| matches!(c, '/' | '／' | '-' | '－' | '—' | '–')))
}

/// Words of a header line: any gap wider than half an em separates them (two stacked column
/// headings in one line stand apart by the cells' padding; text inside a heading does not).
fn fine_gap(prev: &Glyph, g: &Glyph) -> bool {
    g.x0 - prev.x1 > 0.5 * prev.size.max(g.size) || cell_gap(prev, g)
}

/// Free lines of a page, cut into cells, with which of them are table rows of values.
struct FreeLines {
    lines: Vec<Vec<Glyph>>,
    cells: Vec<Vec<Word>>,
    /// Lines of running text (one cell as wide as most of the page's text).
    prose: Vec<bool>,
    /// The columns of a table running on from the previous page.
    carry: Option<Vec<(f64, f64)>>,
}

/// Columns of a table without ruling lines, x-ranges left to right.
pub type Columns = Option<Vec<(f64, f64)>>;

impl FreeLines {
    fn new(lines: Vec<Vec<Glyph>>, carry: Columns) -> FreeLines {
        let cells: Vec<Vec<Word>> = lines.iter().map(|l| words(l, &cell_gap)).collect();
        let left = lines.iter().flatten().map(|g| g.x0).fold(f64::MAX, f64::min);
        let right = lines.iter().flatten().map(|g| g.x1).fold(f64::MIN, f64::max);
        let prose = cells
            .iter()
            .map(|c| c.len() == 1 && c[0].x1 - c[0].x0 > 0.6 * (right - left))
            .collect();
        FreeLines {
            lines,
            cells,
            prose,
            carry,
        }
    }

    /// The columns of the table the page ends in, if it ends in a table without ruling lines.
    fn open_table(&self) -> Columns {
        let last = (0..self.lines.len()).rev().find(|&i| self.is_value_row(i))?;
        if self.prose[last..].iter().any(|p| *p) {
            return None;
        }
        self.columns(last)
    }

    /// A row of a table: a value after a label or another value.
    fn is_value_row(&self, i: usize) -> bool {
        let c = &self.cells[i];
        c.len() >= 2 && c.iter().skip(1).any(|w| w.value)
    }

    /// The columns of the values of row `i`, from the heading above its rows and the values of
    /// all the rows under that heading: x-ranges, left to right. `None` when unsure.
    fn columns(&self, i: usize) -> Option<Vec<(f64, f64)>> {
        const MAX_HEAD: usize = 16;
        let first_value = |k: usize| self.cells[k].iter().find(|w| w.value).map(|w| w.x0);
        let size = self.lines[i].first().map(|g| g.size)?;
        // Rows of values under the same heading, and the lines of that heading.
        let mut rows = vec![i];
        let mut head: Vec<usize> = Vec::new();
        let mut left = first_value(i)?;
        let in_values = |k: usize, left: f64| {
            words(&self.lines[k], &fine_gap)
                .iter()
                .any(|w| w.cx() >= left - size)
        };
        let mut k = i;
        let mut top = true;
        while k > 0 {
            k -= 1;
            if self.prose[k] {
                top = false;
                break;
            }
            if self.is_value_row(k) {
                if !head.is_empty() {
                    break;
                }
                rows.push(k);
                left = left.min(first_value(k).unwrap_or(left));
            } else if in_values(k, left) {
                head.push(k);
                if head.len() > MAX_HEAD {
                    return None;
                }
            } else if !head.is_empty() {
                // A label line above the heading: the heading is over.
                break;
            }
        }
        if head.is_empty() {
            // Rows at the top of a page, under the heading printed on the page before.
            return if top { self.carry.clone() } else { None };
        }
        for k in i + 1..self.lines.len() {
            if self.prose[k] {
                break;
            }
            if self.is_value_row(k) {
                rows.push(k);
                left = left.min(first_value(k).unwrap_or(left));
            } else if in_values(k, left) {
                break;
            }
        }
        // Words over the values: headings (fine cuts) and the values themselves, by line.
        let mut found: Vec<(usize, Word)> = Vec::new();
        for &k in &head {
            for w in words(&self.lines[k], &fine_gap) {
                if w.cx() >= left - size {
                    found.push((k, w));
                }
            }
        }
        for &k in &rows {
            for w in self.cells[k].iter().filter(|w| w.value) {
                found.push((k, w.clone()));
            }
        }
        // A heading over several columns reaches over two words of other lines that stand
        // apart.
        let spanning: Vec<bool> = found
            .iter()
            .map(|(k, w)| {
                let inside: Vec<&Word> = found
                    .iter()
                    .filter(|(j, u)| j != k && w.x1.min(u.x1) - w.x0.max(u.x0) > 0.25 * size)
                    .map(|(_, u)| u)
                    .collect();
                inside
                    .iter()
                    .any(|a| inside.iter().any(|b| !a.overlaps(b)))
            })
            .collect();
        let mut cols: Vec<(f64, f64)> = Vec::new();
        let mut kept: Vec<&Word> = found
            .iter()
            .zip(&spanning)
            .filter(|(_, s)| !**s)
            .map(|((_, w), _)| w)
            .collect();
        kept.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        for w in kept {
            match cols.last_mut() {
                Some(c) if w.x0 < c.1 - 0.25 * size => c.1 = c.1.max(w.x1),
                _ => cols.push((w.x0, w.x1)),
            }
        }
        Some(cols)
    }

    /// Row `i` with one cell per column (blank where the column has no value), when its values
    /// are fewer than the columns under its heading and each sits in its own column.
    fn positional(&self, i: usize) -> Option<Vec<Vec<Piece>>> {
        if !self.is_value_row(i) {
            return None;
        }
        let line = &self.lines[i];
        let cells = &self.cells[i];
        let first = cells.iter().position(|w| w.value)?;
        let values = &cells[first..];
        let cols = self.columns(i)?;
        if values.len() >= cols.len() || cols.len() > 24 {
            return None;
        }
        let mut slots: Vec<Option<&Word>> = vec![None; cols.len()];
        for w in values {
            let overlap = |c: &(f64, f64)| w.x1.min(c.1) - w.x0.max(c.0);
            let (best, o) = cols
                .iter()
                .enumerate()
                .map(|(j, c)| (j, overlap(c)))
                .max_by(|a, b| a.1.total_cmp(&b.1))?;
            if o <= 0.0 || slots[best].is_some() {
                return None;
            }
            slots[best] = Some(w);
        }
        let text = |w: &Word| {
            let mut c = Vec::new();
            line_pieces(&line[w.glyphs.clone()], &mut c);
            c
        };
        let mut out: Vec<Vec<Piece>> = cells[..first].iter().map(text).collect();
        out.extend(slots.into_iter().map(|s| s.map(text).unwrap_or_default()));
        Some(out)
    }
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

/// Whether glyphs (of one ruled cell) make two or more lines cut into cells by wide gaps: a table
/// without inner lines inside a frame.
fn holds_columns(glyphs: &[Glyph]) -> bool {
    if glyphs.len() < 4 {
        return false;
    }
    group_lines(glyphs.to_vec())
        .iter()
        .filter(|l| free_line(l).len() >= 2)
        .nth(1)
        .is_some()
}

/// The items of a page in reading order.
#[cfg(test)]
fn page_items(page: Page) -> Vec<Item> {
    page_items_after(page, &mut None)
}

/// The items of a page in reading order; `carry` holds the columns of a table without ruling
/// lines that the previous page ended in, and receives those of this page's.
pub fn page_items_after(page: Page, carry: &mut Columns) -> Vec<Item> {
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
    // A ruled box around a table without inner lines (a frame): a cell holding lines cut into
    // columns by wide gaps is read like text outside tables.
    for cells in &mut in_cell {
        for glyphs in cells.iter_mut() {
            if holds_columns(glyphs) {
                for g in std::mem::take(glyphs) {
                    if g.upright {
                        free.push(g);
                    } else {
                        turned.push(g);
                    }
                }
            }
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
    let lines = FreeLines::new(group_lines(free), carry.take());
    *carry = lines.open_table();
    for (i, line) in lines.lines.iter().enumerate() {
        let top = line.iter().map(|g| g.top).fold(f64::MAX, f64::min);
        let order = items.len();
        let item = match lines.positional(i) {
            Some(cells) => Item::Grid(cells),
            None => Item::Line(free_line(line)),
        };
        items.push((top, order, item));
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
                Item::Line(cells) | Item::Grid(cells) => cells
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
    fn a_table_without_rules_puts_sparse_values_under_their_headings() {
        // Headings in two lines ("商业" over "企业"), a heading over two columns, a row with
        // every column filled and rows with values in some columns only; the last row on the
        // next page, under the heading printed on this one.
        let mut glyphs = word("申请人情况", 200.0, 20.0);
        glyphs.extend(word("法人组织", 230.0, 35.0));
        glyphs.extend(word("自然", 200.0, 50.0));
        glyphs.extend(word("商业", 240.0, 50.0));
        glyphs.extend(word("科研", 280.0, 50.0));
        glyphs.extend(word("总", 325.0, 50.0));
        glyphs.extend(word("人", 205.0, 65.0));
        glyphs.extend(word("企业", 240.0, 65.0));
        glyphs.extend(word("机构", 280.0, 65.0));
        glyphs.extend(word("计", 325.0, 65.0));
        glyphs.extend(word("本年新收", 0.0, 90.0));
        glyphs.extend(word("2", 205.0, 90.0));
        glyphs.extend(word("2", 325.0, 90.0));
        glyphs.extend(word("上年结转", 0.0, 110.0));
        for x in [205.0, 245.0, 285.0, 325.0] {
            glyphs.extend(word("1", x, 110.0));
        }
        glyphs.extend(word("予以公开", 0.0, 130.0));
        glyphs.extend(word("3", 285.0, 130.0));
        glyphs.extend(word("3", 325.0, 130.0));
        let mut carry = None;
        let items = page_items_after(
            Page {
                number: 1,
                glyphs,
                rules: Vec::new(),
            },
            &mut carry,
        );
        let shown = shown(&items);
        assert_eq!(shown[4..], ["本年新收|2|||2", "上年结转|1|1|1|1", "予以公开|||3|3"]);
        assert!(matches!(items[4], Item::Grid(_)) && matches!(items[5], Item::Line(_)));
        let mut glyphs = word("总计", 0.0, 20.0);
        glyphs.extend(word("5", 245.0, 20.0));
        glyphs.extend(word("5", 325.0, 20.0));
        let next = page_items_after(
            Page {
                number: 2,
                glyphs,
                rules: Vec::new(),
            },
            &mut carry,
        );
        assert_eq!(super::tests::shown(&next), ["总计||5||5"]);
    }

    #[test]
    fn a_frame_around_a_table_without_inner_rules_is_not_one_cell() {
        let rules = vec![
            h(0.0, -5.0, 400.0),
            h(100.0, -5.0, 400.0),
            v(-5.0, 0.0, 100.0),
            v(400.0, 0.0, 100.0),
        ];
        let mut glyphs = word("规章", 0.0, 30.0);
        glyphs.extend(word("0", 150.0, 30.0));
        glyphs.extend(word("1", 250.0, 30.0));
        glyphs.extend(word("规范性文件", 0.0, 60.0));
        glyphs.extend(word("2", 150.0, 60.0));
        glyphs.extend(word("3", 250.0, 60.0));
        let items = page_items(Page {
            number: 1,
            glyphs,
            rules,
        });
        assert_eq!(shown(&items), ["规章|0|1", "规范性文件|2|3"]);
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
