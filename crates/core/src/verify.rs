//! Checking any step's output against the oracle.

use std::fmt;

use num_complex::Complex64;

use crate::problem::{group_digits, Problem};

/// How closely a step must agree with the oracle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    /// Every point identical: the step does the tutorial's arithmetic.
    Exact,
    /// Fused multiply-add or f32 moves a few points near the set's boundary,
    /// where the iteration is chaotic: at most this fraction of the points
    /// (rounded up to a whole point) may differ, by any number of iterations.
    Fraction(f64),
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tolerance::Exact => f.write_str("exact"),
            Tolerance::Fraction(share) => {
                write!(
                    f,
                    "at most {}% of points, rounded up, may differ",
                    share * 100.0
                )
            }
        }
    }
}

/// How far fused multiply-adds may move the answer: rounding once instead
/// of twice changes the escape iteration of some points on the set's
/// chaotic boundary, and more of them the longer the orbits run. Measured
/// with step 04 built for AVX-512: 0.0116% of points on `1000 1000`, 0.0067%
/// on `4000 1000`, 0.013% on `8000 2000`, 0.031% on `2000 10000`, 0.032% on
/// `1000 100000`; the bound leaves three times the largest. Steps that fuse
/// where the build allows declare this.
pub const FMA_TOLERANCE: Tolerance = Tolerance::Fraction(1e-3);

/// Whether `mul_add` on the workshop's vectors is one fused instruction in
/// this build (x86 with the `fma` target feature, or 64-bit Arm) or a
/// multiply and an add.
pub const FUSED: bool = mandel_isa::PORTABLE_FUSES;

/// The tolerance of a kernel that fuses multiply-adds where the build has
/// them (see [`FUSED`]) and does the tutorial's arithmetic
/// where it has not.
pub const WHERE_FUSED: Tolerance = if FUSED {
    FMA_TOLERANCE
} else {
    Tolerance::Exact
};

/// How far from the oracle a kernel running with `isa` may be: the FMA
/// tolerance where it fuses, else exact.
pub fn tolerance_with(isa: mandel_isa::Isa) -> Tolerance {
    if isa.fuses() {
        FMA_TOLERANCE
    } else {
        Tolerance::Exact
    }
}

/// One point where a step and the oracle disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub row: usize,
    pub col: usize,
    pub point: Complex64,
    pub oracle: u32,
    pub got: u32,
}

/// What a comparison found.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Points in the problem.
    pub points: usize,
    /// Values the step returned (a wrong length is a failure of its own).
    pub returned: usize,
    /// Points whose value differs.
    pub differing: usize,
    /// The largest difference, in iterations.
    pub largest: u32,
    /// The first few differences in row-major order.
    pub first: Vec<Difference>,
}

/// How many differences a report lists.
const LISTED: usize = 5;

impl Report {
    pub fn is_exact(&self) -> bool {
        self.returned == self.points && self.differing == 0
    }

    pub fn passes(&self, tolerance: Tolerance) -> bool {
        match tolerance {
            _ if self.returned != self.points => false,
            Tolerance::Exact => self.differing == 0,
            // Rounded up, so a tiny grid may still have its one chaotic point.
            Tolerance::Fraction(share) => {
                self.differing as f64 <= (share * self.points as f64).ceil()
            }
        }
    }

    /// One line: what differs, by how much, and where first.
    pub fn summary(&self) -> String {
        if self.returned != self.points {
            return format!(
                "returned {} values for {} points (one u32 per point, row-major from the top row)",
                group_digits(self.returned as u128),
                group_digits(self.points as u128)
            );
        }
        if self.differing == 0 {
            return format!(
                "all {} points match the oracle exactly",
                group_digits(self.points as u128)
            );
        }
        let listed: Vec<String> = self.first.iter().map(Difference::to_string).collect();
        format!(
            "{} of {} points differ from the oracle, by up to {} iteration{}; first: {}",
            group_digits(self.differing as u128),
            group_digits(self.points as u128),
            self.largest,
            if self.largest == 1 { "" } else { "s" },
            listed.join("; ")
        )
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {} col {} ({:+.6}{:+.6}i) gave {}, oracle {}",
            self.row, self.col, self.point.re, self.point.im, self.got, self.oracle
        )
    }
}

/// Compares `output` with the oracle's answer for `problem`.
pub fn compare(problem: &Problem, output: &[u32]) -> Report {
    compare_with(problem, problem.oracle(), output)
}

/// Compares `output` with another reference answer for `problem`'s points
/// (for a formula the oracle does not compute, say).
pub fn compare_with(problem: &Problem, oracle: &[u32], output: &[u32]) -> Report {
    let mut report = Report {
        points: oracle.len(),
        returned: output.len(),
        differing: 0,
        largest: 0,
        first: Vec::new(),
    };
    for (index, (&want, &got)) in oracle.iter().zip(output).enumerate() {
        if want == got {
            continue;
        }
        report.differing += 1;
        report.largest = report.largest.max(want.abs_diff(got));
        if report.first.len() < LISTED {
            let (row, col) = problem.position(index);
            report.first.push(Difference {
                row,
                col,
                point: problem.points[index],
                oracle: want,
                got,
            });
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_output_passes_and_a_changed_point_is_located() {
        let p = Problem::new(100, 30).unwrap();
        let mut out = p.oracle().to_vec();
        assert!(compare(&p, &out).is_exact());
        let index = 3 * p.cols() + 7;
        out[index] += 4;
        let report = compare(&p, &out);
        assert_eq!((report.differing, report.largest), (1, 4));
        assert_eq!((report.first[0].row, report.first[0].col), (3, 7));
        assert!(!report.passes(Tolerance::Exact));
        assert!(report.passes(Tolerance::Fraction(0.001)));
        assert!(
            report.summary().contains("row 3 col 7"),
            "{}",
            report.summary()
        );
    }

    #[test]
    fn wrong_length_never_passes() {
        let p = Problem::new(100, 30).unwrap();
        let report = compare(&p, &p.oracle()[1..]);
        assert!(!report.passes(Tolerance::Fraction(1.0)));
        assert!(report.summary().starts_with("returned 2,499 values"));
    }
}
