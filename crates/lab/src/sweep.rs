//! The cache-size experiment: numpy_vector_2.py's block sweep, on step 03.
//!
//! Step 03 makes `maxiter` passes over its arrays. Whole, the arrays of a
//! large grid spill out of every cache and each pass streams them from
//! memory; cut into blocks that fit a cache, the passes stay there. The
//! tutorial's "Speed vs cache size (Core2/i3)" slide, measured on this
//! machine.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::chart::{Chart, Marker, Series};
use crate::machine::{self, Cache};
use indicatif::{ProgressBar, ProgressStyle};
use mandel_core::error::positive;
use mandel_core::output::OutputFile;
use mandel_core::problem::bytes_text;
use mandel_core::problem::group_digits;
use mandel_core::timing::{duration_text, median_run, rate, rate_text};
use mandel_core::{verify, Error, Problem};
use step03::BYTES_PER_POINT;

/// The block sizes the tutorial tried (numpy_vector_2.py's STEP_SIZE).
const TUTORIAL_BLOCKS: [usize; 9] = [
    250_000, 90_000, 50_000, 45_000, 20_000, 10_000, 5_000, 1_000, 100,
];

#[derive(clap::Args)]
pub struct Args {
    /// The tutorial's width: the grid is about w/2 x w/2 points.
    #[arg(default_value = "1000", value_parser = positive::<u64>)]
    w: u64,
    /// Iterations before a point counts as inside the set.
    #[arg(default_value = "1000", value_parser = positive::<u32>)]
    maxiter: u32,
    /// Block sizes to try, in points.
    #[arg(long, value_delimiter = ',', default_values_t = TUTORIAL_BLOCKS, value_parser = positive::<usize>)]
    blocks: Vec<usize>,
    /// Timed runs per block size, at most 100; the table shows their median.
    #[arg(long, default_value = "3", value_parser = mandel_core::limits::runs)]
    runs: usize,
    /// Where to draw the chart as a PNG.
    #[arg(long, default_value = "cache-sweep.png")]
    png: PathBuf,
    /// Where to draw the chart as an SVG.
    #[arg(long, default_value = "cache-sweep.svg")]
    svg: PathBuf,
}

struct Row {
    block: usize,
    median: Duration,
    exact: bool,
}

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let png = OutputFile::create(&args.png)?;
    let svg = OutputFile::create(&args.svg)?;
    let problem = Problem::new(args.w, args.maxiter)?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let updates = problem.z_updates();
    let caches = machine::data_caches();

    // The whole array first: every other row is compared with it.
    let mut blocks = vec![problem.len()];
    blocks.extend(args.blocks.iter().map(|&b| b.min(problem.len())));
    blocks.dedup();

    println!(
        "Cache sweep: step 03 (vector, no early exit) on `{}`, {} points, {BYTES_PER_POINT} bytes of arrays per point; median of {} runs.",
        problem.label(),
        group_digits(problem.len() as u128),
        args.runs
    );
    println!("{}", describe_caches(&caches));

    let progress = ProgressBar::new((blocks.len() * args.runs) as u64).with_style(
        ProgressStyle::with_template("{msg:>20} [{bar:30}] {pos}/{len} runs")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let mut rows = Vec::new();
    for &block in &blocks {
        progress.set_message(format!("block {block}"));
        let (median, output) = median_run(
            args.runs,
            || {
                step03::solution::calculate_z_blocks(
                    &problem.re,
                    &problem.im,
                    problem.maxiter,
                    block,
                )
            },
            || progress.inc(1),
        );
        let exact = verify::compare(&problem, &output).is_exact();
        rows.push(Row {
            block,
            median,
            exact,
        });
    }
    progress.finish_and_clear();

    let whole = rows[0].median.as_secs_f64();
    println!(
        "{:>9} {:>11} {:>8} {:>9} {:>12} {:>13}  oracle",
        "block", "arrays", "fits in", "median", "z-updates/s", "vs whole"
    );
    for (i, row) in rows.iter().enumerate() {
        let bytes = (row.block * BYTES_PER_POINT) as u64;
        let label = if i == 0 {
            "whole".to_string()
        } else {
            row.block.to_string()
        };
        println!(
            "{:>9} {:>11} {:>8} {:>9} {:>12} {:>12.2}x  {}",
            label,
            bytes_text(bytes),
            fits_in(bytes, &caches),
            duration_text(row.median),
            rate_text(rate(updates, row.median)),
            whole / row.median.as_secs_f64(),
            if row.exact { "exact" } else { "WRONG" }
        );
    }

    let chart = Chart {
        title: format!(
            "Step 03 time against block size, `{}` ({} points)",
            problem.label(),
            group_digits(problem.len() as u128)
        ),
        x_label: "block size (points, log scale)".to_string(),
        y_label: "median time (s)".to_string(),
        log_x: true,
        series: vec![Series {
            name: "step 03, blocked".to_string(),
            points: rows
                .iter()
                .map(|r| (r.block as f64, r.median.as_secs_f64()))
                .collect(),
            dashed: false,
        }],
        markers: caches
            .iter()
            .map(|c| Marker {
                x: c.bytes as f64 / BYTES_PER_POINT as f64,
                label: format!("{} {}", c.name(), bytes_text(c.bytes)),
            })
            .collect(),
    };
    for path in chart.write(Some(png), Some(svg))? {
        eprintln!("Wrote {}", path.display());
    }
    Ok(if rows.iter().all(|r| r.exact) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn describe_caches(caches: &[Cache]) -> String {
    if caches.is_empty() {
        return "Cache sizes: this system does not say (the chart shows no cache lines)."
            .to_string();
    }
    let list: Vec<String> = caches
        .iter()
        .map(|c| format!("{} {}", c.name(), bytes_text(c.bytes)))
        .collect();
    format!("Caches of one core, from the system: {}.", list.join(", "))
}

/// The smallest cache the arrays fit in, or `memory`.
fn fits_in(bytes: u64, caches: &[Cache]) -> String {
    caches
        .iter()
        .find(|c| bytes <= c.bytes)
        .map_or_else(|| "memory".to_string(), Cache::name)
}
