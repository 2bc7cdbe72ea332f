//! AVX-512 and AVX2+FMA vectors, for a build that targets neither: each
//! token comes only from [`Avx512::detect`] or [`Avx2::detect`], after the
//! CPU said it has the instructions, and each vector only from its token or
//! from other such vectors. That is what every `unsafe` block here relies
//! on; the code that uses them is compiled inside a `#[target_feature]`
//! function of the same instruction set (see `dispatch`).

use std::arch::x86_64::*;
use std::ops::{Add, BitAnd, Mul, Not, Sub};

use super::{Mask, Simd, Vector, LANES};

/// AVX-512F with FMA: one 512-bit register per vector, one bit per lane
/// in a mask register per comparison.
#[derive(Debug, Clone, Copy)]
pub struct Avx512(());

impl Avx512 {
    /// The token, where this CPU has the instructions.
    pub fn detect() -> Option<Avx512> {
        (is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma"))
            .then_some(Avx512(()))
    }
}

/// Eight lanes in a `zmm` register.
#[derive(Clone, Copy)]
pub struct Avx512Vector(__m512d);

/// Eight lanes' truth in a `k` register.
#[derive(Clone, Copy)]
pub struct Avx512Mask(__mmask8);

impl Simd for Avx512 {
    type Vector = Avx512Vector;
    type Mask = Avx512Mask;
    const FUSED: bool = true;
    #[inline(always)]
    fn splat(self, x: f64) -> Avx512Vector {
        // SAFETY: the token says this CPU has AVX-512F.
        Avx512Vector(unsafe { _mm512_set1_pd(x) })
    }
    #[inline(always)]
    fn load(self, values: &[f64], padding: f64) -> Avx512Vector {
        let n = values.len().min(LANES);
        let lanes = ((1u16 << n) - 1) as __mmask8;
        // SAFETY: the token says this CPU has AVX-512F; a masked load
        // reads only the first `n` values, which `values` holds.
        Avx512Vector(unsafe {
            _mm512_mask_loadu_pd(_mm512_set1_pd(padding), lanes, values.as_ptr())
        })
    }
}

/// Two-operand arithmetic, each one instruction.
macro_rules! avx512_op {
    ($trait:ident, $method:ident, $intrinsic:ident) => {
        impl $trait for Avx512Vector {
            type Output = Avx512Vector;
            #[inline(always)]
            fn $method(self, other: Avx512Vector) -> Avx512Vector {
                // SAFETY: an Avx512Vector exists only where the CPU has AVX-512F.
                Avx512Vector(unsafe { $intrinsic(self.0, other.0) })
            }
        }
    };
}
avx512_op!(Add, add, _mm512_add_pd);
avx512_op!(Sub, sub, _mm512_sub_pd);
avx512_op!(Mul, mul, _mm512_mul_pd);

impl Vector for Avx512Vector {
    type Mask = Avx512Mask;
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: an Avx512Vector exists only where the CPU has AVX-512F and FMA.
        Avx512Vector(unsafe { _mm512_fmadd_pd(self.0, b.0, c.0) })
    }
    #[inline(always)]
    fn mul_neg_add(self, b: Self, c: Self) -> Self {
        // SAFETY: as for `mul_add`.
        Avx512Vector(unsafe { _mm512_fnmadd_pd(self.0, b.0, c.0) })
    }
    #[inline(always)]
    fn simd_le(self, other: Self) -> Avx512Mask {
        // SAFETY: an Avx512Vector exists only where the CPU has AVX-512F.
        Avx512Mask(unsafe { _mm512_cmp_pd_mask::<_CMP_LE_OQ>(self.0, other.0) })
    }
    #[inline(always)]
    fn simd_eq(self, other: Self) -> Avx512Mask {
        // SAFETY: an Avx512Vector exists only where the CPU has AVX-512F.
        Avx512Mask(unsafe { _mm512_cmp_pd_mask::<_CMP_EQ_OQ>(self.0, other.0) })
    }
    #[inline(always)]
    fn store_counts(self, out: &mut [u32]) {
        let mut lanes = [0u32; LANES];
        // SAFETY: an Avx512Vector exists only where the CPU has AVX-512F;
        // the store writes 8 u32, which `lanes` holds.
        unsafe {
            _mm256_storeu_si256(lanes.as_mut_ptr().cast(), _mm512_cvttpd_epu32(self.0));
        }
        copy_counts(lanes, out);
    }
    #[inline(always)]
    fn to_array(self) -> [f64; LANES] {
        let mut lanes = [0.0; LANES];
        // SAFETY: an Avx512Vector exists only where the CPU has AVX-512F;
        // the store writes 8 f64, which `lanes` holds.
        unsafe { _mm512_storeu_pd(lanes.as_mut_ptr(), self.0) };
        lanes
    }
    #[inline(always)]
    fn compress(self, keep: Avx512Mask) -> Self {
        // SAFETY: an Avx512Vector exists only where the CPU has AVX-512F.
        Avx512Vector(unsafe { _mm512_maskz_compress_pd(keep.0, self.0) })
    }
}

