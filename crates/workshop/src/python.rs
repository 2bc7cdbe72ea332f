//! `lab bench --python`: the tutorial's Python beside the Rust steps,
//! on the same grid and machine. The scripts are this project's Python 3
//! retellings of the 2011 ones (`tools/python/`); each prints the
//! tutorial's lines, which are read back here.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// What a script's `outcome(...)` prints with `MANDEL_JSON=1`
/// (tools/python/common.py): a time and the sum, or what it lacks.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptOutcome {
    seconds: Option<f64>,
    sum: Option<u64>,
    missing: Option<String>,
}

/// One of the tutorial's scripts.
pub struct Script {
    pub file: &'static str,
    /// What the tutorial called it and what it does, for the table.
    pub what: &'static str,
    /// Environment it runs with (numexpr's thread count).
    pub env: &'static [(&'static str, &'static str)],
}

impl Script {
    /// `pure_python.py`, or `numpy_vector_numexpr.py (1 thread)`.
    pub fn name(&self) -> String {
        match self.env {
            [] => self.file.to_string(),
            [("NUMEXPR_MAX_THREADS", "1"), ..] => format!("{} (1 thread)", self.file),
            _ => format!("{} (env)", self.file),
        }
    }
}

pub const SCRIPTS: &[Script] = &[
    Script {
        file: "pure_python.py",
        what: "lists of complex, z[i] indexed",
        env: &[],
    },
    Script {
        file: "pure_python_2.py",
        what: "locals instead of z[i], q[i]",
        env: &[],
    },
    Script {
        file: "numpy_loop.py",
        what: "the same loop over numpy arrays",
        env: &[],
    },
    Script {
        file: "numpy_vector.py",
        what: "whole-array numpy, no early exit",
        env: &[],
    },
    Script {
        file: "numpy_vector_2.py",
        what: "numpy in blocks of 20,000",
        env: &[],
    },
    Script {
        file: "numpy_vector_numexpr.py",
        what: "numexpr: fused, threaded",
        env: &[],
    },
    Script {
        file: "numpy_vector_numexpr.py",
        what: "numexpr on one thread",
        env: &[("NUMEXPR_MAX_THREADS", "1"), ("NUMEXPR_NUM_THREADS", "1")],
    },
    Script {
        file: "multi.py",
        what: "multiprocessing, chunk per CPU",
        env: &[],
    },
];

/// What a script's run came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Ran {
    /// Its own timing of calculate_z, and its validation sum.
    Timed { took: Duration, sum: u64 },
    /// It could not run, in one line (a module or the interpreter missing).
    Missing(String),
}

/// The Python interpreter: `$PYTHON`, or `python3`.
pub fn interpreter() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// Runs `script` on `w maxiter` from the repository at `root`.
pub fn run(root: &Path, script: &Script, w: u64, maxiter: u32) -> Ran {
    let python = interpreter();
    let path = root.join("tools").join("python").join(script.file);
    let out = Command::new(&python)
        .arg(&path)
        .args([w.to_string(), maxiter.to_string()])
        .envs(script.env.iter().copied())
        .env("MANDEL_JSON", "1")
        .stdin(Stdio::null())
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => return Ran::Missing(format!("cannot run `{python}`: {e} (install Python 3)")),
    };
    // Under an emulator (qemu-user) a program that is not there starts,
    // and ends with the shell's "not found" status instead.
    if out.status.code() == Some(127) && out.stdout.is_empty() {
        return Ran::Missing(format!(
            "cannot run `{python}`: not found (install Python 3)"
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let outcome: ScriptOutcome = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_default();
    match outcome {
        ScriptOutcome {
            missing: Some(missing),
            ..
        } => Ran::Missing(format!("needs {missing}")),
        ScriptOutcome {
            seconds: Some(seconds),
            sum: Some(sum),
            ..
        } => Ran::Timed {
            took: Duration::from_secs_f64(seconds),
            sum,
        },
        _ => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
            Ran::Missing(format!(
                "{} failed ({}): {}",
                script.file,
                out.status,
                last.unwrap_or("no message").trim()
            ))
        }
    }
}
