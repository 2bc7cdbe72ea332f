//! The step binaries' driver: what `stepNN <w> <maxiter>` does, shared so
//! every step behaves like the tutorial's scripts in the same way.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mandel_isa::Isa;

use crate::error::{self, positive, Error};
use crate::oracle::{validation_sum, z_updates};
use crate::outcome::{RunOutcome, Shape};
use crate::output::OutputFile;
use crate::picture::{self, Palette};
use crate::problem::Problem;
use crate::profile::{self, Profiler};
use crate::selfcheck::{self, catch, explain_panic, Failure, FailureKind, Verdict};
use crate::step::{Kernel, Step, Variant};
use crate::timing::{duration_text, median_run, rate, rate_text, timed};
use crate::verify::{self, Tolerance};

/// The arguments every step takes: the tutorial's two and the outputs.
#[derive(clap::Args, Debug, Clone)]
pub struct CommonArgs {
    /// The tutorial's width: the grid is about w/2 x w/2 points.
    #[arg(default_value = "1000", value_parser = positive::<u64>)]
    pub w: u64,
    /// Iterations before a point counts as inside the set.
    #[arg(default_value = "1000", value_parser = positive::<u32>)]
    pub maxiter: u32,
    /// Draw the result as a PNG.
    #[arg(long, value_name = "FILE.png")]
    pub png: Option<PathBuf>,
    /// Colours for --png.
    #[arg(long, value_enum, default_value_t = Palette::Grey)]
    pub palette: Palette,
    /// Sample the run and write a flamegraph SVG (Linux and macOS).
    #[arg(long, value_name = "FILE.svg")]
    pub profile: Option<PathBuf>,
    /// If the result differs from the oracle, draw where as a PNG.
    #[arg(long, value_name = "FILE.png", conflicts_with = "no_check")]
    pub diff_png: Option<PathBuf>,
    /// Skip the oracle check, so that a profiler watching the whole process
    /// (perf) sees only the step's own work.
    #[arg(long)]
    pub no_check: bool,
    /// For `workshop status` and `watch`: run the self-check instead and
    /// print its verdict as one line; a wrong answer's picture goes here.
    #[arg(long, hide = true, value_name = "PICTURE_DIR")]
    pub self_check: Option<PathBuf>,
    /// With --self-check, when it passes: time this kernel and the
    /// reference on <W> <MAXITER>, median of this many runs each.
    #[arg(long, hide = true, requires = "self_check", value_parser = crate::limits::runs)]
    pub time_runs: Option<usize>,
    /// Print the outcome as one JSON object (verdict, sum, points that
    /// differ, time, instruction set, problem) instead of sentences: what
    /// the workshop's tools read.
    #[arg(long)]
    pub json: bool,
    /// The instruction set dispatched kernels run with: the best this CPU
    /// has, unless a step's own `--isa` says otherwise.
    #[arg(skip = Isa::best())]
    pub isa: Isa,
}

/// The files a run will write, claimed (nothing is written yet).
struct Outputs {
    png: Option<OutputFile>,
    diff_png: Option<OutputFile>,
    flamegraph: Option<OutputFile>,
}

impl CommonArgs {
    fn claim_outputs(&self) -> Result<Outputs, Error> {
        let claim = |path: &Option<PathBuf>| path.as_deref().map(OutputFile::create).transpose();
        let png = claim(&self.png)?;
        let diff_png = claim(&self.diff_png)?;
        if self.profile.is_some() {
            profile::check_supported()?;
        }
        Ok(Outputs {
            png,
            diff_png,
            flamegraph: claim(&self.profile)?,
        })
    }

    /// Prints a line for a person: not with `--json`, whose one object is
    /// the whole output.
    pub fn say(&self, line: impl std::fmt::Display) {
        if !self.json {
            println!("{line}");
        }
    }

    /// `--block`'s points, at most the whole grid of `w` (checked before
    /// any work: the grid's size follows from w alone), and a line that
    /// says so when it is cut.
    pub fn block_within(&self, block: usize) -> Result<usize, Error> {
        let points = crate::problem::points(self.w)?;
        let (block, cut) = crate::limits::block_within("--block", block, points);
        if let Some(line) = cut {
            self.say(line);
        }
        Ok(block)
    }

    /// Says in one line which output cannot be written, before a step
    /// spends anything on its own preparation (a compiler, a GPU): a bad
    /// path must cost nothing. Leaves nothing behind.
    pub fn check_outputs(&self) -> Result<(), Error> {
        self.claim_outputs().map(drop)
    }
}

