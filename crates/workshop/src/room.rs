//! The room: an attendee who has joined the instructor's `lab room`
//! (`cargo run -- join ADDRESS CODE NAME`) has `status` and `watch` send
//! each check's verdict there. Verdict data only: the step's id, the
//! verdict's label, the first line of what the check said (absolute paths
//! cut down to a file's name), how many points were wrong and the times.
//! Never code, never a file's contents or where it lives.
//!
//! The room must never slow or break a check: every send has a short
//! timeout, runs beside the checks on a thread of its own, and when the
//! room cannot be reached the attendee hears it once, in one line.
//!
//! `cargo test -p stepNN` sends nothing: it is libtest running the
//! self-check in `mandel-core`, which every step links; a network call
//! there would put an HTTP client in every step's first build and a
//! timeout in every failing test. `watch` checks on every save and sends.
//!
//! What the room accepts is written here, once: the server (`lab room`)
//! holds every post to [`Report::refusal`].

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use mandel_core::selfcheck::{FailureKind, Verdict};
use mandel_core::{Error, Step};

use crate::checks::Outcome;
use crate::registry::LADDER;

/// The largest post the room reads: a report of every step fits in a
/// quarter of it.
pub const MAX_BODY_BYTES: usize = 8 * 1024;
/// A name on the projector: a person's, short.
pub const MAX_NAME_CHARS: usize = 32;
/// A verdict's first line as the room shows it.
pub const MAX_LINE_CHARS: usize = 200;
/// A room's code: what the instructor's screen shows.
pub const CODE_CHARS: std::ops::RangeInclusive<usize> = 4..=12;

/// How long a send may wait to connect: a room on the same network
/// answers in milliseconds, and one that is gone should cost nothing.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// How long a whole send may take, answer included.
pub const SEND_TIMEOUT: Duration = Duration::from_millis(1500);

/// The words a verdict can be, as `status` labels them: the self-check's
/// and the runner's own (missing, crashed).
pub fn verdict_labels() -> Vec<&'static str> {
    let mut labels = vec![Verdict::Passes.label()];
    labels.extend(FailureKind::ALL.map(FailureKind::label));
    labels.extend(["missing", "crashed"]);
    labels
}

/// One post: who sends it and what their checks said (none: joining, or
/// a hand raised).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub code: String,
    pub name: String,
    pub verdicts: Vec<StepVerdict>,
    /// `help-me`: a hand raised (true) or lowered (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hand: Option<bool>,
}

/// One step's verdict, as the room shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepVerdict {
    /// `step03`.
    pub step: String,
    /// One of [`verdict_labels`]: `wrong`.
    pub verdict: String,
    /// The first line of what the check said, without absolute paths.
    pub line: String,
    /// For a wrong answer: how many points differ.
    pub differing: Option<u64>,
    /// For a timed pass: the attendee's median and the reference's.
    pub seconds: Option<f64>,
    pub reference_seconds: Option<f64>,
}

impl StepVerdict {
    /// A step's verdict with its label and first line, no counts or times.
    pub fn new(step: &str, label: &str, line: &str) -> StepVerdict {
        StepVerdict {
            step: step.into(),
            verdict: label.into(),
            line: line.into(),
            differing: None,
            seconds: None,
            reference_seconds: None,
        }
    }

    /// What `outcome` of `step` says to the room; `root` is the workspace,
    /// whose absolute path must not travel.
    pub fn of(step: &Step, outcome: &Outcome, root: &Path) -> StepVerdict {
        let (verdict, differing) = match outcome {
            Outcome::Checked(checked) => match &checked.verdict {
                Verdict::Fails(failure) => {
                    (failure.kind.label(), failure.differing.map(|n| n as u64))
                }
                verdict => (verdict.label(), None),
            },
            Outcome::Unavailable(_) => (FailureKind::CannotRun.label(), None),
            Outcome::DoesNotCompile(_) => (FailureKind::DoesNotCompile.label(), None),
            Outcome::Missing => ("missing", None),
            Outcome::Crashed(_) => ("crashed", None),
        };
        let summary = outcome.summary(step);
        let first = summary.lines().next().unwrap_or_default();
        let timed = outcome.timed();
        StepVerdict {
            step: step.id(),
            verdict: verdict.to_string(),
            line: fit_line(&without_paths(first, root)),
            differing,
            seconds: timed.map(|(yours, _)| yours.as_secs_f64()),
            reference_seconds: timed.map(|(_, reference)| reference.as_secs_f64()),
        }
    }
}

