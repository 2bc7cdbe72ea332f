use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

mod attendee;

use attendee::{active_source, ACTIVE};
use mandel_core::error::Error;
use mandel_core::output::OutputFile;
use mandel_core::run::{self, CommonArgs, Reference};
use mandel_core::selfcheck::Verdict;
use mandel_core::timing::{duration_text, median_run, rate, rate_text};
use mandel_core::{oracle, Problem};
use step07::gpu::{self, Gpu, Timings};
use step07::source::{Precision, Source, GRIDSTRIDE};
use step07::{emulate, nvrtc, ptxas, self_check, unless_stub, Checked, GpuVariant, Settings, STEP};

#[derive(clap::Args)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,
    /// Which of the tutorial's three GPU scripts.
    #[arg(long, value_enum, default_value_t)]
    variant: GpuVariant,
    /// Width of the points and of every operation.
    #[arg(long, value_enum, default_value_t)]
    precision: Precision,
    /// Let the compiler fuse multiply-adds (NVRTC's --fmad); `false` gives
    /// the tutorial's f64 arithmetic exactly.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    fmad: bool,
    /// Blocks of the grid-stride launch (the tutorial's grid=(400,1)); at
    /// most 2147483647, CUDA's limit.
    #[arg(long, default_value_t = 400, value_parser = step07::launch_grid)]
    grid: u32,
    /// Threads per block (the tutorial's block=(512,1,1)); at most 1024,
    /// CUDA's limit (a GPU may say less).
    #[arg(long, default_value_t = 512, value_parser = step07::launch_block)]
    block: u32,
    /// Write the PTX that NVRTC makes of the kernel to this file: the GPU's
    /// `cython -a`. Needs libnvrtc, not a GPU.
    #[arg(long, value_name = "FILE.ptx")]
    ptx: Option<PathBuf>,
    /// Run the kernel on the CPU instead, compiled as C, one thread at a
    /// time: right or wrong without a GPU, never fast (elementwise and
    /// gridstride; nothing fused).
    #[arg(long, conflicts_with = "ptx")]
    emulate: bool,
    /// Assemble with ptxas ($MANDEL_PTXAS, else on the PATH) for sm_70,
    /// sm_80, sm_90 and the newest it knows: registers, spills and local
    /// memory per kernel; a spill or an error fails. With `--ptx`, the PTX
    /// written; alone, every kernel the step ships, f64 and f32. No GPU
    /// needed.
    #[arg(long, conflicts_with = "emulate")]
    ptxas: bool,
}

impl Args {
    fn settings(&self) -> Settings {
        Settings {
            variant: self.variant,
            build: step07::source::Build {
                precision: self.precision,
                fmad: self.fmad && !self.emulate,
            },
            grid: self.grid,
            block: self.block,
        }
    }

    /// The source the variant compiles.
    fn source(&self) -> Source {
        match self.variant {
            GpuVariant::Arrays => step07::source::ARRAYS,
            GpuVariant::Elementwise => active_source(),
            GpuVariant::Gridstride => GRIDSTRIDE,
        }
    }
}

