use std::process::ExitCode;

mod attendee;

use attendee::{active, ACTIVE};
use mandel_core::error::positive;
use mandel_core::problem::{axes, check_fits_in_memory};
use mandel_core::run::{self, CommonArgs};
use mandel_core::{Error, Isa};
use step05::{check_chunks, with_threads, STEP};

#[derive(clap::Args)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,
    /// Threads to run on (default: rayon's, which follows RAYON_NUM_THREADS,
    /// else one per CPU).
    #[arg(long, value_parser = positive::<usize>)]
    threads: Option<usize>,
    /// Cut the points into this many chunks (default: the file's
    /// CHUNKS_PER_THREAD per thread).
    #[arg(long, value_parser = positive::<usize>)]
    chunks: Option<usize>,
    /// The instruction set of step 04's kernel in every chunk (default:
    /// the best this CPU has).
    #[arg(long, value_enum)]
    isa: Option<Isa>,
}

fn main() -> ExitCode {
    let mut args: Args = match run::parse(&STEP, ACTIVE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    if let Some(isa) = args.isa {
        match isa.check_available() {
            Ok(isa) => args.common.isa = isa,
            Err(missing) => return Error::from(missing).report(),
        }
    }
    step04::dispatch::dispatching_to(args.common.isa, || run_with(&args))
}

/// The run, with step 04's kernel dispatching to `args.common.isa`.
fn run_with(args: &Args) -> ExitCode {
    // `status` and `watch` ask for the self-check: it runs the kernel calls
    // `cargo test -p step05` makes (attendee.rs: every chunk count it tries), not this
    // binary's arguments' one, so that all three give one verdict.
    if args.common.self_check.is_some() {
        return run::run(&STEP, ACTIVE, &args.common, attendee::active_kernel());
    }
    if let Some(chunks) = args.chunks {
        // Checked before any work: the grid's size follows from w alone.
        if let Err(mistake) = check_fits_in_memory(args.common.w) {
            return mistake.report();
        }
        let (xs, ys) = axes(args.common.w);
        if let Err(mistake) = check_chunks(chunks, xs.len() * ys.len(), args.common.w) {
            return mistake.report();
        }
    }
    let threads = args.threads;
    let chunks = args.chunks;
    let result = with_threads(threads, || {
        let threads = rayon::current_num_threads();
        args.common.say(format_args!(
            "Running on {threads} thread{}",
            if threads == 1 { "" } else { "s" }
        ));
        run::run(&STEP, ACTIVE, &args.common, |p| match chunks {
            Some(n) => active::calculate_z_chunks(&p.re, &p.im, p.maxiter, n),
            None => active::calculate_z(&p.re, &p.im, p.maxiter),
        })
    });
    result.unwrap_or_else(|failure| failure.report())
}
