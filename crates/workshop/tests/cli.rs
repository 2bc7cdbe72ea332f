//! The workshop tool as a user meets it.

use std::process::{Command, Output};

fn workshop(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_workshop"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("workshop runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn ladder_times_and_verifies_every_step() {
    let out = workshop(&["ladder", "100", "30", "--runs", "2"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("50 x 50 = 2,500 points"), "{stdout}");
    for step in ["step01", "step02"] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(step))
            .unwrap_or_else(|| panic!("no row for {step}: {stdout}"));
        assert!(row.ends_with("exact"), "{row}");
        assert!(
            row.contains("z-updates/s")
                || row.contains(" M")
                || row.contains(" G")
                || row.contains(" k"),
            "{row}"
        );
    }
    assert!(stdout
        .lines()
        .any(|l| l.starts_with("step01") && l.contains("1.0x")));
}

#[test]
fn one_step_can_be_picked() {
    let out = workshop(&["ladder", "100", "30", "--runs", "1", "--steps", "step02"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stdout.contains("\nstep01"), "{stdout}");
    assert!(stdout.contains("left out"), "{stdout}");
}

#[test]
fn hints_come_from_the_book() {
    for step in ["1", "02", "step01"] {
        let out = workshop(&["hint", step]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{step}");
        assert!(stdout.contains("hints for exercises/step0"), "{stdout}");
        assert!(stdout.lines().count() > 3, "{stdout}");
    }
}

#[test]
fn user_mistakes_get_one_line_and_status_2() {
    for (args, expect) in [
        (&["hint", "9"][..], "unknown step '9'"),
        (&["ladder", "--steps", "1,x"], "unknown step 'x'"),
        (
            &["ladder", "100", "30", "--runs", "0"],
            "must be at least 1",
        ),
        (&["ladder", "0"], "must be at least 1"),
        (&["frobnicate"], "frobnicate"),
    ] {
        let out = workshop(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}
