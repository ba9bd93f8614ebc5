//! Recovering cells whose boundaries vanished (`713000074` for 71|3|0|0|0|0|74), using the
//! table's own arithmetic. A reading is kept only when it is the only one possible.

/// Most candidate readings we enumerate before giving up (the row is then left unread).
const MAX_CANDIDATES: usize = 2000;

/// Most pieces tried for one row: a long run of digits has more ways to cut than can be tried,
/// and such a row is left unread rather than held up (the fuzzer found rows taking seconds).
const MAX_STEPS: usize = 200_000;

/// Every way to cut `tokens` (strings of digits) into exactly `cells` whole numbers, with no
/// leading zeros, that satisfies `accept`. `partial` prunes early: it is called with the values
/// read so far and must return false when no completion can be accepted.
pub fn splits(
    tokens: &[&str],
    cells: usize,
    partial: &dyn Fn(&[u64]) -> bool,
    accept: &dyn Fn(&[u64]) -> bool,
) -> Option<Vec<Vec<u64>>> {
    if tokens.iter().any(|t| t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let digits: usize = tokens.iter().map(|t| t.len()).sum();
    if digits < cells || tokens.len() > cells {
        return None;
    }
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(cells);
    let mut overflow = false;
    let mut steps = 0usize;
    walk(tokens, 0, 0, cells, &mut cur, partial, accept, &mut out, &mut (&mut overflow, &mut steps));
    (!overflow).then_some(out)
}

#[allow(clippy::too_many_arguments)]
fn walk(
    tokens: &[&str],
    tok: usize,
    pos: usize,
    cells: usize,
    cur: &mut Vec<u64>,
    partial: &dyn Fn(&[u64]) -> bool,
    accept: &dyn Fn(&[u64]) -> bool,
    out: &mut Vec<Vec<u64>>,
    state: &mut (&mut bool, &mut usize),
) {
    if *state.0 {
        return;
    }
    *state.1 += 1;
    if *state.1 > MAX_STEPS {
        *state.0 = true;
        return;
    }
    if tok == tokens.len() {
        if cur.len() == cells && accept(cur) {
            if out.len() >= MAX_CANDIDATES {
                *state.0 = true;
                return;
            }
            out.push(cur.clone());
        }
        return;
    }
    let t = tokens[tok].as_bytes();
    // Digits left in later tokens, and pieces they need at least.
    let rest_tokens = tokens.len() - tok - 1;
    let rest_digits: usize = tokens[tok + 1..].iter().map(|t| t.len()).sum();
    let remaining_here = t.len() - pos;
    for len in 1..=remaining_here.min(15) {
        if len > 1 && t[pos] == b'0' {
            break;
        }
        let value: u64 = t[pos..pos + len].iter().fold(0u64, |v, d| v.saturating_mul(10).saturating_add(u64::from(d - b'0')));
        cur.push(value);
        let done_token = pos + len == t.len();
        let pieces_left = cells as isize - cur.len() as isize;
        let digits_left = (remaining_here - len + rest_digits) as isize;
        let feasible = pieces_left >= 0
            && digits_left >= pieces_left
            && (pieces_left as usize) >= rest_tokens + usize::from(!done_token)
            && partial(cur);
        if feasible {
            if done_token {
                walk(tokens, tok + 1, 0, cells, cur, partial, accept, out, state);
            } else {
                walk(tokens, tok, pos + len, cells, cur, partial, accept, out, state);
            }
        }
        cur.pop();
    }
}

/// Readings of a 表三 row: seven cells, the six applicant columns adding up to the 总计.
pub fn applications_row(tokens: &[&str]) -> Option<Vec<Vec<u64>>> {
    splits(
        tokens,
        7,
        &|v| v.len() < 7 || v[..6].iter().sum::<u64>() == v[6],
        &|v| v[..6].iter().sum::<u64>() == v[6],
    )
}

/// Readings of several 表三 rows run together with the label between them lost
/// (`40000044000004` for 4|0|0|0|0|0|4 and 4|0|0|0|0|0|4): `rows` rows of seven, each adding up.
pub fn applications_rows_run_together(tokens: &[&str], rows: usize) -> Option<Vec<Vec<u64>>> {
    let ok = |v: &[u64]| v.chunks(7).all(|g| g.len() < 7 || g[..6].iter().sum::<u64>() == g[6]);
    splits(tokens, 7 * rows, &ok, &ok)
}

/// Readings of the 表四 data row: three groups of five, each ending in its 总计.
pub fn review_row(tokens: &[&str]) -> Option<Vec<Vec<u64>>> {
    let group_ok = |v: &[u64]| v.chunks(5).all(|g| g.len() < 5 || g[..4].iter().sum::<u64>() == g[4]);
    splits(tokens, 15, &group_ok, &group_ok)
}

/// The 表四 data row from fourteen values when one cell was lost (a table cut at the page
/// edge, a cell left out): every place the lost cell may have had is tried, its value taken from
/// its group's 总计 relation, and the row kept only when all the placements that satisfy every
/// group give the same fifteen values.
pub fn review_row_one_lost(values: &[u64]) -> Option<Vec<u64>> {
    if values.len() != 14 {
        return None;
    }
    let mut found: Option<Vec<u64>> = None;
    for j in 0..15 {
        let mut row: Vec<u64> = values.to_vec();
        row.insert(j, 0);
        let g = j / 5 * 5;
        let parts: u64 = (g..g + 4).filter(|&i| i != j).map(|i| row[i]).sum();
        row[j] = if j % 5 == 4 {
            parts
        } else {
            match row[g + 4].checked_sub(parts) {
                Some(x) => x,
                None => continue,
            }
        };
        if !row.chunks(5).all(|c| c[..4].iter().sum::<u64>() == c[4]) {
            continue;
        }
        match &found {
            Some(f) if *f != row => return None,
            _ => found = Some(row),
        }
    }
    found
}

/// Every way to join neighbouring `tokens` (strings of digits) into exactly `cells` whole
/// numbers that satisfies `accept`: the reading of a row where a rendering split one cell in two
/// (`1` `3` for 13, a number printed in two runs, or `5 00000 5`). A joined piece may not start
/// with 0. `None` when there are too many ways to enumerate.
pub fn merges(tokens: &[&str], cells: usize, accept: &dyn Fn(&[u64]) -> bool) -> Option<Vec<Vec<u64>>> {
    if tokens.len() <= cells || cells == 0 || tokens.len() > 3 * cells || tokens.iter().any(|t| t.is_empty() || t.len() > 15 || !t.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(cells);
    let mut overflow = false;
    merge_walk(tokens, 0, cells, &mut cur, accept, &mut out, &mut overflow);
    (!overflow).then_some(out)
}

fn merge_walk(tokens: &[&str], at: usize, cells: usize, cur: &mut Vec<u64>, accept: &dyn Fn(&[u64]) -> bool, out: &mut Vec<Vec<u64>>, overflow: &mut bool) {
    if *overflow {
        return;
    }
    if at == tokens.len() {
        if cur.len() == cells && accept(cur) {
            if out.len() >= MAX_CANDIDATES {
                *overflow = true;
                return;
            }
            out.push(cur.clone());
        }
        return;
    }
    let left = cells - cur.len();
    if left == 0 || tokens.len() - at < left {
        return;
    }
    let mut joined = String::new();
    // Leave at least one token for each cell still to fill.
    for end in at..=tokens.len() - left {
        joined.push_str(tokens[end]);
        if end > at && tokens[at].starts_with('0') || joined.len() > 15 {
            break;
        }
        let Ok(v) = joined.parse::<u64>() else { break };
        cur.push(v);
        merge_walk(tokens, end + 1, cells, cur, accept, out, overflow);
        cur.pop();
    }
}

/// Readings of a 表三 row printed with more pieces than cells.
pub fn applications_row_merged(tokens: &[&str]) -> Option<Vec<Vec<u64>>> {
    merges(tokens, 7, &|v| v[..6].iter().sum::<u64>() == v[6])
}

/// Readings of a row with no arithmetic: only the no-leading-zero rule applies.
pub fn plain_row(tokens: &[&str], cells: usize) -> Option<Vec<Vec<u64>>> {
    splits(tokens, cells, &|_| true, &|_| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_the_unique_reading_of_a_row() {
        assert_eq!(applications_row(&["713000074"]).unwrap(), vec![vec![71, 3, 0, 0, 0, 0, 74]]);
        assert_eq!(applications_row(&["0000000"]).unwrap(), vec![vec![0; 7]]);
    }

    #[test]
    fn reports_every_reading_when_several_fit() {
        let all = applications_row(&["0200201133"]).unwrap();
        assert_eq!(all.len(), 2, "{all:?}");
        assert!(all.contains(&vec![0, 2, 0, 0, 20, 11, 33]));
        assert!(all.contains(&vec![0, 20, 0, 2, 0, 11, 33]));
        assert_eq!(applications_row(&["1100002"]).unwrap(), vec![vec![1, 1, 0, 0, 0, 0, 2]]);
    }

    #[test]
    fn splits_the_review_row_by_group_totals() {
        let r = review_row(&["000002011400000"]).unwrap();
        assert_eq!(r, vec![vec![0, 0, 0, 0, 0, 2, 0, 1, 1, 4, 0, 0, 0, 0, 0]]);
    }

    #[test]
    fn a_lost_review_cell_is_recovered_only_when_every_placement_agrees() {
        // The last 总计 cut off: only one placement satisfies the totals.
        let cut = [1, 0, 0, 0, 1, 2, 0, 0, 1, 3, 0, 1, 0, 0];
        assert_eq!(review_row_one_lost(&cut).unwrap(), vec![1, 0, 0, 0, 1, 2, 0, 0, 1, 3, 0, 1, 0, 0, 1]);
        assert_eq!(review_row_one_lost(&[0; 14]).unwrap(), vec![0; 15]);
        // The first group's 总计 lost, or one of its parts: two different rows fit.
        assert!(review_row_one_lost(&[1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_none());
        // Nothing fits.
        assert!(review_row_one_lost(&[5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_none());
    }

    #[test]
    fn a_cell_printed_in_two_pieces_is_joined_only_when_unique() {
        // "1" "3" for 13 (a number in two spans, one per line).
        assert_eq!(applications_row_merged(&["1", "3", "0", "0", "0", "0", "0", "1", "3"]).unwrap(), vec![vec![13, 0, 0, 0, 0, 0, 13]]);
        // "5 00000 5": nothing to join, too few pieces.
        assert!(applications_row_merged(&["5", "0", "0", "0", "0", "0", "5"]).is_none());
        // Every way is reported, so that more than one means the row is not read.
        assert_eq!(merges(&["1", "2", "3"], 2, &|_| true).unwrap(), vec![vec![1, 23], vec![12, 3]]);
        // A joined piece never starts with 0.
        assert_eq!(merges(&["0", "5", "5"], 2, &|_| true).unwrap(), vec![vec![0, 55]]);
    }

    #[test]
    fn two_rows_run_together_are_split_by_both_totals() {
        let r = applications_rows_run_together(&["40000044000004"], 2).unwrap();
        assert_eq!(r, vec![vec![4, 0, 0, 0, 0, 0, 4, 4, 0, 0, 0, 0, 0, 4]]);
    }

    #[test]
    fn plain_rows_need_no_leading_zeros() {
        assert_eq!(plain_row(&["000"], 3).unwrap(), vec![vec![0, 0, 0]]);
        assert_eq!(plain_row(&["100"], 3).unwrap(), vec![vec![1, 0, 0]]);
        assert!(plain_row(&["123"], 2).unwrap().len() == 2);
    }
}
