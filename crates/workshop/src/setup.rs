//! `workshop setup`: everything the day needs, built the day before on a
//! good network, so that on the day the first `cargo test -p stepNN`, the
//! first `status` and the first `hint` give their answer in seconds. It
//! builds exactly what those commands build (the same cargo commands,
//! packages and profiles), so none of them compiles anything but the
//! attendee's own file.
//!
//! `setup --projector` checks instead what the instructor's live parts need
//! beyond the attendees' tools (MPI, libclang, `perf`, Python, mdBook, a
//! GPU): one line each, present or missing with its install line.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use mandel_core::timing::duration_text;
use mandel_core::Error;

use crate::checks::Checker;
use crate::registry::LADDER;
use crate::workspace;

#[derive(clap::Args, Default)]
pub struct Args {
    /// Build nothing: check what the instructor's live parts need on this
    /// machine (mpirun, libclang, perf, Python, mdBook, a GPU), each present
    /// or missing with its install line.
    #[arg(long)]
    pub projector: bool,
}

pub fn run(args: &Args, profile: &str) -> Result<ExitCode, Error> {
    if args.projector {
        let lines = projector_report(LIVE_PARTS, LivePart::look);
        for line in &lines {
            println!("{line}");
        }
        let missing = lines.iter().filter(|l| l.starts_with(MISSING)).count();
        println!(
            "{missing} of {} missing. Everything else the day needs: `cargo run --release -- setup`.",
            lines.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let started = Instant::now();
    println!("Building what the day needs; the first time takes minutes, a second time seconds.");
    let progress = crate::progress_bar(LADDER.len() as u64 + 2);

    // `cargo test -p stepNN`, one step at a time as the attendee runs it:
    // several packages in one command could unify their dependencies'
    // features differently and leave each step's own build to do.
    let mut not_built = Vec::new();
    for step in LADDER {
        progress.set_message(format!("cargo test -p {}", step.id()));
        let mut build = workspace::cargo();
        build.args(["test", "--no-run", "-q", "-p", &step.id()]);
        if let Err(why) = workspace::cargo_build(build, &format!("{}'s tests", step.id())) {
            not_built.push(why.to_string());
        }
        progress.inc(1);
    }
    // `cargo run -- hint`, `reset`, `watch`, `diff`: the runner, unoptimised.
    progress.set_message("cargo run -- hint");
    workspace::cargo_build(
        {
            let mut build = workspace::cargo();
            build.args(["build", "-q"]);
            build
        },
        "the runner",
    )?;
    progress.inc(1);
    // `status` and `watch`: every exercise as they build it, each checked.
    progress.set_message("cargo run --release -- status");
    let outcomes = Checker::new(&workspace::root(), profile).check(LADDER, None, |_| {})?;
    progress.inc(1);
    progress.finish_and_clear();

    for (step, outcome) in LADDER.iter().zip(&outcomes) {
        println!("{} {:<20} {}", step.id(), step.name, outcome.label());
    }
    for why in &not_built {
        // Only an exercise that does not compile stops its tests' build;
        // everything under it is built.
        println!("{why} (your file: fix it on the day)");
    }
    println!(
        "Ready: everything the day needs is built ({}). Next: `cargo test -p step01`, or `cargo run --release -- status`.",
        duration_text(started.elapsed())
    );
    Ok(ExitCode::SUCCESS)
}

/// One thing a live part of the three-hour plan needs on the projector
/// machine, and how to get it.
pub struct LivePart {
    /// What it is: `mpirun (Open MPI)`.
    pub name: &'static str,
    /// What needs it: `step 06's live mpirun -n 2`.
    pub needed_by: &'static str,
    /// How to install it, one line per system kind: Linux (Debian,
    /// Ubuntu), macOS, Windows.
    pub install: [&'static str; 3],
    /// Whether it is here: what was found, or why not.
    pub find: fn() -> Result<String, String>,
}

impl LivePart {
    /// Whether it is here, on this machine.
    pub fn look(&self) -> Result<String, String> {
        (self.find)()
    }

    /// The install line for this system.
    pub fn install_here(&self) -> &'static str {
        if cfg!(target_os = "macos") {
            self.install[1]
        } else if cfg!(windows) {
            self.install[2]
        } else {
            self.install[0]
        }
    }
}

/// How a report line starts, so the count and the reader agree.
const PRESENT: &str = "present";
const MISSING: &str = "MISSING";

/// Every live part the instructor guide's plan shows, in the plan's order.
pub const LIVE_PARTS: &[LivePart] = &[
    LivePart {
        name: "perf",
        needed_by: "step 01's line profile (`perf record`, `perf report --sort srcline`)",
        install: [
            "sudo apt-get install linux-perf (Debian) or linux-tools-generic (Ubuntu)",
            "no perf on macOS: use Instruments, or the flamegraph (--profile)",
            "no perf on Windows: use Visual Studio's profiler, or the flamegraph under WSL",
        ],
        find: || found_by_running("perf", &["--version"]),
    },
    LivePart {
        name: "perf_event_paranoid at 1 or lower",
        needed_by: "`perf record` as a user",
        install: [
            "sudo sysctl kernel.perf_event_paranoid=1",
            "not on macOS",
            "not on Windows",
        ],
        find: || paranoid_level(Path::new("/proc/sys/kernel/perf_event_paranoid")),
    },
    LivePart {
        name: "mpirun (Open MPI)",
        needed_by: "step 06's live `mpirun -n 2` and `lab ranks`' MPI columns",
        install: [
            "sudo apt-get install libopenmpi-dev openmpi-bin",
            "brew install open-mpi",
            "Microsoft MPI, the runtime and the SDK",
        ],
        find: || found_by_running("mpirun", &["--version"]),
    },
    LivePart {
        name: "MPI's compiler wrapper (mpicc)",
        needed_by: "building step 06 with `--features mpi`",
        install: [
            "sudo apt-get install libopenmpi-dev openmpi-bin",
            "brew install open-mpi",
            "Microsoft MPI's SDK (MSMPI_INC set)",
        ],
        find: find_mpicc,
    },
    LivePart {
        name: "libclang",
        needed_by: "building step 06 with `--features mpi` (the mpi crate's bindgen)",
        install: [
            "sudo apt-get install libclang-dev",
            "brew install llvm",
            "LLVM from llvm.org, with LIBCLANG_PATH set to its bin folder",
        ],
        find: find_libclang,
    },
    LivePart {
        name: "a GPU with CUDA's driver and NVRTC",
        needed_by: "step 07's timing breakdown and `fastest` on the GPU",
        install: [
            "an NVIDIA GPU and driver, and NVRTC (a CUDA toolkit, or pip install nvidia-cuda-nvrtc-cu12): docs/src/setup.md",
            "no NVIDIA GPU on a Mac: show the book's measured figures",
            "the NVIDIA driver and a CUDA toolkit (nvrtc64_*.dll on PATH)",
        ],
        find: || match step07::availability() {
            mandel_core::Availability::Ready => Ok("step 07 runs on the GPU".to_string()),
            mandel_core::Availability::Emulated(why)
            | mandel_core::Availability::Unavailable(why) => Err(why.missing),
        },
    },
    LivePart {
        name: "Python 3 with numpy and numexpr",
        needed_by: "the wrap-up's `lab bench --python`",
        install: [
            "python3 -m pip install numpy numexpr",
            "python3 -m pip install numpy numexpr",
            "py -m pip install numpy numexpr",
        ],
        find: find_python,
    },
    LivePart {
        name: "mdBook",
        needed_by: "`mdbook serve docs`, the book on the projector",
        install: [
            "cargo install mdbook --locked --version 0.4.52",
            "cargo install mdbook --locked --version 0.4.52",
            "cargo install mdbook --locked --version 0.4.52",
        ],
        find: || found_by_running("mdbook", &["--version"]),
    },
];

/// One line per part: `present` with what was found, or `MISSING` with
/// why and the install line. `look` is how a part is looked for (the
/// machine's own, or a test's).
pub fn projector_report(
    parts: &[LivePart],
    look: impl Fn(&LivePart) -> Result<String, String>,
) -> Vec<String> {
    parts
        .iter()
        .map(|part| match look(part) {
            Ok(found) => format!("{PRESENT}  {}, for {}: {found}", part.name, part.needed_by),
            Err(why) => format!(
                "{MISSING}  {}, for {}: {why}; install: {}",
                part.name,
                part.needed_by,
                part.install_here()
            ),
        })
        .collect()
}

/// `program args` ran and succeeded: its first line of output.
fn found_by_running(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim();
    if out.status.success() {
        Ok(first.to_string())
    } else {
        Err(format!("`{program} {}` failed: {first}", args.join(" ")))
    }
}

/// The interpreter `lab bench --python` runs, with the modules its
/// scripts import.
fn find_python() -> Result<String, String> {
    const VERSIONS: &str =
        "import numpy, numexpr; print('numpy', numpy.__version__, 'numexpr', numexpr.__version__)";
    found_by_running(&crate::python::interpreter(), &["-c", VERSIONS])
}

/// Open MPI's `mpicc --showme`, MPICH's `mpicc -show`: the wrapper runs.
/// (What it prints is a whole compiler command line, too long to show.)
fn find_mpicc() -> Result<String, String> {
    found_by_running("mpicc", &["--showme"])
        .or_else(|_| found_by_running("mpicc", &["-show"]))
        .map(|_| "mpicc runs".to_string())
}

/// `perf record` as a user needs the kernel's paranoia at 1 or lower.
fn paranoid_level(file: &Path) -> Result<String, String> {
    let text =
        std::fs::read_to_string(file).map_err(|_| format!("no {} (not Linux?)", file.display()))?;
    let level: i32 = text
        .trim()
        .parse()
        .map_err(|_| format!("{} reads `{}`", file.display(), text.trim()))?;
    if level <= 1 {
        Ok(format!("{level}"))
    } else {
        Err(format!("it is {level}"))
    }
}

/// libclang where bindgen looks for it: `LIBCLANG_PATH`, `llvm-config
/// --libdir`, then the systems' usual folders.
fn find_libclang() -> Result<String, String> {
    let mut folders: Vec<PathBuf> = Vec::new();
    if let Some(path) = std::env::var_os("LIBCLANG_PATH") {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path.display().to_string());
        }
        folders.push(path);
    }
    if let Ok(out) = Command::new("llvm-config")
        .arg("--libdir")
        .stdin(Stdio::null())
        .output()
    {
        let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.status.success() && !dir.is_empty() {
            folders.push(dir.into());
        }
    }
    for dir in [
        "/usr/lib",
        "/usr/lib64",
        "/usr/local/lib",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/opt/homebrew/opt/llvm/lib",
        "/usr/local/opt/llvm/lib",
        "/Library/Developer/CommandLineTools/usr/lib",
        "C:\\Program Files\\LLVM\\bin",
    ] {
        folders.push(dir.into());
    }
    // Debian and Ubuntu keep each LLVM in /usr/lib/llvm-N/lib.
    if let Ok(entries) = std::fs::read_dir("/usr/lib") {
        for entry in entries.filter_map(Result::ok) {
            if entry.file_name().to_string_lossy().starts_with("llvm-") {
                folders.push(entry.path().join("lib"));
            }
        }
    }
    folders
        .iter()
        .find_map(|dir| libclang_in(dir))
        .map(|file| file.display().to_string())
        .ok_or_else(|| {
            "no libclang in LIBCLANG_PATH, llvm-config's folder or the usual ones".to_string()
        })
}

