//! What a step is: its place on the ladder, its reference kernel, how
//! closely it must match the oracle, whether this machine can run it, how
//! it is launched and what its speed is a share of.

use std::fmt;

use mandel_isa::Isa;

use crate::problem::Problem;
use crate::verify::Tolerance;

/// A step's entry point with its defaults: every kernel takes the problem's
/// points in the layout it wants and returns one count per point.
pub type Kernel = fn(&Problem) -> Vec<u32>;

/// A reference kernel, told the instruction set to dispatch to (steps
/// whose kernel is not dispatched at run time ignore it).
pub type Reference = fn(&Problem, Isa) -> Vec<u32>;

/// Which file of a step runs: the attendee's or the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// `exercises/stepNN/`: what the attendee writes.
    Exercise,
    /// `solutions/stepNN/`: the reference solution.
    Solution,
}

impl Variant {
    pub fn folder(self) -> &'static str {
        match self {
            Variant::Exercise => "exercises",
            Variant::Solution => "solutions",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Variant::Exercise => "your exercise",
            Variant::Solution => "the reference solution",
        }
    }
}

/// Whether a step can run on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Ready,
    /// The step cannot run here at full speed, but its self-check can
    /// (step 07 with no GPU runs the kernel compiled as C): the line says
    /// so. The ladder skips it with that line; the runner checks it.
    Emulated(Reason),
    /// What is missing and how to get it.
    Unavailable(Reason),
}

/// Why a step cannot run at full speed here: what is missing first (a tool
/// that wants only that reads `missing`), then what follows from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// `no CUDA driver (libcuda.so.1 ...)`.
    pub missing: String,
    /// `its self-check runs your kernel on the CPU instead`.
    pub besides: Option<String>,
}

impl Reason {
    pub fn new(missing: impl Into<String>) -> Self {
        Reason {
            missing: missing.into(),
            besides: None,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.missing)?;
        match &self.besides {
            Some(besides) => write!(f, "; {besides}"),
            None => Ok(()),
        }
    }
}

impl Availability {
    /// Whether the attendee's exercise can be checked here.
    pub fn checkable(&self) -> bool {
        !matches!(self, Availability::Unavailable(_))
    }
}

/// How a step's binary is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Launch {
    /// One process, as `cargo run -p stepNN`; the ladder calls the kernel
    /// in its own process.
    InProcess,
    /// Several copies of the binary under a launcher, as
    /// `mpirun -n 4 target/release/step06`. Where the launcher is missing
    /// the step runs its processes' code as threads of one process.
    Processes {
        /// The launcher and its process-count flag: `mpirun -n`.
        launcher: &'static str,
        /// How many the step's own commands suggest.
        processes: u32,
    },
}

/// What a step's "% of peak" is a share of.
#[derive(Debug, Clone, Copy)]
pub enum PeakOf {
    /// The CPU's fused-multiply-add peak on this many threads.
    Cpu { threads: fn() -> usize },
    /// The GPU's, from a GPU probe: flop/s and what was probed (the
    /// card, the precision); `None` where no GPU answers.
    Gpu {
        flops: fn() -> Option<(f64, String)>,
    },
}

/// One step of the ladder: everything the tools need to know about it. Each
/// step crate defines its own as `STEP`; the workshop's registry lists them.
pub struct Step {
    /// Place on the ladder, from 1.
    pub number: u32,
    /// One word: `pure`, `vector`, ...
    pub name: &'static str,
    /// The Rust technique, for the ladder's table.
    pub technique: &'static str,
    /// The tutorial script it retells.
    pub tutorial: &'static str,
    /// What this step adds to the one before, in one line: `workshop diff`
    /// prints it over the diff of the two reference files.
    pub lesson: &'static str,
    /// The file an attendee edits, the same name in `solutions/`.
    pub file: &'static str,
    /// The function in that file.
    pub function: &'static str,
    /// How far from the oracle the exercise or the reference may be, the
    /// reference dispatched to the given instruction set (which fuses or
    /// not).
    pub tolerance: fn(Variant, Isa) -> Tolerance,
    /// The instructions the exercise or the reference runs with, in a few
    /// words (`scalar f64`, `portable (SSE2)`, `AVX-512`), the reference
    /// dispatched to the given instruction set.
    pub instruction_set: fn(Variant, Isa) -> String,
    /// The exercise as shipped: the step crate's `stub/` file, the only
    /// copy in git. A build writes it to `exercises/` where the file is
    /// missing, and `workshop reset` puts it back.
    pub stub: &'static str,
    /// The reference solution's kernel, at the given instruction set. (The
    /// attendee's kernel is compiled only into the step's own binary and
    /// tests: see [`attendee_file!`].)
    pub solution: Reference,
    /// The chapter's file name under `docs/src/`, and its text (hints come
    /// from it). The registry test checks that the two agree.
    pub chapter_file: &'static str,
    pub chapter: &'static str,
    /// Whether this machine can run the step.
    pub availability: fn() -> Availability,
    pub launch: Launch,
    pub peak: PeakOf,
    /// The likely cause when this step's self-check never finishes, in
    /// the words of this step's code (step 03 has no early exit to blame).
    pub endless: &'static str,
    /// How many times the self-check runs each of its problems: more than
    /// once where threads make the answer's order a matter of timing, so
    /// that code which joins chunks in the order they finish fails every
    /// time, not now and then.
    pub self_check_runs: u32,
}

