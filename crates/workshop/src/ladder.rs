//! The ladder: every step's reference solution on one problem, timed,
//! verified and compared.

use std::process::ExitCode;
use std::time::Duration;

use crate::peak::{self, Peak};
use mandel_core::error::positive;
use mandel_core::problem::group_digits;
use mandel_core::timing::{duration_text, median_run, rate, rate_text};
use mandel_core::Isa;
use mandel_core::{verify, Availability, Error, PeakOf, Problem, Step, Variant};

use crate::python;
use crate::registry::{find_step, LADDER};

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
    /// Timed runs per step, at most 100; the table shows their median
    /// [default: 5].
    #[arg(long, value_parser = mandel_core::limits::runs)]
    runs: Option<usize>,
    /// Only these steps, e.g. `--steps 1,2`.
    #[arg(long, value_delimiter = ',')]
    steps: Vec<String>,
    /// The instruction set of the dispatched kernels (steps 04 and 05;
    /// default: the best this CPU has).
    #[arg(long, value_enum)]
    isa: Option<Isa>,
    /// Also run the tutorial's Python scripts (tools/python/) on the same
    /// problem, and show them beside the Rust steps, against CPython's pure
    /// version (`bench --python` defaults to `1000 1000`).
    #[arg(long)]
    pub python: bool,
}

/// One row of the table.
struct Row {
    step: &'static Step,
    /// What its reference ran with.
    instruction_set: String,
    median: Duration,
    verdict: String,
    passes: bool,
    /// A GPU step's probed peak, flop/s, and what was probed.
    gpu_peak: Option<(f64, String)>,
}

