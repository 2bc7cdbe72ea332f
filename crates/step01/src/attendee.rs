//! The attendee's file, compiled into this step's binary and tests only (see
//! `mandel_core::attendee_file!`).

mandel_core::attendee_file!(step01, "../../../exercises/step01/calculate_z.rs", |p| {
    exercise::calculate_z(&p.points, p.maxiter)
});
