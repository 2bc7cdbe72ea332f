//! The attendee's self-check: run a step's kernel on small problems and say,
//! in one plain sentence, whether it is still a stub, wrong (which points, by
//! how much, and a picture of where) or right.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;

use crate::picture;
use crate::problem::Problem;
use crate::step::{Step, Variant};
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
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        Panic {
            message,
            line: LAST_LINE.with(|l| l.borrow_mut().take()),
        }
    })
}

/// What one kernel's run came to, in words an attendee can act on.
pub fn explain_panic(step: &Step, variant: Variant, panic: &Panic) -> String {
    let file = step.path(variant);
    let on_line = panic
        .line
        .map(|n| format!(" on line {n}"))
        .unwrap_or_default();
    if panic.is_stub() {
        format!(
            "{file} is still a stub: write your code in place of the todo!(){on_line}, then run this again; `{}` shows the hints.",
            step.hint_command()
        )
    } else {
        format!("{file} panicked{on_line}: {}.", panic.message)
    }
}

/// Checks `step`'s `variant` on [`SIZES`]. On failure the error is the one
/// sentence to show the attendee; a picture of where the first wrong
/// problem differs is written into `picture_dir`.
pub fn check(step: &Step, variant: Variant, picture_dir: &Path) -> Result<(), String> {
    check_kernel(step, variant, picture_dir, &step.kernel(variant))
}

/// [`check`] for another entry point of the step's file (a variant with
/// options, say), reported in the same words.
pub fn check_kernel(
    step: &Step,
    variant: Variant,
    picture_dir: &Path,
    kernel: &dyn Fn(&Problem) -> Vec<u32>,
) -> Result<(), String> {
    for &(w, maxiter) in SIZES {
        let problem = Problem::new(w, maxiter).map_err(|e| e.to_string())?;
        let output = catch(|| kernel(&problem)).map_err(|p| explain_panic(step, variant, &p))?;
        let report = verify::compare(&problem, &output);
        if report.passes(step.tolerance) {
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
        return Err(format!(
            "{} is wrong on `{} {}` ({} rows x {} columns; tolerance: {}): {}.{where_shown}",
            step.path(variant),
            w,
            maxiter,
            problem.rows(),
            problem.cols(),
            step.tolerance,
            report.summary(),
        ));
    }
    Ok(())
}

/// Whether `step`'s shipped exercise is still an unfilled stub: it must
/// panic with `todo!()` on the first problem.
pub fn is_unfilled_stub(step: &Step) -> bool {
    let problem = Problem::new(SIZES[0].0, SIZES[0].1).expect("tiny problem");
    matches!(catch(|| (step.exercise)(&problem)), Err(p) if p.is_stub())
}

/// The self-check tests every step crate runs, from its `tests/selfcheck.rs`:
/// `mandel_core::selfcheck_tests!(step01);`. Without features they check the
/// attendee's exercise; with `--features solution` the reference solution,
/// the tutorial's canonical run, and that the shipped exercise is a stub.
#[macro_export]
macro_rules! selfcheck_tests {
    ($step:ident) => {
        #[test]
        fn kernel_matches_the_oracle() {
            let pictures = ::std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
            if let Err(sentence) = $crate::selfcheck::check(&$step::STEP, $step::ACTIVE, pictures) {
                panic!("{sentence}");
            }
        }

        #[cfg(feature = "solution")]
        #[test]
        fn shipped_exercise_is_still_a_stub() {
            assert!(
                $crate::selfcheck::is_unfilled_stub(&$step::STEP),
                "{} must ship as an unfilled stub (its body a todo!())",
                $step::STEP.path($crate::Variant::Exercise)
            );
        }

        #[cfg(feature = "solution")]
        #[test]
        fn solution_reproduces_the_tutorials_canonical_run() {
            let problem = $crate::Problem::new(1000, 1000).expect("1000 1000 fits");
            let output = ($step::STEP.solution)(&problem);
            assert_eq!(output.len(), 250_000, "Total elements");
            let report = $crate::verify::compare(&problem, &output);
            assert!(report.passes($step::STEP.tolerance), "{}", report.summary());
            if $step::STEP.tolerance == $crate::Tolerance::Exact {
                assert_eq!($crate::oracle::validation_sum(&output), 1_148_485);
            }
        }
    };
}
