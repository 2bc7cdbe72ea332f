//! Step 04's "going further", measured: the reference kernel without its
//! sieve (every group of vectors runs until its last point escapes) and
//! with it (survivors packed into full groups stage by stage), side by
//! side on each instruction set this CPU has.

use std::process::ExitCode;
use std::time::Duration;

use mandel_core::error::positive;
use mandel_core::problem::group_digits;
use mandel_core::timing::{duration_text, median_run, rate};
use mandel_core::Isa;
use mandel_core::{verify, Error, Problem};
use step04::dispatch::{calculate_z_sieved, sieves, BLOCK};
use workshop::peak::{self, Peak};

#[derive(clap::Args)]
pub struct Args {
    /// The tutorial's width: the grid is about w/2 x w/2 points.
    #[arg(default_value = "1000", value_parser = positive::<u64>)]
    w: u64,
    /// Iterations before a point counts as inside the set.
    #[arg(default_value = "1000", value_parser = positive::<u32>)]
    maxiter: u32,
    /// Timed runs of each kernel, at most 100; the table shows their median.
    #[arg(long, default_value = "5", value_parser = mandel_core::limits::runs)]
    runs: usize,
}

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let problem = Problem::new(args.w, args.maxiter)?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let updates = problem.z_updates();
    println!(
        "Step 04's sieve on `{}`: {} points, {} z-updates; the reference kernel without and with it, median of {} runs each.",
        problem.label(),
        group_digits(problem.len() as u128),
        group_digits(updates),
        args.runs
    );
    let peak = peak::probe(1);
    println!(
        "{:<16} {:>10} {:>7} {:>10} {:>7} {:>8}  {:<14} oracle",
        "instructions", "without", "% peak", "with", "% peak", "speedup", "dispatched"
    );
    let mut wrong = false;
    for isa in Isa::ALL.into_iter().filter(|isa| isa.is_available()) {
        let (before, before_ok) = time(&problem, args.runs, isa, false);
        let (after, after_ok) = time(&problem, args.runs, isa, true);
        wrong |= !(before_ok && after_ok);
        println!(
            "{:<16} {:>10} {} {:>10} {} {:>7.2}x  {:<14} {}",
            isa.to_string(),
            duration_text(before),
            share(&peak, updates, before),
            duration_text(after),
            share(&peak, updates, after),
            before.as_secs_f64() / after.as_secs_f64(),
            if sieves(isa) { "with" } else { "without" },
            if before_ok && after_ok {
                "both within tolerance"
            } else {
                "WRONG"
            }
        );
    }
    println!("% peak: of one core's {}.", peak.describe());
    Ok(if wrong {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The median of `runs` runs of the kernel at `isa`, with the sieve or
/// without, and whether its answer is within that instruction set's
/// tolerance.
fn time(problem: &Problem, runs: usize, isa: Isa, sieve: bool) -> (Duration, bool) {
    let (median, output) = median_run(
        runs,
        || {
            let mut output = vec![0; problem.len()];
            calculate_z_sieved(
                isa,
                &problem.re,
                &problem.im,
                problem.maxiter,
                BLOCK,
                sieve,
                &mut output,
            );
            output
        },
        || (),
    );
    let report = verify::compare(problem, &output);
    (
        median,
        report.passes(mandel_core::verify::tolerance_with(isa)),
    )
}

/// `time` as a share of `peak`, 7 columns wide.
fn share(peak: &Peak, updates: u64, time: Duration) -> String {
    format!("{:>6.1}%", peak.percent(rate(updates, time)))
}