/// Parses a step binary's arguments (`A` flattens [`CommonArgs`] and adds
/// the step's own flags), reporting mistakes in one line with status 2.
pub fn parse<A: clap::Args>(step: &Step, variant: Variant) -> Result<A, ExitCode> {
    let about = format!(
        "Step {:02}, {}: the tutorial's {} in Rust ({}). Runs {}, {}.",
        step.number,
        step.name,
        step.tutorial,
        step.technique,
        variant.describe(),
        step.path(variant),
    );
    let command = A::augment_args(clap::Command::new(step.id()).about(about));
    error::parse_with(command, std::env::args_os())
}

/// [`parse`] without a word on a mistake (exit status 2 all the same): for
/// the ranks of an MPI job other than rank 0, which reports it.
pub fn parse_quietly<A: clap::Args>(step: &Step) -> Result<A, ExitCode> {
    let command = A::augment_args(clap::Command::new(step.id()));
    let matches = command
        .try_get_matches_from(std::env::args_os())
        .map_err(|e| ExitCode::from(if e.use_stderr() { 2 } else { 0 }))?;
    A::from_arg_matches(&matches).map_err(|_| ExitCode::from(2))
}

/// `stepNN` for a step whose binary takes only the common arguments.
pub fn main(step: &Step, variant: Variant, kernel: Kernel) -> ExitCode {
    match parse::<CommonArgs>(step, variant) {
        Ok(args) => run(step, variant, &args, kernel),
        Err(code) => code,
    }
}

/// Runs `kernel` once on the problem the arguments give, as the tutorial's
/// scripts do, and checks the result against the oracle. Exit status 0 when
/// it matches within the step's tolerance, 1 when it does not (or is a
/// stub), 2 for a user mistake.
pub fn run(
    step: &Step,
    variant: Variant,
    args: &CommonArgs,
    kernel: impl Fn(&Problem) -> Vec<u32>,
) -> ExitCode {
    run_against(step, variant, args, kernel, None, None)
}

/// What a run is checked against when it is not the oracle's problem.
pub struct Reference<'a> {
    /// Named in the report: "the same formula, one point at a time".
    pub name: String,
    pub tolerance: Tolerance,
    pub answer: &'a dyn Fn(&Problem) -> Vec<u32>,
}

/// [`run`], checked against `reference` instead of the oracle when given,
/// and saying it runs `running` (what follows `step07 gpu: `) instead of
/// the step's file when given.
pub fn run_against(
    step: &Step,
    variant: Variant,
    args: &CommonArgs,
    kernel: impl Fn(&Problem) -> Vec<u32>,
    reference: Option<Reference>,
    running: Option<String>,
) -> ExitCode {
    match run_checked(step, variant, args, kernel, reference, running) {
        Ok(code) => code,
        Err(mistake) => mistake.report(),
    }
}

