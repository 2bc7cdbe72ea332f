//! The attendee's self-check: run a step's kernel on small problems and say,
//! in one plain sentence, whether it is still a stub, wrong (which points, by
//! how much, and a picture of where) or right.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;
use std::time::Duration;

use crate::picture;
use crate::problem::Problem;
use crate::step::{Kernel, Step, Variant};
use crate::verify;

/// Small problems that run in moments even unoptimised: the tutorial's quick
/// test, square grids and grids that rounding drift made one row or column
/// larger, at several iteration counts.
pub const SIZES: &[(u64, u32)] = &[(100, 30), (16, 50), (28, 100), (68, 200), (333, 50)];

/// A panic caught while running a kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    pub message: String,
    /// The line it happened on, where the panic said.
    pub line: Option<u32>,
}

impl Panic {
    /// `todo!()` and `unimplemented!()` mark a stub an attendee has not filled.
    pub fn is_stub(&self) -> bool {
        self.message.starts_with("not yet implemented")
            || self.message.starts_with("not implemented")
    }
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
            if QUIET.with(Cell::get) {
                LAST_LINE.with(|l| *l.borrow_mut() = info.location().map(|loc| loc.line()));
            } else {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|payload| Panic {
        message: panic_message(payload.as_ref()),
        line: LAST_LINE.with(|l| l.borrow_mut().take()),
    })
}

/// The text a panic was raised with (`panic!`'s message, `todo!()`'s).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
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

/// Why a kernel failed its self-check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    /// Still the shipped `todo!()`.
    Stub,
    /// Panicked some other way.
    Panicked,
    /// Its compiler refused it: for a kernel compiled at run time (step
    /// 07's CUDA C), which `cargo build` cannot see.
    DoesNotCompile,
    /// Answered, but `differing` of the problem's points are wrong.
    Wrong { differing: usize },
}

/// A failed self-check: what kind, and the one sentence to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub sentence: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sentence)
    }
}

/// Checks `kernel`, `step`'s `variant`, on [`SIZES`]. A failure carries
/// the one sentence to show the attendee; a picture of where the first
/// wrong problem differs is written into `picture_dir`.
pub fn check(
    step: &Step,
    variant: Variant,
    picture_dir: &Path,
    kernel: &dyn Fn(&Problem) -> Vec<u32>,
) -> Result<(), Failure> {
    for &(w, maxiter) in SIZES {
        let problem = Problem::new(w, maxiter).expect("the self-check's sizes fit");
        let output = catch(|| kernel(&problem)).map_err(|p| Failure {
            kind: if p.is_stub() {
                FailureKind::Stub
            } else {
                FailureKind::Panicked
            },
            sentence: explain_panic(step, variant, &p),
        })?;
        let report = verify::compare(&problem, &output);
        if report.passes(step.tolerance(variant)) {
            continue;
        }
        let picture = picture_dir.join(format!("{}-differences.png", step.id()));
        let saved = std::fs::create_dir_all(picture_dir)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                picture::write_png(&picture::differences(&problem, &output), &picture)
                    .map_err(|e| e.to_string())
            });
        let where_shown = match saved {
            Ok(path) => format!(" Red marks them in {}.", path.display()),
            Err(why) => format!(" (No picture: {why}.)"),
        };
        return Err(Failure {
            kind: FailureKind::Wrong {
                differing: report.differing,
            },
            sentence: format!(
                "{} is wrong on `{} {}` ({} rows x {} columns; tolerance: {}): {}.{where_shown}",
                step.path(variant),
                w,
                maxiter,
                problem.rows(),
                problem.cols(),
                step.tolerance(variant),
                report.summary(),
            ),
        });
    }
    Ok(())
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
/// run, and that the shipped exercise is a stub.
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
                $crate::selfcheck::is_unfilled_stub($attendee::EXERCISE),
                "{} must ship as an unfilled stub (its body a todo!())",
                $step::STEP.path($crate::Variant::Exercise)
            );
        }

        #[cfg(feature = "solution")]
        #[test]
        fn shipped_exercise_is_the_stub_that_reset_puts_back() {
            let path = $step::STEP.path($crate::Variant::Exercise);
            let root = ::std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let shipped = ::std::fs::read_to_string(root.join(&path)).expect("the exercise exists");
            assert!(
                shipped == $step::STEP.stub,
                "{path} differs from crates/{}/stub/{}: change both, or neither",
                $step::STEP.id(),
                $step::STEP.file
            );
        }

        #[cfg(feature = "solution")]
        #[test]
        fn solution_reproduces_the_tutorials_canonical_run() {
            let problem = $crate::Problem::new(1000, 1000).expect("1000 1000 fits");
            let output = ($step::STEP.solution)(&problem);
            assert_eq!(output.len(), 250_000, "Total elements");
            let report = $crate::verify::compare(&problem, &output);
            let tolerance = $step::STEP.tolerance($crate::Variant::Solution);
            assert!(report.passes(tolerance), "{}", report.summary());
            if tolerance == $crate::Tolerance::Exact {
                assert_eq!($crate::oracle::validation_sum(&output), 1_148_485);
            }
        }
    };
}

