//! Step 04, numexpr-style fused: what numexpr did for numpy_vector.py, by
//! hand.
//!
//! Still structure of arrays and 8-lane `wide` vectors, but no more
//! whole-array passes: a block of points small enough to sit in cache is
//! taken a few vectors at a time, and for those the whole expression and the
//! iteration loop stay in registers until every lane has escaped (or
//! `maxiter`). Several independent vectors are interleaved so that while
//! one waits for its multiply, the others compute.
//!
//! Written once, over the vector operations of `step04::simd` (the names
//! are `wide`'s): [`calculate_z`] runs it with `wide`'s `f64x8`, and
//! `step04::fastest` with AVX-512 or AVX2+FMA when this CPU has them.

use step04::simd::{Mask, Portable, Simd, Vector};

/// Points per SIMD vector.
pub const LANES: usize = step04::simd::LANES;

/// Independent vectors in flight at once: enough to hide the latency of
/// the arithmetic, few enough that their state stays in registers. With
/// AVX-512 an `f64x8` is one of 32 registers; elsewhere it takes two AVX or
/// four SSE/NEON registers of 16 (32 on Arm), so fewer fit. (Measured on
/// the workshop's machine: 8 was best with AVX-512, 3 with AVX2, 2 with
/// SSE2.) This is the portable kernel's; `step04::fastest` has its own
/// for the instruction sets it picks at run time.
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
    fused_blocks::<_, INTERLEAVE>(Portable, re, im, maxiter, block, output);
}

/// [`calculate_z_blocks_into`] with the vectors of `simd`, `N` in flight.
/// Everything below is `#[inline(always)]`, so that it all compiles into
/// the caller: for `step04::fastest`, a function compiled for `simd`'s
/// instructions.
#[inline(always)]
pub fn fused_blocks<S: Simd, const N: usize>(
    simd: S,
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
        fused::<S, N>(simd, re, im, maxiter, out);
    }
}

/// Iterations between exit tests: short at first, when most points escape,
/// doubling to [`LONGEST_STRETCH`] for the points that stay. Multiples of
/// three: see the stretch loop in [`escape_iterations`].
const FIRST_STRETCH: u32 = 3;
const LONGEST_STRETCH: u32 = 48;

/// Points that escape at once: they pad a group without holding it up.
const PADDING: f64 = 4.0;

/// One block, `N` vectors at a time, everything in registers.
#[inline(always)]
fn fused<S: Simd, const N: usize>(
    simd: S,
    re: &[f64],
    im: &[f64],
    maxiter: u32,
    output: &mut [u32],
) {
    let group = LANES * N;
    for ((re, im), out) in re
        .chunks(group)
        .zip(im.chunks(group))
        .zip(output.chunks_mut(group))
    {
        let qr = vectors::<S, N>(simd, re, PADDING);
        let qi = vectors::<S, N>(simd, im, 0.0);
        let escaped = escape_iterations(simd, &qr, &qi, maxiter);
        for (counts, out) in escaped.iter().zip(out.chunks_mut(LANES)) {
            counts.store_counts(out);
        }
    }
}

/// Up to `LANES * N` values as `N` vectors, padded with `padding`.
#[inline(always)]
fn vectors<S: Simd, const N: usize>(simd: S, values: &[f64], padding: f64) -> [S::Vector; N] {
    let mut vectors = [simd.splat(padding); N];
    for (vector, chunk) in vectors.iter_mut().zip(values.chunks(LANES)) {
        *vector = simd.load(chunk, padding);
    }
    vectors
}

/// z for `N` vectors of points, and the instructions it is computed with.
/// Without a fused multiply-add its squares are kept too: they are both
/// |z|^2 and the next iteration's `zr*zr - zi*zi`.
#[derive(Clone, Copy)]
struct Z<S: Simd, const N: usize> {
    simd: S,
    re: [S::Vector; N],
    im: [S::Vector; N],
    re2: [S::Vector; N],
    im2: [S::Vector; N],
}

