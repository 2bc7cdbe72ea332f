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
//! The kernel is the solution file's, generic over [`Simd`]; here it is
//! compiled for AVX-512 and for AVX2+FMA. Elsewhere, and with
//! `--isa portable`, it runs with `wide`'s vectors as the build compiled
//! them.

use std::cell::Cell;

use mandel_core::Isa;

use crate::simd::{Portable, Simd, Vector, LANES};
use crate::solution;

pub use crate::solution::BLOCK;

thread_local! {
    /// What [`calculate_z_blocks_into`] dispatches to on this thread, where
    /// [`dispatching_to`] or [`set_this_threads_isa`] said; else the best.
    static THIS_THREADS_ISA: Cell<Option<Isa>> = const { Cell::new(None) };
}

/// The instruction set [`calculate_z_blocks_into`] uses on this thread.
pub fn this_threads_isa() -> Isa {
    THIS_THREADS_ISA.get().unwrap_or_else(Isa::best)
}

/// Makes [`calculate_z_blocks_into`] use `isa` on this thread from now on:
/// for a thread that runs steps 05 and 06's code at an instruction set it
/// was given (a rayon pool's `start_handler`, a rank's thread).
pub fn set_this_threads_isa(isa: Isa) {
    THIS_THREADS_ISA.set(Some(isa));
}

/// Runs `f` with [`calculate_z_blocks_into`] at `isa` on this thread, then
/// puts back what was there. Steps 05 and 06's files call the kernel
/// without an instruction set (an attendee's code has no use for one), so
/// `--isa` reaches them this way, and the threads they start inherit it
/// from the thread that starts them.
pub fn dispatching_to<R>(isa: Isa, f: impl FnOnce() -> R) -> R {
    let before = THIS_THREADS_ISA.replace(Some(isa));
    // Put back even when `f` panics: a self-check catches panics.
    struct Restore(Option<Isa>);
    impl Drop for Restore {
        fn drop(&mut self) {
            THIS_THREADS_ISA.set(self.0);
        }
    }
    let _restore = Restore(before);
    f()
}

/// Step 04's fused kernel over `block` points at a time, written into
/// `output`, at [`this_threads_isa`]: what steps 05 and 06 call.
pub fn calculate_z_blocks_into(
    re: &[f64],
    im: &[f64],
    maxiter: u32,
    block: usize,
    output: &mut [u32],
) {
    calculate_z_blocks_into_with(this_threads_isa(), re, im, maxiter, block, output);
}

/// [`calculate_z_blocks_into`], returning the answer.
pub fn calculate_z_blocks(re: &[f64], im: &[f64], maxiter: u32, block: usize) -> Vec<u32> {
    calculate_z_blocks_with(this_threads_isa(), re, im, maxiter, block)
}

/// [`calculate_z_blocks_into_with`], returning the answer.
pub fn calculate_z_blocks_with(
    isa: Isa,
    re: &[f64],
    im: &[f64],
    maxiter: u32,
    block: usize,
) -> Vec<u32> {
    let mut output = vec![0; re.len()];
    calculate_z_blocks_into_with(isa, re, im, maxiter, block, &mut output);
    output
}

/// Blocks of [`BLOCK`] points, at `isa`.
pub fn calculate_z_with(isa: Isa, re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
    calculate_z_blocks_with(isa, re, im, maxiter, BLOCK)
}

/// The kernel with a given instruction set, with the sieve where it pays
/// ([`sieves`]). One the CPU lacks runs the portable kernel instead: never
/// an illegal instruction.
pub fn calculate_z_blocks_into_with(
    isa: Isa,
    re: &[f64],
    im: &[f64],
    maxiter: u32,
    block: usize,
    output: &mut [u32],
) {
    let sieve = sieves(if isa.is_available() {
        isa
    } else {
        Isa::Portable
    });
    calculate_z_sieved(isa, re, im, maxiter, block, sieve, output);
}

/// Whether the kernel at `isa` runs the solution's sieve (its "Going
/// further"). `cargo run --release -p lab -- sieve` times each instruction
/// set both ways: on the workshop's machine the sieve paid with AVX-512
/// and cost with AVX2 and the portable build, whose smaller groups leave
/// fewer lanes idle to begin with (see the chapter).
pub fn sieves(isa: Isa) -> bool {
    match isa {
        Isa::Avx512 => true,
        Isa::Avx2 => false,
        Isa::Portable => solution::SIEVE,
    }
}

