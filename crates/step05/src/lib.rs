//! Step 05, multiprocess: multiprocessing/multi.py with rayon. Chunks, load
//! balance and scaling with cores, around step 04's fused kernel.

use std::time::{Duration, Instant};

use mandel_core::problem::group_digits;
use mandel_core::work::{self, Expectation, Spread};
use mandel_core::{Error, Isa, Launch, PeakOf, Step};
use rayon::prelude::*;
use step04::dispatch::{set_this_threads_isa, this_threads_isa};

#[path = "../../../solutions/step05/calculate_z.rs"]
pub mod solution;

pub const STEP: Step = Step {
    number: 5,
    name: "multiprocess",
    technique: "rayon over many chunks, work stealing",
    tutorial: "multiprocessing/multi.py",
    lesson: "step 04's kernel on many chunks in parallel with rayon, each chunk writing its own part of the answer",
    file: "calculate_z.rs",
    function: "calculate_z",
    // Step 04's dispatched kernel inside every chunk, in the exercise and
    // the reference alike: its arithmetic, its tolerance.
    tolerance: |_, isa| mandel_core::verify::tolerance_with(isa),
    instruction_set: |_, isa| isa.to_string(),
    stub: include_str!("../stub/calculate_z.rs"),
    solution: |p, isa| on_pool_at(isa, || solution::calculate_z(&p.re, &p.im, p.maxiter)),
    chapter_file: "step05-multi.md",
    chapter: include_str!("../../../docs/src/step05-multi.md"),
    availability: mandel_core::step::always_ready,
    launch: Launch::InProcess,
    peak: PeakOf::Cpu {
        threads: rayon::current_num_threads,
    },
    endless: "step 04's loop inside a chunk stopping only when every lane escapes, or a loop over the chunks that never moves on: stop after maxiter iterations, and step by a whole chunk",
    // Chunks joined in the order they finish: caught by the first run in
    // 300 of 300 checks on a 2-core machine kept busy beside it (the pool's
    // first pieces wait for company: `mandel_core::work`); the further runs
    // are a margin for machines not measured.
    self_check_runs: SELF_CHECK_RUNS,
};

/// How many times the self-check runs each problem ([`Step::self_check_runs`]).
pub const SELF_CHECK_RUNS: u32 = 3;

/// The chunk counts the self-check tries, one per problem in turn
/// (`mandel_core::selfcheck::pick`): `None` is the file's own
/// `calculate_z`; then one chunk, counts that cut the points unevenly, and
/// one chunk per point (`usize::MAX`, cut to the problem's points).
pub const SELF_CHECK_CHUNKS: [Option<usize>; 6] =
    [None, Some(1), Some(7), Some(64), Some(usize::MAX), Some(3)];

/// The threads of the rayon pool every self-check call runs on: the same
/// on every laptop, and more than a 2-core one has, so chunks finish out
/// of order as they can anywhere.
pub const SELF_CHECK_THREADS: usize = 4;

/// What the chapter says the self-check does, made from the definitions
/// above, so that the two cannot drift apart (a test holds the chapter to
/// it).
pub fn self_check_description() -> String {
    let counts: Vec<String> = SELF_CHECK_CHUNKS
        .iter()
        .map(|chunks| match chunks {
            None => "the file's own `calculate_z`".to_string(),
            Some(usize::MAX) => "one per point".to_string(),
            Some(n) => n.to_string(),
        })
        .collect();
    let (last, rest) = counts.split_last().expect("not empty");
    format!(
        "The self-check (`cargo test -p step05`, `status` and `watch` alike) runs your file {} times on each of its {} problems, on a pool of {SELF_CHECK_THREADS} of rayon's threads, one chunk count per problem in turn: {} and {last} chunks. The answer must match every time, and with more than one chunk at least two of the threads must have computed points.",
        SELF_CHECK_RUNS,
        mandel_core::selfcheck::SIZES.len(),
        rest.join(", "),
    )
}

/// What step 05's lesson asks of a call with more than one chunk.
pub const SPREAD: Expectation = Expectation {
    spread: Spread::Threads(2),
    workers: "rayon's threads",
    remedy: "hand the chunks to rayon (`.into_par_iter()` or `.par_iter()` on them, then `.map` or `.for_each`), so that its threads compute them at once",
};

