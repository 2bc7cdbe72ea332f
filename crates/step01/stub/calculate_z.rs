//! Step 01, pure: the tutorial's pure_python.py, line for line.
//!
//! Your task: write `calculate_z` below, then run `cargo test -p step01`
//! until it passes, and time it with
//! `cargo run --release -p step01 -- 1000 1000`.
//! Stuck? `cargo run -- hint 1`, and docs/src/step01-pure.md.
//!
//! Core (everyone, 10 minutes): `calculate_z` (hints 1-5).
//! Optional (if you finish early): draw it, `--png m.png --palette colour`,
//! and profile it (docs/src/profiling.md).

use num_complex::Complex64;

/// For every point `q[i]`: iterate `z = z*z + q[i]` from z = 0 and record
/// the 0-based iteration at which `|z| > 2`; 0 if it never escapes within
/// `maxiter` iterations.
pub fn calculate_z(q: &[Complex64], maxiter: u32) -> Vec<u32> {
    // Write it as the tutorial's Python does, indexing on every iteration:
    //
    // 1. `z`: a Vec of `Complex64::new(0.0, 0.0)`, as long as `q`;
    //    `output`: a Vec<u32> of zeros, as long as `q`.
    // 2. For each index `i` in `0..q.len()`,
    //    for each `iteration` in `0..maxiter`:
    //        z[i] = z[i] * z[i] + q[i];
    //        if z[i].norm() > 2.0, set output[i] = iteration and break.
    // 3. Return `output`.
    //
    // Then delete the line below.
    todo!()
}
