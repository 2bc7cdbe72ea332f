//! The attendee's self-check: run a step's kernel on small problems and say,
//! in one plain sentence, whether it is still a stub, wrong (which points, by
//! how much, and a picture of where) or right.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;
use std::time::Duration;

use mandel_isa::Isa;

use crate::picture;
use crate::problem::Problem;
use crate::step::{Kernel, Step, Variant};
use crate::verify;
use crate::work;

/// Small problems that run in moments even unoptimised: the tutorial's quick
/// test, square grids and grids that rounding drift made one row or column
/// larger, at several iteration counts; and last `150 500`, the smallest
/// found where the order of the arithmetic shows: `zr*zr + qr - zi*zi`,
/// `(zr+zi)*(zr-zi) + qr` and a fused multiply-add each move 2 of its
/// 5,776 points, where every problem above agrees to the last point.
pub const SIZES: &[(u64, u32)] = &[
    (100, 30),
    (16, 50),
    (28, 100),
    (68, 200),
    (333, 50),
    (150, 500),
];

/// One of `options` for each of the self-check's problems in turn, so that
/// one kernel, checked alike by `cargo test`, `status` and `watch`, tries
/// every block size, chunk count or rank count a step takes (the first
/// for a problem not in [`SIZES`]).
pub fn pick<T: Copy>(problem: &Problem, options: &[T]) -> T {
    let at = SIZES
        .iter()
        .position(|&size| size == (problem.w, problem.maxiter))
        .unwrap_or(0);
    options[at % options.len()]
}

/// The shortest time limit: a slow machine or an unoptimised build must
/// never be taken for an endless loop.
pub const LEAST_TIME_LIMIT: Duration = Duration::from_secs(5);

/// How many times the reference's time an attendee's kernel may take on
/// the self-check before it counts as never finishing.
pub const TIME_LIMIT_FACTOR: u32 = 50;

/// A panic caught while running a kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    pub message: String,
    /// The line it happened on, where the panic said.
    pub line: Option<u32>,
    /// Raised by an unfilled stub.
    pub stub: bool,
}

impl Panic {
    /// Whether the kernel stopped at a stub an attendee has not filled.
    pub fn is_stub(&self) -> bool {
        self.stub
    }
}

/// The payload a kernel raises (`std::panic::panic_any`) where its stub is
/// unfilled but no `todo!()` can be (step 07's CUDA C marks it in its
/// answer): a type to test for, not a message to match.
#[derive(Debug, Clone)]
pub struct Unfinished(pub String);

/// Whether a payload marks an unfilled stub: [`Unfinished`], or the message
/// std's `todo!()` and `unimplemented!()` raise.
fn marks_stub(payload: &(dyn std::any::Any + Send), message: &str) -> bool {
    payload.is::<Unfinished>()
        || message.starts_with("not yet implemented")
        || message.starts_with("not implemented")
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LAST_LINE: RefCell<Option<u32>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic into a [`Panic`] without printing it: the
/// caller says what it means in words. Panics elsewhere print as usual.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Panic> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let line = info.location().map(|loc| loc.line());
            if QUIET.with(Cell::get) {
                LAST_LINE.with(|l| *l.borrow_mut() = line);
            } else if !work::note_panic(line) {
                // (A thread a kernel started for a check tells the check.)
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|payload| {
        let message = panic_message(payload.as_ref());
        Panic {
            stub: marks_stub(payload.as_ref(), &message),
            message,
            line: LAST_LINE.with(|l| l.borrow_mut().take()),
        }
    })
}

/// The text a panic was raised with (`panic!`'s message, `todo!()`'s).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .or_else(|| payload.downcast_ref::<Unfinished>().map(|u| u.0.clone()))
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// What one kernel's run came to, in words an attendee can act on.
pub fn explain_panic(step: &Step, variant: Variant, panic: &Panic) -> String {
    let file = step.path(variant);
    // A CUDA C kernel runs outside Rust: a panic's line is the host's, not
    // the file's, and its stub is marked by a macro, not `todo!()`.
    let cuda = file.ends_with(".cu");
    let on_line = panic
        .line
        .filter(|_| !cuda)
        .map(|n| format!(" on line {n}"))
        .unwrap_or_default();
    let mark = if cuda {
        "MANDEL_TODO(output) line"
    } else {
        "todo!()"
    };
    if panic.is_stub() {
        format!(
            "{file} is still a stub: write your code in place of the {mark}{on_line}, then run `cargo test -p {}` again; `{}` gives a hint.",
            step.id(),
            step.hint_command()
        )
    } else {
        format!("{file} panicked{on_line}: {}.", panic.message)
    }
}

