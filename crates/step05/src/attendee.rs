//! The attendee's file, compiled into this step's binary and tests only (see
//! `mandel_core::attendee_file!`).

mandel_core::attendee_file!(step05, "../../../exercises/step05/calculate_z.rs", |p| {
    exercise::calculate_z(&p.re, &p.im, p.maxiter)
});
