//! Step 02, dereference-optimised: pure_python_2.py and Cython's lessons.
//!
//! Each point is read once into locals and the outputs come from an
//! iterator, so the inner loop touches no `Vec` and needs no bounds check;
//! the complex maths is written out in doubles and the escape test is
//! `|z|^2 > 4`, which needs no square root. Built with `--release` (and, if
//! you like, for your own CPU) this is the compiled-code baseline.

use num_complex::Complex64;

/// For every point `q[i]`: iterate `z = z*z + q[i]` from z = 0 and record
/// the 0-based iteration at which `|z| > 2`; 0 if it never escapes within
/// `maxiter` iterations.
pub fn calculate_z(q: &[Complex64], maxiter: u32) -> Vec<u32> {
    q.iter()
        .map(|&point| {
            let (qr, qi) = (point.re, point.im);
            let (mut zr, mut zi) = (0.0f64, 0.0f64);
            for iteration in 0..maxiter {
                // (zr + zi i)^2 + q in Python's order: real part first.
                let next_zr = zr * zr - zi * zi + qr;
                zi = 2.0 * zr * zi + qi;
                zr = next_zr;
                if zr * zr + zi * zi > 4.0 {
                    return iteration;
                }
            }
            0
        })
        .collect()
}