/// [`calculate_z_blocks_into_with`], with the sieve or without it: without,
/// every group of vectors runs from the first iteration until its last
/// lane escapes.
pub fn calculate_z_sieved(
    isa: Isa,
    re: &[f64],
    im: &[f64],
    maxiter: u32,
    block: usize,
    sieve: bool,
    output: &mut [u32],
) {
    assert_eq!(re.len(), output.len(), "one output per point");
    assert_eq!(im.len(), output.len(), "one output per point");
    // Steps 05 and 06 are checked for where their work ran.
    let _piece = mandel_core::work::piece(re.len());
    #[cfg(target_arch = "x86_64")]
    if isa.is_available() {
        match isa {
            Isa::Avx512 => {
                if let Some(simd) = x86::Avx512::detect() {
                    // SAFETY: the token says this CPU has the instructions.
                    return unsafe {
                        x86::avx512_blocks(simd, re, im, maxiter, block, sieve, output)
                    };
                }
            }
            Isa::Avx2 => {
                if let Some(simd) = x86::Avx2::detect() {
                    // SAFETY: the token says this CPU has the instructions.
                    return unsafe {
                        x86::avx2_blocks(simd, re, im, maxiter, block, sieve, output)
                    };
                }
            }
            Isa::Portable => {}
        }
    }
    // Elsewhere the build's own vectors are the best there is (NEON with
    // FMA on 64-bit Arm).
    #[cfg(not(target_arch = "x86_64"))]
    let _ = isa;
    solution::fused_blocks::<_, { solution::INTERLEAVE }>(
        Portable, re, im, maxiter, block, sieve, output,
    );
}

/// The fused multiply-add throughput of `isa`: `rounds` rounds of `CHAINS`
/// independent multiply-adds on full vectors. Returns the flops done and
/// the time taken. The peak probe runs this.
pub fn multiply_adds<const CHAINS: usize>(isa: Isa, rounds: u64) -> (f64, std::time::Duration) {
    #[cfg(target_arch = "x86_64")]
    if isa.is_available() {
        match isa {
            Isa::Avx512 => {
                if let Some(simd) = x86::Avx512::detect() {
                    // SAFETY: the token says this CPU has the instructions.
                    return unsafe { x86::avx512_multiply_adds::<CHAINS>(simd, rounds) };
                }
            }
            Isa::Avx2 => {
                if let Some(simd) = x86::Avx2::detect() {
                    // SAFETY: the token says this CPU has the instructions.
                    return unsafe { x86::avx2_multiply_adds::<CHAINS>(simd, rounds) };
                }
            }
            Isa::Portable => {}
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = isa;
    // One instruction each where the build has FMA; a multiply and an add
    // otherwise (the portable probe then counts both).
    timed_chains::<_, CHAINS>(Portable, rounds)
}

/// `rounds` rounds of `CHAINS` independent multiply-adds; the flops and
/// the time.
#[inline(always)]
fn timed_chains<S: Simd, const CHAINS: usize>(simd: S, rounds: u64) -> (f64, std::time::Duration) {
    let x = std::hint::black_box(simd.splat(0.999_999));
    let y = std::hint::black_box(simd.splat(1e-7));
    let mut acc = [simd.splat(1.0); CHAINS];
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        for a in acc.iter_mut() {
            // Converges to 0.1: no overflow, no denormals, however long.
            *a = a.mul_add(x, y);
        }
    }
    std::hint::black_box(&acc);
    let flops = (rounds * (CHAINS * LANES * 2) as u64) as f64;
    (flops, start.elapsed())
}

/// The solution's kernel and the probe, each compiled for one instruction
/// set: the generic code inlines into these, so the compiler may use the
/// instructions throughout.
#[cfg(target_arch = "x86_64")]
mod x86 {
    pub(super) use crate::simd::x86::{Avx2, Avx512};

    use super::{solution, timed_chains};

    /// Vectors of eight in flight: enough to hide the FMA's latency, few
    /// enough to stay in registers (32 with AVX-512; 16 with AVX2, where a
    /// vector takes two). Measured on the workshop's machine with
    /// `lab bench --isa`.
    const AVX512_VECTORS: usize = 6;
    const AVX2_VECTORS: usize = 3;

    #[target_feature(enable = "avx512f,fma")]
    pub(super) fn avx512_blocks(
        simd: Avx512,
        re: &[f64],
        im: &[f64],
        maxiter: u32,
        block: usize,
        sieve: bool,
        output: &mut [u32],
    ) {
        solution::fused_blocks::<_, AVX512_VECTORS>(simd, re, im, maxiter, block, sieve, output)
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn avx2_blocks(
        simd: Avx2,
        re: &[f64],
        im: &[f64],
        maxiter: u32,
        block: usize,
        sieve: bool,
        output: &mut [u32],
    ) {
        solution::fused_blocks::<_, AVX2_VECTORS>(simd, re, im, maxiter, block, sieve, output)
    }

    #[target_feature(enable = "avx512f,fma")]
    pub(super) fn avx512_multiply_adds<const CHAINS: usize>(
        simd: Avx512,
        rounds: u64,
    ) -> (f64, std::time::Duration) {
        timed_chains::<_, CHAINS>(simd, rounds)
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn avx2_multiply_adds<const CHAINS: usize>(
        simd: Avx2,
        rounds: u64,
    ) -> (f64, std::time::Duration) {
        timed_chains::<_, CHAINS>(simd, rounds)
    }
}
