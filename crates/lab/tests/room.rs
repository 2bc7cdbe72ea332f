//! `lab room` as an instructor and a room of attendees meet it, over
//! loopback: the attendees' side is the workshop's own client
//! (`workshop::room`), junk is sent raw.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use workshop::registry::LADDER;
use workshop::room::{agent, post, NotSent, Report, StepVerdict};

/// A `lab room` on 127.0.0.1 and a port the system picked; killed when
/// dropped.
struct OpenRoom {
    child: Child,
    address: String,
}

impl OpenRoom {
    fn open(extra: &[&str]) -> OpenRoom {
        let mut child = mandel_testing::target::command(env!("CARGO_BIN_EXE_lab"))
            .args(["room", "--port", "0", "--code", "ROOM42"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("lab runs");
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut first)
            .unwrap();
        let address = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_string();
        assert!(address.starts_with("127.0.0.1:"), "{first}");
        OpenRoom { child, address }
    }

    /// The page's data, as the page asks for it.
    fn data(&self, after: Option<u64>) -> serde_json::Value {
        let path = match after {
            Some(version) => format!("/api/room?after={version}"),
            None => "/api/room".to_string(),
        };
        let (status, body) = raw(&self.address, "GET", &path, b"");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }
}

impl Drop for OpenRoom {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.0 request, as anything on the network may send it: the
/// status and the body.
fn raw(address: &str, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // A body the server refuses unread may meet a closed socket.
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

fn verdict(step: &str, label: &str, line: &str) -> StepVerdict {
    StepVerdict::new(step, label, line)
}

fn report(name: &str, verdicts: Vec<StepVerdict>) -> Report {
    Report {
        code: "ROOM42".into(),
        name: name.into(),
        verdicts,
        hand: None,
    }
}

fn json(report: &Report) -> Vec<u8> {
    serde_json::to_vec(report).unwrap()
}

#[test]
fn junk_is_refused_with_a_4xx_and_changes_nothing() {
    let room = OpenRoom::open(&[]);
    let before = room.data(None);
    let good = report("Ada", vec![verdict("step01", "passes", "fine")]);
    let mut unknown_field: serde_json::Value = serde_json::to_value(&good).unwrap();
    unknown_field["colour"] = "red".into();
    let mut unknown_in_verdict = serde_json::to_value(&good).unwrap();
    unknown_in_verdict["verdicts"][0]["code"] = "fn main() {}".into();
    let mut oversized = good.clone();
    oversized.verdicts[0].line = "x".repeat(20_000);
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "wrong code",
            json(&Report {
                code: "ROOM41".into(),
                ..good.clone()
            }),
            403,
        ),
        ("oversized", json(&oversized), 413),
        (
            "malformed",
            b"{\"code\": \"ROOM42\", \"name\":".to_vec(),
            400,
        ),
        ("not JSON", b"hello".to_vec(), 400),
        ("unknown field", unknown_field.to_string().into_bytes(), 400),
        (
            "unknown field in a verdict",
            unknown_in_verdict.to_string().into_bytes(),
            400,
        ),
        (
            "<script> in a name",
            json(&report(
                "<script>alert(1)</script>",
                vec![verdict("step01", "passes", "")],
            )),
            400,
        ),
        (
            "no such step",
            json(&report("Ada", vec![verdict("step99", "passes", "")])),
            400,
        ),
        (
            "no such verdict",
            json(&report("Ada", vec![verdict("step01", "hacked", "")])),
            400,
        ),
        (
            "two lines",
            json(&report("Ada", vec![verdict("step01", "wrong", "a\nb")])),
            400,
        ),
    ];
    for (what, body, expected) in cases {
        let (status, said) = raw(&room.address, "POST", "/api/verdicts", &body);
        assert_eq!(status, expected, "{what}: {said}");
        assert_eq!(said.trim().lines().count(), 1, "{what}: one line: {said}");
    }
    // Only the posting address takes posts; nothing else is there.
    assert_eq!(raw(&room.address, "GET", "/api/verdicts", b"").0, 405);
    assert_eq!(raw(&room.address, "DELETE", "/api/room", b"").0, 405);
    assert_eq!(raw(&room.address, "GET", "/etc/passwd", b"").0, 404);
    assert_eq!(room.data(None)["version"], before["version"]);
    assert_eq!(room.data(None)["attendees"], serde_json::json!([]));

