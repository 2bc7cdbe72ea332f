//! `lab`: the instructor's experiments, `cargo run --release -p lab --
//! <command>`. Each measures one lesson of the day on this machine, as a
//! table and, where a picture says it better, a chart; `figures` reruns
//! them all into the book.

mod chart;
mod figures;
mod kit;
mod machine;
mod network;
mod projector;
mod ranks;
mod room;
mod scaling;
mod sieve;
mod sweep;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mandel_core::error::parse_args;
use mandel_core::Error;
use workshop::{ladder, peak};

#[derive(Parser)]
#[command(
    name = "lab",
    about = "The Mandelbrot workshop's instructor's lab: each lesson measured on this machine, as tables and charts."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The ladder on a bigger problem (default `4000 1000`), for steadier figures; `--python` adds the tutorial's Python beside it.
    Bench(ladder::Args),
    /// The cache-size experiment: step 03's time against its block size, as a table and a chart.
    Sweep(sweep::Args),
    /// Step 04's sieve: the reference kernel without it and with it, side by side, on each instruction set this CPU has.
    Sieve(sieve::Args),
    /// Step 05's experiments: speedup against threads and chunks, tables and charts.
    Scaling(scaling::Args),
    /// Measure this machine's fused-multiply-add peak, on one thread and on all.
    Peak,
    /// Step 06's experiment: the static split against the task farm as the ranks grow, as threads and under mpirun; a table and a chart.
    Ranks(ranks::Args),
    /// Step 06 across simulated hosts (as root: network namespaces and shaped links): farm against static, shipped points against rows' index, on fast and slow links, beside a model; a table and a chart.
    Network(network::Args),
    /// Rerun the measurements the book shows, on this machine, into docs/src/figures/ (text, charts, pictures).
    Figures(figures::Args),
    /// Write the book's projector pages (a screen per step: 2011's result, today's, the command, the figure) and the attendees' command sheet, from the registry and the figures.
    Projector,
    /// For a room without a network: write into DIR the repository at HEAD with every crate it needs vendored, the built book, and a page on installing Rust offline, to copy onto USB sticks.
    Kit(kit::Args),
    /// The room's progress live, for the projector: a page attendees who `join` send their verdicts to (verdict data only, never code).
    Room(room::Args),
}

fn main() -> ExitCode {
    let cli: Cli = match parse_args() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let result = match cli.command {
        // Python's pure version would take minutes on the bigger problem.
        Command::Bench(args) if args.python => ladder::run(&args, (1000, 1000)),
        Command::Bench(args) => ladder::run(&args, (4000, 1000)),
        Command::Sweep(args) => sweep::run(&args),
        Command::Sieve(args) => sieve::run(&args),
        Command::Scaling(args) => scaling::run(&args),
        Command::Ranks(args) => ranks::run(&args),
        Command::Network(args) => network::run(&args),
        Command::Figures(args) => figures::run(&args),
        Command::Kit(args) => kit::run(&args),
        Command::Projector => projector::run(),
        Command::Room(args) => room::run(&args),
        Command::Peak => {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            println!("One thread:  {}", peak::probe(1).describe());
            if threads > 1 {
                println!("All threads: {}", peak::probe(threads).describe());
            }
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|mistake: Error| mistake.report())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// The workshop sends these commands here by name: the two lists are one.
    #[test]
    fn the_workshop_knows_every_lab_command() {
        let mut ours: Vec<String> = super::Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        let mut theirs: Vec<String> = workshop::LAB_COMMANDS
            .iter()
            .map(|c| c.to_string())
            .collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs);
    }
}
