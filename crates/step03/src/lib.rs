//! Step 03, vector: numpy_vector.py and numpy_vector_2.py. Array-at-a-time
//! SIMD, temporaries and cache blocks.

use mandel_core::{Launch, Step};

#[path = "../../../solutions/step03/calculate_z.rs"]
pub mod solution;

pub const STEP: Step = Step {
    number: 3,
    name: "vector",
    technique: "SoA, whole-array wide passes, no early exit",
    tutorial: "numpy_vector.py",
    lesson: "whole-array SIMD passes over structure-of-arrays vectors, with no early exit",
    file: "calculate_z.rs",
    function: "calculate_z",
    tolerance: mandel_core::step::exact,
    instruction_set: mandel_core::step::build_vectors,
    stub: include_str!("../stub/calculate_z.rs"),
    solution: |p| solution::calculate_z(&p.re, &p.im, p.maxiter),
    chapter_file: "step03-vector.md",
    chapter: include_str!("../../../docs/src/step03-vector.md"),
    availability: mandel_core::step::always_ready,
    launch: Launch::InProcess,
    peak: mandel_core::step::ONE_THREAD,
};

/// Bytes each point holds during the passes: z and q (four f64) and the
/// output (one f64 lane).
pub const BYTES_PER_POINT: usize = 5 * 8;
