//! A test that cannot check anything on this machine says so where people
//! see it. libtest keeps what a passing test prints with `print!` or
//! `eprint!` to itself, so a skip said that way vanishes from a green run
//! and nobody learns that nothing was checked; a write straight to the
//! process's standard error is not captured.

use std::io::Write;

/// The one line a skipped check prints: `SKIPPED: <what> (<why>; <how>)`.
pub fn line(what: &str, why: &str, how: &str) -> String {
    format!("SKIPPED: {what} ({why}; {how})")
}

/// Says, past the test harness's capture, that `what` was not checked
/// here, `why`, and `how` to get what it needs.
pub fn skipped(what: &str, why: &str, how: &str) {
    past_capture(&line(what, why, how));
}

/// Writes `text` as a line on standard error where a test's reader sees
/// it, passing or failing.
pub fn past_capture(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Whether this test must not run here because the suite runs under a
/// target's runner (qemu, for a cross build): then it says so, with
/// `why_not` (what the runner would make of it), and the caller returns.
/// The native run of the suite checks it.
pub fn under_a_runner(what: &str, why_not: &str) -> bool {
    let Some(runner) = crate::target::runner() else {
        return false;
    };
    skipped(
        what,
        &format!("under `{}` {why_not}", runner.join(" ")),
        "the native run of the suite checks it",
    );
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_line_names_what_why_and_how() {
        assert_eq!(
            super::line("the Python check", "no python3", "install Python 3"),
            "SKIPPED: the Python check (no python3; install Python 3)"
        );
    }
}
