//! The attendee's file, compiled into this step's binary and tests only (see
//! `mandel_core::attendee_file!`).

// The shipped stub, built as the attendee's file is, for the test that it
// still is one (`STUB`); declared here, outside the macro, so that
// `cargo fmt` formats it.
#[cfg(all(test, feature = "solution"))]
#[allow(unused_variables, unused_imports)]
#[path = "../stub/calculate_z.rs"]
mod stub;

mandel_core::attendee_file!(step04, "../../../exercises/step04/calculate_z.rs", |p| {
    // calculate_z, and blocks that leave part of a vector group, or of a
    // vector, at the end.
    let blocks = [
        None,
        Some(7),
        Some(64),
        Some(100),
        Some(1000),
        Some(1_000_000),
    ];
    match mandel_core::selfcheck::pick(p, &blocks) {
        None => exercise::calculate_z(&p.re, &p.im, p.maxiter),
        Some(block) => exercise::calculate_z_blocks(&p.re, &p.im, p.maxiter, block),
    }
});
