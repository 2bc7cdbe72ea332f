//! The attendee's runner: the ladder (what `cargo run --release` prints),
//! status, watch, hint, reset, diff, list and setup, and join and leave
//! for the instructor's room. The instructor's lab
//! (`crates/lab`: bench, sweep, scaling, ranks, peak, figures, charts)
//! builds on the registry, the ladder and the peak probe kept here, so an
//! attendee's first build compiles no chart or build matrix.
//!
//! The workshop links the step crates' libraries, which hold the reference
//! solutions only: an exercise that does not compile cannot break it. The
//! runner looks at the attendee's code through `cargo` subprocesses.

pub mod checks;
pub mod cli;
pub mod diff;
pub mod fastest;
pub mod hint;
pub mod ladder;
pub mod peak;
pub mod projector;
pub mod python;
pub mod registry;
pub mod reset;
pub mod room;
pub mod setup;
pub mod status;
pub mod watch;
pub mod workspace;

/// The instructor's experiments: the lab's commands (`crates/lab`, whose
/// test holds it to this list), not the workshop's.
pub const LAB_COMMANDS: &[&str] = &[
    "bench",
    "sweep",
    "sieve",
    "scaling",
    "peak",
    "ranks",
    "network",
    "figures",
    "kit",
    "projector",
    "room",
];

/// The progress bar every long command shows (hidden when not a terminal).
pub fn progress_bar(len: u64) -> indicatif::ProgressBar {
    indicatif::ProgressBar::new(len).with_style(
        indicatif::ProgressStyle::with_template("{msg:>28} [{bar:30}] {pos}/{len}")
            .expect("valid template")
            .progress_chars("=> "),
    )
}
