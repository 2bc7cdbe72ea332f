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
//! `step04::dispatch` with AVX-512 or AVX2+FMA when this CPU has them.
//!
//! The exercise is [`Z::iterate`] and [`escape_iterations`]; the rest,
//! from "Going further" on, is the reference's speed: stretches without
//! counting, and a sieve that packs the points still inside into full
//! groups (the chapter's "Going further: the sieve").

use step04::simd::{Mask, Portable, Simd, Vector};

/// Points per SIMD vector.
pub const LANES: usize = step04::simd::LANES;

/// Independent vectors in flight at once: enough to hide the latency of
/// the arithmetic, few enough that their state stays in registers. With
/// AVX-512 an `f64x8` is one of 32 registers; elsewhere it takes two AVX or
/// four SSE/NEON registers of 16 (32 on Arm), so fewer fit. (Measured on
/// the workshop's machine: 6 was best with AVX-512, 3 with AVX2, 2 with
/// SSE2.) This is the portable kernel's; `step04::dispatch` has its own
/// for the instruction sets it picks at run time.
pub const INTERLEAVE: usize = if cfg!(target_feature = "avx512f") {
    6
} else if cfg!(target_feature = "avx") {
    3
} else {
    2
};

/// Points per block: numexpr's unit of work. The fused kernel keeps a
/// group of vectors in registers; its sieve packs a block's survivors
/// into full groups, so a block holds many groups (16,384 points: their
/// c's are 256 KiB, the L2 cache's).
pub const BLOCK: usize = 16384;

/// Whether the portable kernel runs the sieve ("Going further", below).
/// `cargo run --release -p lab -- sieve` times it both ways: it paid with
/// AVX-512's wide vectors and cost with SSE2's, whose groups are smaller.
/// (The mistakes catalogue turns it on in every build, to check them.)
pub const SIEVE: bool = cfg!(target_feature = "avx512f");

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
    fused_blocks::<_, INTERLEAVE>(Portable, re, im, maxiter, block, SIEVE, output);
}

/// [`calculate_z_blocks_into`] with the vectors of `simd`, `N` in flight,
/// and with the sieve or without it (every group from the first iteration
/// to the last: the chapter's "before"). Everything below is
/// `#[inline(always)]`, so that it all compiles into the caller: for
/// `step04::dispatch`, a function compiled for `simd`'s instructions.
#[inline(always)]
pub fn fused_blocks<S: Simd, const N: usize>(
    simd: S,
    re: &[f64],
    im: &[f64],
    maxiter: u32,
    block: usize,
    sieve: bool,
    output: &mut [u32],
) {
    let block = block.max(1);
    let mut sieve = Sieve::<S, N>::new(simd, maxiter, sieve);
    for ((re, im), out) in re
        .chunks(block)
        .zip(im.chunks(block))
        .zip(output.chunks_mut(block))
    {
        sieve.block(re, im, out);
    }
}

