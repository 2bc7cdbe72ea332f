//! Who did a self-check's work: the points step 04's kernel computed on
//! each thread a parallel step spread them over. Steps 05 and 06 teach
//! spreading work; a right answer computed on one thread misses that, and
//! wall-clock time on a busy laptop cannot tell (a serial step 05 ran
//! within 4% of the reference on a loaded 2-core machine). So the
//! self-check counts, per thread, what the kernel did.
//!
//! A [`Tally`] is opened around one kernel call of the self-check; the
//! threads a step starts for that call [`join`] it; step 04's kernel says
//! what it computed, a [`piece`] at a time; the step's own code says what its lesson
//! [`expect`]s. Outside a self-check nothing is open and every call here
//! costs one thread-local read.

use std::cell::RefCell;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How the step's lesson says its work must be spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spread {
    /// Over at least this many threads (step 05: rayon's).
    Threads(usize),
    /// Partly on a worker other than worker 0 (step 06: beyond rank 0).
    BeyondWorkerZero,
}

/// What one check of a call expects, and what to tell an attendee whose
/// code missed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expectation {
    pub spread: Spread,
    /// The workers' name in the sentence: `rayon's threads`, `ranks`.
    pub workers: &'static str,
    /// What to change, in the step's words.
    pub remedy: &'static str,
}

/// The longest a worker's first piece of work waits for company (see
/// [`piece`]): far past any scheduler's delay on a busy laptop, and
/// paid once by code that never spreads its work.
pub const COMPANY_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
struct Record {
    /// Points computed, by worker.
    points: Vec<u64>,
    /// Pieces finished, by worker.
    finished: Vec<u64>,
    expected: Option<Expectation>,
    /// Stopped holding first pieces back: company never came.
    alone: bool,
    /// The line of the first panic on a joined thread.
    panic_line: Option<u32>,
}

impl Record {
    fn workers_busy(&self) -> usize {
        self.points.iter().filter(|&&p| p > 0).count()
    }

    /// Whether `worker`'s first piece may start: at once, unless the
    /// expectation holds it back for company.
    fn may_start(&self, worker: usize) -> bool {
        match self.expected.map(|e| e.spread) {
            _ if self.alone => true,
            Some(Spread::Threads(least)) => self.workers_busy() >= least,
            // Rank 0 last: what it gathers must not depend on finishing first.
            Some(Spread::BeyondWorkerZero) if worker == 0 => {
                self.finished.iter().skip(1).any(|&f| f > 0)
            }
            _ => true,
        }
    }

    fn grow(&mut self, worker: usize) {
        if self.points.len() <= worker {
            self.points.resize(worker + 1, 0);
            self.finished.resize(worker + 1, 0);
        }
    }
}

/// The work of one kernel call, by worker.
#[derive(Debug)]
pub struct Tally {
    record: Mutex<Record>,
    company: Condvar,
    opened: Instant,
}

thread_local! {
    /// The tally this thread's work counts toward, and as which worker.
    static JOINED: RefCell<Option<(Arc<Tally>, usize)>> = const { RefCell::new(None) };
}

impl Tally {
    pub fn open() -> Arc<Tally> {
        Arc::new(Tally {
            record: Mutex::new(Record::default()),
            company: Condvar::new(),
            opened: Instant::now(),
        })
    }

    fn record(&self) -> MutexGuard<'_, Record> {
        self.record.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on this thread as worker 0 of `tally`.
    pub fn enter<R>(tally: &Arc<Tally>, f: impl FnOnce() -> R) -> R {
        /// Puts back what the thread had joined, even when `f` panics.
        struct Leave(Option<(Arc<Tally>, usize)>);
        impl Drop for Leave {
            fn drop(&mut self) {
                let before = self.0.take();
                JOINED.with(|j| *j.borrow_mut() = before);
            }
        }
        let _leave = Leave(JOINED.with(|j| j.replace(Some((tally.clone(), 0)))));
        f()
    }

    /// The line of the first panic raised on a thread that joined it.
    pub fn panic_line(&self) -> Option<u32> {
        self.record().panic_line
    }

    /// Points computed by each worker, by worker number.
    pub fn points(&self) -> Vec<u64> {
        self.record().points.clone()
    }

    /// What the call's code missed of its step's lesson, in words that
    /// follow "is right, but": `None` when nothing was expected or it was
    /// met.
    pub fn missed(&self) -> Option<String> {
        let record = self.record();
        let expected = record.expected?;
        let total: u64 = record.points.iter().sum();
        if total == 0 {
            return Some(format!(
                "none of its points went through step 04's kernel (`step04::dispatch`), so the self-check cannot see which of {} computed them: {}",
                expected.workers, expected.remedy
            ));
        }
        let busy = record.workers_busy();
        let met = match expected.spread {
            Spread::Threads(least) => busy >= least,
            Spread::BeyondWorkerZero => record.points.iter().skip(1).any(|&p| p > 0),
        };
        if met {
            return None;
        }
        let points = crate::problem::group_digits(total);
        Some(match expected.spread {
            Spread::Threads(_) => format!(
                "all {points} points were computed on one of {}: {}",
                expected.workers, expected.remedy
            ),
            Spread::BeyondWorkerZero => format!(
                "all {points} points were computed by rank 0, none by the other {}: {}",
                expected.workers, expected.remedy
            ),
        })
    }
}

