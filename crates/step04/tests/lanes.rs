//! The step 04 chapter says how much of the lanes' work is useful for each
//! group size the kernels make. Those shares come from the oracle's
//! answer, so this test computes them and finds them in the chapter.

use mandel_core::Problem;

/// The share of lane-iterations that advance a point still inside, when
/// each block is cut into groups of `group` points (the last padded) and
/// a group runs as long as its longest point.
fn useful_share(problem: &Problem, group: usize, block: usize) -> f64 {
    let maxiter = u64::from(problem.maxiter);
    let iterations: Vec<u64> = problem
        .oracle()
        .iter()
        .enumerate()
        .map(|(i, &count)| match count {
            // 0 is both "escaped at once" (|c| > 2) and "never escaped".
            0 if problem.re[i] * problem.re[i] + problem.im[i] * problem.im[i] > 4.0 => 1,
            0 => maxiter,
            escaped => u64::from(escaped) + 1,
        })
        .collect();
    let useful: u64 = iterations.iter().sum();
    let spent: u64 = iterations
        .chunks(block)
        .flat_map(|block| block.chunks(group))
        .map(|points| points.iter().max().copied().unwrap_or(0) * group as u64)
        .sum();
    useful as f64 / spent as f64
}

#[test]
fn the_chapters_useful_lane_shares_are_the_oracles() {
    if mandel_testing::skip::under_a_runner(
        "the chapter's useful-lane shares",
        "the oracle on 4000 1000 takes minutes",
    ) {
        return;
    }
    let problem = Problem::new(4000, 1000).unwrap();
    // The exercise's kernel, with the exercise's blocks: the portable
    // build's 2 vectors of 8, AVX2's 3, AVX-512's 8.
    let block = exercise_block();
    for group in [16, 24, 64] {
        let share = format!("{:.1}%", 100.0 * useful_share(&problem, group, block));
        assert!(
            step04::STEP.chapter.contains(&share),
            "docs/src/step04-fused.md should give {share} as the useful share of {group}-point groups on `4000 1000`"
        );
    }
}

/// The exercise's `BLOCK`, read from the stub the attendee starts from.
fn exercise_block() -> usize {
    let line = step04::STEP
        .stub
        .lines()
        .find_map(|line| line.strip_prefix("pub const BLOCK: usize = "))
        .expect("the stub declares BLOCK");
    line.trim_end_matches(';').replace('_', "").parse().unwrap()
}