    // An absolute path a sender left in is cut to its file's name.
    let leaky = report(
        "Ada",
        vec![verdict(
            "step03",
            "does not compile",
            "/home/ada/w/exercises/step03/calculate_z.rs:3: oops",
        )],
    );
    assert_eq!(post(&agent(), &room.address, &leaky), Ok(()));
    let line = &room.data(None)["attendees"][0]["steps"]["step03"]["line"];
    assert_eq!(line, "calculate_z.rs:3: oops");

    // One attendee posting in a loop is slowed down, and what is refused
    // changes nothing.
    let agent = agent();
    let mut refused = 0;
    let mut taken = 0;
    let mut last = String::new();
    for n in 0..60 {
        let one = report("Ada", vec![verdict("step01", "wrong", &format!("try {n}"))]);
        match post(&agent, &room.address, &one) {
            Ok(()) => {
                taken += 1;
                last = format!("try {n}");
            }
            Err(NotSent::Refused(why)) => {
                assert!(why.contains("slow down"), "{why}");
                refused += 1;
            }
            Err(other) => panic!("{other}"),
        }
    }
    assert!(
        refused > 0 && taken < 60,
        "{taken} taken, {refused} refused"
    );
    assert_eq!(
        room.data(None)["attendees"][0]["steps"]["step01"]["line"],
        last.as_str()
    );
}

/// 100 attendees join and each posts a verdict for every step, at once,
/// over loopback, while a reader follows the page's data the way the page
/// does: every verdict must show, and how long each took to is measured.
#[test]
fn a_hundred_attendees_at_once_lose_nothing() {
    // An emulated room answers slower than an attendee's timeout allows:
    // the load, and the latency it measures, are the native run's.
    if mandel_testing::skip::under_a_runner(
        "100 attendees at once in the room",
        "the emulated server answers slower than an attendee's 1.5 s timeout",
    ) {
        return;
    }
    const ATTENDEES: usize = 100;
    let room = OpenRoom::open(&[]);
    let sent: Arc<Mutex<HashMap<(String, String), Instant>>> = Arc::default();
    let round_trips: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let started = Instant::now();
    let attendees: Vec<_> = (0..ATTENDEES)
        .map(|n| {
            let (address, sent) = (room.address.clone(), Arc::clone(&sent));
            let round_trips = Arc::clone(&round_trips);
            std::thread::spawn(move || {
                let name = format!("Attendee {n:03}");
                let agent = agent();
                post(&agent, &address, &report(&name, vec![])).unwrap();
                for (i, step) in LADDER.iter().enumerate() {
                    // Spread over about four seconds, attendees out of step.
                    std::thread::sleep(Duration::from_millis(((n * 37 + i * 101) % 600) as u64));
                    let one = report(
                        &name,
                        vec![StepVerdict {
                            differing: Some((n * 10 + i) as u64),
                            ..verdict(&step.id(), "wrong", &format!("{name} on {}", step.id()))
                        }],
                    );
                    let posted = Instant::now();
                    sent.lock()
                        .unwrap()
                        .insert((name.clone(), step.id()), posted);
                    post(&agent, &address, &one)
                        .unwrap_or_else(|e| panic!("{name} {}: {e}", step.id()));
                    round_trips.lock().unwrap().push(posted.elapsed());
                }
            })
        })
        .collect();

    // The reader: each row's cell, the moment it first shows.
    let expected = ATTENDEES * LADDER.len();
    let mut seen: HashMap<(String, String), Instant> = HashMap::new();
    let mut version = room.data(None)["version"].as_u64().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.len() < expected && Instant::now() < deadline {
        let data = room.data(Some(version));
        let now = Instant::now();
        version = data["version"].as_u64().unwrap();
        for attendee in data["attendees"].as_array().unwrap() {
            let name = attendee["name"].as_str().unwrap();
            for (step, shown) in attendee["steps"].as_object().unwrap() {
                assert_eq!(shown["line"], format!("{name} on {step}").as_str());
                seen.entry((name.to_string(), step.clone())).or_insert(now);
            }
        }
    }
    for attendee in attendees {
        attendee.join().expect("every post taken");
    }
    let took = started.elapsed();
    assert_eq!(seen.len(), expected, "verdicts lost");
    let final_data = room.data(None);
    assert_eq!(final_data["attendees"].as_array().unwrap().len(), ATTENDEES);

    let sent = sent.lock().unwrap();
    let mut latencies: Vec<Duration> = seen
        .iter()
        .map(|(key, shown)| shown.saturating_duration_since(sent[key]))
        .collect();
    latencies.sort();
    let mut round_trips = round_trips.lock().unwrap().clone();
    round_trips.sort();
    let quantile =
        |sorted: &[Duration], q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let at = |q: f64| quantile(&latencies, q);
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    mandel_testing::skip::past_capture(&format!(
        "room under load: {ATTENDEES} attendees, {} joins and {expected} verdicts in {:.1} s over loopback; post to the page's data: p50 {}, p90 {}, p99 {}, max {} (the post's own round trip: p50 {}, p99 {})",
        ATTENDEES,
        took.as_secs_f64(),
        ms(at(0.5)),
        ms(at(0.9)),
        ms(at(0.99)),
        ms(at(1.0)),
        ms(quantile(&round_trips, 0.5)),
        ms(quantile(&round_trips, 0.99)),
    ));
    assert!(at(0.99) < Duration::from_secs(5), "p99 {}", ms(at(0.99)));
}

fn chromium() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs headless Chromium on `url` with `mode` (`--dump-dom`,
/// `--screenshot=...`) as `.ci/book-check` does: a fresh profile, no host
/// but loopback, a time limit. Its standard output and error.
fn in_chromium(chromium: &std::path::Path, url: &str, mode: &str) -> (String, String) {
    let scratch = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1600,1000",
            "--enable-logging=stderr",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ])
        .arg(format!(
            "--user-data-dir={}",
            scratch.path().join("profile").display()
        ))
        .arg(mode)
        .arg(url)
        .env("TMPDIR", scratch.path())
        .env("XDG_CONFIG_HOME", scratch.path())
        .current_dir(scratch.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "chromium took over a minute");
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The page in headless Chromium: every row, its colours and symbols, the
/// stuck flag and a raised hand, and what attendees sent shown as text,
/// never run.
#[test]
fn the_page_in_chromium_shows_the_room_and_runs_nothing_it_was_sent() {
    let Some(chromium) = chromium() else {
        mandel_testing::skip::skipped(
            "the room's page in Chromium",
            "no chromium on the PATH",
            "install Chromium (`apt-get install chromium`), as .ci/run does",
        );
        return;
    };
    // Stuck after a second (0.02 minutes), so the flag shows in the test.
    let room = OpenRoom::open(&["--stuck-minutes", "0.02"]);
    let agent = agent();
    let ada =
        report(
            "Ada",
            vec![
            StepVerdict {
                seconds: Some(0.012),
                reference_seconds: Some(0.010),
                ..verdict("step01", "passes", "exercises/step01/calculate_z.rs matches the oracle")
            },
            StepVerdict {
                differing: Some(17),
                ..verdict(
                    "step02",
                    "wrong",
                    "<script>window.pwned=1</script><img src=x onerror=alert(1)> 17 points differ",
                )
            },
        ],
        );
    post(&agent, &room.address, &ada).unwrap();
    let grace = report(
        "Grace O'Neil",
        vec![verdict(
            "step01",
            "does not compile",
            "exercises/step01/calculate_z.rs:3: oops",
        )],
    );
    post(&agent, &room.address, &grace).unwrap();
    post(
        &agent,
        &room.address,
        &Report {
            hand: Some(true),
            ..report("Grace O'Neil", vec![])
        },
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let version = room.data(None)["version"].as_u64().unwrap();

    let url = format!("http://{}/", room.address);
    let (dom, log) = in_chromium(&chromium, &url, "--dump-dom");
    assert!(
        dom.contains(&format!("data-version=\"{version}\"")),
        "the page's script did not render the room:\n{dom}\n{log}"
    );
    assert!(!log.contains("Uncaught"), "a JavaScript error:\n{log}");
    let row = |name: &str| {
        dom.split("<tr")
            .find(|row| row.contains(&format!("<td class=\"name\">{name}")))
            .unwrap_or_else(|| panic!("no row for {name}:\n{dom}"))
            .to_string()
    };
    let ada_row = row("Ada");
    assert!(ada_row.contains("class=\"verdict passes\""), "{ada_row}");
    assert!(ada_row.contains("✓<small>1.20×</small>"), "{ada_row}");
    assert!(ada_row.contains("class=\"verdict wrong\""), "{ada_row}");
    assert!(ada_row.contains("class=\"stuck\""), "stuck flag: {ada_row}");
    assert!(ada_row.contains("⚑ stuck"), "{ada_row}");
    assert!(
        ada_row.contains("02 dereference-optimised"),
        "on step 02: {ada_row}"
    );
    let grace_row = row("Grace O'Neil");
    assert!(grace_row.contains("hand"), "{grace_row}");
    assert!(grace_row.contains("☝ help"), "{grace_row}");
    assert!(
        grace_row.contains("class=\"verdict does-not-compile\""),
        "{grace_row}"
    );
    // Sent markup is text on the page: escaped, never an element.
    assert!(
        ada_row.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x"),
        "{ada_row}"
    );
    assert_eq!(dom.matches("<script").count(), 2, "{dom}");
    assert!(!dom.contains("<img"), "{dom}");
    // The summary: the room's common mistake, once.
    assert!(
        dom.contains("02 dereference-optimised: 0 pass · 1 stuck"),
        "{dom}"
    );

    // What the projector shows: the colours are the stylesheet's, painted.
    let shot = tempfile::tempdir().unwrap();
    let png = shot.path().join("room.png");
    let (_, log) = in_chromium(&chromium, &url, &format!("--screenshot={}", png.display()));
    let picture = image::open(&png)
        .unwrap_or_else(|e| panic!("no screenshot: {e}\n{log}"))
        .to_rgb8();
    let painted = |hex: [u8; 3]| picture.pixels().filter(|p| p.0 == hex).count();
    for (verdict, colour) in [
        ("passes: blue", [0x00, 0x72, 0xB2]),
        ("wrong: vermillion", [0xD5, 0x5E, 0x00]),
        ("does not compile: orange", [0xE6, 0x9F, 0x00]),
    ] {
        assert!(painted(colour) > 200, "{verdict} is not on the page");
    }
    if let Some(keep) = std::env::var_os("ROOM_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn the_csv_is_written_at_the_end_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("room.csv");
    let room = OpenRoom::open(&["--csv", csv.to_str().unwrap()]);
    let sent = report("Ada", vec![verdict("step03", "wrong", "17, \"points\"")]);
    post(&agent(), &room.address, &sent).unwrap();
    assert!(!csv.exists(), "written before the end");
    // SAFETY: signalling a child we started and still own.
    unsafe {
        libc::kill(room.child.id() as libc::pid_t, libc::SIGINT);
    }
    let mut room = room;
    let status = room.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let written = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 2, "{written}");
    assert_eq!(
        lines[0],
        "name,step,verdict,differing,seconds,reference_seconds,line,since_seconds"
    );
    // The last field is when, in seconds since the room opened.
    let (row, since) = lines[1].rsplit_once(',').unwrap();
    assert_eq!(row, "\"Ada\",step03,\"wrong\",,,,\"17, \"\"points\"\"\"");
    assert!(since.parse::<u64>().is_ok(), "{written}");
}

#[test]
fn opening_mistakes_are_one_line_and_status_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for (args, expect) in [
        (vec!["room", "--port", &port], "the port is in use"),
        (vec!["room", "--port", "70000"], "70000"),
        (vec!["room", "--code", "no!"], "letters and digits"),
        (vec!["room", "--stuck-minutes", "0"], "minutes above 0"),
        (
            vec!["room", "--csv", "/no/such/dir/room.csv"],
            "does not exist",
        ),
    ] {
        let out = mandel_testing::target::command(env!("CARGO_BIN_EXE_lab"))
            .args(&args)
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}
