//! The oracle: a plain scalar f64 kernel with the tutorial's arithmetic.
//!
//! Python's complex multiply is `(a*c - b*d) + (a*d + b*c)j` and `abs` is a
//! hypot. Doing the same f64 operations in the same order, with no fused
//! multiply-add (Rust never fuses on its own), reproduces the tutorial bit
//! for bit. Every step is checked against this.

use num_complex::Complex64;
use rayon::prelude::*;

/// The 0-based iteration at which `q` escapes (`|z| > 2`), or 0 if it never
/// does within `maxiter` iterations: the tutorial's output for one point.
pub fn escape_iteration(q: Complex64, maxiter: u32) -> u32 {
    let (mut zr, mut zi) = (0.0f64, 0.0f64);
    for iteration in 0..maxiter {
        // z = z*z + q, in Python's order of operations.
        let sq_re = zr * zr - zi * zi;
        let sq_im = zr * zi + zi * zr;
        zr = sq_re + q.re;
        zi = sq_im + q.im;
        if zr.hypot(zi) > 2.0 {
            return iteration;
        }
    }
    0
}

/// The oracle's output for every point. Points are independent, so they are
/// shared out over threads; each one's arithmetic is untouched.
pub fn calculate_z(points: &[Complex64], maxiter: u32) -> Vec<u32> {
    points
        .par_iter()
        .with_min_len(1024)
        .map(|&q| escape_iteration(q, maxiter))
        .collect()
}

/// Whether `q` escaped on the very first iteration (z = q): the one case
/// where an output of 0 does not mean "never escaped".
pub fn escapes_at_once(q: Complex64) -> bool {
    q.re.hypot(q.im) > 2.0
}

/// Flops per z-update, the conversion behind every "% of peak", on the CPU
/// and the GPU: z*z + q and the escape test, counted as 8.
pub const FLOPS_PER_UPDATE: f64 = 8.0;

/// The z-updates behind `output`: `escape + 1` for each escaped point,
/// `maxiter` for each point that never escapes.
pub fn z_updates(points: &[Complex64], output: &[u32], maxiter: u32) -> u64 {
    points
        .iter()
        .zip(output)
        .map(|(&q, &escape)| {
            if escape > 0 || escapes_at_once(q) {
                u64::from(escape) + 1
            } else {
                u64::from(maxiter)
            }
        })
        .sum()
}

/// The tutorial's validation sum.
pub fn validation_sum(output: &[u32]) -> u64 {
    output.iter().map(|&n| u64::from(n)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Problem;

    /// Sizes and sums printed by tools/tutorial_reference.py, which runs the
    /// tutorial's own Python arithmetic: an independent check of the oracle.
    const PYTHON_SUMS: &[(u64, u32, usize, usize, u64)] = &[
        (100, 30, 50, 50, 6502),
        (16, 50, 9, 8, 251),
        (28, 100, 14, 15, 519),
        (68, 200, 35, 35, 4780),
        (128, 64, 65, 64, 12341),
        (333, 50, 167, 167, 80656),
        (300, 100, 150, 150, 75014),
    ];

    #[test]
    fn canonical_validation_sum_is_the_tutorials() {
        let p = Problem::new(1000, 1000).unwrap();
        assert_eq!(p.len(), 250_000);
        assert_eq!(validation_sum(p.oracle()), 1_148_485);
    }

    #[test]
    fn oracle_matches_python_on_square_and_drifted_grids() {
        for &(w, maxiter, rows, cols, sum) in PYTHON_SUMS {
            let p = Problem::new(w, maxiter).unwrap();
            assert_eq!((p.rows(), p.cols()), (rows, cols), "{w} {maxiter}");
            assert_eq!(validation_sum(p.oracle()), sum, "{w} {maxiter}");
        }
    }

    #[test]
    fn updates_count_first_step_escapes_and_prisoners_differently() {
        let outside = Complex64::new(2.5, 0.0);
        let inside = Complex64::new(0.0, 0.0);
        let slow = Complex64::new(-0.75, 0.1);
        let out = [escape_iteration(outside, 10), escape_iteration(inside, 10)];
        assert_eq!(out, [0, 0]);
        assert_eq!(z_updates(&[outside, inside], &out, 10), 1 + 10);
        let e = escape_iteration(slow, 1000);
        assert!(e > 0);
        assert_eq!(z_updates(&[slow], &[e], 1000), u64::from(e) + 1);
    }
}