fn main() -> ExitCode {
    let args = match run::parse::<Args>(&STEP, ACTIVE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    match run_step(&args) {
        Ok(code) => code,
        Err(mistake) => mistake.report(),
    }
}

fn run_step(args: &Args) -> Result<ExitCode, Error> {
    let settings = args.settings();
    if let Some(pictures) = &args.common.self_check {
        return Ok(self_check_line(args, pictures));
    }
    // The grid's size and the run's work, before any compiler or GPU is
    // asked for (the launch's description counts the points).
    let points = mandel_core::problem::points(args.common.w)?;
    mandel_core::problem::check_work(args.common.w, args.common.maxiter)?;
    // Missing before anything is written.
    let ptxas = args.ptxas.then(ptxas::Ptxas::find).transpose()?;
    if let (Some(ptxas), None) = (&ptxas, &args.ptx) {
        return assembled(ptxas, ptxas::SURVEYED, ptxas.survey(&shipped()));
    }
    // Every output claimed before a compiler or a GPU is asked for.
    let ptx_file = args.ptx.as_deref().map(OutputFile::create).transpose()?;
    args.common.check_outputs()?;
    if let Some(file) = ptx_file {
        let gpu = gpu::gpu();
        let arch = gpu
            .as_ref()
            .ok()
            .map(|g| format!("compute_{}{}", g.capability.0, g.capability.1));
        let ptx = nvrtc::compile(&args.source(), settings.build, arch.as_deref())?;
        let written = file.write_with(|out| out.write_all(ptx.as_bytes()))?;
        args.common.say(format_args!(
            "Wrote {} ({} of PTX for {}, {})",
            written.display(),
            mandel_core::problem::bytes_text(ptx.len() as u128),
            arch.as_deref().unwrap_or("NVRTC's default architecture"),
            settings.build.describe()
        ));
        if let Some(ptxas) = &ptxas {
            let path = written.display().to_string();
            let what = format!("{path} as written, assembled for sm_NN");
            return assembled(
                ptxas,
                &what,
                ptxas.check_file(&path, &ptx, settings.build.precision),
            );
        }
        if let Err(why) = gpu {
            args.common.say(format_args!("Nothing ran: {why}"));
            return Ok(ExitCode::SUCCESS);
        }
    }
    if args.emulate {
        return emulated(args, &settings, points);
    }
    let gpu = gpu::gpu().map_err(|why| {
        Error::missing(format!(
            "{why}: `--emulate` runs the kernel on the CPU instead, and `cargo test -p step07` checks it there"
        ))
    })?;
    gpu.check_block(settings.block)?;
    let source = args.source();
    // Compile before the clock starts, so a mistake in the kernel is one
    // line and the compile is timed apart.
    let (_, compile) = gpu.module(&source, settings.build)?;
    let seen: RefCell<Option<(Timings, u64)>> = RefCell::new(None);
    let exit = run::run_against(
        &STEP,
        ACTIVE,
        &args.common,
        |p| {
            let (counts, timings) = gpu
                .run(&active_source(), &settings, p)
                .unwrap_or_else(|e| panic!("{e}"));
            let counts = unless_stub(&source, counts);
            let updates = oracle::z_updates(&p.points, &counts, p.maxiter);
            *seen.borrow_mut() = Some((timings, updates));
            counts
        },
        Some(oracle_within(&settings)),
        Some(format!(
            "{} on {} (compute capability {}.{}): {}",
            running(args),
            gpu.name,
            gpu.capability.0,
            gpu.capability.1,
            settings.describe(points)
        )),
    );
    // The breakdown is for a person; `--json` is the outcome alone.
    if let Some((timings, updates)) = seen.into_inner().filter(|_| !args.common.json) {
        print_breakdown(gpu, &settings, &timings, compile, updates)?;
    }
    Ok(exit)
}

/// Every kernel the step ships, and the attendee's when it is theirs.
fn shipped() -> Vec<Source> {
    let mut all: Vec<Source> = step07::source::KERNELS.to_vec();
    all.extend([step07::source::SOLUTION, step07::source::STUB]);
    if ACTIVE == mandel_core::Variant::Exercise {
        all.push(active_source());
    }
    all
}

/// `--ptxas`: the table, then the first spill as the one line that fails.
fn assembled(
    ptxas: &ptxas::Ptxas,
    what: &str,
    all: Result<Vec<ptxas::Assembled>, Error>,
) -> Result<ExitCode, Error> {
    let all = all?;
    print!("{}", ptxas.table(what, &all));
    match all.iter().find_map(ptxas::Assembled::trouble) {
        Some(spill) => Err(Error::mistake(spill)),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// What runs: `your exercise (exercises/step07/calculate_z.cu)`.
fn running(args: &Args) -> String {
    match args.variant {
        GpuVariant::Elementwise => format!("{} ({})", ACTIVE.describe(), STEP.path(ACTIVE)),
        GpuVariant::Arrays => "gpuarray's passes (kernels/arrays.cu)".to_string(),
        GpuVariant::Gridstride => "the SourceModule kernel (kernels/gridstride.cu)".to_string(),
    }
}

/// The oracle, with this run's tolerance (f32 and fused runs are not the
/// step's default's).
fn oracle_within(settings: &Settings) -> Reference<'static> {
    Reference {
        name: "the oracle".to_string(),
        tolerance: settings.tolerance(),
        answer: &oracle_answer,
    }
}

fn oracle_answer(problem: &Problem) -> Vec<u32> {
    problem.oracle().to_vec()
}

/// Where the time went: the lesson of the step, printed under every run.
fn print_breakdown(
    gpu: &Gpu,
    settings: &Settings,
    t: &Timings,
    compile: std::time::Duration,
    updates: u64,
) -> Result<(), Error> {
    let on_device = t.to_device + t.kernel + t.from_device;
    println!(
        "Where the time went: NVRTC compile {} (once per process, not counted above); to the GPU {}, kernel {} ({} launch{}), back {}; {} on the GPU's clock, {} end to end",
        duration_text(compile),
        duration_text(t.to_device),
        duration_text(t.kernel),
        t.launches,
        if t.launches == 1 { "" } else { "es" },
        duration_text(t.from_device),
        duration_text(on_device),
        duration_text(t.end_to_end),
    );
    let kernel_rate = rate(updates, t.kernel);
    let peak = gpu.peak_flops(settings.build.precision)?;
    println!(
        "Kernel alone: {} z-updates/s, {:.1}% of {}'s {} peak ({:.1} TFLOP/s, 8 flops per z-update); end to end: {} z-updates/s. The kernel is {:.0}% of the end-to-end time.",
        rate_text(kernel_rate),
        100.0 * kernel_rate * oracle::FLOPS_PER_UPDATE / peak,
        gpu.name,
        settings.build.precision,
        peak / 1e12,
        rate_text(rate(updates, t.end_to_end)),
        100.0 * t.kernel.as_secs_f64() / t.end_to_end.as_secs_f64().max(1e-12),
    );
    Ok(())
}

/// `--emulate`: the kernel compiled as C and run on the CPU.
fn emulated(args: &Args, settings: &Settings, points: usize) -> Result<ExitCode, Error> {
    if settings.variant == GpuVariant::Arrays {
        return Err(Error::mistake(
            "--emulate runs one kernel per point (elementwise, gridstride); arrays is a host loop of launches",
        ));
    }
    emulate::check_launch(settings, points)?;
    let source = args.source();
    let emulator = emulate::Emulator::compile(&source, settings.build)?;
    Ok(run::run_against(
        &STEP,
        ACTIVE,
        &args.common,
        |p| {
            let grid = match settings.variant {
                GpuVariant::Gridstride => settings.grid,
                _ => p.len().div_ceil(settings.block as usize) as u32,
            };
            let counts = emulator
                .run(p, grid, settings.block)
                .unwrap_or_else(|e| panic!("{e}"));
            unless_stub(&source, counts)
        },
        Some(oracle_within(settings)),
        Some(format!(
            "{}, emulated on the CPU one thread at a time: {}",
            running(args),
            settings.describe(points)
        )),
    ))
}

/// `--self-check`, for `workshop status` and `watch`: the verdict; with
/// `--time-runs`, on a GPU, the attendee's median against the reference's.
fn self_check_line(args: &Args, pictures: &std::path::Path) -> ExitCode {
    let checked = self_check(
        ACTIVE,
        &active_source(),
        pictures,
        run::say_timeout(&STEP, ACTIVE, &args.common),
    );
    let mut outcome = run::outcome_of(&STEP, ACTIVE, args.common.isa, Verdict::Passes);
    match checked {
        Ok(checked) => {
            if let Checked::Emulated(how) = &checked {
                outcome.checked_on = Some(format!("the CPU, {how} (no GPU here)"));
            }
            let timed = match (checked, args.common.time_runs) {
                (Checked::Gpu(_), Some(runs)) => timed_against_reference(args, runs),
                _ => None,
            };
            if let Some((yours, reference)) = timed {
                outcome.seconds = Some(yours.as_secs_f64());
                outcome.reference_seconds = Some(reference.as_secs_f64());
            }
        }
        Err(failure) => outcome.verdict = Verdict::Fails(failure),
    }
    run::report_self_check(&args.common, &outcome)
}

fn timed_against_reference(
    args: &Args,
    runs: usize,
) -> Option<(std::time::Duration, std::time::Duration)> {
    let gpu = gpu::gpu().ok()?;
    let problem = Problem::new(args.common.w, args.common.maxiter).ok()?;
    let settings = Settings::default();
    let time = |source: Source| {
        gpu.run(&source, &settings, &problem).ok()?;
        let (took, _) = median_run(runs, || gpu.run(&source, &settings, &problem), || {});
        Some(took)
    };
    Some((time(active_source())?, time(step07::source::SOLUTION)?))
}
