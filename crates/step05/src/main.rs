use std::process::ExitCode;

mod attendee;

use attendee::{active, ACTIVE};
use mandel_core::error::positive;
use mandel_core::limits::check_threads;
use mandel_core::problem::{check_fits_with, points};
use mandel_core::run::{self, CommonArgs};
use mandel_core::{Error, Isa};
use step05::{check_chunks, with_threads, CHUNK_BYTES, STEP};

#[derive(clap::Args)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,
    /// Threads to run on (default: rayon's, which follows RAYON_NUM_THREADS,
    /// else one per CPU); at most 64 per CPU.
    #[arg(long, value_parser = positive::<usize>)]
    threads: Option<usize>,
    /// Cut the points into this many chunks (default: the file's
    /// CHUNKS_PER_THREAD per thread); at most one per point.
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

/// Refuses more threads than this machine takes and more chunks than the
/// grid has points, or than fit in memory beside it.
fn check_counts(args: &Args) -> Result<(), Error> {
    if let Some(threads) = args.threads {
        check_threads("--threads", threads, 0)?;
    }
    if let Some(chunks) = args.chunks {
        check_chunks(chunks, points(args.common.w)?, args.common.w)?;
        check_fits_with(
            args.common.w,
            chunks as u128 * CHUNK_BYTES,
            &format!(" and {chunks} chunks"),
        )?;
    }
    Ok(())
}

/// The run, with step 04's kernel dispatching to `args.common.isa`.
fn run_with(args: &Args) -> ExitCode {
    // `status` and `watch` ask for the self-check: it runs the kernel calls
    // `cargo test -p step05` makes (attendee.rs: every chunk count it tries), not this
    // binary's arguments' one, so that all three give one verdict.
    if args.common.self_check.is_some() {
        return run::run(&STEP, ACTIVE, &args.common, attendee::active_kernel());
    }
    // Checked before any work: the grid's size follows from w alone.
    if let Err(mistake) = check_counts(args) {
        return mistake.report();
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
