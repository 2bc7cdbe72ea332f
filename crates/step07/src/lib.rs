//! Step 07, GPU: the tutorial's pyCUDA scripts, with cudarc and NVRTC.
//! The kernels are CUDA C (`kernels/`, and the attendee's
//! `exercises/step07/calculate_z.cu`), compiled at run time; the host code
//! here copies the points over, launches, copies the counts back and times
//! each part. With no GPU the step is skipped in one line, and its
//! self-check runs the attendee's kernel on the CPU, compiled as C.

use std::path::Path;

use mandel_core::selfcheck::{self, Failure, FailureKind};
use mandel_core::verify::{Tolerance, FMA_TOLERANCE};
use mandel_core::{Availability, Error, Isa, Launch, PeakOf, Problem, Reason, Step, Variant};

pub mod emulate;
pub mod gpu;
pub mod nvrtc;
pub mod ptxas;
pub mod source;

use source::{Build, Precision, Source};

/// The stub's mark in `output[0]` (`MANDEL_UNWRITTEN` in the header).
pub const UNWRITTEN: u32 = u32::MAX;

pub const STEP: Step = Step {
    number: 7,
    name: "gpu",
    technique: "CUDA kernels via cudarc + NVRTC",
    tutorial: "pycuda/*",
    lesson: "one thread per point on the GPU: the same loop in CUDA C, and the copies that now cost more than the work",
    file: "calculate_z.cu",
    function: "calculate_z",
    // Step 07 is CUDA C: no CPU instruction set to dispatch to.
    tolerance: |_, _| Settings::default().tolerance(),
    instruction_set: |_, _| format!("CUDA {}", Settings::default().build.precision),
    stub: source::STUB.text,
    solution: |p, _| solution_on_gpu(&Settings::default(), p),
    chapter_file: "step07-gpu.md",
    chapter: include_str!("../../../docs/src/step07-gpu.md"),
    availability,
    launch: Launch::InProcess,
    peak: PeakOf::Gpu {
        flops: default_peak,
    },
    endless: "a loop that stops only when the point escapes, which never ends for points inside the set: stop after maxiter iterations too (`iteration < maxiter`)",
    self_check_runs: 1,
};

/// The tutorial's three ways to the GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum GpuVariant {
    /// gpuarray: whole-array passes, one launch per operation per iteration.
    Arrays,
    /// ElementwiseKernel: one thread per point, the whole loop in one kernel.
    #[default]
    Elementwise,
    /// SourceModule: a fixed launch shape strides over every point.
    Gridstride,
}

/// One run's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub variant: GpuVariant,
    pub build: Build,
    /// Blocks, for `gridstride` (the others launch as many as the points
    /// need).
    pub grid: u32,
    /// Threads per block.
    pub block: u32,
}

impl Default for Settings {
    /// The tutorial's SourceModule launch, grid=(400,1), block=(512,1,1);
    /// f64 with multiply-adds fused, as NVRTC compiles by default.
    fn default() -> Self {
        Settings {
            variant: GpuVariant::Elementwise,
            build: Build {
                precision: Precision::F64,
                fmad: true,
            },
            grid: 400,
            block: 512,
        }
    }
}

/// How far f32 moves the answer from the oracle's f64: the points
/// themselves round to f32 (a relative step of 2^-24), which moves every
/// orbit a little, and points near the boundary change their count.
/// Measured with `step07 W MAXITER --emulate --precision f32` (the GPU's
/// f32 arithmetic with nothing fused, bit for bit): 0.0072% of points on
/// `333 50`, 0.65% on `68 200`, 0.24% on `1000 300`, 0.34% on `1000 1000`
/// (sum 1151047, not 1148485), 0.31% on `2000 1000`, 0.30% on
/// `4000 1000`, 0.37% on `1000 10000`, 0.35% on `2000 5000`, 0.38% on
/// `1000 100000`. The bound is three times the largest.
pub const F32_TOLERANCE: Tolerance = Tolerance::Fraction(0.02);

