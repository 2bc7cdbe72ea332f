//! Instruction sets as values: which ones this CPU has (asked at run time,
//! once, as memchr and numpy ask), the best of them, and what this build's
//! portable vectors compile to. Nothing here is a setting: whoever runs a
//! dispatched kernel passes the instruction set it wants.

use std::fmt;
use std::sync::OnceLock;

/// An instruction set a dispatched kernel can run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Isa {
    /// 512-bit AVX-512F vectors with fused multiply-add (x86-64).
    Avx512,
    /// 256-bit AVX2 vectors with fused multiply-add (x86-64).
    Avx2,
    /// The portable `wide` kernel, compiled for whatever this build targets
    /// (SSE2 in a default x86-64 build, NEON on 64-bit Arm).
    Portable,
}

/// Whether `mul_add` on the portable vectors is one fused instruction in
/// this build (x86 with the `fma` target feature, or 64-bit Arm) or a
/// multiply and an add.
pub const PORTABLE_FUSES: bool = cfg!(any(
    target_feature = "fma",
    all(target_arch = "aarch64", target_feature = "neon")
));

impl Isa {
    /// Best first.
    pub const ALL: [Isa; 3] = [Isa::Avx512, Isa::Avx2, Isa::Portable];

    /// The name `--isa` takes.
    pub fn flag(self) -> &'static str {
        match self {
            Isa::Avx512 => "avx512",
            Isa::Avx2 => "avx2",
            Isa::Portable => "portable",
        }
    }

    /// Whether this CPU can run it (asked at run time), and it is not
    /// named in [`DISABLE_VARIABLE`].
    pub fn is_available(self) -> bool {
        !disabled().contains(&self) && self.cpu_has()
    }

    fn cpu_has(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            Isa::Avx512 | Isa::Avx2 => false,
            Isa::Portable => true,
        }
    }

    /// The best this CPU has: what a dispatched kernel runs with unless
    /// told otherwise. Asked once.
    pub fn best() -> Isa {
        static BEST: OnceLock<Isa> = OnceLock::new();
        *BEST.get_or_init(|| {
            Isa::ALL
                .into_iter()
                .find(|isa| isa.is_available())
                .unwrap_or(Isa::Portable)
        })
    }

    /// Whether a kernel with it fuses multiply-adds.
    pub fn fuses(self) -> bool {
        match self {
            Isa::Avx512 | Isa::Avx2 => true,
            Isa::Portable => PORTABLE_FUSES,
        }
    }

    /// `Ok` when this CPU has it; else why not, as the one line a user
    /// sees.
    pub fn check_available(self) -> Result<Isa, Unavailable> {
        if self.is_available() {
            return Ok(self);
        }
        let has: Vec<&str> = Isa::ALL
            .into_iter()
            .filter(|isa| isa.is_available())
            .map(Isa::flag)
            .collect();
        let why = if self.cpu_has() {
            format!("{DISABLE_VARIABLE} disables {self}")
        } else {
            format!("this CPU has no {self}")
        };
        Err(Unavailable(format!(
            "--isa {}: {why}; it can run --isa {}",
            self.flag(),
            has.join(", --isa ")
        )))
    }
}

/// An instruction set this machine cannot run, in the one line a user
/// sees (something missing, not a mistake).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unavailable {}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Isa::Avx512 => f.write_str("AVX-512"),
            Isa::Avx2 => f.write_str("AVX2+FMA"),
            Isa::Portable => write!(f, "portable ({})", build_vectors()),
        }
    }
}

/// Names instruction sets to treat as missing, comma-separated
/// (`avx512,avx2`), as numpy's `NPY_DISABLE_CPU_FEATURES` does: to see on
/// one machine what a CPU without them would run. `portable` cannot be
/// disabled.
pub const DISABLE_VARIABLE: &str = "MANDEL_DISABLE_CPU_FEATURES";

fn disabled() -> &'static [Isa] {
    static DISABLED: OnceLock<Vec<Isa>> = OnceLock::new();
    DISABLED.get_or_init(|| {
        let names = std::env::var(DISABLE_VARIABLE).unwrap_or_default();
        Isa::ALL
            .into_iter()
            .filter(|&isa| isa != Isa::Portable)
            .filter(|isa| {
                names
                    .split(',')
                    .any(|n| n.trim().eq_ignore_ascii_case(isa.flag()))
            })
            .collect()
    })
}

/// The instructions this build's portable vectors (`wide`) compile to,
/// decided when it was compiled, whatever the CPU has.
pub fn build_vectors() -> &'static str {
    if cfg!(target_feature = "avx512f") {
        "AVX-512"
    } else if cfg!(all(target_feature = "avx2", target_feature = "fma")) {
        "AVX2+FMA"
    } else if cfg!(target_feature = "avx") {
        "AVX"
    } else if cfg!(target_arch = "aarch64") {
        "NEON"
    } else if cfg!(target_feature = "sse2") {
        "SSE2"
    } else {
        "scalar"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portable_kernel_always_runs_and_the_best_is_available() {
        assert!(Isa::Portable.is_available());
        assert!(Isa::best().is_available());
        assert_eq!(Isa::Portable.fuses(), PORTABLE_FUSES);
        let missing = Isa::ALL.into_iter().find(|isa| !isa.is_available());
        if let Some(isa) = missing {
            let line = isa.check_available().unwrap_err().to_string();
            assert!(
                line.starts_with(&format!("--isa {}: this CPU has no", isa.flag())),
                "{line}"
            );
            assert!(line.contains("--isa portable"), "{line}");
        }
    }
}
