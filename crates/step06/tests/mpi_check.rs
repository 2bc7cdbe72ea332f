//! Without an MPI library, `--features mpi` stops early with what to
//! install on each system, not in bindgen's output. Shown here by asking
//! the check to pretend MPI is missing (this machine may well have it).

use std::process::Command;

#[test]
fn a_missing_mpi_is_explained_with_what_to_install() {
    let target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mpi-check-target");
    let out = Command::new(env!("CARGO"))
        .args(["build", "-p", "mpi-check", "--target-dir"])
        .arg(&target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("MANDEL_PRETEND_NO_MPI", "1")
        .output()
        .expect("cargo runs");
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
