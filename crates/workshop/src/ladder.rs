//! The ladder: every step's reference solution on one problem, timed,
//! verified and compared.

use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use mandel_core::error::positive;
use mandel_core::peak::{self, Peak};
use mandel_core::problem::group_digits;
use mandel_core::timing::{duration_text, median_run, rate, rate_text};
use mandel_core::{verify, Problem, Step, UserError};

use crate::{find_step, LADDER};

/// With no fields given (as `workshop` alone runs it): the problem the
/// command names, 5 runs, every step.
#[derive(clap::Args, Default)]
pub struct Args {
    /// The tutorial's width: the grid is about w/2 x w/2 points.
    #[arg(value_parser = positive::<u64>)]
    w: Option<u64>,
    /// Iterations before a point counts as inside the set.
    #[arg(value_parser = positive::<u32>)]
    maxiter: Option<u32>,
    /// Timed runs per step; the table shows their median [default: 5].
    #[arg(long, value_parser = positive::<usize>)]
    runs: Option<usize>,
    /// Only these steps, e.g. `--steps 1,2`.
    #[arg(long, value_delimiter = ',')]
    steps: Vec<String>,
}

/// One row of the table.
struct Row {
    step: &'static Step,
    median: Duration,
    verdict: String,
    passes: bool,
}

pub fn run(args: &Args, (w, maxiter): (u64, u32)) -> Result<ExitCode, UserError> {
    let runs = args.runs.unwrap_or(5);
    let steps: Vec<&Step> = if args.steps.is_empty() {
        LADDER.to_vec()
    } else {
        args.steps
            .iter()
            .map(|s| find_step(s))
            .collect::<Result<_, _>>()?
    };
    let problem = Problem::new(args.w.unwrap_or(w), args.maxiter.unwrap_or(maxiter))?;
    let updates = problem.z_updates();
    println!(
        "Mandelbrot ladder on `{}`: {} x {} = {} points, {} z-updates; reference solutions, median of {runs} runs each.",
        problem.label(),
        problem.rows(),
        problem.cols(),
        group_digits(problem.len() as u128),
        group_digits(updates),
    );

    let progress = ProgressBar::new((steps.len() * runs) as u64 + 1).with_style(
        ProgressStyle::with_template("{msg:>28} [{bar:30}] {pos}/{len}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    progress.set_message("measuring this machine's peak");
    let mut peaks: Vec<Peak> = Vec::new();
    for threads in steps.iter().map(|s| (s.threads)()) {
        if !peaks.iter().any(|p| p.threads == threads) {
            peaks.push(peak::probe(threads));
        }
    }
    progress.inc(1);
    let mut rows = Vec::new();
    for &step in &steps {
        progress.set_message(format!("{} {}", step.id(), step.name));
        let (median, output) = median_run(runs, || (step.solution)(&problem), || progress.inc(1));
        let report = verify::compare(&problem, &output);
        let passes = report.passes(step.tolerance);
        let verdict = match (report.is_exact(), passes) {
            (true, _) => "exact".to_string(),
            (false, true) => format!("{} differ, within tolerance", report.differing),
            (false, false) => format!("WRONG: {}", report.summary()),
        };
        rows.push(Row {
            step,
            median,
            verdict,
            passes,
        });
    }
    progress.finish_and_clear();
    print_table(&rows, updates, &peaks);
    Ok(if rows.iter().all(|r| r.passes) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_table(rows: &[Row], updates: u64, peaks: &[Peak]) {
    let baseline = rows
        .iter()
        .find(|r| r.step.number == 1)
        .map(|r| r.median.as_secs_f64());
    println!(
        "{:<6} {:<21} {:<51} {:>9} {:>12} {:>7} {:>8}  oracle",
        "step", "name", "technique", "median", "z-updates/s", "% peak", "speedup"
    );
    for row in rows {
        let threads = (row.step.threads)();
        let peak = peaks
            .iter()
            .find(|p| p.threads == threads)
            .unwrap_or(&peaks[0]);
        let per_second = rate(updates, row.median);
        let speedup = baseline
            .map(|base| format!("{:.1}x", base / row.median.as_secs_f64()))
            .unwrap_or_else(|| "-".to_string());
        println!(
            "{:<6} {:<21} {:<51} {:>9} {:>12} {:>6.1}% {:>8}  {}",
            row.step.id(),
            row.step.name,
            row.step.technique,
            duration_text(row.median),
            rate_text(per_second),
            peak.percent(per_second),
            speedup,
            row.verdict
        );
    }
    for peak in peaks {
        let whose = if peak.threads == 1 {
            "one core's".to_string()
        } else {
            format!("{} threads'", peak.threads)
        };
        println!(
            "% peak, for steps on {} thread{}: of {whose} {}.",
            peak.threads,
            if peak.threads == 1 { "" } else { "s" },
            peak.describe()
        );
    }
    if baseline.is_none() {
        println!("(Speedup is against step 01, which this run left out.)");
    }
}
