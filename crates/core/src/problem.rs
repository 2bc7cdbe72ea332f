//! The tutorial's problem: its bounds, its grid and its points.
//!
//! Everything here repeats the 2011 scripts' own floating-point operations in
//! their order, so every step sees exactly the points Python saw.

use std::sync::OnceLock;

use num_complex::Complex64;

use crate::error::Error;

/// The complex-plane bounds: `x1, x2, y1, y2 = -2.13, 0.77, -1.3, 1.3`.
pub const X1: f64 = -2.13;
pub const X2: f64 = 0.77;
pub const Y1: f64 = -1.3;
pub const Y2: f64 = 1.3;

/// Bytes a run may hold per point: the points in both layouts (32), the
/// oracle's and the step's outputs (8), a step's working z (16), a picture
/// (3) and room for the rest. Used to refuse sizes before allocating.
pub const BYTES_PER_POINT: u64 = 96;

/// The x and y coordinates, built as the tutorial builds them: by repeated
/// f64 addition of a step that carries the tutorial's `* 2`, so rounding
/// drift can add a row or a column.
pub fn axes(w: u64) -> (Vec<f64>, Vec<f64>) {
    let h = w;
    let x_step = ((X2 - X1) / w as f64) * 2.0;
    let y_step = ((Y1 - Y2) / h as f64) * 2.0;
    let mut ys = Vec::new();
    let mut y = Y2;
    while y > Y1 {
        ys.push(y);
        y += y_step;
    }
    let mut xs = Vec::new();
    let mut x = X1;
    while x < X2 {
        xs.push(x);
        x += x_step;
    }
    (xs, ys)
}

/// An upper bound on the number of points `w` gives, without building
/// anything: each axis has about `w / 2` entries, drift adds at most one.
pub fn max_points(w: u64) -> u128 {
    let side = u128::from(w / 2 + 2);
    side * side
}

/// One run's input: the grid, its points in both layouts, and `maxiter`.
pub struct Problem {
    pub w: u64,
    pub maxiter: u32,
    /// x coordinates, left to right (the grid's columns).
    pub xs: Vec<f64>,
    /// y coordinates, top row first (the grid's rows).
    pub ys: Vec<f64>,
    /// The points row-major from the top row, as `complex(x, y)`.
    pub points: Vec<Complex64>,
    /// The same points as two arrays (structure of arrays) for vector steps.
    pub re: Vec<f64>,
    pub im: Vec<f64>,
    oracle: OnceLock<Vec<u32>>,
}

impl Problem {
    /// Builds the problem for `python X.py <w> <maxiter>`, refusing sizes that
    /// would not fit in this machine's memory before allocating them.
    pub fn new(w: u64, maxiter: u32) -> Result<Problem, Error> {
        if w == 0 || maxiter == 0 {
            return Err(Error::mistake("w and maxiter must both be at least 1"));
        }
        check_fits_in_memory(w)?;
        check_work(w, maxiter)?;
        let (xs, ys) = axes(w);
        let points: Vec<Complex64> = ys
            .iter()
            .flat_map(|&y| xs.iter().map(move |&x| Complex64::new(x, y)))
            .collect();
        let re = points.iter().map(|q| q.re).collect();
        let im = points.iter().map(|q| q.im).collect();
        Ok(Problem {
            w,
            maxiter,
            xs,
            ys,
            points,
            re,
            im,
            oracle: OnceLock::new(),
        })
    }

    pub fn rows(&self) -> usize {
        self.ys.len()
    }

