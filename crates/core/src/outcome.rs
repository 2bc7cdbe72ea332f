//! A step binary's outcome as data: the one JSON object `--json` prints,
//! and what the workshop's tools read back. The sentences a person reads
//! are free to change; this is the contract between programs.

use std::time::Duration;

use serde_json::{json, Value};

use crate::selfcheck::{Failure, FailureKind, Verdict};
use crate::step::Variant;

/// What one run of a step binary came to.
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
        let (kind, sentence, count) = match &self.verdict {
            Verdict::Passes => ("passes", None, None),
            Verdict::Unchecked => ("unchecked", None, None),
            Verdict::Fails(Failure { kind, sentence }) => {
                let (name, count) = kind_name(kind);
                (name, Some(sentence.as_str()), count)
            }
        };
        json!({
            "step": self.step,
            "variant": variant_name(self.variant),
            "instruction_set": self.instruction_set,
            "problem": self.problem.map(|p| json!({
                "w": p.w,
                "maxiter": p.maxiter,
                "points": p.points,
            })),
            "verdict": {
                "kind": kind,
                "sentence": sentence,
                "count": count,
            },
            "exact": self.exact,
            "differing": self.differing,
            "sum": self.sum,
            "seconds": self.seconds,
            "reference_seconds": self.reference_seconds,
            "z_updates_per_second": self.z_updates_per_second,
            "checked_on": self.checked_on,
        })
        .to_string()
    }

    /// The outcome in a binary's standard output: its one line of JSON.
    pub fn from_output(stdout: &str) -> Result<RunOutcome, NotAnOutcome> {
        let line = stdout
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .ok_or(NotAnOutcome("no JSON object"))?;
        let value: Value =
            serde_json::from_str(line).map_err(|_| NotAnOutcome("not valid JSON"))?;
        Self::from_value(&value)
    }

    fn from_value(v: &Value) -> Result<RunOutcome, NotAnOutcome> {
        let text = |key: &'static str| v[key].as_str().map(str::to_string).ok_or(NotAnOutcome(key));
        let verdict = &v["verdict"];
        let count = verdict["count"].as_u64().map(|n| n as usize);
        let sentence = verdict["sentence"].as_str().map(str::to_string);
        let kind = verdict["kind"].as_str().ok_or(NotAnOutcome("verdict"))?;
        let verdict = match kind {
            "passes" => Verdict::Passes,
            "unchecked" => Verdict::Unchecked,
            _ => Verdict::Fails(Failure {
                kind: kind_from_name(kind, count).ok_or(NotAnOutcome("verdict"))?,
                sentence: sentence.ok_or(NotAnOutcome("sentence"))?,
            }),
        };
        let variant = match v["variant"].as_str() {
            Some("exercise") => Variant::Exercise,
            Some("solution") => Variant::Solution,
            _ => return Err(NotAnOutcome("variant")),
        };
        let problem = match &v["problem"] {
            Value::Null => None,
            p => Some(Shape {
                w: p["w"].as_u64().ok_or(NotAnOutcome("problem"))?,
                maxiter: p["maxiter"].as_u64().ok_or(NotAnOutcome("problem"))? as u32,
                points: p["points"].as_u64().ok_or(NotAnOutcome("problem"))? as usize,
            }),
        };
        Ok(RunOutcome {
            step: text("step")?,
            variant,
            instruction_set: text("instruction_set")?,
            problem,
            verdict,
            exact: v["exact"].as_bool(),
            differing: v["differing"].as_u64().map(|n| n as usize),
            sum: v["sum"].as_u64(),
            seconds: v["seconds"].as_f64(),
            reference_seconds: v["reference_seconds"].as_f64(),
            z_updates_per_second: v["z_updates_per_second"].as_f64(),
            checked_on: v["checked_on"].as_str().map(str::to_string),
        })
    }
}

/// Output that held no outcome: which field was missing or wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnOutcome(pub &'static str);

impl std::fmt::Display for NotAnOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "its outcome has no valid `{}`", self.0)
    }
}

fn variant_name(variant: Variant) -> &'static str {
    match variant {
        Variant::Exercise => "exercise",
        Variant::Solution => "solution",
    }
}

/// A failure's kind as JSON names it, with its count where it has one.
fn kind_name(kind: &FailureKind) -> (&'static str, Option<usize>) {
    match *kind {
        FailureKind::Stub => ("stub", None),
        FailureKind::Panicked => ("panicked", None),
        FailureKind::DoesNotCompile => ("does-not-compile", None),
        FailureKind::CannotRun => ("cannot-run", None),
        FailureKind::Wrong { differing } => ("wrong", Some(differing)),
        FailureKind::WrongLength { returned } => ("wrong-length", Some(returned)),
        FailureKind::NeverFinishes => ("never-finishes", None),
        FailureKind::LessonMissed => ("lesson-missed", None),
    }
}

fn kind_from_name(name: &str, count: Option<usize>) -> Option<FailureKind> {
    Some(match name {
        "stub" => FailureKind::Stub,
        "panicked" => FailureKind::Panicked,
        "does-not-compile" => FailureKind::DoesNotCompile,
        "cannot-run" => FailureKind::CannotRun,
        "wrong" => FailureKind::Wrong { differing: count? },
        "wrong-length" => FailureKind::WrongLength { returned: count? },
        "never-finishes" => FailureKind::NeverFinishes,
        "lesson-missed" => FailureKind::LessonMissed,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
                kind,
                sentence: "x.rs is wrong on `100 30`: \"17\" points differ;\nsee x.png".into(),
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
        let outcomes = [
            full,
            outcome(Verdict::Unchecked),
            failure(FailureKind::Stub),
            failure(FailureKind::Panicked),
            failure(FailureKind::DoesNotCompile),
            failure(FailureKind::CannotRun),
            failure(FailureKind::Wrong { differing: 17 }),
            failure(FailureKind::WrongLength { returned: 0 }),
            failure(FailureKind::NeverFinishes),
            failure(FailureKind::LessonMissed),
        ];
        for outcome in outcomes {
            let printed = format!("Total elements: 2500\n{}\n", outcome.to_json());
            assert_eq!(RunOutcome::from_output(&printed), Ok(outcome));
        }
    }

    #[test]
    fn output_without_an_outcome_says_so() {
        assert_eq!(
            RunOutcome::from_output("Total elements: 2500\n"),
            Err(NotAnOutcome("no JSON object"))
        );
        assert_eq!(
            RunOutcome::from_output("{\"step\": 1}\n"),
            Err(NotAnOutcome("verdict"))
        );
    }
}
