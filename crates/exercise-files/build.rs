//! A deleted or renamed exercise file would otherwise show as a compile
//! error inside the workshop's own macro (`couldn't read ...` at
//! `crates/core/src/step.rs`); this says what happened and how to get it
//! back, in the words `status` and `watch` use.

use std::path::Path;

fn main() {
    let exercises = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exercises");
    // The folder, not the files: a deleted file changes its folder.
    println!("cargo:rerun-if-changed={}", exercises.display());
    let mut missing = Vec::new();
    for number in 1..=7 {
        if std::env::var_os(format!("CARGO_FEATURE_STEP{number:02}")).is_none() {
            continue;
        }
        let file = if number == 7 {
            "calculate_z.cu"
        } else {
            "calculate_z.rs"
        };
        let relative = format!("exercises/step{number:02}/{file}");
        if !exercises
            .join(format!("step{number:02}"))
            .join(file)
            .is_file()
        {
            missing.push(format!(
                "{relative} is missing: `cargo run -- reset {number}` puts the shipped stub back."
            ));
        }
    }
    if !missing.is_empty() {
        eprintln!("{}", missing.join("\n"));
        std::process::exit(1);
    }
}
