//! Step 01, pure: the tutorial's pure_python.py, line for line.
//!
//! The complex numbers live in a `Vec<Complex64>` and the inner loop reads
//! and writes `z[i]` and `q[i]` by index on every iteration, with `norm()`
//! (a hypot, Python's `abs`) as the escape test. Profile it before you
//! change anything: `cargo run -- hint 1` says how.

use num_complex::Complex64;

/// For every point `q[i]`: iterate `z = z*z + q[i]` from z = 0 and record
/// the 0-based iteration at which `|z| > 2`; 0 if it never escapes within
/// `maxiter` iterations.
// Indexing inside the loop is this step's point, so clippy's advice to
// iterate instead is the next step's lesson.
#[allow(clippy::needless_range_loop)]
pub fn calculate_z(q: &[Complex64], maxiter: u32) -> Vec<u32> {
    let mut z = vec![Complex64::new(0.0, 0.0); q.len()];
    let mut output = vec![0; q.len()];
    for i in 0..q.len() {
        for iteration in 0..maxiter {
            z[i] = z[i] * z[i] + q[i];
            if z[i].norm() > 2.0 {
                output[i] = iteration;
                break;
            }
        }
    }
    output
}
