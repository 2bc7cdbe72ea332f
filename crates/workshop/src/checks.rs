//! Checking the attendee's code the way rustlings does: in a `cargo`
//! subprocess, so an exercise that does not compile is a finding to report,
//! never a reason for the tools themselves to fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use mandel_core::outcome::RunOutcome;
use mandel_core::selfcheck::{Failure, FailureKind, Verdict};
use mandel_core::{Availability, Error, Step};

/// What checking one step's exercise came to.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// This machine cannot run the step: what is missing, in one line.
    Unavailable(String),
    /// The exercise file is not there (deleted, renamed).
    Missing,
    /// The first compiler error.
    DoesNotCompile(CompileError),
    /// The self-check ran and said this.
    Checked(Box<RunOutcome>),
    /// The binary ended without a verdict (it crashed): its last words.
    Crashed(String),
}

impl Outcome {
    pub fn passes(&self) -> bool {
        matches!(self, Outcome::Checked(o) if o.verdict == Verdict::Passes)
    }

    /// The attendee's and the reference's median time, when measured.
    pub fn timed(&self) -> Option<(Duration, Duration)> {
        match self {
            Outcome::Checked(outcome) => outcome.timed(),
            _ => None,
        }
    }

    /// A few words for a table cell.
    pub fn label(&self) -> String {
        match self {
            // Said as the self-check would say it, had it run.
            Outcome::Unavailable(_) => FailureKind::CannotRun.label().into(),
            Outcome::DoesNotCompile(_) => FailureKind::DoesNotCompile.label().into(),
            Outcome::Missing => "missing".into(),
            Outcome::Crashed(_) => "crashed".into(),
            Outcome::Checked(outcome) => match &outcome.verdict {
                Verdict::Fails(failure) => failure_label(failure),
                verdict => verdict.label().into(),
            },
        }
    }

    /// One line for a table's row: a compiler error's location and message,
    /// else [`Outcome::detail`].
    pub fn summary(&self, step: &Step) -> String {
        match self {
            Outcome::DoesNotCompile(error) => error.line.clone(),
            _ => self.detail(step),
        }
    }

    /// What to do about it: one line, or rustc's whole diagnostic.
    pub fn detail(&self, step: &Step) -> String {
        match self {
            // The words `cargo test -p stepNN` fails with there.
            Outcome::Unavailable(why) => step.nothing_can_run(mandel_core::Variant::Exercise, why),
            Outcome::Missing => format!(
                "{} is missing: `cargo run -- reset {}` puts the shipped stub back.",
                step.path(mandel_core::Variant::Exercise),
                step.number
            ),
            Outcome::DoesNotCompile(error) => error.rendered.trim_end().to_string(),
            Outcome::Crashed(words) => format!("{} crashed: {words}", step.id()),
            Outcome::Checked(outcome) => match &outcome.verdict {
                Verdict::Fails(failure) => failure.sentence.clone(),
                _ => format!(
                    "{} matches the oracle on every self-check problem{}.",
                    step.path(mandel_core::Variant::Exercise),
                    outcome
                        .checked_on
                        .as_deref()
                        .map(|on| format!(", checked on {on}"))
                        .unwrap_or_default()
                ),
            },
        }
    }
}

/// A failure in a few words, for a table cell: its label, with how many
/// points are wrong where it knows.
fn failure_label(failure: &Failure) -> String {
    match failure.differing {
        Some(differing) if failure.kind == FailureKind::Wrong => format!(
            "{} ({} point{})",
            failure.kind.label(),
            mandel_core::problem::group_digits(differing as u64),
            if differing == 1 { "" } else { "s" }
        ),
        _ => failure.kind.label().to_string(),
    }
}

/// A compiler error: rustc's whole first diagnostic, as `cargo test`
/// shows it (message, the line, `help:`), and a one-line summary of it.
#[derive(Debug, Clone)]
pub struct CompileError {
    /// `exercises/step03/calculate_z.rs:12: mismatched types`.
    pub line: String,
    /// `error[E0308]: mismatched types\n --> exercises/...`.
    pub rendered: String,
}