pub fn run(args: &Args, (w, maxiter): (u64, u32)) -> Result<ExitCode, Error> {
    let runs = args.runs.unwrap_or(5);
    let isa = match args.isa {
        Some(isa) => isa.check_available()?,
        None => Isa::best(),
    };
    let steps: Vec<&Step> = if args.steps.is_empty() {
        LADDER.to_vec()
    } else {
        args.steps
            .iter()
            .map(|s| find_step(s))
            .collect::<Result<_, _>>()?
    };
    let problem = Problem::new(args.w.unwrap_or(w), args.maxiter.unwrap_or(maxiter))?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let updates = problem.z_updates();
    println!(
        "Mandelbrot ladder on `{}`: {} x {} = {} points, {} z-updates; reference solutions, median of {runs} runs each.",
        problem.label(),
        problem.rows(),
        problem.cols(),
        group_digits(problem.len() as u128),
        group_digits(updates),
    );

    let progress = crate::progress_bar((steps.len() * runs) as u64 + 1);
    progress.set_message("measuring this machine's peak");
    let mut peaks: Vec<Peak> = Vec::new();
    for threads in steps.iter().filter_map(|s| cpu_threads(s)) {
        if !peaks.iter().any(|p| p.threads == threads) {
            peaks.push(peak::probe(threads));
        }
    }
    progress.inc(1);
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for &step in &steps {
        if let Availability::Unavailable(why) | Availability::Emulated(why) = (step.availability)()
        {
            progress.inc(runs as u64);
            missing.push((step, why));
            continue;
        }
        progress.set_message(format!("{} {}", step.id(), step.name));
        let (median, output) =
            median_run(runs, || (step.solution)(&problem, isa), || progress.inc(1));
        let report = verify::compare(&problem, &output);
        let passes = report.passes(step.tolerance(Variant::Solution, isa));
        let verdict = match (report.is_exact(), passes) {
            (true, _) => "exact".to_string(),
            (false, true) => format!("{} differ, within tolerance", report.differing),
            (false, false) => format!("WRONG: {}", report.summary()),
        };
        let gpu_peak = match step.peak {
            PeakOf::Gpu { flops } => flops(),
            PeakOf::Cpu { .. } => None,
        };
        rows.push(Row {
            step,
            instruction_set: step.instruction_set(Variant::Solution, isa),
            median,
            verdict,
            passes,
            gpu_peak,
        });
    }
    progress.finish_and_clear();
    print_table(&rows, updates, &peaks);
    for (step, why) in missing {
        println!("{} {} skipped: {why}", step.id(), step.name);
    }
    if args.python {
        print_python_beside_rust(&rows, &problem, runs);
    }
    Ok(if rows.iter().all(|r| r.passes) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The threads whose CPU peak a step's "% peak" is of; none for a step
/// measured against another device.
fn cpu_threads(step: &Step) -> Option<usize> {
    match step.peak {
        PeakOf::Cpu { threads } => Some(threads()),
        PeakOf::Gpu { .. } => None,
    }
}

/// The tutorial's Python scripts, run once each here, beside the Rust
/// rows just measured, each against CPython's pure version.
fn print_python_beside_rust(rows: &[Row], problem: &Problem, runs: usize) {
    let root = crate::workspace::root();
    let expected = mandel_core::oracle::validation_sum(problem.oracle());
    let updates = problem.z_updates();
    let progress = crate::progress_bar(python::SCRIPTS.len() as u64);
    let ran: Vec<(&python::Script, python::Ran)> = python::SCRIPTS
        .iter()
        .map(|script| {
            progress.set_message(script.name());
            let ran = python::run(&root, script, problem.w, problem.maxiter);
            progress.inc(1);
            (script, ran)
        })
        .collect();
    progress.finish_and_clear();
    let cpython_pure = ran.iter().find_map(|(script, ran)| match ran {
        python::Ran::Timed { took, .. } if script.file == "pure_python.py" => Some(*took),
        _ => None,
    });
    println!();
    println!(
        "The tutorial's Python beside Rust on `{}` ({}: one run each, the script's own timing of calculate_z; Rust: the medians of {runs} above):",
        problem.label(),
        python::interpreter()
    );
    println!(
        "{:<42} {:<43} {:>9} {:>12} {:>10}  validation sum",
        "row", "what", "time", "z-updates/s", "vs pure"
    );
    let against = |took: Duration| {
        cpython_pure.map_or_else(
            || "-".to_string(),
            |pure| format!("{:.1}x", pure.as_secs_f64() / took.as_secs_f64()),
        )
    };
    for (script, ran) in &ran {
        let name = format!("python {}", script.name());
        match ran {
            python::Ran::Timed { took, sum } => println!(
                "{name:<42} {:<43} {:>9} {:>12} {:>10}  {sum} ({})",
                script.what,
                duration_text(*took),
                rate_text(rate(updates, *took)),
                against(*took),
                if *sum == expected {
                    "right".to_string()
                } else {
                    format!("differs from {expected} by {}", sum.abs_diff(expected))
                }
            ),
            python::Ran::Missing(why) => println!("{name:<42} skipped: {why}"),
        }
    }
    for row in rows {
        println!(
            "{:<42} {:<43} {:>9} {:>12} {:>10}  {}",
            format!("rust {} {}", row.step.id(), row.step.name),
            row.step.technique,
            duration_text(row.median),
            rate_text(rate(updates, row.median)),
            against(row.median),
            row.verdict
        );
    }
    let numpy_differs = ran.iter().any(|(script, ran)| {
        script.file.starts_with("numpy")
            && matches!(ran, python::Ran::Timed { sum, .. } if *sum != expected)
    });
    if numpy_differs {
        println!(
            "numpy's own loops for complex arithmetic fuse multiply-adds where the CPU has AVX2 or AVX-512, as step 04 does: a few points on the boundary move. NPY_DISABLE_CPU_FEATURES=\"X86_V3 X86_V4 AVX512_ICL AVX512_SPR\" turns them off."
        );
    }
    if cpython_pure.is_none() {
        println!("(No CPython pure time to compare with: its row says why.)");
    }
}

fn print_table(rows: &[Row], updates: u64, peaks: &[Peak]) {
    let baseline = rows
        .iter()
        .find(|r| r.step.number == 1)
        .map(|r| r.median.as_secs_f64());
    println!(
        "{:<6} {:<21} {:<43} {:<18} {:>9} {:>12} {:>7} {:>8}  oracle",
        "step", "name", "technique", "instructions", "median", "z-updates/s", "% peak", "speedup"
    );
    for row in rows {
        let per_second = rate(updates, row.median);
        let cpu_share = cpu_threads(row.step)
            .and_then(|threads| peaks.iter().find(|p| p.threads == threads))
            .map(|peak| peak.percent(per_second));
        // The same convention as the CPU's: 8 flops per z-update.
        let gpu_share = row
            .gpu_peak
            .as_ref()
            .map(|(flops, _)| 100.0 * per_second * peak::FLOPS_PER_UPDATE / flops);
        let share = cpu_share
            .or(gpu_share)
            .map_or_else(|| format!("{:>7}", "-"), |share| format!("{share:>6.1}%"));
        let speedup = baseline
            .map(|base| format!("{:.1}x", base / row.median.as_secs_f64()))
            .unwrap_or_else(|| "-".to_string());
        println!(
            "{:<6} {:<21} {:<43} {:<18} {:>9} {:>12} {share} {:>8}  {}",
            row.step.id(),
            row.step.name,
            row.step.technique,
            row.instruction_set,
            duration_text(row.median),
            rate_text(per_second),
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
    for row in rows {
        if let Some((flops, what)) = &row.gpu_peak {
            println!(
                "% peak, for {}: of the GPU's ({what}) {:.1} TFLOP/s fused-multiply-add peak, probed with kernels/peak.cu.",
                row.step.id(),
                flops / 1e12
            );
        }
    }
    let best = Isa::best();
    let slower: Vec<&String> = rows
        .iter()
        .map(|row| &row.instruction_set)
        .filter(|set| set.starts_with("portable"))
        .collect();
    if best != Isa::Portable && !slower.is_empty() {
        println!(
            "This CPU has {best}; rows marked portable run this build's {} vectors, so `-C target-cpu=native` would change them (steps 04 to 06 pick {best} themselves).",
            mandel_isa::build_vectors()
        );
    }
    if baseline.is_none() {
        println!("(Speedup is against step 01, which this run left out.)");
    }
}
