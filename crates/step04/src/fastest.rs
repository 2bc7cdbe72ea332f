//! Going further: the reference kernel at the best instruction set this CPU
//! has, chosen when the program runs, in a default build.
//!
//! A default x86-64 build targets SSE2, which every x86-64 CPU has: its
//! `wide` vectors are 128 bits wide and it has no fused multiply-add, on
//! a CPU that may have 512-bit vectors and FMA. `-C target-cpu=native`
//! fixes that for one machine and breaks the binary on older ones. numpy
//! (since 1.22) and memchr do what this module does instead: compile the
//! hot loop several times, each for one instruction set
//! (`#[target_feature]`), and pick one at run time after asking the CPU
//! (`is_x86_feature_detected!`).
//!
//! The kernel is step 04's fused one (`solution`'s, with `FUSED` true),
//! written once over the [`Lanes`] trait and compiled for AVX-512 and for
//! AVX2+FMA. Elsewhere, and with `--isa portable`, the solution's own
//! `wide` kernel runs.

// Off x86-64 the build's own vectors are the best there is (NEON with FMA
// on 64-bit Arm), so only the probe uses the generic code.
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]

use mandel_core::isa::{self, Isa};

pub use crate::solution::BLOCK;

/// Step 04's fused kernel over `block` points at a time, written into
/// `output`, at the instruction set [`isa::chosen`] says.
pub fn calculate_z_blocks_into(
    re: &[f64],
    im: &[f64],
    maxiter: u32,
    block: usize,
    output: &mut [u32],
) {
    calculate_z_blocks_into_with(isa::chosen(), re, im, maxiter, block, output);
}

/// [`calculate_z_blocks_into`], returning the answer.
pub fn calculate_z_blocks(re: &[f64], im: &[f64], maxiter: u32, block: usize) -> Vec<u32> {
    let mut output = vec![0; re.len()];
    calculate_z_blocks_into(re, im, maxiter, block, &mut output);
    output
}

/// Blocks of [`BLOCK`] points.
pub fn calculate_z(re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
    calculate_z_blocks(re, im, maxiter, BLOCK)
}

/// The kernel with a given instruction set. One the CPU lacks runs the
/// portable kernel instead: never an illegal instruction.
pub fn calculate_z_blocks_into_with(
    isa: Isa,
    re: &[f64],
    im: &[f64],
    maxiter: u32,
    block: usize,
    output: &mut [u32],
) {
    assert_eq!(re.len(), output.len(), "one output per point");
    assert_eq!(im.len(), output.len(), "one output per point");
    match isa {
        // SAFETY: the CPU was asked that it has the instructions.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 if isa.is_available() => unsafe {
            x86::avx512_blocks(re, im, maxiter, block, output)
        },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 if isa.is_available() => unsafe {
            x86::avx2_blocks(re, im, maxiter, block, output)
        },
        _ => crate::solution::calculate_z_blocks_into(re, im, maxiter, block, output),
    }
}

/// The fused multiply-add throughput of `isa`: `rounds` rounds of `CHAINS`
/// independent multiply-adds on full vectors. Returns the flops done and
/// the time taken. The peak probe runs this.
pub fn multiply_adds<const CHAINS: usize>(isa: Isa, rounds: u64) -> (f64, std::time::Duration) {
    match isa {
        // SAFETY: the CPU was asked that it has the instructions.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 if isa.is_available() => unsafe { x86::avx512_multiply_adds::<CHAINS>(rounds) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 if isa.is_available() => unsafe { x86::avx2_multiply_adds::<CHAINS>(rounds) },
        // SAFETY: `wide` uses only what the build targets.
        _ => unsafe { timed_chains::<WideLanes, CHAINS>(rounds) },
    }
}

