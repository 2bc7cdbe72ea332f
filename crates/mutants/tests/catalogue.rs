//! The self-check is as good as the mistakes it catches: every wrong
//! version in the catalogue must fail it, with the verdict the catalogue
//! names and a line that names the attendee's file. A version that never
//! finishes ends its process, so it runs in a child of this test.

use std::path::Path;
use std::time::{Duration, Instant};

use mandel_core::selfcheck::{self, Failure, FailureKind};
use mandel_core::{Step, Variant};
use mutants::{Mutant, CATALOGUE, MUTANTS};
use workshop::registry::LADDER;

/// How many times a wrong version whose answer depends on timing is
/// checked, in this test and the agreement test alike.
const TIMING_TRIES: usize = 5;

/// The child's way to run one wrong version: its place in the catalogue.
const ONE_MUTANT: &str = "MANDEL_MUTANT";

/// The step a catalogue entry names, from the ladder.
fn step(number: u32) -> &'static Step {
    LADDER
        .iter()
        .copied()
        .find(|s| s.number == number)
        .unwrap_or_else(|| panic!("crates/mutants/catalogue.rs names step {number}, which is not in workshop::registry::LADDER"))
}

fn pictures() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

/// Step 07's wrong version as the attendee's file would hold it.
fn cuda_source(mutant: &Mutant) -> step07::source::Source {
    let text = step07::source::SOLUTION.text;
    let found = text.matches(mutant.find).count();
    assert!(
        found == 1,
        "crates/mutants/catalogue.rs, \"{}\": its `find` must match solutions/step07/calculate_z.cu once, and matches {found} times",
        mutant.name
    );
    step07::source::Source {
        path: step07::STEP.path(Variant::Exercise).leak(),
        text: text.replacen(mutant.find, mutant.replace, 1).leak(),
        entry: step07::source::SOLUTION.entry,
    }
}

/// The self-check of catalogue entry `index` ([`FailureKind::CannotRun`]
/// when nothing here can run it: step 07 without a GPU or a C compiler).
fn check(index: usize) -> Result<(), Failure> {
    let mutant = &CATALOGUE[index];
    if mutant.step == 7 {
        return step07::self_check(
            Variant::Exercise,
            &cuda_source(mutant),
            pictures(),
            Box::new(selfcheck::print_past_capture),
        )
        .map(drop);
    }
    let (_, kernel) = MUTANTS
        .iter()
        .find(|(at, _)| *at == index)
        .expect("build.rs made every wrong version of steps 01-06");
    selfcheck::check(step(mutant.step), Variant::Exercise, pictures(), kernel)
}

#[test]
fn every_step_has_at_least_five_wrong_versions() {
    for registered in LADDER {
        let count = CATALOGUE
            .iter()
            .filter(|m| m.step == registered.number)
            .count();
        assert!(count >= 5, "{} has {count} wrong versions", registered.id());
    }
    // And none of a step that is not on the ladder.
    for mutant in CATALOGUE {
        step(mutant.step);
    }
}

#[test]
fn every_wrong_version_fails_the_self_check_with_a_line_that_helps() {
    let mut escaped = Vec::new();
    let mut unrun = Vec::new();
    for (index, mutant) in CATALOGUE.iter().enumerate() {
        if mutant.verdict == FailureKind::NeverFinishes {
            continue;
        }
        let file = step(mutant.step).path(Variant::Exercise);
        // One whose answer depends on timing must fail every time.
        let tries = if mutant.timing { TIMING_TRIES } else { 1 };
        let results: Vec<_> = (0..tries).map(|_| check(index)).collect();
        let result = results
            .iter()
            .find(|r| r.is_ok())
            .unwrap_or(&results[0])
            .clone();
        let said = match result {
            Ok(()) => format!("passed (of {tries} tries, at least one)"),
            Err(failure) if failure.kind == FailureKind::CannotRun => {
                unrun.push(mutant.name);
                continue;
            }
            Err(failure) => {
                let helps = failure.sentence.starts_with(&file)
                    && match failure.kind {
                        FailureKind::Wrong => {
                            failure.sentence.contains("differ from the oracle")
                                && failure.sentence.contains("Red marks them in ")
                        }
                        FailureKind::WrongLength => failure.sentence.contains("returned "),
                        FailureKind::Panicked => failure.sentence.contains(" panicked"),
                        FailureKind::LessonMissed => {
                            failure.sentence.contains(" is right on ")
                                && failure.sentence.contains(" computed ")
                        }
                        _ => false,
                    };
                if failure.kind == mutant.verdict && helps {
                    continue;
                }
                format!("{}: {failure}", failure.kind)
            }
        };
        escaped.push(format!(
            "step {:02}, {} (should be {}): {said}",
            mutant.step, mutant.name, mutant.verdict
        ));
    }
    if !unrun.is_empty() {
        let why = match step07::availability() {
            mandel_core::Availability::Unavailable(why) => why.to_string(),
            other => format!("{other:?}"),
        };
        mandel_testing::skip::skipped(
            &format!("step 07's wrong versions ({})", unrun.join(", ")),
            &why,
            "then run the tests again",
        );
    }
    assert!(
        escaped.is_empty(),
        "the self-check let these through, or said too little:\n{}",
        escaped.join("\n")
    );
}

#[test]
fn every_version_that_never_finishes_ends_with_its_line() {
    for (index, mutant) in CATALOGUE.iter().enumerate() {
        if mutant.verdict != FailureKind::NeverFinishes {
            continue;
        }
        let started = Instant::now();
        // Through the target's runner, if any (qemu for a cross build).
        let out = mandel_testing::target::command(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "one_wrong_version_in_this_process",
                "--nocapture",
            ])
            .env(ONE_MUTANT, index.to_string())
            .output()
            .unwrap();
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let what = format!("step {:02}, {}", mutant.step, mutant.name);
        assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
        let file = step(mutant.step).path(Variant::Exercise);
        assert!(
            stderr.contains(&format!("{file} never finished: still running after ")),
            "{what}: {stderr}"
        );
        assert!(
            stderr.contains("stop after maxiter iterations too"),
            "{what}: {stderr}"
        );
        // The limit, plus the reference's own timing and a start.
        assert!(took < Duration::from_secs(60), "{what} took {took:?}");
    }
}

/// Runs the catalogue entry the parent names, in this process, which the
/// self-check's time limit ends; without the variable, nothing.
#[test]
fn one_wrong_version_in_this_process() {
    let Ok(index) = std::env::var(ONE_MUTANT) else {
        return;
    };
    let index: usize = index.parse().unwrap();
    let result = check(index);
    panic!("entry {index} ended within the limit: {result:?}");
}
