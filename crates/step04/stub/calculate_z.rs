//! Step 04, numexpr-style fused: what numexpr did for numpy_vector.py, by
//! hand.
//!
//! Your task: write `Z::iterate` and `escape_iterations` below: the fused,
//! interleaved, register-resident loop with an early exit. Then
//! `cargo test -p step04`, and compare with step 03:
//! `cargo run --release -p step04 -- 4000 1000`.
//! Stuck? `cargo run -- hint 4`, and docs/src/step04-fused.md.
//!
//! Core (everyone, 14 minutes): `Z::iterate` and `escape_iterations` as
//! the simple loop their comments describe: count with a mask on every
//! iteration, stop when every lane has escaped (hints 1-5).
//! Optional (if you finish early): the stretches without counting, and
//! where `FUSED` is true the four-instruction iteration (hint 6).
//!
//! Still structure of arrays and 8-lane `wide` vectors, but no more
//! whole-array passes: a block of points small enough to sit in cache is
//! taken a few vectors at a time, and for those the whole expression and the
//! iteration loop stay in registers until every lane has escaped (or
//! `maxiter`). Several independent vectors are interleaved so that while
//! one waits for its multiply, the others compute.

use mandel_core::verify::FUSED;
use wide::f64x8;

/// Points per SIMD vector.
pub const LANES: usize = 8;

/// Independent vectors in flight at once: enough to hide the latency of
/// the arithmetic, few enough that their state stays in registers. With
/// AVX-512 an `f64x8` is one of 32 registers; elsewhere it takes two AVX or
/// four SSE/NEON registers of 16 (32 on Arm), so fewer fit. (Measured on
/// the workshop's machine: 8 was best with AVX-512, 3 with AVX2, 2 with
/// SSE2.)
pub const INTERLEAVE: usize = if cfg!(target_feature = "avx512f") {
    8
} else if cfg!(target_feature = "avx") {
    3
} else {
    2
};

/// Points per block: numexpr's unit of work. The fused kernel keeps its
/// working set, a group of vectors, in registers, so for it the block size
/// hardly matters (measured on `4000 1000`: 64 to 4,002,000 points all
/// within 3%); `--expr`, whose temporaries are block-sized, depends on it.
pub const BLOCK: usize = 256;

/// Blocks of [`BLOCK`] points, each fused.
pub fn calculate_z(re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
    calculate_z_blocks(re, im, maxiter, BLOCK)
}

/// The fused kernel over `block` points at a time.
pub fn calculate_z_blocks(re: &[f64], im: &[f64], maxiter: u32, block: usize) -> Vec<u32> {
    let mut output = vec![0; re.len()];
    calculate_z_blocks_into(re, im, maxiter, block, &mut output);
    output
}

/// [`calculate_z_blocks`], written into `output`, one value per point:
/// for callers that already hold the memory for the answer.
pub fn calculate_z_blocks_into(
    re: &[f64],
    im: &[f64],
    maxiter: u32,
    block: usize,
    output: &mut [u32],
) {
    let block = block.max(1);
    for ((re, im), out) in re
        .chunks(block)
        .zip(im.chunks(block))
        .zip(output.chunks_mut(block))
    {
        fused(re, im, maxiter, out);
    }
}

/// Points that escape at once: they pad a group without holding it up.
const PADDING: f64 = 4.0;

/// One block, [`INTERLEAVE`] vectors at a time, everything in registers.
fn fused(re: &[f64], im: &[f64], maxiter: u32, output: &mut [u32]) {
    const GROUP: usize = LANES * INTERLEAVE;
    for ((re, im), out) in re
        .chunks(GROUP)
        .zip(im.chunks(GROUP))
        .zip(output.chunks_mut(GROUP))
    {
        let qr = vectors(re, PADDING);
        let qi = vectors(im, 0.0);
        let escaped = escape_iterations(&qr, &qi, maxiter);
        for (slot, n) in out
            .iter_mut()
            .zip(escaped.iter().flat_map(|v| v.to_array()))
        {
            *slot = n as u32;
        }
    }
}

