//! Ranks as MPI processes, under `mpirun` (built with `--features mpi`):
//! the same rank code as with threads, over MPI's point-to-point messages.

use std::cell::RefCell;
use std::process::ExitCode;

use mandel_core::run::{self, CommonArgs};
use mandel_core::{Error, Variant};
use mpi::request::{Request, StaticScope};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::comm::{Comm, Grid, Message, Traffic, ANSWER_BYTES_PER_POINT, SHIPPED_BYTES_PER_POINT};
use crate::{traffic_report, RankFn, Settings, STEP};

/// Tag of the rank code's messages.
const WORK: i32 = 0;
/// Tag of rank 0's word before any work: start (1) or end (0).
const CONTROL: i32 = 1;

/// MPI's world as a [`Comm`].
pub struct MpiRanks {
    world: SimpleCommunicator,
    traffic: RefCell<Traffic>,
    /// A message being received while this rank works on: see
    /// [`Comm::try_receive_any`].
    arriving: RefCell<Option<Arriving>>,
}

/// A receive under way (`MPI_Imrecv`): its sender, and the buffer MPI
/// writes into, which is ours again once the request completes.
struct Arriving {
    sender: usize,
    request: Request<'static, [u8], StaticScope>,
    buffer: *mut [u8],
}

impl Arriving {
    /// The message, once MPI has all of it; else the receive, moved on
    /// by this call.
    fn test(self) -> Result<(usize, Vec<u8>), Arriving> {
        let Arriving {
            sender,
            request,
            buffer,
        } = self;
        match request.test() {
            Ok(_) => Ok((sender, Self::taken_back(buffer))),
            Err(request) => Err(Arriving {
                sender,
                request,
                buffer,
            }),
        }
    }

    fn wait(self) -> (usize, Vec<u8>) {
        self.request.wait();
        (self.sender, Self::taken_back(self.buffer))
    }

    /// The buffer, after its request completed.
    fn taken_back(buffer: *mut [u8]) -> Vec<u8> {
        // SAFETY: `buffer` came from `Box::leak` in `try_receive_any`, and
        // MPI is done with it (its request completed and is consumed).
        unsafe { Box::from_raw(buffer) }.into_vec()
    }
}

impl MpiRanks {
    fn received(&self, sender: usize, bytes: Vec<u8>) -> (usize, Message) {
        let message = Message::decode(&bytes);
        self.traffic
            .borrow_mut()
            .count_received(sender, bytes.len(), &message);
        (sender, message)
    }

    /// The message under way, waiting for the rest of it, if there is one
    /// (and, with `from`, if it is from that rank: messages from one rank
    /// arrive in the order sent, so it comes before any other of theirs).
    fn finish_arriving(&self, from: Option<usize>) -> Option<(usize, Message)> {
        let mut arriving = self.arriving.borrow_mut();
        if from.is_some_and(|from| arriving.as_ref().is_some_and(|a| a.sender != from)) {
            return None;
        }
        let (sender, bytes) = arriving.take()?.wait();
        drop(arriving);
        Some(self.received(sender, bytes))
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
        self.traffic.borrow_mut().count_sent(to, bytes.len());
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
        if let Some(received) = self.finish_arriving(None) {
            return received;
        }
        let (bytes, status) = self.world.any_process().receive_vec_with_tag::<u8>(WORK);
        self.received(status.source_rank() as usize, bytes)
    }

    fn receive_from(&self, from: usize) -> Message {
        if let Some((_, message)) = self.finish_arriving(Some(from)) {
            return message;
        }
        let (bytes, _) = self
            .world
            .process_at_rank(from as i32)
            .receive_vec_with_tag::<u8>(WORK);
        self.received(from, bytes).1
    }

