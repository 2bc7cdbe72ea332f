//! Step 04, numexpr-style fused: one pass over cache-sized blocks with the
//! whole expression and the iteration loop in registers. Also the numexpr
//! idea itself: a formula compiled once and evaluated block by block
//! ([`expr`]).

use mandel_core::peak::FUSED;
use mandel_core::{Step, Tolerance, Variant};

pub mod expr;

// A stub leaves its arguments and helpers unused until the attendee fills
// it in.
#[allow(unused_variables, unused_imports, dead_code)]
#[path = "../../../exercises/step04/calculate_z.rs"]
pub mod exercise;
#[path = "../../../solutions/step04/calculate_z.rs"]
pub mod solution;

/// The module `ACTIVE` names: its functions are what the binary and the
/// self-check run.
#[cfg(not(feature = "solution"))]
pub use exercise as active;
#[cfg(feature = "solution")]
pub use solution as active;

/// How far fused multiply-add may move the answer (see the chapter).
/// Without FMA in the build the arithmetic is the tutorial's and exact.
pub use mandel_core::verify::FMA_TOLERANCE;

pub const STEP: Step = Step {
    number: 4,
    name: "numexpr-style fused",
    technique: "interleaved wide vectors in registers, early exit",
    tutorial: "numpy_vector_numexpr",
    file: "calculate_z.rs",
    function: "calculate_z",
    tolerance: if FUSED {
        FMA_TOLERANCE
    } else {
        Tolerance::Exact
    },
    exercise: |p| exercise::calculate_z(&p.re, &p.im, p.maxiter),
    solution: |p| solution::calculate_z(&p.re, &p.im, p.maxiter),
    chapter: include_str!("../../../docs/src/step04-fused.md"),
    threads: mandel_core::step::one_thread,
};

/// What `cargo run -p step04` and `cargo test -p step04` use: the exercise,
/// or the reference solution with `--features solution`.
pub const ACTIVE: Variant = if cfg!(feature = "solution") {
    Variant::Solution
} else {
    Variant::Exercise
};