/// Why a kernel failed its self-check: one name per kind, the same in
/// the status table, the JSON, the tests and the mutant catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// Still the shipped `todo!()`.
    Stub,
    /// Panicked some other way.
    Panicked,
    /// Its compiler refused it: for a kernel compiled at run time (step
    /// 07's CUDA C), which `cargo build` cannot see.
    DoesNotCompile,
    /// Answered, but some of the problem's points are wrong
    /// ([`Failure::differing`] says how many).
    Wrong,
    /// Answered with a different number of values than points.
    WrongLength,
    /// Still running when the time limit passed.
    NeverFinishes,
    /// Right, but the step's lesson is not in how it got there: the work
    /// of a parallel step on one thread (see [`work`]).
    LessonMissed,
    /// Nothing on this machine can run it (step 07 without a GPU or a C
    /// compiler): the sentence says what to install.
    CannotRun,
}

impl FailureKind {
    pub const ALL: [FailureKind; 8] = [
        FailureKind::Stub,
        FailureKind::Panicked,
        FailureKind::DoesNotCompile,
        FailureKind::Wrong,
        FailureKind::WrongLength,
        FailureKind::NeverFinishes,
        FailureKind::LessonMissed,
        FailureKind::CannotRun,
    ];

    /// The words `status` and `watch` show for it: `never finishes`.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::Stub => "stub",
            FailureKind::Panicked => "panics",
            FailureKind::DoesNotCompile => "does not compile",
            FailureKind::Wrong => "wrong",
            FailureKind::WrongLength => "wrong length",
            FailureKind::NeverFinishes => "never finishes",
            FailureKind::LessonMissed => "lesson missed",
            FailureKind::CannotRun => "not on this machine",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A failed self-check: what kind, and the one sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub sentence: String,
    /// For [`FailureKind::Wrong`]: how many points differ.
    pub differing: Option<usize>,
}

impl Failure {
    /// A failure with no count of wrong points.
    pub fn new(kind: FailureKind, sentence: impl Into<String>) -> Failure {
        Failure {
            kind,
            sentence: sentence.into(),
            differing: None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sentence)
    }
}

/// Checks `kernel`, `step`'s `variant`, on [`SIZES`]. A failure carries
/// the one sentence to show the attendee; a picture of where the first
/// wrong problem differs is written into `picture_dir`. A kernel still
/// running after [`time_limit`] ends the process: `on_timeout` says so
/// first (where the caller's verdict is read), then it exits with status 1.
/// Dispatched kernels run with the best instruction set here, as they do
/// in `cargo test`.
pub fn check(
    step: &Step,
    variant: Variant,
    picture_dir: &Path,
    kernel: &dyn Fn(&Problem) -> Vec<u32>,
) -> Result<(), Failure> {
    check_or_exit(
        step,
        variant,
        Isa::best(),
        picture_dir,
        kernel,
        Box::new(print_past_capture),
    )
}

/// The line `cargo test` shows for a kernel that never finished: written
/// straight to the process's standard error, past libtest's capture, which
/// would otherwise keep it.
pub fn print_past_capture(failure: &Failure) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{}", failure.sentence);
}

/// How a check says it ran out of time, just before the process ends.
pub type OnTimeout = Box<dyn Fn(&Failure) + Send>;

/// [`check`] with dispatched kernels at `isa` (the reference's time limit,
/// the tolerance), saying a timeout with `on_timeout`.
pub fn check_or_exit(
    step: &Step,
    variant: Variant,
    isa: Isa,
    picture_dir: &Path,
    kernel: &dyn Fn(&Problem) -> Vec<u32>,
    on_timeout: OnTimeout,
) -> Result<(), Failure> {
    let limit = time_limit(step, isa);
    let watchdog = Watchdog::start(step, variant, limit, on_timeout);
    for &(w, maxiter) in SIZES {
        let problem = Problem::new(w, maxiter).expect("the self-check's sizes fit");
        watchdog.now_on(w, maxiter);
        for run in 1..=step.self_check_runs {
            check_one_run(step, variant, isa, picture_dir, kernel, &problem, run)?;
        }
    }
    Ok(())
}

