//! Step 05, multiprocess: the tutorial's multiprocessing/multi.py, with
//! rayon, around step 04's fused kernel (used from step 04, not copied, at
//! the best instruction set this CPU has: see the step 04 chapter).
//!
//! multi.py cut the points into chunks, one per CPU, had a pool of worker
//! processes compute them, and joined the results in order. Threads share
//! memory, so rayon needs no pickling: each chunk reads its points where
//! they lie and writes its answers where they belong.
//!
//! Mandelbrot's rows are uneven (points inside the set cost `maxiter`
//! iterations, points far outside cost one), so a few big chunks balance
//! badly: the thread with the set's middle works on while the others wait.
//! Many small chunks, handed out by rayon's work stealing to whichever
//! thread is free, fix that.

use std::ops::Range;

use rayon::prelude::*;
use step04::dispatch::{calculate_z_blocks_into, BLOCK};

/// Chunks per thread by default: enough that the uneven rows even out,
/// few enough that each chunk is still thousands of points.
pub const CHUNKS_PER_THREAD: usize = 64;

/// Every point, in parallel over rayon's threads, in many small chunks.
pub fn calculate_z(re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
    let chunks = rayon::current_num_threads() * CHUNKS_PER_THREAD;
    calculate_z_chunks(re, im, maxiter, chunks)
}

/// Every point, cut into `chunks` contiguous chunks that rayon computes in
/// parallel. Each chunk writes its own part of the answer: nothing to send
/// back, nothing to join or copy.
pub fn calculate_z_chunks(re: &[f64], im: &[f64], maxiter: u32, chunks: usize) -> Vec<u32> {
    let mut output = vec![0; re.len()];
    chunk_parts(&mut output, chunks)
        .into_par_iter()
        .for_each(|(range, part)| {
            calculate_z_blocks_into(&re[range.clone()], &im[range], maxiter, BLOCK, part)
        });
    output
}

/// `output` cut as [`chunk_ranges`] cuts the points: each range with the
/// part of `output` it fills. Disjoint `&mut` parts are what let threads
/// write into one answer at once.
pub fn chunk_parts(output: &mut [u32], chunks: usize) -> Vec<(Range<usize>, &mut [u32])> {
    let mut rest = output;
    chunk_ranges(rest.len(), chunks)
        .into_iter()
        .map(|range| {
            let (part, tail) = std::mem::take(&mut rest).split_at_mut(range.len());
            rest = tail;
            (range, part)
        })
        .collect()
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