/// Runs `kernel`, the attendee's code with `chunks` chunks (`None`: its
/// own count), as the self-check runs it: inside a check, on a fresh pool
/// of [`SELF_CHECK_THREADS`] whose threads count their work toward the
/// check's tally, expecting it spread over two of them; outside one (the
/// binary's timed run), as it is.
pub fn as_self_checked(
    chunks: Option<usize>,
    kernel: impl FnOnce() -> Vec<u32> + Send,
) -> Vec<u32> {
    let Some(tally) = work::current() else {
        return kernel();
    };
    if chunks != Some(1) {
        work::expect(SPREAD);
    }
    let isa = this_threads_isa();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(SELF_CHECK_THREADS)
        .thread_name(|i| format!("self-check-{i}"))
        // Worker 0 is the check's own thread.
        .start_handler(move |index| {
            set_this_threads_isa(isa);
            work::join(tally.clone(), index + 1)
        })
        .build()
        .unwrap_or_else(|e| {
            panic!("cannot start the self-check's {SELF_CHECK_THREADS} threads: {e}")
        });
    pool.install(kernel)
}

/// How long one chunk took, and on which of rayon's threads.
#[derive(Debug, Clone)]
pub struct ChunkTime {
    pub points: usize,
    pub thread: usize,
    pub took: Duration,
}

/// The solution's chunked run, timing every chunk: what explains a poor
/// speedup is how unevenly the chunks' work falls on the threads.
pub fn timed_chunks(
    re: &[f64],
    im: &[f64],
    maxiter: u32,
    chunks: usize,
) -> (Vec<u32>, Vec<ChunkTime>) {
    let mut output = vec![0; re.len()];
    let times = solution::chunk_parts(&mut output, chunks)
        .into_par_iter()
        .map(|(range, part)| {
            let start = Instant::now();
            let points = range.len();
            step04::dispatch::calculate_z_blocks_into(
                &re[range.clone()],
                &im[range],
                maxiter,
                step04::dispatch::BLOCK,
                part,
            );
            ChunkTime {
                points,
                thread: rayon::current_thread_index().unwrap_or(0),
                took: start.elapsed(),
            }
        })
        .collect();
    (output, times)
}

/// The same chunks joined as multi.py joined them: each chunk's answer in
/// a vector of its own, then all copied into one. Beside
/// [`solution::calculate_z_chunks`], which writes in place, it shows what
/// the copy costs (`lab scaling`).
pub fn joined_chunks(re: &[f64], im: &[f64], maxiter: u32, chunks: usize) -> Vec<u32> {
    solution::chunk_ranges(re.len(), chunks)
        .into_par_iter()
        .map(|range| {
            step04::dispatch::calculate_z_blocks(
                &re[range.clone()],
                &im[range],
                maxiter,
                step04::dispatch::BLOCK,
            )
        })
        .collect::<Vec<Vec<u32>>>()
        .concat()
}

/// Bytes each chunk holds beside the grid while it runs: its range and
/// its part of the answer (two words each), and rayon's job for it.
pub const CHUNK_BYTES: u128 = 128;

/// Refuses more chunks than the grid of `w` has points: every chunk needs
/// one. The binary and the scaling experiment both ask before any work.
pub fn check_chunks(chunks: usize, points: usize, w: u64) -> Result<(), Error> {
    if chunks <= points {
        return Ok(());
    }
    Err(Error::mistake(format!(
        "--chunks {chunks} is more chunks than the {} points of w = {w}",
        group_digits(points as u128)
    )))
}

/// Runs `f` on a rayon pool of `threads` threads (or the global pool, which
/// follows `RAYON_NUM_THREADS`, when `None`).
pub fn with_threads<R: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> R + Send,
) -> Result<R, Error> {
    let isa = this_threads_isa();
    match threads {
        None => Ok(on_pool_at(isa, f)),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .start_handler(move |_| set_this_threads_isa(isa))
            .build()
            .map(|pool| pool.install(f))
            // Within the limits checked before (mandel_core::limits),
            // a pool that cannot start is a machine short of threads.
            .map_err(|e| Error::missing(format!("cannot start {n} threads here: {e}; try fewer"))),
    }
}

/// Runs `f` on rayon's threads with step 04's kernel at `isa` in each:
/// rayon's own pool for the best instruction set (its threads' default),
/// else a pool of as many threads whose every thread is set to `isa`, made
/// once per instruction set so that a timed run does not pay for it.
pub fn on_pool_at<R: Send>(isa: Isa, f: impl FnOnce() -> R + Send) -> R {
    if isa == Isa::best() {
        return f();
    }
    static POOLS: [std::sync::OnceLock<rayon::ThreadPool>; 3] =
        [const { std::sync::OnceLock::new() }; 3];
    let index = Isa::ALL.iter().position(|&i| i == isa).expect("listed");
    let pool = POOLS[index].get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .thread_name(move |i| format!("{}-{i}", isa.flag()))
            .start_handler(move |_| set_this_threads_isa(isa))
            .build()
            .expect("a pool the size of rayon's own starts as rayon's did")
    });
    step04::dispatch::dispatching_to(isa, || pool.install(f))
}
