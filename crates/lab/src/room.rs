//! `lab room`: the room's progress, live, for the projector. Attendees
//! who join (`cargo run -- join ADDRESS CODE NAME`) have `status` and
//! `watch` post each check's verdict here; the page shows one row per
//! attendee and one column per step, and updates as verdicts arrive.
//!
//! The server refuses junk (a wrong code, a body too big, JSON it does
//! not know, a name or line it would not show: [`Report::refusal`] in the
//! workshop, where the sender is), shows what it took as text, never as
//! markup, and keeps nothing it does not show: no addresses, no logs,
//! nothing written to disk. Closing it forgets the room.
//!
//! tiny_http parses HTTP; our own threads take its requests. A page
//! waiting for news holds its request open (a long poll) until a verdict
//! changes the room, so a verdict reaches the projector in milliseconds
//! without the page asking every second.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mandel_core::Error;
use tiny_http::{Header, Method, Request, Response, Server};
use workshop::registry::LADDER;
use workshop::room::{room_code, Report, StepVerdict, MAX_BODY_BYTES};

#[derive(clap::Args)]
pub struct Args {
    /// Listen on every network this laptop is on, for the classroom
    /// (default: this laptop only, 127.0.0.1).
    #[arg(long)]
    lan: bool,
    /// The port to listen on; 0 lets the system pick a free one.
    #[arg(long, default_value_t = 7878)]
    port: u16,
    /// The code attendees join with (4 to 12 letters and digits); default:
    /// a fresh one.
    #[arg(long, value_parser = room_code)]
    code: Option<String>,
    /// After how many minutes with the same failing verdict an attendee is
    /// flagged as stuck.
    #[arg(long, default_value_t = 10.0, value_parser = stuck_minutes)]
    stuck_minutes: f64,
    /// When the room closes (Ctrl-C), write what it showed to this CSV
    /// file; nothing is written unless asked.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
}

/// Minutes, more than none and at most a day (a fraction is fine).
fn stuck_minutes(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(minutes) if minutes > 0.0 && minutes <= 24.0 * 60.0 => Ok(minutes),
        _ => Err(format!(
            "`{text}` is not a number of minutes above 0 and at most 1440"
        )),
    }
}

/// How many attendees a room shows: a big lecture hall's worth. Posts from
/// further names are refused, so junk cannot grow the room without end.
pub const MAX_ATTENDEES: usize = 500;

/// How long a page's request for news is held when there is none.
const HOLD: Duration = Duration::from_secs(15);

/// Most pages waiting for news at once (a projector, a few laptops);
/// more are answered at once instead of held.
const MAX_WAITING: usize = 64;

/// Threads taking requests: enough that slow clients never keep a post
/// waiting (tiny_http reads and writes each connection on its own).
const WORKERS: usize = 4;

const PAGE: &str = include_str!("room/page.html");
const SCRIPT: &str = include_str!("room/room.js");
const STYLE: &str = include_str!("room/room.css");

/// Posts one attendee may make in a burst, and how fast that refills: a
/// `status` is one post and `watch` one per save, so only a runaway
/// script meets it.
const BURST: f64 = 30.0;
const REFILL_PER_SECOND: f64 = 1.0;

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    if let Some(csv) = &args.csv {
        check_writable(csv)?;
    }
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let ip: IpAddr = if args.lan {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        Ipv4Addr::LOCALHOST.into()
    };
    let listen = SocketAddr::new(ip, args.port);
    let listener = TcpListener::bind(listen).map_err(|e| cannot_listen(listen, &e))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::bug(format!("the room's socket has no address: {e}")))?;
    let server = Server::from_listener(listener, None)
        .map_err(|e| Error::bug(format!("cannot serve the room: {e}")))?;
    let code = args.code.clone().unwrap_or_else(fresh_code);
    let shown = shown_address(bound);
    println!("The room is open: http://{shown}/ on the projector (code {code}).");
    println!("Attendees join with: cargo run -- join {shown} {code} --name \"Their Name\"");
    if !args.lan {
        println!("It listens on this laptop only: `--lan` opens it to the classroom's network.");
    }
    println!(
        "Ctrl-C closes it; it keeps nothing{}.",
        match &args.csv {
            Some(csv) => format!(" but the CSV it then writes to {}", csv.display()),
            None => String::new(),
        }
    );

    let room = Arc::new(Mutex::new(Room::new(
        code,
        shown.to_string(),
        (args.stuck_minutes * 60.0).round() as u64,
    )));
    if let Some(csv) = args.csv.clone() {
        let closing = Arc::clone(&room);
        ctrlc::set_handler(move || {
            let written = write_csv(&lock(&closing), &csv);
            let code = match written {
                Ok(rows) => {
                    println!(
                        "The room is closed: {rows} rows written to {}.",
                        csv.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => e.report(),
            };
            // From the handler's thread: the workers are parked in recv().
            std::process::exit(if code == ExitCode::SUCCESS { 0 } else { 2 });
        })
        .map_err(|e| Error::bug(format!("cannot catch Ctrl-C: {e}")))?;
    }
    let server = Arc::new(server);
    let sweeper = Arc::clone(&room);
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        let (stale, snapshot) = {
            let mut room = lock(&sweeper);
            let now = Instant::now();
            let (stale, held) = std::mem::take(&mut room.waiting)
                .into_iter()
                .partition(|(_, since)| now.duration_since(*since) >= HOLD);
            room.waiting = held;
            (stale, room.now_and())
        };
        for (request, _) in stale {
            let _ = request.respond(json(200, &snapshot));
        }
    });
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (server, room) = (Arc::clone(&server), Arc::clone(&room));
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    serve(request, &room);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    Err(Error::bug("the room stopped taking requests"))
}