/// What the kernel needs of a vector of f64 lanes. Each method is one or
/// two instructions; every caller is inlined into a function compiled for
/// the instruction set, so each becomes those instructions. (Only
/// `#[inline(always)]` functions may stand between that function and the
/// methods: a closure, inlined later, would keep each intrinsic a call.)
///
/// # Safety
/// Callers run the methods only on a CPU with the implementation's
/// instruction set.
pub(crate) trait Lanes: Copy {
    const LANES: usize;
    type Mask: Copy;
    unsafe fn splat(x: f64) -> Self;
    /// Up to `LANES` values, the rest `padding`.
    unsafe fn load(values: &[f64], padding: f64) -> Self;
    unsafe fn add(self, other: Self) -> Self;
    unsafe fn mul(self, other: Self) -> Self;
    /// `self * b + c`, rounded once.
    unsafe fn mul_add(self, b: Self, c: Self) -> Self;
    /// `c - self * b`, rounded once.
    unsafe fn neg_mul_add(self, b: Self, c: Self) -> Self;
    /// Lanes where `self <= other` (false where either is NaN).
    unsafe fn le(self, other: Self) -> Self::Mask;
    unsafe fn eq(self, other: Self) -> Self::Mask;
    /// `if_true` where `mask`, else `if_false`.
    unsafe fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self;
    /// `a` and not `b`.
    unsafe fn and_not(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    unsafe fn and(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    unsafe fn any(mask: Self::Mask) -> bool;
    unsafe fn all() -> Self::Mask;
    /// The first `out.len()` lanes (at most `LANES`), as whole numbers.
    unsafe fn store_counts(self, out: &mut [u32]);
}

/// Iterations between exit tests, as in the solution: short at first,
/// doubling to the longest, multiples of three (see [`escape_iterations`]).
const FIRST_STRETCH: u32 = 3;
const LONGEST_STRETCH: u32 = 48;

/// Points that escape at once: they pad a group without holding it up.
const PADDING: f64 = 4.0;

/// The solution's `calculate_z_blocks_into`, over `N` vectors of `V`.
#[inline(always)]
unsafe fn blocks<V: Lanes, const N: usize>(
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
        let group = V::LANES * N;
        for ((re, im), out) in re
            .chunks(group)
            .zip(im.chunks(group))
            .zip(out.chunks_mut(group))
        {
            let mut qr = [V::splat(PADDING); N];
            let mut qi = [V::splat(0.0); N];
            for v in 0..N {
                let start = (v * V::LANES).min(re.len());
                qr[v] = V::load(&re[start..], PADDING);
                qi[v] = V::load(&im[start..], 0.0);
            }
            let escaped = escape_iterations::<V, N>(&qr, &qi, maxiter);
            for (v, counts) in escaped.iter().enumerate() {
                let start = (v * V::LANES).min(out.len());
                let end = (start + V::LANES).min(out.len());
                counts.store_counts(&mut out[start..end]);
            }
        }
    }
}

/// z for `N` vectors of points.
#[derive(Clone, Copy)]
struct Z<V, const N: usize> {
    re: [V; N],
    im: [V; N],
}

impl<V: Lanes, const N: usize> Z<V, N> {
    /// One fused iteration for every vector, in the solution's order;
    /// returns which lanes are inside `|z| <= 2`.
    #[inline(always)]
    unsafe fn iterate(&mut self, qr: &[V; N], qi: &[V; N]) -> [V::Mask; N] {
        let four = V::splat(4.0);
        let mut inside = [V::all(); N];
        for v in 0..N {
            let (re, im) = (self.re[v], self.im[v]);
            self.re[v] = re.mul_add(re, im.neg_mul_add(im, qr[v]));
            self.im[v] = re.add(re).mul_add(im, qi[v]);
            let norm = self.re[v].mul_add(self.re[v], self.im[v].mul(self.im[v]));
            inside[v] = norm.le(four);
        }
        inside
    }
}

/// The solution's `escape_iterations` with `FUSED`, over `N` vectors of
/// `V`: stretches without counting, a replay of the stretch in which lanes
/// escaped, and an exit when every lane has.
#[inline(always)]
unsafe fn escape_iterations<V: Lanes, const N: usize>(
    qr: &[V; N],
    qi: &[V; N],
    maxiter: u32,
) -> [V; N] {
    let zero = [V::splat(0.0); N];
    let mut z = Z { re: zero, im: zero };
    let mut survived = zero;
    let mut alive = [V::all(); N];
    let mut iterations = 0;
    let mut next_stretch = FIRST_STRETCH;
    while iterations < maxiter {
        let stretch = next_stretch.min(maxiter - iterations);
        next_stretch = (next_stretch * 2).min(LONGEST_STRETCH);
        let start = z;
        let mut inside = alive;
        // Whole turns of three keep z's registers where they started.
        for _ in 0..stretch / 3 {
            z.iterate(qr, qi);
            z.iterate(qr, qi);
            inside = z.iterate(qr, qi);
        }
        for _ in 0..stretch % 3 {
            inside = z.iterate(qr, qi);
        }
        let whole = V::splat(f64::from(stretch));
        for v in 0..N {
            survived[v] = V::select(inside[v], survived[v].add(whole), survived[v]);
        }
        let mut escaped = alive;
        let mut any_escaped = false;
        for v in 0..N {
            escaped[v] = V::and_not(alive[v], inside[v]);
            any_escaped |= V::any(escaped[v]);
        }
        if any_escaped {
            let end = z;
            z = start;
            let one = V::splat(1.0);
            for _ in 0..stretch {
                let inside = z.iterate(qr, qi);
                let mut escaping = false;
                for v in 0..N {
                    let counted = V::and(escaped[v], inside[v]);
                    survived[v] = V::select(counted, survived[v].add(one), survived[v]);
                    escaping |= V::any(counted);
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
            any_alive |= V::any(lanes);
        }
        if !any_alive {
            break;
        }
    }
    let never = V::splat(f64::from(maxiter));
    for s in survived.iter_mut() {
        *s = V::select(s.eq(never), V::splat(0.0), *s);
    }
    survived
}

/// `rounds` rounds of `CHAINS` independent multiply-adds; the flops and
/// the time.
#[inline(always)]
unsafe fn timed_chains<V: Lanes, const CHAINS: usize>(rounds: u64) -> (f64, std::time::Duration) {
    let x = std::hint::black_box(V::splat(0.999_999));
    let y = std::hint::black_box(V::splat(1e-7));
    let mut acc = [V::splat(1.0); CHAINS];
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        for a in acc.iter_mut() {
            // Converges to 0.1: no overflow, no denormals, however long.
            *a = a.mul_add(x, y);
        }
    }
    std::hint::black_box(&acc);
    let flops = (rounds * (CHAINS * V::LANES * 2) as u64) as f64;
    (flops, start.elapsed())
}

/// The build's own `wide` vectors, for the portable probe.
#[derive(Clone, Copy)]
struct WideLanes(wide::f64x8);

impl Lanes for WideLanes {
    const LANES: usize = 8;
    type Mask = wide::f64x8;
    #[inline(always)]
    unsafe fn splat(x: f64) -> Self {
        WideLanes(wide::f64x8::splat(x))
    }
    #[inline(always)]
    unsafe fn load(values: &[f64], padding: f64) -> Self {
        let mut lanes = [padding; 8];
        let n = values.len().min(8);
        lanes[..n].copy_from_slice(&values[..n]);
        WideLanes(lanes.into())
    }
    #[inline(always)]
    unsafe fn add(self, other: Self) -> Self {
        WideLanes(self.0 + other.0)
    }
    #[inline(always)]
    unsafe fn mul(self, other: Self) -> Self {
        WideLanes(self.0 * other.0)
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // One instruction where the build has FMA; a multiply and an add
        // otherwise (the portable probe then counts both).
        WideLanes(self.0.mul_add(b.0, c.0))
    }
    #[inline(always)]
    unsafe fn neg_mul_add(self, b: Self, c: Self) -> Self {
        WideLanes(self.0.mul_neg_add(b.0, c.0))
    }
    #[inline(always)]
    unsafe fn le(self, other: Self) -> Self::Mask {
        self.0.simd_le(other.0)
    }
    #[inline(always)]
    unsafe fn eq(self, other: Self) -> Self::Mask {
        self.0.simd_eq(other.0)
    }
    #[inline(always)]
    unsafe fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self {
        WideLanes(mask.select(if_true.0, if_false.0))
    }
    #[inline(always)]
    unsafe fn and_not(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        a & !b
    }
    #[inline(always)]
    unsafe fn and(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        a & b
    }
    #[inline(always)]
    unsafe fn any(mask: Self::Mask) -> bool {
        mask.any()
    }
    #[inline(always)]
    unsafe fn all() -> Self::Mask {
        wide::f64x8::ZERO.simd_eq(wide::f64x8::ZERO)
    }
    #[inline(always)]
    unsafe fn store_counts(self, out: &mut [u32]) {
        for (slot, n) in out.iter_mut().zip(self.0.to_array()) {
            *slot = n as u32;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{blocks, timed_chains, Lanes};

    /// Independent vectors in flight: enough to hide the FMA's latency,
    /// few enough to stay in registers (32 with AVX-512, 16 with AVX2).
    /// Measured on the workshop's machine with `lab bench --isa`.
    const AVX512_VECTORS: usize = 8;
    const AVX2_VECTORS: usize = 6;

    #[target_feature(enable = "avx512f,fma")]
    pub(super) unsafe fn avx512_blocks(
        re: &[f64],
        im: &[f64],
        maxiter: u32,
        block: usize,
        output: &mut [u32],
    ) {
        blocks::<Avx512, AVX512_VECTORS>(re, im, maxiter, block, output)
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn avx2_blocks(
        re: &[f64],
        im: &[f64],
        maxiter: u32,
        block: usize,
        output: &mut [u32],
    ) {
        blocks::<Avx2, AVX2_VECTORS>(re, im, maxiter, block, output)
    }

    #[target_feature(enable = "avx512f,fma")]
    pub(super) unsafe fn avx512_multiply_adds<const CHAINS: usize>(
        rounds: u64,
    ) -> (f64, std::time::Duration) {
        timed_chains::<Avx512, CHAINS>(rounds)
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn avx2_multiply_adds<const CHAINS: usize>(
        rounds: u64,
    ) -> (f64, std::time::Duration) {
        timed_chains::<Avx2, CHAINS>(rounds)
    }

    #[derive(Clone, Copy)]
    struct Avx512(__m512d);

    impl Lanes for Avx512 {
        const LANES: usize = 8;
        /// One bit per lane, in a mask register.
        type Mask = __mmask8;
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self {
            unsafe { Avx512(_mm512_set1_pd(x)) }
        }
        #[inline(always)]
        unsafe fn load(values: &[f64], padding: f64) -> Self {
            let n = values.len().min(8);
            let mask: __mmask8 = ((1u16 << n) - 1) as u8;
            // A masked load reads only the lanes that exist.
            unsafe {
                Avx512(_mm512_mask_loadu_pd(
                    _mm512_set1_pd(padding),
                    mask,
                    values.as_ptr(),
                ))
            }
        }
        #[inline(always)]
        unsafe fn add(self, other: Self) -> Self {
            unsafe { Avx512(_mm512_add_pd(self.0, other.0)) }
        }
        #[inline(always)]
        unsafe fn mul(self, other: Self) -> Self {
            unsafe { Avx512(_mm512_mul_pd(self.0, other.0)) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, b: Self, c: Self) -> Self {
            unsafe { Avx512(_mm512_fmadd_pd(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        unsafe fn neg_mul_add(self, b: Self, c: Self) -> Self {
            unsafe { Avx512(_mm512_fnmadd_pd(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        unsafe fn le(self, other: Self) -> __mmask8 {
            unsafe { _mm512_cmp_pd_mask::<_CMP_LE_OQ>(self.0, other.0) }
        }
        #[inline(always)]
        unsafe fn eq(self, other: Self) -> __mmask8 {
            unsafe { _mm512_cmp_pd_mask::<_CMP_EQ_OQ>(self.0, other.0) }
        }
        #[inline(always)]
        unsafe fn select(mask: __mmask8, if_true: Self, if_false: Self) -> Self {
            unsafe { Avx512(_mm512_mask_blend_pd(mask, if_false.0, if_true.0)) }
        }
        #[inline(always)]
        unsafe fn and_not(a: __mmask8, b: __mmask8) -> __mmask8 {
            a & !b
        }
        #[inline(always)]
        unsafe fn and(a: __mmask8, b: __mmask8) -> __mmask8 {
            a & b
        }
        #[inline(always)]
        unsafe fn any(mask: __mmask8) -> bool {
            mask != 0
        }
        #[inline(always)]
        unsafe fn all() -> __mmask8 {
            0xff
        }
        #[inline(always)]
        unsafe fn store_counts(self, out: &mut [u32]) {
            let counts = unsafe { _mm512_cvttpd_epu32(self.0) };
            let mut lanes = [0u32; 8];
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), counts) };
            let n = out.len().min(8);
            out[..n].copy_from_slice(&lanes[..n]);
        }
    }

    #[derive(Clone, Copy)]
    struct Avx2(__m256d);

    impl Lanes for Avx2 {
        const LANES: usize = 4;
        /// All-ones lanes for true, as the comparison gives them.
        type Mask = __m256d;
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self {
            unsafe { Avx2(_mm256_set1_pd(x)) }
        }
        #[inline(always)]
        unsafe fn load(values: &[f64], padding: f64) -> Self {
            let mut lanes = [padding; 4];
            let n = values.len().min(4);
            lanes[..n].copy_from_slice(&values[..n]);
            unsafe { Avx2(_mm256_loadu_pd(lanes.as_ptr())) }
        }
        #[inline(always)]
        unsafe fn add(self, other: Self) -> Self {
            unsafe { Avx2(_mm256_add_pd(self.0, other.0)) }
        }
        #[inline(always)]
        unsafe fn mul(self, other: Self) -> Self {
            unsafe { Avx2(_mm256_mul_pd(self.0, other.0)) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, b: Self, c: Self) -> Self {
            unsafe { Avx2(_mm256_fmadd_pd(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        unsafe fn neg_mul_add(self, b: Self, c: Self) -> Self {
            unsafe { Avx2(_mm256_fnmadd_pd(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        unsafe fn le(self, other: Self) -> __m256d {
            unsafe { _mm256_cmp_pd::<_CMP_LE_OQ>(self.0, other.0) }
        }
        #[inline(always)]
        unsafe fn eq(self, other: Self) -> __m256d {
            unsafe { _mm256_cmp_pd::<_CMP_EQ_OQ>(self.0, other.0) }
        }
        #[inline(always)]
        unsafe fn select(mask: __m256d, if_true: Self, if_false: Self) -> Self {
            unsafe { Avx2(_mm256_blendv_pd(if_false.0, if_true.0, mask)) }
        }
        #[inline(always)]
        unsafe fn and_not(a: __m256d, b: __m256d) -> __m256d {
            unsafe { _mm256_andnot_pd(b, a) }
        }
        #[inline(always)]
        unsafe fn and(a: __m256d, b: __m256d) -> __m256d {
            unsafe { _mm256_and_pd(a, b) }
        }
        #[inline(always)]
        unsafe fn any(mask: __m256d) -> bool {
            unsafe { _mm256_movemask_pd(mask) != 0 }
        }
        #[inline(always)]
        unsafe fn all() -> __m256d {
            unsafe { _mm256_castsi256_pd(_mm256_set1_epi64x(-1)) }
        }
        #[inline(always)]
        unsafe fn store_counts(self, out: &mut [u32]) {
            let counts = unsafe { _mm256_cvttpd_epi32(self.0) };
            let mut lanes = [0u32; 4];
            unsafe { _mm_storeu_si128(lanes.as_mut_ptr().cast(), counts) };
            let n = out.len().min(4);
            out[..n].copy_from_slice(&lanes[..n]);
        }
    }
}