impl BitAnd for Avx512Mask {
    type Output = Avx512Mask;
    #[inline(always)]
    fn bitand(self, other: Avx512Mask) -> Avx512Mask {
        Avx512Mask(self.0 & other.0)
    }
}

impl Not for Avx512Mask {
    type Output = Avx512Mask;
    #[inline(always)]
    fn not(self) -> Avx512Mask {
        Avx512Mask(!self.0)
    }
}

impl Mask<Avx512Vector> for Avx512Mask {
    #[inline(always)]
    fn select(self, if_true: Avx512Vector, if_false: Avx512Vector) -> Avx512Vector {
        // SAFETY: an Avx512Vector exists only where the CPU has AVX-512F.
        Avx512Vector(unsafe { _mm512_mask_blend_pd(self.0, if_false.0, if_true.0) })
    }
    #[inline(always)]
    fn any(self) -> bool {
        self.0 != 0
    }
    #[inline(always)]
    fn bits(self) -> u32 {
        u32::from(self.0)
    }
}

/// AVX2 with FMA: a vector is two 256-bit registers, and a comparison's
/// answer two registers of all-ones or all-zeros lanes.
#[derive(Debug, Clone, Copy)]
pub struct Avx2(());

impl Avx2 {
    /// The token, where this CPU has the instructions.
    pub fn detect() -> Option<Avx2> {
        (is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")).then_some(Avx2(()))
    }
}

/// Eight lanes in two `ymm` registers.
#[derive(Clone, Copy)]
pub struct Avx2Vector([__m256d; 2]);

/// Eight lanes' truth as all-ones or all-zeros lanes, in two registers.
#[derive(Clone, Copy)]
pub struct Avx2Mask([__m256d; 2]);

impl Simd for Avx2 {
    type Vector = Avx2Vector;
    type Mask = Avx2Mask;
    const FUSED: bool = true;
    #[inline(always)]
    fn splat(self, x: f64) -> Avx2Vector {
        // SAFETY: the token says this CPU has AVX2.
        let half = unsafe { _mm256_set1_pd(x) };
        Avx2Vector([half, half])
    }
    #[inline(always)]
    fn load(self, values: &[f64], padding: f64) -> Avx2Vector {
        let mut lanes = Aligned([padding; LANES]);
        let n = values.len().min(LANES);
        lanes.0[..n].copy_from_slice(&values[..n]);
        let lanes = lanes.0.as_ptr();
        // SAFETY: the token says this CPU has AVX2; each load reads 4 of
        // the 8 values in `lanes`, at a multiple of 32 bytes.
        unsafe { Avx2Vector([_mm256_load_pd(lanes), _mm256_load_pd(lanes.add(4))]) }
    }
}

/// Lanes on the stack at a 32-byte boundary. Besides aligned loads, it
/// makes the compiler align the stack frame of the function it is inlined
/// into, and so also the registers it spills there: without it AVX2's
/// spills were unaligned, a quarter of them split across cache lines, and
/// the kernel 3% slower.
#[repr(C, align(32))]
struct Aligned([f64; LANES]);

/// Applies `$intrinsic` to each half.
macro_rules! halves {
    ($intrinsic:ident, $($operand:expr),+) => {
        // SAFETY: an Avx2Vector or Avx2Mask exists only where the CPU has
        // AVX2 and FMA.
        unsafe { [$intrinsic($($operand[0]),+), $intrinsic($($operand[1]),+)] }
    };
}

macro_rules! avx2_op {
    ($trait:ident, $method:ident, $intrinsic:ident) => {
        impl $trait for Avx2Vector {
            type Output = Avx2Vector;
            #[inline(always)]
            fn $method(self, other: Avx2Vector) -> Avx2Vector {
                Avx2Vector(halves!($intrinsic, self.0, other.0))
            }
        }
    };
}
avx2_op!(Add, add, _mm256_add_pd);
avx2_op!(Sub, sub, _mm256_sub_pd);
avx2_op!(Mul, mul, _mm256_mul_pd);

impl Vector for Avx2Vector {
    type Mask = Avx2Mask;
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        Avx2Vector(halves!(_mm256_fmadd_pd, self.0, b.0, c.0))
    }
    #[inline(always)]
    fn mul_neg_add(self, b: Self, c: Self) -> Self {
        Avx2Vector(halves!(_mm256_fnmadd_pd, self.0, b.0, c.0))
    }
    #[inline(always)]
    fn simd_le(self, other: Self) -> Avx2Mask {
        Avx2Mask(halves!(le, self.0, other.0))
    }
    #[inline(always)]
    fn simd_eq(self, other: Self) -> Avx2Mask {
        Avx2Mask(halves!(eq, self.0, other.0))
    }
    #[inline(always)]
    fn store_counts(self, out: &mut [u32]) {
        let mut lanes = [0u32; LANES];
        // SAFETY: an Avx2Vector exists only where the CPU has AVX2; each
        // store writes 4 of the 8 u32 in `lanes`.
        unsafe {
            let lanes = lanes.as_mut_ptr();
            _mm_storeu_si128(lanes.cast(), _mm256_cvttpd_epi32(self.0[0]));
            _mm_storeu_si128(lanes.add(4).cast(), _mm256_cvttpd_epi32(self.0[1]));
        }
        copy_counts(lanes, out);
    }
    #[inline(always)]
    fn to_array(self) -> [f64; LANES] {
        let mut lanes = [0.0; LANES];
        // SAFETY: an Avx2Vector exists only where the CPU has AVX; each
        // store writes 4 of the 8 f64 in `lanes`.
        unsafe {
            _mm256_storeu_pd(lanes.as_mut_ptr(), self.0[0]);
            _mm256_storeu_pd(lanes.as_mut_ptr().add(4), self.0[1]);
        }
        lanes
    }
    #[inline(always)]
    fn compress(self, keep: Avx2Mask) -> Self {
        let packed = Aligned(super::compress_lanes(self.to_array(), keep.bits()));
        let lanes = packed.0.as_ptr();
        // SAFETY: an Avx2Vector exists only where the CPU has AVX; each
        // load reads 4 of the 8 values in `packed`, at a multiple of 32 bytes.
        unsafe { Avx2Vector([_mm256_load_pd(lanes), _mm256_load_pd(lanes.add(4))]) }
    }
}

