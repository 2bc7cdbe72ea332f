//! The attendee's runner (status, watch, hint, reset, diff) as an attendee
//! meets it, including with an exercise that does not compile. Tests that
//! build an attendee's code do so in a copy of the workshop, never in this
//! checkout.

// The attendee's session ends `watch` with SIGINT, so it runs on Unix; its
// helpers are idle elsewhere.
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mandel_core::selfcheck::{FailureKind, Verdict};
use mandel_core::{Step, Variant};
use workshop::registry::LADDER;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `workshop` (the copy's, built for this machine by the test's own
/// `cargo build`) run in `dir`.
fn workshop_in(exe: &Path, dir: &Path, args: &[&str]) -> Output {
    run_in(Command::new(exe), dir, args)
}

fn run_in(mut command: Command, dir: &Path, args: &[&str]) -> Output {
    command
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .output()
        .expect("workshop runs")
}

/// This build's `workshop` (through the target's runner, if any).
fn workshop(dir: &Path, args: &[&str]) -> Output {
    run_in(
        mandel_testing::target::command(env!("CARGO_BIN_EXE_workshop")),
        dir,
        args,
    )
}

/// The smallest folder the tools take for a workshop: a `Cargo.toml` and
/// the shipped exercises.
fn minimal_workshop() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "").unwrap();
    write_stubs(dir.path());
    dir
}

/// Every step's shipped stub as its exercise file, as a fresh clone's first
/// build leaves them (this checkout's own exercise files may be anything).
fn write_stubs(dir: &Path) {
    for step in LADDER {
        let exercise = dir.join(step.path(Variant::Exercise));
        std::fs::create_dir_all(exercise.parent().unwrap()).unwrap();
        std::fs::copy(
            root().join(format!("crates/{}/stub/{}", step.id(), step.file)),
            exercise,
        )
        .unwrap();
    }
}

/// Step `number` of the ladder.
fn registered(number: u32) -> &'static Step {
    LADDER
        .iter()
        .copied()
        .find(|s| s.number == number)
        .unwrap_or_else(|| panic!("no step {number} in LADDER"))
}

