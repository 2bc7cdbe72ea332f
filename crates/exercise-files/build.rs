//! Writes a step's exercise file, `exercises/stepNN/calculate_z.rs` (step
//! 07: `.cu`), from the shipped stub in `crates/stepNN/stub/` when it is
//! missing, as on a fresh clone: the exercise files are the attendee's and
//! not in git. An existing file is never touched.
//!
//! Every step crate depends on this one, with its step's feature, so that
//! its library, binary and tests, which compile the exercise file, are built
//! after this has run.

use std::path::Path;

// The writer the workshop's runner uses too (see src/lib.rs).
#[path = "src/lib.rs"]
mod exercise_files;

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
            let stub_text = std::fs::read_to_string(&stub)
                .unwrap_or_else(|e| panic!("cannot read the stub {}: {e}", stub.display()));
            // Said in the build's log only: cargo would repeat a
            // `cargo:warning` on every later build, long after it was news.
            match exercise_files::write_missing(&exercise, &stub_text) {
                Ok(true) => eprintln!("wrote exercises/{step}/{file}, the shipped stub"),
                // Written meanwhile (another build, the runner): it stays.
                Ok(false) => {}
                Err(e) => panic!("cannot write exercises/{step}/{file}: {e}"),
            }
        }
    }
}