    pub fn cols(&self) -> usize {
        self.xs.len()
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// `(row, column)` of the point at `index`.
    pub fn position(&self, index: usize) -> (usize, usize) {
        (index / self.cols(), index % self.cols())
    }

    /// The oracle's answer for this problem, computed once.
    pub fn oracle(&self) -> &[u32] {
        self.oracle
            .get_or_init(|| crate::oracle::calculate_z(&self.points, self.maxiter))
    }

    /// The z-updates this problem costs: the measure of work behind every
    /// "updates per second" the workshop prints.
    pub fn z_updates(&self) -> u64 {
        crate::oracle::z_updates(&self.points, self.oracle(), self.maxiter)
    }

    /// A short label, as the tutorial's command line: `1000 1000`.
    pub fn label(&self) -> String {
        format!("{} {}", self.w, self.maxiter)
    }
}

/// Refuses a `w` whose grid would not fit in the memory this process may
/// use ([`crate::limits::Memory`]).
pub fn check_fits_in_memory(w: u64) -> Result<(), Error> {
    check_fits_with(w, 0, "")
}

/// [`check_fits_in_memory`], with `extra` bytes beside the grid for what
/// grows with a count (`for`: " and 20,000 ranks' state"), so that the
/// line names both.
pub fn check_fits_with(w: u64, extra: u128, and: &str) -> Result<(), Error> {
    let needed = max_points(w)
        .saturating_mul(u128::from(BYTES_PER_POINT))
        .saturating_add(extra);
    crate::limits::check_memory(
        needed,
        || {
            format!(
                "w = {w} makes a grid of about {} points{and} needing",
                group_digits(max_points(w))
            )
        },
        "use a smaller w",
    )
}

/// The number of points `w` gives, exactly, once its grid is known to fit
/// ([`check_fits_in_memory`]): for the checks a count needs before any
/// work (more chunks than points, a block past the whole grid).
pub fn points(w: u64) -> Result<usize, Error> {
    check_fits_in_memory(w)?;
    let (xs, ys) = axes(w);
    Ok(xs.len() * ys.len())
}

/// Refuses a problem whose run could need more than
/// [`crate::limits::MAX_Z_UPDATES`] z-updates (every point inside the set).
pub fn check_work(w: u64, maxiter: u32) -> Result<(), Error> {
    let most = max_points(w).saturating_mul(u128::from(maxiter));
    if most <= crate::limits::MAX_Z_UPDATES {
        return Ok(());
    }
    Err(Error::mistake(format!(
        "w = {w} and maxiter = {maxiter} make up to {} z-updates, more than the {} a run may take (40,000 times the tutorial's `1000 1000`: hours on the CPU steps); use a smaller w or maxiter",
        group_digits(most),
        group_digits(crate::limits::MAX_Z_UPDATES)
    )))
}

/// `1234567` as `1,234,567`: large counts read at a glance.
pub fn group_digits(n: impl Into<u128>) -> String {
    let digits = n.into().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Bytes as `48 KiB`, `1.0 MiB`, `32 MiB`, `2.5 GiB`: cache sizes and
/// memory needs alike.
pub fn bytes_text(bytes: impl Into<u128>) -> String {
    let bytes = bytes.into();
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else if bytes >= 1 << 20 {
        let mib = bytes as f64 / (1u64 << 20) as f64;
        if mib >= 10.0 {
            format!("{mib:.0} MiB")
        } else {
            format!("{mib:.1} MiB")
        }
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_run_has_250000_points_top_row_first() {
        let p = Problem::new(1000, 1000).unwrap();
        assert_eq!((p.rows(), p.cols(), p.len()), (500, 500, 250_000));
        assert_eq!(p.points[0], Complex64::new(X1, Y2));
        assert!(p.points[p.cols()].im < Y2, "second row is lower");
        assert_eq!(p.re[7], p.points[7].re);
        assert_eq!(p.im[7], p.points[7].im);
    }

    #[test]
    fn drift_gives_grids_that_are_not_w_over_2_square() {
        // Shapes printed by tools/tutorial_reference.py (Python floats).
        for (w, rows, cols) in [(16, 9, 8), (28, 14, 15), (68, 35, 35), (128, 65, 64)] {
            let (xs, ys) = axes(w);
            assert_eq!((ys.len(), xs.len()), (rows, cols), "w = {w}");
            assert!(max_points(w) >= (rows * cols) as u128);
        }
    }

    #[test]
    fn sizes_beyond_memory_are_refused_before_allocating() {
        let err = Problem::new(10_000_000_000, 10).err().expect("refused");
        assert!(err.line.contains("use a smaller w"), "{err}");
        assert!(!err.line.contains('\n'));
    }

    #[test]
    fn runs_past_the_work_limit_are_refused_before_allocating() {
        let err = Problem::new(100, u32::MAX).err().expect("refused");
        assert!(err.line.contains("use a smaller w or maxiter"), "{err}");
        assert!(check_work(1000, 1000).is_ok());
        // One point that escapes at once: any maxiter is quick.
        assert!(check_work(1, u32::MAX).is_ok());
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(1148485u32), "1,148,485");
        assert_eq!(group_digits(999u32), "999");
        assert_eq!(bytes_text(48u64 << 10), "48 KiB");
        assert_eq!(bytes_text(1u64 << 20), "1.0 MiB");
        assert_eq!(bytes_text(32u64 << 20), "32 MiB");
        assert_eq!(bytes_text(5u64 << 29), "2.5 GiB");
        assert_eq!(group_digits(0u32), "0");
    }
}
