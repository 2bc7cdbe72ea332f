//! The attendee's file, compiled into this step's binary and tests only (see
//! `mandel_core::attendee_file!`).

// The shipped stub, built as the attendee's file is, for the test that it
// still is one (`STUB`); declared here, outside the macro, so that
// `cargo fmt` formats it.
#[cfg(all(test, feature = "solution"))]
#[allow(unused_variables, unused_imports)]
#[path = "../stub/calculate_z.rs"]
mod stub;

mandel_core::attendee_file!(step05, "../../../exercises/step05/calculate_z.rs", |p| {
    // calculate_z, and chunk counts that cut the points unevenly, one
    // chunk, as many as the points.
    let chunks = [None, Some(1), Some(7), Some(64), Some(usize::MAX), Some(3)];
    match mandel_core::selfcheck::pick(p, &chunks) {
        None => exercise::calculate_z(&p.re, &p.im, p.maxiter),
        Some(chunks) => exercise::calculate_z_chunks(&p.re, &p.im, p.maxiter, chunks.min(p.len())),
    }
});
