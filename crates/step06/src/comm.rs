//! Ranks and the messages between them: one trait for "a communicator",
//! with ranks as threads of this process ([`ThreadRanks`]) or, with the
//! `mpi` feature under `mpirun`, as MPI processes (`crate::mpi_ranks`).
//! Both carry the same bytes, so the traffic they report is the same.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ops::Range;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

use mandel_core::selfcheck::{catch, Panic};

/// What ranks say to each other in the task farm and the static split.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Worker to manager, first: give me work.
    Ready,
    /// Manager to worker: compute these rows (chunk `chunk` of the
    /// answer). `points` is empty when the worker makes the rows' points
    /// itself from their index (see [`Grid::rows`]); with `--ship-points`
    /// it holds them, the real parts then the imaginary parts, as the
    /// tutorial's job server shipped its lists.
    Task {
        chunk: usize,
        rows: Range<usize>,
        points: Vec<f64>,
    },
    /// Worker to manager: the counts of chunk `chunk`, in order. In the
    /// farm it also means "ready for more".
    Answer { chunk: usize, counts: Vec<u32> },
    /// Manager to worker: no more work; return.
    Stop,
    /// A rank failed: every rank that receives this ends too.
    Abort { rank: usize, why: String },
}

/// Bytes a point costs on the wire: its count in an answer (a u32), and
/// its coordinates in a task that ships them (two f64), as [`Message::encode`]
/// writes them.
pub const ANSWER_BYTES_PER_POINT: usize = std::mem::size_of::<u32>();
pub const SHIPPED_BYTES_PER_POINT: usize = 2 * std::mem::size_of::<f64>();

const READY: u8 = 1;
const TASK: u8 = 2;
const ANSWER: u8 = 3;
const STOP: u8 = 4;
const ABORT: u8 = 5;

impl Message {
    /// The bytes that go over the wire: a tag, then the fields as
    /// little-endian numbers.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        let word = |bytes: &mut Vec<u8>, n: usize| bytes.extend((n as u64).to_le_bytes());
        match self {
            Message::Ready => bytes.push(READY),
            Message::Task {
                chunk,
                rows,
                points,
            } => {
                bytes.push(TASK);
                for n in [*chunk, rows.start, rows.end, points.len()] {
                    word(&mut bytes, n);
                }
                bytes.extend(points.iter().flat_map(|p| p.to_le_bytes()));
            }
            Message::Answer { chunk, counts } => {
                bytes.push(ANSWER);
                word(&mut bytes, *chunk);
                word(&mut bytes, counts.len());
                bytes.extend(counts.iter().flat_map(|c| c.to_le_bytes()));
            }
            Message::Stop => bytes.push(STOP),
            Message::Abort { rank, why } => {
                bytes.push(ABORT);
                word(&mut bytes, *rank);
                bytes.extend(why.as_bytes());
            }
        }
        bytes
    }

    /// The message `bytes` encode. Ranks run the same program, so a bad
    /// message is a bug: it panics, which ends the job.
    pub fn decode(bytes: &[u8]) -> Message {
        let (tag, mut rest) = bytes.split_first().expect("a message has a tag");
        let mut word = || {
            let (head, tail) = rest.split_at(8);
            rest = tail;
            u64::from_le_bytes(head.try_into().expect("8 bytes")) as usize
        };
        match *tag {
            READY => Message::Ready,
            TASK => {
                let (chunk, start, end, len) = (word(), word(), word(), word());
                assert_eq!(rest.len(), 8 * len, "a task's points");
                let points = rest
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect();
                Message::Task {
                    chunk,
                    rows: start..end,
                    points,
                }
            }
            ANSWER => {
                let (chunk, len) = (word(), word());
                assert_eq!(rest.len(), 4 * len, "an answer's counts");
                let counts = rest
                    .chunks_exact(4)
                    .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
                    .collect();
                Message::Answer { chunk, counts }
            }
            STOP => Message::Stop,
            ABORT => {
                let rank = word();
                Message::Abort {
                    rank,
                    why: String::from_utf8_lossy(rest).into_owned(),
                }
            }
            other => panic!("a message with an unknown tag {other}"),
        }
    }
}

/// Messages and bytes one rank sent and received, by the rank at the
/// other end, and the points each other rank answered for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Traffic {
    pub messages_sent: u64,
    pub bytes_sent: u64,
    pub messages_received: u64,
    pub bytes_received: u64,
    /// Per receiving rank: bytes sent to it.
    pub bytes_to: Vec<u64>,
    /// Per sending rank: bytes received from it.
    pub bytes_from: Vec<u64>,
    /// Per sending rank: points in the answers received from it.
    pub points_from: Vec<u64>,
}

