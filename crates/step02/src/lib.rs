//! Step 02, dereference-optimised: pure_python_2.py and Cython's lessons.

use mandel_core::{Step, Tolerance};

mandel_core::step_files!(
    "../../../exercises/step02/calculate_z.rs",
    "../../../solutions/step02/calculate_z.rs"
);

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
