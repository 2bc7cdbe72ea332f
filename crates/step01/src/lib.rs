//! Step 01, pure: the tutorial's pure_python.py. Measure before you optimise.

use mandel_core::{Step, Tolerance, Variant};

// A stub leaves its arguments and helpers unused until the attendee fills
// it in.
#[allow(unused_variables, unused_imports, dead_code)]
#[path = "../../../exercises/step01/calculate_z.rs"]
pub mod exercise;
#[path = "../../../solutions/step01/calculate_z.rs"]
pub mod solution;

pub const STEP: Step = Step {
    number: 1,
    name: "pure",
    technique: "Vec<Complex64>, z[i] indexed, norm()",
    tutorial: "pure_python.py",
    file: "calculate_z.rs",
    function: "calculate_z",
    tolerance: Tolerance::Exact,
    exercise: |p| exercise::calculate_z(&p.points, p.maxiter),
    solution: |p| solution::calculate_z(&p.points, p.maxiter),
    chapter: include_str!("../../../docs/src/step01-pure.md"),
    threads: mandel_core::step::one_thread,
};

/// What `cargo run -p step01` and `cargo test -p step01` use: the exercise,
/// or the reference solution with `--features solution`.
pub const ACTIVE: Variant = if cfg!(feature = "solution") {
    Variant::Solution
} else {
    Variant::Exercise
};
