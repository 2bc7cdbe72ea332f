//! The attendee's file, compiled into this step's binary and tests only (as
//! every step's is: see `mandel_core::attendee_file!`). Step 07's is CUDA C,
//! so it is held as text, and NVRTC compiles it when the step runs.

use mandel_core::Variant;
use step07::source::{Source, SOLUTION};

/// The attendee's kernel.
pub const EXERCISE: Source = Source {
    path: "exercises/step07/calculate_z.cu",
    text: include_str!("../../../exercises/step07/calculate_z.cu"),
    entry: "calculate_z",
};

/// What `cargo run` and `cargo test` of this step use: the exercise, or the
/// reference solution with `--features solution`.
#[allow(dead_code)]
pub const ACTIVE: Variant = if cfg!(feature = "solution") {
    Variant::Solution
} else {
    Variant::Exercise
};

/// The source of [`ACTIVE`].
#[allow(dead_code)]
pub fn active_source() -> Source {
    match ACTIVE {
        Variant::Exercise => EXERCISE,
        Variant::Solution => SOLUTION,
    }
}
