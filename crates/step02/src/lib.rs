//! Step 02, dereference-optimised: pure_python_2.py and Cython's lessons.

use mandel_core::{Launch, Step};

#[path = "../../../solutions/step02/calculate_z.rs"]
pub mod solution;

pub const STEP: Step = Step {
    number: 2,
    name: "dereference-optimised",
    technique: "locals, iterators, |z|^2 > 4 written out",
    tutorial: "pure_python_2.py + Cython",
    lesson: "locals instead of z[i] and q[i], no bounds checks, |z|^2 > 4 written out in f64",
    file: "calculate_z.rs",
    function: "calculate_z",
    tolerance: mandel_core::step::exact,
    instruction_set: mandel_core::step::scalar,
    stub: include_str!("../stub/calculate_z.rs"),
    solution: |p, _| solution::calculate_z(&p.points, p.maxiter),
    chapter_file: "step02-deref.md",
    chapter: include_str!("../../../docs/src/step02-deref.md"),
    availability: mandel_core::step::always_ready,
    launch: Launch::InProcess,
    peak: mandel_core::step::ONE_THREAD,
    endless: mandel_core::step::STOPS_ONLY_ON_ESCAPE,
    self_check_runs: 1,
};
