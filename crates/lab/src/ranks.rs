//! Step 06's experiment: the static split against the task farm as the
//! ranks grow, as threads of this process and, where Open MPI (or another
//! MPI) is installed, as processes under `mpirun`. A table and a chart.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::chart::{Chart, Series};
use mandel_core::error::positive;
use mandel_core::outcome::RunOutcome;
use mandel_core::output::OutputFile;
use mandel_core::problem::group_digits;
use mandel_core::timing::{duration_text, median, median_run};
use mandel_core::{Error, Problem};
use step06::{run_on_threads, Settings, Strategy};
use workshop::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// The tutorial's width: the grid is about w/2 x w/2 points.
    #[arg(default_value = "8000", value_parser = positive::<u64>)]
    w: u64,
    /// Iterations before a point counts as inside the set.
    #[arg(default_value = "2000", value_parser = positive::<u32>)]
    maxiter: u32,
    /// Timed runs per configuration, at most 100; the table shows their median.
    #[arg(long, default_value = "3", value_parser = mandel_core::limits::runs)]
    runs: usize,
    /// Rank counts to try (as threads, each at most 64 per CPU).
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 2, 3, 4], value_parser = positive::<usize>)]
    ranks: Vec<usize>,
    /// Ranks as threads only: no `mpirun`, no MPI build.
    #[arg(long)]
    threads_only: bool,
    /// Folder for the chart: ranks.png and ranks.svg.
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

/// The most a run under `mpirun` may take before it counts as hung.
const MPIRUN_TIMEOUT: Duration = Duration::from_secs(300);

const STRATEGIES: [Strategy; 2] = [Strategy::Farm, Strategy::Static];

