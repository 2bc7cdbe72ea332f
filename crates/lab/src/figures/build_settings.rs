//! `builds.txt`: steps 01 and 02 built each way the book compares (cargo's
//! profiles, fat LTO, the native CPU, profile-guided) and timed.

use std::path::{Path, PathBuf};
use std::process::Command;

use mandel_core::outcome::RunOutcome;
use mandel_core::{Error, Problem};
use workshop::workspace;

/// One way of building the scalar steps, for the build-settings table.
struct BuildSetting {
    name: &'static str,
    profile: &'static str,
    /// `--config` overrides.
    config: &'static [&'static str],
    rustflags: Option<&'static str>,
}

const BUILD_SETTINGS: &[BuildSetting] = &[
    BuildSetting {
        name: "cargo's default dev (opt-level 0, dependencies too)",
        profile: "dev",
        config: &[
            "profile.dev.opt-level=0",
            "profile.dev.package.\"*\".opt-level=0",
        ],
        rustflags: None,
    },
    BuildSetting {
        name: "this workspace's dev (opt-level 1, dependencies 2)",
        profile: "dev",
        config: &[],
        rustflags: None,
    },
    BuildSetting {
        name: "release (opt-level 3)",
        profile: "release",
        config: &[],
        rustflags: None,
    },
    BuildSetting {
        name: "release, lto = \"fat\", codegen-units = 1",
        profile: "release",
        config: &[
            "profile.release.lto=\"fat\"",
            "profile.release.codegen-units=1",
        ],
        rustflags: None,
    },
    BuildSetting {
        name: "release, -C target-cpu=native",
        profile: "release",
        config: &[],
        rustflags: Some("-C target-cpu=native"),
    },
];

/// Builds steps 01 and 02 each way (in its own target folder, so no build
/// undoes another) and times their reference on `1000 1000`: the book's
/// build-settings table, profile-guided optimisation last. Minutes of
/// compiling, so not with `--quick`.
pub fn build_settings(machine: &str) -> Result<String, Error> {
    let mut text = format!(
        "{machine}\n$ cargo run --release -p lab -- figures   (builds steps 01 and 02 each way below; each time is the median of 5 runs of `stepNN 1000 1000 --no-check`)\n{:<52} {:>10} {:>10} {:>14}\n",
        "build", "step01", "step02", "step02 z-up/s"
    );
    let updates = Problem::new(1000, 1000)?.z_updates();
    let row = |name: &str, target: &Path, folder: &str| -> Result<String, Error> {
        let (step01, step02) = (
            median_of_runs(&target.join(folder), "step01")?,
            median_of_runs(&target.join(folder), "step02")?,
        );
        Ok(format!(
            "{name:<52} {:>10} {:>10} {:>14}\n",
            mandel_core::timing::duration_text(step01),
            mandel_core::timing::duration_text(step02),
            mandel_core::timing::rate_text(mandel_core::timing::rate(updates, step02)),
        ))
    };
    let builds = workspace::root().join("target").join("figures-builds");
    for (index, setting) in BUILD_SETTINGS.iter().enumerate() {
        let target = builds.join(index.to_string());
        let flags = setting
            .rustflags
            .map(|f| f.split(' ').map(str::to_string).collect());
        build_scalar_steps(&target, setting.profile, setting.config, flags)?;
        let folder = if setting.profile == "dev" {
            "debug"
        } else {
            setting.profile
        };
        text.push_str(&row(setting.name, &target, folder)?);
    }
    let pgo = "release, profile-guided (trained on 1000 1000)";
    match llvm_profdata() {
        None => text.push_str(&format!(
            "{pgo:<52} not on this machine: no llvm-profdata (rustup component add llvm-tools)\n"
        )),
        Some(profdata) => {
            let target = builds.join("pgo");
            profile_guided(&target, &profdata)?;
            text.push_str(&row(pgo, &target, "release")?);
        }
    }
    Ok(text)
}