impl Settings {
    /// How closely this run must match the oracle.
    pub fn tolerance(&self) -> Tolerance {
        match (self.build.precision, self.build.fmad) {
            (Precision::F64, false) => Tolerance::Exact,
            (Precision::F64, true) => FMA_TOLERANCE,
            (Precision::F32, _) => F32_TOLERANCE,
        }
    }

    /// `elementwise, f64, ..., 489 blocks of 512 threads`.
    pub fn describe(&self, points: usize) -> String {
        let shape = match self.variant {
            GpuVariant::Gridstride => format!("{} blocks of {} threads", self.grid, self.block),
            _ => format!(
                "{} blocks of {} threads",
                points.div_ceil(self.block as usize),
                self.block
            ),
        };
        let variant = match self.variant {
            GpuVariant::Arrays => "arrays (6 launches per iteration)",
            GpuVariant::Elementwise => "elementwise",
            GpuVariant::Gridstride => "gridstride",
        };
        format!("{variant}, {}; {shape}", self.build.describe())
    }
}

/// CUDA's largest grid, in blocks along x (every GPU since compute
/// capability 3.0).
pub const MAX_GRID: u32 = i32::MAX as u32;

/// CUDA's most threads per block (every GPU since compute capability
/// 2.0); a GPU may take fewer, which it says when the launch is made.
pub const MAX_BLOCK: u32 = 1024;

/// clap value parser for `--grid`: 1 to [`MAX_GRID`], known before any GPU
/// is asked.
pub fn launch_grid(text: &str) -> Result<u32, String> {
    at_most(text, MAX_GRID, "CUDA's largest grid")
}

/// clap value parser for `--block`: 1 to [`MAX_BLOCK`].
pub fn launch_block(text: &str) -> Result<u32, String> {
    at_most(text, MAX_BLOCK, "CUDA's most threads per block")
}

fn at_most(text: &str, most: u32, why: &str) -> Result<u32, String> {
    let value = mandel_core::error::positive::<u32>(text)?;
    if value > most {
        return Err(format!("must be at most {most}, {why}"));
    }
    Ok(value)
}

/// Ready with a GPU; Emulated where a C compiler can stand in for the
/// self-check; Unavailable otherwise.
pub fn availability() -> Availability {
    match gpu::gpu() {
        Ok(_) => Availability::Ready,
        Err(why) => match emulate::available() {
            Ok(()) => Availability::Emulated(Reason {
                missing: why.to_string(),
                besides: Some(
                    "its self-check (`cargo test -p step07`) runs your kernel on the CPU instead"
                        .to_string(),
                ),
            }),
            Err(no_cc) => Availability::Unavailable(Reason {
                missing: why.to_string(),
                besides: Some(format!("and {no_cc}")),
            }),
        },
    }
}

fn default_peak() -> Option<(f64, String)> {
    let gpu = gpu::gpu().ok()?;
    let precision = Settings::default().build.precision;
    let flops = gpu.peak_flops(precision).ok()?;
    Some((flops, format!("{}, {precision}", gpu.name)))
}

/// The reference kernel on the GPU, as the ladder calls it: panics (with
/// the one line) if the GPU fails, which `availability` rules out first.
fn solution_on_gpu(settings: &Settings, problem: &Problem) -> Vec<u32> {
    run_on_gpu(&source::SOLUTION, settings, problem).unwrap_or_else(|why| panic!("{why}"))
}

/// `elementwise` (the exercise's or the solution's kernel) on the GPU,
/// with the stub told apart from a wrong answer.
pub fn run_on_gpu(
    elementwise: &Source,
    settings: &Settings,
    problem: &Problem,
) -> Result<Vec<u32>, Error> {
    let gpu = gpu::gpu()?;
    let (counts, _) = gpu.run(elementwise, settings, problem)?;
    Ok(counts)
}

/// Raises [`selfcheck::Unfinished`] when the stub's mark is in the
/// answer, so the self-check calls it a stub.
pub fn unless_stub(source: &Source, counts: Vec<u32>) -> Vec<u32> {
    if counts.first() == Some(&UNWRITTEN) {
        std::panic::panic_any(selfcheck::Unfinished(format!(
            "{} still has its MANDEL_TODO line",
            source.path
        )));
    }
    counts
}

