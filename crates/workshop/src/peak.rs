//! A peak probe: how many fused multiply-adds per second this machine does
//! with the vector type the workshop's SIMD steps use, so that a step's
//! speed can be shown as a share of what the hardware could do.
//!
//! One z-update (`z = z*z + q` and the `|z|^2 > 4` test) costs 8 flops:
//! three multiplies, four adds and a compare, counted as the usual
//! Mandelbrot figure. A fused multiply-add counts as 2 flops.

use std::hint::black_box;
use std::time::{Duration, Instant};

use mandel_core::verify::FUSED;
use wide::f64x8;

/// Flops per z-update, the conversion behind every "% of peak".
pub const FLOPS_PER_UPDATE: f64 = 8.0;

/// The SIMD instructions this build's `wide::f64x8` compiles to.
pub fn vector_width() -> &'static str {
    if cfg!(target_feature = "avx512f") {
        "512-bit AVX-512"
    } else if cfg!(target_feature = "avx") {
        "256-bit AVX"
    } else if cfg!(target_arch = "aarch64") {
        "128-bit NEON"
    } else if cfg!(target_feature = "sse2") {
        "128-bit SSE2"
    } else {
        "scalar (no SIMD)"
    }
}

/// A measured peak.
#[derive(Debug, Clone, Copy)]
pub struct Peak {
    pub threads: usize,
    /// Floating-point operations per second, all threads together.
    pub flops: f64,
}

impl Peak {
    /// The same peak in z-updates per second.
    pub fn updates_per_second(&self) -> f64 {
        self.flops / FLOPS_PER_UPDATE
    }

    /// `updates_per_second` as a percentage of this peak.
    pub fn percent(&self, updates_per_second: f64) -> f64 {
        100.0 * updates_per_second / self.updates_per_second()
    }

    /// One line for a report, e.g.
    /// `peak 143.2 GFLOP/s on 1 thread (512-bit AVX-512, fused) = 17.9 G z-updates/s at 8 flops each`.
    pub fn describe(&self) -> String {
        format!(
            "peak {:.1} GFLOP/s on {} thread{} ({}, {}) = {} z-updates/s at {} flops each",
            self.flops / 1e9,
            self.threads,
            if self.threads == 1 { "" } else { "s" },
            vector_width(),
            if FUSED {
                "fused multiply-add"
            } else {
                "multiply then add"
            },
            mandel_core::timing::rate_text(self.updates_per_second()),
            FLOPS_PER_UPDATE
        )
    }
}

/// `rounds` rounds of `CHAINS` independent multiply-adds on 8 lanes;
/// returns the time. Too few chains wait on latency, too many spill out
/// of registers, and the best number depends on the CPU, so [`probe`] tries
/// several.
fn multiply_adds<const CHAINS: usize>(rounds: u64) -> Duration {
    let x = black_box(f64x8::splat(0.999_999));
    let y = black_box(f64x8::splat(1e-7));
    let mut acc = [f64x8::splat(1.0); CHAINS];
    let start = Instant::now();
    for _ in 0..rounds {
        for a in acc.iter_mut() {
            // Converges to 0.1: no overflow, no denormals, however long it runs.
            *a = a.mul_add(x, y);
        }
    }
    black_box(acc);
    start.elapsed()
}

/// Measures the peak on `threads` threads at once: each runs the same
/// multiply-add loop; the best of several short trials, over several chain
/// counts, counts.
pub fn probe(threads: usize) -> Peak {
    let flops = [
        trials::<4>(threads),
        trials::<8>(threads),
        trials::<12>(threads),
        trials::<16>(threads),
    ];
    Peak {
        threads: threads.max(1),
        flops: flops.into_iter().fold(0.0, f64::max),
    }
}

/// The best flops per second of a few trials with `CHAINS` chains.
fn trials<const CHAINS: usize>(threads: usize) -> f64 {
    let threads = threads.max(1);
    let flops_per_round = (CHAINS * 8 * 2) as f64;
    // Size a trial to about 20 ms on one thread.
    let mut rounds: u64 = 1 << 14;
    while multiply_adds::<CHAINS>(rounds) < Duration::from_millis(5) {
        rounds *= 2;
    }
    rounds *= 4;
    let mut best = 0.0f64;
    for _ in 0..3 {
        let barrier = std::sync::Barrier::new(threads);
        let longest = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        multiply_adds::<CHAINS>(rounds)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("probe thread"))
                .max()
                .unwrap_or_default()
        });
        let flops = flops_per_round * rounds as f64 * threads as f64 / longest.as_secs_f64();
        best = best.max(flops);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_measures_something_plausible() {
        let peak = probe(1);
        // Any machine this runs on does more than 100 MFLOP/s and less than
        // 10 TFLOP/s on one thread; the point is that it measured at all.
        assert!(peak.flops > 1e8 && peak.flops < 1e13, "{}", peak.describe());
        assert!((peak.percent(peak.updates_per_second()) - 100.0).abs() < 1e-9);
        assert!(peak.describe().contains("z-updates/s at 8 flops each"));
    }
}