/// A step binary's self-check as one line of text, for `workshop status`
/// and `watch`, which run the attendee's code in a `cargo` subprocess (so
/// that an exercise that does not compile cannot break them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Passed; with the medians of the attendee's kernel and the reference
    /// on the same problem, in the same process, when they were timed.
    Passes {
        timed: Option<(Duration, Duration)>,
    },
    Fails(Failure),
}

const LINE_START: &str = "self-check ";

impl Verdict {
    pub fn to_line(&self) -> String {
        match self {
            Verdict::Passes { timed: None } => format!("{LINE_START}passes"),
            Verdict::Passes {
                timed: Some((yours, reference)),
            } => format!(
                "{LINE_START}passes {} {}",
                yours.as_nanos(),
                reference.as_nanos()
            ),
            Verdict::Fails(Failure { kind, sentence }) => {
                let kind = match kind {
                    FailureKind::Stub => "stub".to_string(),
                    FailureKind::Panicked => "panicked".to_string(),
                    FailureKind::DoesNotCompile => "does-not-compile".to_string(),
                    FailureKind::Wrong { differing } => format!("wrong {differing}"),
                };
                format!("{LINE_START}{kind}: {}", sentence.replace('\n', " "))
            }
        }
    }

    /// The verdict in a binary's output, if it printed one.
    pub fn from_output(output: &str) -> Option<Verdict> {
        let line = output.lines().find_map(|l| l.strip_prefix(LINE_START))?;
        let nanos = |s: &str| s.parse::<u64>().ok().map(Duration::from_nanos);
        if let Some(rest) = line.strip_prefix("passes") {
            let mut times = rest.split_whitespace().map(nanos);
            let timed = match (times.next(), times.next()) {
                (Some(Some(yours)), Some(Some(reference))) => Some((yours, reference)),
                _ => None,
            };
            return Some(Verdict::Passes { timed });
        }
        let (kind, sentence) = line.split_once(": ")?;
        let kind = match kind.split_once(' ') {
            None if kind == "stub" => FailureKind::Stub,
            None if kind == "panicked" => FailureKind::Panicked,
            None if kind == "does-not-compile" => FailureKind::DoesNotCompile,
            Some(("wrong", n)) => FailureKind::Wrong {
                differing: n.parse().ok()?,
            },
            _ => return None,
        };
        Some(Verdict::Fails(Failure {
            kind,
            sentence: sentence.to_string(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_survive_their_line() {
        let verdicts = [
            Verdict::Passes { timed: None },
            Verdict::Passes {
                timed: Some((Duration::from_millis(12), Duration::from_nanos(345))),
            },
            Verdict::Fails(Failure {
                kind: FailureKind::Stub,
                sentence: "x.rs is still a stub: write it.".into(),
            }),
            Verdict::Fails(Failure {
                kind: FailureKind::Wrong { differing: 17 },
                sentence: "x.rs is wrong on `100 30`: 17 points differ.".into(),
            }),
            Verdict::Fails(Failure {
                kind: FailureKind::DoesNotCompile,
                sentence: "x.cu:31: expected a \";\"".into(),
            }),
            Verdict::Fails(Failure {
                kind: FailureKind::Panicked,
                sentence: "x.rs panicked on line 3: index out of bounds.".into(),
            }),
        ];
        for verdict in verdicts {
            let printed = format!("Total elements: 2500\n{}\nmore\n", verdict.to_line());
            assert_eq!(Verdict::from_output(&printed), Some(verdict));
        }
        assert_eq!(Verdict::from_output("Total elements: 2500\n"), None);
    }
}