/// [`Step::endless`] for a step whose loop stops early on escape.
pub const STOPS_ONLY_ON_ESCAPE: &str = "a loop that stops only when a point escapes, which never ends for points inside the set: stop after maxiter iterations too";

/// [`Step::tolerance`] for a step whose arithmetic is the tutorial's.
pub fn exact(_: Variant, _: Isa) -> Tolerance {
    Tolerance::Exact
}

/// [`Step::instruction_set`] for a step of plain f64 code.
pub fn scalar(_: Variant, _: Isa) -> String {
    "scalar f64".to_string()
}

/// [`Step::instruction_set`] for a step of `wide` vectors, compiled for
/// what the build targets.
pub fn build_vectors(_: Variant, _: Isa) -> String {
    Isa::Portable.to_string()
}

/// [`Step::availability`] for a step that needs nothing beyond Rust.
pub fn always_ready() -> Availability {
    Availability::Ready
}

/// [`PeakOf::Cpu`] for a step that runs on one thread.
pub const ONE_THREAD: PeakOf = PeakOf::Cpu {
    threads: one_thread,
};

fn one_thread() -> usize {
    1
}

impl Step {
    /// `step01`, the package name.
    pub fn id(&self) -> String {
        format!("step{:02}", self.number)
    }

    /// The path of the step's file, from the repository root.
    pub fn path(&self, variant: Variant) -> String {
        format!("{}/{}/{}", variant.folder(), self.id(), self.file)
    }

    pub fn tolerance(&self, variant: Variant, isa: Isa) -> Tolerance {
        (self.tolerance)(variant, isa)
    }

    pub fn instruction_set(&self, variant: Variant, isa: Isa) -> String {
        (self.instruction_set)(variant, isa)
    }

    /// Why `variant`'s file cannot be checked on this machine, `why` being
    /// what [`Step::availability`] said is missing.
    pub fn nothing_can_run(&self, variant: Variant, why: &str) -> String {
        format!("nothing here can run {}: {why}", self.path(variant))
    }

    /// The command that prints this step's next hint.
    pub fn hint_command(&self) -> String {
        format!("cargo run -- hint {}", self.number)
    }
}

/// The attendee's file, compiled into a step's binary and tests only, never
/// its library: the workshop links the libraries, so an exercise that does
/// not compile breaks its own step's targets and nothing else.
///
/// In `crates/step03/src/attendee.rs`, which the binary and the tests load:
///
/// ```text
/// #[cfg(all(test, feature = "solution"))]
/// #[allow(unused_variables, unused_imports)]
/// #[path = "../stub/calculate_z.rs"]
/// mod stub;
///
/// mandel_core::attendee_file!(step03, "../../../exercises/step03/calculate_z.rs", |p| {
///     exercise::calculate_z(&p.re, &p.im, p.maxiter)
/// });
/// ```
///
/// It defines `exercise` (the file), `EXERCISE` (its kernel, called as the
/// library's `STEP.solution` calls the reference), and `active`, `ACTIVE`
/// and `active_kernel()`: what the binary and the self-check run, the
/// exercise or, with `--features solution`, the reference. With
/// `--features solution` its tests also get `STUB`, the same kernel around
/// the shipped stub (`mod stub`, declared beside the call where `cargo fmt`
/// sees it), for the test that the stub is still one. (`#[path]` takes only
/// a literal, so the path is spelled out; the registry test checks it.)
#[macro_export]
macro_rules! attendee_file {
    ($step:ident, $exercise:literal, $kernel:expr) => {
        // A stub leaves its arguments, and the imports its recipe names,
        // unused until the attendee fills it in. Dead code is not allowed:
        // what the file defines, the step uses.
        #[allow(unused_variables, unused_imports)]
        #[path = $exercise]
        pub mod exercise;

        #[cfg(not(feature = "solution"))]
        #[allow(unused_imports)]
        pub use exercise as active;
        #[cfg(feature = "solution")]
        #[allow(unused_imports)]
        pub use $step::solution as active;

        /// The attendee's kernel.
        #[allow(dead_code)]
        pub const EXERCISE: $crate::step::Kernel = $kernel;

        /// The shipped stub's kernel: `$kernel` with `exercise` naming the
        /// stub.
        #[cfg(all(test, feature = "solution"))]
        #[allow(dead_code)]
        pub const STUB: $crate::step::Kernel = {
            use stub as exercise;
            $kernel
        };

        /// What `cargo run` and `cargo test` of this step use: the exercise,
        /// or the reference solution with `--features solution`.
        #[allow(dead_code)]
        pub const ACTIVE: $crate::Variant = if cfg!(feature = "solution") {
            $crate::Variant::Solution
        } else {
            $crate::Variant::Exercise
        };

        /// The reference solution's kernel as the self-check calls it:
        /// `$kernel` with `exercise` naming the solution.
        #[allow(dead_code)]
        pub const SOLUTION: $crate::step::Kernel = {
            use $step::solution as exercise;
            $kernel
        };

        /// The kernel of [`ACTIVE`], as the self-check calls it.
        #[allow(dead_code)]
        pub fn active_kernel() -> $crate::step::Kernel {
            match ACTIVE {
                $crate::Variant::Exercise => EXERCISE,
                $crate::Variant::Solution => SOLUTION,
            }
        }
    };
}