/// Up to `GROUP` values as `INTERLEAVE` vectors, padded with `padding`.
fn vectors(values: &[f64], padding: f64) -> [f64x8; INTERLEAVE] {
    let mut lanes = [[padding; LANES]; INTERLEAVE];
    for (vector, chunk) in lanes.iter_mut().zip(values.chunks(LANES)) {
        vector[..chunk.len()].copy_from_slice(chunk);
    }
    lanes.map(f64x8::from)
}

/// z for `INTERLEAVE` vectors of points, with its squares kept: they are
/// both |z|^2 and the next iteration's `zr*zr - zi*zi`.
///
/// (Each `expect(dead_code)` here says that what it marks is unused until
/// your code uses it; the compiler then asks you to delete the line.)
#[expect(dead_code, reason = "delete once escape_iterations makes a Z")]
#[derive(Clone, Copy)]
struct Z {
    re: [f64x8; INTERLEAVE],
    im: [f64x8; INTERLEAVE],
    re2: [f64x8; INTERLEAVE],
    im2: [f64x8; INTERLEAVE],
}

#[expect(dead_code, reason = "delete once escape_iterations calls it")]
impl Z {
    /// One iteration, `z = z*z + q`, for every vector; returns which lanes
    /// are still inside `|z| <= 2`.
    #[inline(always)]
    fn iterate(
        &mut self,
        qr: &[f64x8; INTERLEAVE],
        qi: &[f64x8; INTERLEAVE],
    ) -> [f64x8; INTERLEAVE] {
        // For each v in 0..INTERLEAVE, in Python's order:
        //     self.im[v] = multiply_add(self.re[v] + self.re[v], self.im[v], qi[v]);
        //     self.re[v] = self.re2[v] - self.im2[v] + qr[v];
        //     then the new squares into re2[v] and im2[v],
        //     and inside[v] = (re2 + im2).simd_le(f64x8::splat(4.0)).
        // Return `inside`. (The loop over v is what interleaves the vectors:
        // the compiler unrolls it and the CPU overlaps the independent work.)
        todo!()
    }
}

/// The tutorial's output for `INTERLEAVE` vectors of points: the 0-based
/// iteration at which each escapes, 0 if it never does.
///
/// Escape is for good: after it |z| only grows (to infinity, then NaN,
/// which compares false), so a lane's count of iterations inside is its
/// escape iteration: count every iteration, and stop once no lane is
/// inside. (Counting costs as much as the arithmetic: the reference
/// solution runs stretches of iterations without counting, and replays a
/// stretch, counting, only when some lane escaped during it. Hint 6, once
/// yours passes.)
#[inline(always)]
fn escape_iterations(
    qr: &[f64x8; INTERLEAVE],
    qi: &[f64x8; INTERLEAVE],
    maxiter: u32,
) -> [f64x8; INTERLEAVE] {
    // Count every iteration:
    //
    // 1. z: a `Z` with every field `[f64x8::ZERO; INTERLEAVE]`;
    //    survived: `[f64x8::ZERO; INTERLEAVE]`, the iterations each lane stayed inside.
    // 2. For each of the maxiter iterations: `let inside = z.iterate(qr, qi);`
    //    then for each v, add one where inside:
    //        survived[v] = inside[v].select(survived[v] + f64x8::ONE, survived[v]);
    //    and stop early when no lane of any vector is inside any more
    //    (`inside[v].any()` is false for every v).
    // 3. A lane that never escaped survived all maxiter iterations and must
    //    read 0: `survived.map(|s| s.simd_eq(never).select(f64x8::ZERO, s))`
    //    with `never = f64x8::splat(f64::from(maxiter))`.
    //
    // Then delete the line below.
    todo!()
}

/// `a * b + c`: fused where the build has a fused multiply-add (see
/// [`FUSED`]), a multiply then an add, exactly as the tutorial, otherwise.
#[expect(dead_code, reason = "delete once iterate calls it")]
#[inline(always)]
fn multiply_add(a: f64x8, b: f64x8, c: f64x8) -> f64x8 {
    if FUSED {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}
