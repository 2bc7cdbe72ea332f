//! The one writer of a missing exercise file. The build script (build.rs,
//! which includes this file as a module) and the workshop's runner both
//! write `exercises/stepNN/<file>` from its stub through
//! [`write_missing`], so a fresh clone's files come out the same whoever
//! writes them first. Each step crate depends on this crate with its
//! step's feature, which is what makes the build script write its file.
//!
//! This file uses `std` only: the build script compiles it too, and a
//! dependency here would be one more for every attendee's first build.

use std::borrow::Cow;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// Writes `stub` to `exercise`, with Unix line endings, where no file is
/// there: one there, even one made meanwhile by another build or the
/// runner, is left as it is (`Ok(false)`). Makes the folder.
///
/// The text goes to a temporary file beside `exercise` first, and is
/// linked into place only when whole, so `exercise` never exists
/// half-written: a build stopped midway would otherwise leave a file the
/// next build keeps, and the attendee starts from a broken stub.
pub fn write_missing(exercise: &Path, stub: &str) -> std::io::Result<bool> {
    let dir = match exercise.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    if exercise.exists() {
        return Ok(false);
    }
    let text = lf(stub);
    let temporary = write_temporary(dir, exercise, text.as_bytes())?;
    // A hard link never replaces what is at its target, so a file made
    // since the check above is kept.
    let linked = std::fs::hard_link(&temporary, exercise);
    let removed = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => removed.map(|()| true),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
        // A file system without hard links (FAT, some network shares):
        // written in place instead, still never over a file.
        Err(_) => write_in_place(exercise, text.as_bytes()),
    }
}

/// [`write_missing`]'s way where no hard link can be made: the file is
/// created only if absent, and removed again if it cannot be written whole.
fn write_in_place(exercise: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(exercise)
    {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e),
    };
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map(|()| true)
        .inspect_err(|_| {
            let _ = std::fs::remove_file(exercise);
        })
}

/// `text` with Windows line endings (`\r\n`, as Windows editors and git's
/// `core.autocrlf` write them) made `\n`, the form the workshop's tools
/// compare, show and write. A lone `\r` is not a line ending: it stays.
pub fn lf(text: &str) -> Cow<'_, str> {
    if text.contains("\r\n") {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    }
}

/// A new file in `dir` holding `bytes`, synced to disk, named after
/// `exercise` and hidden (`.calculate_z.rs.PID-K.tmp`); removed again if
/// it cannot be written whole.
fn write_temporary(dir: &Path, exercise: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let name = exercise.file_name().unwrap_or_default().to_string_lossy();
    for k in 0.. {
        let temporary = dir.join(format!(".{name}.{}-{k}.tmp", std::process::id()));
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => file,
            // Left by a run that was killed: try the next name.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        return file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .map(|()| temporary.clone())
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&temporary);
            });
    }
    unreachable!("some temporary name is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder of this test run's own under the system's temporary one,
    /// emptied first.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("exercise-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_missing_file_is_written_with_its_folder() {
        let dir = scratch("written");
        let exercise = dir.join("step01/calculate_z.rs");
        assert!(write_missing(&exercise, "the stub\n").unwrap());
        assert_eq!(std::fs::read_to_string(&exercise).unwrap(), "the stub\n");
        // No temporary file is left beside it.
        assert_eq!(names_in(&dir.join("step01")), ["calculate_z.rs"]);
    }

    #[test]
    fn a_file_that_is_there_is_never_replaced() {
        let dir = scratch("kept");
        let exercise = dir.join("calculate_z.rs");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&exercise, "yours").unwrap();
        assert!(!write_missing(&exercise, "the stub").unwrap());
        assert_eq!(std::fs::read_to_string(&exercise).unwrap(), "yours");
        assert_eq!(names_in(&dir), ["calculate_z.rs"]);
    }

    #[test]
    fn without_hard_links_a_file_is_still_never_replaced() {
        let dir = scratch("in-place");
        std::fs::create_dir_all(&dir).unwrap();
        let exercise = dir.join("calculate_z.rs");
        assert!(write_in_place(&exercise, b"the stub").unwrap());
        assert!(!write_in_place(&exercise, b"another").unwrap());
        assert_eq!(std::fs::read_to_string(&exercise).unwrap(), "the stub");
    }

    #[test]
    fn windows_line_endings_are_written_as_unix_ones() {
        let dir = scratch("endings");
        let exercise = dir.join("calculate_z.cu");
        assert!(write_missing(&exercise, "a\r\nb\rc\r\n").unwrap());
        assert_eq!(std::fs::read(&exercise).unwrap(), b"a\nb\rc\n");
    }
}