impl<S: Simd, const N: usize> Z<S, N> {
    /// One iteration, `z = z*z + q`, for every vector; returns which lanes
    /// are still inside `|z| <= 2`.
    #[inline(always)]
    fn iterate(&mut self, qr: &[S::Vector; N], qi: &[S::Vector; N]) -> [S::Mask; N] {
        let four = self.simd.splat(4.0);
        // Every lane true, until the loop below sets them.
        let mut inside = [four.simd_eq(four); N];
        for v in 0..N {
            if S::FUSED {
                // Four instructions where Python's order takes six: three
                // fused multiply-adds and an add. Each rounds once, so a few
                // points near the set's edge escape an iteration earlier
                // or later: the step's tolerance.
                let (re, im) = (self.re[v], self.im[v]);
                self.re[v] = re.mul_add(re, im.mul_neg_add(im, qr[v]));
                self.im[v] = (re + re).mul_add(im, qi[v]);
                let norm = self.re[v].mul_add(self.re[v], self.im[v] * self.im[v]);
                inside[v] = norm.simd_le(four);
            } else {
                // Python's order, with the squares kept for the next round.
                self.im[v] = (self.re[v] + self.re[v]) * self.im[v] + qi[v];
                self.re[v] = self.re2[v] - self.im2[v] + qr[v];
                self.re2[v] = self.re[v] * self.re[v];
                self.im2[v] = self.im[v] * self.im[v];
                inside[v] = (self.re2[v] + self.im2[v]).simd_le(four);
            }
        }
        inside
    }
}

/// The tutorial's output for `N` vectors of points: the 0-based
/// iteration at which each escapes, 0 if it never does.
///
/// Escape is for good: after it |z| only grows (to infinity, then NaN,
/// which compares false), so a lane's count of iterations inside is its
/// escape iteration. Counting costs as much as the arithmetic, so the loop
/// runs stretches of iterations without counting, and
/// replays a stretch, counting, only when some lane escaped during it.
#[inline(always)]
fn escape_iterations<S: Simd, const N: usize>(
    simd: S,
    qr: &[S::Vector; N],
    qi: &[S::Vector; N],
    maxiter: u32,
) -> [S::Vector; N] {
    let zero = simd.splat(0.0);
    let mut z = Z {
        simd,
        re: [zero; N],
        im: [zero; N],
        re2: [zero; N],
        im2: [zero; N],
    };
    let mut survived = [zero; N];
    let mut alive = [zero.simd_eq(zero); N];
    let mut iterations = 0;
    let mut next_stretch = FIRST_STRETCH;
    while iterations < maxiter {
        let stretch = next_stretch.min(maxiter - iterations);
        next_stretch = (next_stretch * 2).min(LONGEST_STRETCH);
        // Where the stretch began: z alone, its squares follow from it.
        let (start_re, start_im) = (z.re, z.im);
        let mut inside = alive;
        // Three iterations a turn: a fused multiply-add overwrites one of
        // its inputs, so z's registers swap roles each iteration and come
        // back to where they started after three; with whole turns of three
        // the compiler needs no copies between them. (Measured: 3-4% faster.)
        for _ in 0..stretch / 3 {
            z.iterate(qr, qi);
            z.iterate(qr, qi);
            inside = z.iterate(qr, qi);
        }
        for _ in 0..stretch % 3 {
            inside = z.iterate(qr, qi);
        }
        // Lanes inside all along survived the whole stretch.
        let whole = simd.splat(f64::from(stretch));
        for v in 0..N {
            survived[v] = inside[v].select(survived[v] + whole, survived[v]);
        }
        // Loops, not closures, from here on: a closure is not inlined
        // before the intrinsics in it must be (see `step04::simd`).
        let mut escaped = alive;
        let mut any_escaped = false;
        for v in 0..N {
            escaped[v] = alive[v] & !inside[v];
            any_escaped |= escaped[v].any();
        }
        if any_escaped {
            // Replay the stretch, counting iteration by iteration, only as
            // far as the last lane that escaped in it; then carry on from
            // the stretch's end.
            let end = z;
            z.re = start_re;
            z.im = start_im;
            for v in 0..N {
                z.re2[v] = z.re[v] * z.re[v];
                z.im2[v] = z.im[v] * z.im[v];
            }
            let one = simd.splat(1.0);
            for _ in 0..stretch {
                let inside = z.iterate(qr, qi);
                let mut escaping = false;
                for v in 0..N {
                    let counted = escaped[v] & inside[v];
                    survived[v] = counted.select(survived[v] + one, survived[v]);
                    escaping |= counted.any();
                }
                if !escaping {
                    break;
                }
            }
            z = end;
        }
        alive = inside;
        iterations += stretch;
        let mut any_alive = false;
        for lanes in alive {
            any_alive |= lanes.any();
        }
        if !any_alive {
            break;
        }
    }
    // A point that escapes at iteration e survived e iterations; one that
    // never escapes survived them all and reads 0, as in the tutorial.
    let never = simd.splat(f64::from(maxiter));
    for s in survived.iter_mut() {
        *s = s.simd_eq(never).select(zero, *s);
    }
    survived
}
