//! The attendee's self-check (`cargo test -p step07`): on the GPU when
//! there is one, else with the kernel compiled as C on the CPU; with
//! `--features solution`, the reference, the tutorial's canonical run,
//! and the shipped stub.

#[path = "../src/attendee.rs"]
mod attendee;

use attendee::{active_source, ACTIVE, EXERCISE};
use mandel_core::selfcheck::FailureKind;
use mandel_core::Variant;
use step07::{self_check, Checked, STEP};

fn pictures() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
}

/// Says plainly that nothing here could run the kernel.
fn skipped(what: &str) {
    let why = match (STEP.availability)() {
        mandel_core::Availability::Unavailable(why) => why.to_string(),
        other => format!("{other:?}"),
    };
    mandel_testing::skip::skipped(what, &why, "then run the tests again");
}

#[test]
fn kernel_matches_the_oracle() {
    match self_check(
        ACTIVE,
        &active_source(),
        pictures(),
        Box::new(mandel_core::selfcheck::print_past_capture),
    ) {
        // Where it ran, shown even when it passes: a pass on the CPU is not
        // a pass on a GPU.
        Ok(Checked::Gpu(name)) => {
            mandel_testing::skip::past_capture(&format!("{} checked on {name}", STEP.path(ACTIVE)))
        }
        Ok(Checked::Emulated(how)) => mandel_testing::skip::past_capture(&format!(
            "{} checked on the CPU, {how} (no GPU here)",
            STEP.path(ACTIVE)
        )),
        // The instructor's run may lack both; the attendee's own check
        // must never pass having checked nothing.
        Err(failure) if failure.kind == FailureKind::CannotRun && cfg!(feature = "solution") => {
            skipped(&format!("the self-check of {}", STEP.path(ACTIVE)))
        }
        Err(failure) => panic!("{failure}"),
    }
}

#[test]
fn the_attendees_source_is_the_exercise_file() {
    assert_eq!(EXERCISE.path, STEP.path(Variant::Exercise));
    assert_eq!(step07::source::SOLUTION.path, STEP.path(Variant::Solution));
}

#[cfg(feature = "solution")]
#[test]
fn shipped_exercise_is_still_a_stub() {
    // The shipped stub, which a build writes where the attendee's file is
    // missing and `reset` puts back.
    let stub = step07::source::Source {
        text: STEP.stub,
        ..EXERCISE
    };
    // (Its line as a checkout with Windows line endings has it too.)
    assert!(
        stub.text
            .lines()
            .any(|line| line == "    MANDEL_TODO(output);"),
        "crates/step07/stub/calculate_z.cu must ship as an unfilled stub (its body the MANDEL_TODO line)"
    );
    match self_check(
        Variant::Exercise,
        &stub,
        pictures(),
        Box::new(mandel_core::selfcheck::print_past_capture),
    ) {
        Err(failure) if failure.kind == FailureKind::CannotRun => {
            skipped("running the shipped stub crates/step07/stub/calculate_z.cu")
        }
        Err(failure) => {
            assert_eq!(failure.kind, FailureKind::Stub, "{failure}");
            assert!(failure.sentence.contains("MANDEL_TODO"), "{failure}");
        }
        Ok(_) => panic!("crates/step07/stub/calculate_z.cu passed its self-check as shipped"),
    }
}