/// A run in four parts: measure the kernel, check its answer, write the
/// files asked for, then say it, to a person ([`CommonArgs::say`], line by
/// line as it goes) or as one [`RunOutcome`] (`--json`, at the end).
fn run_checked(
    step: &Step,
    variant: Variant,
    args: &CommonArgs,
    kernel: impl Fn(&Problem) -> Vec<u32>,
    reference: Option<Reference>,
    running: Option<String>,
) -> Result<ExitCode, Error> {
    if let Some(pictures) = &args.self_check {
        return self_check(step, variant, args, pictures, &kernel);
    }
    // Claim every output before any work, so a bad path costs nothing.
    let outputs = args.claim_outputs()?;
    let problem = Problem::new(args.w, args.maxiter)?;
    say_started(step, variant, args, running, &problem);
    let mut outcome = outcome_of(step, variant, args.isa, Verdict::Unchecked);
    outcome.problem = Some(Shape {
        w: problem.w,
        maxiter: problem.maxiter,
        points: problem.len(),
    });

    let measured = match measure(&kernel, &problem, outputs.flamegraph.is_some())? {
        Ok(measured) => measured,
        Err(panic) => {
            let failure = failure_of(step, variant, &panic);
            if args.json {
                outcome.verdict = Verdict::Fails(failure);
                println!("{}", outcome.to_json());
            } else {
                eprintln!("{failure}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    let updates = z_updates(&problem.points, &measured.output, problem.maxiter);
    outcome.seconds = Some(measured.took.as_secs_f64());
    outcome.z_updates_per_second = Some(rate(updates, measured.took));
    outcome.sum = Some(validation_sum(&measured.output));
    say_measured(step, args, &outcome);

    let checked = check(step, variant, args, &problem, &measured.output, reference);
    if let Some(report) = &checked.report {
        outcome.exact = Some(report.is_exact());
        outcome.differing = Some(report.differing);
        outcome.verdict = verdict_of(&checked.against, checked.tolerance, report);
    }
    args.say(checked.sentence());

    for line in write_outputs(step, args, outputs, &problem, measured, &checked)? {
        args.say(line);
    }
    if args.json {
        println!("{}", outcome.to_json());
    }
    Ok(match outcome.verdict {
        Verdict::Fails(_) => ExitCode::from(1),
        Verdict::Passes | Verdict::Unchecked => ExitCode::SUCCESS,
    })
}

/// The lines a person reads before the kernel runs: what runs (the
/// step's file and instructions, unless `running` says otherwise) and on
/// how many points, as the tutorial's scripts begin.
fn say_started(
    step: &Step,
    variant: Variant,
    args: &CommonArgs,
    running: Option<String>,
    problem: &Problem,
) {
    let running = running.unwrap_or_else(|| {
        format!(
            "{} ({}), {}",
            variant.describe(),
            step.path(variant),
            step.instruction_set(variant, args.isa)
        )
    });
    args.say(format_args!("{} {}: {running}", step.id(), step.name));
    args.say(format_args!("Total elements: {}", problem.len()));
}

/// A kernel's answer, its time, and its profile when one was asked for.
struct Measured {
    output: Vec<u32>,
    took: std::time::Duration,
    profile: Option<profile::Profile>,
}

/// Runs `kernel` once on `problem`, timed and, with `profiled`, sampled;
/// its panic, if it panics.
fn measure(
    kernel: &dyn Fn(&Problem) -> Vec<u32>,
    problem: &Problem,
    profiled: bool,
) -> Result<Result<Measured, selfcheck::Panic>, Error> {
    let profiler = profiled.then(Profiler::start).transpose()?;
    let (output, took) = match catch(|| timed(|| kernel(problem))) {
        Ok(done) => done,
        Err(panic) => return Ok(Err(panic)),
    };
    let profile = profiler.map(Profiler::stop).transpose()?;
    Ok(Ok(Measured {
        output,
        took,
        profile,
    }))
}

/// The lines a person reads once the kernel has run: its time and the
/// tutorial's validation sum.
fn say_measured(step: &Step, args: &CommonArgs, outcome: &RunOutcome) {
    let (Some(took), Some(per_second), Some(sum)) =
        (outcome.time(), outcome.z_updates_per_second, outcome.sum)
    else {
        return;
    };
    args.say(format_args!(
        "{} took {} ({} z-updates/s)",
        step.function,
        duration_text(took),
        rate_text(per_second)
    ));
    args.say(format_args!(
        "Total sum of elements (for validation): {sum}"
    ));
}

/// What an answer was checked against, and how it came out (no report:
/// `--no-check`).
struct Checked {
    against: String,
    tolerance: Tolerance,
    report: Option<verify::Report>,
}

impl Checked {
    /// The check's line for a person.
    fn sentence(&self) -> String {
        let Some(report) = &self.report else {
            return "Check against the oracle skipped (--no-check)".to_string();
        };
        let verdict = if report.is_exact() {
            "matches exactly"
        } else if report.passes(self.tolerance) {
            "matches within tolerance"
        } else {
            "DOES NOT MATCH"
        };
        let summary = report.summary().replace("the oracle", &self.against);
        format!(
            "Check against {} ({}): {verdict}: {summary}",
            self.against, self.tolerance
        )
    }
}

/// Compares `output` with the oracle, or with `reference` when given.
fn check(
    step: &Step,
    variant: Variant,
    args: &CommonArgs,
    problem: &Problem,
    output: &[u32],
    reference: Option<Reference>,
) -> Checked {
    let (against, tolerance) = match &reference {
        Some(r) => (r.name.clone(), r.tolerance),
        None => ("the oracle".to_string(), step.tolerance(variant, args.isa)),
    };
    let report = (!args.no_check).then(|| match &reference {
        Some(r) => verify::compare_with(problem, &(r.answer)(problem), output),
        None => verify::compare(problem, output),
    });
    Checked {
        against,
        tolerance,
        report,
    }
}

/// Writes the picture, the picture of differences and the flamegraph that
/// were asked for; the lines that say so.
fn write_outputs(
    step: &Step,
    args: &CommonArgs,
    outputs: Outputs,
    problem: &Problem,
    measured: Measured,
    checked: &Checked,
) -> Result<Vec<String>, Error> {
    let mut wrote = Vec::new();
    if let Some(file) = outputs.png {
        let image = picture::render(problem, &measured.output, args.palette);
        let path = picture::save_png(&image, file)?;
        wrote.push(format!("Wrote {}", path.display()));
    }
    if let Some(file) = outputs.diff_png {
        if checked
            .report
            .as_ref()
            .is_some_and(verify::Report::is_exact)
        {
            wrote.push(format!(
                "No differences, so {} was not written",
                file.path().display()
            ));
        } else {
            let image = picture::differences(problem, &measured.output);
            let path = picture::save_png(&image, file)?;
            wrote.push(format!("Wrote {}", path.display()));
        }
    }
    if let (Some(profile), Some(file)) = (measured.profile, outputs.flamegraph) {
        let title = format!("{} {} {}", step.id(), step.name, problem.label());
        let path = profile.write_flamegraph(file, &title, None)?;
        wrote.push(format!("Wrote {} (open it in a browser)", path.display()));
    }
    Ok(wrote)
}

/// The outcome of `step`'s `variant` at `isa` with `verdict`, the rest to
/// fill in.
pub fn outcome_of(step: &Step, variant: Variant, isa: Isa, verdict: Verdict) -> RunOutcome {
    RunOutcome::new(
        step.id(),
        variant,
        step.instruction_set(variant, isa),
        verdict,
    )
}

/// A kernel's panic as a failure: a stub, or a panic on a line.
fn failure_of(step: &Step, variant: Variant, panic: &selfcheck::Panic) -> Failure {
    Failure::new(
        if panic.is_stub() {
            FailureKind::Stub
        } else {
            FailureKind::Panicked
        },
        explain_panic(step, variant, panic),
    )
}

/// A compared run's verdict: passes within `tolerance`, else how it is
/// wrong.
fn verdict_of(against: &str, tolerance: Tolerance, report: &verify::Report) -> Verdict {
    if report.passes(tolerance) {
        return Verdict::Passes;
    }
    let sentence = report.summary().replace("the oracle", against);
    Verdict::Fails(if report.returned != report.points {
        Failure::new(FailureKind::WrongLength, sentence)
    } else {
        Failure {
            differing: Some(report.differing),
            ..Failure::new(FailureKind::Wrong, sentence)
        }
    })
}

/// How a self-check that runs out of time says so before the process
/// ends: its outcome with `--json`, else its sentence.
pub fn say_timeout(step: &Step, variant: Variant, args: &CommonArgs) -> selfcheck::OnTimeout {
    let outcome = outcome_of(step, variant, args.isa, Verdict::Unchecked);
    let json = args.json;
    Box::new(move |failure: &Failure| {
        let mut outcome = outcome.clone();
        outcome.verdict = Verdict::Fails(failure.clone());
        print_self_check(json, &outcome);
    })
}

/// A self-check's outcome: one JSON object with `--json`, else a sentence.
fn print_self_check(json: bool, outcome: &RunOutcome) {
    match &outcome.verdict {
        _ if json => println!("{}", outcome.to_json()),
        Verdict::Fails(failure) => println!("self-check fails: {failure}"),
        _ => println!("self-check passes"),
    }
}

/// Prints a self-check's outcome (see [`print_self_check`]): exit status 0
/// when it passes, else 1.
pub fn report_self_check(args: &CommonArgs, outcome: &RunOutcome) -> ExitCode {
    print_self_check(args.json, outcome);
    match outcome.verdict {
        Verdict::Passes => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    }
}

/// `--self-check`: the verdict, and with `--time-runs` the kernel's median
/// against the reference's, measured side by side.
fn self_check(
    step: &Step,
    variant: Variant,
    args: &CommonArgs,
    pictures: &Path,
    kernel: &dyn Fn(&Problem) -> Vec<u32>,
) -> Result<ExitCode, Error> {
    let checked = selfcheck::check_or_exit(
        step,
        variant,
        args.isa,
        pictures,
        kernel,
        say_timeout(step, variant, args),
    );
    let mut outcome = outcome_of(step, variant, args.isa, Verdict::Passes);
    match checked {
        Err(failure) => outcome.verdict = Verdict::Fails(failure),
        Ok(()) => {
            if let Some(runs) = args.time_runs {
                let problem = Problem::new(args.w, args.maxiter)?;
                let (yours, _) = median_run(runs, || kernel(&problem), || {});
                let (reference, _) =
                    median_run(runs, || (step.solution)(&problem, args.isa), || {});
                outcome.seconds = Some(yours.as_secs_f64());
                outcome.reference_seconds = Some(reference.as_secs_f64());
            }
        }
    }
    Ok(report_self_check(args, &outcome))
}
