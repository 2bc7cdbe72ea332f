//! The attendee's file, compiled into this step's binary and tests only (see
//! `mandel_core::attendee_file!`).

// The shipped stub, built as the attendee's file is, for the test that it
// still is one (`STUB`); declared here, outside the macro, so that
// `cargo fmt` formats it.
#[cfg(all(test, feature = "solution"))]
#[allow(unused_variables, unused_imports)]
#[path = "../stub/calculate_z.rs"]
mod stub;

mandel_core::attendee_file!(step02, "../../../exercises/step02/calculate_z.rs", |p| {
    exercise::calculate_z(&p.points, p.maxiter)
});
