//! Without an MPI library, `--features mpi` stops early with what to
//! install on each system, not in bindgen's output; and nothing else
//! (`cargo test --workspace` builds the check too) needs MPI at all.
//! Shown here by asking the check to pretend MPI is missing (this machine
//! may well have it).

use std::process::{Command, Output};

fn build_check_without_mpi(features: &[&str]) -> Output {
    let target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mpi-check-target");
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["build", "-p", "mpi-check", "--target-dir"])
        .arg(&target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("MANDEL_PRETEND_NO_MPI", "1");
    for feature in features {
        command.args(["--features", feature]);
    }
    command.output().expect("cargo runs")
}

#[test]
fn a_missing_mpi_is_explained_with_what_to_install() {
    let out = build_check_without_mpi(&["required"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    for needed in [
        "step06's `mpi` feature needs an MPI library",
        "sudo apt-get install libopenmpi-dev openmpi-bin libclang-dev",
        "brew install open-mpi",
        "Microsoft MPI",
        "Or build without `--features mpi`",
    ] {
        assert!(
            stderr.contains(needed),
            "{needed:?} missing from:\n{stderr}"
        );
    }
}

#[test]
fn a_missing_mpi_stops_nothing_that_did_not_ask_for_it() {
    let out = build_check_without_mpi(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("needs an MPI library"), "{stderr}");
}

#[test]
fn step06s_mpi_feature_asks_for_the_check() {
    let manifest = include_str!("../Cargo.toml");
    assert!(
        manifest.contains(r#"mpi = ["dep:mpi", "dep:mpi-check", "mpi-check/required"]"#),
        "crates/step06/Cargo.toml: the `mpi` feature must turn on mpi-check's `required`"
    );
}
