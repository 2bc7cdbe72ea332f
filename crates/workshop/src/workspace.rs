//! Where the attendee's workspace is, and the little the tools remember in
//! it.

use std::path::{Path, PathBuf};

use mandel_core::Error;

/// The workshop's root: the nearest folder at or above the current one
/// with a `Cargo.toml` and an `exercises/` folder (so the tools work on a
/// copy of the workshop too), else the one this binary was built from.
pub fn root() -> PathBuf {
    let is_root = |dir: &Path| dir.join("Cargo.toml").is_file() && dir.join("exercises").is_dir();
    std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.ancestors().find(|d| is_root(d)).map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// `text` with Windows line endings made `\n`: what the tools compare,
/// show and write, so that a file checks, resets and diffs alike either
/// way. The rule is the exercise writer's, which the build shares.
pub use exercise_files::lf;

/// The file where hint progress and the joined room are kept
/// (git-ignored).
pub fn progress_file(root: &Path) -> PathBuf {
    root.join(".workshop-progress")
}

/// Hints shown so far per step, as `stepNN <count>` lines.
pub fn hints_shown(root: &Path, step_id: &str) -> usize {
    std::fs::read_to_string(progress_file(root))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once(' '))
        .find(|(id, _)| *id == step_id)
        .and_then(|(_, n)| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Records that `shown` hints of `step_id` have been shown. The file is
/// replaced whole (written beside it, then renamed), never half-written.
pub fn record_hints_shown(root: &Path, step_id: &str, shown: usize) -> Result<(), Error> {
    let path = progress_file(root);
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let mut lines: Vec<String> = old
        .lines()
        .filter(|line| line.split_once(' ').is_none_or(|(id, _)| id != step_id))
        .map(str::to_string)
        .collect();
    lines.push(format!("{step_id} {shown}"));
    lines.sort();
    write_whole(&path, &(lines.join("\n") + "\n"))
}

/// The first word of the progress file's line for the joined room:
/// `room <address> <code> <name>` (a name may hold spaces: the rest of
/// the line). No step is called that.
const ROOM_LINE: &str = "room";

/// The room this workspace has joined, if any.
pub fn joined_room(root: &Path) -> Option<crate::room::Joined> {
    let progress = std::fs::read_to_string(progress_file(root)).ok()?;
    progress.lines().find_map(|line| {
        let mut words = line.splitn(4, ' ');
        (words.next()? == ROOM_LINE).then_some(())?;
        Some(crate::room::Joined {
            address: words.next()?.to_string(),
            code: words.next()?.to_string(),
            name: words.next()?.to_string(),
        })
    })
}

/// Records the room joined (`None`: left), in place of any other.
pub fn record_room(root: &Path, joined: Option<&crate::room::Joined>) -> Result<(), Error> {
    let path = progress_file(root);
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let mut lines: Vec<String> = old
        .lines()
        .filter(|line| line.split(' ').next() != Some(ROOM_LINE))
        .map(str::to_string)
        .collect();
    if let Some(room) = joined {
        lines.push(format!(
            "{ROOM_LINE} {} {} {}",
            room.address, room.code, room.name
        ));
    }
    lines.sort();
    write_whole(&path, &(lines.join("\n") + "\n"))
}

/// The cargo that started this program (`cargo run` says which in
/// `CARGO`), else the one on the PATH, to run in the workspace's root.
pub fn cargo() -> std::process::Command {
    let mut command =
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(root())
        .stdin(std::process::Stdio::null());
    command
}

/// Runs a `cargo build` made with [`cargo`]; when it fails, one line:
/// `building WHAT failed: ` and cargo's last line.
pub fn cargo_build(mut build: std::process::Command, what: &str) -> Result<(), Error> {
    let built = build.output().map_err(|e| {
        Error::missing(format!(
            "cannot run cargo: {e} (is Rust installed? https://rustup.rs)"
        ))
    })?;
    if built.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&built.stderr);
    Err(Error::mistake(format!(
        "building {what} failed: {}",
        stderr.lines().last().unwrap_or("no message")
    )))
}

/// Writes `text` to `path` through a temporary file in the same folder and
/// a rename, so a failure leaves the old file as it was. (A missing
/// exercise file is written by `exercise_files::write_missing`, which
/// never replaces one.)
pub fn write_whole(path: &Path, text: &str) -> Result<(), Error> {
    let cannot =
        |e: std::io::Error| Error::mistake(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = temporary_beside(path, dir).map_err(cannot)?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(cannot)?;
    file.persist(path).map_err(|e| cannot(e.error))?;
    Ok(())
}

/// A temporary file in `dir` for `path`'s new contents. A temporary file
/// is private (0600): on Unix it gets the mode `path` had, or an ordinary
/// one, as the user's umask makes it.
fn temporary_beside(path: &Path, dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o666, |m| m.permissions().mode() & 0o7777);
        tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(mode))
            .tempfile_in(dir)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        tempfile::NamedTempFile::new_in(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_line_endings_become_unix_ones() {
        assert_eq!(lf("a\r\nb\r\n"), "a\nb\n");
        assert_eq!(lf("a\nb"), "a\nb");
        assert!(matches!(lf("a\nb\n"), std::borrow::Cow::Borrowed(_)));
        // A lone \r is not a line ending: left as it is.
        assert_eq!(lf("a\rb\r\n"), "a\rb\n");
    }

    #[test]
    fn hint_progress_is_kept_per_step() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(hints_shown(dir.path(), "step03"), 0);
        record_hints_shown(dir.path(), "step03", 2).unwrap();
        record_hints_shown(dir.path(), "step01", 1).unwrap();
        record_hints_shown(dir.path(), "step03", 3).unwrap();
        assert_eq!(hints_shown(dir.path(), "step03"), 3);
        assert_eq!(hints_shown(dir.path(), "step01"), 1);
        assert_eq!(hints_shown(dir.path(), "step02"), 0);
    }

    #[test]
    fn the_joined_room_is_kept_beside_the_hints() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(joined_room(dir.path()), None);
        record_hints_shown(dir.path(), "step03", 2).unwrap();
        let room = crate::room::Joined {
            address: "192.168.1.20:7878".into(),
            code: "K7QP2M".into(),
            name: "Ada King".into(),
        };
        record_room(dir.path(), Some(&room)).unwrap();
        record_hints_shown(dir.path(), "step01", 1).unwrap();
        assert_eq!(joined_room(dir.path()), Some(room));
        assert_eq!(hints_shown(dir.path(), "step03"), 2);
        record_room(dir.path(), None).unwrap();
        assert_eq!(joined_room(dir.path()), None);
        assert_eq!(hints_shown(dir.path(), "step01"), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_rewritten_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calculate_z.rs");
        std::fs::write(&path, "yours").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_whole(&path, "the stub").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the stub");
    }
}
