//! Writes a step's exercise file, `exercises/stepNN/calculate_z.rs` (step
//! 07: `.cu`), from the shipped stub in `crates/stepNN/stub/` when it is
//! missing, as on a fresh clone: the exercise files are the attendee's and
//! not in git. An existing file is never touched.
//!
//! Every step crate depends on this one, with its step's feature, so that
//! its library, binary and tests, which compile the exercise file, are built
//! after this has run.

use std::io::Write;
use std::path::Path;

fn main() {
    // Once per build configuration, never on an edit of an exercise: a
    // rerun rebuilds every crate that depends on this one, and so the
    // workshop. (A file deleted later is written back by the runner:
    // `cargo run -- status`, or `reset`.)
    println!("cargo:rerun-if-changed=build.rs");
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let exercises = crates.join("../exercises");
    // The steps asked for: `CARGO_FEATURE_STEP01` is feature `step01`.
    let mut steps: Vec<String> = std::env::vars()
        .filter_map(|(name, _)| Some(name.strip_prefix("CARGO_FEATURE_")?.to_lowercase()))
        .filter(|feature| feature.starts_with("step"))
        .collect();
    steps.sort();
    for step in steps {
        // The stub's folder holds the one file: `calculate_z.rs` (`.cu`).
        let stubs = crates.join(&step).join("stub");
        let listed = std::fs::read_dir(&stubs)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", stubs.display()));
        for stub in listed.map(|entry| entry.expect("a listed file").path()) {
            let file = stub.file_name().expect("a file's name").to_string_lossy();
            let exercise = exercises.join(&step).join(&*file);
            if exercise.exists() {
                continue;
            }
            let text = std::fs::read_to_string(&stub)
                .unwrap_or_else(|e| panic!("cannot read the stub {}: {e}", stub.display()));
            // Said in the build's log only: cargo would repeat a
            // `cargo:warning` on every later build, long after it was news.
            match write_new(&exercise, &text) {
                Ok(()) => eprintln!("wrote exercises/{step}/{file}, the shipped stub"),
                // Written meanwhile (another build, the runner): it stays.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => panic!("cannot write exercises/{step}/{file}: {e}"),
            }
        }
    }
}

/// Writes `text` to `path`, a file that must not exist yet; a failed
/// write leaves no half-written file behind.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .inspect_err(|_| {
            let _ = std::fs::remove_file(path);
        })
}
