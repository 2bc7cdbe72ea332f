//! `lab figures`: reruns the measurements the book shows, on this
//! machine, and writes them where the chapters include them
//! (`docs/src/figures/`): each command's output as text, with the machine
//! and the command at its top, and the pictures beside them. The book's
//! tables are these files, never numbers typed by hand.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use mandel_core::outcome::RunOutcome;
use mandel_core::output::OutputFile;
use mandel_core::picture::{self, Palette};
use mandel_core::problem::group_digits;
use mandel_core::selfcheck::Verdict;
use mandel_core::{Problem, UserError};

use workshop::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write them (the book includes `docs/src/figures/`).
    #[arg(long, value_name = "FOLDER")]
    out: Option<PathBuf>,
    /// Small problems and one run each: a check that every figure can be
    /// made, in seconds, not figures to publish.
    #[arg(long)]
    quick: bool,
    /// Only these figures, by file name (`expr.txt,per-point.txt`): to
    /// remake what one change moved, leaving the rest as they were.
    #[arg(long, value_delimiter = ',', value_name = "FILES")]
    only: Vec<String>,
    /// Only the figures that need a GPU (step 07's runs): what a GPU
    /// machine makes, `.ci/gpu-check`.
    #[arg(long)]
    gpu: bool,
    /// Run the binaries beside this one as they are, building nothing: for
    /// a machine without Rust, where `.ci/gpu-check --prepare` put them.
    #[arg(long)]
    prebuilt: bool,
}

/// The figures made apart from the command table.
const BUILDS: &str = "builds.txt";
const PICTURE: &str = "mandelbrot.png";
const PROFILE: &str = "step01-profile.txt";