/// Points that escape at once: they pad a group without holding it up.
const PADDING: f64 = 4.0;

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
    /// z, and its squares.
    #[inline(always)]
    fn new(simd: S, re: [S::Vector; N], im: [S::Vector; N]) -> Self {
        let mut z = Z {
            simd,
            re,
            im,
            re2: re,
            im2: im,
        };
        for v in 0..N {
            z.re2[v] = re[v] * re[v];
            z.im2[v] = im[v] * im[v];
        }
        z
    }

    /// One iteration, `z = z*z + q`, for every vector; returns which lanes
    /// are still inside `|z| <= 2`.
    #[inline(always)]
    fn iterate(&mut self, qr: &[S::Vector; N], qi: &[S::Vector; N]) -> [S::Mask; N] {
        self.step(qr, qi);
        self.inside()
    }

    /// One iteration without the test (the stretches' loop).
    #[inline(always)]
    fn step(&mut self, qr: &[S::Vector; N], qi: &[S::Vector; N]) {
        for v in 0..N {
            if S::FUSED {
                // Four instructions where Python's order takes six: three
                // fused multiply-adds and an add. Each rounds once, so a few
                // points near the set's edge escape an iteration earlier
                // or later: the step's tolerance. (In this order each
                // instruction can overwrite its own input: the compiler
                // needs no copies between iterations.)
                let (re, im) = (self.re[v], self.im[v]);
                self.re[v] = im.mul_neg_add(im, re.mul_add(re, qr[v]));
                self.im[v] = (re + re).mul_add(im, qi[v]);
            } else {
                // Python's order, with the squares kept for the next round.
                self.im[v] = (self.re[v] + self.re[v]) * self.im[v] + qi[v];
                self.re[v] = self.re2[v] - self.im2[v] + qr[v];
                self.re2[v] = self.re[v] * self.re[v];
                self.im2[v] = self.im[v] * self.im[v];
            }
        }
    }

    /// Which lanes are inside `|z| <= 2`.
    #[inline(always)]
    fn inside(&self) -> [S::Mask; N] {
        let four = self.simd.splat(4.0);
        // Every lane true, until the loop below sets them.
        let mut inside = [four.simd_eq(four); N];
        for (v, inside) in inside.iter_mut().enumerate() {
            let norm = if S::FUSED {
                self.re[v].mul_add(self.re[v], self.im[v] * self.im[v])
            } else {
                self.re2[v] + self.im2[v]
            };
            *inside = norm.simd_le(four);
        }
        inside
    }
}

/// How many iterations each lane of `N` vectors of points stays inside,
/// from iteration `start`, where `z` is, to `end` at most, counted on
/// every iteration; `z` is left where the lanes still inside are.
///
/// Escape is for good: after it |z| only grows (to infinity, then NaN,
/// which compares false), so a lane's count of iterations inside is its
/// escape iteration, and the loop can stop once no lane is inside.
#[inline(always)]
fn escape_iterations<S: Simd, const N: usize>(
    simd: S,
    qr: &[S::Vector; N],
    qi: &[S::Vector; N],
    z: &mut Z<S, N>,
    start: u32,
    end: u32,
) -> [S::Vector; N] {
    let one = simd.splat(1.0);
    let mut survived = [simd.splat(f64::from(start)); N];
    for _ in start..end {
        let inside = z.iterate(qr, qi);
        // Loops, not closures: a closure is not inlined before the
        // intrinsics in it must be (see `step04::simd`).
        let mut any_inside = false;
        for v in 0..N {
            survived[v] = inside[v].select(survived[v] + one, survived[v]);
            any_inside |= inside[v].any();
        }
        if !any_inside {
            break;
        }
    }
    survived
}

// Going further: the rest of this file is the reference's speed, not the
// exercise. See the chapter's "Going further: the sieve".

/// Iterations between exit tests: from [`FIRST_STRETCH`] (more for points
/// that have lasted), doubling to [`LONGEST_STRETCH`].
const FIRST_STRETCH: u32 = 3;
const LONGEST_STRETCH: u32 = 192;

