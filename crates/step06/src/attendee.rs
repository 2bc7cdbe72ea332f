//! The attendee's file, compiled into this step's binary and tests only (see
//! `mandel_core::attendee_file!`).

mandel_core::attendee_file!(step06, "../../../exercises/step06/calculate_z.rs", |p| {
    step06::run_on_threads(&step06::Settings::default(), p, exercise::calculate_z).0
});

/// The rank code of the active file.
#[allow(dead_code)]
pub fn active_code() -> step06::RankCode {
    match ACTIVE {
        mandel_core::Variant::Exercise => exercise::calculate_z,
        mandel_core::Variant::Solution => step06::solution::calculate_z,
    }
}