/// Adds `n` to `counts[rank]`, growing it as needed.
fn add_at(counts: &mut Vec<u64>, rank: usize, n: u64) {
    if counts.len() <= rank {
        counts.resize(rank + 1, 0);
    }
    counts[rank] += n;
}

impl Traffic {
    /// Counts a message received from `sender`.
    pub fn count_received(&mut self, sender: usize, bytes: usize, message: &Message) {
        self.messages_received += 1;
        self.bytes_received += bytes as u64;
        add_at(&mut self.bytes_from, sender, bytes as u64);
        if let Message::Answer { counts, .. } = message {
            add_at(&mut self.points_from, sender, counts.len() as u64);
        }
    }

    /// Counts a message sent to `receiver`.
    pub fn count_sent(&mut self, receiver: usize, bytes: usize) {
        self.messages_sent += 1;
        self.bytes_sent += bytes as u64;
        add_at(&mut self.bytes_to, receiver, bytes as u64);
    }
}

/// A communicator: this rank's place among `size` ranks, and messages to
/// and from the others.
pub trait Comm {
    /// This rank, from 0 (the manager, which gathers the answer).
    fn rank(&self) -> usize;
    /// How many ranks there are.
    fn size(&self) -> usize;
    fn send(&self, to: usize, message: &Message);
    /// The next message from any rank, with the rank that sent it.
    fn receive_any(&self) -> (usize, Message);
    /// The next message from rank `from` (others wait their turn).
    fn receive_from(&self, from: usize) -> Message;
    /// A message from any rank if one has arrived, without waiting.
    fn try_receive_any(&self) -> Option<(usize, Message)>;
    /// What this rank has sent and received so far.
    fn traffic(&self) -> Traffic;
}

/// The problem as every rank knows it: the grid's axes, from which a rank
/// makes any row's points from the row's index, and whether tasks carry
/// the points instead.
#[derive(Debug, Clone)]
pub struct Grid {
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub maxiter: u32,
    /// `--ship-points`: tasks carry their points.
    pub ship_points: bool,
}

impl Grid {
    pub fn new(w: u64, maxiter: u32, ship_points: bool) -> Grid {
        let (xs, ys) = mandel_core::problem::axes(w);
        Grid {
            xs,
            ys,
            maxiter,
            ship_points,
        }
    }

    pub fn row_count(&self) -> usize {
        self.ys.len()
    }

    /// Points per row.
    pub fn cols(&self) -> usize {
        self.xs.len()
    }

    /// The real and imaginary parts of `rows`' points, row-major, as the
    /// problem lays them out.
    pub fn rows(&self, rows: Range<usize>) -> (Vec<f64>, Vec<f64>) {
        let mut re = Vec::with_capacity(rows.len() * self.cols());
        let mut im = Vec::with_capacity(rows.len() * self.cols());
        for &y in &self.ys[rows] {
            re.extend_from_slice(&self.xs);
            im.extend(std::iter::repeat_n(y, self.xs.len()));
        }
        (re, im)
    }

    /// The task for chunk `chunk`, `rows`: with the points when they are
    /// shipped, else only the rows' index.
    pub fn task(&self, chunk: usize, rows: Range<usize>) -> Message {
        let points = if self.ship_points {
            let (mut re, im) = self.rows(rows.clone());
            re.extend(im);
            re
        } else {
            Vec::new()
        };
        Message::Task {
            chunk,
            rows,
            points,
        }
    }

    /// A task's points: shipped with it, or made here from the rows.
    pub fn points_of(&self, rows: &Range<usize>, points: &[f64]) -> (Vec<f64>, Vec<f64>) {
        if points.is_empty() {
            self.rows(rows.clone())
        } else {
            let (re, im) = points.split_at(points.len() / 2);
            (re.to_vec(), im.to_vec())
        }
    }
}

/// Bytes each rank as a thread holds per rank of the run: its sender to
/// each (16), whether each is gone and heard from (2), and the exit
/// notice each sends it, queued in its channel (48), rounded up. So `n`
/// ranks hold about `n * n` times this: the count the limit on `--ranks`
/// weighs (`mandel_core::limits::check_threads`).
pub const RANK_BYTES_PER_RANK: u64 = 80;

