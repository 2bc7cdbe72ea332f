//! Step 06, distributed: the tutorial's ParallelPython scripts, with MPI.
//! Ranks that share nothing but messages; a static split and a task farm;
//! the bytes on the wire.

// The solution and the exercise both name this crate `step06`, whether
// they are compiled into its library or its binary.
extern crate self as step06;

use mandel_core::work::{self, Expectation, Spread};
use mandel_core::{Launch, PeakOf, Problem, Step};

pub mod comm;
#[cfg(feature = "mpi")]
pub mod mpi_ranks;

use comm::{Comm, Grid, ThreadRanks, Traffic};

#[path = "../../../solutions/step06/calculate_z.rs"]
pub mod solution;

pub const STEP: Step = Step {
    number: 6,
    name: "distributed",
    technique: "MPI ranks: static split, task farm",
    tutorial: "parallelpython_*",
    lesson: "ranks that share nothing but messages: a static split and a task farm, with the bytes they send",
    file: "calculate_z.rs",
    function: "calculate_z",
    // Step 04's dispatched kernel in every chunk: its arithmetic.
    tolerance: |_, isa| mandel_core::verify::tolerance_with(isa),
    instruction_set: |_, isa| isa.to_string(),
    stub: include_str!("../stub/calculate_z.rs"),
    solution: |p, isa| {
        step04::dispatch::dispatching_to(isa, || {
            run_on_threads(&Settings::default(), p, solution::calculate_z).0
        })
    },
    chapter_file: "step06-distributed.md",
    chapter: include_str!("../../../docs/src/step06-distributed.md"),
    // Ranks as threads need nothing; `mpirun` is the way past one machine.
    availability: mandel_core::step::always_ready,
    launch: Launch::Processes {
        launcher: "mpirun -n",
        processes: 2,
    },
    peak: PeakOf::Cpu {
        threads: default_ranks,
    },
    endless: "a rank left waiting (a worker never told to stop, a reply never received), or a kernel loop that stops only on escape: every task handed out needs its answer, and every worker its stop",
    // Bands gathered in the order ranks finish: caught by the first run in
    // 300 of 300 checks on a 2-core machine kept busy beside it (rank 0's
    // first piece waits for another rank's: `mandel_core::work`); the
    // further runs are a margin for machines not measured.
    self_check_runs: 3,
};

/// What step 06's lesson asks of a self-check call on more than one rank.
pub const SPREAD: Expectation = Expectation {
    spread: Spread::BeyondWorkerZero,
    workers: "ranks",
    remedy: "rank 0 must hand work out (the farm: send each worker a task when it says it is ready; the static split: every rank computes its own band) and gather the answers from the messages",
};

/// How the ranks share out the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Strategy {
    /// Each rank takes its band of rows; rank 0 gathers them in order.
    Static,
    /// Rank 0 hands out chunks of rows as workers ask (ParallelPython's job server).
    #[default]
    Farm,
}

/// What every rank computes with: the code of the exercise or the
/// solution.
pub type RankCode = fn(&dyn Comm, &Grid, Strategy, usize) -> Option<Vec<u32>>;

/// [`RankCode`], or a closure around it (as [`failing`] makes).
pub type RankFn = dyn Fn(&dyn Comm, &Grid, Strategy, usize) -> Option<Vec<u32>> + Sync;

/// The run's settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Ranks as threads (default: one per CPU); under `mpirun`, MPI's.
    pub ranks: Option<usize>,
    pub strategy: Strategy,
    /// Chunks of rows in the farm (default: `chunks_per_worker` per rank).
    pub chunks: Option<usize>,
    /// The running file's `CHUNKS_PER_WORKER`: the exercise's or the
    /// solution's (the default).
    pub chunks_per_worker: usize,
    /// Tasks carry their points instead of their rows' index.
    pub ship_points: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ranks: None,
            strategy: Strategy::default(),
            chunks: None,
            chunks_per_worker: solution::CHUNKS_PER_WORKER,
            ship_points: false,
        }
    }
}

impl Settings {
    /// `strategy farm, 32 chunks`, for the run's first line.
    pub fn describe(&self, ranks: usize) -> String {
        let strategy = match self.strategy {
            Strategy::Static => "strategy static".to_string(),
            Strategy::Farm => format!("strategy farm, {} chunks", self.chunks(ranks)),
        };
        let shipped = if self.ship_points {
            ", points shipped with each task"
        } else {
            ""
        };
        format!("{strategy}{shipped}")
    }

    pub fn chunks(&self, ranks: usize) -> usize {
        self.chunks.unwrap_or(self.chunks_per_worker * ranks.max(1))
    }
}

