#[test]
fn steady_state() {
    let n = 32768;
    let re = vec![-0.1f64; n];
    let im = vec![0.1f64; n];
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let out = step04::solution::calculate_z(&re, &im, 10000);
        let s = t.elapsed().as_secs_f64();
        eprintln!(
            "steady: {:.2} G lane-updates/s ({})",
            n as f64 * 10000.0 / s / 1e9,
            out[0]
        );
    }
}