impl Report {
    /// Why the room must refuse this report, if it must: the HTTP status
    /// and one line for the sender. `code` is the room's.
    pub fn refusal(&self, code: &str) -> Option<(u16, String)> {
        if !self.code.eq_ignore_ascii_case(code) {
            return Some((
                403,
                "wrong room code: join with the code on the instructor's screen".into(),
            ));
        }
        if let Err(why) = check_name(&self.name) {
            return Some((400, why));
        }
        if self.verdicts.len() > LADDER.len() {
            return Some((
                400,
                format!("at most {} verdicts in one post", LADDER.len()),
            ));
        }
        let labels = verdict_labels();
        for verdict in &self.verdicts {
            if !LADDER.iter().any(|s| s.id() == verdict.step) {
                return Some((400, "no such step".into()));
            }
            if !labels.contains(&verdict.verdict.as_str()) {
                return Some((400, "no such verdict".into()));
            }
            if verdict.line.chars().count() > MAX_LINE_CHARS
                || verdict.line.chars().any(char::is_control)
            {
                return Some((
                    400,
                    format!("a verdict's line is one line of at most {MAX_LINE_CHARS} characters"),
                ));
            }
            let time_ok = |t: Option<f64>| t.is_none_or(|t| t.is_finite() && t >= 0.0);
            if !time_ok(verdict.seconds) || !time_ok(verdict.reference_seconds) {
                return Some((400, "a time is a number of seconds, 0 or more".into()));
            }
        }
        None
    }
}

/// A name is a person's: 1 to [`MAX_NAME_CHARS`] letters (any alphabet),
/// digits, spaces and `. - _ '`. Nothing else reaches the projector.
pub fn check_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_alphanumeric() || " .-_'".contains(c);
    let count = name.chars().count();
    if name.trim() != name || count == 0 || count > MAX_NAME_CHARS || !name.chars().all(allowed) {
        return Err(format!(
            "a name is 1 to {MAX_NAME_CHARS} letters, digits, spaces and . - _ ' (no spaces at either end)"
        ));
    }
    Ok(())
}

/// A room's code as typed (any case) made the one the room shows, or why
/// it cannot be one.
pub fn room_code(typed: &str) -> Result<String, String> {
    let code = typed.trim().to_ascii_uppercase();
    if !CODE_CHARS.contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "a room code is {} to {} letters and digits, as the instructor's screen shows it",
            CODE_CHARS.start(),
            CODE_CHARS.end()
        ));
    }
    Ok(code)
}

/// The room's address as typed (`192.168.1.20:7878`, with or without
/// `http://`) made `host:port`, or why it cannot be one.
pub fn room_address(typed: &str) -> Result<String, String> {
    let bare = typed.trim();
    if bare.starts_with("https://") {
        return Err(format!(
            "`{bare}`: the room speaks plain HTTP on the classroom's network; give its address as host:port"
        ));
    }
    let bare = bare
        .strip_prefix("http://")
        .unwrap_or(bare)
        .trim_end_matches('/');
    let wrong = || {
        format!("`{typed}` is not a room's address: host:port, as the instructor's screen shows it (192.168.1.20:7878)")
    };
    let (host, port) = bare.rsplit_once(':').ok_or_else(wrong)?;
    let port_ok = port.parse::<u16>().is_ok_and(|p| p > 0);
    let name_ok = |h: &str| {
        !h.is_empty()
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    };
    let ipv6_ok = |h: &str| {
        h.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .is_some_and(|inner| inner.parse::<std::net::Ipv6Addr>().is_ok())
    };
    if !port_ok || !(name_ok(host) || ipv6_ok(host)) {
        return Err(wrong());
    }
    Ok(format!("{host}:{port}"))
}

/// `line` without absolute paths: the workspace's own prefix taken off
/// (`/home/ada/workshop/exercises/x.rs` is `exercises/x.rs`), and any
/// other absolute path cut to its file's name.
pub fn without_paths(line: &str, root: &Path) -> String {
    let mut text = line.to_string();
    let roots = [Some(root.to_path_buf()), root.canonicalize().ok()];
    for root in roots.iter().flatten() {
        let shown = root.display().to_string();
        for separator in ['/', '\\'] {
            text = text.replace(&format!("{shown}{separator}"), "");
        }
    }
    cut_absolute_paths(&text)
}

