//! The step binaries' driver: what `stepNN <w> <maxiter>` does, shared so
//! every step behaves like the tutorial's scripts in the same way.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::error::{self, positive, UserError};
use crate::oracle::{validation_sum, z_updates};
use crate::output::OutputFile;
use crate::picture::{self, Palette};
use crate::problem::Problem;
use crate::profile::{self, Profiler};
use crate::selfcheck::{self, catch, explain_panic, Verdict};
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
    #[arg(long, hide = true, requires = "self_check", value_parser = positive::<usize>)]
    pub time_runs: Option<usize>,
}

/// The files a run will write, claimed (nothing is written yet).
struct Outputs {
    png: Option<OutputFile>,
    diff_png: Option<OutputFile>,
    flamegraph: Option<OutputFile>,
}

impl CommonArgs {
    fn claim_outputs(&self) -> Result<Outputs, UserError> {
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

    /// Says in one line which output cannot be written, before a step
    /// spends anything on its own preparation (a compiler, a GPU): a bad
    /// path must cost nothing. Leaves nothing behind.
    pub fn check_outputs(&self) -> Result<(), UserError> {
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

fn run_checked(
    step: &Step,
    variant: Variant,
    args: &CommonArgs,
    kernel: impl Fn(&Problem) -> Vec<u32>,
    reference: Option<Reference>,
    running: Option<String>,
) -> Result<ExitCode, UserError> {
    if let Some(pictures) = &args.self_check {
        return self_check(step, variant, args, pictures, &kernel);
    }
    // Claim every output before any work, so a bad path costs nothing.
    let Outputs {
        png,
        diff_png,
        flamegraph,
    } = args.claim_outputs()?;
    let problem = Problem::new(args.w, args.maxiter)?;

    let running = running.unwrap_or_else(|| {
        format!(
            "{} ({}), {}",
            variant.describe(),
            step.path(variant),
            step.instruction_set(variant)
        )
    });
    println!("{} {}: {running}", step.id(), step.name);
    println!("Total elements: {}", problem.len());

    let profiler = flamegraph.as_ref().map(|_| Profiler::start()).transpose()?;
    let ran = catch(|| timed(|| kernel(&problem)));
    let (output, took) = match ran {
        Ok(done) => done,
        Err(panic) => {
            eprintln!("{}", explain_panic(step, variant, &panic));
            return Ok(ExitCode::from(1));
        }
    };
    let profile = profiler.map(Profiler::stop).transpose()?;

    // Read back by `printed_time`.
    println!(
        "{} took {} ({} z-updates/s)",
        step.function,
        duration_text(took),
        rate_text(rate(
            z_updates(&problem.points, &output, problem.maxiter),
            took
        ))
    );
    println!(
        "Total sum of elements (for validation): {}",
        validation_sum(&output)
    );

    if args.no_check {
        println!("Check against the oracle skipped (--no-check)");
    }
    let (against, tolerance) = match &reference {
        Some(r) => (r.name.as_str(), r.tolerance),
        None => ("the oracle", step.tolerance(variant)),
    };
    let report = (!args.no_check).then(|| match &reference {
        Some(r) => verify::compare_with(&problem, &(r.answer)(&problem), &output),
        None => verify::compare(&problem, &output),
    });
    let passes = report.as_ref().is_none_or(|r| r.passes(tolerance));
    if let Some(report) = &report {
        print_verdict(against, tolerance, report);
    }

    if let Some(file) = png {
        let image = picture::render(&problem, &output, args.palette);
        println!("Wrote {}", picture::save_png(&image, file)?.display());
    }
    if let Some(file) = diff_png {
        if report.as_ref().is_some_and(verify::Report::is_exact) {
            println!(
                "No differences, so {} was not written",
                file.path().display()
            );
        } else {
            let image = picture::differences(&problem, &output);
            println!("Wrote {}", picture::save_png(&image, file)?.display());
        }
    }
    if let (Some(profile), Some(file)) = (profile, flamegraph) {
        let title = format!("{} {} {}", step.id(), step.name, problem.label());
        let path = profile.write_flamegraph(file, &title)?;
        println!("Wrote {} (open it in a browser)", path.display());
    }
    Ok(if passes {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--self-check`: the verdict as one line, and with `--time-runs` the
/// kernel's median against the reference's, measured side by side.
fn self_check(
    step: &Step,
    variant: Variant,
    args: &CommonArgs,
    pictures: &Path,
    kernel: &dyn Fn(&Problem) -> Vec<u32>,
) -> Result<ExitCode, UserError> {
    let verdict = match selfcheck::check_or_exit(
        step,
        variant,
        pictures,
        kernel,
        selfcheck::print_verdict_line,
    ) {
        Err(failure) => Verdict::Fails(failure),
        Ok(()) => {
            let timed = match args.time_runs {
                None => None,
                Some(runs) => {
                    let problem = Problem::new(args.w, args.maxiter)?;
                    let (yours, _) = median_run(runs, || kernel(&problem), || {});
                    let (reference, _) = median_run(runs, || (step.solution)(&problem), || {});
                    Some((yours, reference))
                }
            };
            Verdict::Passes { timed }
        }
    };
    println!("{}", verdict.to_line());
    Ok(match verdict {
        Verdict::Passes { .. } => ExitCode::SUCCESS,
        Verdict::Fails(_) => ExitCode::from(1),
    })
}

fn print_verdict(against: &str, tolerance: Tolerance, report: &verify::Report) {
    let verdict = if report.is_exact() {
        "matches exactly"
    } else if report.passes(tolerance) {
        "matches within tolerance"
    } else {
        "DOES NOT MATCH"
    };
    let summary = report.summary().replace("the oracle", against);
    println!("Check against {against} ({tolerance}): {verdict}: {summary}");
}

/// The time a step's binary printed for its function (`calculate_z took
/// 0.150 s (...)`, as [`run`] prints it), for the tools that run binaries.
pub fn printed_time(stdout: &str, function: &str) -> Option<std::time::Duration> {
    let prefix = format!("{function} took ");
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.split(" (").next())
        .and_then(crate::timing::parse_duration_text)
}
