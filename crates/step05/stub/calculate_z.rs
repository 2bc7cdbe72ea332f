//! Step 05, multiprocess: the tutorial's multiprocessing/multi.py, with
//! rayon, around step 04's fused kernel (used from step 04, not copied, at
//! the best instruction set this CPU has: see the step 04 chapter).
//!
//! multi.py cut the points into chunks, one per CPU, had a pool of worker
//! processes compute them, and joined the results in order. Threads share
//! memory, so rayon needs no pickling: each chunk reads its points where
//! they lie and writes its answers where they belong.
//!
//! Your task: write `calculate_z_chunks` below. Then `cargo test -p step05`,
//! and the time of `cargo run --release -p step05 -- 8000 2000 --threads 1`
//! against `--threads 2`. Stuck? `cargo run -- hint 5`, and docs/src/step05-multi.md.
//!
//! Core (everyone, 9 minutes): `calculate_z_chunks` multi.py's way, steps
//! 1-3 in the function: each chunk's answer from step 04's
//! `calculate_z_blocks`, in parallel, then joined in order with
//! `.concat()` (hints 1-3).
//! Optional (if you finish early): the in-place join, steps a-d below
//! them: one answer, cut into a `&mut` part per chunk (hints 4-8).

use std::ops::Range;

use rayon::prelude::*;
// The core calls `calculate_z_blocks`; the optional in-place join,
// `calculate_z_blocks_into`.
use step04::dispatch::{calculate_z_blocks, calculate_z_blocks_into, BLOCK};

/// Chunks per thread by default: one, as the write-up's multi.py has it
/// (`nbr_chunks = multiprocessing.cpu_count()`). The chapter shows what
/// more chunks do.
pub const CHUNKS_PER_THREAD: usize = 1;

/// Every point, in parallel over rayon's threads.
pub fn calculate_z(re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
    let chunks = rayon::current_num_threads() * CHUNKS_PER_THREAD;
    calculate_z_chunks(re, im, maxiter, chunks)
}

/// Every point, cut into `chunks` contiguous chunks that rayon computes in
/// parallel, their answers put together in the chunks' order.
pub fn calculate_z_chunks(re: &[f64], im: &[f64], maxiter: u32, chunks: usize) -> Vec<u32> {
    // The chunks, as their index ranges, in order:
    let ranges = chunk_ranges(re.len(), chunks);
    // Core, multi.py's way: each chunk's own answer, then the answers
    // joined in order.
    // 1. In parallel: `ranges.into_par_iter()`. rayon's threads steal
    //    chunks from each other as they finish.
    // 2. `.map` each range to its chunk's answer, step 04's kernel on it:
    //    `calculate_z_blocks(&re[range.clone()], &im[range], maxiter, BLOCK)`.
    // 3. `.collect::<Vec<Vec<u32>>>()`, which keeps the ranges' order
    //    whichever thread finished first, then `.concat()` the answers into
    //    one `Vec<u32>` and return it.
    //
    // Optional, once the core passes: the in-place join, no copy.
    // a. The answer, allocated once: `let mut output = vec![0; re.len()];`
    // b. One `&mut` part of `output` per range. Threads may each write into
    //    the one answer only through parts that do not overlap, and the
    //    borrow checker must see that they do not: `split_at_mut` cuts a
    //    `&mut [u32]` in two. Cut the parts off the front one range at a
    //    time, into a `Vec<(Range<usize>, &mut [u32])>`.
    // c. In parallel: `.into_par_iter()` on that Vec, then `.for_each` with
    //    step 04's kernel on the chunk, writing into its part:
    //    `calculate_z_blocks_into(&re[range.clone()], &im[range], maxiter, BLOCK, part)`.
    // d. Return `output`.
    //
    // Then delete the line below.
    todo!()
}

/// `len` points cut into `chunks` contiguous ranges whose sizes differ by
/// at most one, in order. (More chunks than points: one point each.)
pub fn chunk_ranges(len: usize, chunks: usize) -> Vec<Range<usize>> {
    let chunks = chunks.clamp(1, len.max(1));
    let (base, extra) = (len / chunks, len % chunks);
    let mut start = 0;
    (0..chunks)
        .map(|i| {
            let size = base + usize::from(i < extra);
            let range = start..start + size;
            start += size;
            range
        })
        .collect()
}
