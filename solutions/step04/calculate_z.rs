//! Step 04, numexpr-style fused: what numexpr did for numpy_vector.py, by
//! hand.
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

/// Iterations between exit tests: short at first, when most points escape,
/// doubling to [`LONGEST_STRETCH`] for the points that stay. Multiples of
/// three: see the stretch loop in [`escape_iterations`].
const FIRST_STRETCH: u32 = 3;
const LONGEST_STRETCH: u32 = 48;

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

/// z for `INTERLEAVE` vectors of points. Without a fused multiply-add its
/// squares are kept too: they are both |z|^2 and the next iteration's
/// `zr*zr - zi*zi`.
#[derive(Clone, Copy)]
struct Z {
    re: [f64x8; INTERLEAVE],
    im: [f64x8; INTERLEAVE],
    re2: [f64x8; INTERLEAVE],
    im2: [f64x8; INTERLEAVE],
}

impl Z {
    /// One iteration, `z = z*z + q`, for every vector; returns which lanes
    /// are still inside `|z| <= 2`.
    #[inline(always)]
    fn iterate(
        &mut self,
        qr: &[f64x8; INTERLEAVE],
        qi: &[f64x8; INTERLEAVE],
    ) -> [f64x8; INTERLEAVE] {
        let four = f64x8::splat(4.0);
        let mut inside = [f64x8::ZERO; INTERLEAVE];
        for v in 0..INTERLEAVE {
            if FUSED {
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

/// The tutorial's output for `INTERLEAVE` vectors of points: the 0-based
/// iteration at which each escapes, 0 if it never does.
///
/// Escape is for good: after it |z| only grows (to infinity, then NaN,
/// which compares false), so a lane's count of iterations inside is its
/// escape iteration. Counting costs as much as the arithmetic, so the loop
/// runs stretches of iterations without counting, and
/// replays a stretch, counting, only when some lane escaped during it.
#[inline(always)]
fn escape_iterations(
    qr: &[f64x8; INTERLEAVE],
    qi: &[f64x8; INTERLEAVE],
    maxiter: u32,
) -> [f64x8; INTERLEAVE] {
    let zero = [f64x8::ZERO; INTERLEAVE];
    let mut z = Z {
        re: zero,
        im: zero,
        re2: zero,
        im2: zero,
    };
    let mut survived = zero;
    let mut alive = [f64x8::ZERO.simd_eq(f64x8::ZERO); INTERLEAVE];
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
        let whole = f64x8::splat(f64::from(stretch));
        for v in 0..INTERLEAVE {
            survived[v] = inside[v].select(survived[v] + whole, survived[v]);
        }
        let escaped: [f64x8; INTERLEAVE] = std::array::from_fn(|v| alive[v] & !inside[v]);
        if escaped.iter().any(|e| e.any()) {
            // Replay the stretch, counting iteration by iteration, only as
            // far as the last lane that escaped in it; then carry on from
            // the stretch's end.
            let end = z;
            z.re = start_re;
            z.im = start_im;
            for v in 0..INTERLEAVE {
                z.re2[v] = z.re[v] * z.re[v];
                z.im2[v] = z.im[v] * z.im[v];
            }
            for _ in 0..stretch {
                let inside = z.iterate(qr, qi);
                let mut escaping = false;
                for v in 0..INTERLEAVE {
                    let counted = escaped[v] & inside[v];
                    survived[v] = counted.select(survived[v] + f64x8::ONE, survived[v]);
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
        if !(0..INTERLEAVE).any(|v| alive[v].any()) {
            break;
        }
    }
    // A point that escapes at iteration e survived e iterations; one that
    // never escapes survived them all and reads 0, as in the tutorial.
    let never = f64x8::splat(f64::from(maxiter));
    survived.map(|s| s.simd_eq(never).select(f64x8::ZERO, s))
}
