//! Every binary's command line tried at its edges, from its own
//! definition: each step, `workshop` and `lab` print the `clap::Command`
//! they parse with (`MANDEL_CLI_DEFINITION`, hidden flags and every
//! subcommand included), and every argument that takes a value is run
//! with the values at its edges: 0, 1, its type's maximum and one past
//! it, negative, not a number, empty; for a path a folder, a missing
//! folder, a place nobody may write and `/proc`. A new flag is tried
//! without anyone listing it here.
//!
//! Each run is a child with a 2 GiB address-space limit and a time limit,
//! in a folder of its own. It must end in time with status 0 or 2 (a step
//! that finds no GPU says so: status 2 as well), say a refusal in one
//! line, never panic, and leave nothing behind when it refuses.

#[cfg(not(unix))]
#[test]
fn every_flag_of_every_binary_holds_at_its_edges() {
    mandel_testing::skip::skipped(
        "every flag at its edges",
        "the memory limit is set with setrlimit",
        "a Linux or macOS run of the suite checks it",
    );
}

// Everything else needs Unix: setrlimit, file modes, process groups.
#[cfg(unix)]
mod on_unix {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    use mandel_core::error::CLI_DEFINITION;
    use mandel_core::limits::CHECKS_ONLY;
    use mandel_testing::skip::{past_capture, skipped};
    use serde::Deserialize;

    /// The address space each run may map: what a laptop's editor and
    /// browser would still have left.
    const MEMORY_LIMIT: u64 = 2 << 30;

    /// How long one run may take: the steps run on `100 20`, in milliseconds.
    const TIME_LIMIT: Duration = Duration::from_secs(20);

    /// The small problem every run is given where it takes one, so that what
    /// is tried is the flag, not the machine's speed. Its grid is big enough
    /// that `maxiter` at its type's maximum is past the work limit.
    const W: &str = "100";
    const MAXITER: &str = "20";

    /// Commands whose work is left out: they stop, status 0, once everything
    /// they were given is checked (`MANDEL_CHECKS_ONLY`). Their checks are
    /// what stands between a flag and the machine; the steps they run are
    /// tried whole below.
    const CHECKED_ONLY: &[(&str, &str)] = &[
    (
        "workshop",
        "its commands build with cargo, watch for ever, write into the repository or time the whole ladder",
    ),
    (
        "lab",
        "the instructor's experiments run for minutes, build with cargo, need root or write into the book",
    ),
];

    /// Commands tried whole although their binary's are checked only: the
    /// runner's one-step run.
    const RUN_WHOLE: &[&str] = &["workshop fastest"];

    /// Flags whose accepted values end a run on purpose, and why that is
    /// right: tried with the rest, but their runs that are accepted may end
    /// in status 1.
    const ON_PURPOSE: &[(&str, &str, &str)] = &[(
        "step06",
        "fail_rank",
        "a hidden flag for the tests: that rank panics, and tests/ranks.rs checks the run ends",
    )];

    /// Runs tried again with a switch that changes what the flags drive:
    /// step 07's emulator (no GPU needed) for its launch's shape. The
    /// emulator compiles C on each run, so only the flags it reads.
    const WITH_SWITCH: &[(&str, &str, &[&str])] = &[("step07", "--emulate", &["grid", "block"])];

    #[derive(Debug, Deserialize)]
    struct Definition {
        name: String,
        args: Vec<Arg>,
        subcommands: Vec<Definition>,
    }

    #[derive(Debug, Deserialize, Clone)]
    struct Arg {
        id: String,
        long: Option<String>,
        positional: bool,
        required: bool,
        takes_value: bool,
        kind: String,
        possible_values: Vec<String>,
    }

    /// One run: the command line, and how it is run.
    #[derive(Debug, Clone)]
    struct Case {
        exe: PathBuf,
        /// `lab sweep`, for the report.
        command: String,
        args: Vec<String>,
        /// The argument tried, and its value.
        tried: String,
        checks_only: bool,
        /// The flag's runs may fail on purpose ([`ON_PURPOSE`]).
        fails_on_purpose: bool,
        /// A path the run was given that did not exist before it.
        new_path: Option<PathBuf>,
    }

    /// The places a path flag is tried with.
    struct Places {
        folder: PathBuf,
        missing: PathBuf,
        unwritable: PathBuf,
    }