/// The tally this thread's work counts toward, for a step that starts
/// threads to hand on to them with [`join`].
pub fn current() -> Option<Arc<Tally>> {
    JOINED.with(|j| j.borrow().as_ref().map(|(tally, _)| tally.clone()))
}

/// Makes this thread `worker` of `tally`, for the rest of its life (a
/// thread started for one call: a rayon pool's, a rank's).
pub fn join(tally: Arc<Tally>, worker: usize) {
    JOINED.with(|j| *j.borrow_mut() = Some((tally, worker)));
}

/// Keeps a panic's line for the check, when this thread joined a tally
/// (a pool's or a rank's thread): whether it did, so the panic hook stays
/// quiet (the check says what the panic means, in words).
pub fn note_panic(line: Option<u32>) -> bool {
    let Some(tally) = current() else {
        return false;
    };
    let mut record = tally.record();
    record.panic_line = record.panic_line.or(line);
    true
}

/// Says what the open tally's call must show (nothing outside a check).
pub fn expect(expectation: Expectation) {
    if let Some(tally) = current() {
        tally.record().expected = Some(expectation);
    }
}

/// Step 04's kernel begins `points` on this thread; the piece is over
/// when the value returned is dropped. Where the call must show its work
/// spread, a worker's first piece is held back (at most [`COMPANY_WAIT`]
/// after the call began) so that a busy laptop, slow to wake a second
/// thread, cannot make parallel code look serial, and so that pieces
/// finish out of order, as they can on any machine: for
/// [`Spread::Threads`] until that many workers have begun, for
/// [`Spread::BeyondWorkerZero`] worker 0 until another worker has
/// finished a piece.
pub fn piece(points: usize) -> Piece {
    let joined = JOINED.with(|j| j.borrow().clone());
    let Some((tally, worker)) = joined else {
        return Piece(None);
    };
    let mut record = tally.record();
    record.grow(worker);
    let first = record.points[worker] == 0;
    record.points[worker] += points as u64;
    tally.company.notify_all();
    while first && !record.may_start(worker) {
        let left = COMPANY_WAIT.saturating_sub(tally.opened.elapsed());
        if left.is_zero() {
            record.alone = true;
            break;
        }
        record = tally
            .company
            .wait_timeout(record, left)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
    drop(record);
    Piece(Some((tally, worker)))
}

/// A piece of work under way (see [`piece`]).
#[must_use = "the piece ends when this is dropped"]
pub struct Piece(Option<(Arc<Tally>, usize)>);

impl Drop for Piece {
    fn drop(&mut self) {
        if let Some((tally, worker)) = self.0.take() {
            tally.record().finished[worker] += 1;
            tally.company.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARALLEL: Expectation = Expectation {
        spread: Spread::Threads(2),
        workers: "the pool's threads",
        remedy: "spread them",
    };

    #[test]
    fn work_outside_a_tally_is_not_counted() {
        drop(piece(10));
        assert!(current().is_none());
    }

    #[test]
    fn one_thread_misses_a_spread_over_two_after_waiting_once() {
        let tally = Tally::open();
        let started = Instant::now();
        Tally::enter(&tally, || {
            expect(PARALLEL);
            drop(piece(5));
            drop(piece(5));
        });
        assert!(started.elapsed() >= COMPANY_WAIT);
        let missed = tally.missed().expect("one thread is not two");
        assert!(missed.starts_with("all 10 points were computed on one of the pool's threads"));
    }

    #[test]
    fn two_threads_meet_it_and_neither_waits_long() {
        let tally = Tally::open();
        let started = Instant::now();
        Tally::enter(&tally, || expect(PARALLEL));
        std::thread::scope(|scope| {
            for worker in 1..=2 {
                let tally = tally.clone();
                scope.spawn(move || {
                    join(tally, worker);
                    drop(piece(3));
                });
            }
        });
        assert!(started.elapsed() < COMPANY_WAIT);
        assert_eq!(tally.points(), vec![0, 3, 3]);
        assert_eq!(tally.missed(), None);
    }

    #[test]
    fn work_only_on_worker_zero_misses_beyond_it() {
        let tally = Tally::open();
        Tally::enter(&tally, || {
            expect(Expectation {
                spread: Spread::BeyondWorkerZero,
                workers: "ranks",
                remedy: "hand out tasks",
            });
            drop(piece(7));
        });
        assert!(tally
            .missed()
            .unwrap()
            .contains("by rank 0, none by the other ranks"));
    }

    #[test]
    fn a_panic_leaves_the_tally_behind() {
        let tally = Tally::open();
        let caught = std::panic::catch_unwind(|| Tally::enter(&tally, || panic!("kernel")));
        assert!(caught.is_err());
        assert!(current().is_none());
    }

    #[test]
    fn nothing_through_the_kernel_is_said_not_guessed() {
        let tally = Tally::open();
        Tally::enter(&tally, || expect(PARALLEL));
        assert!(tally
            .missed()
            .unwrap()
            .starts_with("none of its points went through"));
    }
}
