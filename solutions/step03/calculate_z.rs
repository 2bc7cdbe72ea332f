//! Step 03, vector: the tutorial's numpy_vector.py, and numpy_vector_2.py's
//! blocks.
//!
//! The points arrive as two arrays, real parts and imaginary parts
//! (structure of arrays), and every iteration is one pass over the whole
//! array with `wide` SIMD vectors of 8 lanes, as numpy works: `z = z*z + q`;
//! `done = |z| > 2`; record the iteration where `done`; zero `z` and `q`
//! there, so a finished point stays at 0 and never counts again. There is
//! no early exit: every point pays for all `maxiter` iterations.

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
// One index across five arrays reads most plainly here.
#[allow(clippy::needless_range_loop)]
fn vector_passes(re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
    // Padding lanes get q = 0: z stays 0, so they never escape.
    let mut qr = to_vectors(re);
    let mut qi = to_vectors(im);
    let mut zr = vec![f64x8::ZERO; qr.len()];
    let mut zi = vec![f64x8::ZERO; qr.len()];
    let mut output = vec![f64x8::ZERO; qr.len()];
    let four = f64x8::splat(4.0);
    for iteration in 0..maxiter {
        let now = f64x8::splat(f64::from(iteration));
        for k in 0..qr.len() {
            // z = z*z + q, in Python's order (2*r*i is exact doubling).
            let (r, i) = (zr[k], zi[k]);
            let next_r = r * r - i * i + qr[k];
            let next_i = (r + r) * i + qi[k];
            // done = abs(z) > 2, as |z|^2 > 4.
            let done = (next_r * next_r + next_i * next_i).simd_gt(four);
            // output = where(done, iteration, output); q, z = where(done, 0, ...)
            output[k] = done.select(now, output[k]);
            qr[k] = done.select(f64x8::ZERO, qr[k]);
            qi[k] = done.select(f64x8::ZERO, qi[k]);
            zr[k] = done.select(f64x8::ZERO, next_r);
            zi[k] = done.select(f64x8::ZERO, next_i);
        }
    }
    output
        .iter()
        .flat_map(|v| v.to_array())
        .take(re.len())
        .map(|n| n as u32)
        .collect()
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
