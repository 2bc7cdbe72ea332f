//! Step 04's tolerance, tested in every build. Where the build has a fused
//! multiply-add the kernel uses it and the self-check holds it to
//! `FMA_TOLERANCE`; where it has none the kernel must be exact. And because
//! CI machines build without FMA, a scalar model of the fused arithmetic
//! (`f64::mul_add` rounds once, in hardware or in software) shows here that
//! the tolerance is both needed and enough.

use mandel_core::verify::FUSED;
use mandel_core::{verify, Isa, Problem, Tolerance, Variant};
use step04::{FMA_TOLERANCE, STEP};

/// Step 04's arithmetic, one point at a time, as it runs where the
/// hardware has a fused multiply-add: three of them and an add per
/// iteration (`re*re + q.re` first, then `- im*im`), and a fourth for
/// |z|^2.
fn fused_model(problem: &Problem) -> Vec<u32> {
    problem
        .points
        .iter()
        .map(|q| {
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for iteration in 0..problem.maxiter {
                let next_re = (-im).mul_add(im, re.mul_add(re, q.re));
                im = (re + re).mul_add(im, q.im);
                re = next_re;
                if re.mul_add(re, im * im) > 4.0 {
                    return iteration;
                }
            }
            0
        })
        .collect()
}

#[test]
fn the_step_declares_exact_without_fma_and_the_tolerance_with_it() {
    let expected = if FUSED {
        FMA_TOLERANCE
    } else {
        Tolerance::Exact
    };
    for isa in Isa::ALL {
        assert_eq!(STEP.tolerance(Variant::Exercise, isa), expected);
    }
    assert_eq!(STEP.tolerance(Variant::Solution, Isa::Portable), expected);
    assert_eq!(STEP.tolerance(Variant::Solution, Isa::Avx2), FMA_TOLERANCE);
    assert_eq!(
        STEP.tolerance(Variant::Solution, Isa::Avx512),
        FMA_TOLERANCE
    );
}

#[test]
fn fused_arithmetic_moves_a_few_points_and_stays_within_the_tolerance() {
    let mut moved = 0;
    for (w, maxiter) in [(1000, 1000), (1000, 300), (700, 2000), (400, 20000)] {
        let problem = Problem::new(w, maxiter).unwrap();
        let report = verify::compare(&problem, &fused_model(&problem));
        assert!(
            report.passes(FMA_TOLERANCE),
            "`{w} {maxiter}` with fused multiply-add: {}",
            report.summary()
        );
        moved += report.differing;
    }
    // Without this the tolerance would be untested: exact would do.
    assert!(moved > 0, "fused arithmetic changed no point at all");
}

#[cfg(feature = "solution")]
#[test]
fn the_kernel_matches_the_model_of_its_own_arithmetic() {
    // Exact against the model where the build fuses, and against the
    // oracle (the model without fusing) where it does not.
    let problem = Problem::new(1000, 1000).unwrap();
    let output = step04::solution::calculate_z(&problem.re, &problem.im, problem.maxiter);
    let reference = if FUSED {
        fused_model(&problem)
    } else {
        problem.oracle().to_vec()
    };
    let report = verify::compare_with(&problem, &reference, &output);
    assert!(report.is_exact(), "{}", report.summary());
}

/// Every dispatched kernel this CPU can run, with the sieve and without,
/// equals the model of its own arithmetic exactly, on sizes that fill
/// whole vector groups, leave partial ones, blocks of several sizes, and
/// maxiters that make one sieve stage or several; and so stays within the
/// tolerance of the oracle.
#[test]
fn every_instruction_set_this_cpu_has_matches_the_model_of_its_arithmetic() {
    use step04::dispatch::calculate_z_sieved;
    for isa in Isa::ALL {
        if !isa.is_available() {
            mandel_testing::skip::skipped(
                &format!("step 04's {isa} kernel against its arithmetic's model"),
                &format!("this CPU has no {isa}"),
                "run the suite on a CPU that has it",
            );
            continue;
        }
        for (w, maxiter, block) in [
            (100, 30, 256),
            (28, 100, 7),
            (333, 50, 1000),
            (1000, 1000, 256),
            (1000, 1000, 16384),
            (400, 5000, 64),
            (60, 10, 100),
        ] {
            let problem = Problem::new(w, maxiter).unwrap();
            let model = if isa.fuses() {
                fused_model(&problem)
            } else {
                problem.oracle().to_vec()
            };
            for sieve in [false, true] {
                let mut output = vec![u32::MAX; problem.len()];
                calculate_z_sieved(
                    isa,
                    &problem.re,
                    &problem.im,
                    maxiter,
                    block,
                    sieve,
                    &mut output,
                );
                let against_model = verify::compare_with(&problem, &model, &output);
                assert!(
                    against_model.is_exact(),
                    "{isa} (sieve: {sieve}) on `{w} {maxiter}`, blocks of {block}: {}",
                    against_model.summary()
                );
                let report = verify::compare(&problem, &output);
                assert!(
                    report.passes(mandel_core::verify::tolerance_with(isa)),
                    "{isa}: {}",
                    report.summary()
                );
            }
        }
    }
}