/// `size` ranks as threads of this process, joined by channels: what runs
/// without MPI, on any laptop, with the same rank code.
pub struct ThreadRanks {
    rank: usize,
    outboxes: Vec<Sender<(usize, Vec<u8>)>>,
    inbox: Receiver<(usize, Vec<u8>)>,
    /// Messages that arrived while this rank waited for another sender.
    early: RefCell<VecDeque<(usize, Vec<u8>)>>,
    /// Ranks that have returned (this one counts as gone: it cannot send
    /// to itself).
    gone: RefCell<Vec<bool>>,
    traffic: RefCell<Traffic>,
    /// Why this rank's communicator ended it, when it did: set just before
    /// it panics, so the failure is told apart by a value, not its words.
    ended: Cell<Option<Ended>>,
    /// Ranks heard from (a message or their exit), this one included.
    heard: RefCell<Vec<bool>>,
    /// Until when [`Comm::try_receive_any`] waits for a rank not yet heard
    /// from, rather than answer "nothing": threads on a busy laptop start
    /// late, and a manager that found no worker ready would compute
    /// everything itself, as no cluster's would.
    patient_until: Instant,
}

/// A rank's panic, and whether the communicator raised it.
type RankPanic = (Panic, Option<Ended>);

/// How the communicator ended a rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// Another rank failed first: this failure only follows it.
    Followed,
    /// The rank code broke the protocol; the message names the rank.
    Explained,
}

impl ThreadRanks {
    /// Runs `rank_code` on `size` ranks, each a thread with its own
    /// communicator; returns rank 0's result and traffic. A rank that
    /// panics aborts the others (they panic in their next receive, so none
    /// waits for ever), and the first failure is raised again here, naming
    /// its rank (a `todo!()` keeps its own words, so a stub reads as one).
    pub fn run<R: Send>(size: usize, rank_code: impl Fn(&dyn Comm) -> R + Sync) -> (R, Traffic) {
        let size = size.max(1);
        let tally = mandel_core::work::current();
        // Each rank runs step 04's kernel at this thread's instruction set.
        let isa = step04::dispatch::this_threads_isa();
        let (outboxes, inboxes): (Vec<_>, Vec<_>) = (0..size).map(|_| channel()).unzip();
        let mut results: Vec<Result<(R, Traffic), RankPanic>> = std::thread::scope(|scope| {
            let handles: Vec<_> = inboxes
                .into_iter()
                .enumerate()
                .map(|(rank, inbox)| {
                    let comm = ThreadRanks {
                        rank,
                        outboxes: outboxes.clone(),
                        inbox,
                        early: RefCell::new(VecDeque::new()),
                        gone: RefCell::new((0..size).map(|r| r == rank).collect()),
                        traffic: RefCell::new(Traffic::default()),
                        ended: Cell::new(None),
                        heard: RefCell::new((0..size).map(|r| r == rank).collect()),
                        patient_until: Instant::now() + mandel_core::work::COMPANY_WAIT,
                    };
                    let rank_code = &rank_code;
                    let tally = &tally;
                    scope.spawn(move || {
                        step04::dispatch::set_this_threads_isa(isa);
                        // A self-check counts each rank's work.
                        if let Some(tally) = tally {
                            mandel_core::work::join(tally.clone(), rank);
                        }
                        match catch(|| rank_code(&comm)) {
                            Ok(result) => {
                                comm.broadcast_exit();
                                Ok((result, comm.traffic()))
                            }
                            Err(panic) => {
                                let abort = Message::Abort {
                                    rank,
                                    why: panic.message.clone(),
                                };
                                for to in (0..size).filter(|&to| to != rank) {
                                    let _ = comm.outboxes[to].send((rank, abort.encode()));
                                }
                                Err((panic, comm.ended.get()))
                            }
                        }
                    })
                })
                .collect();
            drop(outboxes);
            handles
                .into_iter()
                .map(|h| h.join().expect("rank threads catch their panics"))
                .collect()
        });
        if let Some(failure) = first_failure(&results) {
            std::panic::resume_unwind(Box::new(failure));
        }
        results
            .swap_remove(0)
            .unwrap_or_else(|_| unreachable!("no rank failed"))
    }

    /// How much longer to wait for a rank not yet heard from, if any.
    fn patience_left(&self) -> Option<Duration> {
        let left = self.patient_until.saturating_duration_since(Instant::now());
        let unheard = self.heard.borrow().iter().any(|&h| !h);
        (unheard && !left.is_zero()).then_some(left)
    }

