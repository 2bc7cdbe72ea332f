//! The limits on every count a command line gives (threads, ranks, runs,
//! iterations, and the memory what grows with them needs), each derived
//! from this machine or the problem and checked before any work, so that
//! no input takes the machine down: above a limit, one line that names it
//! and why, and exit status 2.

use crate::error::Error;
use crate::problem::{bytes_text, group_digits};

/// Threads per CPU a command may start: past a few per CPU, more threads
/// only wait their turn, and the experiment measures the scheduler.
pub const THREADS_PER_CPU: usize = 64;

/// Timed runs a command may take the median of: a median of more is no
/// steadier, only longer.
pub const MAX_RUNS: usize = 100;

/// The most z-updates a run may need, every point inside the set:
/// 40,000 times the tutorial's `1000 1000`, hours for the CPU steps.
pub const MAX_Z_UPDATES: u128 = 10_000_000_000_000;

/// Address space a thread reserves for its stack: Rust's and rayon's
/// default of 2 MiB, and its guard page.
pub const THREAD_STACK_BYTES: u64 = (2 << 20) + 4096;

/// Memory a thread touches at least, whatever it computes: the pages of
/// its stack it uses, and the system's own record of it.
pub const THREAD_RESIDENT_BYTES: u64 = 64 << 10;

/// The environment variable that makes a command stop, with status 0,
/// once everything it was given is checked and before any work: how the
/// command-line test tries the commands that build, watch or measure for
/// minutes (see [`checks_only`]).
pub const CHECKS_ONLY: &str = "MANDEL_CHECKS_ONLY";

/// Whether this run only checks its arguments ([`CHECKS_ONLY`]): the
/// caller returns success at the point where its work would begin.
pub fn checks_only() -> bool {
    std::env::var_os(CHECKS_ONLY).is_some()
}

/// CPUs this process may run on.
pub fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The memory a run may use: what the system says is free, and what is
/// left of this process's address-space limit (`ulimit -v`), if it has one.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// Free memory in bytes (Linux: `MemAvailable`), or the fallback.
    pub available: u64,
    /// Whether `available` was read, not assumed.
    pub known: bool,
    /// Bytes of address space this process may still map, if limited.
    pub address_space_left: Option<u64>,
}

/// What to assume where the free memory cannot be read.
const FALLBACK_MEMORY: u64 = 4 << 30;

impl Memory {
    /// This process's memory, now.
    pub fn now() -> Memory {
        let (available, known) = match available_memory() {
            Some(bytes) => (bytes, true),
            None => (FALLBACK_MEMORY, false),
        };
        Memory {
            available,
            known,
            address_space_left: address_space_left(),
        }
    }

    /// Bytes a run may allocate: the smaller of the two.
    pub fn budget(&self) -> u64 {
        self.address_space_left
            .map_or(self.available, |left| left.min(self.available))
    }

    /// "this machine has 18.0 GiB available", or what bounds it instead.
    pub fn describe(&self) -> String {
        match self.address_space_left {
            Some(left) if left < self.available => format!(
                "this process's address-space limit (ulimit -v) leaves {}",
                bytes_text(u128::from(left))
            ),
            _ if self.known => format!(
                "this machine has {} available",
                bytes_text(u128::from(self.available))
            ),
            _ => format!(
                "this workshop assumes {} available (it cannot read free memory here)",
                bytes_text(u128::from(self.available))
            ),
        }
    }
}

/// Refuses `needed` bytes, for `what` ("w = 40 makes a grid of ... needing"),
/// where they would not fit in [`Memory::budget`]; `remedy` ends the line.
pub fn check_memory(
    needed: u128,
    what: impl FnOnce() -> String,
    remedy: &str,
) -> Result<(), Error> {
    let memory = Memory::now();
    if needed <= u128::from(memory.budget()) {
        return Ok(());
    }
    Err(Error::mistake(format!(
        "{} {} but {}; {remedy}",
        what(),
        bytes_text(needed),
        memory.describe()
    )))
}

/// Free memory in bytes where the system says (Linux: `MemAvailable`).
fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A soft resource limit of this process, where it has one.
#[cfg(unix)]
fn soft_limit(resource: libc::c_int) -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit, which `limit` is.
    #[allow(clippy::useless_conversion)] // the resource's type differs by system
    let read = unsafe { libc::getrlimit(resource as _, &mut limit) } == 0;
    // rlim_t is u64 on Linux and macOS.
    (read && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

/// The address space this process may still map under `ulimit -v`: the
/// limit less what it maps now (Linux's `VmSize`; elsewhere the limit).
#[cfg(unix)]
fn address_space_left() -> Option<u64> {
    let limit = soft_limit(libc::RLIMIT_AS as libc::c_int)?;
    let mapped = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmSize:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kib| kib * 1024);
    Some(limit.saturating_sub(mapped))
}

#[cfg(not(unix))]
fn address_space_left() -> Option<u64> {
    None
}

/// A number from a file of the kernel's (`/proc/sys/...`).
fn kernel_number(path: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// The most of something this machine allows, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub most: usize,
    pub why: String,
}

/// The threads a command may start here when each needs `per_thread`
/// bytes of its own beside its stack: the least of [`THREADS_PER_CPU`]
/// per CPU, the kernel's limits on threads, and what the memory holds.
pub fn threads(per_thread: u64) -> Limit {
    let mut limits = fixed_thread_limits();
    limits.extend(memory_thread_limits(per_thread));
    least(limits)
}

