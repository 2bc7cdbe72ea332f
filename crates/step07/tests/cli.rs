//! The step binary's behaviour where a machine lacks something, and on the
//! CPU emulation: every mistake and every missing piece is one line and
//! exit status 2, and nothing is half-written.

use std::path::Path;
use std::process::Output;

fn step07(args: &[&str], env: &[(&str, Option<&str>)]) -> Output {
    let mut command = mandel_testing::target::command(env!("CARGO_BIN_EXE_step07"));
    command.args(args).env_remove("RUST_BACKTRACE");
    for (key, value) in env {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    command.output().expect("step07 runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit status 2 and one line on stderr that contains `words`.
fn refused(out: &Output, words: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}{}", text(&out.stdout));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(words), "{words:?} not in {stderr}");
}

fn have_emulator(what: &str) -> bool {
    let here = step07::emulate::available();
    if let Err(why) = &here {
        mandel_testing::skip::skipped(what, &why.0, "then run the tests again");
    }
    here.is_ok()
}

#[test]
fn no_gpu_is_one_line_and_status_2() {
    match step07::gpu::gpu() {
        Ok(gpu) => mandel_testing::skip::skipped(
            "step07's one line where there is no GPU",
            &format!("this machine has one, {}", gpu.name),
            "the suite on a machine without a GPU checks it",
        ),
        Err(why) => {
            let out = step07(&["100", "30"], &[]);
            refused(&out, &why.0);
            refused(&out, "--emulate");
            assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
        }
    }
}

#[test]
fn bad_arguments_are_one_line_and_status_2() {
    refused(&step07(&["100", "30", "--block", "0"], &[]), "--block");
    refused(
        &step07(&["100", "30", "--precision", "f16"], &[]),
        "--precision",
    );
    refused(
        &step07(&["100", "30", "--variant", "numpy"], &[]),
        "--variant",
    );
    refused(
        &step07(&["100", "30", "--emulate", "--variant", "arrays"], &[]),
        "--emulate runs one kernel per point",
    );
    refused(
        &step07(
            &["100", "30", "--emulate"],
            &[("CC", Some("no-such-compiler"))],
        ),
        "no C compiler to run the kernel on the CPU instead ($CC is `no-such-compiler`, which does not run)",
    );
}

#[test]
fn ptx_is_written_where_nvrtc_is_and_refused_in_one_line_where_it_is_not() {
    let folder = tempfile::tempdir().unwrap();
    let unwritable = folder.path().join("no-such-folder").join("k.ptx");
    let out = step07(&["--ptx", unwritable.to_str().unwrap()], &[]);
    refused(&out, "no-such-folder");
    assert!(!unwritable.exists());

    let file = folder.path().join("kernel.ptx");
    let out = step07(&["--ptx", file.to_str().unwrap()], &[]);
    match step07::nvrtc::available() {
        Ok(()) => {
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            let ptx = std::fs::read_to_string(&file).unwrap();
            assert!(ptx.contains(".entry calculate_z("), "{ptx}");
            let stdout = text(&out.stdout);
            assert!(stdout.starts_with("Wrote "), "{stdout}");
            if step07::gpu::gpu().is_err() {
                assert!(stdout.contains("Nothing ran: "), "{stdout}");
            }
        }
        Err(why) => {
            refused(&out, "no NVRTC library");
            assert!(why.0.contains("no NVRTC library"));
            assert!(!file.exists(), "a PTX file was left behind");
        }
    }
}

#[test]
fn no_ptxas_is_one_line_before_anything_is_written() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("kernel.ptx");
    let nowhere = folder.path().join("no-ptxas");
    let env = [("MANDEL_PTXAS", nowhere.to_str())];
    refused(&step07(&["--ptxas"], &env), "MANDEL_PTXAS=");
    refused(
        &step07(&["--ptx", file.to_str().unwrap(), "--ptxas"], &env),
        "nvidia-cuda-nvcc-cu12",
    );
    assert!(!file.exists(), "a PTX file was written");
}

#[test]
fn the_emulation_says_what_ran_and_checks_it() {
    if !have_emulator("step07 --emulate's run") {
        return;
    }
    let out = step07(&["100", "30", "--emulate"], &[]);
    let stdout = text(&out.stdout);
    let first = stdout.lines().next().unwrap_or_default();
    assert!(first.contains("emulated on the CPU"), "{first}");
    assert!(first.contains("nothing fused"), "{first}");
    assert!(stdout.contains("Total elements: 2500"), "{stdout}");
    if cfg!(feature = "solution") {
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    } else {
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(text(&out.stderr).contains("is still a stub"));
    }
}

#[cfg(feature = "solution")]
#[test]
fn emulated_f64_is_the_tutorials_sum_and_f32_is_not() {
    if !have_emulator("step07 --emulate's sums in f64 and f32") {
        return;
    }
    let sum = |out: &Output| {
        text(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Total sum of elements (for validation): "))
            .map(str::to_string)
    };
    for variant in [["--variant", "elementwise"], ["--variant", "gridstride"]] {
        let mut args = vec!["1000", "1000", "--emulate"];
        args.extend(variant);
        let out = step07(&args, &[]);
        assert_eq!(sum(&out).as_deref(), Some("1148485"), "{variant:?}");
        assert!(text(&out.stdout).contains("matches exactly"));
    }
    // A launch shape that leaves threads idle and makes each stride many
    // times over the points.
    let odd = step07(
        &[
            "333",
            "50",
            "--emulate",
            "--variant",
            "gridstride",
            "--grid",
            "7",
            "--block",
            "96",
        ],
        &[],
    );
    assert!(
        text(&odd.stdout).contains("matches exactly"),
        "{}",
        text(&odd.stdout)
    );
    let f32 = step07(&["1000", "1000", "--emulate", "--precision", "f32"], &[]);
    assert_eq!(f32.status.code(), Some(0), "{}", text(&f32.stdout));
    assert_ne!(sum(&f32).as_deref(), Some("1148485"));
    assert!(text(&f32.stdout).contains("matches within tolerance"));
}

#[test]
fn pictures_and_outputs_are_claimed_before_the_gpu_is_asked() {
    let out = step07(
        &["100", "30", "--emulate", "--png", "/no-such-folder/x.png"],
        &[],
    );
    refused(&out, "no-such-folder");
    assert!(!Path::new("/no-such-folder/x.png").exists());
}
