//! Step 04, numexpr-style fused: one pass over cache-sized blocks with the
//! whole expression and the iteration loop in registers. Also the numexpr
//! idea itself: a formula compiled once and evaluated block by block
//! ([`expr`]).

use mandel_core::Step;

pub mod expr;

mandel_core::step_files!(
    "../../../exercises/step04/calculate_z.rs",
    "../../../solutions/step04/calculate_z.rs"
);

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
    tolerance: mandel_core::verify::WHERE_FUSED,
    exercise: |p| exercise::calculate_z(&p.re, &p.im, p.maxiter),
    solution: |p| solution::calculate_z(&p.re, &p.im, p.maxiter),
    chapter: include_str!("../../../docs/src/step04-fused.md"),
    threads: mandel_core::step::one_thread,
};