/// Checks one call of `kernel` on `problem`: the `run`th of the step's
/// [`Step::self_check_runs`] on it. Its answer first, then, where the
/// step's lesson asks it, how the work was spread ([`work`]).
fn check_one_run(
    step: &Step,
    variant: Variant,
    isa: Isa,
    picture_dir: &Path,
    kernel: &dyn Fn(&Problem) -> Vec<u32>,
    problem: &Problem,
    run: u32,
) -> Result<(), Failure> {
    let (w, maxiter) = (problem.w, problem.maxiter);
    let tally = work::Tally::open();
    let output = catch(|| work::Tally::enter(&tally, || kernel(problem))).map_err(|mut p| {
        // Raised on a thread the kernel started: its line is the tally's.
        p.line = p.line.or_else(|| tally.panic_line());
        Failure::new(
            if p.is_stub() {
                FailureKind::Stub
            } else {
                FailureKind::Panicked
            },
            explain_panic(step, variant, &p),
        )
    })?;
    let report = verify::compare(problem, &output);
    if report.passes(step.tolerance(variant, isa)) {
        return match tally.missed() {
            None => Ok(()),
            Some(missed) => Err(Failure::new(
                FailureKind::LessonMissed,
                format!(
                    "{} is right on `{w} {maxiter}`, but {missed}.",
                    step.path(variant)
                ),
            )),
        };
    }
    // Right on an earlier run of the same problem: the order of the
    // threads' work decided it.
    let changed = if run > 1 {
        format!(
            ", on run {run} of {}: the answer changed between runs, so it depends on which thread finishes first",
            step.self_check_runs
        )
    } else {
        String::new()
    };
    let shape = format!(
        "{} is wrong on `{w} {maxiter}` ({} rows x {} columns{changed}",
        step.path(variant),
        problem.rows(),
        problem.cols(),
    );
    if report.returned != report.points {
        return Err(Failure::new(
            FailureKind::WrongLength,
            format!("{shape}): {}.", report.summary()),
        ));
    }
    let picture = picture_dir.join(format!("{}-differences.png", step.id()));
    let saved = std::fs::create_dir_all(picture_dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            let image =
                picture::enlarged(picture::differences(problem, &output), picture::LEAST_WIDTH);
            picture::write_png(&image, &picture).map_err(|e| e.to_string())
        });
    let where_shown = match saved {
        Ok(path) => format!(" Red marks them in {}.", path.display()),
        Err(why) => format!(" (No picture: {why}.)"),
    };
    let sentence = format!(
        "{shape}; tolerance: {}): {}.{where_shown}",
        step.tolerance(variant, isa),
        report.summary(),
    );
    Err(Failure {
        differing: Some(report.differing),
        ..Failure::new(FailureKind::Wrong, sentence)
    })
}

/// How long the self-check may take: [`TIME_LIMIT_FACTOR`] times the
/// reference's own time on [`SIZES`] (each run [`Step::self_check_runs`]
/// times), in this build, and never under
/// [`LEAST_TIME_LIMIT`]. A reference that cannot run here (step 07's,
/// without a GPU) leaves the least limit.
pub fn time_limit(step: &Step, isa: Isa) -> Duration {
    let started = std::time::Instant::now();
    let ran = catch(|| {
        for &(w, maxiter) in SIZES {
            let problem = Problem::new(w, maxiter).expect("the self-check's sizes fit");
            for _ in 0..step.self_check_runs {
                (step.solution)(&problem, isa);
            }
        }
    });
    match ran {
        Ok(()) => (started.elapsed() * TIME_LIMIT_FACTOR).max(LEAST_TIME_LIMIT),
        Err(_) => LEAST_TIME_LIMIT,
    }
}

/// Ends the process if the self-check is still running at its limit; the
/// check tells it which problem is running. Dropping it stops it.
struct Watchdog {
    current: std::sync::Arc<std::sync::Mutex<(u64, u32)>>,
    stop: Option<std::sync::mpsc::Sender<()>>,
}

impl Watchdog {
    fn start(step: &Step, variant: Variant, limit: Duration, on_timeout: OnTimeout) -> Self {
        let current = std::sync::Arc::new(std::sync::Mutex::new(SIZES[0]));
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let file = step.path(variant);
        let endless = step.endless;
        let watched = current.clone();
        std::thread::spawn(move || {
            if stopped.recv_timeout(limit) != Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            let (w, maxiter) = *watched.lock().unwrap_or_else(|e| e.into_inner());
            on_timeout(&Failure::new(
                FailureKind::NeverFinishes,
                never_finishes_sentence(&file, limit, w, maxiter, endless),
            ));
            // A loop cannot be stopped from outside: the process ends, and
            // the programs a kernel runs in (step 07's emulation) first.
            for child in CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                let _ = child.lock().unwrap_or_else(|e| e.into_inner()).kill();
            }
            std::process::exit(1);
        });
        Watchdog {
            current,
            stop: Some(stop),
        }
    }

    fn now_on(&self, w: u64, maxiter: u32) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = (w, maxiter);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

