//! `step01-profile.txt` and `step01-flamegraph.svg`: step 01's reference
//! sampled in this process, as its chapter shows it.

use std::path::Path;

use mandel_core::output::OutputFile;
use mandel_core::{Error, Problem};
use workshop::workspace;

use super::PROFILE;

/// Step 01's reference, sampled, as the step 01 chapter shows it: the
/// flamegraph, and the share of samples under `hypot` (the square root
/// behind `norm()`) as text for the chapters to quote.
pub fn step01_profile(out: &Path, problem: &Problem, machine: &str) -> Result<(), Error> {
    mandel_core::profile::check_supported()?;
    let file = OutputFile::create(&out.join("step01-flamegraph.svg"))?;
    let profiler = mandel_core::profile::Profiler::start()?;
    // A flamegraph's root is the sampled thread's name: run the step in a
    // thread named for it, so the root reads `step01` as the chapter's own
    // run (the step01 binary's main thread) does, not `lab`.
    let sampled = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name(step01::STEP.id())
            .spawn_scoped(scope, || {
                drop((step01::STEP.solution)(problem, mandel_core::Isa::best()))
            })
            .map(|thread| thread.join())
    });
    let profile = profiler.stop()?;
    match sampled {
        Ok(Ok(())) => {}
        Ok(Err(_)) => return Err(Error::bug("step 01's reference panicked while profiled")),
        Err(e) => return Err(Error::bug(format!("cannot start a thread to profile: {e}"))),
    }
    profile.write_flamegraph(
        file,
        &format!("step01 pure {}", problem.label()),
        Some(machine),
    )?;
    let (samples, under) = profile.samples_under("hypot");
    let text = format!(
        "{machine}\n$ cargo run --release -p step01 --features solution,flamegraph -- {} --profile step01.svg   (as `figures` samples it, in one process)\n{samples} samples; {under} of them ({:.0}%) with `hypot` on the stack: the square root behind `norm()`, that is |z|.\n",
        problem.label(),
        100.0 * under as f64 / samples.max(1) as f64
    );
    workspace::write_whole(&out.join(PROFILE), &text)
}
