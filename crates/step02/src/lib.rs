//! Step 02, dereference-optimised: pure_python_2.py and Cython's lessons.

use mandel_core::{Step, Tolerance, Variant};

// A stub leaves its arguments and helpers unused until the attendee fills
// it in.
#[allow(unused_variables, unused_imports, dead_code)]
#[path = "../../../exercises/step02/calculate_z.rs"]
pub mod exercise;
#[path = "../../../solutions/step02/calculate_z.rs"]
pub mod solution;

pub const STEP: Step = Step {
    number: 2,
    name: "dereference-optimised",
    technique: "locals, iterators, |z|^2 > 4 written out",
    tutorial: "pure_python_2.py + Cython",
    file: "calculate_z.rs",
    function: "calculate_z",
    tolerance: Tolerance::Exact,
    exercise: |p| exercise::calculate_z(&p.points, p.maxiter),
    solution: |p| solution::calculate_z(&p.points, p.maxiter),
    chapter: include_str!("../../../docs/src/step02-deref.md"),
    threads: mandel_core::step::one_thread,
};

/// What `cargo run -p step02` and `cargo test -p step02` use: the exercise,
/// or the reference solution with `--features solution`.
pub const ACTIVE: Variant = if cfg!(feature = "solution") {
    Variant::Solution
} else {
    Variant::Exercise
};
