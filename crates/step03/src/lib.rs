//! Step 03, vector: numpy_vector.py and numpy_vector_2.py. Array-at-a-time
//! SIMD without an early exit, and cache blocks.

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
    solution: |p, _| solution::calculate_z(&p.re, &p.im, p.maxiter),
    chapter_file: "step03-vector.md",
    chapter: include_str!("../../../docs/src/step03-vector.md"),
    availability: mandel_core::step::always_ready,
    launch: Launch::InProcess,
    peak: mandel_core::step::ONE_THREAD,
    endless: "a loop whose counter never reaches its bound: the whole-array passes run exactly maxiter times, and the loop over blocks must move on by a whole block each time",
    self_check_runs: 1,
};

/// Bytes each point holds during the passes: z and q (four f64) and the
/// output (one f64 lane).
pub const BYTES_PER_POINT: usize = 5 * 8;

/// numpy_loop.py's shape: this step's arrays (structure of arrays, and `z`
/// kept in arrays too), but walked one point at a time with indexing, as
/// step 01 walked its `Vec`. In Python that made things slower, every
/// `z[i]` boxing a numpy scalar; compiled, it is step 02's loop again,
/// which is the lesson: the arrays were never what made numpy fast.
pub fn calculate_z_per_point(re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
    let points = re.len().min(im.len());
    let (mut zr, mut zi) = (vec![0.0f64; points], vec![0.0f64; points]);
    let mut output = vec![0u32; points];
    for i in 0..points {
        for iteration in 0..maxiter {
            // Python's order, real part first: the oracle's arithmetic.
            let next_zr = zr[i] * zr[i] - zi[i] * zi[i] + re[i];
            zi[i] = 2.0 * zr[i] * zi[i] + im[i];
            zr[i] = next_zr;
            if zr[i] * zr[i] + zi[i] * zi[i] > 4.0 {
                output[i] = iteration;
                break;
            }
        }
    }
    output
}
