//! The attendee's file, compiled into this step's binary and tests only (see
//! `mandel_core::attendee_file!`).

// The shipped stub, built as the attendee's file is, for the test that it
// still is one (`STUB`); declared here, outside the macro, so that
// `cargo fmt` formats it.
#[cfg(all(test, feature = "solution"))]
#[allow(unused_variables, unused_imports)]
#[path = "../stub/calculate_z.rs"]
mod stub;

mandel_core::attendee_file!(step06, "../../../exercises/step06/calculate_z.rs", |p| {
    // Both strategies, shipping rows or points, over 1 to 5 ranks and
    // chunk counts that leave ranks idle or cut rows unevenly.
    use step06::{Settings, Strategy};
    // The file's own CHUNKS_PER_WORKER whenever no chunk count is given.
    let settings = |ranks, strategy, chunks, ship_points| Settings {
        ranks: Some(ranks),
        strategy,
        chunks,
        chunks_per_worker: exercise::CHUNKS_PER_WORKER,
        ship_points,
    };
    let tried = [
        Settings {
            chunks_per_worker: exercise::CHUNKS_PER_WORKER,
            ..Settings::default()
        },
        settings(2, Strategy::Static, None, false),
        settings(3, Strategy::Farm, Some(7), true),
        settings(5, Strategy::Farm, Some(1), false),
        settings(4, Strategy::Static, None, true),
        settings(3, Strategy::Farm, Some(1000), false),
    ];
    step06::run_on_threads(
        &mandel_core::selfcheck::pick(p, &tried),
        p,
        exercise::calculate_z,
    )
    .0
});

/// The rank code of the active file.
#[allow(dead_code)]
pub fn active_code() -> step06::RankCode {
    match ACTIVE {
        mandel_core::Variant::Exercise => exercise::calculate_z,
        mandel_core::Variant::Solution => step06::solution::calculate_z,
    }
}
