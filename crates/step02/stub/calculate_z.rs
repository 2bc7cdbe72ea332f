//! Step 02, dereference-optimised: pure_python_2.py and Cython's lessons.
//!
//! Your task: write `calculate_z` below so that it never indexes inside the
//! loop and never takes a square root, then run `cargo test -p step02`
//! and compare with step 01:
//! `cargo run --release -p step02 -- 1000 1000`.
//! Stuck? `cargo run -- hint 2`, and docs/src/step02-deref.md.
//!
//! Core (everyone, 10 minutes): `calculate_z` (hints 1-5).
//! Optional (if you finish early): time `cargo run -p step02 -- 1000 1000`
//! (the dev build) against `--release`, and read the loop's assembly (the
//! chapter's `cython -a` section).

use num_complex::Complex64;

/// For every point `q[i]`: iterate `z = z*z + q[i]` from z = 0 and record
/// the 0-based iteration at which `|z| > 2`; 0 if it never escapes within
/// `maxiter` iterations.
pub fn calculate_z(q: &[Complex64], maxiter: u32) -> Vec<u32> {
    // Same answer as step 01, cheaper to get:
    //
    // 1. Walk the points with an iterator: `q.iter().map(|&point| ...)`,
    //    and `.collect()` the per-point counts into the output Vec.
    // 2. For one point, keep z in two f64 locals `zr`, `zi` (start at 0.0)
    //    and read `point.re`, `point.im` once, before the loop.
    // 3. Each iteration, square and add in Python's order (the answer
    //    must match the tutorial's bit for bit):
    //        new zr = zr*zr - zi*zi + q.re
    //        new zi = 2.0*zr*zi + q.im      (use the OLD zr here)
    // 4. Escape when zr*zr + zi*zi > 4.0: the same test as |z| > 2,
    //    without the square root. Return the iteration; 0 if none.
    //
    // Then delete the line below.
    todo!()
}
