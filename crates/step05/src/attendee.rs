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
    // chunk, as many as the points, each on the self-check's own pool.
    let chunks =
        mandel_core::selfcheck::pick(p, &step05::SELF_CHECK_CHUNKS).map(|n| n.min(p.len()));
    step05::as_self_checked(chunks, || match chunks {
        None => exercise::calculate_z(&p.re, &p.im, p.maxiter),
        Some(chunks) => exercise::calculate_z_chunks(&p.re, &p.im, p.maxiter, chunks),
    })
});
