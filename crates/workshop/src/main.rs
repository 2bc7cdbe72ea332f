//! `workshop`: what `cargo run --release` at the repository root runs.
//!
//! With no arguments it runs every step's reference solution on the
//! tutorial's `1000 1000`, checks each against the oracle and prints the
//! ladder: median time, z-updates per second, share of this machine's peak
//! and speedup over step 01. Its other commands are the instructor's
//! experiments and the attendees' hints.

mod ladder;
mod scaling;
mod sweep;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mandel_core::error::parse_args;
use mandel_core::peak;
use mandel_core::{Step, UserError, Variant};

/// Every step on the ladder, in order. A new step is one more line here.
const LADDER: &[&Step] = &[
    &step01::STEP,
    &step02::STEP,
    &step03::STEP,
    &step04::STEP,
    &step05::STEP,
];

#[derive(Parser)]
#[command(
    name = "workshop",
    about = "The Mandelbrot HPC workshop: the whole ladder timed and verified, the experiments, and hints.",
    after_help = "With no command, runs `workshop ladder 1000 1000`."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run every step's reference solution, verify it and print the speedup table.
    Ladder(ladder::Args),
    /// The ladder on a bigger problem (default `4000 1000`), for steadier figures.
    Bench(ladder::Args),
    /// The cache-size experiment: step 03's time against its block size, as a table and a chart.
    Sweep(sweep::Args),
    /// Step 05's experiments: speedup against threads and chunks, tables and charts.
    Scaling(scaling::Args),
    /// Measure this machine's fused-multiply-add peak, on one thread and on all.
    Peak,
    /// Print the hints for a step's exercise.
    Hint {
        /// The step: 1, 01 or step01.
        step: String,
    },
    /// List the steps.
    List,
}

fn main() -> ExitCode {
    let cli: Cli = match parse_args() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let result = match cli.command {
        None => ladder::run(&ladder::Args::default(), (1000, 1000)),
        Some(Command::Ladder(args)) => ladder::run(&args, (1000, 1000)),
        Some(Command::Bench(args)) => ladder::run(&args, (4000, 1000)),
        Some(Command::Sweep(args)) => sweep::run(&args),
        Some(Command::Scaling(args)) => scaling::run(&args),
        Some(Command::Peak) => {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            println!("One thread:  {}", peak::probe(1).describe());
            if threads > 1 {
                println!("All threads: {}", peak::probe(threads).describe());
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Hint { step }) => find_step(&step).map(|step| {
            print_hints(step);
            ExitCode::SUCCESS
        }),
        Some(Command::List) => {
            for step in LADDER {
                println!(
                    "{}  {:<22} {}  ({})",
                    step.id(),
                    step.name,
                    step.technique,
                    step.tutorial
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|mistake| mistake.report())
}

/// The step a user named as `1`, `01` or `step01`.
fn find_step(name: &str) -> Result<&'static Step, UserError> {
    let digits = name.trim().trim_start_matches("step");
    digits
        .parse::<u32>()
        .ok()
        .and_then(|n| LADDER.iter().copied().find(|s| s.number == n))
        .ok_or_else(|| {
            UserError::new(format!(
                "unknown step '{name}': the ladder has steps {} (see `cargo run -- list`)",
                LADDER
                    .iter()
                    .map(|s| s.number.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

fn print_hints(step: &Step) {
    println!(
        "Step {:02}, {}: hints for {}\n",
        step.number,
        step.name,
        step.path(Variant::Exercise)
    );
    println!(
        "{}",
        step.hints().unwrap_or("This chapter has no hints yet.")
    );
}
