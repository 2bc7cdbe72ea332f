//! Looks for an MPI library the ways the `mpi` crate's build does (an
//! `mpicc`, pkg-config, MS-MPI's SDK) and, when there is none, stops the
//! build with what to install.

use std::path::Path;
use std::process::{Command, Stdio};

fn main() {
    for variable in [
        "MPICC",
        "MPI_PKG_CONFIG",
        "MSMPI_INC",
        "MSMPI_LIB64",
        "PATH",
        "MANDEL_PRETEND_NO_MPI",
    ] {
        println!("cargo:rerun-if-env-changed={variable}");
    }
    // Only step 06's `mpi` feature needs MPI; `--workspace` builds this
    // crate without it.
    if std::env::var_os("CARGO_FEATURE_REQUIRED").is_none() {
        return;
    }
    // The tests' way to see the message on a machine that has MPI.
    let pretend = std::env::var_os("MANDEL_PRETEND_NO_MPI").is_some();
    if !pretend && mpi_found() {
        return;
    }
    eprintln!(
        "\
step06's `mpi` feature needs an MPI library, and none was found here (no
`mpicc` on the PATH, no pkg-config entry for Open MPI or MPICH, no MS-MPI
SDK). Install one, then build again:
  Debian, Ubuntu: sudo apt-get install libopenmpi-dev openmpi-bin libclang-dev
  Fedora:         sudo dnf install openmpi-devel clang-devel
                  then: module load mpi/openmpi-x86_64
  macOS:          brew install open-mpi llvm
  Windows:        Microsoft MPI, both the runtime and the SDK, and LLVM
                  (for libclang)
Or build without `--features mpi`: step 06 then runs its ranks as threads."
    );
    std::process::exit(1);
}

fn mpi_found() -> bool {
    let runs = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let mpicc = std::env::var("MPICC").unwrap_or_else(|_| "mpicc".to_string());
    runs(&mpicc, &["-show"])
        || runs(&mpicc, &["--showme"])
        || ["ompi", "mpich", "mpi"].iter().any(|name| {
            let pkg_config =
                std::env::var("MPI_PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into());
            runs(&pkg_config, &["--exists", name])
        })
        || std::env::var_os("MSMPI_INC").is_some_and(|dir| Path::new(&dir).is_dir())
}
