//! `workshop`: what `cargo run --release` at the repository root runs.
//!
//! With no arguments it runs every step's reference solution on the
//! tutorial's `1000 1000`, checks each against the oracle and prints the
//! ladder: median time, z-updates per second, share of this machine's peak
//! and speedup over step 01. Its other commands are the attendee's runner
//! (status, watch, hint, reset, diff, list) and the instructor's
//! experiments.
//!
//! The workshop links the step crates' libraries, which hold the reference
//! solutions only: an exercise that does not compile cannot break it. The
//! runner looks at the attendee's code through `cargo` subprocesses.

mod chart;
mod checks;
mod diff;
mod fastest;
mod figures;
mod hint;
mod ladder;
mod machine;
mod peak;
mod python;
mod ranks;
mod registry;
mod reset;
mod scaling;
mod setup;
mod status;
mod sweep;
mod watch;
mod workspace;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mandel_core::error::parse_args;
use mandel_core::{Launch, UserError};

use crate::registry::LADDER;

#[derive(Parser)]
#[command(
    name = "workshop",
    about = "The Mandelbrot HPC workshop: the whole ladder timed and verified, your progress, hints, and the experiments.",
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
    /// The ladder on a bigger problem (default `4000 1000`), for steadier figures; `--python` adds the tutorial's Python beside it.
    Bench(ladder::Args),
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
    /// The cache-size experiment: step 03's time against its block size, as a table and a chart.
    Sweep(sweep::Args),
    /// Step 05's experiments: speedup against threads and chunks, tables and charts.
    Scaling(scaling::Args),
    /// Measure this machine's fused-multiply-add peak, on one thread and on all.
    Peak,
    /// Step 06's experiment: the static split against the task farm as the ranks grow, as threads and under mpirun; a table and a chart.
    Ranks(ranks::Args),
    /// Rerun the measurements the book shows, on this machine, into docs/src/figures/ (text, charts, pictures).
    Figures(figures::Args),
}

fn main() -> ExitCode {
    let cli: Cli = match parse_args() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let result = match cli.command {
        None => ladder::run(&ladder::Args::default(), (1000, 1000)),
        Some(Command::Ladder(args)) => ladder::run(&args, (1000, 1000)),
        // Python's pure version would take minutes on the bigger problem.
        Some(Command::Bench(args)) if args.python => ladder::run(&args, (1000, 1000)),
        Some(Command::Bench(args)) => ladder::run(&args, (4000, 1000)),
        Some(Command::Setup) => setup::run(&cli.profile),
        Some(Command::Status(args)) => status::run(&args, &cli.profile),
        Some(Command::Watch(args)) => watch::run(&args, &cli.profile),
        Some(Command::Hint(args)) => hint::run(&args),
        Some(Command::Reset(args)) => reset::run(&args),
        Some(Command::Diff(args)) => diff::run(&args, &cli.profile),
        Some(Command::Fastest(args)) => fastest::run(&args),
        Some(Command::Figures(args)) => figures::run(&args),
        Some(Command::List) => {
            list();
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Sweep(args)) => sweep::run(&args),
        Some(Command::Scaling(args)) => scaling::run(&args),
        Some(Command::Ranks(args)) => ranks::run(&args),
        Some(Command::Peak) => {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            println!("One thread:  {}", peak::probe(1).describe());
            if threads > 1 {
                println!("All threads: {}", peak::probe(threads).describe());
            }
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|mistake: UserError| mistake.report())
}

/// The progress bar every long command shows (hidden when not a terminal).
pub fn progress_bar(len: u64) -> indicatif::ProgressBar {
    indicatif::ProgressBar::new(len).with_style(
        indicatif::ProgressStyle::with_template("{msg:>28} [{bar:30}] {pos}/{len}")
            .expect("valid template")
            .progress_chars("=> "),
    )
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
            mandel_core::Availability::Missing(why) => format!("  (not on this machine: {why})"),
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
