//! Error localisation, after Fellegi and Holt's rule for editing survey records: when the
//! relations of a table fail, the misreadings are taken to be the fewest read numbers which, made
//! unknown together with the cells OCR lost, let every relation hold with counts (whole numbers,
//! never negative).
//!
//! The one-cell tests of [`super::vet`] look at a failing relation and the other relations of
//! each of its cells. They fail when the misreadings are many and share columns: under a seal
//! over two columns, `80` for `0` in one row and `6` for `0` in another make one column fail
//! twice over, so no single cell of either row makes every relation of it hold. Counting the
//! fewest cells that explain all failures at once finds them: each row that fails needs one of
//! its cells changed, and only the cells its failing column shares with it keep the column a sum
//! of counts.
//!
//! Pure logic over the relations and the values read; the caller nulls what is found, and the
//! arithmetic then solves and checks those cells like any it could not read.

use super::{Ref, Relation};
use std::collections::{BTreeSet, HashMap};

/// The most misreadings looked for at once. More than this in one table is noise the relations
/// cannot sort out; the caller falls back on blaming every unconfirmed cell.
const MAX_MISREADINGS: usize = 8;

/// Search steps allowed before giving up (each step solves the relations once).
const MAX_STEPS: usize = 20_000;

/// The most equally small explanations taken together: their cells are all blamed. Beyond this
/// the evidence points nowhere in particular.
const MAX_EXPLANATIONS: usize = 4;

/// The cells found to be misread, each with the value the relations force on it when every
/// explanation forces the same one.
pub(super) type Misreadings = Vec<(Ref, Option<f64>)>;

/// The fewest cells, among those `may_be_misread` allows, whose values, once unknown, let every
/// relation hold with counts; all of them when a few sets are equally small. `None` when the
/// relations hold, or no small explanation is found within the search's bounds.
pub(super) fn fewest_misreadings(rels: &[Relation], value: &dyn Fn(Ref) -> Option<f64>, may_be_misread: &dyn Fn(Ref) -> bool) -> Option<Misreadings> {
    let read: HashMap<Ref, Option<f64>> = rels.iter().flat_map(|r| r.cells()).map(|x| (x, value(x))).collect();
    let search = Search { rels, read: &read, may_be_misread };
    if search.solve(&BTreeSet::new()).is_ok() {
        return None;
    }
    let mut steps = 0;
    for most in 1..=MAX_MISREADINGS {
        let mut found: Vec<(BTreeSet<Ref>, HashMap<Ref, f64>)> = Vec::new();
        if !search.explain(&mut BTreeSet::new(), &mut BTreeSet::new(), most, &mut found, &mut steps) {
            return None;
        }
        if found.is_empty() {
            continue;
        }
        if found.len() > MAX_EXPLANATIONS {
            return None;
        }
        let cells: BTreeSet<Ref> = found.iter().flat_map(|(set, _)| set.iter().copied()).collect();
        let forced = |x: Ref| -> Option<f64> {
            let mut values = found.iter().map(|(set, solved)| if set.contains(&x) { solved.get(&x).copied() } else { None });
            let first = values.next().flatten()?;
            values.all(|v| v == Some(first)).then_some(first)
        };
        return Some(cells.into_iter().map(|x| (x, forced(x))).collect());
    }
    None
}

struct Search<'a> {
    rels: &'a [Relation],
    read: &'a HashMap<Ref, Option<f64>>,
    may_be_misread: &'a dyn Fn(Ref) -> bool,
}

