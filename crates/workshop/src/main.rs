//! `workshop`: what `cargo run --release` at the repository root runs.
//!
//! With no arguments it runs every step's reference solution on the
//! tutorial's `1000 1000`, checks each against the oracle and prints the
//! ladder: median time, z-updates per second, share of this machine's peak
//! and speedup over step 01. Its other commands are the attendee's runner
//! (status, watch, hint, reset, diff, list, setup, join, help-me, leave); the instructor's
//! experiments are `cargo run --release -p lab`.

use std::process::ExitCode;

use mandel_core::error::parse_args;
use mandel_core::{Error, Launch};

use workshop::cli::{Cli, Command};
use workshop::registry::LADDER;
use workshop::LAB_COMMANDS;
use workshop::{diff, fastest, hint, ladder, reset, room, setup, status, watch, workspace};

fn main() -> ExitCode {
    let words: Vec<String> = std::env::args().skip(1).collect();
    // The lab's commands, asked for here, get the command that runs them.
    if let Some(lab) = words.first().filter(|w| LAB_COMMANDS.contains(&w.as_str())) {
        return Error::mistake(format!(
            "`{lab}` is one of the instructor's experiments: `cargo run --release -p lab -- {}`",
            words.join(" ")
        ))
        .report();
    }
    let cli: Cli = match parse_args() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    if let Err(mistake) = check_profile(&cli.profile) {
        return mistake.report();
    }
    // A fresh clone has no exercise files until something writes them: the
    // first thing an attendee runs, and what checks their files.
    let first_run_or_checks = matches!(
        cli.command,
        None | Some(
            Command::Ladder(_) | Command::Setup(_) | Command::Status(_) | Command::Watch(_)
        )
    );
    if first_run_or_checks {
        if let Err(mistake) = reset::write_missing_exercises(&workspace::root()) {
            return mistake.report();
        }
    }
    let result = match cli.command {
        None => ladder::run(&ladder::Args::default(), (1000, 1000)),
        Some(Command::Ladder(args)) => ladder::run(&args, (1000, 1000)),
        Some(Command::Setup(args)) => setup::run(&args, &cli.profile),
        Some(Command::Status(args)) => status::run(&args, &cli.profile),
        Some(Command::Watch(args)) => watch::run(&args, &cli.profile),
        Some(Command::Hint(args)) => hint::run(&args),
        Some(Command::Reset(args)) => reset::run(&args),
        Some(Command::Diff(args)) => diff::run(&args, &cli.profile),
        Some(Command::Fastest(args)) => fastest::run(&args),
        Some(Command::Join(args)) => room::run_join(&args),
        Some(Command::HelpMe(args)) => room::run_help_me(&args),
        Some(Command::Leave) => room::run_leave(),
        Some(Command::List) => {
            list();
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|mistake: Error| mistake.report())
}

/// Refuses a `--profile` cargo would not take, before cargo is asked:
/// letters, digits, `-` and `_`, as cargo's profile names are.
fn check_profile(profile: &str) -> Result<(), Error> {
    let fine = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !profile.is_empty() && profile.chars().all(fine) {
        return Ok(());
    }
    Err(Error::mistake(format!(
        "--profile {profile:?}: a cargo profile's name is letters, digits, `-` and `_`, like release or dev"
    )))
}

fn list() {
    for step in LADDER {
        let launch = match step.launch {
            Launch::InProcess => String::new(),
            Launch::Processes {
                launcher,
                processes,
            } => format!("  [{launcher} {processes}]"),
        };
        let availability = match (step.availability)() {
            mandel_core::Availability::Ready => String::new(),
            mandel_core::Availability::Unavailable(why) => {
                format!("  (not on this machine: {why})")
            }
            mandel_core::Availability::Emulated(why) => format!("  (emulated here: {why})"),
        };
        println!(
            "{}  {:<22} {}  ({}){launch}{availability}",
            step.id(),
            step.name,
            step.technique,
            step.tutorial
        );
    }
}
