//! `workshop`: what `cargo run --release` at the repository root runs.
//!
//! With no arguments it runs every step's reference solution on the
//! tutorial's `1000 1000`, checks each against the oracle and prints the
//! ladder: median time, z-updates per second and speedup over step 01.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use mandel_core::error::{parse_args, positive};
use mandel_core::peak;
use mandel_core::problem::group_digits;
use mandel_core::timing::{duration_text, median, rate, rate_text, timed};
use mandel_core::{verify, Problem, Step, UserError, Variant};

/// Every step on the ladder, in order. A new step is one more line here.
const LADDER: &[&Step] = &[&step01::STEP, &step02::STEP, &step03::STEP, &step04::STEP];

#[derive(Parser)]
#[command(
    name = "workshop",
    about = "The Mandelbrot HPC workshop: run the whole ladder, timed and verified, or show a step's hints.",
    after_help = "With no command, runs `workshop ladder 1000 1000`."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run every step's reference solution, verify it and print the speedup table.
    Ladder(LadderArgs),
    /// Print the hints for a step's exercise.
    Hint {
        /// The step: 1, 01 or step01.
        step: String,
    },
    /// List the steps.
    List,
    /// Measure this machine's fused-multiply-add peak, on one thread and on all.
    Peak,
}

#[derive(clap::Args)]
struct LadderArgs {
    /// The tutorial's width: the grid is about w/2 x w/2 points.
    #[arg(default_value = "1000", value_parser = positive::<u64>)]
    w: u64,
    /// Iterations before a point counts as inside the set.
    #[arg(default_value = "1000", value_parser = positive::<u32>)]
    maxiter: u32,
    /// Timed runs per step; the table shows their median.
    #[arg(long, default_value = "5", value_parser = positive::<usize>)]
    runs: usize,
    /// Only these steps, e.g. `--steps 1,2`.
    #[arg(long, value_delimiter = ',')]
    steps: Vec<String>,
}

impl Default for LadderArgs {
    fn default() -> Self {
        LadderArgs {
            w: 1000,
            maxiter: 1000,
            runs: 5,
            steps: Vec::new(),
        }
    }
}

fn main() -> ExitCode {
    let cli: Cli = match parse_args() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let result = match cli
        .command
        .unwrap_or(Command::Ladder(LadderArgs::default()))
    {
        Command::Ladder(args) => ladder(&args),
        Command::Hint { step } => find_step(&step).map(|step| {
            print_hints(step);
            ExitCode::SUCCESS
        }),
        Command::Peak => {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            println!("One thread:  {}", peak::probe(1).describe());
            if threads > 1 {
                println!("All threads: {}", peak::probe(threads).describe());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::List => {
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

/// One row of the table.
struct Row {
    step: &'static Step,
    median: std::time::Duration,
    verdict: String,
    passes: bool,
}

fn ladder(args: &LadderArgs) -> Result<ExitCode, UserError> {
    let steps: Vec<&Step> = if args.steps.is_empty() {
        LADDER.to_vec()
    } else {
        args.steps
            .iter()
            .map(|s| find_step(s))
            .collect::<Result<_, _>>()?
    };
    let problem = Problem::new(args.w, args.maxiter)?;
    let updates = problem.z_updates();
    println!(
        "Mandelbrot ladder on `{}`: {} x {} = {} points, {} z-updates; reference solutions, median of {} runs each.",
        problem.label(),
        problem.rows(),
        problem.cols(),
        group_digits(problem.len() as u128),
        group_digits(updates),
        args.runs
    );

    let progress = ProgressBar::new((steps.len() * args.runs) as u64).with_style(
        ProgressStyle::with_template("{msg:>24} [{bar:30}] {pos}/{len} runs")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let mut rows = Vec::new();
    for &step in &steps {
        progress.set_message(format!("{} {}", step.id(), step.name));
        let mut times = Vec::with_capacity(args.runs);
        let mut first_output = None;
        for _ in 0..args.runs {
            let (output, took) = timed(|| (step.solution)(&problem));
            times.push(took);
            first_output.get_or_insert(output);
            progress.inc(1);
        }
        let report = verify::compare(&problem, &first_output.unwrap_or_default());
        let passes = report.passes(step.tolerance);
        let verdict = match (report.is_exact(), passes) {
            (true, _) => "exact".to_string(),
            (false, true) => format!("{} differ (ok)", report.differing),
            (false, false) => format!("WRONG: {} differ", report.differing),
        };
        rows.push(Row {
            step,
            median: median(&times),
            verdict,
            passes,
        });
    }
    progress.finish_and_clear();

    let baseline = rows
        .iter()
        .find(|r| r.step.number == 1)
        .map(|r| r.median.as_secs_f64());
    println!(
        "{:<6} {:<22} {:<40} {:>10} {:>13} {:>9}  oracle",
        "step", "name", "technique", "median", "z-updates/s", "speedup"
    );
    for row in &rows {
        let speedup = baseline
            .map(|base| format!("{:.1}x", base / row.median.as_secs_f64()))
            .unwrap_or_else(|| "-".to_string());
        println!(
            "{:<6} {:<22} {:<40} {:>10} {:>13} {:>9}  {}",
            row.step.id(),
            row.step.name,
            row.step.technique,
            duration_text(row.median),
            rate_text(rate(updates, row.median)),
            speedup,
            row.verdict
        );
    }
    if baseline.is_none() {
        println!("(speedup is against step 01, which this run left out)");
    }
    Ok(if rows.iter().all(|r| r.passes) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
