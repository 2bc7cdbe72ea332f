//! numpy_vector_2's blocks must not change the answer, whatever their size:
//! one point, a part of a vector, several vectors, more than the grid.

use std::path::Path;

#[path = "../src/attendee.rs"]
mod attendee;

use attendee::{active, ACTIVE};
use mandel_core::selfcheck::check;
use step03::STEP;

#[test]
fn every_block_size_gives_the_oracles_answer() {
    let pictures = Path::new(env!("CARGO_TARGET_TMPDIR"));
    for block in [1, 5, 8, 100, 1000, 1_000_000] {
        let result = check(&STEP, ACTIVE, pictures, &|p| {
            active::calculate_z_blocks(&p.re, &p.im, p.maxiter, block)
        });
        if let Err(sentence) = result {
            panic!("with --block {block}: {sentence}");
        }
    }
}

#[test]
fn one_point_at_a_time_over_the_arrays_is_exactly_the_oracle() {
    let pictures = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let result = check(&STEP, mandel_core::Variant::Solution, pictures, &|p| {
        step03::calculate_z_per_point(&p.re, &p.im, p.maxiter)
    });
    if let Err(sentence) = result {
        panic!("--per-point: {sentence}");
    }
}
