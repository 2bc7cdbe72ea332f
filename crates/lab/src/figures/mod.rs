//! `lab figures`: reruns the measurements the book shows, on this
//! machine, and writes them where the chapters include them
//! (`docs/src/figures/`): each command's output as text, with the machine
//! and the command at its top, and the pictures beside them. The book's
//! tables are these files, never numbers typed by hand.
//!
//! The figures are a table (`table`), each made by running its commands
//! (`runner`); three are made apart from it: the build-settings table
//! (`build_settings`), the picture, and step 01's profile (`profile`).

mod build_settings;
mod profile;
mod runner;
mod table;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::ProgressBar;
use mandel_core::output::OutputFile;
use mandel_core::picture::{self, Palette};
use mandel_core::{Error, Problem};
use workshop::workspace;

use runner::Runner;
use table::FIGURES;

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

/// The figures made apart from the table.
const BUILDS: &str = "builds.txt";
const PICTURE: &str = "mandelbrot.png";
const PROFILE: &str = "step01-profile.txt";

impl Args {
    /// Whether `file` is to be made this time.
    fn wants(&self, file: &str) -> bool {
        let needs_gpu = FIGURES.iter().any(|f| f.file == file && f.gpu);
        (self.only.is_empty() || self.only.iter().any(|f| f == file)) && (!self.gpu || needs_gpu)
    }

    /// Refuses an `--only` name that is no figure.
    fn check_only(&self) -> Result<(), Error> {
        let known: Vec<&str> = FIGURES
            .iter()
            .map(|f| f.file)
            .chain([BUILDS, PICTURE, PROFILE])
            .collect();
        match self.only.iter().find(|f| !known.contains(&f.as_str())) {
            Some(unknown) => Err(Error::mistake(format!(
                "--only {unknown}: no such figure; the figures are {}",
                known.join(", ")
            ))),
            None => Ok(()),
        }
    }
}

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| workspace::root().join("docs").join("src").join("figures"));
    args.check_only()?;
    // Making the folder is the first of the work: a run that only checks
    // its arguments leaves nothing behind.
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::create_dir_all(&out)
        .map_err(|e| Error::mistake(format!("cannot create {}: {e}", out.display())))?;
    let me = std::env::current_exe()
        .map_err(|e| Error::bug(format!("cannot find this program: {e}")))?;
    let machine = crate::machine::machine_line();
    // The quick check uses what the tests built, a prepared GPU run what
    // was carried; a real run builds its own.
    if !args.quick && !args.prebuilt {
        eprintln!("Building the steps' binaries the figures run ...");
        runner::build_binaries(&me)?;
    }
    let progress = workshop::progress_bar(FIGURES.len() as u64 + 2);
    let runner = Runner { me, out };
    let mut not_here = make_table_figures(args, &runner, &machine, &progress)?;
    not_here.extend(make_builds(args, &runner.out, &machine, &progress)?);
    let flamegraph = make_picture_and_profile(args, &runner.out, &machine, &progress)?;
    progress.finish_and_clear();
    println!(
        "Wrote the book's figures into {}. {machine}",
        runner.out.display()
    );
    for line in not_here {
        println!("Not made: {line}");
    }
    if let Err(why) = flamegraph {
        println!("No flamegraph: {why}");
    }
    // The projector pages show the ladder figure's rows: made again from
    // the book's new figures.
    if args.out.is_none() {
        crate::projector::run()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Makes the table's figures this run wants: what was not made here, one
/// line per figure and reason.
fn make_table_figures(
    args: &Args,
    runner: &Runner,
    machine: &str,
    progress: &ProgressBar,
) -> Result<Vec<String>, Error> {
    let mut not_here = Vec::new();
    for figure in FIGURES.iter().filter(|f| args.wants(f.file)) {
        progress.set_message(figure.file);
        let runs = if args.quick {
            figure.quick
        } else {
            figure.runs
        };
        let made = runner.make(figure, runs, machine)?;
        for line in made.not_here {
            let said = format!("{}: not on this machine: {line}", figure.file);
            // One line per reason, however many commands share it.
            if !not_here.contains(&said) {
                not_here.push(said);
            }
        }
        workspace::write_whole(&runner.out.join(figure.file), &made.text)?;
        progress.inc(1);
    }
    Ok(not_here)
}

/// The build-settings table when wanted: why it was not made, if so.
fn make_builds(
    args: &Args,
    out: &Path,
    machine: &str,
    progress: &ProgressBar,
) -> Result<Option<String>, Error> {
    if !args.wants(BUILDS) {
        return Ok(None);
    }
    if args.quick {
        return Ok(Some(format!(
            "{BUILDS}: not with --quick (six builds take minutes)"
        )));
    }
    if args.prebuilt {
        return Ok(Some(format!("{BUILDS}: not with --prebuilt (it builds)")));
    }
    progress.set_message("builds.txt (six builds)");
    let table = build_settings::build_settings(machine)?;
    workspace::write_whole(&out.join(BUILDS), &table)?;
    Ok(None)
}

/// The picture and step 01's profile when wanted. The profile's failure
/// is not the whole command's: it is returned to be reported last.
fn make_picture_and_profile(
    args: &Args,
    out: &Path,
    machine: &str,
    progress: &ProgressBar,
) -> Result<Result<(), Error>, Error> {
    let problem = if args.quick {
        Problem::new(100, 30)?
    } else {
        Problem::new(1000, 1000)?
    };
    if args.wants(PICTURE) {
        progress.set_message(PICTURE);
        let image = picture::render(&problem, problem.oracle(), Palette::Colour);
        picture::save_png(&image, OutputFile::create(&out.join(PICTURE))?)?;
    }
    progress.inc(1);
    if !args.wants(PROFILE) {
        return Ok(Ok(()));
    }
    // The quick picture's problem is too short for the profiler to sample.
    let profiled = if args.quick {
        Problem::new(400, 400)?
    } else {
        problem
    };
    progress.set_message("step01 flamegraph");
    Ok(profile::step01_profile(out, &profiled, machine))
}