impl Search<'_> {
    /// Every set of at most `most` cells (beyond `chosen`, none of `barred`) that explains the
    /// failures, into `found`. False when the steps ran out.
    fn explain(&self, chosen: &mut BTreeSet<Ref>, barred: &mut BTreeSet<Ref>, most: usize, found: &mut Vec<(BTreeSet<Ref>, HashMap<Ref, f64>)>, steps: &mut usize) -> bool {
        *steps += 1;
        if *steps > MAX_STEPS || found.len() > MAX_EXPLANATIONS {
            return *steps <= MAX_STEPS;
        }
        let open = |cells: &mut dyn Iterator<Item = Ref>| -> Vec<Ref> { cells.filter(|x| !chosen.contains(x) && !barred.contains(x) && self.read.get(x).is_some_and(|v| v.is_some()) && (self.may_be_misread)(*x)).collect() };
        let mut conflicts: Vec<Vec<Ref>> = self.rels.iter().filter(|r| self.cannot_hold(r, chosen)).map(|r| open(&mut r.cells())).collect();
        if conflicts.iter().any(|c| c.is_empty()) {
            return true;
        }
        // Relations with no cell in common each need a cell of their own: a bound on how many
        // more are needed, which cuts every branch that cannot explain within `most`.
        conflicts.sort_by_key(|c| c.len());
        let mut taken: BTreeSet<Ref> = BTreeSet::new();
        let mut apart = 0;
        for c in &conflicts {
            if c.iter().all(|x| !taken.contains(x)) {
                taken.extend(c.iter().copied());
                apart += 1;
            }
        }
        if chosen.len() + apart > most {
            return true;
        }
        let options = match conflicts.into_iter().next() {
            Some(smallest) => smallest,
            None => match self.solve(chosen) {
                Ok(solved) => {
                    found.push((chosen.clone(), solved));
                    return true;
                }
                Err(cause) => open(&mut cause.into_iter()),
            },
        };
        if chosen.len() == most {
            return true;
        }
        // Some cell of the conflict must be misread: try each, and leave it out of the later
        // branches so that no set is tried twice.
        let mut ok = true;
        for &x in &options {
            chosen.insert(x);
            ok = self.explain(chosen, barred, most, found, steps);
            chosen.remove(&x);
            barred.insert(x);
            if !ok {
                break;
            }
        }
        for x in &options {
            barred.remove(x);
        }
        ok
    }

    /// Whether relation `r` cannot hold with the cells of `unknown` and the lost cells unknown,
    /// the rest as read: it is complete and fails, or its one unknown would be a negative or
    /// fractional count, or its unknowns, all on one side, would add up to a negative sum.
    fn cannot_hold(&self, r: &Relation, unknown: &BTreeSet<Ref>) -> bool {
        let known = |x: Ref| self.read.get(&x).copied().flatten().filter(|_| !unknown.contains(&x));
        if r.holds_with(known) == Some(false) {
            return true;
        }
        let ((l, lmiss), (rv, rmiss)) = r.sides(known);
        lmiss + rmiss == 1 && ((l - rv) - (l - rv).round()).abs() > 1e-9
    }

    /// Solves the relations with the cells of `unknown` and the lost cells unknown: each relation
    /// with one unknown gives its value, over and over. `Err` with the cells of a relation that
    /// cannot hold (with the relations its solved values came from): a complete one that fails,
    /// one asking a negative or fractional count, or one whose unknowns, all on one side, would
    /// have to make up a negative sum.
    fn solve(&self, unknown: &BTreeSet<Ref>) -> Result<HashMap<Ref, f64>, BTreeSet<Ref>> {
        let mut values: HashMap<Ref, f64> = self.read.iter().filter(|(x, _)| !unknown.contains(x)).filter_map(|(x, v)| v.map(|v| (*x, v))).collect();
        // Each solved cell's source relation.
        let mut source: HashMap<Ref, usize> = HashMap::new();
        let cause = |k: usize, source: &HashMap<Ref, usize>| -> BTreeSet<Ref> {
            let mut cells = BTreeSet::new();
            let mut stack = vec![k];
            let mut seen = vec![false; self.rels.len()];
            while let Some(k) = stack.pop() {
                if std::mem::replace(&mut seen[k], true) {
                    continue;
                }
                for x in self.rels[k].cells() {
                    cells.insert(x);
                    if let Some(&s) = source.get(&x) {
                        stack.push(s);
                    }
                }
            }
            cells
        };
        let sum = |side: &[Ref], values: &HashMap<Ref, f64>| -> (f64, Vec<Ref>) {
            let mut known = 0.0;
            let mut missing = Vec::new();
            for x in side {
                match values.get(x) {
                    Some(v) => known += v,
                    None => missing.push(*x),
                }
            }
            (known, missing)
        };
        // Complete relations that fail come first: they need no solving to be in conflict.
        let mut order: Vec<usize> = (0..self.rels.len()).collect();
        order.sort_by_key(|&k| self.rels[k].cells().filter(|x| !values.contains_key(x)).count());
        loop {
            let mut progress = false;
            for &k in &order {
                let r = &self.rels[k];
                let (l, lmiss) = sum(&r.lhs, &values);
                let (rv, rmiss) = sum(&r.rhs, &values);
                match (lmiss.len(), rmiss.len()) {
                    (0, 0) if (l - rv).abs() > 1e-9 => return Err(cause(k, &source)),
                    (0, 0) => {}
                    (1, 0) | (0, 1) => {
                        let (x, v) = if lmiss.len() == 1 { (lmiss[0], rv - l) } else { (rmiss[0], l - rv) };
                        if v < -1e-9 || (v - v.round()).abs() > 1e-9 {
                            return Err(cause(k, &source));
                        }
                        values.insert(x, v.round().max(0.0));
                        source.insert(x, k);
                        progress = true;
                    }
                    // Unknowns on one side only: counts add up to what the other side leaves.
                    (_, 0) if rv - l < -1e-9 => return Err(cause(k, &source)),
                    (0, _) if l - rv < -1e-9 => return Err(cause(k, &source)),
                    _ => {}
                }
            }
            if !progress {
                break;
            }
        }
        Ok(unknown.iter().filter_map(|x| values.get(x).map(|v| (*x, *v))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_model::TableId;

    fn x(r: usize, c: usize) -> Ref {
        (TableId::Applications, r, c)
    }

    /// A 3×3 block of counts with row totals (column 3) and column totals (row 3).
    fn grid() -> (Vec<Relation>, HashMap<Ref, Option<f64>>) {
        let truth = [[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [4.0, 1.0, 0.0]];
        let mut read = HashMap::new();
        let mut rels = Vec::new();
        for r in 0..3 {
            for c in 0..3 {
                read.insert(x(r, c), Some(truth[r][c]));
            }
            read.insert(x(r, 3), Some(truth[r].iter().sum()));
            rels.push(Relation { lhs: (0..3).map(|c| x(r, c)).collect(), rhs: vec![x(r, 3)] });
        }
        for c in 0..4 {
            let total: f64 = (0..3).map(|r| read[&x(r, c)].unwrap()).sum();
            read.insert(x(3, c), Some(total));
            rels.push(Relation { lhs: (0..3).map(|r| x(r, c)).collect(), rhs: vec![x(3, c)] });
        }
        (rels, read)
    }

    fn localize(rels: &[Relation], read: &HashMap<Ref, Option<f64>>) -> Option<Misreadings> {
        fewest_misreadings(rels, &|y| read.get(&y).copied().flatten(), &|_| true)
    }

    #[test]
    fn tables_that_add_up_have_nothing_to_localise() {
        let (rels, read) = grid();
        assert_eq!(localize(&rels, &read), None);
    }

    #[test]
    fn two_misreadings_in_one_column_each_in_its_own_row_are_both_found_with_their_values() {
        let (rels, mut read) = grid();
        read.insert(x(1, 1), Some(6.0));
        read.insert(x(2, 1), Some(9.0));
        assert_eq!(localize(&rels, &read), Some(vec![(x(1, 1), Some(0.0)), (x(2, 1), Some(1.0))]));
    }

    #[test]
    fn a_lost_cell_is_an_unknown_not_a_misreading() {
        let (rels, mut read) = grid();
        read.insert(x(0, 0), None);
        read.insert(x(1, 1), Some(6.0));
        assert_eq!(localize(&rels, &read), Some(vec![(x(1, 1), Some(0.0))]));
    }

    #[test]
    fn an_explanation_that_asks_a_negative_count_is_not_taken() {
        // Row 0 reads 1 + 8 + 2 = 3: either 8 is misread (0) or its total (11), but 11 would make
        // the total column add up to 11 + 0 + 5 = 16, more than the 8 at its foot, so only a
        // second misreading there could allow it. One cell explains it: 8.
        let (rels, mut read) = grid();
        read.insert(x(0, 1), Some(8.0));
        assert_eq!(localize(&rels, &read), Some(vec![(x(0, 1), Some(0.0))]));
    }

    #[test]
    fn equally_small_explanations_are_all_blamed_without_a_value() {
        // A row with two cells and its total, no column: any one of the three explains it.
        let rels = vec![Relation { lhs: vec![x(0, 0), x(0, 1)], rhs: vec![x(0, 2)] }];
        let read: HashMap<Ref, Option<f64>> = [(x(0, 0), Some(1.0)), (x(0, 1), Some(1.0)), (x(0, 2), Some(5.0))].into();
        assert_eq!(localize(&rels, &read), Some(vec![(x(0, 0), None), (x(0, 1), None), (x(0, 2), None)]));
    }

    #[test]
    fn cells_the_caller_rules_out_are_never_blamed() {
        let (rels, mut read) = grid();
        read.insert(x(1, 1), Some(6.0));
        let found = fewest_misreadings(&rels, &|y| read.get(&y).copied().flatten(), &|y| y != x(1, 1));
        // Without 6 the fewest are its row's total, its column's total and the grand total.
        assert_eq!(found, Some(vec![(x(1, 3), Some(6.0)), (x(3, 1), Some(7.0)), (x(3, 3), Some(14.0))]));
    }
}
