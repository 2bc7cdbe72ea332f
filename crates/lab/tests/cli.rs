//! The instructor's lab as an instructor meets it.

use std::process::Output;

fn lab(args: &[&str]) -> Output {
    mandel_testing::target::command(env!("CARGO_BIN_EXE_lab"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("lab runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn user_mistakes_get_one_line_and_status_2() {
    for (args, expect) in [
        (
            &["sweep", "100", "30", "--png", "/no/such/dir/s.png"][..],
            "does not exist",
        ),
        (
            &["sweep", "100", "30", "--blocks", "0"],
            "must be at least 1",
        ),
        (
            &["ranks", "100", "30", "--out", "/no/such/dir"],
            "does not exist",
        ),
        (&["ranks", "--ranks", "2,0"], "must be at least 1"),
        // Found before any host is made, root or not.
        (
            &["network", "100", "30", "--out", "/no/such/dir"],
            "does not exist",
        ),
        (&["network", "--links", "100,0"], "must be at least 1"),
        (&["network", "--hosts", "0"], "must be at least 1"),
        (&["scaling", "0"], "must be at least 1"),
        (&["bench", "0"], "must be at least 1"),
        (&["figures", "--only", "nope.txt"], "no such figure"),
        (&["frobnicate"], "frobnicate"),
    ] {
        let out = lab(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}

#[test]
fn bench_is_the_ladder_on_a_bigger_default() {
    let out = lab(&["bench", "100", "30", "--runs", "1", "--steps", "4"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("ladder on `100 30`"), "{stdout}");
}

#[test]
fn the_cache_sweep_prints_a_table_and_draws_both_charts() {
    let dir = tempfile::tempdir().unwrap();
    let (png, svg) = (dir.path().join("s.png"), dir.path().join("s.svg"));
    let out = lab(&[
        "sweep",
        "300",
        "50",
        "--blocks",
        "5000,100,7",
        "--runs",
        "1",
        "--png",
        png.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for block in ["whole", "5000", "100", "7"] {
        let row = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(block))
            .unwrap_or_else(|| panic!("no row for {block}: {stdout}"));
        assert!(row.ends_with("exact"), "{row}");
    }
    assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
}

#[test]
fn peak_reports_one_thread_and_all() {
    let out = lab(&["peak"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout.starts_with("One thread:  peak "), "{stdout}");
    assert!(stdout.contains("z-updates/s at 8 flops each"), "{stdout}");
}

#[test]
fn bench_python_puts_the_tutorials_scripts_beside_rust_and_says_what_is_missing() {
    let out = lab(&[
        "bench", "--python", "60", "20", "--runs", "1", "--steps", "1,2",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("The tutorial's Python beside Rust on `60 20`"),
        "{stdout}"
    );
    let row = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row {name}: {stdout}"))
            .to_string()
    };
    let mut skipped: Vec<(String, Vec<&str>)> = Vec::new();
    for script in [
        "pure_python.py",
        "pure_python_2.py",
        "numpy_vector.py",
        "numpy_vector_2.py",
        "numpy_vector_numexpr.py",
        "numpy_vector_numexpr.py (1 thread)",
        "numpy_loop.py",
        "multi.py",
    ] {
        let line = row(&format!("python {script} "));
        // Each row ran and was right, or says in one line why it did not;
        // numpy's rows may differ where numpy's loops fuse.
        let fused = script.starts_with("numpy") && line.contains("(differs from ");
        assert!(
            line.ends_with("(right)") || line.contains(" skipped: ") || fused,
            "{line}"
        );
        if let Some((_, why)) = line.split_once(" skipped: ") {
            match skipped.iter_mut().find(|(reason, _)| reason == why) {
                Some((_, scripts)) => scripts.push(script),
                None => skipped.push((why.to_string(), vec![script])),
            }
        }
    }
    // One line per reason, not one per script.
    for (why, scripts) in skipped {
        mandel_testing::skip::skipped(
            &format!("bench --python's {}", scripts.join(", ")),
            &why,
            "`python3 -m pip install numpy numexpr` gives every row",
        );
    }
    assert!(row("rust step01 pure").contains("exact"));

    // No interpreter: every Python row says so, the Rust rows still run.
    let none = mandel_testing::target::command(env!("CARGO_BIN_EXE_lab"))
        .args([
            "bench", "--python", "60", "20", "--runs", "1", "--steps", "2",
        ])
        .env("PYTHON", "no-such-python")
        .output()
        .unwrap();
    let stdout = text(&none.stdout);
    assert_eq!(none.status.code(), Some(0), "{stdout}");
    let pure = stdout
        .lines()
        .find(|l| l.starts_with("python pure_python.py "))
        .unwrap_or_default();
    assert!(
        pure.contains(" skipped: cannot run `no-such-python`"),
        "{stdout}"
    );
    assert!(stdout.contains("rust step02"), "{stdout}");
    assert!(
        stdout.contains("(No CPython pure time to compare with"),
        "{stdout}"
    );
}

#[test]
fn figures_are_written_with_the_machine_and_the_command_on_top() {
    let dir = tempfile::tempdir().unwrap();
    // AVX2 hidden, as on a CPU without it: its figure must say so.
    let out = mandel_testing::target::command(env!("CARGO_BIN_EXE_lab"))
        .args(["figures", "--quick", "--out", dir.path().to_str().unwrap()])
        .env("MANDEL_DISABLE_CPU_FEATURES", "avx2")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for (file, command) in [
        ("ladder.txt", "ladder 100 30 --runs 1"),
        ("bench.txt", "bench 200 50 --runs 1"),
        ("peak.txt", "peak"),
        ("sweep.txt", "sweep 300 50"),
        ("scaling.txt", "scaling 200 50"),
        ("fastest.txt", "fastest 100 30"),
        ("laptops.txt", "ladder 100 30 --runs 1 --isa portable"),
        ("bench-8000.txt", "bench 200 100 --steps 4,5"),
        (
            "dispatch.txt",
            "bench 100 30 --steps 4 --runs 1 --isa portable",
        ),
        ("python.txt", "bench --python 60 20"),
        (
            "ranks.txt",
            "ranks 200 50 --runs 1 --ranks 1,2 --threads-only",
        ),
        ("network.txt", "network 2000 300 --runs 1 --links 100"),
    ] {
        let figure = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let mut lines = figure.lines();
        assert!(
            lines.next().unwrap().starts_with("Measured on "),
            "{figure}"
        );
        // The runner's commands are the workshop's; the rest the lab's.
        let first = command.split(' ').next().unwrap();
        let binary = if !workshop::LAB_COMMANDS.contains(&first) {
            ""
        } else {
            "-p lab "
        };
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with(&format!("$ cargo run --release {binary}-- {command}")),
            "{figure}"
        );
        assert!(!figure.contains("Wrote "), "{figure}");
    }
    // Simulated hosts need root, `ip`, Open MPI and a native run: made,
    // or one line saying which is missing.
    let network = std::fs::read_to_string(dir.path().join("network.txt")).unwrap();
    assert!(
        network.contains("The model orders the three as measured on ")
            || network.contains("(not on this machine: lab network needs simulated hosts, and ")
            || network.contains("(not on this machine: lab network runs natively, not under `"),
        "{network}"
    );
    let ranks = std::fs::read_to_string(dir.path().join("ranks.txt")).unwrap();
    assert!(ranks.contains("every run gave step 04's counts"), "{ranks}");
    assert!(
        ranks.contains("MPI columns: skipped, not asked for (--threads-only)"),
        "{ranks}"
    );
    // The steps' own binaries, run from beside this workshop binary, where
    // `cargo test --workspace` builds them; a missing one is a line in its
    // figure, naming the command that builds it.
    let beside = std::path::Path::new(env!("CARGO_BIN_EXE_lab"));
    for (file, step, args, shows) in [
        (
            "step01-run.txt",
            "step01",
            "100 30",
            "Total sum of elements",
        ),
        ("expr.txt", "step04", "100 30", "\ntime: "),
        (
            "per-point.txt",
            "step03",
            "100 30 --per-point",
            "oracle: matches exactly",
        ),
        ("gpu.txt", "step07", "100 30", ""),
    ] {
        let figure = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let mut lines = figure.lines();
        assert!(
            lines.next().unwrap().starts_with("Measured on "),
            "{figure}"
        );
        assert_eq!(
            lines.next().unwrap(),
            format!("$ cargo run --release -p {step} --features solution -- {args}"),
            "{figure}"
        );
        let built = beside
            .with_file_name(format!("{step}{}", std::env::consts::EXE_SUFFIX))
            .is_file();
        if !built {
            assert!(figure.contains("is not built (cargo build -p "), "{figure}");
        } else {
            assert!(figure.contains(shows), "{figure}");
        }
    }
    // ptxas's table where this machine has ptxas and NVRTC, else its line.
    let ptxas = std::fs::read_to_string(dir.path().join("ptxas.txt")).unwrap();
    assert!(
        ptxas.contains("\n$ cargo run --release -p step07 --features solution -- --ptxas\n"),
        "{ptxas}"
    );
    assert!(
        ptxas.contains("registers per thread") || ptxas.contains("(not on this machine: "),
        "{ptxas}"
    );
    // Only each run's outcome: no "Total elements" in the --expr table.
    let expr = std::fs::read_to_string(dir.path().join("expr.txt")).unwrap();
    assert!(!expr.contains("Total elements"), "{expr}");
    assert!(
        expr.contains("-- 100 30 --expr \"z*z + c\" --block 64\n"),
        "{expr}"
    );
    // A command this machine refuses (an instruction set it lacks) is a
    // line in its figure, not a failure of the whole.
    let dispatch = std::fs::read_to_string(dir.path().join("dispatch.txt")).unwrap();
    assert!(dispatch.contains("--isa avx2\n"), "{dispatch}");
    assert!(dispatch.contains("(not on this machine: "), "{dispatch}");
    for picture in [
        "mandelbrot.png",
        "cache-sweep.png",
        "cache-sweep.svg",
        "scaling-threads.svg",
        "ranks.png",
        "ranks.svg",
    ] {
        assert!(dir.path().join(picture).is_file(), "{picture} missing");
    }
    if cfg!(unix) {
        assert!(dir.path().join("step01-flamegraph.svg").is_file());
        let share = std::fs::read_to_string(dir.path().join("step01-profile.txt")).unwrap();
        assert!(share.contains(" with `hypot` on the stack"), "{share}");
    }
}

/// What `.ci/gpu-check` runs on a GPU machine: the GPU's figures alone,
/// from the binaries as they are, and none of the CPU's.
#[test]
fn the_gpu_figures_alone_from_the_binaries_as_built() {
    let dir = tempfile::tempdir().unwrap();
    let out = lab(&[
        "figures",
        "--gpu",
        "--prebuilt",
        "--quick",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let mut made: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    made.sort();
    assert_eq!(
        made,
        [
            "gpu-builds.txt",
            "gpu-shape.txt",
            "gpu-vs-cpu.txt",
            "gpu.txt"
        ]
    );
    let versus = std::fs::read_to_string(dir.path().join("gpu-vs-cpu.txt")).unwrap();
    assert!(versus.contains(" GPU: "), "{versus}");
    // Without a GPU run to compare with, the CPU's is not run.
    if versus.contains("(not on this machine: ") {
        assert!(
            versus.contains("(not run: no GPU run above to compare with)"),
            "{versus}"
        );
    }
}

#[test]
fn ranks_without_mpi_runs_the_threads_and_says_why_mpi_is_missing() {
    // The runner itself is found on the PATH this test takes away.
    if mandel_testing::skip::under_a_runner(
        "workshop ranks on a machine without MPI",
        "the runner is found on the PATH the test takes away",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = mandel_testing::target::command(env!("CARGO_BIN_EXE_lab"))
        .args(["ranks", "100", "30", "--runs", "1", "--ranks", "1,2"])
        .arg("--out")
        .arg(dir.path())
        // A machine without MPI: no `mpirun` anywhere on the PATH.
        .env("PATH", dir.path())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("MPI columns: skipped, no `mpirun` on this machine"),
        "{stdout}"
    );
    assert!(stdout.contains("threads, farm"), "{stdout}");
    assert!(!stdout.contains("MPI, farm"), "{stdout}");
    assert!(dir.path().join("ranks.svg").is_file());
}

/// Step 06 as MPI processes, where this machine has MPI: both strategies
/// under `mpirun` give step 04's sum (`ranks` checks every run's).
#[test]
fn ranks_runs_step06_under_mpirun_where_there_is_one() {
    if mandel_testing::skip::under_a_runner(
        "step 06 as MPI processes",
        "it would build a native step 06",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = mandel_testing::target::command(env!("CARGO_BIN_EXE_lab"))
        .args(["ranks", "100", "30", "--runs", "1", "--ranks", "2"])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    if let Some(why) = stdout
        .lines()
        .find_map(|l| l.strip_prefix("MPI columns: skipped, "))
    {
        mandel_testing::skip::skipped(
            "step 06 as MPI processes",
            why,
            "Debian, Ubuntu: `sudo apt-get install libopenmpi-dev openmpi-bin libclang-dev`",
        );
        return;
    }
    for column in ["MPI, farm", "MPI, static"] {
        assert!(stdout.contains(column), "{column} missing: {stdout}");
    }
}

/// `lab kit DIR`'s mistakes: one line, status 2, and nothing written
/// beside DIR (the kit is made in a temporary folder and renamed at the end).
#[test]
fn kit_refuses_what_it_cannot_write_and_leaves_nothing_behind() {
    let parent = tempfile::tempdir().unwrap();
    let full = parent.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("something"), "").unwrap();
    let entries = || {
        let mut names: Vec<String> = std::fs::read_dir(parent.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = entries();
    let kit = |dir: &std::path::Path, env: &[(&str, &std::ffi::OsStr)]| {
        let mut command = mandel_testing::target::command(env!("CARGO_BIN_EXE_lab"));
        command
            .args(["kit", dir.to_str().unwrap()])
            .env_remove("RUST_BACKTRACE");
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().unwrap()
    };
    let refused = |out: Output, expect: &str| {
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}{}", text(&out.stdout));
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expect), "{stderr}");
        assert_eq!(entries(), before, "{expect}: something was left behind");
    };
    refused(kit(&full, &[]), "exists and is not empty");
    refused(
        kit(&full.join("something"), &[]),
        "exists and is not a folder",
    );
    refused(kit(&parent.path().join("no/kit"), &[]), "does not exist");
    if mandel_testing::skip::under_a_runner("lab kit without git", "would not find the runner") {
        return;
    }
    // No git on the PATH.
    let empty = tempfile::tempdir().unwrap();
    refused(
        kit(
            &parent.path().join("kit"),
            &[("PATH", empty.path().as_os_str())],
        ),
        "cannot run git",
    );
    // cargo vendor failing (no network, say), after the tree is copied.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let in_git = std::process::Command::new("git")
            .args(["rev-parse", "--show-toplevel"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !in_git {
            mandel_testing::skip::skipped(
                "lab kit with a failing cargo vendor",
                "this workspace is not a git checkout, or git is not installed",
                "run the tests in a git clone",
            );
            return;
        }
        let fake = empty.path().join("cargo");
        std::fs::write(
            &fake,
            "#!/bin/sh\necho 'error: failed to download `clap`: network unreachable' >&2\nexit 101\n",
        )
        .unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        refused(
            kit(&parent.path().join("kit"), &[("CARGO", fake.as_os_str())]),
            "cargo vendor --locked failed",
        );
    }
}