/// Steps 01 and 02's references built into `target`: `flags` replace
/// RUSTFLAGS (passed encoded, so a path with spaces stays one flag).
fn build_scalar_steps(
    target: &Path,
    profile: &str,
    config: &[&str],
    flags: Option<Vec<String>>,
) -> Result<(), Error> {
    let mut build = workspace::cargo();
    build
        .args(["build", "-q", "--profile", profile])
        .args(["-p", "step01", "-p", "step02", "--features", "solution"])
        .arg("--target-dir")
        .arg(target)
        .env_remove("RUSTFLAGS");
    for config in config {
        build.args(["--config", config]);
    }
    match flags {
        Some(flags) => build.env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f")),
        None => build.env_remove("CARGO_ENCODED_RUSTFLAGS"),
    };
    workspace::cargo_build(build, &format!("steps 01 and 02 into {}", target.display()))
}

/// Profile-guided optimisation in its three moves: build instrumented,
/// run the tutorial's problem to record which branches and calls are hot,
/// build again with the merged profile.
fn profile_guided(target: &Path, profdata: &Path) -> Result<(), Error> {
    let raw = target.join("pgo-raw");
    // Old profiles from an earlier build would be merged in too.
    let _ = std::fs::remove_dir_all(&raw);
    let generate = format!("-Cprofile-generate={}", raw.display());
    build_scalar_steps(target, "release", &[], Some(vec![generate]))?;
    for step in ["step01", "step02"] {
        let exe = target
            .join("release")
            .join(format!("{step}{}", std::env::consts::EXE_SUFFIX));
        let trained = mandel_testing::target::command(&exe)
            .args(["1000", "1000", "--no-check"])
            .output()
            .map_err(|e| Error::bug(format!("cannot run {}: {e}", exe.display())))?;
        if !trained.status.success() {
            return Err(Error::bug(format!(
                "the instrumented {step} failed ({})",
                trained.status
            )));
        }
    }
    let merged = target.join("merged.profdata");
    let merge = Command::new(profdata)
        .arg("merge")
        .arg("-o")
        .arg(&merged)
        .arg(&raw)
        .output()
        .map_err(|e| {
            Error::missing(format!(
                "cannot run {}: {e} (rustup component add llvm-tools)",
                profdata.display()
            ))
        })?;
    if !merge.status.success() {
        return Err(Error::bug(format!(
            "llvm-profdata merge failed: {}",
            String::from_utf8_lossy(&merge.stderr).trim()
        )));
    }
    let use_profile = format!("-Cprofile-use={}", merged.display());
    build_scalar_steps(target, "release", &[], Some(vec![use_profile]))
}

/// rustup's `llvm-tools` copy (the one matching rustc's LLVM), else one on
/// the PATH.
fn llvm_profdata() -> Option<PathBuf> {
    let exe = format!("llvm-profdata{}", std::env::consts::EXE_SUFFIX);
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    let bundled = sysroot
        .join("lib")
        .join("rustlib")
        .join(mandel_testing::target::TRIPLE)
        .join("bin")
        .join(&exe);
    if bundled.is_file() {
        return Some(bundled);
    }
    Command::new(&exe)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from(exe))
}

/// The median of 5 runs of `step 1000 1000 --no-check` from `folder`, by
/// the time the binary prints for calculate_z.
fn median_of_runs(folder: &Path, step: &str) -> Result<std::time::Duration, Error> {
    let exe = folder.join(format!("{step}{}", std::env::consts::EXE_SUFFIX));
    let mut times = Vec::new();
    for _ in 0..5 {
        let out = mandel_testing::target::command(&exe)
            .args(["1000", "1000", "--no-check", "--json"])
            .output()
            .map_err(|e| Error::bug(format!("cannot run {}: {e}", exe.display())))?;
        let took = RunOutcome::from_output(&String::from_utf8_lossy(&out.stdout))
            .ok()
            .and_then(|outcome| outcome.time())
            .ok_or_else(|| Error::bug(format!("{} gave no time", exe.display())))?;
        times.push(took);
    }
    Ok(mandel_core::timing::median(&times))
}
