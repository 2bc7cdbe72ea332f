//! The vector operations step 04's fused kernel needs, as `wide`'s
//! `f64x8` spells them, for more than one instruction set: the solution
//! file is written once over these traits, and `dispatch` compiles it for
//! each instruction set this CPU may have.
//!
//! An instruction set is a zero-sized token ([`Simd`]) that makes vectors.
//! The tokens of [`x86`] come only from asking the CPU, and their vectors
//! only from their token, so a vector's existence proves its instructions
//! run here: its methods are safe. Every method is `#[inline(always)]`, so
//! that inside a `#[target_feature]` function each becomes the
//! instructions it names. (Only such functions may stand between that
//! function and an intrinsic: a closure or an ordinary function, inlined
//! later or not at all, can leave each intrinsic a call.)

use std::ops::{Add, BitAnd, Mul, Not, Sub};

use wide::f64x8;

#[cfg(target_arch = "x86_64")]
pub mod x86;

/// Points per vector, for every instruction set here (`f64x8`'s eight).
pub const LANES: usize = 8;

/// An instruction set, as a token that makes its vectors.
pub trait Simd: Copy {
    /// [`LANES`] f64 lanes.
    type Vector: Vector<Mask = Self::Mask>;
    /// One truth value per lane, from a comparison.
    type Mask: Mask<Self::Vector>;
    /// Whether [`Vector::mul_add`] rounds once (a fused multiply-add).
    const FUSED: bool;
    fn splat(self, x: f64) -> Self::Vector;
    /// The first [`LANES`] of `values`, and `padding` for lanes past its end.
    fn load(self, values: &[f64], padding: f64) -> Self::Vector;
}

/// [`LANES`] f64 lanes: arithmetic, comparisons and the escape counts out.
pub trait Vector: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    type Mask: Mask<Self>;
    /// `self * b + c`: rounded once where the instruction set fuses.
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// `c - self * b`: rounded once where the instruction set fuses.
    fn mul_neg_add(self, b: Self, c: Self) -> Self;
    /// Lanes where `self <= other` (false where either is NaN).
    fn simd_le(self, other: Self) -> Self::Mask;
    fn simd_eq(self, other: Self) -> Self::Mask;
    /// The first `out.len()` lanes (at most [`LANES`]), whole numbers of
    /// iterations, into `out`.
    fn store_counts(self, out: &mut [u32]);
    /// The lanes, in order.
    fn to_array(self) -> [f64; LANES];
    /// The lanes where `keep` is true, packed at the front, in order;
    /// zeros after them.
    fn compress(self, keep: Self::Mask) -> Self;
}

/// A comparison's answer per lane.
pub trait Mask<V>: Copy + BitAnd<Output = Self> + Not<Output = Self> {
    /// `if_true` in lanes where the mask is true, else `if_false`.
    fn select(self, if_true: V, if_false: V) -> V;
    /// Whether any lane is true.
    fn any(self) -> bool;
    /// One bit per lane, lane 0 the lowest.
    fn bits(self) -> u32;
}

/// [`Vector::compress`] one lane at a time, for instruction sets without
/// an instruction for it.
#[inline(always)]
pub fn compress_lanes(lanes: [f64; LANES], keep: u32) -> [f64; LANES] {
    let mut packed = [0.0; LANES];
    let mut kept = 0;
    for (lane, value) in lanes.into_iter().enumerate() {
        if keep & (1 << lane) != 0 {
            packed[kept] = value;
            kept += 1;
        }
    }
    packed
}

/// `wide`'s vectors, compiled for what the build targets: SSE2 in a
/// default x86-64 build, NEON on 64-bit Arm, AVX-512 with
/// `-C target-cpu=native` on a CPU that has it. Runs everywhere.
#[derive(Debug, Clone, Copy)]
pub struct Portable;

impl Simd for Portable {
    type Vector = f64x8;
    type Mask = f64x8;
    const FUSED: bool = mandel_core::verify::FUSED;
    #[inline(always)]
    fn splat(self, x: f64) -> f64x8 {
        f64x8::splat(x)
    }
    #[inline(always)]
    fn load(self, values: &[f64], padding: f64) -> f64x8 {
        let mut lanes = [padding; LANES];
        let n = values.len().min(LANES);
        lanes[..n].copy_from_slice(&values[..n]);
        f64x8::from(lanes)
    }
}

// `wide`'s own methods of the same names, which method calls on `f64x8`
// find before these.
impl Vector for f64x8 {
    type Mask = f64x8;
    #[inline(always)]
    fn mul_add(self, b: f64x8, c: f64x8) -> f64x8 {
        self.mul_add(b, c)
    }
    #[inline(always)]
    fn mul_neg_add(self, b: f64x8, c: f64x8) -> f64x8 {
        self.mul_neg_add(b, c)
    }
    #[inline(always)]
    fn simd_le(self, other: f64x8) -> f64x8 {
        self.simd_le(other)
    }
    #[inline(always)]
    fn simd_eq(self, other: f64x8) -> f64x8 {
        self.simd_eq(other)
    }
    #[inline(always)]
    fn store_counts(self, out: &mut [u32]) {
        for (slot, n) in out.iter_mut().zip(self.to_array()) {
            *slot = n as u32;
        }
    }
    #[inline(always)]
    fn to_array(self) -> [f64; LANES] {
        self.to_array()
    }
    #[inline(always)]
    fn compress(self, keep: f64x8) -> f64x8 {
        f64x8::from(compress_lanes(self.to_array(), keep.to_bitmask()))
    }
}

impl Mask<f64x8> for f64x8 {
    #[inline(always)]
    fn select(self, if_true: f64x8, if_false: f64x8) -> f64x8 {
        self.select(if_true, if_false)
    }
    #[inline(always)]
    fn any(self) -> bool {
        self.any()
    }
    #[inline(always)]
    fn bits(self) -> u32 {
        self.to_bitmask()
    }
}
