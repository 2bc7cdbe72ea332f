//! Step 01, pure: the tutorial's pure_python.py. Measure before you optimise.

use mandel_core::{Step, Tolerance};

mandel_core::step_files!(
    "../../../exercises/step01/calculate_z.rs",
    "../../../solutions/step01/calculate_z.rs"
);

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
