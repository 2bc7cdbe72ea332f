//! Ranks as threads, the same rank code MPI runs: every rank count, both
//! strategies and any chunk count give the same answer, within the
//! oracle's tolerance; a failing rank ends the run, never hangs it.

#[path = "../src/attendee.rs"]
mod attendee;

use std::time::{Duration, Instant};

use attendee::{active_code, ACTIVE};
use mandel_core::selfcheck::check;
use step06::comm::{Grid, Message};
use step06::{run_on_threads, Settings, Strategy, STEP};

#[test]
fn every_rank_count_strategy_and_chunk_count_gives_the_same_right_answer() {
    let pictures = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let problem = mandel_core::Problem::new(68, 200).unwrap();
    let rows = problem.rows();
    let mut first: Option<Vec<u32>> = None;
    for ranks in 1..=5 {
        for strategy in [Strategy::Static, Strategy::Farm] {
            for chunks in [1, 2, 7, rows, rows + 5] {
                for ship_points in [false, true] {
                    let settings = Settings {
                        ranks: Some(ranks),
                        strategy,
                        chunks: Some(chunks),
                        ship_points,
                        ..Settings::default()
                    };
                    let what = format!(
                        "{ranks} ranks, {strategy:?}, {chunks} chunks, shipped {ship_points}"
                    );
                    let kernel =
                        |p: &mandel_core::Problem| run_on_threads(&settings, p, active_code()).0;
                    if let Err(failure) = check(&STEP, ACTIVE, pictures, &kernel) {
                        panic!("{what}: {failure}");
                    }
                    let answer = kernel(&problem);
                    match &first {
                        None => first = Some(answer),
                        Some(expected) => {
                            assert!(answer == *expected, "{what}: differs from 1 rank's")
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn messages_survive_the_wire_and_shipping_points_costs_bytes() {
    let grid = Grid::new(100, 30, true);
    let shipped = grid.task(3, 4..9);
    let by_index = Grid::new(100, 30, false).task(3, 4..9);
    for message in [
        Message::Ready,
        shipped.clone(),
        by_index.clone(),
        Message::Answer {
            chunk: 7,
            counts: vec![1, 2, 3, u32::MAX],
        },
        Message::Stop,
        Message::Abort {
            rank: 2,
            why: "it broke".into(),
        },
    ] {
        assert_eq!(Message::decode(&message.encode()), message);
    }
    // Five rows of 50 points: 16 bytes a point shipped, 33 bytes a task by index.
    assert_eq!(by_index.encode().len(), 33);
    assert_eq!(shipped.encode().len(), 33 + 5 * 50 * 16);
    let Message::Task { rows, points, .. } = shipped else {
        unreachable!()
    };
    assert_eq!(grid.points_of(&rows, &points), grid.rows(rows.clone()));
}

fn step06(args: &[&str]) -> (Option<i32>, String, String, Duration) {
    let start = Instant::now();
    let mut child = mandel_testing::target::command(env!("CARGO_BIN_EXE_step06"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A run that hangs fails the test instead of hanging it.
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("step06 {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr),
        start.elapsed(),
    )
}

// On the reference: the stub would fail before any rank could.
#[cfg(feature = "solution")]
#[test]
fn a_rank_that_fails_ends_the_run_with_one_line_naming_it() {
    for strategy in ["farm", "static"] {
        for rank in ["0", "1", "2"] {
            let (code, _, stderr, _) = step06(&[
                "100",
                "30",
                "--ranks",
                "3",
                "--strategy",
                strategy,
                "--fail-rank",
                rank,
            ]);
            assert_eq!(code, Some(1), "{strategy} {rank}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.contains(&format!("rank {rank}")), "{stderr}");
            assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
        }
    }
}

#[test]
fn mistakes_are_one_line_and_status_2() {
    for (args, expect) in [
        (&["100", "30", "--ranks", "0"][..], "must be at least 1"),
        (&["100", "30", "--strategy", "round-robin"], "round-robin"),
        (&["100", "30", "--chunks", "0"], "must be at least 1"),
        (
            &["100", "30", "--ranks", "2", "--fail-rank", "2"],
            "no such rank",
        ),
        // Issue 32: refused before any rank starts (20,000 ranks' threads
        // and their messages once took 24 GB), naming the limit.
        (&["300", "100", "--ranks", "100000"], "at most"),
        (&["300", "100", "--ranks", "20000"], "at most"),
    ] {
        let (code, _, stderr, _) = step06(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}

#[test]
fn the_run_reports_ranks_traffic_and_work() {
    let (code, stdout, stderr, _) = step06(&["100", "30", "--ranks", "3", "--chunks", "10"]);
    if stderr.contains("is still a stub") {
        // The shipped exercise: the run says so and ends.
        assert_eq!(code, Some(1), "{stderr}");
        return;
    }
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("3 ranks, threads of one process"),
        "{stdout}"
    );
    assert!(stdout.contains("strategy farm, 10 chunks"), "{stdout}");
    assert!(
        stdout.contains("Total sum of elements (for validation): 6502"),
        "{stdout}"
    );
    assert!(stdout.contains("Traffic: "), "{stdout}");
    assert!(stdout.contains("Points computed: rank 0 "), "{stdout}");
}

#[test]
fn a_rank_that_returns_without_answering_ends_the_run_naming_it() {
    use step06::comm::{Comm, ThreadRanks};
    // Rank 0 waits for rank 1's answer; rank 1 returns without sending it.
    let started = Instant::now();
    let ended = std::panic::catch_unwind(|| {
        ThreadRanks::run(3, |comm: &dyn Comm| match comm.rank() {
            0 => Some(comm.receive_from(1)),
            _ => None,
        })
    });
    let why = mandel_core::selfcheck::panic_message(ended.unwrap_err().as_ref());
    assert!(
        why.contains("waits for a message from rank 1, but rank 1 returned without sending one"),
        "{why}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it ended, and at once"
    );
}

#[test]
fn traffic_is_reported_per_host_when_ranks_span_hosts() {
    use step06::comm::Traffic;
    use step06::traffic_report;
    let mut traffic = Traffic::default();
    let answer = Message::Answer {
        chunk: 0,
        counts: vec![0; 10],
    };
    // Ranks 1 and 2 on one host, rank 3 on another: rank 0 sends each a
    // task and gets each an answer.
    for rank in 1..4 {
        traffic.count_sent(rank, 33);
        traffic.count_received(rank, 1024 * rank * rank, &answer);
    }
    let hosts: Vec<String> = ["a", "b", "b", "c"].map(String::from).to_vec();
    let report = traffic_report(&traffic, 4, 100, Some(&hosts));
    let per_host = report.lines().last().unwrap();
    assert_eq!(
        per_host,
        "Per host, to and from rank 0 over the network: a (rank 0): rank 0's own; \
         b (ranks 1, 2) sent 5 KiB, received 66 B; c (rank 3) sent 9 KiB, received 33 B."
    );
    // One host: nothing crossed a network, and no line says so.
    let one = vec!["a".to_string(); 4];
    assert!(!traffic_report(&traffic, 4, 100, Some(&one)).contains("Per host"));
    assert!(!traffic_report(&traffic, 4, 100, None).contains("Per host"));
}
