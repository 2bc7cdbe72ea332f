//! Ranks as MPI processes, under `mpirun` (built with `--features mpi`):
//! the same rank code as with threads, over MPI's point-to-point messages.

use std::cell::RefCell;
use std::process::ExitCode;

use mandel_core::run::{self, CommonArgs};
use mandel_core::{UserError, Variant};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::comm::{Comm, Grid, Message, Traffic};
use crate::{traffic_report, RankFn, Settings, STEP};

/// Tag of the rank code's messages.
const WORK: i32 = 0;
/// Tag of rank 0's word before any work: start (1) or end (0).
const CONTROL: i32 = 1;

/// MPI's world as a [`Comm`].
pub struct MpiRanks {
    world: SimpleCommunicator,
    traffic: RefCell<Traffic>,
}

impl MpiRanks {
    fn received(&self, sender: usize, bytes: Vec<u8>) -> (usize, Message) {
        let message = Message::decode(&bytes);
        self.traffic
            .borrow_mut()
            .count_received(sender, bytes.len(), &message);
        (sender, message)
    }
}

impl Comm for MpiRanks {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    fn size(&self) -> usize {
        self.world.size() as usize
    }

    fn send(&self, to: usize, message: &Message) {
        let bytes = message.encode();
        self.traffic.borrow_mut().count_sent(bytes.len());
        // A large message moves only while both ranks are inside MPI. A
        // worker's answer waits for rank 0, which looks for messages every
        // few rows. Rank 0's sends are buffered (copied, then sent as MPI
        // gets the chance): a blocking task to a worker that is itself
        // blocked sending an answer would wait for ever.
        let to = self.world.process_at_rank(to as i32);
        if self.rank() == 0 {
            to.buffered_send_with_tag(&bytes[..], WORK);
        } else {
            to.send_with_tag(&bytes[..], WORK);
        }
    }

    fn receive_any(&self) -> (usize, Message) {
        let (bytes, status) = self.world.any_process().receive_vec_with_tag::<u8>(WORK);
        self.received(status.source_rank() as usize, bytes)
    }

    fn receive_from(&self, from: usize) -> Message {
        let (bytes, _) = self
            .world
            .process_at_rank(from as i32)
            .receive_vec_with_tag::<u8>(WORK);
        self.received(from, bytes).1
    }

    fn try_receive_any(&self) -> Option<(usize, Message)> {
        let probed = self
            .world
            .any_process()
            .immediate_matched_probe_with_tag(WORK)?;
        let (bytes, status) = probed.matched_receive_vec::<u8>();
        Some(self.received(status.source_rank() as usize, bytes))
    }

    fn traffic(&self) -> Traffic {
        self.traffic.borrow().clone()
    }
}

/// Room for every message a rank may have sent and not yet seen received:
/// its largest message (a static band or a farm chunk, with its points
/// when they are shipped) for each of two tasks in flight per worker,
/// plus two answers.
fn send_buffer_bytes(grid: &Grid, settings: &Settings, size: usize) -> usize {
    /// An answer's count per point (u32).
    const COUNT_BYTES: usize = 4;
    /// A shipped point: its real and imaginary parts (two f64).
    const POINT_BYTES: usize = 16;
    /// A message's own fields beside its data (tag, chunk, rows), rounded up.
    const MESSAGE_OVERHEAD: usize = 1024;
    /// What MPI keeps for itself in an attached buffer, and then some.
    const MPI_OVERHEAD: usize = 1 << 20;
    let per_point = COUNT_BYTES + if settings.ship_points { POINT_BYTES } else { 0 };
    // A static band is rows / size; a farm chunk rows / chunks.
    let most_rows = grid
        .row_count()
        .div_ceil(settings.chunks(size).min(size).max(1));
    let largest = per_point * grid.cols() * most_rows + MESSAGE_OVERHEAD;
    let in_flight = 2 * size + 2;
    largest * in_flight + MPI_OVERHEAD
}

/// Starts MPI and waits until every rank has called this, for a mistake
/// found before the job starts: no rank leaves early, so mpirun kills
/// none while rank 0 is still saying what was wrong.
pub fn wait_for_every_rank() {
    if let Some(universe) = mpi::initialize() {
        universe.world().barrier();
    }
}

/// The step binary as one rank of an MPI job. Rank 0 checks everything
/// the user gave before any rank works, then tells the others to start or
/// to end; a rank that panics aborts the whole job, naming itself.
pub fn main(
    common: &CommonArgs,
    settings: &Settings,
    code: &RankFn,
    fail_rank: Option<usize>,
    variant: Variant,
) -> ExitCode {
    let Some(mut universe) = mpi::initialize() else {
        return UserError::bug("MPI was already started").report();
    };
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let grid = Grid::new(common.w, common.maxiter, settings.ship_points);
    universe.set_buffer_size(send_buffer_bytes(&grid, settings, size));
    std::panic::set_hook(Box::new(move |info| {
        let message = mandel_core::selfcheck::panic_message(info.payload());
        // One write, so that mpirun does not interleave it with another
        // rank's output.
        let line = format!("error: rank {rank} of {size} panicked: {message}; aborting the job\n");
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        // Exiting without MPI_Finalize makes mpirun end every rank. (Open
        // MPI 4.1.4's MPI_Abort did too, but then mpirun itself crashed or
        // hung in 9 of 20 runs here; after an exit, in 2 of about 85.)
        std::process::exit(1);
    }));
    let comm = MpiRanks {
        world,
        traffic: RefCell::new(Traffic::default()),
    };
    let chunks = settings.chunks(size);
    if rank != 0 {
        let (word, _) = comm
            .world
            .process_at_rank(0)
            .receive_with_tag::<u8>(CONTROL);
        if word == 0 {
            return ExitCode::from(2);
        }
        code(&comm, &grid, settings.strategy, chunks);
        return ExitCode::SUCCESS;
    }

    let tell_all = |word: u8| {
        for other in 1..size {
            comm.world
                .process_at_rank(other as i32)
                .send_with_tag(&word, CONTROL);
        }
    };
    if let Some(rank) = fail_rank.filter(|&r| r >= size) {
        tell_all(0);
        return UserError::new(format!("--fail-rank {rank}: there is no such rank")).report();
    }
    common.say(format_args!(
        "{size} rank{}, MPI processes; {}",
        if size == 1 { "" } else { "s" },
        settings.describe(size)
    ));
    let started = std::cell::Cell::new(false);
    let finished = std::cell::Cell::new(false);
    let exit = run::run(&STEP, variant, common, |_| {
        // Everything the user gave is checked by now.
        tell_all(1);
        started.set(true);
        let answer =
            code(&comm, &grid, settings.strategy, chunks).expect("rank 0 returns the answer");
        finished.set(true);
        answer
    });
    if !started.get() {
        // A mistake rank 0 found (an output it cannot write, a size too
        // big): the others end too.
        tell_all(0);
    } else if !finished.get() {
        // Rank 0's code failed while the others may be waiting for it.
        eprintln!("error: rank 0 of {size} failed; aborting the job");
        std::process::exit(1);
    } else {
        common.say(traffic_report(
            &comm.traffic(),
            size,
            grid.row_count() * grid.cols(),
        ));
    }
    exit
}
