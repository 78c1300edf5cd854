//! Small-cell suppression of a fund's unit × month table (`docs/bundle.md`, "Small cells").
//!
//! The table: one row per settlement unit, one column per month; each cell is a unit's month
//! (points, total cost, personal burden, cases, and the month results computed from them). Its
//! margins are published too: a row's total is the unit's year, a column's total the fund's
//! month (points, pool, point value), and the grand total the fund's year.
//!
//! **Primary suppression**: a cell, row or column derived from at least one and fewer than
//! `min_cases` cases is not published. **Complementary suppression**, so that no hidden figure
//! comes back by subtraction from a published total: repeated until nothing changes,
//!
//! 1. in each row and each column with a published total, the hidden cells are at least two
//!    and hold together at least `min_cases` cases (what a reader can recover by subtraction is
//!    their sum, which must itself not be a small cell); the same for the hidden rows under the
//!    fund's year and the hidden columns under it;
//! 2. no hidden figure is determined by the published ones: seen as a graph (rows, columns and
//!    the two total lines as vertices, each hidden cell or total as an edge), a hidden figure is
//!    determined exactly when its edge is a bridge, so every bridge is broken by hiding one more
//!    figure across it.
//!
//! Each step hides the published figure with the fewest cases. The fund's year (the grand total)
//! is always published: a fund with fewer than `min_cases` cases cannot be published at all.

/// Which figures of one fund are hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Per unit: its year (aggregates and results).
    pub rows: Vec<bool>,
    /// Per unit and month (January first).
    pub cells: Vec<[bool; 12]>,
    /// Per month: the fund's month.
    pub columns: [bool; 12],
}

impl Plan {
    pub fn any(&self) -> bool {
        self.rows.iter().any(|&r| r) || self.columns.iter().any(|&c| c) || self.cells.iter().flatten().any(|&c| c)
    }
}

/// An edge of the extended table: a cell, a row total, a column total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Cell(usize, usize),
    Row(usize),
    Column(usize),
}

struct Table<'a> {
    cells: &'a [[u64; 12]],
    rows: &'a [u64],
    columns: [u64; 12],
    min: u64,
}

impl Table<'_> {
    fn small(&self, n: u64) -> bool {
        n > 0 && n < self.min
    }

    fn cases(&self, e: Edge) -> u64 {
        match e {
            Edge::Cell(u, m) => self.cells[u][m],
            Edge::Row(u) => self.rows[u],
            Edge::Column(m) => self.columns[m],
        }
    }

    /// Vertices: rows 0..R, the total row R, columns R+1..R+12, the total column R+13.
    fn ends(&self, e: Edge) -> (usize, usize) {
        let r = self.rows.len();
        match e {
            Edge::Cell(u, m) => (u, r + 1 + m),
            Edge::Row(u) => (u, r + 13),
            Edge::Column(m) => (r, r + 1 + m),
        }
    }

    /// Every figure that exists (derived from at least one case); the grand total is not one.
    fn edges(&self) -> Vec<Edge> {
        let mut out = Vec::new();
        for (u, row) in self.cells.iter().enumerate() {
            out.extend((0..12).filter(|&m| row[m] > 0).map(|m| Edge::Cell(u, m)));
        }
        out.extend((0..self.rows.len()).filter(|&u| self.rows[u] > 0).map(Edge::Row));
        out.extend((0..12).filter(|&m| self.columns[m] > 0).map(Edge::Column));
        out
    }
}

/// The hidden figures of one fund: `cells[u][m]` and `rows[u]` are case counts (a unit's year
/// may hold cases without a month); `min_cases` ≤ 1 hides nothing.
pub fn plan(cells: &[[u64; 12]], rows: &[u64], min_cases: u64) -> Plan {
    let mut columns = [0u64; 12];
    for row in cells {
        for (c, n) in columns.iter_mut().zip(row) {
            *c += n;
        }
    }
    let t = Table {
        cells,
        rows,
        columns,
        min: min_cases,
    };
    let edges = t.edges();
    let mut hidden: Vec<bool> = edges.iter().map(|&e| t.small(t.cases(e))).collect();
    loop {
        if let Some(j) = worst_vertex(&t, &edges, &hidden).or_else(|| bridge_fix(&t, &edges, &hidden)) {
            hidden[j] = true;
            continue;
        }
        break;
    }
    let mut out = Plan {
        rows: vec![false; rows.len()],
        cells: vec![[false; 12]; cells.len()],
        columns: [false; 12],
    };
    for (e, h) in edges.iter().zip(&hidden) {
        if *h {
            match *e {
                Edge::Cell(u, m) => out.cells[u][m] = true,
                Edge::Row(u) => out.rows[u] = true,
                Edge::Column(m) => out.columns[m] = true,
            }
        }
    }
    // Hidden rows and columns hide all their cells (each is part of a hidden figure's detail).
    for (u, row) in cells.iter().enumerate() {
        for (m, &n) in row.iter().enumerate() {
            if n > 0 && (out.rows[u] || out.columns[m]) {
                out.cells[u][m] = true;
            }
        }
    }
    out
}

