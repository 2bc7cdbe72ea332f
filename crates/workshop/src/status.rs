//! `workshop status`: every step's exercise, checked in a subprocess; for a
//! step that passes, its time against the reference's; then what to do
//! next.

use std::process::ExitCode;

use mandel_core::error::positive;
use mandel_core::selfcheck::{FailureKind, Verdict};
use mandel_core::timing::duration_text;
use mandel_core::{Error, Problem, Step};

use crate::checks::{first_to_do, Checker, Outcome, Timing};
use crate::registry::LADDER;
use crate::room;
use crate::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// The problem passing steps are timed on: the tutorial's width.
    #[arg(default_value_t = 1000, value_parser = positive::<u64>)]
    w: u64,
    /// Iterations before a point counts as inside the set.
    #[arg(default_value_t = 1000, value_parser = positive::<u32>)]
    maxiter: u32,
    /// Timed runs of each passing step, yours and the reference's, at most
    /// 100; the table shows the medians. 0 skips timing.
    #[arg(long, default_value_t = 3, value_parser = runs_or_none)]
    runs: usize,
}

/// `--runs`: 0 (no timing) or [`mandel_core::limits::runs`]' 1 to 100.
fn runs_or_none(text: &str) -> Result<usize, String> {
    match text.trim() {
        "0" => Ok(0),
        _ => mandel_core::limits::runs(text),
    }
}

pub fn run(args: &Args, profile: &str) -> Result<ExitCode, Error> {
    let root = workspace::root();
    let checker = Checker::new(&root, profile);
    // Checked here, so that a problem too big is one line, not five.
    Problem::new(args.w, args.maxiter)?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let timing = (args.runs > 0).then_some(Timing {
        w: args.w,
        maxiter: args.maxiter,
        runs: args.runs,
    });
    let progress = crate::progress_bar(LADDER.len() as u64);
    progress.set_message("compiling your exercises");
    let outcomes = checker.check(LADDER, timing, |step| {
        progress.set_message(format!("checked {}", step.id()));
        progress.inc(1);
    })?;
    progress.finish_and_clear();
    // Sent while the table prints; waited for at the end.
    let room = room::Sender::for_workspace(&root);
    if let Some(room) = &room {
        room.send(
            LADDER
                .iter()
                .zip(&outcomes)
                .map(|(step, outcome)| room::StepVerdict::of(step, outcome, &root))
                .collect(),
        );
    }

    println!(
        "{:<6} {:<21} {:<18} {:>10} {:>10} {:>7}  both ran",
        "step", "name", "your exercise", "yours", "reference", "ratio"
    );
    for (step, outcome) in LADDER.iter().zip(&outcomes) {
        let times = match outcome.timed() {
            Some((yours, reference)) => format!(
                "{:>10} {:>10} {:>6.2}x  {}",
                duration_text(yours),
                duration_text(reference),
                yours.as_secs_f64() / reference.as_secs_f64().max(1e-12),
                step.instruction_set(mandel_core::Variant::Exercise, mandel_core::Isa::best())
            ),
            None => match outcome {
                // The first error, or what is missing, belongs on the row.
                Outcome::DoesNotCompile(_) | Outcome::Unavailable(_) | Outcome::Missing => {
                    outcome.summary(step)
                }
                // Why a step that passes has no times: where it was checked.
                Outcome::Checked(checked) if checked.checked_on.is_some() => format!(
                    "checked on {}: not timed",
                    checked.checked_on.as_deref().unwrap_or_default()
                ),
                _ => String::new(),
            },
        };
        println!(
            "{:<6} {:<21} {:<18} {times}",
            step.id(),
            step.name,
            outcome.label()
        );
    }
    if timing.is_some() && outcomes.iter().any(|o| o.timed().is_some()) {
        println!(
            "Times: median of {} runs on `{} {}`, yours and the reference's in the same process, built and dispatched alike; ratio = yours / reference.",
            args.runs, args.w, args.maxiter
        );
    }
    println!();
    let others = unexplained_failures(LADDER, &outcomes);
    if !others.is_empty() {
        println!("{}\n", others.join("\n"));
    }
    println!("{}", next_step_text(&outcomes));
    if let Some(room) = room {
        room.finish();
    }
    Ok(ExitCode::SUCCESS)
}

