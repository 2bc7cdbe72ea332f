//! The three things an attendee's `cargo test -p stepNN` can say, proved on
//! stand-in kernels: still a stub, wrong (where and by how much), right.

use mandel_core::selfcheck::{self, is_unfilled_stub, FailureKind};
use mandel_core::step::Kernel;
use mandel_core::{oracle, Launch, Problem, Step, Tolerance, Variant};

fn stand_in() -> Step {
    Step {
        number: 42,
        name: "test",
        technique: "stand-in",
        tutorial: "none",
        lesson: "none",
        file: "calculate_z.rs",
        function: "calculate_z",
        tolerance: mandel_core::step::exact,
        instruction_set: mandel_core::step::scalar,
        stub: "",
        solution: |p, _| p.oracle().to_vec(),
        chapter_file: "step42-test.md",
        chapter: "## Hints\n\n1. none\n",
        availability: mandel_core::step::always_ready,
        launch: Launch::InProcess,
        peak: mandel_core::step::ONE_THREAD,
        endless: mandel_core::step::STOPS_ONLY_ON_ESCAPE,
        self_check_runs: 1,
    }
}

/// The self-check of `kernel` as the attendee's exercise of `step`: its
/// sentence on failure, checked to be one line.
fn check_as(step: &Step, variant: Variant, kernel: Kernel) -> Result<(), String> {
    selfcheck::check(step, variant, &pictures(), &kernel).map_err(|failure| {
        assert!(!failure.sentence.contains('\n'), "one line: {failure}");
        failure.sentence
    })
}

fn check(kernel: Kernel) -> Result<(), String> {
    check_as(&stand_in(), Variant::Exercise, kernel)
}

fn pictures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("selfcheck-behaviour")
}

#[test]
fn a_stub_is_named_with_its_file_and_the_hint_command() {
    let stub: Kernel = |_| todo!();
    let sentence = check(stub).unwrap_err();
    assert!(
        sentence.starts_with("exercises/step42/calculate_z.rs is still a stub"),
        "{sentence}"
    );
    assert!(sentence.contains("`cargo run -- hint 42`"), "{sentence}");
    assert!(is_unfilled_stub(stub));
    let failure = selfcheck::check(&stand_in(), Variant::Exercise, &pictures(), &stub);
    assert_eq!(failure.unwrap_err().kind, FailureKind::Stub);
}

/// A plausible attendee's mistake: counting iterations from 1.
fn one_based(problem: &Problem) -> Vec<u32> {
    problem
        .points
        .iter()
        .map(|&q| {
            let e = oracle::escape_iteration(q, problem.maxiter);
            if e > 0 {
                e + 1
            } else {
                0
            }
        })
        .collect()
}

#[test]
fn a_wrong_kernel_is_told_which_points_differ_and_by_how_much() {
    let sentence = check(one_based).unwrap_err();
    assert!(
        sentence.starts_with("exercises/step42/calculate_z.rs is wrong on `100 30`"),
        "{sentence}"
    );
    assert!(
        sentence.contains("points differ from the oracle, by up to 1 iteration;"),
        "{sentence}"
    );
    assert!(sentence.contains("row 0 col"), "{sentence}");
    let picture = pictures().join("step42-differences.png");
    assert!(
        sentence.contains(&picture.display().to_string()),
        "{sentence}"
    );
    assert!(picture.exists());
    assert!(!is_unfilled_stub(one_based));
    let failure = selfcheck::check(&stand_in(), Variant::Exercise, &pictures(), &one_based);
    let failure = failure.unwrap_err();
    assert_eq!(failure.kind, FailureKind::Wrong);
    assert!(failure.differing.is_some_and(|n| n > 0), "{failure:?}");
}

#[test]
fn a_kernel_that_returns_too_few_values_is_wrong() {
    let sentence = check(|p| vec![0; p.len() - 1]).unwrap_err();
    assert!(
        sentence.contains("returned 2,499 values for 2,500 points"),
        "{sentence}"
    );
}

#[test]
fn a_kernel_that_panics_is_told_where() {
    let sentence = check(|p| {
        let v: Vec<u32> = Vec::new();
        vec![v[p.len()]]
    })
    .unwrap_err();
    assert!(sentence.contains("panicked on line"), "{sentence}");
    assert!(sentence.contains("index out of bounds"), "{sentence}");
}

#[test]
fn a_right_kernel_passes() {
    let right: Kernel = |p| oracle::calculate_z(&p.points, p.maxiter);
    assert_eq!(check(right), Ok(()));
    assert_eq!(check_as(&stand_in(), Variant::Solution, right), Ok(()));
}

#[test]
fn a_fused_kernel_within_tolerance_passes_and_beyond_it_fails() {
    // One point in a thousand moved: inside a 1% tolerance, outside 0.01%.
    let moved: Kernel = |p| {
        let mut out = p.oracle().to_vec();
        for value in out.iter_mut().step_by(1000) {
            *value += 7;
        }
        out
    };
    let mut step = stand_in();
    step.tolerance = |_, _| Tolerance::Fraction(0.01);
    assert_eq!(check_as(&step, Variant::Exercise, moved), Ok(()));
    step.tolerance = |_, _| Tolerance::Fraction(0.0001);
    let sentence = check_as(&step, Variant::Exercise, moved).unwrap_err();
    assert!(
        sentence.contains("tolerance: at most 0.01% of points, rounded up, may differ"),
        "{sentence}"
    );
}
