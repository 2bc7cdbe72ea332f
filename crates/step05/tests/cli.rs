//! step05's own flags: bad values get one line and status 2.

fn step05(args: &[&str]) -> std::process::Output {
    mandel_testing::target::command(env!("CARGO_BIN_EXE_step05"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap()
}

#[test]
fn bad_thread_and_chunk_counts_are_refused() {
    for (args, expect) in [
        (&["100", "30", "--threads", "0"][..], "must be at least 1"),
        (&["100", "30", "--chunks", "0"], "must be at least 1"),
        (
            &["100", "30", "--chunks", "2501"],
            "more chunks than the 2,500 points",
        ),
        (
            &["100", "30", "--threads", "many"],
            "must be a positive whole number",
        ),
        // Issue 32: refused before any thread starts, naming the limit.
        (&["300", "100", "--threads", "100000"], "at most"),
    ] {
        let out = step05(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}

#[test]
fn threads_and_chunks_are_obeyed() {
    let out = step05(&["100", "30", "--threads", "2", "--chunks", "2500"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Running on 2 threads"), "{text}");
    if cfg!(feature = "solution") {
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(
            text.contains("Total sum of elements (for validation): 6502"),
            "{text}"
        );
    }
}

#[test]
fn the_thread_count_follows_rayon_num_threads() {
    let out = mandel_testing::target::command(env!("CARGO_BIN_EXE_step05"))
        .args(["100", "30"])
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Running on 1 thread\n"), "{text}");
}
