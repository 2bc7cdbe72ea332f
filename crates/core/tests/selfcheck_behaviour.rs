//! The three things an attendee's `cargo test -p stepNN` can say, proved on
//! stand-in kernels: still a stub, wrong (where and by how much), right.

use mandel_core::selfcheck::{check, is_unfilled_stub};
use mandel_core::step::Kernel;
use mandel_core::{oracle, Problem, Step, Tolerance, Variant};

fn step_with(exercise: Kernel) -> Step {
    Step {
        number: 42,
        name: "test",
        technique: "stand-in",
        tutorial: "none",
        file: "calculate_z.rs",
        function: "calculate_z",
        tolerance: Tolerance::Exact,
        exercise,
        solution: |p| p.oracle().to_vec(),
        chapter: "## Hints\n\nnone\n",
        threads: mandel_core::step::one_thread,
    }
}

fn pictures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("selfcheck-behaviour")
}

#[test]
fn a_stub_is_named_with_its_file_and_the_hint_command() {
    let step = step_with(|_| todo!());
    let sentence = check(&step, Variant::Exercise, &pictures()).unwrap_err();
    assert!(
        sentence.starts_with("exercises/step42/calculate_z.rs is still a stub"),
        "{sentence}"
    );
    assert!(sentence.contains("`cargo run -- hint 42`"), "{sentence}");
    assert!(!sentence.contains('\n'), "one sentence: {sentence}");
    assert!(is_unfilled_stub(&step));
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
    let step = step_with(one_based);
    let sentence = check(&step, Variant::Exercise, &pictures()).unwrap_err();
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
    assert!(!is_unfilled_stub(&step));
}

#[test]
fn a_kernel_that_returns_too_few_values_is_wrong() {
    let step = step_with(|p| vec![0; p.len() - 1]);
    let sentence = check(&step, Variant::Exercise, &pictures()).unwrap_err();
    assert!(
        sentence.contains("returned 2,499 values for 2,500 points"),
        "{sentence}"
    );
}

#[test]
fn a_kernel_that_panics_is_told_where() {
    let step = step_with(|p| {
        let v: Vec<u32> = Vec::new();
        vec![v[p.len()]]
    });
    let sentence = check(&step, Variant::Exercise, &pictures()).unwrap_err();
    assert!(sentence.contains("panicked on line"), "{sentence}");
    assert!(sentence.contains("index out of bounds"), "{sentence}");
}

#[test]
fn a_right_kernel_passes() {
    let step = step_with(|p| oracle::calculate_z(&p.points, p.maxiter));
    assert_eq!(check(&step, Variant::Exercise, &pictures()), Ok(()));
    assert_eq!(check(&step, Variant::Solution, &pictures()), Ok(()));
}

#[test]
fn a_fused_kernel_within_tolerance_passes_and_beyond_it_fails() {
    // One point in a thousand moved: inside a 1% tolerance, outside 0.01%.
    let mut step = step_with(|p| {
        let mut out = p.oracle().to_vec();
        for value in out.iter_mut().step_by(1000) {
            *value += 7;
        }
        out
    });
    step.tolerance = Tolerance::Fraction(0.01);
    assert_eq!(check(&step, Variant::Exercise, &pictures()), Ok(()));
    step.tolerance = Tolerance::Fraction(0.0001);
    let sentence = check(&step, Variant::Exercise, &pictures()).unwrap_err();
    assert!(
        sentence.contains("tolerance: at most 0.01% of points, rounded up, may differ"),
        "{sentence}"
    );
}