/// One line for every step that fails for a reason its row does not give
/// (wrong, panics, never finishes, crashed), besides the next step, which
/// is explained in full: a mistake further up the ladder is not hidden
/// behind an earlier stub. (A stub's row says all there is; a compiler
/// error, a missing file and what this machine lacks are on their rows.)
pub fn unexplained_failures(steps: &[&'static Step], outcomes: &[Outcome]) -> Vec<String> {
    let next = first_to_do(steps, outcomes).map(|(step, _)| step.number);
    steps
        .iter()
        .zip(outcomes)
        .filter(|(step, _)| Some(step.number) != next)
        .filter_map(|(step, outcome)| {
            let explained_elsewhere = match outcome {
                Outcome::Checked(checked) => match &checked.verdict {
                    Verdict::Fails(failure) => failure.kind == FailureKind::Stub,
                    _ => true,
                },
                Outcome::Crashed(_) => false,
                Outcome::Unavailable(_) | Outcome::Missing | Outcome::DoesNotCompile(_) => true,
            };
            (!explained_elsewhere).then(|| {
                let detail = outcome.detail(step);
                format!(
                    "{}: {}",
                    step.id(),
                    detail.lines().next().unwrap_or_default()
                )
            })
        })
        .collect()
}

/// What to do next: the first step that does not pass, and how to go on.
pub fn next_step_text(outcomes: &[Outcome]) -> String {
    match first_to_do(LADDER, outcomes) {
        None => "Every step passes. `cargo run -- diff N` compares yours with the reference; `cargo run --release -p lab -- bench` times the ladder.".to_string(),
        Some((step, outcome)) => format!(
            "Next: step {:02}, {}, in docs/src/{}.\n{}\n`cargo run -- watch {}` re-checks it on every save.",
            step.number,
            step.name,
            step.chapter_file,
            outcome.detail(step),
            step.number,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CompileError;
    use mandel_core::outcome::RunOutcome;
    use mandel_core::selfcheck::Failure;
    use mandel_core::Variant;

    fn checked(step: &Step, verdict: Verdict) -> Outcome {
        Outcome::Checked(Box::new(RunOutcome::new(
            step.id(),
            Variant::Exercise,
            String::new(),
            verdict,
        )))
    }

    fn fails(step: &Step, kind: FailureKind, sentence: &str) -> Outcome {
        checked(step, Verdict::Fails(Failure::new(kind, sentence)))
    }

    #[test]
    fn every_failure_a_row_does_not_explain_gets_a_line_besides_the_next_step() {
        let outcomes: Vec<Outcome> = LADDER
            .iter()
            .map(|step| match step.number {
                1 => checked(step, Verdict::Passes),
                2 => fails(step, FailureKind::Stub, "step 02 is a stub"),
                3 => fails(step, FailureKind::Wrong, "3 points differ\nmore"),
                4 => fails(step, FailureKind::Stub, "step 04 is a stub"),
                5 => Outcome::DoesNotCompile(CompileError {
                    line: "x.rs:1: broken".to_string(),
                    rendered: "error: broken".to_string(),
                }),
                6 => Outcome::Crashed("killed".to_string()),
                _ => fails(step, FailureKind::NeverFinishes, "never finished"),
            })
            .collect();
        let lines = unexplained_failures(LADDER, &outcomes);
        // Step 02 is next (explained below the table); stubs and compiler
        // errors are on their rows.
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert_eq!(lines[0], "step03: 3 points differ");
        assert_eq!(lines[1], "step06: step06 crashed: killed");
        assert_eq!(lines[2], "step07: never finished");
        assert!(lines
            .iter()
            .all(|l| !l.starts_with("step02") && !l.starts_with("step05")));
    }
}