/// Why nothing here can run `variant`'s kernel, and what to install: the
/// self-check's verdict where there is neither a GPU nor a C compiler.
pub fn nothing_can_run(variant: Variant) -> String {
    let why = match availability() {
        Availability::Unavailable(why) | Availability::Emulated(why) => why.to_string(),
        Availability::Ready => "no reason given".to_string(),
    };
    STEP.nothing_can_run(variant, &why)
}

/// Where a self-check ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// On this GPU.
    Gpu(String),
    /// On the CPU: how it was compiled (`compiled as C by `cc``).
    Emulated(String),
}

/// A wrong answer from a kernel that computes in `float` where the file's
/// `real` was meant gets a line about why: the self-check is in double.
fn with_precision_note(source: &Source, mut failure: Failure) -> Failure {
    if matches!(failure.kind, FailureKind::Wrong) && source::declares_float(source.text) {
        failure.sentence.push_str(
            " Your kernel computes in `float` (f32: 24 bits of mantissa, about 7 digits) where the file's `real` was meant: the self-check compiles `real` as double, the tutorial's f64; write `real`, and `--precision f32` makes it float for speed.",
        );
    }
    failure
}

/// The self-check of an elementwise kernel, `source` (the exercise or the
/// solution): compiled f64 with nothing fused, so it must match the oracle
/// exactly on [`selfcheck::SIZES`]: on the GPU when there is one, else on
/// the CPU. Where nothing here can run it, a [`FailureKind::CannotRun`]
/// saying what to install.
pub fn self_check(
    variant: Variant,
    source: &Source,
    pictures: &Path,
    on_timeout: selfcheck::OnTimeout,
) -> Result<Checked, Failure> {
    let settings = Settings {
        build: Build::EXACT,
        ..Settings::default()
    };
    let refused = |line: String| Failure::new(FailureKind::DoesNotCompile, line);
    // NVRTC's verdict on the source first, wherever it runs.
    match nvrtc::compile(source, settings.build, None) {
        Err(nvrtc::CompileFailure::Refused { first, .. }) => return Err(refused(first)),
        Ok(_) | Err(nvrtc::CompileFailure::NoCompiler(_)) => {}
    }
    let exact_step = Step {
        tolerance: |_, _| Tolerance::Exact,
        ..STEP
    };
    // The CUDA C has no CPU instruction set to dispatch to: any will do.
    let check = |kernel: &dyn Fn(&Problem) -> Vec<u32>, on_timeout| {
        selfcheck::check_or_exit(
            &exact_step,
            variant,
            Isa::best(),
            pictures,
            kernel,
            on_timeout,
        )
        .map_err(|failure| with_precision_note(source, failure))
    };
    match gpu::gpu() {
        Ok(gpu) => {
            let kernel = |p: &Problem| {
                let (counts, _) = gpu
                    .run(source, &settings, p)
                    .unwrap_or_else(|e| panic!("{e}"));
                unless_stub(source, counts)
            };
            check(&kernel, on_timeout)?;
            Ok(Checked::Gpu(gpu.name.clone()))
        }
        Err(_) => {
            let emulator = match emulate::Emulator::compile(source, settings.build) {
                Ok(emulator) => emulator,
                Err(nvrtc::CompileFailure::NoCompiler(_)) => {
                    return Err(Failure::new(
                        FailureKind::CannotRun,
                        nothing_can_run(variant),
                    ))
                }
                Err(nvrtc::CompileFailure::Refused { first, .. }) => return Err(refused(first)),
            };
            let how = emulator.how().to_string();
            let kernel = |p: &Problem| {
                let grid = p.len().div_ceil(settings.block as usize) as u32;
                let counts = emulator
                    .run(p, grid, settings.block)
                    .unwrap_or_else(|e| panic!("{e}"));
                unless_stub(source, counts)
            };
            check(&kernel, on_timeout)?;
            Ok(Checked::Emulated(how))
        }
    }
}