/// One figure: commands whose output becomes `file`. A command is a
/// `workshop` command, or a step's binary when its first word is the
/// step's crate (`step04 1000 1000 --expr ...`).
struct Figure {
    file: &'static str,
    args: &'static [&'static [&'static str]],
    quick: &'static [&'static [&'static str]],
    /// Whether the command takes `--out`/`--png`/`--svg` for its charts.
    charts: Charts,
    /// Only each step run's outcome (time and check), from its `--json`,
    /// instead of all it prints.
    outcome_only: bool,
    /// Needs a GPU: made by `--gpu` (`.ci/gpu-check` on a GPU machine).
    gpu: bool,
}

impl Figure {
    /// Commands' whole output, with no charts, made on any machine.
    const fn of(
        file: &'static str,
        args: &'static [&'static [&'static str]],
        quick: &'static [&'static [&'static str]],
    ) -> Figure {
        Figure {
            file,
            args,
            quick,
            charts: Charts::None,
            outcome_only: false,
            gpu: false,
        }
    }

    const fn with_charts(self, charts: Charts) -> Figure {
        Figure { charts, ..self }
    }

    const fn outcomes_only(self) -> Figure {
        Figure {
            outcome_only: true,
            ..self
        }
    }

    const fn on_gpu(self) -> Figure {
        Figure { gpu: true, ..self }
    }
}

enum Charts {
    None,
    /// `scaling --out FOLDER`.
    Folder,
    /// `sweep --png F --svg F`, with this stem.
    Files(&'static str),
}

const FIGURES: &[Figure] = &[
    Figure::of(
        "ladder.txt",
        &[&["ladder", "1000", "1000"]],
        &[&["ladder", "100", "30", "--runs", "1"]],
    ),
    Figure::of(
        "bench.txt",
        &[&["bench"]],
        &[&["bench", "200", "50", "--runs", "1"]],
    ),
    Figure::of("peak.txt", &[&["peak"]], &[&["peak"]]),
    Figure::of(
        "sweep.txt",
        &[&["sweep"]],
        &[&["sweep", "300", "50", "--blocks", "5000,100", "--runs", "1"]],
    )
    .with_charts(Charts::Files("cache-sweep")),
    Figure::of(
        "scaling.txt",
        &[&["scaling"]],
        &[&["scaling", "200", "50", "--runs", "1", "--chunks", "1,2"]],
    )
    .with_charts(Charts::Folder),
    Figure::of(
        "bench-8000.txt",
        &[&["bench", "8000", "2000", "--steps", "4,5", "--runs", "3"]],
        &[&["bench", "200", "100", "--steps", "4,5", "--runs", "1"]],
    ),
    Figure::of(
        "sieve.txt",
        &[&["sieve"], &["sieve", "8000", "2000", "--runs", "3"]],
        &[&["sieve", "100", "30", "--runs", "1"]],
    ),
    Figure::of(
        "dispatch.txt",
        &[
            &["bench", "--steps", "4,5", "--isa", "portable"],
            &["bench", "--steps", "4,5", "--isa", "avx2"],
            &["bench", "--steps", "4,5"],
        ],
        &[
            &[
                "bench", "100", "30", "--steps", "4", "--runs", "1", "--isa", "portable",
            ],
            &[
                "bench", "100", "30", "--steps", "4", "--runs", "1", "--isa", "avx2",
            ],
        ],
    ),
    // What the room's laptops print: the ladder with each instruction set
    // this machine can force (an AVX2 laptop, the portable build).
    Figure::of(
        "laptops.txt",
        &[
            &["ladder", "1000", "1000", "--isa", "avx512"],
            &["ladder", "1000", "1000", "--isa", "avx2"],
            &["ladder", "1000", "1000", "--isa", "portable"],
        ],
        &[&["ladder", "100", "30", "--runs", "1", "--isa", "portable"]],
    ),
    Figure::of("fastest.txt", &[&["fastest"]], &[&["fastest", "100", "30"]]),
    Figure::of(
        "python.txt",
        &[&["bench", "--python"]],
        &[&[
            "bench", "--python", "60", "20", "--runs", "1", "--steps", "1",
        ]],
    ),
    Figure::of(
        "ranks.txt",
        &[&["ranks"]],
        &[&[
            "ranks",
            "200",
            "50",
            "--runs",
            "1",
            "--ranks",
            "1,2",
            "--threads-only",
        ]],
    )
    .with_charts(Charts::Folder),
    Figure::of(
        "network.txt",
        &[&["network"]],
        &[&["network", "2000", "300", "--runs", "1", "--links", "100"]],
    )
    .with_charts(Charts::Folder),
    Figure::of(
        "step01-run.txt",
        &[&["step01", "1000", "1000"]],
        &[&["step01", "100", "30"]],
    ),
    Figure::of(
        "expr.txt",
        &[
            &["step04", "1000", "1000"],
            &[
                "step04", "1000", "1000", "--expr", "z*z + c", "--block", "64",
            ],
            &["step04", "1000", "1000", "--expr", "z*z + c"],
            &[
                "step04", "1000", "1000", "--expr", "z*z + c", "--block", "4096",
            ],
            &[
                "step04", "1000", "1000", "--expr", "z*z + c", "--block", "250000",
            ],
            &["step04", "1000", "1000", "--expr", "z*z*z + c"],
            &["step04", "4000", "1000", "--block", "64", "--no-check"],
            &["step04", "4000", "1000", "--block", "4002000", "--no-check"],
        ],
        &[
            &["step04", "100", "30"],
            &["step04", "100", "30", "--expr", "z*z + c", "--block", "64"],
        ],
    )
    .outcomes_only(),
    Figure::of(
        "per-point.txt",
        &[
            &["step02", "1000", "1000"],
            &["step03", "1000", "1000"],
            &["step03", "1000", "1000", "--per-point"],
        ],
        &[&["step03", "100", "30", "--per-point"]],
    )
    .outcomes_only(),
    Figure::of(
        "gpu.txt",
        &[
            &["step07", "1000", "1000"],
            &["step07", "1000", "1000", "--variant", "gridstride"],
            &["step07", "1000", "1000", "--variant", "arrays"],
            &["step07", "1000", "1000", "--precision", "f32"],
            &["step07", "20000", "2000"],
            &["step07", "20000", "2000", "--precision", "f32"],
        ],
        &[&["step07", "100", "30"]],
    )
    .on_gpu(),
    Figure::of(
        "gpu-builds.txt",
        &[
            &["step07", "1000", "1000", "--fmad", "false"],
            &["step07", "1000", "1000"],
            &[
                "step07",
                "1000",
                "1000",
                "--precision",
                "f32",
                "--fmad",
                "false",
            ],
            &["step07", "1000", "1000", "--precision", "f32"],
            &[
                "step07",
                "1000",
                "1000",
                "--variant",
                "gridstride",
                "--fmad",
                "false",
            ],
            &["step07", "1000", "1000", "--variant", "gridstride"],
            &[
                "step07",
                "1000",
                "1000",
                "--variant",
                "gridstride",
                "--precision",
                "f32",
            ],
            &[
                "step07",
                "1000",
                "1000",
                "--variant",
                "arrays",
                "--fmad",
                "false",
            ],
            &["step07", "1000", "1000", "--variant", "arrays"],
            &[
                "step07",
                "1000",
                "1000",
                "--variant",
                "arrays",
                "--precision",
                "f32",
            ],
            &["step07", "333", "50", "--precision", "f32"],
            &["step07", "68", "200", "--precision", "f32"],
            &["step07", "4000", "1000"],
            &["step07", "4000", "1000", "--precision", "f32"],
            &["step07", "1000", "10000", "--precision", "f32"],
        ],
        &[&["step07", "100", "30", "--fmad", "false"]],
    )
    .outcomes_only()
    .on_gpu(),
    Figure::of(
        "gpu-shape.txt",
        &[
            &[
                "step07",
                "4000",
                "1000",
                "--variant",
                "gridstride",
                "--no-check",
                "--block",
                "32",
            ],
            &[
                "step07",
                "4000",
                "1000",
                "--variant",
                "gridstride",
                "--no-check",
                "--block",
                "64",
            ],
            &[
                "step07",
                "4000",
                "1000",
                "--variant",
                "gridstride",
                "--no-check",
                "--block",
                "128",
            ],
            &[
                "step07",
                "4000",
                "1000",
                "--variant",
                "gridstride",
                "--no-check",
                "--block",
                "256",
            ],
            &[
                "step07",
                "4000",
                "1000",
                "--variant",
                "gridstride",
                "--no-check",
            ],
            &[
                "step07",
                "4000",
                "1000",
                "--variant",
                "gridstride",
                "--no-check",
                "--block",
                "1024",
            ],
            &[
                "step07",
                "4000",
                "1000",
                "--variant",
                "gridstride",
                "--no-check",
                "--grid",
                "1",
            ],
            &[
                "step07",
                "4000",
                "1000",
                "--variant",
                "gridstride",
                "--no-check",
                "--grid",
                "40",
            ],
            &[
                "step07",
                "4000",
                "1000",
                "--variant",
                "gridstride",
                "--no-check",
                "--grid",
                "4000",
            ],
            &["step07", "4000", "1000", "--no-check"],
        ],
        &[&[
            "step07",
            "100",
            "30",
            "--variant",
            "gridstride",
            "--block",
            "32",
        ]],
    )
    .outcomes_only()
    .on_gpu(),
    // The GPU first: the CPU's runs are only for comparing with it.
    Figure::of(
        "gpu-vs-cpu.txt",
        &[
            &["step07", "20000", "2000", "--no-check"],
            &[
                "step07",
                "20000",
                "2000",
                "--no-check",
                "--precision",
                "f32",
            ],
            &[
                "step07",
                "20000",
                "2000",
                "--no-check",
                "--variant",
                "gridstride",
            ],
            &["step05", "20000", "2000", "--no-check"],
            &["step07", "4000", "200", "--no-check"],
            &["step07", "4000", "200", "--no-check", "--variant", "arrays"],
            &["step05", "4000", "200", "--no-check"],
        ],
        &[&["step07", "100", "30"], &["step05", "100", "30"]],
    )
    .outcomes_only()
    .on_gpu(),
    Figure::of(
        "ptxas.txt",
        &[&["step07", "--ptxas"]],
        &[&["step07", "--ptxas"]],
    ),
];

pub fn run(args: &Args) -> Result<ExitCode, UserError> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| workspace::root().join("docs").join("src").join("figures"));
    std::fs::create_dir_all(&out)
        .map_err(|e| UserError::new(format!("cannot create {}: {e}", out.display())))?;
    let me = std::env::current_exe()
        .map_err(|e| UserError::new(format!("cannot find this program: {e}")))?;
    let gpu = |file: &str| FIGURES.iter().any(|f| f.file == file && f.gpu);
    let wanted = |file: &str| {
        (args.only.is_empty() || args.only.iter().any(|f| f == file)) && (!args.gpu || gpu(file))
    };
    let known: Vec<&str> = FIGURES
        .iter()
        .map(|f| f.file)
        .chain([BUILDS, PICTURE, PROFILE])
        .collect();
    if let Some(unknown) = args.only.iter().find(|f| !known.contains(&f.as_str())) {
        return Err(UserError::new(format!(
            "--only {unknown}: no such figure; the figures are {}",
            known.join(", ")
        )));
    }
    let machine = crate::machine::machine_line();
    // The quick check uses what the tests built, a prepared GPU run what
    // was carried; a real run builds its own.
    if !args.quick && !args.prebuilt {
        eprintln!("Building the steps' binaries the figures run ...");
        build_step_binaries(&me)?;
    }
    let progress = workshop::progress_bar(FIGURES.len() as u64 + 2);
    let mut not_here = Vec::new();
    for figure in FIGURES.iter().filter(|f| wanted(f.file)) {
        progress.set_message(figure.file);
        let commands = if args.quick {
            figure.quick
        } else {
            figure.args
        };
        let mut text = if figure.gpu {
            format!("{machine} {}\n", gpu_line())
        } else {
            format!("{machine}\n")
        };
        // Whether a GPU run of this figure worked: a GPU figure's CPU runs
        // are there to compare with one, and would only cost time without.
        let mut gpu_ran = false;
        for (index, command) in commands.iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            let on_gpu = command[0] == "step07";
            if figure.gpu && !on_gpu && !gpu_ran {
                text.push_str(&format!(
                    "$ {}\n(not run: no GPU run above to compare with)\n",
                    shown_command(command)
                ));
                continue;
            }
            let (shown, result) = run_one(&me, command, figure, &out)?;
            gpu_ran |= on_gpu && result.is_ok();
            text.push_str(&format!("$ {shown}\n"));
            match result {
                Ok(body) => text.push_str(&body),
                // A mistake of this machine's, such as an instruction set
                // it lacks: the figure says so, and the rest is made.
                Err(line) => {
                    text.push_str(&format!("(not on this machine: {line})\n"));
                    let said = format!("{}: not on this machine: {line}", figure.file);
                    // One line per reason, however many commands share it.
                    if !not_here.contains(&said) {
                        not_here.push(said);
                    }
                }
            }
        }
        workspace::write_whole(&out.join(figure.file), &text)?;
        progress.inc(1);
    }
    if wanted(BUILDS) && args.quick {
        not_here.push(format!(
            "{BUILDS}: not with --quick (six builds take minutes)"
        ));
    } else if wanted(BUILDS) && args.prebuilt {
        not_here.push(format!("{BUILDS}: not with --prebuilt (it builds)"));
    } else if wanted(BUILDS) {
        progress.set_message("builds.txt (six builds)");
        workspace::write_whole(&out.join(BUILDS), &build_settings(&machine)?)?;
    }
    let problem = if args.quick {
        Problem::new(100, 30)?
    } else {
        Problem::new(1000, 1000)?
    };
    if wanted(PICTURE) {
        progress.set_message(PICTURE);
        let image = picture::render(&problem, problem.oracle(), Palette::Colour);
        picture::save_png(&image, OutputFile::create(&out.join(PICTURE))?)?;
    }
    progress.inc(1);
    // The quick picture's problem is too short for the profiler to sample.
    let profiled = if args.quick {
        Problem::new(400, 400)?
    } else {
        problem
    };
    let flamegraph = if wanted(PROFILE) {
        progress.set_message("step01 flamegraph");
        step01_profile(&out, &profiled, &machine)
    } else {
        Ok(())
    };
    progress.finish_and_clear();
    println!("Wrote the book's figures into {}. {machine}", out.display());
    for line in not_here {
        println!("Not made: {line}");
    }
    if let Err(why) = flamegraph {
        println!("No flamegraph: {why}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs one command of a figure: what it was shown as, and its output
/// (only its outcome when the figure says so; the charts' "Wrote" lines,
/// which name this machine's paths, go to stderr), or its one-line refusal
/// when it refused with status 2.
fn run_one(
    me: &Path,
    command: &[&str],
    figure: &Figure,
    out: &Path,
) -> Result<(String, Result<String, String>), UserError> {
    let shown = shown_command(command);
    let (exe, mut words) = match step_binary(command[0]) {
        Some(step) => (
            me.with_file_name(format!("{step}{}", std::env::consts::EXE_SUFFIX)),
            command[1..]
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>(),
        ),
        // The attendee's runner's commands run the workshop binary beside
        // this one; the rest are this lab's.
        None if !workshop::LAB_COMMANDS.contains(&command[0]) => (
            me.with_file_name(format!("workshop{}", std::env::consts::EXE_SUFFIX)),
            command.iter().map(|w| w.to_string()).collect(),
        ),
        None => (
            me.to_path_buf(),
            command.iter().map(|w| w.to_string()).collect(),
        ),
    };
    if !exe.is_file() {
        return Ok((
            shown,
            Err(format!(
                "{} is not built (cargo build -p {} --features solution)",
                exe.display(),
                command[0]
            )),
        ));
    }
    let outcome_only = figure.outcome_only && step_binary(command[0]).is_some();
    if outcome_only {
        words.push("--json".into());
    }
    match figure.charts {
        Charts::None => {}
        Charts::Folder => {
            words.push("--out".into());
            words.push(out.display().to_string());
        }
        Charts::Files(stem) => {
            for kind in ["png", "svg"] {
                words.push(format!("--{kind}"));
                words.push(out.join(format!("{stem}.{kind}")).display().to_string());
            }
        }
    }
    // Through the target's runner when there is one (under qemu, the host
    // cannot start this binary itself).
    let output = mandel_core::target::command(&exe)
        .args(&words)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| UserError::new(format!("cannot run {}: {e}", exe.display())))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or("no message").to_string();
    match output.status.code() {
        Some(0) => {}
        Some(2) => return Ok((shown, Err(last.trim_start_matches("error: ").to_string()))),
        _ => {
            return Err(UserError::new(format!(
                "`{shown}` failed ({}): {last}",
                output.status
            )))
        }
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    if outcome_only {
        let outcome = RunOutcome::from_output(&stdout)
            .map_err(|why| UserError::new(format!("`{shown}`: {why}")))?;
        return Ok((shown, Ok(outcome_lines(&outcome))));
    }
    let body = stdout.lines().map(|l| format!("{l}\n")).collect();
    Ok((shown, Ok(body)))
}

/// A figure's command as a reader would type it.
fn shown_command(command: &[&str]) -> String {
    match step_binary(command[0]) {
        Some(step) => format!(
            "cargo run --release -p {step} --features solution -- {}",
            shell_words(&command[1..])
        ),
        None if !workshop::LAB_COMMANDS.contains(&command[0]) => {
            format!("cargo run --release -- {}", shell_words(command))
        }
        None => format!("cargo run --release -p lab -- {}", shell_words(command)),
    }
}

/// A run's time and check, as a figure shows them.
fn outcome_lines(outcome: &RunOutcome) -> String {
    let mut text = String::new();
    if let (Some(took), Some(rate)) = (outcome.time(), outcome.z_updates_per_second) {
        text += &format!(
            "time: {} ({} z-updates/s)\n",
            mandel_core::timing::duration_text(took),
            mandel_core::timing::rate_text(rate)
        );
    }
    let points = outcome.problem.map_or(0, |p| p.points) as u64;
    let check = match (&outcome.verdict, outcome.exact, outcome.differing) {
        (Verdict::Unchecked, ..) => "not compared (--no-check)".to_string(),
        (_, Some(true), _) => "matches exactly".to_string(),
        (Verdict::Passes, _, Some(n)) => format!(
            "matches within tolerance: {} of {} points differ",
            group_digits(n as u64),
            group_digits(points)
        ),
        (Verdict::Fails(failure), ..) => format!("does not match: {failure}"),
        _ => "not compared".to_string(),
    };
    text + &format!("oracle: {check}\n")
}

/// The step whose binary a figure's command runs (`step04 1000 1000`),
/// `None` for a `workshop` or `lab` command.
fn step_binary(word: &str) -> Option<String> {
    workshop::registry::LADDER
        .iter()
        .map(|step| step.id())
        .find(|id| id == word)
}

/// The words as a shell would need them typed: `--expr "z*z + c"`.
fn shell_words(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| {
            if w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.,/=".contains(&b))
            {
                w.to_string()
            } else {
                format!("\"{w}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds the steps' binaries the figures run, in the profile this
/// program was built with, beside it.
fn build_step_binaries(me: &Path) -> Result<(), UserError> {
    let mut steps: Vec<String> = FIGURES
        .iter()
        .flat_map(|f| f.args.iter())
        .filter_map(|command| step_binary(command[0]))
        .collect();
    steps.sort_unstable();
    steps.dedup();
    let profile = match me
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
    {
        Some("debug") => "dev".to_string(),
        Some(other) => other.to_string(),
        None => "release".to_string(),
    };
    let mut build = workspace::cargo();
    build.args([
        "build",
        "-q",
        "--profile",
        &profile,
        "--features",
        "solution",
    ]);
    for step in steps {
        build.args(["-p", &step]);
    }
    workspace::cargo_build(build, "the steps' binaries")?;
    // The runner's commands (the ladder) run the workshop binary.
    let mut build = workspace::cargo();
    build.args(["build", "-q", "--profile", &profile, "-p", "workshop"]);
    workspace::cargo_build(build, "the workshop binary")
}

/// Step 01's reference, sampled, as the step 01 chapter shows it: the
/// flamegraph, and the share of samples under `hypot` (the square root
/// behind `norm()`) as text for the chapters to quote.
fn step01_profile(out: &Path, problem: &Problem, machine: &str) -> Result<(), UserError> {
    mandel_core::profile::check_supported()?;
    let file = OutputFile::create(&out.join("step01-flamegraph.svg"))?;
    let profiler = mandel_core::profile::Profiler::start()?;
    // A flamegraph's root is the sampled thread's name: run the step in a
    // thread named for it, so the root reads `step01` as the chapter's own
    // run (the step01 binary's main thread) does, not `lab`.
    let sampled = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name(step01::STEP.id())
            .spawn_scoped(scope, || drop((step01::STEP.solution)(problem)))
            .map(|thread| thread.join())
    });
    let profile = profiler.stop()?;
    match sampled {
        Ok(Ok(())) => {}
        Ok(Err(_)) => {
            return Err(UserError::bug(
                "step 01's reference panicked while profiled",
            ))
        }
        Err(e) => {
            return Err(UserError::new(format!(
                "cannot start a thread to profile: {e}"
            )))
        }
    }
    profile.write_flamegraph(
        file,
        &format!("step01 pure {}", problem.label()),
        Some(machine),
    )?;
    let (samples, under) = profile.samples_under("hypot");
    let text = format!(
        "{machine}\n$ cargo run --release -p step01 --features solution,flamegraph -- {} --profile step01.svg   (as `figures` samples it, in one process)\n{samples} samples; {under} of them ({:.0}%) with `hypot` on the stack: the square root behind `norm()`, that is |z|.\n",
        problem.label(),
        100.0 * under as f64 / samples.max(1) as f64
    );
    workspace::write_whole(&out.join(PROFILE), &text)
}

/// `GPU: NVIDIA H200, driver 580.65.06.`, as nvidia-smi says it (a
/// program, so the lab needs no CUDA of its own).
fn gpu_line() -> String {
    let said = Command::new("nvidia-smi")
        .args(["--query-gpu=name,driver_version", "--format=csv,noheader"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty());
    match said {
        Some(gpus) => {
            let gpus: Vec<String> = gpus
                .lines()
                .map(|l| l.replacen(", ", ", driver ", 1))
                .collect();
            format!("GPU: {}.", gpus.join("; "))
        }
        None => "GPU: none that nvidia-smi reports.".to_string(),
    }
}

/// One way of building the scalar steps, for the build-settings table.
struct BuildSetting {
    name: &'static str,
    profile: &'static str,
    /// `--config` overrides.
    config: &'static [&'static str],
    rustflags: Option<&'static str>,
}

const BUILD_SETTINGS: &[BuildSetting] = &[
    BuildSetting {
        name: "cargo's default dev (opt-level 0, dependencies too)",
        profile: "dev",
        config: &[
            "profile.dev.opt-level=0",
            "profile.dev.package.\"*\".opt-level=0",
        ],
        rustflags: None,
    },
    BuildSetting {
        name: "this workspace's dev (opt-level 1, dependencies 2)",
        profile: "dev",
        config: &[],
        rustflags: None,
    },
    BuildSetting {
        name: "release (opt-level 3)",
        profile: "release",
        config: &[],
        rustflags: None,
    },
    BuildSetting {
        name: "release, lto = \"fat\", codegen-units = 1",
        profile: "release",
        config: &[
            "profile.release.lto=\"fat\"",
            "profile.release.codegen-units=1",
        ],
        rustflags: None,
    },
    BuildSetting {
        name: "release, -C target-cpu=native",
        profile: "release",
        config: &[],
        rustflags: Some("-C target-cpu=native"),
    },
];

/// Builds steps 01 and 02 each way (in its own target folder, so no build
/// undoes another) and times their reference on `1000 1000`: the book's
/// build-settings table, profile-guided optimisation last. Minutes of
/// compiling, so not with `--quick`.
fn build_settings(machine: &str) -> Result<String, UserError> {
    let mut text = format!(
        "{machine}\n$ cargo run --release -p lab -- figures   (builds steps 01 and 02 each way below; each time is the median of 5 runs of `stepNN 1000 1000 --no-check`)\n{:<52} {:>10} {:>10} {:>14}\n",
        "build", "step01", "step02", "step02 z-up/s"
    );
    let updates = Problem::new(1000, 1000)?.z_updates();
    let row = |name: &str, target: &Path, folder: &str| -> Result<String, UserError> {
        let (step01, step02) = (
            median_of_runs(&target.join(folder), "step01")?,
            median_of_runs(&target.join(folder), "step02")?,
        );
        Ok(format!(
            "{name:<52} {:>10} {:>10} {:>14}\n",
            mandel_core::timing::duration_text(step01),
            mandel_core::timing::duration_text(step02),
            mandel_core::timing::rate_text(mandel_core::timing::rate(updates, step02)),
        ))
    };
    let builds = workspace::root().join("target").join("figures-builds");
    for (index, setting) in BUILD_SETTINGS.iter().enumerate() {
        let target = builds.join(index.to_string());
        let flags = setting
            .rustflags
            .map(|f| f.split(' ').map(str::to_string).collect());
        build_scalar_steps(&target, setting.profile, setting.config, flags)?;
        let folder = if setting.profile == "dev" {
            "debug"
        } else {
            setting.profile
        };
        text.push_str(&row(setting.name, &target, folder)?);
    }
    let pgo = "release, profile-guided (trained on 1000 1000)";
    match llvm_profdata() {
        None => text.push_str(&format!(
            "{pgo:<52} not on this machine: no llvm-profdata (rustup component add llvm-tools)\n"
        )),
        Some(profdata) => {
            let target = builds.join("pgo");
            profile_guided(&target, &profdata)?;
            text.push_str(&row(pgo, &target, "release")?);
        }
    }
    Ok(text)
}

/// Steps 01 and 02's references built into `target`: `flags` replace
/// RUSTFLAGS (passed encoded, so a path with spaces stays one flag).
fn build_scalar_steps(
    target: &Path,
    profile: &str,
    config: &[&str],
    flags: Option<Vec<String>>,
) -> Result<(), UserError> {
    let mut build = workspace::cargo();
    build
        .args(["build", "-q", "--profile", profile])
        .args(["-p", "step01", "-p", "step02", "--features", "solution"])
        .arg("--target-dir")
        .arg(target)
        .env_remove("RUSTFLAGS");
    for config in config {
        build.args(["--config", config]);
    }
    match flags {
        Some(flags) => build.env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f")),
        None => build.env_remove("CARGO_ENCODED_RUSTFLAGS"),
    };
    workspace::cargo_build(build, &format!("steps 01 and 02 into {}", target.display()))
}

/// Profile-guided optimisation in its three moves: build instrumented,
/// run the tutorial's problem to record which branches and calls are hot,
/// build again with the merged profile.
fn profile_guided(target: &Path, profdata: &Path) -> Result<(), UserError> {
    let raw = target.join("pgo-raw");
    // Old profiles from an earlier build would be merged in too.
    let _ = std::fs::remove_dir_all(&raw);
    let generate = format!("-Cprofile-generate={}", raw.display());
    build_scalar_steps(target, "release", &[], Some(vec![generate]))?;
    for step in ["step01", "step02"] {
        let exe = target
            .join("release")
            .join(format!("{step}{}", std::env::consts::EXE_SUFFIX));
        let trained = mandel_core::target::command(&exe)
            .args(["1000", "1000", "--no-check"])
            .output()
            .map_err(|e| UserError::new(format!("cannot run {}: {e}", exe.display())))?;
        if !trained.status.success() {
            return Err(UserError::new(format!(
                "the instrumented {step} failed ({})",
                trained.status
            )));
        }
    }
    let merged = target.join("merged.profdata");
    let merge = Command::new(profdata)
        .arg("merge")
        .arg("-o")
        .arg(&merged)
        .arg(&raw)
        .output()
        .map_err(|e| UserError::new(format!("cannot run {}: {e}", profdata.display())))?;
    if !merge.status.success() {
        return Err(UserError::new(format!(
            "llvm-profdata merge failed: {}",
            String::from_utf8_lossy(&merge.stderr).trim()
        )));
    }
    let use_profile = format!("-Cprofile-use={}", merged.display());
    build_scalar_steps(target, "release", &[], Some(vec![use_profile]))
}

/// rustup's `llvm-tools` copy (the one matching rustc's LLVM), else one on
/// the PATH.
fn llvm_profdata() -> Option<PathBuf> {
    let exe = format!("llvm-profdata{}", std::env::consts::EXE_SUFFIX);
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    let bundled = sysroot
        .join("lib")
        .join("rustlib")
        .join(mandel_core::target::TRIPLE)
        .join("bin")
        .join(&exe);
    if bundled.is_file() {
        return Some(bundled);
    }
    Command::new(&exe)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from(exe))
}

/// The median of 5 runs of `step 1000 1000 --no-check` from `folder`, by
/// the time the binary prints for calculate_z.
fn median_of_runs(folder: &Path, step: &str) -> Result<std::time::Duration, UserError> {
    let exe = folder.join(format!("{step}{}", std::env::consts::EXE_SUFFIX));
    let mut times = Vec::new();
    for _ in 0..5 {
        let out = mandel_core::target::command(&exe)
            .args(["1000", "1000", "--no-check", "--json"])
            .output()
            .map_err(|e| UserError::new(format!("cannot run {}: {e}", exe.display())))?;
        let took = RunOutcome::from_output(&String::from_utf8_lossy(&out.stdout))
            .ok()
            .and_then(|outcome| outcome.time())
            .ok_or_else(|| UserError::new(format!("{} gave no time", exe.display())))?;
        times.push(took);
    }
    Ok(mandel_core::timing::median(&times))
}