/// `line` with every absolute path in it cut to its file's name: what the
/// room does to a line whose sender did not.
pub fn cut_absolute_paths(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            // A path may sit in quotes, backticks or brackets.
            let start = word
                .find(|c: char| !"`'\"([{<".contains(c))
                .unwrap_or(word.len());
            let (before, rest) = word.split_at(start);
            if looks_absolute(rest) {
                let name = rest.rsplit(['/', '\\']).next().unwrap_or_default();
                format!("{before}{name}")
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `/home/x`, `~/x`, `\\server\x`, `C:\x`, `C:/x`: a path from a root,
/// not one from the workspace (`exercises/x.rs`) or a lone `/`.
fn looks_absolute(word: &str) -> bool {
    let bytes = word.as_bytes();
    let unix = bytes.first() == Some(&b'/')
        && bytes
            .get(1)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'_');
    let home = word.starts_with("~/") || word.starts_with("~\\");
    let unc = word.starts_with("\\\\");
    let drive = bytes.len() > 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && (bytes[2] == b'\\' || bytes[2] == b'/');
    unix || home || unc || drive
}

/// One line the room accepts: control characters made spaces, cut to
/// [`MAX_LINE_CHARS`].
fn fit_line(line: &str) -> String {
    let clean: String = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= MAX_LINE_CHARS {
        return clean;
    }
    let mut cut: String = clean.chars().take(MAX_LINE_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The room this workspace has joined: where, its code, and the name to
/// show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    pub address: String,
    pub code: String,
    pub name: String,
}

/// Why a post did not land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSent {
    /// No answer: the room is closed, or not where it was said to be.
    Unreachable(String),
    /// The room answered no, and why.
    Refused(String),
}

impl std::fmt::Display for NotSent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotSent::Unreachable(why) => write!(f, "cannot reach it ({why})"),
            NotSent::Refused(why) => write!(f, "it refused: {why}"),
        }
    }
}

/// An HTTP client that gives up quickly and never goes through a proxy
/// (the room is on the classroom's network).
pub fn agent() -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(SEND_TIMEOUT))
        .build();
    ureq::Agent::new_with_config(config)
}

/// Posts `report` to the room at `address`.
pub fn post(agent: &ureq::Agent, address: &str, report: &Report) -> Result<(), NotSent> {
    let body = serde_json::to_string(report).expect("a report is plain data");
    let answer = agent
        .post(format!("http://{address}/api/verdicts"))
        .header("Content-Type", "application/json")
        .send(body.as_str())
        .map_err(|e| NotSent::Unreachable(e.to_string()))?;
    let status = answer.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    // The room's one line, kept short in case something else answered.
    let mut body = answer.into_body();
    let said = body
        .with_config()
        .limit(1024)
        .read_to_string()
        .unwrap_or_default();
    let line = said.lines().next().unwrap_or_default().trim();
    let line: String = line.chars().take(MAX_LINE_CHARS).collect();
    Err(NotSent::Refused(if line.is_empty() {
        format!("HTTP status {status}")
    } else {
        line
    }))
}

/// Checks that the room at `joined.address` takes `joined`'s posts: the
/// attendee's row appears, with no verdicts yet.
pub fn join(joined: &Joined) -> Result<(), Error> {
    let hello = Report {
        code: joined.code.clone(),
        name: joined.name.clone(),
        verdicts: Vec::new(),
        hand: None,
    };
    post(&agent(), &joined.address, &hello).map_err(|not_sent| match not_sent {
        NotSent::Unreachable(why) => Error::missing(format!(
            "no room answers at {} ({why}): check the address on the instructor's screen, and that this laptop is on the classroom's network",
            joined.address
        )),
        NotSent::Refused(why) => {
            Error::mistake(format!("the room at {} refused to let you in: {why}", joined.address))
        }
    })
}

/// `join ADDRESS CODE --name NAME`.
#[derive(clap::Args)]
pub struct JoinArgs {
    /// The room's address on the instructor's screen: host:port.
    #[arg(value_parser = room_address)]
    address: String,
    /// The room's code on the instructor's screen.
    #[arg(value_parser = room_code)]
    code: String,
    /// Your name as the projector will show it (quote one with spaces).
    #[arg(long, value_parser = name)]
    name: String,
}

