//! Step 06, distributed: the tutorial's ParallelPython scripts, with MPI.
//!
//! Ranks share nothing: each is its own process (under `mpirun`), maybe on
//! another machine, and all they know of each other is the messages they
//! send. Every rank runs this same code; `comm.rank()` says which part it
//! plays. Two ways to share the rows out:
//!
//! - the static split: each rank takes its band of rows and sends its
//!   answer to rank 0, which joins them in rank order;
//! - the task farm, as ParallelPython's job server did: rank 0 (the
//!   manager) hands out chunks of rows to workers as they ask, and places
//!   each answer by its chunk's index, whoever finished first.
//!
//! Inside each chunk runs step 04's kernel, from the `step04` crate.

use std::ops::Range;

use step04::dispatch::{calculate_z_blocks_into, BLOCK};
use step05::solution::chunk_ranges;
use step06::comm::{Comm, Grid, Message};
use step06::Strategy;

/// Chunks per worker by default: the tutorial's write-up advised 16 or
/// more, up to 256.
pub const CHUNKS_PER_WORKER: usize = 16;

/// Tasks a worker holds at once: the one it computes and the next, so it
/// never waits for the manager between them.
pub const IN_FLIGHT: usize = 2;

/// Rows the manager computes between looks for messages: a worker's
/// answer waits for the manager to receive it (over MPI a large message
/// moves only when both ranks are in MPI), so the manager looks often.
/// (Measured on `8000 2000` under `mpirun -n 2`: 2 to 8 rows alike.)
const POLL_ROWS: usize = 4;

/// Every rank calls this; rank 0 returns the whole answer, the others
/// `None`.
pub fn calculate_z(
    comm: &dyn Comm,
    grid: &Grid,
    strategy: Strategy,
    chunks: usize,
) -> Option<Vec<u32>> {
    match strategy {
        Strategy::Static => static_split(comm, grid),
        Strategy::Farm if comm.rank() == 0 => Some(manager(comm, grid, chunks)),
        Strategy::Farm => {
            worker(comm, grid);
            None
        }
    }
}

/// The counts of `rows`' points, computed here with step 04's kernel: from
/// the points a task shipped, or from points made here a few rows at a
/// time (a whole band's at once would be a large allocation for nothing).
pub fn compute(grid: &Grid, rows: &Range<usize>, points: &[f64]) -> Vec<u32> {
    let cols = grid.cols();
    let mut counts = vec![0; rows.len() * cols];
    if !points.is_empty() {
        let (re, im) = grid.points_of(rows, points);
        calculate_z_blocks_into(&re, &im, grid.maxiter, BLOCK, &mut counts);
        return counts;
    }
    for (first, out) in rows
        .clone()
        .step_by(ROWS_AT_ONCE)
        .zip(counts.chunks_mut(ROWS_AT_ONCE * cols))
    {
        let (re, im) = grid.rows(first..(first + ROWS_AT_ONCE).min(rows.end));
        calculate_z_blocks_into(&re, &im, grid.maxiter, BLOCK, out);
    }
    counts
}

/// Rows whose points [`compute`] makes at once.
const ROWS_AT_ONCE: usize = 16;

/// Each rank computes its own band of rows; rank 0 gathers the bands in
/// rank order.
pub fn static_split(comm: &dyn Comm, grid: &Grid) -> Option<Vec<u32>> {
    let bands = chunk_ranges(grid.row_count(), comm.size());
    // More ranks than rows: the last ranks get none.
    let mine = bands.get(comm.rank()).cloned().unwrap_or(0..0);
    let counts = compute(grid, &mine, &[]);
    if comm.rank() != 0 {
        comm.send(
            0,
            &Message::Answer {
                chunk: comm.rank(),
                counts,
            },
        );
        return None;
    }
    let mut output = counts;
    output.reserve(grid.row_count() * grid.cols());
    for rank in 1..comm.size() {
        match comm.receive_from(rank) {
            Message::Answer { counts, .. } => output.extend(counts),
            other => panic!("rank 0 expected rank {rank}'s answer, not {other:?}"),
        }
    }
    Some(output)
}

/// Rank 0 in the farm: hands chunks to workers as they ask, places each
/// answer by its chunk, and computes chunks itself, a few rows at a time,
/// whenever no message is waiting (so a worker's answer never waits long).
pub fn manager(comm: &dyn Comm, grid: &Grid, chunks: usize) -> Vec<u32> {
    let cols = grid.cols();
    let ranges = chunk_ranges(grid.row_count(), chunks);
    let mut output = vec![0; grid.row_count() * cols];
    let mut place = |rows: &Range<usize>, counts: &[u32]| {
        output[rows.start * cols..rows.end * cols].copy_from_slice(counts);
    };
    let workers = comm.size() - 1;
    let mut in_flight = vec![0; comm.size()];
    let (mut next, mut answered, mut stopped) = (0, 0, 0);
    // The chunk the manager is working on, and its rows still to do.
    let mut own: Option<Range<usize>> = None;
    while answered < ranges.len() || stopped < workers {
        let (worker, message) = match comm.try_receive_any() {
            Some(received) => received,
            None if own.is_some() || next < ranges.len() => {
                // Nobody needs the manager: it works too.
                let rows = own.get_or_insert_with(|| {
                    next += 1;
                    ranges[next - 1].clone()
                });
                let piece = rows.start..(rows.start + POLL_ROWS).min(rows.end);
                place(&piece, &compute(grid, &piece, &[]));
                rows.start = piece.end;
                if rows.start == rows.end {
                    own = None;
                    answered += 1;
                }
                continue;
            }
            None => comm.receive_any(),
        };
        let wants = match message {
            Message::Ready => IN_FLIGHT,
            Message::Answer { chunk, counts } => {
                place(&ranges[chunk], &counts);
                answered += 1;
                in_flight[worker] -= 1;
                1
            }
            other => panic!("the manager got {other:?} from rank {worker}"),
        };
        for _ in 0..wants {
            if next < ranges.len() {
                comm.send(worker, &grid.task(next, ranges[next].clone()));
                in_flight[worker] += 1;
                next += 1;
            }
        }
        if in_flight[worker] == 0 {
            comm.send(worker, &Message::Stop);
            stopped += 1;
        }
    }
    output
}

/// A worker in the farm: asks for work, computes each task and sends its
/// answer back, until told to stop.
pub fn worker(comm: &dyn Comm, grid: &Grid) {
    comm.send(0, &Message::Ready);
    loop {
        match comm.receive_from(0) {
            Message::Task {
                chunk,
                rows,
                points,
            } => {
                let counts = compute(grid, &rows, &points);
                comm.send(0, &Message::Answer { chunk, counts });
            }
            Message::Stop => return,
            other => panic!("worker {} got {other:?}", comm.rank()),
        }
    }
}
