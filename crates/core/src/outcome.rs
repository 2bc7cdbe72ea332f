//! A step binary's outcome as data: the one JSON object `--json` prints,
//! and what the workshop's tools read back. The sentences a person reads
//! are free to change; this is the contract between programs.

use std::time::Duration;

use crate::selfcheck::Verdict;
use crate::step::Variant;

/// What one run of a step binary came to. Its JSON is derived: fields
/// keep their Rust names, enum values are kebab-case (`does-not-compile`),
/// and a field this version does not know is refused.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunOutcome {
    /// `step01`.
    pub step: String,
    pub variant: Variant,
    /// The instruction set its kernel ran with, as the ladder names it.
    pub instruction_set: String,
    /// The problem it ran, when it got that far (the self-check runs
    /// several: then none).
    pub problem: Option<Shape>,
    pub verdict: Verdict,
    /// Whether the answer matched the reference to the last point; `None`
    /// when it was not compared.
    pub exact: Option<bool>,
    /// Points whose value differs from the reference's.
    pub differing: Option<usize>,
    /// The tutorial's "Total sum of elements (for validation)".
    pub sum: Option<u64>,
    /// The kernel's time: one run, or with `--time-runs` the median.
    pub seconds: Option<f64>,
    /// With `--self-check --time-runs`: the reference's median beside it.
    pub reference_seconds: Option<f64>,
    pub z_updates_per_second: Option<f64>,
    /// Where a self-check ran the kernel when that is not where the step
    /// is meant to run: step 07's `the CPU, compiled as C by `cc` (no GPU
    /// here)`.
    pub checked_on: Option<String>,
}

/// The size of a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shape {
    pub w: u64,
    pub maxiter: u32,
    pub points: usize,
}

impl RunOutcome {
    /// An outcome with only its verdict known yet.
    pub fn new(step: String, variant: Variant, instruction_set: String, verdict: Verdict) -> Self {
        RunOutcome {
            step,
            variant,
            instruction_set,
            problem: None,
            verdict,
            exact: None,
            differing: None,
            sum: None,
            seconds: None,
            reference_seconds: None,
            z_updates_per_second: None,
            checked_on: None,
        }
    }

    /// The kernel's time, as a duration.
    pub fn time(&self) -> Option<Duration> {
        self.seconds.map(Duration::from_secs_f64)
    }

    /// The attendee's and the reference's median time, when measured side
    /// by side.
    pub fn timed(&self) -> Option<(Duration, Duration)> {
        Some((
            self.time()?,
            Duration::from_secs_f64(self.reference_seconds?),
        ))
    }

    /// One line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an outcome is plain data")
    }

    /// The outcome in a binary's standard output: its one line of JSON.
    pub fn from_output(stdout: &str) -> Result<RunOutcome, NotAnOutcome> {
        let line = stdout
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .ok_or_else(|| NotAnOutcome("no JSON object".to_string()))?;
        serde_json::from_str(line).map_err(|e| NotAnOutcome(e.to_string()))
    }
}

/// Output that held no outcome, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnOutcome(pub String);

impl std::fmt::Display for NotAnOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "its output holds no outcome: {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selfcheck::{Failure, FailureKind};

    fn outcome(verdict: Verdict) -> RunOutcome {
        RunOutcome::new(
            "step04".into(),
            Variant::Exercise,
            "AVX-512".into(),
            verdict,
        )
    }

    #[test]
    fn outcomes_survive_their_json() {
        let failure = |kind| {
            outcome(Verdict::Fails(Failure {
                differing: (kind == FailureKind::Wrong).then_some(17),
                ..Failure::new(
                    kind,
                    "x.rs is wrong on `100 30`: \"17\" points differ;\nsee x.png",
                )
            }))
        };
        let mut full = outcome(Verdict::Passes);
        full.problem = Some(Shape {
            w: 1000,
            maxiter: 1000,
            points: 250_000,
        });
        full.exact = Some(false);
        full.differing = Some(3);
        full.sum = Some(1_148_485);
        full.seconds = Some(0.012_5);
        full.reference_seconds = Some(0.010_25);
        full.z_updates_per_second = Some(9.73e7);
        full.checked_on = Some("the CPU, compiled as C by `cc` (no GPU here)".into());
        let outcomes = [full, outcome(Verdict::Unchecked)]
            .into_iter()
            .chain(FailureKind::ALL.map(failure));
        for outcome in outcomes {
            let printed = format!("Total elements: 2500\n{}\n", outcome.to_json());
            assert_eq!(RunOutcome::from_output(&printed), Ok(outcome));
        }
    }

    #[test]
    fn the_json_names_values_in_kebab_case() {
        let mut wrong = outcome(Verdict::Fails(Failure::new(
            FailureKind::DoesNotCompile,
            "x.cu:3: expected ';'",
        )));
        wrong.variant = Variant::Solution;
        let value: serde_json::Value = serde_json::from_str(&wrong.to_json()).unwrap();
        assert_eq!(value["variant"], "solution");
        assert_eq!(value["verdict"]["fails"]["kind"], "does-not-compile");
        assert_eq!(
            value["verdict"]["fails"]["sentence"],
            "x.cu:3: expected ';'"
        );
        let passes: serde_json::Value =
            serde_json::from_str(&outcome(Verdict::Passes).to_json()).unwrap();
        assert_eq!(passes["verdict"], "passes");
    }

    #[test]
    fn output_without_an_outcome_says_so() {
        assert_eq!(
            RunOutcome::from_output("Total elements: 2500\n"),
            Err(NotAnOutcome("no JSON object".into()))
        );
        let missing = RunOutcome::from_output("{\"step\": \"step01\"}\n").unwrap_err();
        assert!(missing.0.contains("missing field"), "{missing}");
        let mut extra: serde_json::Value =
            serde_json::from_str(&outcome(Verdict::Passes).to_json()).unwrap();
        extra["colour"] = "red".into();
        let unknown = RunOutcome::from_output(&extra.to_string()).unwrap_err();
        assert!(unknown.0.contains("unknown field `colour`"), "{unknown}");
    }
}
