//! `--isa`: a variant the CPU lacks (or that `MANDEL_DISABLE_CPU_FEATURES`
//! hides, as numpy's `NPY_DISABLE_CPU_FEATURES` does) is one line and exit
//! status 2; the exercise has no variants to pick.

fn step04(args: &[&str], disabled: &str) -> std::process::Output {
    mandel_testing::target::command(env!("CARGO_BIN_EXE_step04"))
        .args(args)
        .env("MANDEL_DISABLE_CPU_FEATURES", disabled)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("step04 runs")
}

#[test]
fn a_missing_instruction_set_is_one_line_and_status_2() {
    let out = step04(&["100", "30", "--isa", "avx512"], "avx512");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    if cfg!(feature = "solution") {
        assert!(stderr.contains("--isa avx512:"), "{stderr}");
        assert!(stderr.contains("it can run --isa"), "{stderr}");
        assert!(stderr.contains("portable"), "{stderr}");
    } else {
        assert!(
            stderr.contains("your exercise is the portable kernel"),
            "{stderr}"
        );
    }
    let bad = step04(&["100", "30", "--isa", "sse9"], "");
    assert_eq!(bad.status.code(), Some(2));
}

#[cfg(feature = "solution")]
#[test]
fn every_variant_runs_the_tutorials_problem_and_says_which_it_is() {
    use mandel_core::Isa;
    for isa in Isa::ALL {
        if !isa.is_available() {
            mandel_testing::skip::skipped(
                &format!("step04 --isa {}", isa.flag()),
                &format!("this CPU has no {isa}"),
                "run the suite on a CPU that has it",
            );
            continue;
        }
        let out = step04(&["100", "30", "--isa", isa.flag()], "");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{isa}: {stdout}");
        // The first line names the file that ran and its instructions:
        // the solution's, compiled for each.
        let first = stdout.lines().next().unwrap_or_default();
        assert!(
            first.contains("(solutions/step04/calculate_z.rs)"),
            "{first}"
        );
        assert!(first.ends_with(&isa.to_string()), "{first}");
        assert!(stdout.contains("Total elements: 2500"), "{stdout}");
    }
}
