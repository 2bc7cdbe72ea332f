//! The runner's command line, as clap defines it: `main` parses it, and
//! the command sheet (`projector::sheet`) is written from it, so the
//! sheet names exactly the commands and arguments the runner takes.

use clap::{Parser, Subcommand};

use crate::{diff, fastest, hint, ladder, reset, room, setup, status, watch};

#[derive(Parser)]
#[command(
    name = "workshop",
    about = "The Mandelbrot HPC workshop: the whole ladder timed and verified, your progress and hints (the instructor's experiments: `cargo run --release -p lab`).",
    after_help = "With no command, runs `workshop ladder 1000 1000`."
)]
pub struct Cli {
    /// The cargo profile that status, watch and diff build your exercises
    /// with.
    #[arg(long, global = true, default_value = "release", value_name = "PROFILE")]
    pub profile: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run every step's reference solution, verify it and print the speedup table.
    Ladder(ladder::Args),
    /// Build everything the day needs (run it the day before): then `cargo test -p stepNN`, `status` and `hint` answer in seconds. `--projector`: what the instructor's live parts need instead.
    Setup(setup::Args),
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
