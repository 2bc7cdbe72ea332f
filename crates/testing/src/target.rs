//! Starting a binary of this build the way cargo does. Cross-compiled
//! tests (`cargo test --target aarch64-unknown-linux-gnu` on x86-64) run
//! under the target's runner, `CARGO_TARGET_<TRIPLE>_RUNNER` (such as
//! `qemu-aarch64 -L /usr/aarch64-linux-gnu`); a test that starts the step
//! binaries itself must go through the same runner, or the host cannot
//! execute them.

use std::ffi::OsStr;
use std::process::Command;

/// The triple this build targets: `x86_64-unknown-linux-gnu`.
pub const TRIPLE: &str = env!("MANDEL_TARGET");

/// The runner cargo uses for this build's binaries, split into words, if
/// one is set and this process needs it. A Windows process starts Windows
/// binaries itself, under Wine too (`.ci/windows` runs the tests with
/// `wine64` as the runner, which a process inside Wine cannot start): the
/// runner is for a host that cannot.
pub fn runner() -> Option<Vec<String>> {
    if cfg!(windows) {
        return None;
    }
    let variable = format!(
        "CARGO_TARGET_{}_RUNNER",
        TRIPLE.to_uppercase().replace(['-', '.'], "_")
    );
    let words: Vec<String> = std::env::var(variable)
        .ok()?
        .split_whitespace()
        .map(str::to_string)
        .collect();
    (!words.is_empty()).then_some(words)
}

/// A command that starts `exe`, through the runner when one is set.
pub fn command(exe: impl AsRef<OsStr>) -> Command {
    match runner() {
        Some(words) => {
            let mut command = Command::new(&words[0]);
            command.args(&words[1..]).arg(exe);
            command
        }
        None => Command::new(exe),
    }
}