/// A libclang library in `dir` (not libclang-cpp, another library).
fn libclang_in(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.starts_with("libclang")
                && !name.starts_with("libclang-cpp")
                && [".so", ".dylib", ".dll"]
                    .iter()
                    .any(|ext| name.contains(ext))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_live_part_is_named_and_a_missing_one_gets_its_install_line() {
        let lines = projector_report(LIVE_PARTS, |_| Err("not here".to_string()));
        assert_eq!(lines.len(), LIVE_PARTS.len());
        for wanted in [
            "mpirun",
            "libclang",
            "perf",
            "perf_event_paranoid",
            "Python",
            "mdBook",
            "GPU",
        ] {
            assert!(
                lines.iter().any(|l| l.contains(wanted)),
                "no line names {wanted}: {lines:#?}"
            );
        }
        for (line, part) in lines.iter().zip(LIVE_PARTS) {
            assert!(line.starts_with(MISSING), "{line}");
            assert!(line.contains(part.install_here()), "{line}");
            assert!(!line.contains('\n'), "one line each: {line}");
        }
        // Open MPI's packages, named as the brief's checklist names them.
        if cfg!(target_os = "linux") {
            let mpi = lines.iter().find(|l| l.contains("mpirun")).unwrap();
            assert!(mpi.contains("libopenmpi-dev openmpi-bin"), "{mpi}");
        }
    }

    #[test]
    fn a_present_part_says_what_was_found_and_no_install_line() {
        let lines = projector_report(LIVE_PARTS, |p| Ok(format!("{} 1.0", p.name)));
        for (line, part) in lines.iter().zip(LIVE_PARTS) {
            assert!(line.starts_with(PRESENT), "{line}");
            assert!(!line.contains("install:"), "{line}");
            assert!(line.ends_with(&format!("{} 1.0", part.name)), "{line}");
        }
    }

    #[test]
    fn perf_needs_paranoia_at_one_or_lower() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("paranoid");
        for (level, ok) in [("-1\n", true), ("1\n", true), ("2\n", false), ("4", false)] {
            std::fs::write(&file, level).unwrap();
            assert_eq!(paranoid_level(&file).is_ok(), ok, "{level}");
        }
        std::fs::write(&file, "x").unwrap();
        assert!(paranoid_level(&file).is_err());
        assert!(paranoid_level(&dir.path().join("none")).is_err());
    }

    #[test]
    fn a_program_that_is_not_there_is_missing_not_a_panic() {
        let why = found_by_running("no-such-program-for-the-workshop", &["--version"]).unwrap_err();
        assert!(why.contains("no-such-program-for-the-workshop"), "{why}");
    }
}
