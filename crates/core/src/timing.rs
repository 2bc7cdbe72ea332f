//! Timing: medians, and throughput in z-updates per second.

use std::time::{Duration, Instant};

/// Runs `f` once and returns its result and how long it took.
pub fn timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let start = Instant::now();
    let result = f();
    (result, start.elapsed())
}

/// The median of some timings (the lower middle one for an even count).
pub fn median(times: &[Duration]) -> Duration {
    assert!(!times.is_empty(), "median of no timings");
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[(sorted.len() - 1) / 2]
}

/// Runs `f` `runs` times (at least once): the median time, and the first
/// run's answer, the one a caller checks. `after_each` runs between the
/// timed runs, untimed (a progress bar's tick).
pub fn median_run<R>(
    runs: usize,
    mut f: impl FnMut() -> R,
    mut after_each: impl FnMut(),
) -> (Duration, R) {
    let (first, took) = timed(&mut f);
    after_each();
    let mut times = vec![took];
    for _ in 1..runs {
        times.push(timed(&mut f).1);
        after_each();
    }
    (median(&times), first)
}

/// `updates` done in `time`, as z-updates per second.
pub fn rate(updates: u64, time: Duration) -> f64 {
    updates as f64 / time.as_secs_f64().max(1e-9)
}

/// A rate such as `97.3 M` or `5.41 G` (z-updates per second).
pub fn rate_text(per_second: f64) -> String {
    let (value, unit) = if per_second >= 1e9 {
        (per_second / 1e9, "G")
    } else if per_second >= 1e6 {
        (per_second / 1e6, "M")
    } else {
        (per_second / 1e3, "k")
    };
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else if value >= 10.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.2} {unit}")
    }
}

/// A duration as seconds with sensible precision: `41.2 s`, `0.412 s`, `3.10 ms`.
pub fn duration_text(time: Duration) -> String {
    let secs = time.as_secs_f64();
    if secs >= 10.0 {
        format!("{secs:.1} s")
    } else if secs >= 0.1 {
        format!("{secs:.3} s")
    } else {
        format!("{:.2} ms", secs * 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_run_times_every_run_and_keeps_the_first_answer() {
        let (mut calls, mut ticks) = (0, 0);
        let (_, first) = median_run(
            4,
            || {
                calls += 1;
                calls
            },
            || ticks += 1,
        );
        assert_eq!((first, calls, ticks), (1, 4, 4));
        let (_, once) = median_run(0, || "ran", || ());
        assert_eq!(once, "ran");
    }

    #[test]
    fn median_is_the_middle_timing() {
        let ms = |n| Duration::from_millis(n);
        assert_eq!(median(&[ms(9), ms(1), ms(5)]), ms(5));
        assert_eq!(median(&[ms(4), ms(1), ms(3), ms(2)]), ms(2));
    }

    #[test]
    fn rates_and_durations_read_well() {
        assert_eq!(
            rate_text(rate(97_300_000, Duration::from_secs(1))),
            "97.3 M"
        );
        assert_eq!(rate_text(5.41e9), "5.41 G");
        assert_eq!(duration_text(Duration::from_millis(412)), "0.412 s");
        assert_eq!(duration_text(Duration::from_micros(3100)), "3.10 ms");
    }
}