    /// Over a network a large message takes a while to arrive, and a
    /// blocking receive would stop this rank for all of it (the manager
    /// stopped computing for each 2 MB answer over 100 Mbit/s). So the
    /// message is received in the background, moved on by each call,
    /// and returned once complete.
    fn try_receive_any(&self) -> Option<(usize, Message)> {
        let mut arriving = self.arriving.borrow_mut();
        if arriving.is_none() {
            let (probed, status) = self
                .world
                .any_process()
                .immediate_matched_probe_with_tag(WORK)?;
            let length = status.count(u8::equivalent_datatype()) as usize;
            // MPI writes into it until the request completes; the box is
            // taken back then (`Arriving::into_bytes`).
            let buffer: &'static mut [u8] = Box::leak(vec![0u8; length].into_boxed_slice());
            let pointer: *mut [u8] = buffer;
            // SAFETY: a reborrow of the leaked buffer, for MPI to write
            // into while the request lives; nothing else touches it then.
            let request =
                probed.immediate_matched_receive_into(StaticScope, unsafe { &mut *pointer });
            *arriving = Some(Arriving {
                sender: status.source_rank() as usize,
                request,
                buffer: pointer,
            });
        }
        match arriving.take()?.test() {
            Ok((sender, bytes)) => {
                drop(arriving);
                Some(self.received(sender, bytes))
            }
            Err(still) => {
                *arriving = Some(still);
                None
            }
        }
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
    /// A message's own fields beside its data (tag, chunk, rows), rounded up.
    const MESSAGE_OVERHEAD: usize = 1024;
    /// What MPI keeps for itself in an attached buffer, and then some.
    const MPI_OVERHEAD: usize = 1 << 20;
    let per_point = ANSWER_BYTES_PER_POINT
        + if settings.ship_points {
            SHIPPED_BYTES_PER_POINT
        } else {
            0
        };
    // A static band is rows / size; a farm chunk rows / chunks.
    let most_rows = grid
        .row_count()
        .div_ceil(settings.chunks(size).min(size).max(1));
    let largest = per_point * grid.cols() * most_rows + MESSAGE_OVERHEAD;
    let in_flight = 2 * size + 2;
    largest * in_flight + MPI_OVERHEAD
}

/// The longest host name [`gather_hosts`] keeps (MPI's own limit is 256).
const HOST_NAME_BYTES: usize = 256;

/// Every rank's host (`MPI_Get_processor_name`), at rank 0 (empty
/// elsewhere): for the traffic per host.
fn gather_hosts(world: &SimpleCommunicator, host: &str) -> Vec<String> {
    let mut mine = [0u8; HOST_NAME_BYTES];
    let length = host.len().min(HOST_NAME_BYTES);
    mine[..length].copy_from_slice(&host.as_bytes()[..length]);
    let root = world.process_at_rank(0);
    if world.rank() != 0 {
        root.gather_into(&mine[..]);
        return Vec::new();
    }
    let mut all = vec![0u8; HOST_NAME_BYTES * world.size() as usize];
    root.gather_into_root(&mine[..], &mut all[..]);
    all.chunks(HOST_NAME_BYTES)
        .map(|name| {
            let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
            String::from_utf8_lossy(&name[..end]).into_owned()
        })
        .collect()
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
        return Error::bug("MPI was already started").report();
    };
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let grid = Grid::new(common.w, common.maxiter, settings.ship_points);
    universe.set_buffer_size(send_buffer_bytes(&grid, settings, size));
    let host = mpi::environment::processor_name().unwrap_or_default();
    let hosts = gather_hosts(&world, &host);
    std::panic::set_hook(Box::new(move |info| {
        let message = mandel_core::selfcheck::panic_message(info.payload());
        // One write, so that mpirun does not interleave it with another
        // rank's output.
        let line = format!(
            "error: rank {rank} of {size} panicked on {host}: {message}; aborting the job\n"
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        // Exiting without MPI_Finalize makes mpirun end every rank. (Open
        // MPI 4.1.4's MPI_Abort did too, but then mpirun itself crashed or
        // hung in 9 of 20 runs here; after an exit, in 2 of about 85.)
        std::process::exit(1);
    }));
    let comm = MpiRanks {
        world,
        traffic: RefCell::new(Traffic::default()),
        arriving: RefCell::new(None),
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
        return Error::mistake(format!("--fail-rank {rank}: there is no such rank")).report();
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
            Some(&hosts),
        ));
    }
    exit
}
