//! `workshop reset N`: the shipped stub back in place of the attendee's
//! file, which is first saved beside it under a new name. Nothing an
//! attendee typed is ever lost. Also the stubs written where exercise
//! files are missing, as the other commands do first.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mandel_core::{Error, Variant};

use crate::registry::{find_step, LADDER};
use crate::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// The step: 1, 01 or step01.
    step: String,
}

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let step = find_step(&args.step)?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let root = workspace::root();
    let relative = step.path(Variant::Exercise);
    let path = root.join(&relative);
    let yours = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::mistake(format!("cannot read {relative}: {e}"))),
    };
    match &yours {
        // Saved with Windows line endings, it is the stub all the same.
        Some(text) if workspace::lf(text) == workspace::lf(step.stub) => {
            println!("{relative} is already the shipped stub; nothing changed.");
            return Ok(ExitCode::SUCCESS);
        }
        Some(text) => {
            let saved = save_beside(&path, text)?;
            println!("Saved your {relative} as {}.", beside(&relative, &saved));
            // Saved, so it may be replaced: with the bytes the build writes.
            workspace::write_whole(&path, &workspace::lf(step.stub))?;
        }
        None => {
            println!("{relative} was missing.");
            // A file that appeared since the read above is the attendee's,
            // and is not saved: it stays.
            if !write_missing(&path, &relative, step.stub)? {
                return Err(Error::mistake(format!(
                    "{relative} appeared while resetting it; nothing was reset: run it again"
                )));
            }
        }
    }
    println!(
        "{relative} is the shipped stub again; `cargo test -p {}` will say so.",
        step.id()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes each step's shipped stub where its exercise file is missing (a
/// fresh clone, a file deleted or renamed), saying so; never over a file.
/// `cargo run` and the commands that check exercises call it first.
pub fn write_missing_exercises(root: &Path) -> Result<(), Error> {
    for step in LADDER {
        let relative = step.path(Variant::Exercise);
        if write_missing(&root.join(&relative), &relative, step.stub)? {
            println!("Wrote {relative}, the shipped stub: yours to edit.");
        }
    }
    Ok(())
}

/// `exercise_files::write_missing`, the build's writer, with its failure
/// in a user's words: whether `path` was written (`false`: a file is
/// there, and it stays).
fn write_missing(path: &Path, relative: &str, stub: &str) -> Result<bool, Error> {
    exercise_files::write_missing(path, stub)
        .map_err(|e| Error::mistake(format!("cannot write {relative}: {e}")))
}

/// `saved`, a file in the folder of `relative`, named as `relative` is:
/// with `/` on every system (Windows' `Path::display` would show
/// `exercises/step02\calculate_z.saved-1.rs`).
fn beside(relative: &str, saved: &Path) -> String {
    let name = saved.file_name().unwrap_or_default().to_string_lossy();
    match relative.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/{name}"),
        None => name.into_owned(),
    }
}

/// Writes `text` to the first free `NAME.saved-K.rs` beside `path`, never
/// over an existing file.
fn save_beside(path: &Path, text: &str) -> Result<PathBuf, Error> {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let extension = path.extension().unwrap_or_default().to_string_lossy();
    for k in 1.. {
        let candidate = path.with_file_name(format!("{stem}.saved-{k}.{extension}"));
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate);
        match created {
            Ok(mut file) => {
                return file
                    .write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map(|()| candidate.clone())
                    .map_err(|e| {
                        Error::mistake(format!(
                            "cannot save your file as {}: {e}; nothing was reset",
                            candidate.display()
                        ))
                    });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(Error::mistake(format!(
                    "cannot save your file as {}: {e}; nothing was reset",
                    candidate.display()
                )))
            }
        }
    }
    unreachable!("some saved-K name is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_is_named_with_forward_slashes() {
        let saved = Path::new("anywhere").join("calculate_z.saved-1.rs");
        assert_eq!(
            beside("exercises/step02/calculate_z.rs", &saved),
            "exercises/step02/calculate_z.saved-1.rs"
        );
    }

    #[test]
    fn missing_exercises_are_written_and_yours_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        write_missing_exercises(dir.path()).unwrap();
        for step in LADDER {
            let path = dir.path().join(step.path(Variant::Exercise));
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                workspace::lf(step.stub)
            );
        }
        let yours = dir.path().join(LADDER[2].path(Variant::Exercise));
        std::fs::write(&yours, "yours").unwrap();
        write_missing_exercises(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(&yours).unwrap(), "yours");
        // Nothing left behind: each step's folder holds its one file.
        for step in LADDER {
            let folder = dir.path().join(step.path(Variant::Exercise));
            let names = std::fs::read_dir(folder.parent().unwrap()).unwrap().count();
            assert_eq!(names, 1, "{}", step.id());
        }
    }
}
