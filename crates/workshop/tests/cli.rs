//! The workshop tool as a user meets it.

use std::process::Output;

fn workshop(args: &[&str]) -> Output {
    mandel_testing::target::command(env!("CARGO_BIN_EXE_workshop"))
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
    for step in ["step01", "step02", "step03", "step04", "step05"] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(step))
            .unwrap_or_else(|| panic!("no row for {step}: {stdout}"));
        assert!(row.ends_with("exact"), "{row}");
        assert!(row.contains('%'), "{row}");
    }
    assert!(stdout
        .lines()
        .any(|l| l.starts_with("step01") && l.contains("1.0x")));
    assert!(
        stdout.contains("% peak, for steps on 1 thread: of one core's peak"),
        "{stdout}"
    );
    // The GPU step: a row where a GPU answers, else one line saying why.
    match step07::gpu::gpu() {
        Ok(_) => assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("step07") && l.contains('%')),
            "{stdout}"
        ),
        Err(why) => {
            let skipped = stdout
                .lines()
                .find(|l| l.starts_with("step07 gpu skipped: "))
                .unwrap_or_else(|| panic!("no line for step07: {stdout}"));
            assert!(skipped.contains(&why.0), "{skipped}");
        }
    }
}

#[test]
fn fastest_runs_on_the_gpu_or_the_fastest_cpu_step_and_says_which() {
    let out = workshop(&["fastest", "200", "50"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let ran = stdout.lines().next().unwrap_or_default();
    assert!(ran.starts_with("Ran `200 50` on step"), "{ran}");
    let why = stdout.lines().nth(1).unwrap_or_default();
    if step07::gpu::gpu().is_ok() {
        assert!(ran.contains("step07 gpu"), "{ran}");
        assert!(why.contains("a GPU is present"), "{why}");
    } else {
        assert!(!ran.contains("step07"), "{ran}");
        assert!(why.contains("no GPU ("), "{why}");
        assert!(
            why.contains("fastest of the CPU steps on a `300 100` trial"),
            "{why}"
        );
    }
    let bad = workshop(&["fastest", "0"]);
    assert_eq!(bad.status.code(), Some(2));
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
        let out = workshop(&["hint", step, "--all"]);
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
        (&["reset", "9"], "unknown step '9'"),
        (&["diff", "1", "9"], "unknown step '9'"),
        (&["diff", "x"], "unknown step 'x'"),
        (&["watch", "0"], "unknown step '0'"),
        (&["status", "0"], "must be at least 1"),
        (&["diff", "1", "2", "--color", "pink"], "pink"),
        (&["ladder", "--steps", "1,x"], "unknown step 'x'"),
        (
            &["ladder", "100", "30", "--runs", "0"],
            "must be at least 1",
        ),
        (&["ladder", "0"], "must be at least 1"),
        (&["frobnicate"], "frobnicate"),
        (
            &["sweep", "100", "30"],
            "cargo run --release -p lab -- sweep 100 30",
        ),
    ] {
        let out = workshop(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    use std::process::Stdio;
    // As `workshop | head -1`: the reader goes away before the table.
    let mut child = mandel_testing::target::command(env!("CARGO_BIN_EXE_workshop"))
        .args(["ladder", "100", "30", "--runs", "1"])
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_ladder_names_each_rows_instructions_and_isa_forces_them() {
    let out = workshop(&[
        "ladder", "100", "30", "--runs", "1", "--steps", "3,4", "--isa", "portable",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains(" instructions "), "{stdout}");
    for step in ["step03", "step04"] {
        let row = stdout.lines().find(|l| l.starts_with(step)).unwrap();
        assert!(row.contains("portable ("), "{row}");
    }
    let refused = mandel_testing::target::command(env!("CARGO_BIN_EXE_workshop"))
        .args(["ladder", "100", "30", "--isa", "avx2"])
        .env("MANDEL_DISABLE_CPU_FEATURES", "avx2")
        .output()
        .unwrap();
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: --isa avx2: "), "{stderr}");
}

/// `stepNN ... --json`: one object, the whole output, that says what the
/// sentences say (the tools read it, never the sentences).
#[test]
fn every_step_binary_prints_its_outcome_as_one_json_object() {
    use mandel_core::outcome::RunOutcome;
    use mandel_core::selfcheck::Verdict;
    let beside = std::path::Path::new(env!("CARGO_BIN_EXE_workshop"));
    let problem = mandel_core::Problem::new(100, 30).unwrap();
    let sum = mandel_core::oracle::validation_sum(problem.oracle());
    for registered in workshop::registry::LADDER {
        let step = registered.id();
        let exe = beside.with_file_name(format!("{step}{}", std::env::consts::EXE_SUFFIX));
        if !exe.is_file() {
            mandel_testing::skip::skipped(
                &format!("{step} --json"),
                "its binary is not built",
                "`cargo test --workspace --features solution` builds it",
            );
            continue;
        }
        let mut args = vec!["100", "30", "--json"];
        // Step 07's GPU, emulated on the CPU where there is none.
        match (registered.availability)() {
            mandel_core::Availability::Ready => {}
            mandel_core::Availability::Emulated(_) => args.push("--emulate"),
            mandel_core::Availability::Unavailable(why) => {
                mandel_testing::skip::skipped(
                    &format!("{step} --json"),
                    &why.to_string(),
                    "then run the tests again",
                );
                continue;
            }
        }
        let out = mandel_testing::target::command(&exe)
            .args(&args)
            .output()
            .unwrap();
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{step}: {stdout}{}",
            text(&out.stderr)
        );
        assert_eq!(stdout.lines().count(), 1, "{step}: one line only: {stdout}");
        let outcome = RunOutcome::from_output(&stdout)
            .unwrap_or_else(|why| panic!("{step}: {why}: {stdout}"));
        assert_eq!(outcome.step, step);
        assert_eq!(outcome.verdict, Verdict::Passes, "{step}");
        let shape = outcome.problem.expect("the problem");
        assert_eq!(
            (shape.w, shape.maxiter, shape.points),
            (100, 30, problem.len())
        );
        assert!(outcome.seconds.is_some_and(|s| s > 0.0), "{step}");
        assert!(!outcome.instruction_set.is_empty(), "{step}");
        if outcome.exact == Some(true) {
            assert_eq!(outcome.sum, Some(sum), "{step}");
            assert_eq!(outcome.differing, Some(0), "{step}");
        }
    }
    // Unchecked is said as such, not as a pass.
    let exe = beside.with_file_name(format!("step01{}", std::env::consts::EXE_SUFFIX));
    if exe.is_file() {
        let out = mandel_testing::target::command(&exe)
            .args(["100", "30", "--json", "--no-check"])
            .output()
            .unwrap();
        let outcome = RunOutcome::from_output(&text(&out.stdout)).unwrap();
        assert_eq!(outcome.verdict, Verdict::Unchecked);
        assert_eq!(outcome.exact, None);
    }
}

/// `setup --projector` on whatever this machine has: a line for every
/// live part, present or missing, each missing one with its install line,
/// and status 0 either way (a missing part is news, not a failure).
#[test]
fn setup_for_the_projector_names_every_live_part_and_how_to_get_the_missing() {
    let out = workshop(&["setup", "--projector"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("present  ") || l.starts_with("MISSING  "))
        .collect();
    assert_eq!(lines.len(), workshop::setup::LIVE_PARTS.len(), "{stdout}");
    for (line, part) in lines.iter().zip(workshop::setup::LIVE_PARTS) {
        assert!(line.contains(part.name), "{line}");
        if line.starts_with("MISSING") {
            assert!(line.contains(part.install_here()), "{line}");
        }
    }
    let missing = lines.iter().filter(|l| l.starts_with("MISSING")).count();
    assert!(
        stdout.contains(&format!("{missing} of {} missing", lines.len())),
        "{stdout}"
    );
}
