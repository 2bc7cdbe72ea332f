//! Step 02 swaps the tutorial's `abs(z) > 2` (a hypot) for `|z|^2 > 4`. The
//! two tests could disagree for a point whose |z|^2 rounds to within an ulp
//! of 4; this sweep shows they do not on the workshop's problems.

#[cfg(feature = "solution")]
#[test]
fn squared_magnitude_test_matches_hypot_across_many_sizes() {
    use mandel_core::{verify, Problem};
    for w in (10..=610).step_by(24) {
        let problem = Problem::new(w, 300).unwrap();
        let output = step02::solution::calculate_z(&problem.points, problem.maxiter);
        let report = verify::compare(&problem, &output);
        assert!(report.is_exact(), "w = {w}: {}", report.summary());
    }
}
