//! Step 03, vector: numpy_vector.py and numpy_vector_2.py. Array-at-a-time
//! SIMD, temporaries and cache blocks.

use mandel_core::{Step, Tolerance};

mandel_core::step_files!(
    "../../../exercises/step03/calculate_z.rs",
    "../../../solutions/step03/calculate_z.rs"
);

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

/// Bytes each point holds during the passes: z and q (four f64) and the
/// output (one f64 lane).
pub const BYTES_PER_POINT: usize = 5 * 8;
