//! Step 03, vector: the tutorial's numpy_vector.py, and numpy_vector_2.py's
//! blocks.
//!
//! Your task: write `vector_passes` below, numpy style: every iteration is
//! one pass over the whole block with `wide` SIMD vectors of 8 lanes, and
//! no early exit. Then `cargo test -p step03`, and compare:
//! `cargo run --release -p step03 -- 1000 1000` (whole array) and
//! `cargo run --release -p step03 -- 1000 1000 --block 20000` (blocks).
//! Stuck? `cargo run -- hint 3`, and docs/src/step03-vector.md.
//!
//! Core (everyone, 12 minutes): `vector_passes` (hints 1-5).
//! Optional (if you finish early): other `--block` sizes on your machine,
//! from 1000 to the whole array, against the chapter's sweep.

use wide::f64x8;

/// Points per SIMD vector.
pub const LANES: usize = 8;

/// The whole array at once, as numpy_vector.py does.
pub fn calculate_z(re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
    calculate_z_blocks(re, im, maxiter, re.len())
}

/// numpy_vector_2.py: the same whole-array passes, over `block` points at a
/// time, so that a block's arrays can stay in a cache for all `maxiter`
/// passes.
pub fn calculate_z_blocks(re: &[f64], im: &[f64], maxiter: u32, block: usize) -> Vec<u32> {
    let mut output = Vec::with_capacity(re.len());
    for (re, im) in re.chunks(block.max(1)).zip(im.chunks(block.max(1))) {
        output.extend(vector_passes(re, im, maxiter));
    }
    output
}

/// `maxiter` passes over one block, each pass doing the tutorial's vector
/// statements on every point.
fn vector_passes(re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
    // The points as vectors (make them `mut`: step 2 zeroes escaped ones).
    let (qr, qi) = (to_vectors(re), to_vectors(im));
    // 1. Three more Vec<f64x8> of f64x8::ZERO, as many as qr: zr, zi and
    //    output.
    // 2. For iteration in 0..maxiter (no early exit!), let
    //    now = f64x8::splat(f64::from(iteration)); then for every vector k:
    //      z = z*z + q, in Python's order (so the answer is exact):
    //        next_r = r*r - i*i + qr[k];  next_i = (r + r)*i + qi[k]
    //      done = (next_r*next_r + next_i*next_i).simd_gt(f64x8::splat(4.0))
    //      output[k] = done.select(now, output[k]);
    //      and zero qr[k], qi[k] and z where done:
    //        zr[k] = done.select(f64x8::ZERO, next_r); ... likewise the rest.
    // 3. Return output's lanes in order (`v.to_array()`), only the first
    //    re.len() of them, each `as u32`.
    //
    // Then delete the line below.
    todo!()
}

/// A slice as whole vectors, the last one padded with zeros.
fn to_vectors(values: &[f64]) -> Vec<f64x8> {
    values
        .chunks(LANES)
        .map(|chunk| {
            let mut lanes = [0.0; LANES];
            lanes[..chunk.len()].copy_from_slice(chunk);
            f64x8::from(lanes)
        })
        .collect()
}
