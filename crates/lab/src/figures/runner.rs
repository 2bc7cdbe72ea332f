//! Making one figure: each of its runs as a subprocess, from the binaries
//! beside this one, and what each printed, kept as the figure says.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use mandel_core::outcome::RunOutcome;
use mandel_core::problem::group_digits;
use mandel_core::selfcheck::Verdict;
use mandel_core::Error;
use workshop::workspace;

use super::table::{Charts, Figure, Run, FIGURES};

/// Where a figure's runs find their binaries and put their charts.
pub struct Runner {
    /// This lab's binary; the steps' and the workshop's lie beside it.
    pub me: PathBuf,
    pub out: PathBuf,
}

/// A figure's text, and why this machine could not run some of it.
pub struct Made {
    pub text: String,
    /// One line per refused run, as the run said it.
    pub not_here: Vec<String>,
}

/// What one run came to.
enum Ran {
    /// What it printed, as the figure keeps it.
    Printed(String),
    /// Why this machine cannot run it: a refusal (exit status 2), or its
    /// binary is not built.
    NotHere(String),
}

impl Runner {
    /// The figure made from `runs` (its own or its quick ones): the
    /// machine on top, then each run's command and what it printed.
    pub fn make(&self, figure: &Figure, runs: &[Run], machine: &str) -> Result<Made, Error> {
        let mut text = if figure.gpu {
            format!("{machine} {}\n", gpu_line())
        } else {
            format!("{machine}\n")
        };
        let mut not_here = Vec::new();
        // Whether a GPU run of this figure worked: a GPU figure's CPU runs
        // are there to compare with one, and would only cost time without.
        let mut gpu_ran = false;
        for (index, run) in runs.iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            text.push_str(&format!("$ {}\n", run.shown()));
            if figure.gpu && !run.on_gpu() && !gpu_ran {
                text.push_str("(not run: no GPU run above to compare with)\n");
                continue;
            }
            match self.run_one(run, figure)? {
                Ran::Printed(body) => {
                    gpu_ran |= run.on_gpu();
                    text.push_str(&body);
                }
                // A mistake of this machine's, such as an instruction set
                // it lacks: the figure says so, and the rest is made.
                Ran::NotHere(line) => {
                    text.push_str(&format!("(not on this machine: {line})\n"));
                    not_here.push(line);
                }
            }
        }
        Ok(Made { text, not_here })
    }

    /// Runs one command of a figure: its output (only its outcome when
    /// the figure says so; the charts' "Wrote" lines, which name this
    /// machine's paths, go to stderr), or why this machine cannot run it.
    fn run_one(&self, run: &Run, figure: &Figure) -> Result<Ran, Error> {
        let exe = self.binary(run);
        if !exe.is_file() {
            return Ok(Ran::NotHere(format!(
                "{} is not built ({})",
                exe.display(),
                build_command(run)
            )));
        }
        let outcome_only = figure.outcome_only && matches!(run, Run::Step { .. });
        let mut words: Vec<String> = run.words().iter().map(|w| w.to_string()).collect();
        if outcome_only {
            words.push("--json".into());
        }
        words.extend(self.chart_words(&figure.charts));
        // Through the target's runner when there is one (under qemu, the
        // host cannot start this binary itself).
        let output = mandel_testing::target::command(&exe)
            .args(&words)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::bug(format!("cannot run {}: {e}", exe.display())))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        match output.status.code() {
            Some(0) => {}
            Some(2) => return Ok(Ran::NotHere(refusal_line(&stderr))),
            _ => {
                return Err(Error::bug(format!(
                    "`{}` failed ({}): {}",
                    run.shown(),
                    output.status,
                    stderr
                        .lines()
                        .last()
                        .unwrap_or("no message")
                        .trim_end_matches(mandel_core::error::BUG_NOTE)
                )))
            }
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        if outcome_only {
            let outcome = RunOutcome::from_output(&stdout)
                .map_err(|why| Error::bug(format!("`{}`: {why}", run.shown())))?;
            return Ok(Ran::Printed(outcome_lines(&outcome)));
        }
        Ok(Ran::Printed(
            stdout.lines().map(|l| format!("{l}\n")).collect(),
        ))
    }

    /// The binary a run starts: the step's or the workshop's beside this
    /// one, or this one.
    fn binary(&self, run: &Run) -> PathBuf {
        let beside = |name: &str| {
            self.me
                .with_file_name(format!("{name}{}", std::env::consts::EXE_SUFFIX))
        };
        match run {
            Run::Step { step, .. } => beside(&step.id()),
            Run::Workshop { .. } => beside("workshop"),
            Run::Lab { .. } => self.me.clone(),
        }
    }

    /// The flags that send a run's charts into the figures' folder.
    fn chart_words(&self, charts: &Charts) -> Vec<String> {
        match charts {
            Charts::None => Vec::new(),
            Charts::Folder => vec!["--out".into(), self.out.display().to_string()],
            Charts::Files(stem) => ["png", "svg"]
                .iter()
                .flat_map(|kind| {
                    [
                        format!("--{kind}"),
                        self.out
                            .join(format!("{stem}.{kind}"))
                            .display()
                            .to_string(),
                    ]
                })
                .collect(),
        }
    }
}

/// The sentence of a run that refused with exit status 2: the status is
/// what says "not on this machine"; this line is only shown to the
/// instructor. A step refuses before it has an outcome, so even with
/// `--json` its reason is the one line its error report writes to stderr
/// (`error: no CUDA driver ...`), read here and nowhere else.
fn refusal_line(stderr: &str) -> String {
    let last = stderr.lines().last().unwrap_or("no message");
    last.trim_start_matches("error: ").to_string()
}

/// The command that builds a run's binary, for a figure to name when the
/// binary is missing.
fn build_command(run: &Run) -> String {
    match run {
        Run::Step { step, .. } => format!("cargo build -p {} --features solution", step.id()),
        Run::Workshop { .. } => "cargo build -p workshop".to_string(),
        Run::Lab { .. } => "cargo build -p lab".to_string(),
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

/// Builds the binaries the figures run, in the profile this program was
/// built with, beside it: the steps' (reference solutions) and the
/// workshop's.
pub fn build_binaries(me: &Path) -> Result<(), Error> {
    let mut steps: Vec<String> = FIGURES
        .iter()
        .flat_map(|f| f.runs.iter())
        .filter_map(|run| match run {
            Run::Step { step, .. } => Some(step.id()),
            Run::Workshop { .. } | Run::Lab { .. } => None,
        })
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
    let mut build = workspace::cargo();
    build.args(["build", "-q", "--profile", &profile, "-p", "workshop"]);
    workspace::cargo_build(build, "the workshop binary")
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
