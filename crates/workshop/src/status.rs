//! `workshop status`: every step's exercise, checked in a subprocess; for a
//! step that passes, its time against the reference's; then what to do
//! next.

use std::process::ExitCode;

use mandel_core::error::positive;
use mandel_core::timing::duration_text;
use mandel_core::{Problem, UserError};

use crate::checks::{first_to_do, Checker, Outcome, Timing};
use crate::registry::LADDER;
use crate::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// The problem passing steps are timed on: the tutorial's width.
    #[arg(default_value_t = 1000, value_parser = positive::<u64>)]
    w: u64,
    /// Iterations before a point counts as inside the set.
    #[arg(default_value_t = 1000, value_parser = positive::<u32>)]
    maxiter: u32,
    /// Timed runs of each passing step, yours and the reference's; the
    /// table shows the medians. 0 skips timing.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

pub fn run(args: &Args, profile: &str) -> Result<ExitCode, UserError> {
    let root = workspace::root();
    let checker = Checker::new(&root, profile);
    // Checked here, so that a problem too big is one line, not five.
    Problem::new(args.w, args.maxiter)?;
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
                step.instruction_set(mandel_core::Variant::Exercise)
            ),
            None => match outcome {
                // The first error, or what is missing, belongs on the row.
                Outcome::DoesNotCompile(_) | Outcome::Unavailable(_) | Outcome::Missing => {
                    outcome.summary(step)
                }
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
    println!("{}", next_step_text(&outcomes));
    Ok(ExitCode::SUCCESS)
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