/// The CSV's folder must exist now, not when the day is over.
fn check_writable(csv: &std::path::Path) -> Result<(), Error> {
    let folder = match csv.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !folder.is_dir() {
        return Err(Error::mistake(format!(
            "cannot write {}: the folder {} does not exist",
            csv.display(),
            folder.display()
        )));
    }
    if csv.is_dir() {
        return Err(Error::mistake(format!(
            "cannot write {}: it is a folder",
            csv.display()
        )));
    }
    Ok(())
}

/// What the room showed, one row per attendee and step: the CSV asked
/// for with `--csv`. Written whole or not at all.
fn write_csv(room: &Room, csv: &std::path::Path) -> Result<usize, Error> {
    let cell = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let mut rows = vec![
        "name,step,verdict,differing,seconds,reference_seconds,line,since_seconds".to_string(),
    ];
    for attendee in room.attendees.values() {
        for shown in attendee.steps.values() {
            let v = &shown.verdict;
            let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
            rows.push(format!(
                "{},{},{},{},{},{},{},{}",
                cell(&attendee.name),
                v.step,
                cell(&v.verdict),
                v.differing.map(|n| n.to_string()).unwrap_or_default(),
                number(v.seconds),
                number(v.reference_seconds),
                cell(&v.line),
                shown.since
            ));
        }
    }
    workshop::workspace::write_whole(csv, &(rows.join("\n") + "\n"))?;
    Ok(rows.len() - 1)
}

/// A bind that failed, as the instructor can fix it.
fn cannot_listen(address: SocketAddr, e: &std::io::Error) -> Error {
    use std::io::ErrorKind;
    let next = address.port().wrapping_add(1).max(1024);
    match e.kind() {
        ErrorKind::AddrInUse => Error::mistake(format!(
            "cannot open the room on {address}: the port is in use (another `lab room`?); pick another with --port {next}"
        )),
        ErrorKind::PermissionDenied => Error::mistake(format!(
            "cannot open the room on {address}: ports below 1024 need root; pick another with --port 7878"
        )),
        _ => Error::mistake(format!("cannot open the room on {address}: {e}")),
    }
}

/// The address attendees type: the one listened on, or, for 0.0.0.0,
/// this laptop's address on the network it would reach others by (a UDP
/// socket's route to a documentation address; nothing is sent).
fn shown_address(bound: SocketAddr) -> SocketAddr {
    if !bound.ip().is_unspecified() {
        return bound;
    }
    let routed = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|socket| {
            socket.connect("192.0.2.1:9")?;
            socket.local_addr()
        })
        .map(|local| local.ip())
        .unwrap_or(std::net::Ipv4Addr::LOCALHOST.into());
    SocketAddr::new(routed, bound.port())
}

/// A code nobody guesses by chance: six letters and digits that cannot be
/// misread for each other, from std's per-process random hash keys.
fn fresh_code() -> String {
    use std::hash::{BuildHasher, Hasher};
    const READABLE: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let mut bits = hasher.finish();
    (0..6)
        .map(|_| {
            let c = READABLE[(bits % READABLE.len() as u64) as usize];
            bits /= READABLE.len() as u64;
            c as char
        })
        .collect()
}

