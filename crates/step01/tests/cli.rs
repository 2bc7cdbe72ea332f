//! The step binaries' behaviour, shared by every step through
//! `mandel_core::run`, tested once here on step01: the tutorial's phrases,
//! the outputs, and one clear line with status 2 for every user mistake.

#[path = "../src/attendee.rs"]
mod attendee;

use std::process::Output;

fn step01(args: &[&str]) -> Output {
    mandel_testing::target::command(env!("CARGO_BIN_EXE_step01"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("step01 runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A user mistake: status 2, one line beginning `error: `, no panic.
fn assert_mistake(args: &[&str], expect: &str) {
    let out = step01(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(err.contains(expect), "{args:?}: wanted {expect:?} in {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn bad_arguments_get_one_line_and_status_2() {
    assert_mistake(&["0", "100"], "must be at least 1");
    assert_mistake(&["abc", "100"], "must be a positive whole number");
    assert_mistake(&["100", "-3"], "-3");
    assert_mistake(&["100", "1.5"], "must be a positive whole number");
    assert_mistake(&["100", "99999999999"], "must be a positive whole number");
    assert_mistake(&["100", "30", "7"], "unexpected argument");
    assert_mistake(&["100", "30", "--palette", "rainbow"], "rainbow");
    assert_mistake(&["100", "30", "--frobnicate"], "--frobnicate");
}

#[test]
fn sizes_too_big_for_memory_are_refused_before_any_work() {
    assert_mistake(&["100000000000", "10"], "use a smaller w");
}

#[test]
fn unwritable_outputs_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/out.png");
    assert_mistake(
        &["100", "30", "--png", missing.to_str().unwrap()],
        "does not exist",
    );
    // Without the flamegraph feature `--profile` is refused first, saying
    // how to build it in; either way one line and nothing written.
    let profiling = mandel_core::profile::check_supported().is_ok();
    assert_mistake(
        &["100", "30", "--profile", dir.path().to_str().unwrap()],
        if profiling {
            "is a directory"
        } else {
            "flamegraph"
        },
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing left behind"
    );
}

#[test]
fn prints_the_tutorials_lines_and_checks_the_oracle() {
    let out = step01(&["100", "30"]);
    let text = stdout(&out);
    assert!(text.contains("Total elements: 2500\n"), "{text}");
    if attendee::ACTIVE == mandel_core::Variant::Solution {
        assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
        assert!(
            text.contains("Total sum of elements (for validation): 6502\n"),
            "{text}"
        );
        assert!(text.contains("matches exactly"), "{text}");
        assert!(text.contains("z-updates/s"), "{text}");
    } else if !mandel_core::selfcheck::is_unfilled_stub(attendee::EXERCISE) {
        // An attendee's finished exercise: it runs and is checked.
        assert!(text.contains("Check against the oracle"), "{text}");
    } else {
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(
            err.contains("exercises/step01/calculate_z.rs is still a stub"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[cfg(feature = "solution")]
#[test]
fn writes_pictures_and_a_flamegraph() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("m.png");
    let svg = dir.path().join("flame.svg");
    let mut args = vec![
        "1000",
        "300",
        "--png",
        png.to_str().unwrap(),
        "--palette",
        "colour",
    ];
    // The binary is built with the same mandel-core as this test: whether
    // it profiles is whether this does.
    let profiling = mandel_core::profile::check_supported().is_ok();
    if profiling {
        args.extend(["--profile", svg.to_str().unwrap()]);
    }
    let out = step01(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let picture = image_size(&png);
    assert_eq!(picture, (500, 500));
    if profiling {
        let flame = std::fs::read_to_string(&svg).unwrap();
        assert!(
            flame.starts_with("<?xml") && flame.contains("<svg"),
            "an SVG"
        );
    }
    // Only the two outputs: no temporary file left beside them.
    let expected = if profiling { 2 } else { 1 };
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), expected);
}

#[cfg(feature = "solution")]
fn image_size(path: &std::path::Path) -> (u32, u32) {
    // PNG: the IHDR chunk holds width and height, big-endian, at byte 16.
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}
