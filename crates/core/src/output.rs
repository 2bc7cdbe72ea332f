//! Output files that are either written whole or not at all.
//!
//! A file is claimed before any work starts (so an unwritable path fails at
//! once), written to a temporary file beside it, and renamed into place only
//! when complete. Dropping an [`OutputFile`] leaves nothing behind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::Error;

pub struct OutputFile {
    target: PathBuf,
    temp: NamedTempFile,
}

impl OutputFile {
    /// Claims `path` for writing, or says in one line why it cannot be.
    pub fn create(path: &Path) -> Result<OutputFile, Error> {
        let shown = path.display();
        if path.is_dir() {
            return Err(Error::mistake(format!(
                "cannot write {shown}: it is a directory; give a file name"
            )));
        }
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(Error::mistake(format!(
                "cannot write {shown}: directory {} does not exist",
                dir.display()
            )));
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix(".mandel-").suffix(".part");
        // Temporary files are private (0600); the result should be an
        // ordinary file, as the user's umask makes it.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder
            .tempfile_in(dir)
            .map_err(|e| Error::mistake(format!("cannot write {shown}: {e}")))?;
        Ok(OutputFile {
            target: path.to_path_buf(),
            temp,
        })
    }

    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Writes the contents with `write` and moves the file into place.
    pub fn write_with(
        self,
        write: impl FnOnce(&mut BufWriter<&File>) -> std::io::Result<()>,
    ) -> Result<PathBuf, Error> {
        let shown = self.target.display().to_string();
        let fail = |e: std::io::Error| Error::mistake(format!("cannot write {shown}: {e}"));
        {
            let mut writer = BufWriter::new(self.temp.as_file());
            write(&mut writer).map_err(fail)?;
            writer.flush().map_err(fail)?;
        }
        self.temp.persist(&self.target).map_err(|e| fail(e.error))?;
        Ok(self.target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn nothing_is_left_behind_until_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        let claimed = OutputFile::create(&target).unwrap();
        drop(claimed);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let claimed = OutputFile::create(&target).unwrap();
        claimed.write_with(|w| w.write_all(b"done")).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "done");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn unwritable_places_are_one_line_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/out.png");
        let err = OutputFile::create(&missing).err().unwrap();
        assert!(err.line.contains("does not exist"), "{err}");
        let err = OutputFile::create(dir.path()).err().unwrap();
        assert!(err.line.contains("is a directory"), "{err}");
    }
}