/// Rule 1: the first vertex whose hidden edges are one, or fewer than `min` cases while its
/// total is published; returns the published edge to hide next (the one with fewest cases at
/// that vertex, its total if no other is left).
fn worst_vertex(t: &Table, edges: &[Edge], hidden: &[bool]) -> Option<usize> {
    let r = t.rows.len();
    // Hidden rows and columns first hide their cells.
    let mut rows_hidden = vec![false; r];
    let mut columns_hidden = [false; 12];
    for (e, &h) in edges.iter().zip(hidden) {
        match *e {
            Edge::Row(u) if h => rows_hidden[u] = true,
            Edge::Column(m) if h => columns_hidden[m] = true,
            _ => {}
        }
    }
    for (i, &e) in edges.iter().enumerate() {
        if let Edge::Cell(u, m) = e {
            if !hidden[i] && (rows_hidden[u] || columns_hidden[m]) {
                return Some(i);
            }
        }
    }
    let mut adjacent: Vec<Vec<usize>> = vec![Vec::new(); r + 14];
    for (i, &e) in edges.iter().enumerate() {
        let (a, b) = t.ends(e);
        adjacent[a].push(i);
        adjacent[b].push(i);
    }
    for (v, at) in adjacent.iter().enumerate() {
        let hid: Vec<usize> = at.iter().copied().filter(|&i| hidden[i]).collect();
        if hid.is_empty() {
            continue;
        }
        // The vertex's own total: for a row its year, for a column its month; the two total
        // lines' total is the fund's year, always published.
        let total_hidden = hid.iter().any(|&i| match edges[i] {
            Edge::Row(u) => v == u,
            Edge::Column(m) => v == r + 1 + m,
            Edge::Cell(..) => false,
        });
        let sum: u64 = hid.iter().map(|&i| t.cases(edges[i])).sum();
        let short = hid.len() < 2 || (!total_hidden && sum < t.min);
        if !short {
            continue;
        }
        let candidate = at
            .iter()
            .copied()
            .filter(|&i| !hidden[i])
            .min_by_key(|&i| (matches!(edges[i], Edge::Row(_) | Edge::Column(_)), t.cases(edges[i])));
        if candidate.is_some() {
            return candidate;
        }
    }
    None
}

/// Rule 2: a hidden edge that is a bridge of the hidden graph is determined by the published
/// figures; hide the published edge with fewest cases that joins its two sides.
fn bridge_fix(t: &Table, edges: &[Edge], hidden: &[bool]) -> Option<usize> {
    let n = t.rows.len() + 14;
    let mut adjacent: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (i, &e) in edges.iter().enumerate().filter(|&(i, _)| hidden[i]) {
        let (a, b) = t.ends(e);
        adjacent[a].push((b, i));
        adjacent[b].push((a, i));
    }
    let bridge = bridges(&adjacent).into_iter().next()?;
    // The side of one end without the bridge; any published edge from it to the other side
    // closes a cycle through the bridge.
    let (a, _) = t.ends(edges[bridge]);
    let mut side = vec![false; n];
    side[a] = true;
    let mut stack = vec![a];
    while let Some(v) = stack.pop() {
        for &(w, i) in &adjacent[v] {
            if i != bridge && !side[w] {
                side[w] = true;
                stack.push(w);
            }
        }
    }
    (0..edges.len())
        .filter(|&i| !hidden[i])
        .filter(|&i| {
            let (p, q) = t.ends(edges[i]);
            side[p] != side[q]
        })
        .min_by_key(|&i| (matches!(edges[i], Edge::Row(_) | Edge::Column(_)), t.cases(edges[i])))
}

