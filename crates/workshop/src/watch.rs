//! `workshop watch [N]`: re-checks a step's exercise on every save and says
//! the outcome in one line; when the step passes, moves to the next. Ends
//! cleanly on Ctrl-C.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use mandel_core::{Error, Step, Variant};
use notify::{RecursiveMode, Watcher};

use crate::checks::{first_to_do, Checker, Outcome};
use crate::registry::{find_step, next_step, LADDER};
use crate::room;
use crate::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// The step to start with (default: the first that does not pass).
    step: Option<String>,
}

/// How long to wait for an editor's burst of events to settle.
const SETTLE: Duration = Duration::from_millis(200);

pub fn run(args: &Args, profile: &str) -> Result<ExitCode, Error> {
    let root = workspace::root();
    let named = args.step.as_deref().map(find_step).transpose()?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let on_signal = Arc::clone(&stop);
    ctrlc::set_handler(move || on_signal.store(true, Ordering::SeqCst))
        .map_err(|e| Error::bug(format!("cannot catch Ctrl-C: {e}")))?;

    let (tx, saves) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if event.kind.is_modify() || event.kind.is_create() {
                let _ = tx.send(event.paths);
            }
        }
    })
    .map_err(|e| Error::bug(format!("cannot watch files here: {e}")))?;
    let exercises = root.join("exercises");
    watcher
        .watch(&exercises, RecursiveMode::Recursive)
        .map_err(|e| Error::bug(format!("cannot watch {}: {e}", exercises.display())))?;

    // Each check's verdict goes to the joined room from a thread of its
    // own: a room that is slow or gone never holds up a check.
    // (Dropped when watch ends: what is queued is sent first.)
    let sender = room::Sender::for_workspace(&root);
    let room = sender.as_ref();
    let mut step = match named {
        Some(step) => step,
        None => match first_not_passing(&root, profile, room)? {
            Some(step) => step,
            None => {
                println!("Every step passes; nothing to watch.");
                return Ok(ExitCode::SUCCESS);
            }
        },
    };
    let mut outcome = report(&root, profile, step, room)?;
    loop {
        while outcome.passes() {
            match next_step(step) {
                Some(next) => {
                    println!(
                        "Step {:02} passes. On to step {:02}.",
                        step.number, next.number
                    );
                    step = next;
                    outcome = report(&root, profile, step, room)?;
                }
                None => {
                    println!(
                        "Step {:02} passes, and it was the last: the ladder is yours.",
                        step.number
                    );
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
        println!(
            "Watching {} for saves (Ctrl-C to stop).",
            step.path(Variant::Exercise)
        );
        let file = root.join(step.path(Variant::Exercise));
        if !wait_for_save(&saves, &file, &stop)? {
            println!("Stopped watching.");
            return Ok(ExitCode::SUCCESS);
        }
        outcome = report(&root, profile, step, room)?;
    }
}

/// Waits until `file` is saved (true; the editor's burst of events has
/// settled) or Ctrl-C is pressed (false).
fn wait_for_save(
    saves: &mpsc::Receiver<Vec<PathBuf>>,
    file: &Path,
    stop: &AtomicBool,
) -> Result<bool, Error> {
    while !stop.load(Ordering::SeqCst) {
        match saves.recv_timeout(Duration::from_millis(100)) {
            Ok(paths) if touches(&paths, file) => {
                std::thread::sleep(SETTLE);
                while saves.try_recv().is_ok() {}
                return Ok(!stop.load(Ordering::SeqCst));
            }
            Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::bug("the file watcher stopped"));
            }
        }
    }
    Ok(false)
}

/// Whether a save event is for `file` (editors may report the folder or a
/// temporary name, so the file's name is what counts).
fn touches(paths: &[PathBuf], file: &Path) -> bool {
    paths.iter().any(|p| {
        p.file_name() == file.file_name()
            && p.parent().map(Path::file_name) == file.parent().map(Path::file_name)
    })
}

/// Checks `step`, prints the outcome in one line and sends it to the room.
fn report(
    root: &Path,
    profile: &str,
    step: &'static Step,
    room: Option<&room::Sender>,
) -> Result<Outcome, Error> {
    let outcome = Checker::new(root, profile).check_one(step)?;
    if let Some(room) = room {
        room.send(vec![room::StepVerdict::of(step, &outcome, root)]);
    }
    println!(
        "[{}] {}: {}",
        step.id(),
        outcome.label(),
        outcome.detail(step)
    );
    Ok(outcome)
}

/// The first step whose exercise does not pass (steps this machine cannot
/// run are passed over); every step's verdict goes to the room.
fn first_not_passing(
    root: &Path,
    profile: &str,
    room: Option<&room::Sender>,
) -> Result<Option<&'static Step>, Error> {
    let outcomes = Checker::new(root, profile).check(LADDER, None, |_| {})?;
    if let Some(room) = room {
        room.send(
            LADDER
                .iter()
                .zip(&outcomes)
                .map(|(step, outcome)| room::StepVerdict::of(step, outcome, root))
                .collect(),
        );
    }
    Ok(first_to_do(LADDER, &outcomes).map(|(step, _)| step))
}