    #[cfg(unix)]
    #[test]
    fn every_flag_of_every_binary_holds_at_its_edges() {
        if mandel_testing::skip::under_a_runner(
            "every flag at its edges",
            "the address-space limit would bind the emulator, not the binary",
        ) {
            return;
        }
        let started = Instant::now();
        let scratch = tempfile::tempdir().unwrap();
        let places = places(scratch.path());
        let mut cases = Vec::new();
        let mut binaries = 0;
        for (name, exe) in binaries_here() {
            let Some(definition) = definition_of(&exe) else {
                panic!("{name} does not print its definition with {CLI_DEFINITION}");
            };
            if name.starts_with("step") && runs_a_stub(&exe) {
                skipped(
                    &format!("{name}'s flags at their edges"),
                    "its binary runs the attendee's stub",
                    "`cargo test --workspace --features solution` builds the references",
                );
                continue;
            }
            binaries += 1;
            let checks_only = CHECKED_ONLY.iter().any(|(binary, _)| *binary == name);
            walk(&exe, &definition, &[], checks_only, &places, &mut cases);
        }
        let total = cases.len();
        let (failures, statuses) = run_all(cases, scratch.path());
        let took = started.elapsed();
        for (binary, why) in CHECKED_ONLY {
            let whole: Vec<&str> = RUN_WHOLE
                .iter()
                .copied()
                .filter(|c| c.split(' ').next() == Some(*binary))
                .collect();
            let but = if whole.is_empty() {
                String::new()
            } else {
                format!(" but {}", whole.join(", "))
            };
            past_capture(&format!(
            "command lines at their edges: {binary}'s commands{but} stop once their arguments are checked ({why})"
        ));
        }
        for (binary, id, why) in ON_PURPOSE {
            past_capture(&format!(
                "command lines at their edges: {binary}'s {id} may end a run with status 1: {why}"
            ));
        }
        let ended: Vec<String> = statuses
            .iter()
            .map(|(code, n)| format!("{n} with status {code}"))
            .collect();
        past_capture(&format!(
        "command lines at their edges: {total} runs of {binaries} binaries in {:.1} s: {}, {} failed",
        took.as_secs_f64(),
        ended.join(", "),
        failures.len()
    ));
        assert!(
            failures.is_empty(),
            "{} of {total} runs failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// `workshop`, and beside it every step's binary and `lab`, where built.
    fn binaries_here() -> Vec<(String, PathBuf)> {
        let workshop = PathBuf::from(env!("CARGO_BIN_EXE_workshop"));
        let mut names: Vec<String> = workshop::registry::LADDER.iter().map(|s| s.id()).collect();
        names.push("lab".to_string());
        let mut found = vec![("workshop".to_string(), workshop.clone())];
        for name in names {
            let exe = workshop.with_file_name(format!("{name}{}", std::env::consts::EXE_SUFFIX));
            if exe.is_file() {
                found.push((name, exe));
            } else {
                skipped(
                    &format!("{name}'s flags at their edges"),
                    "its binary is not built",
                    "`cargo test --workspace --features solution` builds it",
                );
            }
        }
        found
    }

    fn definition_of(exe: &Path) -> Option<Definition> {
        let out = mandel_testing::target::command(exe)
            .env(CLI_DEFINITION, "1")
            .output()
            .ok()?;
        serde_json::from_slice(&out.stdout).ok()
    }

    /// Whether a step's binary runs the attendee's stub (`cargo test -p
    /// workshop` alone builds them so): its runs end in status 1 by design.
    fn runs_a_stub(exe: &Path) -> bool {
        use mandel_core::selfcheck::{FailureKind, Verdict};
        let out = mandel_testing::target::command(exe)
            .args([W, MAXITER, "--json", "--no-check"])
            .output()
            .unwrap();
        let outcome =
            mandel_core::outcome::RunOutcome::from_output(&String::from_utf8_lossy(&out.stdout));
        matches!(outcome, Ok(o) if matches!(&o.verdict, Verdict::Fails(f) if f.kind == FailureKind::Stub))
    }

    fn places(scratch: &Path) -> Places {
        let folder = scratch.join("a-folder");
        std::fs::create_dir(&folder).unwrap();
        // Root writes anywhere a mode allows; sysfs takes no new files.
        let unwritable = if unsafe { libc::geteuid() } == 0 {
            PathBuf::from("/sys/mandel-edges")
        } else {
            use std::os::unix::fs::PermissionsExt;
            let locked = scratch.join("read-only");
            std::fs::create_dir(&locked).unwrap();
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
            locked.join("out")
        };
        Places {
            missing: scratch.join("no-such-folder").join("out"),
            folder,
            unwritable,
        }
    }

    /// The values an argument is tried with, and for each the path it names
    /// when that path is new (so that a refusal must leave it absent).
    fn values(arg: &Arg, places: &Places) -> Vec<(String, Option<PathBuf>)> {
        let plain = |values: Vec<String>| values.into_iter().map(|v| (v, None)).collect();
        let max: Option<u128> = match arg.kind.as_str() {
            "u32" => Some(u32::MAX.into()),
            "u64" => Some(u64::MAX.into()),
            "usize" => Some(usize::MAX as u128),
            _ => None,
        };
        if let Some(max) = max {
            return plain(
                [
                    "0",
                    "1",
                    &max.to_string(),
                    &(max + 1).to_string(),
                    "-1",
                    "1.5e3",
                    "",
                ]
                .map(String::from)
                .to_vec(),
            );
        }
        if !arg.possible_values.is_empty() {
            let mut values = arg.possible_values.clone();
            values.extend(["nonsense".to_string(), String::new()]);
            return plain(values);
        }
        if arg.kind == "path" {
            let shown = |p: &Path| p.display().to_string();
            return vec![
                (shown(&places.folder), None),
                (shown(&places.missing), Some(places.missing.clone())),
                (shown(&places.unwritable), Some(places.unwritable.clone())),
                ("/proc".to_string(), None),
                ("/proc/mandel-edges".to_string(), None),
                (String::new(), None),
            ];
        }
        plain(
            ["", "0", "1", "-1", "nonsense", "1,2", &"9".repeat(40)]
                .map(String::from)
                .to_vec(),
        )
    }

    /// The value a positional takes while another argument is tried: the
    /// small problem, a step for a step, a new folder for a path.
    fn base_value(arg: &Arg) -> String {
        match (arg.id.as_str(), arg.kind.as_str()) {
            ("w", _) => W.to_string(),
            ("maxiter", _) => MAXITER.to_string(),
            (_, "path") => "new-folder".to_string(),
            (_, "u32" | "u64" | "usize") => "2".to_string(),
            _ => arg
                .possible_values
                .first()
                .cloned()
                .unwrap_or("1".to_string()),
        }
    }

    /// Adds the cases of `definition` (reached by `path`, its subcommands'
    /// names) and of every subcommand under it.
    fn walk(
        exe: &Path,
        definition: &Definition,
        path: &[String],
        checks_only: bool,
        places: &Places,
        cases: &mut Vec<Case>,
    ) {
        let name = exe.file_stem().unwrap().to_string_lossy().to_string();
        let command = std::iter::once(name.clone())
            .chain(path.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        let checks_only = checks_only && !RUN_WHOLE.contains(&command.as_str());
        let positionals: Vec<&Arg> = definition.args.iter().filter(|a| a.positional).collect();
        // While a named flag is tried: the positionals up to the first that is
        // neither needed nor the problem's.
        let base: Vec<String> = positionals
            .iter()
            .take_while(|a| a.required || matches!(a.id.as_str(), "w" | "maxiter"))
            .map(|a| base_value(a))
            .collect();
        for arg in definition.args.iter().filter(|a| a.takes_value) {
            for (value, new_path) in values(arg, places) {
                let mut args: Vec<String> = path.to_vec();
                let tried = if arg.positional {
                    let index = positionals.iter().position(|p| p.id == arg.id).unwrap();
                    args.extend(positionals[..index].iter().map(|a| base_value(a)));
                    args.push(value.clone());
                    format!("<{}> {value:?}", arg.id)
                } else {
                    args.extend(base.iter().cloned());
                    let long = arg.long.clone().expect("a named flag");
                    args.extend([format!("--{long}"), value.clone()]);
                    format!("--{long} {value:?}")
                };
                let case = |args: Vec<String>, tried: String| Case {
                    exe: exe.to_path_buf(),
                    command: command.clone(),
                    args,
                    tried,
                    checks_only,
                    fails_on_purpose: ON_PURPOSE
                        .iter()
                        .any(|(binary, id, _)| *binary == command && *id == arg.id),
                    new_path: new_path.clone(),
                };
                for (_, switch, _) in WITH_SWITCH.iter().filter(|(binary, _, flags)| {
                    *binary == command && flags.contains(&arg.id.as_str())
                }) {
                    let mut switched = args.clone();
                    switched.push(switch.to_string());
                    cases.push(case(switched, format!("{tried} {switch}")));
                }
                cases.push(case(args, tried));
            }
        }
        for sub in &definition.subcommands {
            let mut deeper = path.to_vec();
            deeper.push(sub.name.clone());
            walk(exe, sub, &deeper, checks_only, places, cases);
        }
    }

    /// Runs every case, as many at once as there are CPUs and one more (the
    /// runs wait on process starts as much as they compute): the failures,
    /// and how many runs ended in each status.
    fn run_all(cases: Vec<Case>, scratch: &Path) -> (Vec<String>, BTreeMap<i32, usize>) {
        let next = AtomicUsize::new(0);
        let statuses = Mutex::new(BTreeMap::new());
        let failures = Mutex::new(BTreeMap::new());
        let workers = mandel_core::limits::cpus() + 1;
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    match run_one(case, &scratch.join(format!("run-{i}"))) {
                        Ok(code) => {
                            *statuses
                                .lock()
                                .unwrap()
                                .entry(code.unwrap_or(-1))
                                .or_insert(0) += 1
                        }
                        Err(why) => {
                            failures.lock().unwrap().insert(i, why);
                        }
                    }
                });
            }
        });
        let failures = failures.into_inner().unwrap().into_values().collect();
        (failures, statuses.into_inner().unwrap())
    }

    /// Runs `case` in the new folder `cwd`: what is wrong with how it ended.
    fn run_one(case: &Case, cwd: &Path) -> Result<Option<i32>, String> {
        use std::os::unix::process::CommandExt;
        std::fs::create_dir(cwd).unwrap();
        let shown = format!(
            "`{} {}` ({})",
            case.command.split(' ').next().unwrap(),
            shell_words(&case.args),
            case.tried
        );
        let mut command = Command::new(&case.exe);
        command
            .args(&case.args)
            .current_dir(cwd)
            .env("RUST_BACKTRACE", "1")
            .env_remove(CLI_DEFINITION)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if case.checks_only {
            command.env(CHECKS_ONLY, "1");
        } else {
            command.env_remove(CHECKS_ONLY);
        }
        // SAFETY: between fork and exec, setrlimit only: async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: MEMORY_LIMIT as libc::rlim_t,
                    rlim_max: MEMORY_LIMIT as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("{shown}: cannot start: {e}"))?;
        let stderr = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut { stderr }, &mut text);
            text
        });
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if started.elapsed() > TIME_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let stderr = reader.join().unwrap();
        let Some(status) = status else {
            return Err(format!("{shown}: still running after {TIME_LIMIT:?}"));
        };
        let code = status.code();
        if case.fails_on_purpose && code != Some(2) {
            return Ok(code);
        }
        if stderr.contains("panicked") || stderr.contains("stack backtrace") {
            return Err(format!("{shown}: panicked: {stderr}"));
        }
        if !matches!(code, Some(0 | 2)) {
            return Err(format!(
                "{shown}: ended with {status}, not 0 or 2: {stderr}"
            ));
        }
        if code == Some(2) {
            let lines: Vec<&str> = stderr.lines().collect();
            if lines.len() != 1 || !lines[0].starts_with("error: ") {
                return Err(format!(
                    "{shown}: refused in {} lines, not one `error: ` line: {stderr:?}",
                    lines.len()
                ));
            }
            let left: Vec<String> = std::fs::read_dir(cwd)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            if !left.is_empty() {
                return Err(format!("{shown}: refused, but left {left:?} behind"));
            }
            if let Some(path) = case.new_path.as_ref().filter(|p| p.exists()) {
                return Err(format!(
                    "{shown}: refused, but left {} behind",
                    path.display()
                ));
            }
        }
        // What an accepted run wrote goes with its folder.
        let _ = std::fs::remove_dir_all(cwd);
        if let Some(path) = &case.new_path {
            let _ = std::fs::remove_file(path);
        }
        Ok(code)
    }

    /// `args` as a person would type them.
    fn shell_words(args: &[String]) -> String {
        args.iter()
            .map(|a| {
                if a.is_empty() || a.contains(' ') {
                    format!("{a:?}")
                } else {
                    a.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}
