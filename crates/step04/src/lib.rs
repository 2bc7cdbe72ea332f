//! Step 04, numexpr-style fused: one pass over cache-sized blocks with the
//! whole expression and the iteration loop in registers. Also the numexpr
//! idea itself: a formula compiled once and evaluated block by block
//! ([`expr`]).

use mandel_core::{Isa, Launch, Step, Variant};

pub mod dispatch;
pub mod expr;
pub mod simd;

// The solution file names this crate as `step04`, so that it compiles
// both here and where the mutation tests compile wrong copies of it.
extern crate self as step04;

#[path = "../../../solutions/step04/calculate_z.rs"]
pub mod solution;

/// How far fused multiply-add may move the answer (see the chapter).
/// Without FMA in the build the arithmetic is the tutorial's and exact.
pub use mandel_core::verify::FMA_TOLERANCE;

pub const STEP: Step = Step {
    number: 4,
    name: "numexpr-style fused",
    technique: "vectors in registers, early exit",
    tutorial: "numpy_vector_numexpr",
    lesson: "one fused pass per block: several vectors in registers, early exit when every lane has escaped",
    file: "calculate_z.rs",
    function: "calculate_z",
    // The exercise is the portable kernel; the reference runs with the best
    // this CPU has (see `dispatch`), or with `--isa portable` as the exercise.
    tolerance: |variant, isa| match variant {
        Variant::Exercise => mandel_core::verify::WHERE_FUSED,
        Variant::Solution => mandel_core::verify::tolerance_with(isa),
    },
    instruction_set: |variant, isa| match variant {
        Variant::Exercise => Isa::Portable.to_string(),
        Variant::Solution => isa.to_string(),
    },
    stub: include_str!("../stub/calculate_z.rs"),
    solution: |p, isa| dispatch::calculate_z_with(isa, &p.re, &p.im, p.maxiter),
    chapter_file: "step04-fused.md",
    chapter: include_str!("../../../docs/src/step04-fused.md"),
    availability: mandel_core::step::always_ready,
    launch: Launch::InProcess,
    peak: mandel_core::step::ONE_THREAD,
    endless: "a loop that waits for every lane of a group to escape, which never happens while one lane's point is inside the set: stop after maxiter iterations too",
    self_check_runs: 1,
};
