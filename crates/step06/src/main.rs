use std::process::ExitCode;

mod attendee;

use attendee::{active, active_code, ACTIVE};
use mandel_core::error::{positive, Error};
use mandel_core::run::{self, CommonArgs};
use mandel_core::Isa;
use step06::{failing, run_on_threads, traffic_report, Settings, Strategy, STEP};

#[derive(clap::Args)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,
    /// Ranks as threads of this process (default: one per CPU; at most 64
    /// per CPU). Under `mpirun` (built with `--features mpi`) the ranks are
    /// mpirun's `-n`, and this is ignored.
    #[arg(long, value_parser = positive::<usize>)]
    ranks: Option<usize>,
    /// How the rows are shared out.
    #[arg(long, value_enum, default_value_t = Strategy::Farm)]
    strategy: Strategy,
    /// Chunks of rows in the farm (default: CHUNKS_PER_WORKER per rank,
    /// 16 as shipped).
    #[arg(long, value_parser = positive::<usize>)]
    chunks: Option<usize>,
    /// Send each task's points instead of its rows' index, as the
    /// tutorial's job server shipped its lists.
    #[arg(long)]
    ship_points: bool,
    /// The instruction set of step 04's kernel in every chunk.
    #[arg(long, value_enum)]
    isa: Option<Isa>,
    /// For the tests: this rank panics at once.
    #[arg(long, hide = true)]
    fail_rank: Option<usize>,
}

impl Args {
    fn settings(&self) -> Settings {
        Settings {
            ranks: self.ranks,
            strategy: self.strategy,
            chunks: self.chunks,
            chunks_per_worker: active::CHUNKS_PER_WORKER,
            ship_points: self.ship_points,
        }
    }
}

/// Ends a rank with `code`, under mpirun only once every rank has come
/// this far.
#[cfg_attr(not(feature = "mpi"), allow(unused_variables))]
fn leave_together(under_mpirun: bool, code: ExitCode) -> ExitCode {
    #[cfg(feature = "mpi")]
    if under_mpirun {
        step06::mpi_ranks::wait_for_every_rank();
    }
    code
}

fn main() -> ExitCode {
    // Under mpirun every rank parses the same arguments and so finds the
    // same mistakes: rank 0 says so, and all leave together (a rank that
    // exits first makes mpirun kill the rest, maybe before rank 0's line is
    // out: 3 runs in 20 here lost it).
    let under_mpirun = cfg!(feature = "mpi") && step06::launched_by_mpirun();
    let quiet = under_mpirun && step06::rank_from_environment() != Some(0);
    let parsed = if quiet {
        run::parse_quietly::<Args>(&STEP)
    } else {
        run::parse::<Args>(&STEP, ACTIVE)
    };
    let mut args = match parsed {
        Ok(args) => args,
        Err(code) => return leave_together(under_mpirun, code),
    };
    let refuse = |mistake: Error| {
        let code = if quiet {
            ExitCode::from(2)
        } else {
            mistake.report()
        };
        leave_together(under_mpirun, code)
    };
    if let Some(isa) = args.isa {
        match isa.check_available() {
            Ok(isa) => args.common.isa = isa,
            Err(missing) => return refuse(Error::from(missing)),
        }
    }
    step04::dispatch::dispatching_to(args.common.isa, || run_with(&args, under_mpirun, &refuse))
}

/// Refuses a grid or a run too big, and, as threads, more ranks than this
/// machine takes: each a thread with its stack and its share of every
/// other rank's messages ([`step06::comm::RANK_BYTES_PER_RANK`]). Under
/// mpirun the ranks are mpirun's, and `--ranks` says nothing.
fn check_counts(args: &Args, under_mpirun: bool) -> Result<(), Error> {
    let w = args.common.w;
    mandel_core::problem::check_fits_in_memory(w)?;
    mandel_core::problem::check_work(w, args.common.maxiter)?;
    if under_mpirun {
        return Ok(());
    }
    if let Some(ranks) = args.ranks {
        let per_rank = (ranks as u64).saturating_mul(step06::comm::RANK_BYTES_PER_RANK);
        mandel_core::limits::check_threads("--ranks", ranks, per_rank)?;
    }
    Ok(())
}

/// The run, with step 04's kernel dispatching to `args.common.isa`.
fn run_with(
    args: &Args,
    // Only MPI builds ask.
    #[cfg_attr(not(feature = "mpi"), allow(unused_variables))] under_mpirun: bool,
    refuse: &dyn Fn(Error) -> ExitCode,
) -> ExitCode {
    // `status` and `watch` ask for the self-check: it runs the kernel calls
    // `cargo test -p step06` makes (attendee.rs: both strategies over 1 to
    // 5 ranks), not this binary's arguments' one, so that all three give
    // one verdict.
    if args.common.self_check.is_some() {
        return run::run(&STEP, ACTIVE, &args.common, attendee::active_kernel());
    }
    // Checked before any rank starts: under mpirun by every rank alike
    // (rank 0 says so), as threads with each rank's state in the estimate.
    if let Err(mistake) = check_counts(args, under_mpirun) {
        return refuse(mistake);
    }
    let code = failing(args.fail_rank, active_code());
    #[cfg(feature = "mpi")]
    if under_mpirun {
        return step06::mpi_ranks::main(
            &args.common,
            &args.settings(),
            &code,
            args.fail_rank,
            ACTIVE,
        );
    }
    if let Some(rank) = args.fail_rank {
        if rank >= args.ranks.unwrap_or_else(step06::default_ranks) {
            return refuse(Error::mistake(format!(
                "--fail-rank {rank}: there is no such rank"
            )));
        }
    }
    let settings = args.settings();
    let ranks = settings.ranks.unwrap_or_else(step06::default_ranks);
    args.common.say(format_args!(
        "{ranks} rank{}, threads of one process (for MPI processes: --features mpi and mpirun, see the chapter); {}",
        if ranks == 1 { "" } else { "s" },
        settings.describe(ranks)
    ));
    let traffic = std::cell::RefCell::new(None);
    let exit = run::run(&STEP, ACTIVE, &args.common, |p| {
        let (answer, seen) = run_on_threads(&settings, p, &code);
        *traffic.borrow_mut() = Some((seen, p.len()));
        answer
    });
    if let Some((traffic, points)) = traffic.into_inner() {
        args.common
            .say(traffic_report(&traffic, ranks, points, None));
    }
    exit
}
