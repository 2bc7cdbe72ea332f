//! Sampling profiles of a step's run as a flamegraph SVG: the workshop's
//! RunSnakeRun. pprof samples the stack on a timer signal, so it needs a
//! Unix (Linux or macOS).

use crate::error::Error;
use crate::output::OutputFile;

/// Samples per second: enough for a 1 s run to show the kernel's parts, and
/// odd so the timer does not beat against periodic work.
#[cfg(all(unix, feature = "flamegraph"))]
const FREQUENCY: i32 = 997;

#[cfg(all(unix, feature = "flamegraph"))]
pub struct Profiler {
    guard: pprof::ProfilerGuard<'static>,
}

#[cfg(all(unix, feature = "flamegraph"))]
impl Profiler {
    pub fn start() -> Result<Profiler, Error> {
        let guard = pprof::ProfilerGuardBuilder::default()
            .frequency(FREQUENCY)
            .blocklist(&["libc", "libgcc", "pthread", "vdso"])
            .build()
            .map_err(|e| Error::bug(format!("cannot start the profiler: {e}")))?;
        Ok(Profiler { guard })
    }

    /// Stops sampling; the samples are kept for [`Profile::write_flamegraph`].
    pub fn stop(self) -> Result<Profile, Error> {
        let report = self
            .guard
            .report()
            .build()
            .map_err(|e| Error::bug(format!("cannot build the profile: {e}")))?;
        Ok(Profile { report })
    }
}

#[cfg(all(unix, feature = "flamegraph"))]
pub struct Profile {
    report: pprof::Report,
}

#[cfg(all(unix, feature = "flamegraph"))]
impl Profile {
    /// Writes the samples as a flamegraph SVG into `file`, with `subtitle`
    /// (the machine, for a figure that travels) under the title.
    pub fn write_flamegraph(
        &self,
        file: OutputFile,
        title: &str,
        subtitle: Option<&str>,
    ) -> Result<std::path::PathBuf, Error> {
        if self.report.data.is_empty() {
            return Err(Error::mistake(
                "no flamegraph written: the run was too short for the profiler to sample; profile a bigger problem, such as 1000 1000",
            ));
        }
        let mut options = pprof::flamegraph::Options::default();
        options.title = title.to_string();
        options.subtitle = subtitle.map(str::to_string);
        file.write_with(|w| {
            self.report
                .flamegraph_with_options(w, &mut options)
                .map_err(std::io::Error::other)
        })
    }
}

#[cfg(all(unix, feature = "flamegraph"))]
impl Profile {
    /// How many samples were taken, and how many of them had a function
    /// whose name contains `name` on their stack: the share a flamegraph
    /// shows as that function's width.
    pub fn samples_under(&self, name: &str) -> (u64, u64) {
        let (mut total, mut under) = (0, 0);
        for (frames, &count) in &self.report.data {
            let count = count.max(0) as u64;
            total += count;
            if frames
                .frames
                .iter()
                .flatten()
                .any(|symbol| symbol.name().contains(name))
            {
                under += count;
            }
        }
        (total, under)
    }
}

#[cfg(not(all(unix, feature = "flamegraph")))]
pub struct Profiler;

#[cfg(not(all(unix, feature = "flamegraph")))]
impl Profiler {
    pub fn start() -> Result<Profiler, Error> {
        Err(unsupported())
    }

    pub fn stop(self) -> Result<Profile, Error> {
        Err(unsupported())
    }
}

#[cfg(not(all(unix, feature = "flamegraph")))]
pub struct Profile;

#[cfg(not(all(unix, feature = "flamegraph")))]
impl Profile {
    pub fn samples_under(&self, _name: &str) -> (u64, u64) {
        (0, 0)
    }

    pub fn write_flamegraph(
        &self,
        _file: OutputFile,
        _title: &str,
        _subtitle: Option<&str>,
    ) -> Result<std::path::PathBuf, Error> {
        Err(unsupported())
    }
}

/// Whether `--profile` can work on this system; checked before any work.
pub fn check_supported() -> Result<(), Error> {
    if cfg!(all(unix, feature = "flamegraph")) {
        Ok(())
    } else {
        Err(unsupported())
    }
}

fn unsupported() -> Error {
    if cfg!(unix) {
        Error::missing(
            "--profile needs the step built with its `flamegraph` feature: add it to cargo's, as in `cargo run --release -p step01 --features solution,flamegraph -- 1000 1000 --profile step01.svg`",
        )
    } else {
        Error::missing(
            "--profile needs Linux or macOS (pprof samples with a Unix timer signal); on Windows use a profiler such as Visual Studio's or Superluminal",
        )
    }
}
