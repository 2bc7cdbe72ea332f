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
//!
//! Your task: the farm's two loops, `manager` and `worker` below (the
//! static split is written). The messages are `step06::comm::Message`:
//! `Ready`, `Task { chunk, rows, points }`, `Answer { chunk, counts }` and
//! `Stop`. Then `cargo test -p step06`, and
//! `cargo run --release -p step06 -- 4000 1000 --ranks 2`.
//! Stuck? `cargo run -- hint 6`, and docs/src/step06-distributed.md.
//!
//! Core (20 minutes; in the three-hour plan this step is a demo, and the
//! exercise is for those ahead or for after the day): `worker`, then
//! `manager` as the simple farm (hints 1-5).
//! Optional (if you finish early): the manager computes chunks itself
//! while no message waits, and keeps two tasks with each worker (hint 6).

use std::ops::Range;

use step04::dispatch::{calculate_z_blocks_into, BLOCK};
use step05::solution::chunk_ranges;
use step06::comm::{Comm, Grid, Message};
use step06::Strategy;

/// Chunks per worker by default: the tutorial's write-up advised 16 or
/// more, up to 256.
pub const CHUNKS_PER_WORKER: usize = 16;

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

/// Rank 0 in the farm: hands chunks to workers as they ask, and places
/// each answer by its chunk.
pub fn manager(comm: &dyn Comm, grid: &Grid, chunks: usize) -> Vec<u32> {
    // 1. `let ranges = chunk_ranges(grid.row_count(), chunks);` are the
    //    chunks, in order; `let mut output = vec![0; grid.row_count() * grid.cols()];`
    //    is the answer. Chunk `c`'s counts go to
    //    `output[ranges[c].start * cols..ranges[c].end * cols]`.
    // 2. With one rank (`comm.size() == 1`) there are no workers: compute
    //    every chunk here with `compute(grid, &range, &[])` and return.
    // 3. Otherwise loop until every chunk is answered and every worker
    //    stopped: `let (worker, message) = comm.receive_any();`
    //    - `Message::Answer { chunk, counts }`: place the counts;
    //    - then (for `Ready` too) send that worker the next chunk,
    //      `comm.send(worker, &grid.task(next, ranges[next].clone()))`,
    //      or, when none is left, `comm.send(worker, &Message::Stop)`.
    // 4. Return `output`.
    //
    // Then delete the line below.
    todo!()
}

/// A worker in the farm: asks for work, computes each task and sends its
/// answer back, until told to stop.
pub fn worker(comm: &dyn Comm, grid: &Grid) {
    // 1. Ask: `comm.send(0, &Message::Ready);`
    // 2. Loop on `comm.receive_from(0)`:
    //    - `Message::Task { chunk, rows, points }`: the counts are
    //      `compute(grid, &rows, &points)`; send them back as
    //      `Message::Answer { chunk, counts }` to rank 0;
    //    - `Message::Stop`: return.
    //
    // Then delete the line below.
    todo!()
}