type SharedChild = std::sync::Arc<std::sync::Mutex<std::process::Child>>;

/// The programs kernels are running in, for the watchdog to end.
static CHILDREN: std::sync::Mutex<Vec<SharedChild>> = std::sync::Mutex::new(Vec::new());

/// Runs `command` to its end, as `Command::status` does, where a self-check
/// that runs past its limit ends it too: no process is left behind.
pub fn status_of_child(
    command: &mut std::process::Command,
) -> std::io::Result<std::process::ExitStatus> {
    let child: SharedChild = std::sync::Arc::new(std::sync::Mutex::new(command.spawn()?));
    let forget = |list: &std::sync::Mutex<Vec<SharedChild>>| {
        list.lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|c| !std::sync::Arc::ptr_eq(c, &child));
    };
    CHILDREN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(child.clone());
    // Polled, not waited on, so the watchdog can take the lock to kill it.
    let status = loop {
        let polled = child.lock().unwrap_or_else(|e| e.into_inner()).try_wait();
        match polled {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => break Err(e),
        }
    };
    forget(&CHILDREN);
    status
}

/// What a kernel that ran past its limit is told.
/// `endless` is the step's likely cause ([`Step::endless`]).
pub fn never_finishes_sentence(
    file: &str,
    limit: Duration,
    w: u64,
    maxiter: u32,
    endless: &str,
) -> String {
    format!(
        "{file} never finished: still running after {:.1} s on `{w} {maxiter}` (the limit: {TIME_LIMIT_FACTOR} times the reference's time, at least {} s); the likely cause is {endless}.",
        limit.as_secs_f64(),
        LEAST_TIME_LIMIT.as_secs()
    )
}

/// Whether a shipped exercise's kernel is still an unfilled stub: it must
/// panic with `todo!()` on the first problem.
pub fn is_unfilled_stub(exercise: Kernel) -> bool {
    let problem = Problem::new(SIZES[0].0, SIZES[0].1).expect("tiny problem");
    matches!(catch(|| exercise(&problem)), Err(p) if p.is_stub())
}

/// The self-check tests every step crate runs, from its `tests/selfcheck.rs`
/// beside the module [`attendee_file!`](crate::attendee_file) made:
/// `mod attendee; mandel_core::selfcheck_tests!(step01, attendee);`.
/// Without features they check the attendee's exercise; with
/// `--features solution` the reference solution, the tutorial's canonical
/// run, and that the shipped stub (`crates/stepNN/stub/`) is a stub.
#[macro_export]
macro_rules! selfcheck_tests {
    ($step:ident, $attendee:ident) => {
        #[test]
        fn kernel_matches_the_oracle() {
            let pictures = ::std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
            let kernel = $attendee::active_kernel();
            if let Err(failure) =
                $crate::selfcheck::check(&$step::STEP, $attendee::ACTIVE, pictures, &kernel)
            {
                panic!("{failure}");
            }
        }

        #[cfg(feature = "solution")]
        #[test]
        fn shipped_exercise_is_still_a_stub() {
            assert!(
                $crate::selfcheck::is_unfilled_stub($attendee::STUB),
                "crates/{}/stub/{} must ship as an unfilled stub (its body a todo!())",
                $step::STEP.id(),
                $step::STEP.file
            );
        }

        #[cfg(feature = "solution")]
        #[test]
        fn solution_reproduces_the_tutorials_canonical_run() {
            let problem = $crate::Problem::new(1000, 1000).expect("1000 1000 fits");
            let best = $crate::Isa::best();
            let output = ($step::STEP.solution)(&problem, best);
            assert_eq!(output.len(), 250_000, "Total elements");
            let report = $crate::verify::compare(&problem, &output);
            let tolerance = $step::STEP.tolerance($crate::Variant::Solution, best);
            assert!(report.passes(tolerance), "{}", report.summary());
            if tolerance == $crate::Tolerance::Exact {
                assert_eq!($crate::oracle::validation_sum(&output), 1_148_485);
            }
        }
    };
}

/// What a run of a kernel came to, as the step binaries report it
/// ([`crate::outcome::RunOutcome`]) to `workshop status` and `watch`, which
/// run the attendee's code in a `cargo` subprocess (so that an exercise
/// that does not compile cannot break them).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Passes,
    /// Ran without a comparison (`--no-check`).
    Unchecked,
    Fails(Failure),
}

impl Verdict {
    /// The words `status` and `watch` show for it (a failure's without
    /// its count).
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Passes => "passes",
            Verdict::Unchecked => "not checked",
            Verdict::Fails(failure) => failure.kind.label(),
        }
    }
}