/// Everything the room knows: what the page shows, and the pages waiting
/// for it to change.
struct Room {
    code: String,
    /// Where attendees reach it, as they type it.
    address: String,
    opened: Instant,
    /// Changes with every verdict taken; a page asks for news after the
    /// version it shows.
    version: u64,
    /// After how many seconds a failing verdict left as it is counts as
    /// stuck (the page works it out, with its clock).
    stuck_after: u64,
    attendees: BTreeMap<String, Attendee>,
    /// The page's data for this version, made once however many ask.
    shown: Option<Arc<String>>,
    waiting: Vec<(Request, Instant)>,
    /// Per attendee in the room: posts left in their burst, and when it
    /// was counted. Only the rate limit reads it.
    allowance: BTreeMap<String, (f64, Instant)>,
}

#[derive(serde::Serialize)]
struct Attendee {
    name: String,
    /// Per step id, the latest verdict.
    steps: BTreeMap<String, Shown>,
    /// The step of the latest verdict, if any.
    latest: Option<String>,
    /// When a verdict of theirs last changed (or they joined), in seconds
    /// since the room opened.
    changed: u64,
    /// Since when their hand is up (`help-me`), if it is.
    hand: Option<u64>,
}

#[derive(serde::Serialize)]
struct Shown {
    #[serde(flatten)]
    verdict: StepVerdict,
    /// Since when the verdict and its line have been what they are, in
    /// seconds since the room opened.
    since: u64,
}

/// The page's data.
#[derive(serde::Serialize)]
struct Snapshot<'a> {
    version: u64,
    code: &'a str,
    address: &'a str,
    stuck_after: u64,
    steps: Vec<StepColumn>,
    attendees: Vec<&'a Attendee>,
}

#[derive(serde::Serialize)]
struct StepColumn {
    id: String,
    name: &'static str,
}

impl Room {
    fn new(code: String, address: String, stuck_after: u64) -> Room {
        Room {
            code,
            address,
            stuck_after,
            allowance: BTreeMap::new(),
            opened: Instant::now(),
            version: 1,
            attendees: BTreeMap::new(),
            shown: None,
            waiting: Vec::new(),
        }
    }

    fn snapshot(&mut self) -> Arc<String> {
        if let Some(shown) = &self.shown {
            return Arc::clone(shown);
        }
        let snapshot = Snapshot {
            version: self.version,
            code: &self.code,
            address: &self.address,
            stuck_after: self.stuck_after,
            steps: LADDER
                .iter()
                .map(|step| StepColumn {
                    id: step.id(),
                    name: step.name,
                })
                .collect(),
            attendees: self.attendees.values().collect(),
        };
        let shown = Arc::new(serde_json::to_string(&snapshot).expect("the room is plain data"));
        self.shown = Some(Arc::clone(&shown));
        shown
    }

    /// Takes a report the rules allow; says why not otherwise. The pages
    /// waiting for news are handed back, to be answered outside the lock.
    fn take(&mut self, report: Report) -> Result<Vec<(Request, Instant)>, (u16, String)> {
        if let Some(refusal) = report.refusal(&self.code) {
            return Err(refusal);
        }
        if !self.attendees.contains_key(&report.name) && self.attendees.len() >= MAX_ATTENDEES {
            return Err((503, format!("the room is full ({MAX_ATTENDEES} attendees)")));
        }
        let now = Instant::now();
        let (left, counted) = self
            .allowance
            .entry(report.name.clone())
            .or_insert((BURST, now));
        *left = (*left + now.duration_since(*counted).as_secs_f64() * REFILL_PER_SECOND).min(BURST);
        *counted = now;
        if *left < 1.0 {
            return Err((429, "too many posts: slow down".into()));
        }
        *left -= 1.0;

        let at = self.opened.elapsed().as_secs();
        let attendee = self
            .attendees
            .entry(report.name.clone())
            .or_insert_with(|| Attendee {
                name: report.name.clone(),
                steps: BTreeMap::new(),
                latest: None,
                changed: at,
                hand: None,
            });
        for mut verdict in report.verdicts {
            // The sender cuts paths; a sender that did not gets them cut
            // here.
            verdict.line = workshop::room::cut_absolute_paths(&verdict.line);
            attendee.latest = Some(verdict.step.clone());
            let before = attendee.steps.get(&verdict.step);
            let same = before.is_some_and(|b| {
                b.verdict.verdict == verdict.verdict && b.verdict.line == verdict.line
            });
            let since = if same {
                before.map_or(at, |b| b.since)
            } else {
                at
            };
            if !same {
                attendee.changed = at;
                // Help came, or was not needed: a step that now passes
                // lowers the hand.
                if verdict.verdict == "passes" {
                    attendee.hand = None;
                }
            }
            attendee
                .steps
                .insert(verdict.step.clone(), Shown { verdict, since });
        }
        match report.hand {
            Some(true) => attendee.hand = attendee.hand.or(Some(at)),
            Some(false) => attendee.hand = None,
            None => {}
        }
        self.version += 1;
        self.shown = None;
        Ok(std::mem::take(&mut self.waiting))
    }

