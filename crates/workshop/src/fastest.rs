//! `workshop fastest`: the tutorial's closing question, "could we auto-run
//! on CUDA if a card is present?", answered. The problem runs on the GPU
//! step when this machine can run it, else on whichever CPU step a short
//! trial finds fastest here, and the output says which and why.

use std::process::ExitCode;

use mandel_core::error::positive;
use mandel_core::timing::{duration_text, median_run, rate, rate_text, timed};
use mandel_core::{verify, Availability, Error, Isa, PeakOf, Problem, Step, Variant};

use crate::registry::LADDER;

#[derive(clap::Args)]
pub struct Args {
    /// The tutorial's width: the grid is about w/2 x w/2 points.
    #[arg(default_value = "1000", value_parser = positive::<u64>)]
    w: u64,
    /// Iterations before a point counts as inside the set.
    #[arg(default_value = "1000", value_parser = positive::<u32>)]
    maxiter: u32,
}

/// The CPU steps' trial: small enough that step 01 takes a moment.
const TRIAL: (u64, u32) = (300, 100);

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let problem = Problem::new(args.w, args.maxiter)?;
    let (step, why) = choose()?;
    // The best instruction set: the fastest thing here.
    let isa = Isa::best();
    let (output, took) = timed(|| (step.solution)(&problem, isa));
    let report = verify::compare(&problem, &output);
    let passes = report.passes(step.tolerance(Variant::Solution, isa));
    println!(
        "Ran `{}` on {} {} ({}): {}, {} z-updates/s; oracle: {}.",
        problem.label(),
        step.id(),
        step.name,
        step.instruction_set(Variant::Solution, isa),
        duration_text(took),
        rate_text(rate(problem.z_updates(), took)),
        if report.is_exact() {
            "exact".to_string()
        } else if passes {
            format!("{} points differ, within tolerance", report.differing)
        } else {
            format!("WRONG: {}", report.summary())
        }
    );
    println!("Why {}: {why}", step.id());
    Ok(if passes {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The GPU step if it can run here; else the CPU step fastest on a trial.
fn choose() -> Result<(&'static Step, String), Error> {
    let mut no_gpu = Vec::new();
    for &step in LADDER {
        if let PeakOf::Gpu { .. } = step.peak {
            match (step.availability)() {
                Availability::Ready => return Ok((step, "a GPU is present.".to_string())),
                // What is missing; not what it means for the self-check.
                Availability::Emulated(why) | Availability::Unavailable(why) => {
                    no_gpu.push(why.missing)
                }
            }
        }
    }
    let trial = Problem::new(TRIAL.0, TRIAL.1)?;
    let mut timed_steps: Vec<(&'static Step, std::time::Duration)> = LADDER
        .iter()
        .copied()
        .filter(|s| matches!(s.peak, PeakOf::Cpu { .. }))
        .filter(|s| (s.availability)() == Availability::Ready)
        .map(|step| {
            let (median, _) = median_run(3, || (step.solution)(&trial, Isa::best()), || {});
            (step, median)
        })
        .collect();
    timed_steps.sort_by_key(|(_, median)| *median);
    let Some(&(fastest, _)) = timed_steps.first() else {
        return Err(Error::missing("no step can run on this machine"));
    };
    let trial_times = timed_steps
        .iter()
        .take(3)
        .map(|(s, t)| format!("{} {}", s.id(), duration_text(*t)))
        .collect::<Vec<_>>()
        .join(", ");
    let gpu = if no_gpu.is_empty() {
        String::new()
    } else {
        format!("no GPU ({}); ", no_gpu.join("; "))
    };
    Ok((
        fastest,
        format!(
            "{gpu}fastest of the CPU steps on a `{} {}` trial, median of 3 (fastest first: {trial_times}).",
            TRIAL.0, TRIAL.1
        ),
    ))
}
