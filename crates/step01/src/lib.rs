//! Step 01, pure: the tutorial's pure_python.py. Measure before you optimise.

use mandel_core::{Launch, Step};

#[path = "../../../solutions/step01/calculate_z.rs"]
pub mod solution;

pub const STEP: Step = Step {
    number: 1,
    name: "pure",
    technique: "Vec<Complex64>, z[i] indexed, norm()",
    tutorial: "pure_python.py",
    lesson: "the tutorial's loop as written, measured and profiled before anything changes",
    file: "calculate_z.rs",
    function: "calculate_z",
    tolerance: mandel_core::step::exact,
    instruction_set: mandel_core::step::scalar,
    stub: include_str!("../stub/calculate_z.rs"),
    solution: |p, _| solution::calculate_z(&p.points, p.maxiter),
    chapter_file: "step01-pure.md",
    chapter: include_str!("../../../docs/src/step01-pure.md"),
    availability: mandel_core::step::always_ready,
    launch: Launch::InProcess,
    peak: mandel_core::step::ONE_THREAD,
    endless: mandel_core::step::STOPS_ONLY_ON_ESCAPE,
    self_check_runs: 1,
};