    /// The snapshot with the room's clock now, in seconds since it opened
    /// (the page's ages count from it).
    fn now_and(&mut self) -> String {
        let snapshot = self.snapshot();
        let now = self.opened.elapsed().as_secs();
        format!("{},\"now\":{now}}}", &snapshot[..snapshot.len() - 1])
    }
}

fn lock(room: &Mutex<Room>) -> std::sync::MutexGuard<'_, Room> {
    // A worker that panicked left the room as whole as a verdict is.
    room.lock().unwrap_or_else(|e| e.into_inner())
}

fn serve(mut request: Request, room: &Mutex<Room>) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let response = match (request.method(), path) {
        (Method::Get, "/") => {
            let page = page_with(&lock(room).now_and());
            text(200, "text/html; charset=utf-8", page)
        }
        (Method::Get, "/room.js") => text(200, "text/javascript; charset=utf-8", SCRIPT.into()),
        (Method::Get, "/room.css") => text(200, "text/css; charset=utf-8", STYLE.into()),
        (Method::Get, "/api/room") => {
            let after = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("after="))
                .and_then(|v| v.parse::<u64>().ok());
            let mut room = lock(room);
            // Checked and held under one lock: a verdict cannot slip in
            // between, leaving the page waiting with news.
            if after == Some(room.version) && room.waiting.len() < MAX_WAITING {
                room.waiting.push((request, Instant::now()));
                return;
            }
            json(200, &room.now_and())
        }
        (Method::Post, "/api/verdicts") => match read_report(&mut request) {
            Err((status, why)) => refusal(status, &why),
            Ok(report) => {
                let taken = {
                    let mut room = lock(room);
                    room.take(report).map(|waiting| (waiting, room.now_and()))
                };
                match taken {
                    Err((status, why)) => refusal(status, &why),
                    Ok((waiting, news)) => {
                        for (page, _) in waiting {
                            let _ = page.respond(json(200, &news));
                        }
                        text(200, "text/plain; charset=utf-8", "taken\n".into())
                    }
                }
            }
        },
        (_, "/" | "/room.js" | "/room.css" | "/api/room" | "/api/verdicts") => {
            refusal(405, "not a method this address takes")
        }
        _ => refusal(404, "nothing here"),
    };
    let _ = request.respond(response);
}

/// The report in a post's body, or why it is none: too big (413), not
/// JSON, or JSON with fields a report has not (400).
fn read_report(request: &mut Request) -> Result<Report, (u16, String)> {
    let too_big = || (413, format!("a post is at most {MAX_BODY_BYTES} bytes"));
    if request.body_length().is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| (400, format!("cannot read the post: {e}")))?;
    if body.len() > MAX_BODY_BYTES {
        return Err(too_big());
    }
    serde_json::from_slice(&body).map_err(|e| (400, format!("not a report: {e}")))
}

/// The page, with the room as it is now written into it, so that it shows
/// the room before any script asks. JSON inside `<script>` must not hold
/// `<`, `>` or `&`: JSON's own escapes stand in for them.
fn page_with(snapshot: &str) -> String {
    let safe = snapshot
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    PAGE.replace("{{ROOM}}", &safe)
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

/// A response with the headers every one gets: nothing cached, content
/// types as said, and scripts, styles and requests from this server only
/// (what a post says can never run as script on the page).
fn text(status: u16, content_type: &str, body: String) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Referrer-Policy", "no-referrer"))
        .with_header(header(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ))
}

fn json(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    text(status, "application/json", body.to_string())
}

/// A refusal: the status and one line the sender shows.
fn refusal(status: u16, why: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    text(status, "text/plain; charset=utf-8", format!("{why}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_data_cannot_close_its_script() {
        let page = page_with(r#"{"line":"</script><script>alert(1)</script>&"}"#);
        let data = page
            .split("<script id=\"room-data\" type=\"application/json\">")
            .nth(1)
            .unwrap();
        let data = data.split("</script>").next().unwrap();
        assert!(!data.contains('<') && !data.contains('&'), "{data}");
        let parsed: serde_json::Value = serde_json::from_str(data).unwrap();
        assert_eq!(parsed["line"], "</script><script>alert(1)</script>&");
    }

    #[test]
    fn fresh_codes_are_codes_and_differ() {
        let (a, b) = (fresh_code(), fresh_code());
        assert_eq!(room_code(&a).unwrap(), a);
        assert_ne!(a, b);
    }
}