/// `lanes` into `out`, all eight where `out` has room: a copy of a
/// length the compiler knows is one store, where a shorter one is a call
/// to `memcpy` (measured: 3% of the kernel's time on `8000 2000`).
#[inline(always)]
fn copy_counts(lanes: [u32; LANES], out: &mut [u32]) {
    if let Some(whole) = out.first_chunk_mut::<LANES>() {
        *whole = lanes;
    } else {
        out.copy_from_slice(&lanes[..out.len()]);
    }
}

/// The comparisons, as functions of two operands for [`halves!`].
#[inline(always)]
unsafe fn le(a: __m256d, b: __m256d) -> __m256d {
    // SAFETY: the caller's: the CPU has AVX.
    unsafe { _mm256_cmp_pd::<_CMP_LE_OQ>(a, b) }
}

#[inline(always)]
unsafe fn eq(a: __m256d, b: __m256d) -> __m256d {
    // SAFETY: the caller's: the CPU has AVX.
    unsafe { _mm256_cmp_pd::<_CMP_EQ_OQ>(a, b) }
}

impl BitAnd for Avx2Mask {
    type Output = Avx2Mask;
    #[inline(always)]
    fn bitand(self, other: Avx2Mask) -> Avx2Mask {
        Avx2Mask(halves!(_mm256_and_pd, self.0, other.0))
    }
}

impl Not for Avx2Mask {
    type Output = Avx2Mask;
    #[inline(always)]
    fn not(self) -> Avx2Mask {
        // SAFETY: an Avx2Mask exists only where the CPU has AVX2.
        let ones = unsafe { _mm256_castsi256_pd(_mm256_set1_epi64x(-1)) };
        Avx2Mask(halves!(_mm256_xor_pd, self.0, [ones, ones]))
    }
}

impl Mask<Avx2Vector> for Avx2Mask {
    #[inline(always)]
    fn select(self, if_true: Avx2Vector, if_false: Avx2Vector) -> Avx2Vector {
        Avx2Vector(halves!(_mm256_blendv_pd, if_false.0, if_true.0, self.0))
    }
    #[inline(always)]
    fn any(self) -> bool {
        // SAFETY: an Avx2Mask exists only where the CPU has AVX2.
        unsafe { _mm256_movemask_pd(_mm256_or_pd(self.0[0], self.0[1])) != 0 }
    }
    #[inline(always)]
    fn bits(self) -> u32 {
        // SAFETY: an Avx2Mask exists only where the CPU has AVX2.
        let (low, high) = unsafe { (_mm256_movemask_pd(self.0[0]), _mm256_movemask_pd(self.0[1])) };
        (low | high << 4) as u32
    }
}
