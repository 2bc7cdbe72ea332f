//! `workshop setup`: everything the day needs, built the day before on a
//! good network, so that on the day the first `cargo test -p stepNN`, the
//! first `status` and the first `hint` give their answer in seconds. It
//! builds exactly what those commands build (the same cargo commands,
//! packages and profiles), so none of them compiles anything but the
//! attendee's own file.

use std::process::ExitCode;
use std::time::Instant;

use mandel_core::timing::duration_text;
use mandel_core::Error;

use crate::checks::Checker;
use crate::registry::LADDER;
use crate::workspace;

pub fn run(profile: &str) -> Result<ExitCode, Error> {
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let started = Instant::now();
    println!("Building what the day needs; the first time takes minutes, a second time seconds.");
    let progress = crate::progress_bar(LADDER.len() as u64 + 2);

    // `cargo test -p stepNN`, one step at a time as the attendee runs it:
    // several packages in one command could unify their dependencies'
    // features differently and leave each step's own build to do.
    let mut not_built = Vec::new();
    for step in LADDER {
        progress.set_message(format!("cargo test -p {}", step.id()));
        let mut build = workspace::cargo();
        build.args(["test", "--no-run", "-q", "-p", &step.id()]);
        if let Err(why) = workspace::cargo_build(build, &format!("{}'s tests", step.id())) {
            not_built.push(why.to_string());
        }
        progress.inc(1);
    }
    // `cargo run -- hint`, `reset`, `watch`, `diff`: the runner, unoptimised.
    progress.set_message("cargo run -- hint");
    workspace::cargo_build(
        {
            let mut build = workspace::cargo();
            build.args(["build", "-q"]);
            build
        },
        "the runner",
    )?;
    progress.inc(1);
    // `status` and `watch`: every exercise as they build it, each checked.
    progress.set_message("cargo run --release -- status");
    let outcomes = Checker::new(&workspace::root(), profile).check(LADDER, None, |_| {})?;
    progress.inc(1);
    progress.finish_and_clear();

    for (step, outcome) in LADDER.iter().zip(&outcomes) {
        println!("{} {:<20} {}", step.id(), step.name, outcome.label());
    }
    for why in &not_built {
        // Only an exercise that does not compile stops its tests' build;
        // everything under it is built.
        println!("{why} (your file: fix it on the day)");
    }
    println!(
        "Ready: everything the day needs is built ({}). Next: `cargo test -p step01`, or `cargo run --release -- status`.",
        duration_text(started.elapsed())
    );
    Ok(ExitCode::SUCCESS)
}
