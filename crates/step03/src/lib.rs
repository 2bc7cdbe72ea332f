//! Step 03, vector: numpy_vector.py and numpy_vector_2.py. Array-at-a-time
//! SIMD, temporaries and cache blocks.

use mandel_core::{Step, Tolerance, Variant};

// A stub leaves its arguments and helpers unused until the attendee fills
// it in.
#[allow(unused_variables, unused_imports, dead_code)]
#[path = "../../../exercises/step03/calculate_z.rs"]
pub mod exercise;
#[path = "../../../solutions/step03/calculate_z.rs"]
pub mod solution;

/// The module `ACTIVE` names: its functions are what the binary and the
/// self-check run.
#[cfg(not(feature = "solution"))]
pub use exercise as active;
#[cfg(feature = "solution")]
pub use solution as active;

pub const STEP: Step = Step {
    number: 3,
    name: "vector",
    technique: "SoA, whole-array wide passes, no early exit",
    tutorial: "numpy_vector.py",
    file: "calculate_z.rs",
    function: "calculate_z",
    tolerance: Tolerance::Exact,
    exercise: |p| exercise::calculate_z(&p.re, &p.im, p.maxiter),
    solution: |p| solution::calculate_z(&p.re, &p.im, p.maxiter),
    chapter: include_str!("../../../docs/src/step03-vector.md"),
    threads: mandel_core::step::one_thread,
};

/// What `cargo run -p step03` and `cargo test -p step03` use: the exercise,
/// or the reference solution with `--features solution`.
pub const ACTIVE: Variant = if cfg!(feature = "solution") {
    Variant::Solution
} else {
    Variant::Exercise
};

/// Bytes each point holds during the passes: z and q (four f64) and the
/// output (one f64 lane).
pub const BYTES_PER_POINT: usize = 5 * 8;