impl CompileError {
    fn plain(words: &str) -> Self {
        CompileError {
            line: words.to_string(),
            rendered: words.to_string(),
        }
    }
}

/// A step id with its built executable or its first compiler error.
type Built = (String, Result<PathBuf, CompileError>);

/// Builds and runs the attendee's step binaries with `cargo`.
pub struct Checker {
    root: PathBuf,
    /// The cargo profile to build with: `release` for honest timings.
    profile: String,
}

/// What a check also measures when the self-check passes: the attendee's
/// median time against the reference's on this problem.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub w: u64,
    pub maxiter: u32,
    pub runs: usize,
}

impl Checker {
    pub fn new(root: &Path, profile: &str) -> Self {
        Checker {
            root: root.to_path_buf(),
            profile: profile.to_string(),
        }
    }

    /// Checks each step's exercise: one `cargo build` for all of them (it
    /// keeps going past a step that does not compile), then each binary's
    /// self-check. `on_step` runs after each step is checked.
    pub fn check(
        &self,
        steps: &[&'static Step],
        timing: Option<Timing>,
        mut on_step: impl FnMut(&Step),
    ) -> Result<Vec<Outcome>, Error> {
        let availability: Vec<Availability> = steps.iter().map(|s| (s.availability)()).collect();
        let present = |step: &Step| {
            self.root
                .join(step.path(mandel_core::Variant::Exercise))
                .is_file()
        };
        // A missing file would stop the build of every other step too.
        let available: Vec<&Step> = steps
            .iter()
            .zip(&availability)
            .filter(|(s, a)| a.checkable() && present(s))
            .map(|(s, _)| *s)
            .collect();
        let built = self.build(&available)?;
        // Each step's executable, or its outcome already.
        let to_run: Vec<Result<&PathBuf, Outcome>> = steps
            .iter()
            .zip(availability)
            .map(|(&step, availability)| match availability {
                _ if !present(step) => Err(Outcome::Missing),
                Availability::Unavailable(why) => Err(Outcome::Unavailable(why.to_string())),
                Availability::Ready | Availability::Emulated(_) => {
                    match built.iter().find(|(id, _)| *id == step.id()) {
                        Some((_, Ok(exe))) => Ok(exe),
                        Some((_, Err(error))) => Err(Outcome::DoesNotCompile(error.clone())),
                        None => Err(Outcome::DoesNotCompile(CompileError::plain(
                            "cargo built nothing for it",
                        ))),
                    }
                }
            })
            .collect();
        if timing.is_some() {
            // One at a time: a time measured beside another step's run
            // would be that run's noise.
            let mut outcomes = Vec::new();
            for (&step, run) in steps.iter().zip(to_run) {
                outcomes.push(match run {
                    Ok(exe) => self.run(exe, timing),
                    Err(outcome) => outcome,
                });
                on_step(step);
            }
            return Ok(outcomes);
        }
        // Untimed, the self-checks run at once: each one's time limit is
        // its own reference's time, measured under the same load.
        let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
            let running: Vec<_> = to_run
                .into_iter()
                .map(|run| {
                    scope.spawn(move || match run {
                        Ok(exe) => self.run(exe, None),
                        Err(outcome) => outcome,
                    })
                })
                .collect();
            running
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .expect("a check's thread only waits on its process")
                })
                .collect()
        });
        for &step in steps {
            on_step(step);
        }
        Ok(outcomes)
    }

    /// One step, no timing, with a spinner: what `watch` and `diff` use.
    pub fn check_one(&self, step: &'static Step) -> Result<Outcome, Error> {
        let spinner =
            indicatif::ProgressBar::new_spinner().with_message(format!("checking {}", step.id()));
        spinner.enable_steady_tick(Duration::from_millis(120));
        let outcome = self.check(&[step], None, |_| {})?;
        spinner.finish_and_clear();
        Ok(outcome.into_iter().next().expect("one step, one outcome"))
    }

    /// `cargo build` of the steps' binaries: per step id, its executable
    /// or its first compiler error.
    fn build(&self, steps: &[&Step]) -> Result<Vec<Built>, Error> {
        if steps.is_empty() {
            return Ok(Vec::new());
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(&cargo);
        command
            .args(["build", "--keep-going", "--bins", "--message-format=json"])
            .args(["--profile", &self.profile])
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for step in steps {
            command.args(["-p", &step.id()]);
        }
        let output = command.output().map_err(|e| {
            Error::missing(format!(
                "cannot run {}: {e} (is Rust installed? https://rustup.rs)",
                Path::new(&cargo).display()
            ))
        })?;
        let mut found: Vec<Built> = Vec::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let target = message["target"]["name"].as_str().unwrap_or_default();
            if !steps.iter().any(|s| s.id() == target) {
                continue;
            }
            let result = match message["reason"].as_str() {
                Some("compiler-artifact") => match message["executable"].as_str() {
                    Some(exe) => Ok(PathBuf::from(exe)),
                    None => continue,
                },
                Some("compiler-message") if message["message"]["level"] == "error" => {
                    Err(self.compile_error(&message["message"]))
                }
                _ => continue,
            };
            // The first error is the one to fix; an executable wins over
            // nothing.
            if !found.iter().any(|(id, _)| id == target) {
                found.push((target.to_string(), result));
            }
        }
        if found.is_empty() && !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
            return Err(Error::mistake(format!(
                "cargo build failed: {}",
                last.unwrap_or("no message").trim()
            )));
        }
        Ok(found)
    }

    /// A compiler error, its paths as the attendee knows them
    /// (`exercises/step03/calculate_z.rs`).
    fn compile_error(&self, message: &serde_json::Value) -> CompileError {
        let text = message["message"].as_str().unwrap_or("error");
        let span = message["spans"]
            .as_array()
            .and_then(|spans| spans.iter().find(|s| s["is_primary"] == true));
        let mut rendered = message["rendered"].as_str().unwrap_or(text).to_string();
        let line = match span {
            Some(span) => {
                let file = span["file_name"].as_str().unwrap_or("?");
                let shown = self.shown_path(file);
                rendered = rendered.replace(file, &shown);
                format!("{shown}:{}: {text}", span["line_start"])
            }
            None => text.to_string(),
        };
        CompileError { line, rendered }
    }

    /// A path as the compiler gave it, made relative to the root where it
    /// can be (`crates/step03/src/../../../exercises/...` becomes
    /// `exercises/...`).
    fn shown_path(&self, file: &str) -> String {
        let full = self.root.join(file);
        match (full.canonicalize(), self.root.canonicalize()) {
            (Ok(full), Ok(root)) => full
                .strip_prefix(&root)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| file.to_string()),
            _ => file.to_string(),
        }
    }

    /// Runs a step binary's self-check.
    fn run(&self, exe: &Path, timing: Option<Timing>) -> Outcome {
        let pictures = self.root.join("target").join("workshop-pictures");
        let mut command = Command::new(exe);
        match timing {
            Some(t) => command
                .args([t.w.to_string(), t.maxiter.to_string()])
                .args(["--time-runs", &t.runs.to_string()]),
            None => command.args(["100", "30"]),
        };
        command
            .arg("--self-check")
            .arg(&pictures)
            .arg("--json")
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .env_remove("RUST_BACKTRACE");
        match command.output() {
            Err(e) => Outcome::Crashed(format!("cannot start {}: {e}", exe.display())),
            Ok(out) => match RunOutcome::from_output(&String::from_utf8_lossy(&out.stdout)) {
                Ok(outcome) => Outcome::Checked(Box::new(outcome)),
                Err(_) => {
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
                    Outcome::Crashed(format!(
                        "{} ({})",
                        last.unwrap_or("no message").trim(),
                        out.status
                    ))
                }
            },
        }
    }
}

/// The first step still to do: the first that does not pass, passing over
/// those this machine cannot run.
pub fn first_to_do<'a>(
    steps: &[&'static Step],
    outcomes: &'a [Outcome],
) -> Option<(&'static Step, &'a Outcome)> {
    steps
        .iter()
        .copied()
        .zip(outcomes)
        .find(|(_, o)| !o.passes() && !matches!(o, Outcome::Unavailable(_)))
}