/// The reference solution of step `number`, as text.
fn solution(number: u32) -> String {
    std::fs::read_to_string(root().join(registered(number).path(Variant::Solution))).unwrap()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn hints_come_one_at_a_time_and_all_on_request() {
    let dir = minimal_workshop();
    let first = text(&workshop(dir.path(), &["hint", "1"]).stdout);
    assert!(first.contains("Hint 1 of 5:"), "{first}");
    assert!(
        first.contains("`cargo run -- hint 1` again for the next"),
        "{first}"
    );
    let second = text(&workshop(dir.path(), &["hint", "01"]).stdout);
    assert!(second.contains("Hint 2 of 5:"), "{second}");
    assert!(!second.contains("Hint 1 of 5"), "{second}");
    let progress = std::fs::read_to_string(dir.path().join(".workshop-progress")).unwrap();
    assert_eq!(progress, "step01 2\n");

    let all = text(&workshop(dir.path(), &["hint", "step01", "--all"]).stdout);
    for n in 1..=5 {
        assert!(all.contains(&format!("\n{n}. ")), "{all}");
    }
    for _ in 0..3 {
        workshop(dir.path(), &["hint", "1"]);
    }
    let again = text(&workshop(dir.path(), &["hint", "1"]).stdout);
    assert!(again.contains("You have seen all 5 hints"), "{again}");
    assert!(again.contains("`cargo run -- diff 1`"), "{again}");
}

#[test]
fn reset_keeps_your_file_and_puts_the_stub_back() {
    let dir = minimal_workshop();
    let exercise = dir.path().join("exercises/step02/calculate_z.rs");
    let stub = std::fs::read_to_string(&exercise).unwrap();

    let out = workshop(dir.path(), &["reset", "2"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("already the shipped stub; nothing changed"));

    for (attempt, work) in ["my first try\n", "my second try\n"].iter().enumerate() {
        std::fs::write(&exercise, work).unwrap();
        let out = workshop(dir.path(), &["reset", "2"]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        let saved = format!("exercises/step02/calculate_z.saved-{}.rs", attempt + 1);
        assert!(
            stdout.contains(&format!(
                "Saved your exercises/step02/calculate_z.rs as {saved}"
            )),
            "{stdout}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&saved)).unwrap(),
            *work
        );
        assert_eq!(std::fs::read_to_string(&exercise).unwrap(), stub);
    }

    std::fs::remove_file(&exercise).unwrap();
    let out = workshop(dir.path(), &["reset", "2"]);
    assert!(text(&out.stdout).contains("was missing"));
    assert_eq!(std::fs::read_to_string(&exercise).unwrap(), stub);
}

#[test]
fn files_saved_with_windows_line_endings_reset_and_diff_as_unix_ones() {
    let dir = minimal_workshop();
    // The stub, saved with `\r\n`, is the stub: nothing to save or reset.
    let exercise = dir.path().join("exercises/step03/calculate_z.rs");
    let stub = std::fs::read_to_string(&exercise).unwrap();
    std::fs::write(&exercise, crlf(&stub)).unwrap();
    let out = workshop(dir.path(), &["reset", "3"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("already the shipped stub; nothing changed"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(std::fs::read_to_string(&exercise).unwrap(), crlf(&stub));
    // The lesson between two steps is the same with either file in CRLF.
    for n in [4, 5] {
        let file = format!("solutions/step{n:02}/calculate_z.rs");
        std::fs::create_dir_all(dir.path().join(format!("solutions/step{n:02}"))).unwrap();
        std::fs::copy(root().join(&file), dir.path().join(&file)).unwrap();
    }
    let lesson = || text(&workshop(dir.path(), &["diff", "4", "5", "--color", "never"]).stdout);
    let unix = lesson();
    assert!(
        unix.contains("\n+++ solutions/step05/calculate_z.rs\n"),
        "{unix}"
    );
    let step04 = dir.path().join("solutions/step04/calculate_z.rs");
    let text04 = std::fs::read_to_string(&step04).unwrap();
    std::fs::write(&step04, crlf(&text04)).unwrap();
    assert_eq!(lesson(), unix);
}

#[test]
fn diff_between_two_steps_shows_the_lesson() {
    let out = workshop(&root(), &["diff", "4", "5", "--color", "never"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let first = stdout.lines().next().unwrap();
    assert!(
        first.starts_with("Step 04 -> step 05, multiprocess: step 04's kernel"),
        "{first}"
    );
    assert!(first.ends_with(" lines)"), "{first}");
    assert!(
        stdout.contains(
            "\n--- solutions/step04/calculate_z.rs\n+++ solutions/step05/calculate_z.rs\n@@ -"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n+use step04::dispatch::{calculate_z_blocks_into, BLOCK};\n"),
        "{stdout}"
    );
    assert!(!stdout.contains('\x1b'), "no colour when asked for none");

    let coloured = text(&workshop(&root(), &["diff", "4", "5", "--color", "always"]).stdout);
    assert!(
        coloured.contains("\x1b[32m+use step04::dispatch"),
        "{coloured}"
    );
}

/// A stand-in for the instructor's room (`lab room` is the lab's, which
/// this crate's tests cannot start; its own tests are the lab's): it
/// answers posts as the room does, takes code ROOM42 only, and keeps every
/// body it took. Stopping it closes its port, as killing the room would.
struct StandInRoom {
    address: String,
    posts: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StandInRoom {
    fn open() -> StandInRoom {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let posts: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (kept, stopping) = (Arc::clone(&posts), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let body = read_post(&mut stream);
                let taken = body.contains("\"code\":\"ROOM42\"");
                let answer = if taken {
                    kept.lock().unwrap().push(body);
                    "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\ntaken\n"
                } else {
                    "HTTP/1.1 403 Forbidden\r\nContent-Length: 16\r\nConnection: close\r\n\r\nwrong room code\n"
                };
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        StandInRoom {
            address,
            posts,
            stop,
            thread: Some(thread),
        }
    }

    fn posts(&self) -> Vec<String> {
        self.posts.lock().unwrap().clone()
    }

    /// Waits up to ten seconds for `count` posts.
    fn wait_for(&self, count: usize) -> Vec<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while self.posts().len() < count && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.posts()
    }

    /// Closes the room mid-session: its port refuses from now on.
    fn kill(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(&self.address);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for StandInRoom {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP request's body, by its Content-Length.
fn read_post(stream: &mut std::net::TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    String::from_utf8_lossy(&body).into_owned()
}

#[test]
fn joining_a_room_says_what_went_wrong_in_one_line() {
    let dir = minimal_workshop();
    let dir = dir.path();
    let room = StandInRoom::open();
    // A port nothing listens on: bound, then let go.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    };
    for (args, expect) in [
        (
            vec!["join", "nowhere", "ROOM42", "--name", "Ada"],
            "not a room's address",
        ),
        (
            vec!["join", &room.address, "ab", "--name", "Ada"],
            "letters and digits",
        ),
        (
            vec![
                "join",
                &room.address,
                "ROOM42",
                "--name",
                "<script>alert(1)</script>",
            ],
            "a name is",
        ),
        (
            vec!["join", &closed, "ROOM42", "--name", "Ada"],
            "no room answers",
        ),
        (
            vec!["join", &room.address, "ROOM41", "--name", "Ada"],
            "wrong room code",
        ),
        (vec!["help-me"], "you are in no room"),
    ] {
        let out = workshop(dir, &args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
    assert!(room.posts().is_empty(), "{:?}", room.posts());

    let joined = workshop(
        dir,
        &["join", &room.address, "room42", "--name", "Ada King"],
    );
    assert_eq!(joined.status.code(), Some(0), "{}", text(&joined.stderr));
    assert!(text(&joined.stdout).contains("never your code"));
    let progress = std::fs::read_to_string(dir.join(".workshop-progress")).unwrap();
    assert_eq!(progress, format!("room {} ROOM42 Ada King\n", room.address));
    let hand = workshop(dir, &["help-me"]);
    assert_eq!(hand.status.code(), Some(0), "{}", text(&hand.stderr));
    let posts = room.posts();
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert!(posts[1].contains("\"hand\":true"), "{}", posts[1]);
    let left = workshop(dir, &["leave"]);
    assert_eq!(left.status.code(), Some(0), "{}", text(&left.stderr));
    let progress = std::fs::read_to_string(dir.join(".workshop-progress")).unwrap();
    assert!(!progress.contains("room"), "{progress}");
}

/// A copy of the workshop to build an attendee's code in. Its profile is
/// unoptimised and without debug information, so the copy builds in
/// seconds rather than minutes; its target folder lasts between runs.
fn copy_of_the_workshop() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(root().join(file), dir.path().join(file)).unwrap();
    }
    for folder in ["crates", "solutions", "docs", "assets", "kernels"] {
        copy_tree(&root().join(folder), &dir.path().join(folder));
    }
    write_stubs(dir.path());
    let manifest = dir.path().join("Cargo.toml");
    let fast = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("opt-level = 1", "opt-level = 0")
        .replace("opt-level = 2", "opt-level = 0");
    std::fs::write(&manifest, fast).unwrap();
    dir
}

fn cargo_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", copy_target())
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .output()
        .expect("cargo runs")
}

/// Copies share one target folder, and so the paths cargo puts their
/// binaries at (`debug/step01`): tests that build one take turns, or one
/// would check the other's binaries.
static COPY_TARGET: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn copy_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("workshop-copy-target")
}

/// Lines a running `watch` printed, as they come.
struct Watching {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Watching {
    fn start(exe: &Path, dir: &Path, args: &[&str]) -> Watching {
        let mut child = Command::new(exe)
            .args(args)
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", copy_target())
            .env("CARGO_PROFILE_DEV_DEBUG", "0")
            .env_remove("RUST_BACKTRACE")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Watching {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line that contains `wanted`; fails after two minutes.
    fn expect(&mut self, wanted: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(wanted) {
                        return line;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!(
                        "no line with {wanted:?}; watch printed:\n{}",
                        self.seen.join("\n")
                    );
                }
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn a_broken_exercise_breaks_nothing_and_an_attendees_session_works() {
    // The copy is built by cargo for this machine and run natively: under
    // a cross target's runner (qemu) it would check the native build again.
    if mandel_testing::skip::under_a_runner(
        "an attendee's session on a copy of the workshop",
        "it would build and check the native copy again",
    ) {
        return;
    }
    let _one_copy_at_a_time = COPY_TARGET.lock().unwrap_or_else(|e| e.into_inner());
    let copy = copy_of_the_workshop();
    let dir = copy.path();
    let solve = |n: u32| {
        let file = format!("step{n:02}/calculate_z.rs");
        std::fs::copy(
            dir.join("solutions").join(&file),
            dir.join("exercises").join(&file),
        )
        .unwrap();
    };
    // Step 01 done, step 03 half-typed, the rest as shipped.
    solve(1);
    let step03 = dir.join("exercises/step03/calculate_z.rs");
    let half_typed =
        std::fs::read_to_string(&step03)
            .unwrap()
            .replacen("todo!()", "let half = todo!()", 1);
    std::fs::write(&step03, half_typed).unwrap();

    // The tools build (`cargo run` would build just this) and give hints.
    let built = cargo_in(dir, &["build", "-p", "workshop"]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let exe = copy_target().join("debug/workshop");
    let hint = workshop_in(&exe, dir, &["hint", "3"]);
    assert_eq!(hint.status.code(), Some(0), "{}", text(&hint.stderr));
    assert!(text(&hint.stdout).contains("Hint 1 of 5:"));

    // The attendee joins the room: status and watch send it their
    // verdicts.
    let mut room = StandInRoom::open();
    let joined = workshop_in(
        &exe,
        dir,
        &["join", &room.address, "ROOM42", "--name", "Ada"],
    );
    assert_eq!(joined.status.code(), Some(0), "{}", text(&joined.stderr));

    // Status: one row per step, the broken one named with its line.
    let out = workshop_in(
        &exe,
        dir,
        &["status", "100", "30", "--runs", "1", "--profile", "dev"],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let row = |id: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("no row for {id}: {stdout}"))
            .to_string()
    };
    assert!(row("step01").contains("passes"), "{stdout}");
    assert!(
        row("step01").trim_end().ends_with("x  scalar f64"),
        "timed against the reference, both named: {stdout}"
    );
    assert!(row("step02").contains("stub"), "{stdout}");
    assert!(row("step03").contains("does not compile"), "{stdout}");
    assert!(
        row("step03").contains("exercises/step03/calculate_z.rs:"),
        "{stdout}"
    );
    assert!(
        row("step04").contains("stub") && row("step05").contains("stub"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Next: step 02, dereference-optimised"),
        "{stdout}"
    );
    // The room got every step's verdict data, and neither code nor paths.
    let posts = room.wait_for(2);
    assert_eq!(posts.len(), 2, "the join and the status: {posts:?}");
    let sent: serde_json::Value = serde_json::from_str(&posts[1]).unwrap();
    let verdicts = sent["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), LADDER.len(), "{sent}");
    assert_eq!(verdicts[0]["verdict"], "passes", "{sent}");
    assert!(verdicts[0]["seconds"].as_f64().is_some(), "timed: {sent}");
    assert_eq!(verdicts[2]["verdict"], "does not compile", "{sent}");
    assert!(
        verdicts[2]["line"]
            .as_str()
            .unwrap()
            .starts_with("exercises/step03/calculate_z.rs:"),
        "{sent}"
    );
    let home = dir.canonicalize().unwrap();
    for post in &posts {
        assert!(!post.contains(&*home.to_string_lossy()), "a path: {post}");
        assert!(!post.contains(&*dir.to_string_lossy()), "a path: {post}");
        assert!(!post.contains("let half"), "code: {post}");
    }
    assert_eq!(
        text(&out.stderr).matches("room:").count(),
        0,
        "{}",
        text(&out.stderr)
    );

    // diff N: the answer, only when asked for, unless the step passes.
    let asked = workshop_in(&exe, dir, &["diff", "2", "--profile", "dev"]);
    let diff2 = text(&asked.stdout);
    assert!(
        diff2.starts_with("Warning: step 02 does not pass yet (stub)"),
        "{diff2}"
    );
    assert!(diff2.contains("add --yes to see it"), "{diff2}");
    assert!(!diff2.contains("+++ solutions/step02"), "{diff2}");
    assert_eq!(asked.status.code(), Some(1), "{diff2}");
    let diff2 = text(&workshop_in(&exe, dir, &["diff", "2", "--yes", "--profile", "dev"]).stdout);
    assert!(
        diff2.starts_with("Warning: step 02 does not pass yet (stub)"),
        "{diff2}"
    );
    assert!(diff2.contains("+++ solutions/step02"), "{diff2}");
    let diff1 = text(&workshop_in(&exe, dir, &["diff", "1", "--profile", "dev"]).stdout);
    assert!(diff1.starts_with("Your step 01 passes"), "{diff1}");
    assert!(diff1.contains("The two files are the same."), "{diff1}");

    // watch: reports, re-checks on a save, moves on when the step passes,
    // and ends cleanly on Ctrl-C.
    // The room is killed mid-session: watch goes on, and says so once.
    let mut watch = Watching::start(&exe, dir, &["watch", "2", "--profile", "dev"]);
    watch.expect("[step02] stub");
    watch.expect("Watching exercises/step02/calculate_z.rs");
    let posts = room.wait_for(3);
    assert!(posts[2].contains("\"verdict\":\"stub\""), "{posts:?}");
    room.kill();
    solve(2);
    watch.expect("[step02] passes");
    watch.expect("On to step 03");
    // rustc's whole first diagnostic, its path as the attendee knows it.
    let broken = watch.expect("[step03]");
    assert!(broken.contains("does not compile: error"), "{broken}");
    watch.expect("--> exercises/step03/calculate_z.rs:");
    watch.expect("Watching exercises/step03/calculate_z.rs");
    // SAFETY: signalling a child we started and still own.
    unsafe {
        libc::kill(watch.child.id() as libc::pid_t, libc::SIGINT);
    }
    watch.expect("Stopped watching.");
    let out = watch.child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    let said: Vec<&str> = stderr.lines().filter(|l| l.starts_with("room:")).collect();
    assert_eq!(said.len(), 1, "one line, once: {stderr}");
    assert!(said[0].contains("not reaching the room"), "{stderr}");
}

/// What the three tools said of one step's file.
#[derive(Debug)]
struct Said {
    /// status's label, reduced to the verdict: `wrong (17 points)` is `wrong`.
    status: String,
    /// status's whole detail, whose first line the others must show too.
    detail: String,
    test_output: String,
    test_passed: bool,
    watch: String,
}

/// How many times the agreement test checks a file whose verdict depends
/// on which thread finishes first.
const TIMING_TRIES: usize = 3;

/// The verdict in a status row: the text from the label's column, one of
/// the labels the self-check's verdicts have, or a file `missing`.
fn status_verdict(row: &str) -> String {
    let label = row.get(29..).unwrap_or_default();
    let mut verdicts: Vec<&str> = FailureKind::ALL
        .iter()
        .map(|kind| kind.label())
        .chain([Verdict::Passes.label(), "missing"])
        .collect();
    // `wrong length` before `wrong`.
    verdicts.sort_by_key(|verdict| std::cmp::Reverse(verdict.len()));
    verdicts
        .into_iter()
        .find(|verdict| label.starts_with(verdict))
        .unwrap_or_else(|| panic!("no verdict in the row {row:?}"))
        .to_string()
}

/// The same sentence, wherever it was made: numbers (times, the limit,
/// counts), the points listed and the picture's folder differ between
/// processes.
fn comparable(line: &str) -> String {
    let line = line.split(" Red marks them in ").next().unwrap_or(line);
    // Which points come first differs between runs of code whose answer
    // depends on timing.
    let line = line.split("; first: ").next().unwrap_or(line);
    let mut out = String::new();
    for c in line.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` saved with Windows line endings.
fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

/// The catalogue's wrong version of `step` named `name`.
fn mutant(step: u32, name: &str) -> &'static mutants::Mutant {
    mutants::CATALOGUE
        .iter()
        .find(|m| m.step == step && m.name == name)
        .unwrap_or_else(|| panic!("no wrong version {name:?} of step {step}"))
}

/// A wrong version from the mutants crate's catalogue, as a file's text.
fn wrong_version(step: u32, name: &str) -> String {
    let mutant = mutant(step, name);
    solution(step).replacen(mutant.find, mutant.replace, 1)
}

/// Every verdict, on every step, is the same in `cargo test -p stepNN`,
/// `status` and `watch`, with the same first line: on a copy of the
/// workshop, each step's file set to a version with a known verdict.
#[cfg(unix)]
#[test]
fn cargo_test_status_and_watch_give_one_verdict() {
    if mandel_testing::skip::under_a_runner(
        "cargo test, status and watch agreeing",
        "it would build and check the native copy again",
    ) {
        return;
    }
    let _one_copy_at_a_time = COPY_TARGET.lock().unwrap_or_else(|e| e.into_inner());
    let copy = copy_of_the_workshop();
    let dir = copy.path();
    let built = cargo_in(dir, &["build", "-p", "workshop"]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let exe = copy_target().join("debug/workshop");
    // Each step's tests built once with its file there, as `setup` does.
    for step in LADDER {
        let built = cargo_in(dir, &["test", "--no-run", "-p", &step.id()]);
        assert!(built.status.success(), "{}", text(&built.stderr));
    }
    let does_not_compile = format!("{}\nfn broken() -> u32 {{ \"text\" }}\n", solution(2));
    // Rounds, each setting every step's file: every verdict a file can
    // earn appears (a missing one is written back), and every step passes
    // once.
    let full_rounds: Vec<Vec<(&str, Option<String>)>> = vec![
        vec![
            (
                "never finishes",
                Some(wrong_version(1, "a loop that stops only on escape")),
            ),
            ("does not compile", Some(does_not_compile)),
            (
                "wrong length",
                Some(wrong_version(3, "the padding lanes kept")),
            ),
            // Deleted: `status` writes the stub back first, so all three
            // find it.
            ("stub", None),
            // Right, but not what the step teaches.
            (
                "lesson missed",
                Some(wrong_version(5, "the chunks computed one after another")),
            ),
            (
                "lesson missed",
                Some(wrong_version(6, "the manager hands out no work")),
            ),
            // Saved with Windows line endings (an editor's, git's
            // `core.autocrlf`): it passes all the same.
            ("passes", Some(crlf(&solution(7)))),
        ],
        vec![
            ("passes", Some(solution(1))),
            ("passes", Some(crlf(&solution(2)))),
            ("passes", Some(solution(3))),
            ("passes", Some(solution(4))),
            ("passes", Some(solution(5))),
            ("passes", Some(solution(6))),
            ("panics", Some(wrong_version(7, "no bounds check"))),
        ],
    ];
    // Then only the steps named, the others left as they are: answers
    // that depend on which thread finishes first (checked several times
    // below), and precision.
    let mut rounds: Vec<Vec<(u32, &str, Option<String>)>> = Vec::new();
    for round in full_rounds {
        assert_eq!(
            round.len(),
            LADDER.len(),
            "each full round gives every step on the ladder a verdict, in LADDER's order"
        );
        let numbers = LADDER.iter().map(|s| s.number);
        rounds.push(numbers.zip(round).map(|(n, (v, t))| (n, v, t)).collect());
    }
    rounds.push(vec![
        (
            5,
            "wrong",
            Some(wrong_version(5, "chunks joined in the order they finish")),
        ),
        // Wrong only in a strategy the binary's own arguments do not
        // choose (static), which the self-check tries, and in the order
        // ranks finish, which it makes differ from theirs.
        (
            6,
            "wrong",
            Some(wrong_version(
                6,
                "bands in one shared vector, in the order ranks finish",
            )),
        ),
        (
            7,
            "wrong",
            Some(wrong_version(7, "z in float where real was meant")),
        ),
    ]);
    // A file whose verdict depends on timing must get it every time.
    let timing: Vec<String> = mutants::CATALOGUE
        .iter()
        .filter(|m| m.timing)
        .map(|m| wrong_version(m.step, m.name))
        .collect();
    let cannot_run: Vec<u32> = LADDER
        .iter()
        .filter(|s| {
            matches!(
                (s.availability)(),
                mandel_core::Availability::Unavailable(_)
            )
        })
        .map(|s| s.number)
        .collect();
    let mut disagree = Vec::new();
    for round in rounds {
        for &(n, _, ref text) in &round {
            let file = dir.join(registered(n).path(Variant::Exercise));
            match text {
                Some(text) => std::fs::write(&file, text).unwrap(),
                None => {
                    let _ = std::fs::remove_file(&file);
                }
            }
        }
        let timed = |text: &Option<String>| text.as_ref().is_some_and(|t| timing.contains(t));
        let tries = if round.iter().any(|(_, _, text)| timed(text)) {
            TIMING_TRIES
        } else {
            1
        };
        for attempt in 1..=tries {
            let status = workshop_in(&exe, dir, &["status", "--runs", "0", "--profile", "dev"]);
            let table = text(&status.stdout);
            assert_eq!(
                status.status.code(),
                Some(0),
                "{table}{}",
                text(&status.stderr)
            );
            for (n, expected, file) in &round {
                let n = *n;
                if attempt > 1 && !timed(file) {
                    continue;
                }
                let id = format!("step{n:02}");
                let row = table
                    .lines()
                    .find(|l| l.starts_with(&id))
                    .unwrap_or_else(|| panic!("no row for {id}: {table}"));
                // The detail: rustc's or the self-check's, from `watch`'s
                // report of the same step.
                let mut watch =
                    Watching::start(&exe, dir, &["watch", &n.to_string(), "--profile", "dev"]);
                let watched = watch.expect(&format!("[{id}] "));
                let _ = watch.child.kill();
                let _ = watch.child.wait();
                let test = cargo_in(dir, &["test", "-p", &id]);
                let said = Said {
                    status: status_verdict(row),
                    detail: watched
                        .split_once(": ")
                        .map(|(_, d)| d.to_string())
                        .unwrap_or_default(),
                    test_output: format!("{}{}", text(&test.stdout), text(&test.stderr)),
                    test_passed: test.status.success(),
                    watch: watched.clone(),
                };
                // Where nothing can run the step's kernel (step 07's), whatever
                // the file holds, all three must say so (and the test must
                // fail).
                let expected = if cannot_run.contains(&n) {
                    &"not on this machine"
                } else {
                    expected
                };
                let agrees = said.status == *expected
                    && said.watch.starts_with(&format!("[{id}] {expected}"))
                    && said.test_passed == (*expected == "passes")
                    && (*expected == "passes"
                        || comparable(&said.test_output)
                            .contains(&comparable(said.detail.lines().next().unwrap_or("?"))));
                if !agrees {
                    disagree.push(format!(
                        "{id} should be {expected} (try {attempt} of {tries}): {said:#?}"
                    ));
                }
            }
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n\n"));
}