/// [`escape_iterations`] without counting on every iteration: counting
/// and testing cost as much as the arithmetic, so the loop runs stretches
/// of iterations without them, and replays a stretch, counting, only when
/// some lane escaped during it. The answer goes into `memo.survived`.
#[inline(always)]
fn escape_iterations_in_stretches<S: Simd, const N: usize>(
    simd: S,
    qr: &[S::Vector; N],
    qi: &[S::Vector; N],
    z: &mut Z<S, N>,
    start: u32,
    end: u32,
    memo: &mut Memo<N>,
) {
    let zero = simd.splat(0.0);
    memo.survived = [[f64::from(start); LANES]; N];
    let mut alive = [zero.simd_eq(zero); N];
    let mut iterations = start;
    // Points that lasted long are likely to last: the first stretch is
    // longer the later the stage starts.
    let mut next_stretch = (start / 2).clamp(FIRST_STRETCH, LONGEST_STRETCH);
    while iterations < end {
        let stretch = next_stretch.min(end - iterations);
        next_stretch = (next_stretch * 2).min(LONGEST_STRETCH);
        // Where the stretch began: z alone, its squares follow from it.
        for v in 0..N {
            memo.start_re[v] = z.re[v].to_array();
            memo.start_im[v] = z.im[v].to_array();
        }
        // Three iterations a turn: the loop's own instructions are few
        // beside the arithmetic.
        for _ in 0..stretch / 3 {
            z.step(qr, qi);
            z.step(qr, qi);
            z.step(qr, qi);
        }
        for _ in 0..stretch % 3 {
            z.step(qr, qi);
        }
        let inside = z.inside();
        // Lanes inside all along survived the whole stretch.
        let whole = simd.splat(f64::from(stretch));
        let mut escaped = alive;
        let mut any_escaped = false;
        for v in 0..N {
            let survived = simd.load(&memo.survived[v], 0.0);
            memo.survived[v] = inside[v].select(survived + whole, survived).to_array();
            escaped[v] = alive[v] & !inside[v];
            any_escaped |= escaped[v].any();
        }
        if any_escaped {
            // Replay the stretch for each vector in which a lane escaped,
            // alone, counting iteration by iteration, only as far as the
            // last lane that escaped in it.
            let one = simd.splat(1.0);
            for v in 0..N {
                if !escaped[v].any() {
                    continue;
                }
                let (qr, qi) = ([qr[v]], [qi[v]]);
                let start_re = simd.load(&memo.start_re[v], 0.0);
                let start_im = simd.load(&memo.start_im[v], 0.0);
                let mut replay = Z::<S, 1>::new(simd, [start_re], [start_im]);
                let mut survived = simd.load(&memo.survived[v], 0.0);
                for _ in 0..stretch {
                    let [inside] = replay.iterate(&qr, &qi);
                    let counted = escaped[v] & inside;
                    if !counted.any() {
                        break;
                    }
                    survived = survived + counted.select(one, zero);
                }
                memo.survived[v] = survived.to_array();
            }
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
}

/// Each lane's numbers that the stretches' loop does not use, kept in
/// memory so that the loop has every register for z and c. (Kept in
/// local variables, the compiler held them in registers, and the loop
/// copied values from register to register.)
struct Memo<const N: usize> {
    survived: [[f64; LANES]; N],
    start_re: [[f64; LANES]; N],
    start_im: [[f64; LANES]; N],
}

/// Where the sieve's first stage ends. On the tutorial's view most points
/// have escaped by then, and those left do nearly all the work.
const FIRST_STAGE: u32 = 16;
/// Each later stage is this many times as long as the one before.
const STAGE_GROWTH: u32 = 4;

/// A sieve. A group of vectors runs as long as its slowest lane, so one
/// point inside the set keeps all of its group's lanes busy for `maxiter`
/// iterations, most of them for nothing. So every point runs only a
/// first, short stage; those still inside are packed, with their z, into
/// full groups for the next stage, which is longer; and so on to
/// `maxiter`. The long stages then run groups in which nearly every lane
/// is a point inside the set.
struct Sieve<S: Simd, const N: usize> {
    simd: S,
    maxiter: u32,
    /// The iteration at which each stage ends, the last at `maxiter`.
    ends: Vec<u32>,
    /// `waiting[s]`: points that lasted stage `s - 1`, for stage `s`.
    waiting: Vec<Survivors>,
    memo: Box<Memo<N>>,
}

/// Points still inside, packed: where each is in the block (a whole
/// number, as an f64 so that it packs with the rest), its c, its z.
struct Survivors {
    len: usize,
    index: Vec<f64>,
    qr: Vec<f64>,
    qi: Vec<f64>,
    zr: Vec<f64>,
    zi: Vec<f64>,
}

impl Survivors {
    /// Room for a group waiting and a group arriving, and a vector's
    /// worth more: a packed vector is stored whole.
    fn new(group: usize) -> Self {
        let room = 2 * group + LANES;
        Survivors {
            len: 0,
            index: vec![0.0; room],
            qr: vec![0.0; room],
            qi: vec![0.0; room],
            zr: vec![0.0; room],
            zi: vec![0.0; room],
        }
    }
}

/// A group's points as `N` vectors: where each goes in the block, c and
/// z; the first `len` lanes are points, the rest padding.
struct Group<S: Simd, const N: usize> {
    index: [S::Vector; N],
    qr: [S::Vector; N],
    qi: [S::Vector; N],
    z: Z<S, N>,
    len: usize,
}

impl<S: Simd, const N: usize> Sieve<S, N> {
    /// Without `sieve`, one stage: every group runs to the end.
    #[inline(always)]
    fn new(simd: S, maxiter: u32, sieve: bool) -> Self {
        let mut ends = vec![];
        let mut end = FIRST_STAGE;
        while sieve && end < maxiter {
            ends.push(end);
            end = end.saturating_mul(STAGE_GROWTH);
        }
        ends.push(maxiter);
        let waiting = ends.iter().map(|_| Survivors::new(LANES * N)).collect();
        Sieve {
            simd,
            maxiter,
            ends,
            waiting,
            memo: Box::new(Memo {
                survived: [[0.0; LANES]; N],
                start_re: [[0.0; LANES]; N],
                start_im: [[0.0; LANES]; N],
            }),
        }
    }

    /// Every point of one block: its answer into `out`.
    #[inline(always)]
    fn block(&mut self, re: &[f64], im: &[f64], out: &mut [u32]) {
        let simd = self.simd;
        let size = LANES * N;
        let zero = simd.splat(0.0);
        let mut lane_numbers = [0.0; LANES];
        for (lane, number) in lane_numbers.iter_mut().enumerate() {
            *number = lane as f64;
        }
        let lane_numbers = simd.load(&lane_numbers, 0.0);
        for (first, (re, im)) in re.chunks(size).zip(im.chunks(size)).enumerate() {
            // The first stage, straight from the block, counting every
            // iteration: most points escape in it.
            let mut group = Group {
                index: [zero; N],
                qr: vectors::<S, N>(simd, re, PADDING),
                qi: vectors::<S, N>(simd, im, 0.0),
                z: Z::new(simd, [zero; N], [zero; N]),
                len: re.len(),
            };
            for v in 0..N {
                group.index[v] = lane_numbers + simd.splat((first * size + v * LANES) as f64);
            }
            let end = self.ends[0];
            let survived = if end < self.maxiter {
                escape_iterations(simd, &group.qr, &group.qi, &mut group.z, 0, end)
            } else {
                // No sieve: the one stage runs in stretches.
                let memo = &mut *self.memo;
                escape_iterations_in_stretches(
                    simd,
                    &group.qr,
                    &group.qi,
                    &mut group.z,
                    0,
                    end,
                    memo,
                );
                let mut survived = [zero; N];
                for (survived, lanes) in survived.iter_mut().zip(&memo.survived) {
                    *survived = simd.load(lanes, 0.0);
                }
                survived
            };
            // Every answer, in order; those of points still inside are
            // written again by a later stage.
            let never = simd.splat(f64::from(self.maxiter));
            let answers = &mut out[first * size..][..re.len()];
            for (survived, answers) in survived.iter().zip(answers.chunks_mut(LANES)) {
                survived
                    .simd_eq(never)
                    .select(zero, *survived)
                    .store_counts(answers);
            }
            if end < self.maxiter {
                self.keep(1, &group, &survived);
            }
            self.drain(false, out);
        }
        self.drain(true, out);
    }

    /// Runs the later stages' waiting points in full groups; with `all`,
    /// the last, partly empty, groups too. The latest stage with a full
    /// group goes first, so that every stage after the one that runs has
    /// less than a group waiting, and room for what arrives.
    #[inline(always)]
    fn drain(&mut self, all: bool, out: &mut [u32]) {
        let size = LANES * N;
        let stages = 1..self.ends.len();
        loop {
            let full = stages
                .clone()
                .rev()
                .find(|&stage| self.waiting[stage].len >= size);
            let partial = || {
                stages
                    .clone()
                    .find(|&stage| all && self.waiting[stage].len > 0)
            };
            let Some(stage) = full.or_else(partial) else {
                break;
            };
            let len = self.waiting[stage].len.min(size);
            let group = self.take(stage, len);

            self.run(stage, group, out);
        }
    }

    /// The last `len` points waiting for `stage`, as a group.
    #[inline(always)]
    fn take(&mut self, stage: usize, len: usize) -> Group<S, N> {
        let simd = self.simd;
        let waiting = &mut self.waiting[stage];
        waiting.len -= len;
        let from = waiting.len;
        let until = from + len;
        Group {
            index: vectors::<S, N>(simd, &waiting.index[from..until], 0.0),
            qr: vectors::<S, N>(simd, &waiting.qr[from..until], PADDING),
            qi: vectors::<S, N>(simd, &waiting.qi[from..until], 0.0),
            z: Z::new(
                simd,
                vectors::<S, N>(simd, &waiting.zr[from..until], 0.0),
                vectors::<S, N>(simd, &waiting.zi[from..until], 0.0),
            ),
            len,
        }
    }

    /// One later stage for one group: each point that escaped (or reached
    /// `maxiter`) has its answer; the others wait for the next stage.
    #[inline(always)]
    fn run(&mut self, stage: usize, mut group: Group<S, N>, out: &mut [u32]) {
        let simd = self.simd;
        let (start, end) = (self.ends[stage - 1], self.ends[stage]);
        let memo = &mut *self.memo;
        escape_iterations_in_stretches(simd, &group.qr, &group.qi, &mut group.z, start, end, memo);
        let mut survived = [simd.splat(0.0); N];
        for (v, survived) in survived.iter_mut().enumerate() {
            *survived = simd.load(&memo.survived[v], 0.0);
            let index = group.index[v].to_array();
            let real = group.len.saturating_sub(v * LANES).min(LANES);
            for (&index, &count) in index.iter().zip(&memo.survived[v]).take(real) {
                let count = count as u32;
                // Escaped at iteration `count`, or never: the tutorial's 0.
                out[index as usize] = if count < self.maxiter { count } else { 0 };
            }
        }
        if end < self.maxiter {
            self.keep(stage + 1, &group, &survived);
        }
    }

    /// The points of `group` that lasted its stage wait for `stage`.
    #[inline(always)]
    fn keep(&mut self, stage: usize, group: &Group<S, N>, survived: &[S::Vector; N]) {
        let lasted = self.simd.splat(f64::from(self.ends[stage - 1]));
        let next = &mut self.waiting[stage];
        for (v, survived) in survived.iter().enumerate() {
            let real = group.len.saturating_sub(v * LANES).min(LANES);
            let lanes = (1u32 << real) - 1;
            let kept = survived.simd_eq(lasted);
            let count = (kept.bits() & lanes).count_ones() as usize;
            if count == 0 {
                continue;
            }
            let at = next.len;
            for (values, from) in [
                (&mut next.index, group.index[v]),
                (&mut next.qr, group.qr[v]),
                (&mut next.qi, group.qi[v]),
                (&mut next.zr, group.z.re[v]),
                (&mut next.zi, group.z.im[v]),
            ] {
                values[at..at + LANES].copy_from_slice(&from.compress(kept).to_array());
            }
            next.len += count;
        }
    }
}