/// The bridges of a graph (Tarjan's low-link), as edge ids.
fn bridges(adjacent: &[Vec<(usize, usize)>]) -> Vec<usize> {
    fn visit(
        v: usize,
        via: Option<usize>,
        adjacent: &[Vec<(usize, usize)>],
        order: &mut [usize],
        low: &mut [usize],
        next: &mut usize,
        out: &mut Vec<usize>,
    ) {
        *next += 1;
        order[v] = *next;
        low[v] = *next;
        for &(w, i) in &adjacent[v] {
            if Some(i) == via {
                continue;
            }
            if order[w] == 0 {
                visit(w, Some(i), adjacent, order, low, next, out);
                low[v] = low[v].min(low[w]);
                if low[w] > order[v] {
                    out.push(i);
                }
            } else {
                low[v] = low[v].min(order[w]);
            }
        }
    }
    let n = adjacent.len();
    let (mut order, mut low, mut next, mut out) = (vec![0; n], vec![0; n], 0, Vec::new());
    for v in 0..n {
        if order[v] == 0 {
            visit(v, None, adjacent, &mut order, &mut low, &mut next, &mut out);
        }
    }
    out
}

#[cfg(test)]
/// Whether a plan leaves some hidden figure determined by the published ones (a bridge), or a
/// published total whose hidden part is one figure or fewer than `min_cases` cases.
pub fn leaks(cells: &[[u64; 12]], rows: &[u64], min_cases: u64, plan: &Plan) -> bool {
    let mut columns = [0u64; 12];
    for row in cells {
        for (c, n) in columns.iter_mut().zip(row) {
            *c += n;
        }
    }
    let t = Table {
        cells,
        rows,
        columns,
        min: min_cases,
    };
    let edges = t.edges();
    let hidden: Vec<bool> = edges
        .iter()
        .map(|e| match *e {
            Edge::Cell(u, m) => plan.cells[u][m],
            Edge::Row(u) => plan.rows[u],
            Edge::Column(m) => plan.columns[m],
        })
        .collect();
    let small_published = edges.iter().zip(&hidden).any(|(&e, &h)| !h && t.small(t.cases(e)));
    small_published || worst_vertex(&t, &edges, &hidden).is_some() || bridge_fix(&t, &edges, &hidden).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(usize, u64)]) -> [u64; 12] {
        let mut r = [0; 12];
        for &(m, n) in pairs {
            r[m] = n;
        }
        r
    }

    #[test]
    fn nothing_is_hidden_when_every_cell_is_large() {
        let cells = [row(&[(0, 20), (1, 30)]), row(&[(0, 15), (1, 12)])];
        let p = plan(&cells, &[50, 27], 10);
        assert!(!p.any());
    }

    #[test]
    fn one_small_cell_takes_a_second_in_its_row_and_its_column() {
        let cells = [
            row(&[(0, 3), (1, 30), (2, 40)]),
            row(&[(0, 20), (1, 25), (2, 50)]),
            row(&[(0, 30), (1, 35), (2, 60)]),
        ];
        let rows = [73, 95, 125];
        let p = plan(&cells, &rows, 10);
        assert!(p.cells[0][0]);
        assert!(p.cells[0].iter().filter(|&&h| h).count() >= 2);
        assert!(p.cells.iter().filter(|r| r[0]).count() >= 2);
        assert!(!p.rows.iter().any(|&r| r) && !p.columns.iter().any(|&c| c));
        assert!(!leaks(&cells, &rows, 10, &p));
    }

    #[test]
    fn single_case_months_hide_the_months_and_small_units() {
        // SPEC §10: eleven single-case months in three units of 4, 4 and 3 cases.
        let cells = [
            row(&[(0, 1), (1, 1), (2, 1), (3, 1)]),
            row(&[(4, 1), (5, 1), (6, 1), (7, 1)]),
            row(&[(8, 1), (9, 1), (10, 1)]),
        ];
        let rows = [4, 4, 3];
        let p = plan(&cells, &rows, 10);
        assert!(p
            .cells
            .iter()
            .zip(&cells)
            .all(|(h, n)| (0..12).all(|m| n[m] == 0 || h[m])));
        assert!(p.rows.iter().all(|&r| r));
        assert!((0..11).all(|m| p.columns[m]));
        assert!(!leaks(&cells, &rows, 10, &p));
    }

    #[test]
    fn min_cases_one_hides_nothing() {
        let cells = [row(&[(0, 1)])];
        assert!(!plan(&cells, &[1], 1).any());
    }
}