/// Whether this process is one of an MPI job's (Open MPI, MPICH and Intel
/// MPI say so in the environment).
pub fn launched_by_mpirun() -> bool {
    rank_from_environment().is_some()
}

/// This process's rank as the MPI launcher set it, before MPI starts.
pub fn rank_from_environment() -> Option<usize> {
    ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"]
        .iter()
        .find_map(|name| std::env::var(name).ok()?.parse().ok())
}

/// One rank per CPU.
pub fn default_ranks() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `code` on ranks that are threads of this process; rank 0's answer
/// and traffic (every message goes to or from rank 0, so its traffic is
/// the whole run's).
pub fn run_on_threads(
    settings: &Settings,
    problem: &Problem,
    code: impl Fn(&dyn Comm, &Grid, Strategy, usize) -> Option<Vec<u32>> + Sync,
) -> (Vec<u32>, Traffic) {
    let ranks = settings.ranks.unwrap_or_else(default_ranks);
    let grid = Grid::new(problem.w, problem.maxiter, settings.ship_points);
    let chunks = settings.chunks(ranks);
    // In a self-check, the work must not all stay on rank 0.
    if ranks > 1 && grid.row_count() > 1 {
        work::expect(SPREAD);
    }
    let (answer, traffic) =
        ThreadRanks::run(ranks, |comm| code(comm, &grid, settings.strategy, chunks));
    (answer.expect("rank 0 returns the answer"), traffic)
}

/// `code`, but rank `fail` panics first: how the tests (`--fail-rank`)
/// show that a failing rank ends the job instead of hanging it.
pub fn failing(
    fail: Option<usize>,
    code: RankCode,
) -> impl Fn(&dyn Comm, &Grid, Strategy, usize) -> Option<Vec<u32>> + Sync {
    move |comm, grid, strategy, chunks| {
        if fail == Some(comm.rank()) {
            panic!("--fail-rank {}: this rank fails on purpose", comm.rank());
        }
        code(comm, grid, strategy, chunks)
    }
}

/// The run's traffic in words: messages and bytes, and each rank's share
/// of the points; with `hosts` (each rank's host, under MPI) spread over
/// more than one host, the bytes each host sent to rank 0 and received
/// from it, which is what crosses the network.
pub fn traffic_report(
    traffic: &Traffic,
    ranks: usize,
    points: usize,
    hosts: Option<&[String]>,
) -> String {
    use mandel_core::problem::{bytes_text, group_digits};
    let others: u64 = traffic.points_from.iter().sum();
    let mut work = vec![format!(
        "rank 0 {}",
        group_digits((points as u64).saturating_sub(others))
    )];
    for rank in 1..ranks {
        let points = traffic.points_from.get(rank).copied().unwrap_or(0);
        work.push(format!("rank {rank} {}", group_digits(points)));
    }
    let mut report = format!(
        "Traffic: {} messages ({}) sent and {} ({}) received by rank 0, the whole run's.\nPoints computed: {}.",
        group_digits(traffic.messages_sent),
        bytes_text(traffic.bytes_sent),
        group_digits(traffic.messages_received),
        bytes_text(traffic.bytes_received),
        work.join(", ")
    );
    if let Some(hosts) = hosts.filter(|hosts| hosts.iter().any(|h| *h != hosts[0])) {
        report.push_str("\nPer host, to and from rank 0 over the network: ");
        report.push_str(&per_host(traffic, hosts).join("; "));
        report.push('.');
    }
    report
}

/// Each host's ranks, and the bytes they sent to rank 0 and received from
/// it, in the order the hosts first appear.
fn per_host(traffic: &Traffic, hosts: &[String]) -> Vec<String> {
    use mandel_core::problem::bytes_text;
    let at = |counts: &[u64], rank: usize| counts.get(rank).copied().unwrap_or(0);
    let mut names: Vec<&String> = Vec::new();
    for host in hosts {
        if !names.contains(&host) {
            names.push(host);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let ranks: Vec<usize> = (0..hosts.len()).filter(|&r| hosts[r] == *name).collect();
            let listed = ranks
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let plural = if ranks.len() == 1 { "" } else { "s" };
            if ranks.contains(&0) {
                return format!("{name} (rank{plural} {listed}): rank 0's own");
            }
            let sent: u64 = ranks.iter().map(|&r| at(&traffic.bytes_from, r)).sum();
            let received: u64 = ranks.iter().map(|&r| at(&traffic.bytes_to, r)).sum();
            format!(
                "{name} (rank{plural} {listed}) sent {}, received {}",
                bytes_text(sent),
                bytes_text(received)
            )
        })
        .collect()
}
