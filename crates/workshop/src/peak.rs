//! A peak probe: how many fused multiply-adds per second this machine's
//! hardware does, with the best vector instructions it has (asked at run
//! time, whatever the build targets), so that a step's speed can be shown
//! as a share of what the hardware could do, not of what a build uses.
//!
//! One z-update (`z = z*z + q` and the `|z|^2 > 4` test) costs 8 flops:
//! three multiplies, four adds and a compare, counted as the usual
//! Mandelbrot figure. A fused multiply-add counts as 2 flops.

use std::time::Duration;

use mandel_core::Isa;
use step04::dispatch::multiply_adds;

pub use mandel_core::oracle::FLOPS_PER_UPDATE;

/// A measured peak.
#[derive(Debug, Clone, Copy)]
pub struct Peak {
    pub threads: usize,
    /// The instructions it was measured with.
    pub isa: Isa,
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
    /// `peak 143.2 GFLOP/s on 1 thread (AVX-512, fused multiply-add) = 17.9 G z-updates/s at 8 flops each`.
    pub fn describe(&self) -> String {
        format!(
            "peak {:.1} GFLOP/s on {} thread{} ({}, {}) = {} z-updates/s at {} flops each",
            self.flops / 1e9,
            self.threads,
            if self.threads == 1 { "" } else { "s" },
            self.isa,
            if self.isa.fuses() {
                "fused multiply-add"
            } else {
                "multiply then add"
            },
            mandel_core::timing::rate_text(self.updates_per_second()),
            FLOPS_PER_UPDATE
        )
    }
}

/// Measures the hardware's peak on `threads` threads at once, with the
/// best instructions this CPU has: each thread runs the same multiply-add
/// loop; the best of several short trials, over several chain counts,
/// counts. (Too few chains wait on latency, too many spill out of
/// registers, and the best number depends on the CPU.)
pub fn probe(threads: usize) -> Peak {
    probe_with(Isa::best(), threads)
}

/// [`probe`] with given instructions.
pub fn probe_with(isa: Isa, threads: usize) -> Peak {
    let flops = [
        trials::<4>(isa, threads),
        trials::<8>(isa, threads),
        trials::<12>(isa, threads),
        trials::<16>(isa, threads),
    ];
    Peak {
        threads: threads.max(1),
        isa,
        flops: flops.into_iter().fold(0.0, f64::max),
    }
}

/// The best flops per second of a few trials with `CHAINS` chains.
fn trials<const CHAINS: usize>(isa: Isa, threads: usize) -> f64 {
    let threads = threads.max(1);
    // Size a trial to about 20 ms on one thread.
    let mut rounds: u64 = 1 << 14;
    while multiply_adds::<CHAINS>(isa, rounds).1 < Duration::from_millis(5) {
        rounds *= 2;
    }
    rounds *= 4;
    let mut best = 0.0f64;
    for _ in 0..3 {
        let barrier = std::sync::Barrier::new(threads);
        let (flops, longest) = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        multiply_adds::<CHAINS>(isa, rounds)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("probe thread"))
                .fold((0.0, Duration::ZERO), |(sum, longest), (flops, took)| {
                    (sum + flops, longest.max(took))
                })
        });
        best = best.max(flops / longest.as_secs_f64());
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_measures_something_plausible_with_every_instruction_set() {
        for isa in Isa::ALL.into_iter().filter(|isa| isa.is_available()) {
            let peak = probe_with(isa, 1);
            // Any machine this runs on does more than 100 MFLOP/s and less
            // than 10 TFLOP/s on one thread; the point is that it measured.
            assert!(peak.flops > 1e8 && peak.flops < 1e13, "{}", peak.describe());
            assert!((peak.percent(peak.updates_per_second()) - 100.0).abs() < 1e-9);
            assert!(
                peak.describe().contains(&format!("({isa}, ")),
                "{}",
                peak.describe()
            );
        }
        assert_eq!(probe(1).isa, Isa::best());
    }
}