fn name(text: &str) -> Result<String, String> {
    check_name(text).map(|()| text.to_string())
}

/// Joins the room: checked with the room first, then kept in the
/// progress file for `status` and `watch`.
pub fn run_join(args: &JoinArgs) -> Result<std::process::ExitCode, Error> {
    if mandel_core::limits::checks_only() {
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let joined = Joined {
        address: args.address.clone(),
        code: args.code.clone(),
        name: args.name.clone(),
    };
    join(&joined)?;
    crate::workspace::record_room(&crate::workspace::root(), Some(&joined))?;
    println!(
        "Joined the room at {} as {}. From now on `status` and `watch` send it each step's verdict, its first line and your times; never your code. `cargo run -- help-me` raises your hand; `cargo run -- leave` stops it all.",
        joined.address, joined.name
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// `help-me`.
#[derive(clap::Args)]
pub struct HelpMeArgs {
    /// Lower your hand instead (a step that starts passing lowers it too).
    #[arg(long)]
    lower: bool,
}

/// Raises (or lowers) the attendee's hand on the room's page.
pub fn run_help_me(args: &HelpMeArgs) -> Result<std::process::ExitCode, Error> {
    if mandel_core::limits::checks_only() {
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let Some(joined) = crate::workspace::joined_room(&crate::workspace::root()) else {
        return Err(Error::mistake(
            "you are in no room: `cargo run -- join ADDRESS CODE --name NAME` first, with the address and code on the instructor's screen",
        ));
    };
    let hand = Report {
        code: joined.code.clone(),
        name: joined.name.clone(),
        verdicts: Vec::new(),
        hand: Some(!args.lower),
    };
    post(&agent(), &joined.address, &hand).map_err(|not_sent| {
        Error::missing(format!(
            "your hand did not reach the room at {}: {not_sent}; raise it the old way",
            joined.address
        ))
    })?;
    if args.lower {
        println!("Hand lowered.");
    } else {
        println!("Hand raised: the instructor's page shows it. `cargo run -- help-me --lower` lowers it.");
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// `leave`: nothing more is sent.
pub fn run_leave() -> Result<std::process::ExitCode, Error> {
    if mandel_core::limits::checks_only() {
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let root = crate::workspace::root();
    match crate::workspace::joined_room(&root) {
        None => println!("You are in no room; nothing is sent."),
        Some(joined) => {
            crate::workspace::record_room(&root, None)?;
            println!(
                "Left the room at {}: nothing more is sent. (Your row stays on its page until the instructor closes the room.)",
                joined.address
            );
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Sends verdicts to the joined room from a thread of its own, in the
/// order they were checked, so a check never waits on the network. The
/// first post that does not land is said in one line on standard error;
/// the rest are dropped quietly.
pub struct Sender {
    queue: Option<mpsc::Sender<Vec<StepVerdict>>>,
    thread: Option<JoinHandle<()>>,
}

impl Sender {
    /// A sender for the room `root`'s workspace has joined, if any.
    pub fn for_workspace(root: &Path) -> Option<Sender> {
        crate::workspace::joined_room(root).map(Sender::start)
    }

    pub fn start(joined: Joined) -> Sender {
        let (queue, reports) = mpsc::channel::<Vec<StepVerdict>>();
        let thread = std::thread::spawn(move || {
            let agent = agent();
            let mut said = false;
            for verdicts in reports {
                let report = Report {
                    code: joined.code.clone(),
                    name: joined.name.clone(),
                    verdicts,
                    hand: None,
                };
                if let Err(not_sent) = post(&agent, &joined.address, &report) {
                    if !said {
                        said = true;
                        // One write, so it cannot land inside a line
                        // that `watch` is printing.
                        let line = format!(
                            "room: your verdicts are not reaching the room at {}: {not_sent}. Your checks go on as before; `cargo run -- leave` stops sending.\n",
                            joined.address
                        );
                        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
                    }
                }
            }
        });
        Sender {
            queue: Some(queue),
            thread: Some(thread),
        }
    }

    /// Queues one post of `verdicts`.
    pub fn send(&self, verdicts: Vec<StepVerdict>) {
        if let Some(queue) = &self.queue {
            let _ = queue.send(verdicts);
        }
    }

    /// Waits for what is queued to be sent (as dropping it does).
    pub fn finish(self) {}
}

/// A command that ends sends what it checked last: at most a send's
/// timeout for each post still waiting.
impl Drop for Sender {
    fn drop(&mut self) {
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str, verdicts: Vec<StepVerdict>) -> Report {
        Report {
            code: "ROOM42".into(),
            name: name.into(),
            verdicts,
            hand: None,
        }
    }

    fn verdict(step: &str, label: &str, line: &str) -> StepVerdict {
        StepVerdict::new(step, label, line)
    }

    #[test]
    fn absolute_paths_never_travel() {
        let root = Path::new("/home/ada/workshop");
        assert_eq!(
            without_paths(
                "/home/ada/workshop/exercises/step03/calculate_z.rs:12: mismatched types",
                root
            ),
            "exercises/step03/calculate_z.rs:12: mismatched types"
        );
        assert_eq!(
            without_paths("cannot start `/opt/x/target/release/step03`: denied", root),
            "cannot start `step03`: denied"
        );
        assert_eq!(
            without_paths(r"see C:\Users\ada\w\a.png and ~/b.png", root),
            "see a.png and b.png"
        );
        let kept =
            "exercises/step03/calculate_z.rs is wrong on `100 30`: 17 points differ by 1 / 2";
        assert_eq!(without_paths(kept, root), kept);
    }

    #[test]
    fn lines_are_one_line_and_short() {
        assert_eq!(fit_line("a\tb"), "a b");
        let long = "x".repeat(MAX_LINE_CHARS + 10);
        let fitted = fit_line(&long);
        assert_eq!(fitted.chars().count(), MAX_LINE_CHARS);
        assert!(fitted.ends_with('…'));
    }

    #[test]
    fn the_room_refuses_what_it_must_not_show() {
        let ok = report(
            "Zoë O'Neil-Smith",
            vec![verdict("step03", "wrong", "17 points")],
        );
        assert_eq!(ok.refusal("room42"), None);
        let code = |r: &Report| r.refusal("ROOM42").map(|(status, _)| status);
        assert_eq!(ok.refusal("OTHER1").map(|(s, _)| s), Some(403));
        for name in [
            "",
            " Ada",
            "<script>alert(1)</script>",
            "a\nb",
            &"x".repeat(33),
        ] {
            assert_eq!(code(&report(name, vec![])), Some(400), "{name:?}");
        }
        for bad in [
            verdict("step99", "wrong", ""),
            verdict("step01", "exploded", ""),
            verdict("step01", "wrong", "two\nlines"),
            verdict("step01", "wrong", &"x".repeat(MAX_LINE_CHARS + 1)),
            StepVerdict {
                seconds: Some(f64::NAN),
                ..verdict("step01", "passes", "")
            },
        ] {
            assert_eq!(
                code(&report("Ada", vec![bad.clone()])),
                Some(400),
                "{bad:?}"
            );
        }
        let too_many = vec![verdict("step01", "passes", ""); LADDER.len() + 1];
        assert_eq!(code(&report("Ada", too_many)), Some(400));
    }

    #[test]
    fn addresses_and_codes_as_people_type_them() {
        assert_eq!(
            room_address("192.168.1.20:7878").unwrap(),
            "192.168.1.20:7878"
        );
        assert_eq!(
            room_address("http://room.local:80/").unwrap(),
            "room.local:80"
        );
        assert_eq!(room_address("[::1]:7878").unwrap(), "[::1]:7878");
        for bad in [
            "192.168.1.20",
            "host:0",
            "host:99999",
            "a b:1",
            "https://x:1",
            ":7878",
        ] {
            assert!(room_address(bad).is_err(), "{bad}");
        }
        assert_eq!(room_code(" k7qp2m ").unwrap(), "K7QP2M");
        for bad in ["abc", "K7QP-2M", "ABCDEFGHIJKLM"] {
            assert!(room_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_label_status_shows_is_one_the_room_takes() {
        let labels = verdict_labels();
        for kind in FailureKind::ALL {
            assert!(labels.contains(&kind.label()));
        }
        assert!(labels.contains(&"passes"));
    }
}
