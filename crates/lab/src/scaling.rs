//! Step 05's experiments: speedup against thread count and against chunk
//! count, with the per-chunk times that explain the imbalance of a few big
//! chunks.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::chart::{Chart, Series};
use mandel_core::error::positive;
use mandel_core::limits::check_threads;
use mandel_core::output::OutputFile;
use mandel_core::problem::check_fits_with;
use mandel_core::problem::group_digits;
use mandel_core::timing::{duration_text, median, median_run, rate, rate_text, timed};
use mandel_core::Isa;
use mandel_core::{verify, Error, Problem, Variant};
use step04::dispatch::{dispatching_to, this_threads_isa};
use step05::{solution, timed_chunks, with_threads, ChunkTime};
use workshop::peak;

#[derive(clap::Args)]
pub struct Args {
    /// The tutorial's width: the grid is about w/2 x w/2 points.
    #[arg(default_value = "4000", value_parser = positive::<u64>)]
    w: u64,
    /// Iterations before a point counts as inside the set.
    #[arg(default_value = "1000", value_parser = positive::<u32>)]
    maxiter: u32,
    /// Timed runs per configuration, at most 100; the tables show their median.
    #[arg(long, default_value = "3", value_parser = mandel_core::limits::runs)]
    runs: usize,
    /// The most threads to try (default: one per CPU; at most 64 per CPU).
    #[arg(long, value_parser = positive::<usize>)]
    max_threads: Option<usize>,
    /// Chunk counts to try, on all threads.
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 2, 3, 4, 8, 16, 64, 256, 1024, 4096], value_parser = positive::<usize>)]
    chunks: Vec<usize>,
    /// Folder for the charts: scaling-threads and scaling-chunks, as PNG and SVG.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// The instruction set of step 04's kernel in every chunk (default:
    /// the best this CPU has).
    #[arg(long, value_enum)]
    isa: Option<Isa>,
}

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let isa = match args.isa {
        Some(isa) => isa.check_available()?,
        None => Isa::best(),
    };
    dispatching_to(isa, || measure_and_draw(args))
}

