//! `workshop`: what `cargo run --release` at the repository root runs.
//!
//! With no arguments it runs every step's reference solution on the
//! tutorial's `1000 1000`, checks each against the oracle and prints the
//! ladder: median time, z-updates per second, share of this machine's peak
//! and speedup over step 01. Its other commands are the attendee's runner
//! (status, watch, hint, reset, diff, list, setup, join, help-me, leave); the instructor's
//! experiments are `cargo run --release -p lab`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mandel_core::error::parse_args;
use mandel_core::{Error, Launch};

use workshop::registry::LADDER;
use workshop::LAB_COMMANDS;
use workshop::{diff, fastest, hint, ladder, reset, room, setup, status, watch, workspace};

#[derive(Parser)]
#[command(
    name = "workshop",
    about = "The Mandelbrot HPC workshop: the whole ladder timed and verified, your progress and hints (the instructor's experiments: `cargo run --release -p lab`).",
    after_help = "With no command, runs `workshop ladder 1000 1000`."
)]
struct Cli {
    /// The cargo profile that status, watch and diff build your exercises
    /// with.
    #[arg(long, global = true, default_value = "release", value_name = "PROFILE")]
    profile: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run every step's reference solution, verify it and print the speedup table.
    Ladder(ladder::Args),
    /// Build everything the day needs (run it the day before): then `cargo test -p stepNN`, `status` and `hint` answer in seconds.
    Setup,
    /// Your progress: every step's exercise checked, your time against the reference's, and what to do next.
    Status(status::Args),
    /// Re-check a step's exercise on every save; on to the next when it passes.
    Watch(watch::Args),
    /// The next hint for a step's exercise (`--all`: every hint).
    Hint(hint::Args),
    /// Put a step's shipped stub back, saving your file beside it first.
    Reset(reset::Args),
    /// Run the problem on the fastest thing this machine has: the GPU if there is one, else the fastest CPU step; and say which.
    Fastest(fastest::Args),
    /// `diff A B`: the lesson between two steps' references; `diff N`: your exercise against the reference.
    Diff(diff::Args),
    /// List the steps.
    List,
    /// `join ADDRESS CODE --name NAME`: status and watch send your verdicts to the instructor's room (step, verdict, first line, times; never code).
    Join(room::JoinArgs),
    /// Raise your hand on the room's page (`--lower` lowers it).
    HelpMe(room::HelpMeArgs),
    /// Leave the room: nothing more is sent.
    Leave,
}

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
    // A fresh clone has no exercise files until something writes them: the
    // first thing an attendee runs, and what checks their files.
    let first_run_or_checks = matches!(
        cli.command,
        None | Some(Command::Ladder(_) | Command::Setup | Command::Status(_) | Command::Watch(_))
    );
    if first_run_or_checks {
        if let Err(mistake) = reset::write_missing_exercises(&workspace::root()) {
            return mistake.report();
        }
    }
    let result = match cli.command {
        None => ladder::run(&ladder::Args::default(), (1000, 1000)),
        Some(Command::Ladder(args)) => ladder::run(&args, (1000, 1000)),
        Some(Command::Setup) => setup::run(&cli.profile),
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