fn strategy_name(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::Farm => "farm",
        Strategy::Static => "static",
    }
}

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let png = OutputFile::create(&args.out.join("ranks.png"))?;
    let svg = OutputFile::create(&args.out.join("ranks.svg"))?;
    let problem = Problem::new(args.w, args.maxiter)?;
    for &ranks in &args.ranks {
        let per_rank = (ranks as u64).saturating_mul(step06::comm::RANK_BYTES_PER_RANK);
        mandel_core::limits::check_threads("--ranks", ranks, per_rank)?;
    }
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "Ranks: step 06 on `{}` ({} points) on {cores} core{}, median of {} runs; against step 04 on one thread, the same kernel.",
        problem.label(),
        group_digits(problem.len() as u128),
        if cores == 1 { "" } else { "s" },
        args.runs,
    );
    // Every rank runs step 04's kernel on its rows, so every configuration
    // must give step 04's counts exactly: a cheap check on a problem whose
    // oracle would take longer than the whole experiment.
    let (one_thread, baseline) = step04_on_one_thread(&problem, args.runs);
    let expected_sum: u64 = baseline.iter().map(|&n| u64::from(n)).sum();
    println!(
        "step 04, one thread: {} (sum {expected_sum})",
        duration_text(one_thread)
    );

    // The MPI step, or why its columns are skipped: not asked for, or not
    // here (as before, a failed MPI build skips them too, said so).
    let mpi = if args.threads_only {
        Err("not asked for (--threads-only)".to_string())
    } else {
        mpi_step06().map_err(|e| e.line)
    };
    let mut columns: Columns = Vec::new();
    for strategy in STRATEGIES {
        let mut times = Vec::new();
        for &ranks in &args.ranks {
            let settings = Settings {
                ranks: Some(ranks),
                strategy,
                ..Settings::default()
            };
            let (took, answer) = median_run(
                args.runs,
                || run_on_threads(&settings, &problem, step06::solution::calculate_z).0,
                || (),
            );
            if answer != baseline {
                return Err(Error::bug(format!(
                    "step 06 on {ranks} threads, strategy {}, did not give step 04's counts",
                    strategy_name(strategy)
                )));
            }
            times.push(Some(took));
        }
        columns.push((format!("threads, {}", strategy_name(strategy)), times));
    }
    if let Ok(exe) = &mpi {
        for strategy in STRATEGIES {
            let mut times = Vec::new();
            for &ranks in &args.ranks {
                let mut runs = Vec::new();
                for _ in 0..args.runs {
                    let strategy = ["--strategy", strategy_name(strategy)];
                    runs.push(mpirun(exe, ranks, &strategy, &problem, expected_sum)?);
                }
                times.push(Some(median(&runs)));
            }
            columns.push((format!("MPI, {}", strategy_name(strategy)), times));
        }
    }

    print_table(&columns, &args.ranks, one_thread);
    println!("Each cell: the median time and its speedup over step 04 on one thread; every run gave step 04's counts.");
    if let Err(why) = &mpi {
        println!("MPI columns: skipped, {why}");
    }

    let chart = speedup_chart(&columns, &args.ranks, one_thread, cores, &problem);
    println!();
    for path in chart.write(Some(png), Some(svg))? {
        eprintln!("Wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Step 04's kernel on one thread: its median time over `runs`, and its
/// counts, which every rank count and strategy of step 06 must give.
pub(crate) fn step04_on_one_thread(problem: &Problem, runs: usize) -> (Duration, Vec<u32>) {
    median_run(
        runs,
        || {
            step04::dispatch::calculate_z_blocks(
                &problem.re,
                &problem.im,
                problem.maxiter,
                step04::dispatch::BLOCK,
            )
        },
        || (),
    )
}

/// Step 06's times against the ranks: one column per way of running it.
type Columns = Vec<(String, Vec<Option<Duration>>)>;

/// The table: each cell the median time and its speedup over step 04 on
/// one thread.
fn print_table(columns: &Columns, ranks: &[usize], one_thread: Duration) {
    print!("\n{:>5}", "ranks");
    for (name, _) in columns {
        print!(" {name:>16}");
    }
    println!();
    for (row, &ranks) in ranks.iter().enumerate() {
        print!("{ranks:>5}");
        for (_, times) in columns {
            let cell = times[row].map_or("-".to_string(), |took| {
                format!(
                    "{} {:.2}x",
                    duration_text(took),
                    one_thread.as_secs_f64() / took.as_secs_f64()
                )
            });
            print!(" {cell:>16}");
        }
        println!();
    }
}

/// Speedup against ranks, one series per column, and the ideal.
fn speedup_chart(
    columns: &Columns,
    ranks: &[usize],
    one_thread: Duration,
    cores: usize,
    problem: &Problem,
) -> Chart {
    let mut series: Vec<Series> = columns
        .iter()
        .map(|(name, times)| Series {
            name: name.clone(),
            points: ranks
                .iter()
                .zip(times)
                .filter_map(|(&ranks, took)| {
                    took.map(|t| (ranks as f64, one_thread.as_secs_f64() / t.as_secs_f64()))
                })
                .collect(),
            dashed: false,
        })
        .collect();
    series.push(Series {
        name: format!("ideal on {cores} cores"),
        points: ranks
            .iter()
            .map(|&r| (r as f64, r.min(cores) as f64))
            .collect(),
        dashed: false,
    });
    Chart {
        title: format!("Step 06 speedup against ranks, `{}`", problem.label()),
        x_label: "ranks".to_string(),
        y_label: "speedup over step 04 on 1 thread".to_string(),
        log_x: false,
        series,
        markers: Vec::new(),
    }
}

/// Step 06 built with MPI, when `mpirun` is here: built by cargo into its
/// own target folder (`target/mpi`), so the everyday build stays MPI-free.
pub(crate) fn mpi_step06() -> Result<PathBuf, Error> {
    let found = Command::new("mpirun")
        .arg("--version")
        .stdin(Stdio::null())
        .output();
    if !found.is_ok_and(|o| o.status.success()) {
        return Err(Error::missing(
            "no `mpirun` on this machine (install Open MPI, see the setup chapter)",
        ));
    }
    let target = workspace::root().join("target").join("mpi");
    eprintln!(
        "Building step 06 with MPI (cargo build --release -p step06 --features mpi,solution) ..."
    );
    let mut build = workspace::cargo();
    build
        .args(["build", "-q", "--release", "-p", "step06"])
        .args(["--features", "mpi,solution", "--target-dir"])
        .arg(&target);
    workspace::cargo_build(build, "step 06 with MPI")?;
    Ok(target
        .join("release")
        .join(format!("step06{}", std::env::consts::EXE_SUFFIX)))
}

/// One run under `mpirun` with step 06's `settings` (`--strategy farm`):
/// rank 0's own time of calculate_z, after checking its sum is step 04's.
pub(crate) fn mpirun(
    exe: &Path,
    ranks: usize,
    settings: &[&str],
    problem: &Problem,
    expected_sum: u64,
) -> Result<Duration, Error> {
    let shown = format!(
        "mpirun -n {ranks} step06 {} {} {} --no-check --json",
        problem.w,
        problem.maxiter,
        settings.join(" ")
    );
    let child = Command::new("mpirun")
        .args(["-n", &ranks.to_string()])
        .arg(exe)
        .args([&problem.w.to_string(), &problem.maxiter.to_string()])
        .args(settings)
        .args(["--no-check", "--json"])
        // Open MPI's switches as environment variables, which other MPIs
        // ignore: more ranks than cores, and root in a container.
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::missing(format!(
                "cannot run mpirun: {e} (install Open MPI, see the setup chapter)"
            ))
        })?;
    let output = wait_at_most(child, MPIRUN_TIMEOUT)
        .map_err(|why| Error::bug(format!("`{shown}` {why}")))?;
    let outcome = RunOutcome::from_output(&String::from_utf8_lossy(&output.stdout)).ok();
    let sum = outcome.as_ref().and_then(|o| o.sum);
    let took = outcome.as_ref().and_then(RunOutcome::time);
    match (output.status.success(), sum, took) {
        (true, Some(sum), Some(took)) if sum == expected_sum => Ok(took),
        (true, Some(sum), Some(_)) => Err(Error::bug(format!(
            "`{shown}` gave the sum {sum}, not step 04's {expected_sum}"
        ))),
        // mpirun ends so when this machine's MPI cannot start the ranks
        // (no slots, no way to reach a host): something missing, which
        // `lab figures` skips as not here.
        _ => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            Err(Error::missing(format!(
                "`{shown}` failed ({}): {}",
                output.status,
                stderr
                    .lines()
                    .find(|l| !l.trim().trim_matches('-').is_empty())
                    .unwrap_or("no message")
            )))
        }
    }
}

/// The child's output, or an error once `limit` has passed (the child is
/// killed: a hung MPI job must not hang the experiment).
fn wait_at_most(
    mut child: std::process::Child,
    limit: Duration,
) -> Result<std::process::Output, Error> {
    let started = Instant::now();
    // Read the pipes on their own threads so a chatty child cannot block.
    let out_reader = drain(child.stdout.take());
    let err_reader = drain(child.stderr.take());
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return Ok(std::process::Output {
                    status,
                    stdout: out_reader.join().unwrap_or_default(),
                    stderr: err_reader.join().unwrap_or_default(),
                })
            }
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::bug(format!(
                    "did not end within {} s",
                    limit.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(Error::bug(format!("cannot wait for it: {e}"))),
        }
    }
}

/// Everything `pipe` gives until it closes, read on a thread of its own.
fn drain<R: std::io::Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            // What was read before an error is still the child's output.
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}