    /// Tells every other rank this one has returned, so none waits on it.
    fn broadcast_exit(&self) {
        for to in (0..self.size()).filter(|&to| to != self.rank) {
            let _ = self.outboxes[to].send((self.rank, Vec::new()));
        }
    }

    /// The next message, from `from` if given; panics (ending this rank)
    /// on an abort, or when no rank is left that could send one.
    fn next(&self, from: Option<usize>) -> (usize, Message) {
        self.next_if(from, true)
            .expect("a blocking receive returns a message")
    }

    /// [`Self::next`], or `None` at once when `wait` is false and nothing
    /// has arrived.
    fn next_if(&self, from: Option<usize>, wait: bool) -> Option<(usize, Message)> {
        let wanted = |sender: usize| from.is_none_or(|f| f == sender);
        loop {
            let early = self.early.borrow().iter().position(|(s, _)| wanted(*s));
            let (sender, bytes) = match early {
                Some(i) => self.early.borrow_mut().remove(i).expect("present"),
                None => {
                    let gone = self.gone.borrow();
                    let nobody_left = match from {
                        Some(f) => gone[f],
                        None => gone.iter().all(|&g| g),
                    };
                    if nobody_left && !wait {
                        return None;
                    }
                    if nobody_left {
                        self.ended.set(Some(Ended::Explained));
                        panic!(
                            "rank {} waits for a message from {}, but {} returned without sending one",
                            self.rank,
                            from.map_or("any rank".to_string(), |f| format!("rank {f}")),
                            from.map_or("every other rank".to_string(), |f| format!("rank {f}")),
                        );
                    }
                    drop(gone);
                    if wait {
                        self.inbox
                            .recv()
                            .expect("this rank holds a sender to itself")
                    } else {
                        match self.inbox.try_recv() {
                            Ok(received) => received,
                            Err(_) => match self.patience_left() {
                                Some(left) => match self.inbox.recv_timeout(left) {
                                    Ok(received) => received,
                                    Err(_) => return None,
                                },
                                None => return None,
                            },
                        }
                    }
                }
            };
            self.heard.borrow_mut()[sender] = true;
            if bytes.is_empty() {
                // An exit notice, not a message.
                self.gone.borrow_mut()[sender] = true;
                continue;
            }
            if !wanted(sender) {
                self.early.borrow_mut().push_back((sender, bytes));
                continue;
            }
            let message = Message::decode(&bytes);
            self.traffic
                .borrow_mut()
                .count_received(sender, bytes.len(), &message);
            return match message {
                Message::Abort { rank, why } => {
                    self.ended.set(Some(Ended::Followed));
                    panic!("rank {rank} failed: {why}")
                }
                message => Some((sender, message)),
            };
        }
    }
}

impl Comm for ThreadRanks {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.outboxes.len()
    }

    fn send(&self, to: usize, message: &Message) {
        let bytes = message.encode();
        self.traffic.borrow_mut().count_sent(to, bytes.len());
        // A rank that has ended drops its inbox; whoever waits on it hears
        // of the failure by itself.
        let _ = self.outboxes[to].send((self.rank, bytes));
    }

    fn receive_any(&self) -> (usize, Message) {
        self.next(None)
    }

    fn receive_from(&self, from: usize) -> Message {
        self.next(Some(from)).1
    }

    fn try_receive_any(&self) -> Option<(usize, Message)> {
        self.next_if(None, false)
    }

    fn traffic(&self) -> Traffic {
        self.traffic.borrow().clone()
    }
}

/// The failure that started it, as the text to raise: a rank's own panic
/// rather than one that followed another rank's abort.
fn first_failure<R>(results: &[Result<R, RankPanic>]) -> Option<String> {
    let failures: Vec<(usize, &Panic, Option<Ended>)> = results
        .iter()
        .enumerate()
        .filter_map(|(rank, r)| r.as_ref().err().map(|(p, ended)| (rank, p, *ended)))
        .collect();
    let (rank, cause, ended) = failures
        .iter()
        .find(|(_, _, ended)| *ended != Some(Ended::Followed))
        .or(failures.first())
        .copied()?;
    Some(if cause.is_stub() || ended.is_some() {
        cause.message.clone()
    } else {
        let on_line = cause
            .line
            .map(|n| format!(" on line {n}"))
            .unwrap_or_default();
        format!("rank {rank} panicked{on_line}: {}", cause.message)
    })
}