fn least(limits: Vec<Limit>) -> Limit {
    limits
        .into_iter()
        .min_by_key(|limit| limit.most)
        .expect("the per-CPU limit is always there")
}

/// The limits on threads that do not depend on what each holds.
fn fixed_thread_limits() -> Vec<Limit> {
    let cpus = cpus();
    let mut limits = vec![Limit {
        most: cpus.saturating_mul(THREADS_PER_CPU),
        why: format!(
            "{THREADS_PER_CPU} per CPU, and this machine has {cpus}: more only wait their turn"
        ),
    }];
    let mut add = |most: Option<u64>, why: &str| {
        if let Some(most) = most {
            limits.push(Limit {
                most: usize::try_from(most).unwrap_or(usize::MAX),
                why: why.to_string(),
            });
        }
    };
    add(
        kernel_number("/proc/sys/kernel/threads-max"),
        "the kernel's threads-max",
    );
    // Each thread's stack is a mapping, and its guard page another.
    add(
        kernel_number("/proc/sys/vm/max_map_count").map(|n| n / 2),
        "the kernel's vm.max_map_count, two mappings per thread",
    );
    #[cfg(unix)]
    add(
        soft_limit(libc::RLIMIT_NPROC as libc::c_int),
        "this user's process limit (ulimit -u)",
    );
    limits
}

/// The threads the memory holds when each needs `per_thread` bytes
/// beside what every thread touches, and, under `ulimit -v`, beside the
/// address space its stack reserves.
fn memory_thread_limits(per_thread: u64) -> Vec<Limit> {
    let memory = Memory::now();
    let each = |bytes: u64, of: &str| Limit {
        most: usize::try_from(memory.available / bytes.max(1)).unwrap_or(usize::MAX),
        why: format!(
            "{of}: {} each, and {}",
            bytes_text(u128::from(bytes)),
            memory.describe()
        ),
    };
    let mut limits = vec![each(
        THREAD_RESIDENT_BYTES.saturating_add(per_thread),
        "the memory",
    )];
    if let Some(left) = memory.address_space_left {
        let mapped = THREAD_STACK_BYTES.saturating_add(per_thread);
        limits.push(Limit {
            most: usize::try_from(left / mapped).unwrap_or(usize::MAX),
            ..each(mapped, "the address space")
        });
    }
    limits
}

/// Refuses `n` threads (what `flag` gave: `--threads 100000`) above
/// [`threads`]`(per_thread)`, naming the limit and why: the machine's own
/// first, then what the memory holds of threads that need `per_thread`
/// (which may grow with `n`, as ranks' state does).
pub fn check_threads(flag: &str, n: usize, per_thread: u64) -> Result<(), Error> {
    for limit in [
        least(fixed_thread_limits()),
        least(memory_thread_limits(per_thread)),
    ] {
        if n > limit.most {
            return Err(Error::mistake(format!(
                "{flag} {n}: at most {} here ({})",
                group_digits(limit.most as u128),
                limit.why
            )));
        }
    }
    Ok(())
}

/// A block of `block` points (what `flag` gave) on a grid of `points`:
/// at most the whole grid, which is what a larger block computes anyway;
/// when it is cut, the line that says so.
pub fn block_within(flag: &str, block: usize, points: usize) -> (usize, Option<String>) {
    if block <= points {
        return (block, None);
    }
    (
        points,
        Some(format!(
            "{flag} {block} is more than the grid's {} points: one block of them all",
            group_digits(points as u128)
        )),
    )
}

/// clap value parser for a number of timed runs: 1 to [`MAX_RUNS`].
pub fn runs(text: &str) -> Result<usize, String> {
    let runs = crate::error::positive::<usize>(text)?;
    if runs > MAX_RUNS {
        return Err(format!(
            "must be at most {MAX_RUNS}: a median of more runs is no steadier, only longer"
        ));
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_limits_name_their_reason_and_hold_a_laptops_experiments() {
        let limit = threads(0);
        // Every experiment the book runs fits: a pool of 4 on any laptop.
        assert!(limit.most >= 4, "{limit:?}");
        assert!(limit.most <= cpus() * THREADS_PER_CPU);
        let refused = check_threads("--threads", usize::MAX, 0).unwrap_err();
        assert!(refused.line.starts_with("--threads "), "{refused}");
        assert!(refused.line.contains(&limit.why), "{refused}");
        assert!(check_threads("--threads", 4, 0).is_ok());
        // Per-thread state that cannot fit refuses even one more thread.
        assert!(check_threads("--ranks", 2, u64::MAX / 4).is_err());
    }

    #[test]
    fn runs_are_counted_from_1_to_the_limit() {
        assert_eq!(runs("1"), Ok(1));
        assert_eq!(runs(&MAX_RUNS.to_string()), Ok(MAX_RUNS));
        assert!(runs("0").is_err());
        assert!(runs(&(MAX_RUNS + 1).to_string())
            .unwrap_err()
            .contains("at most"));
    }

    #[test]
    fn memory_beyond_the_budget_is_refused_in_one_line() {
        let err = check_memory(u128::MAX, || "this needs".into(), "use less").unwrap_err();
        assert!(err.line.starts_with("this needs ") && err.line.ends_with("; use less"));
        assert!(check_memory(1, || unreachable!(), "").is_ok());
    }
}