/// The experiment, with step 04's kernel at this thread's instruction set
/// in every chunk.
fn measure_and_draw(args: &Args) -> Result<ExitCode, Error> {
    let claim = |name: &str| OutputFile::create(&args.out.join(name));
    let threads_png = claim("scaling-threads.png")?;
    let threads_svg = claim("scaling-threads.svg")?;
    let chunks_png = claim("scaling-chunks.png")?;
    let chunks_svg = claim("scaling-chunks.svg")?;
    let max_threads = args
        .max_threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let problem = Problem::new(args.w, args.maxiter)?;
    for &chunks in &args.chunks {
        step05::check_chunks(chunks, problem.len(), problem.w)?;
    }
    check_threads("--max-threads", max_threads, 0)?;
    let most_chunks = args.chunks.iter().max().copied().unwrap_or(1);
    check_fits_with(
        args.w,
        most_chunks as u128 * step05::CHUNK_BYTES,
        &format!(" and {most_chunks} chunks"),
    )?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let updates = problem.z_updates();
    println!(
        "Scaling: step 05 on `{}` ({} points, {} z-updates), median of {} runs; step 04's kernel with {}.",
        problem.label(),
        group_digits(problem.len() as u128),
        group_digits(updates),
        args.runs,
        this_threads_isa()
    );

    let by_threads = against_threads(&problem, args.runs, max_threads)?;
    let one_thread = by_threads[0].1.as_secs_f64();

    let by_chunks = against_chunks(&problem, args, max_threads, one_thread)?;

    joining(&problem, args.runs, max_threads)?;

    let charts = charts(&problem, &by_threads, &by_chunks, max_threads, one_thread);
    let files = [(threads_png, threads_svg), (chunks_png, chunks_svg)];
    println!();
    for (chart, (png, svg)) in charts.into_iter().zip(files) {
        for path in chart.write(Some(png), Some(svg))? {
            eprintln!("Wrote {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Speedup against threads, each with the solution's default chunks: a
/// table, and the medians for the chart.
fn against_threads(
    problem: &Problem,
    runs: usize,
    max_threads: usize,
) -> Result<Vec<(usize, Duration)>, Error> {
    let updates = problem.z_updates();
    println!(
        "\nThreads ({} chunks per thread):",
        solution::CHUNKS_PER_THREAD
    );
    println!(
        "{:>7} {:>9} {:>12} {:>8} {:>8}  oracle",
        "threads", "median", "z-updates/s", "speedup", "% peak"
    );
    let mut by_threads = Vec::new();
    for threads in 1..=max_threads {
        let peak = peak::probe(threads);
        let (median, exact) = with_threads(Some(threads), || {
            measure(problem, runs, || {
                solution::calculate_z(&problem.re, &problem.im, problem.maxiter)
            })
        })?;
        let one = by_threads
            .first()
            .map_or(median, |&(_, m): &(usize, Duration)| m);
        let per_second = rate(updates, median);
        println!(
            "{threads:>7} {:>9} {:>12} {:>7.2}x {:>7.1}%  {}",
            duration_text(median),
            rate_text(per_second),
            one.as_secs_f64() / median.as_secs_f64(),
            peak.percent(per_second),
            if exact { "ok" } else { "WRONG" }
        );
        by_threads.push((threads, median));
    }
    Ok(by_threads)
}

/// Speedup against chunks, on all threads, with the chunks' own times: a
/// table, and the medians for the chart.
fn against_chunks(
    problem: &Problem,
    args: &Args,
    max_threads: usize,
    one_thread: f64,
) -> Result<Vec<(usize, Duration)>, Error> {
    println!("\nChunks (on {max_threads} threads):");
    println!(
        "{:>6} {:>9} {:>8} {:>28} {:>22}  oracle",
        "chunks", "median", "speedup", "chunk time min / med / max", "thread busy max/mean"
    );
    let mut by_chunks = Vec::new();
    for &chunks in &args.chunks {
        let mut runs = Vec::new();
        for _ in 0..args.runs {
            let ((output, times), took) = with_threads(Some(max_threads), || {
                timed(|| timed_chunks(&problem.re, &problem.im, problem.maxiter, chunks))
            })?;
            runs.push((took, output, times));
        }
        runs.sort_by_key(|r| r.0);
        let (took, output, times) = &runs[(runs.len() - 1) / 2];
        let exact = verify::compare(problem, output)
            .passes(step05::STEP.tolerance(Variant::Solution, this_threads_isa()));
        let (min, mid, max) = spread(times);
        println!(
            "{chunks:>6} {:>9} {:>7.2}x {:>28} {:>21.2}x  {}",
            duration_text(*took),
            one_thread / took.as_secs_f64(),
            format!(
                "{} / {} / {}",
                duration_text(min),
                duration_text(mid),
                duration_text(max)
            ),
            imbalance(times, max_threads),
            if exact { "ok" } else { "WRONG" }
        );
        by_chunks.push((chunks, *took));
    }

    Ok(by_chunks)
}

/// Joining: multi.py's collect-then-join against writing in place,
/// alternating so that the machine's drift falls on both alike.
fn joining(problem: &Problem, runs: usize, max_threads: usize) -> Result<(), Error> {
    let chunks = max_threads * solution::CHUNKS_PER_THREAD;
    step05::check_chunks(chunks, problem.len(), problem.w)?;
    println!("\nJoining the answers ({chunks} chunks on {max_threads} threads, {} alternating runs each):", runs);
    let (mut in_place, mut joined) = (Vec::new(), Vec::new());
    let (mut in_place_right, mut joined_right) = (true, true);
    let tolerance = step05::STEP.tolerance(Variant::Solution, this_threads_isa());
    for _ in 0..runs {
        let (output, took) = with_threads(Some(max_threads), || {
            timed(|| {
                solution::calculate_z_chunks(&problem.re, &problem.im, problem.maxiter, chunks)
            })
        })?;
        in_place_right &= verify::compare(problem, &output).passes(tolerance);
        in_place.push(took);
        let (output, took) = with_threads(Some(max_threads), || {
            timed(|| step05::joined_chunks(&problem.re, &problem.im, problem.maxiter, chunks))
        })?;
        joined_right &= verify::compare(problem, &output).passes(tolerance);
        joined.push(took);
    }
    let verdict = |right: bool| if right { "ok" } else { "WRONG" };
    let (in_place, joined) = (median(&in_place), median(&joined));
    println!("{:<40} {:>9}  oracle", "", "median");
    println!(
        "{:<40} {:>9}  {}",
        "written in place (the solution)",
        duration_text(in_place),
        verdict(in_place_right)
    );
    println!(
        "{:<40} {:>9}  {}",
        "collect + concat (multi.py's join)",
        duration_text(joined),
        verdict(joined_right)
    );
    println!(
        "The join costs {:+.1}% on this run.",
        (joined.as_secs_f64() / in_place.as_secs_f64() - 1.0) * 100.0
    );

    Ok(())
}

/// The two charts: speedup against threads, and against chunks.
fn charts(
    problem: &Problem,
    by_threads: &[(usize, Duration)],
    by_chunks: &[(usize, Duration)],
    max_threads: usize,
    one_thread: f64,
) -> [Chart; 2] {
    let threads_chart = Chart {
        title: format!("Step 05 speedup against threads, `{}`", problem.label()),
        x_label: "threads".to_string(),
        y_label: "speedup over 1 thread".to_string(),
        log_x: false,
        series: vec![
            Series {
                name: "measured".to_string(),
                points: by_threads
                    .iter()
                    .map(|&(t, m)| (t as f64, one_thread / m.as_secs_f64()))
                    .collect(),
                dashed: false,
            },
            Series {
                name: "ideal".to_string(),
                points: by_threads
                    .iter()
                    .map(|&(t, _)| (t as f64, t as f64))
                    .collect(),
                dashed: false,
            },
        ],
        markers: Vec::new(),
    };
    let chunks_chart = Chart {
        title: format!(
            "Step 05 speedup against chunks on {max_threads} threads, `{}`",
            problem.label()
        ),
        x_label: "chunks (log scale)".to_string(),
        y_label: "speedup over 1 thread".to_string(),
        log_x: true,
        series: vec![Series {
            name: format!("{max_threads} threads"),
            points: by_chunks
                .iter()
                .map(|&(c, m)| (c as f64, one_thread / m.as_secs_f64()))
                .collect(),
            dashed: false,
        }],
        markers: Vec::new(),
    };
    [threads_chart, chunks_chart]
}

/// The median of `runs` timings of `f`, and whether its answer is right.
fn measure(problem: &Problem, runs: usize, f: impl Fn() -> Vec<u32>) -> (Duration, bool) {
    let (median, output) = median_run(runs, f, || ());
    let right = verify::compare(problem, &output)
        .passes(step05::STEP.tolerance(Variant::Solution, this_threads_isa()));
    (median, right)
}

/// The fastest, median and slowest chunk.
fn spread(times: &[ChunkTime]) -> (Duration, Duration, Duration) {
    let mut took: Vec<Duration> = times.iter().map(|t| t.took).collect();
    took.sort();
    (took[0], median(&took), took[took.len() - 1])
}

/// The busiest thread's total chunk time over the mean: 1.00x is a perfect
/// balance; 2.00x on two threads means one thread did everything.
fn imbalance(times: &[ChunkTime], threads: usize) -> f64 {
    let threads = threads.max(1);
    let mut busy = vec![Duration::ZERO; threads];
    for t in times {
        busy[t.thread % threads] += t.took;
    }
    let total: Duration = busy.iter().sum();
    let max = busy.iter().max().copied().unwrap_or_default();
    max.as_secs_f64() / (total.as_secs_f64() / busy.len() as f64).max(1e-12)
}
