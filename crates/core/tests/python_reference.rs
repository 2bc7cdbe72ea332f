//! The oracle against the tutorial's own arithmetic, run live in Python
//! (tools/tutorial_reference.py) where a python3 is installed. Fixed
//! figures from the same script are in the oracle's unit tests; this one
//! also tries sizes nobody wrote down.

use std::process::Command;

use mandel_core::{oracle, Problem};

#[test]
fn oracle_agrees_with_python_on_fresh_sizes() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tools/tutorial_reference.py"
    );
    let sizes = [
        "100", "30", "77", "40", "250", "80", "14", "20", "404", "60",
    ];
    let ran = Command::new("python3").arg(script).args(sizes).output();
    let out = match ran {
        Ok(out) if out.status.success() => out,
        Ok(out) => panic!("{script} failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(why) => {
            mandel_testing::skip::skipped(
                "the oracle against the tutorial's arithmetic run in Python",
                &format!("cannot run python3: {why}"),
                "install Python 3 (python.org; Debian, Ubuntu: `sudo apt-get install python3`)",
            );
            return;
        }
    };
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), sizes.len() / 2, "{text}");
    for line in text.lines() {
        let f: Vec<u64> = line
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        let (w, maxiter, rows, cols, points, sum) = (f[0], f[1] as u32, f[2], f[3], f[4], f[5]);
        let p = Problem::new(w, maxiter).unwrap();
        assert_eq!(
            (p.rows() as u64, p.cols() as u64, p.len() as u64),
            (rows, cols, points),
            "{line}"
        );
        assert_eq!(oracle::validation_sum(p.oracle()), sum, "{line}");
    }
}
