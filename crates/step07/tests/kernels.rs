//! Every kernel compiles with NVRTC, in both precisions, fused or not, and
//! a mistake is reported at its file and line. NVRTC needs no GPU, only
//! libnvrtc (a CUDA toolkit, or the `nvidia-cuda-nvrtc-cu12` wheel on
//! PyPI): where it is missing these tests say so and pass, unless
//! MANDEL_REQUIRE_NVRTC is set (CI sets it after installing the wheel).

use step07::nvrtc::{self, CompileFailure};
use step07::source::{Build, Precision, Source, KERNELS, SOLUTION};

/// The shipped stub, which a build writes where the exercise is missing.
const STUB: Source = Source {
    path: "crates/step07/stub/calculate_z.cu",
    text: step07::STEP.stub,
    entry: "calculate_z",
};

fn nvrtc_here() -> bool {
    match nvrtc::available() {
        Ok(()) => true,
        Err(why) if std::env::var_os("MANDEL_REQUIRE_NVRTC").is_some() => {
            panic!("MANDEL_REQUIRE_NVRTC is set, and {why}")
        }
        Err(why) => {
            // One line for the four tests that need it.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                mandel_core::skip::skipped(
                    "step 07's kernels through NVRTC",
                    &why.0,
                    "NVRTC needs no GPU, only that library",
                )
            });
            false
        }
    }
}

const BUILDS: [Build; 4] = [
    Build {
        precision: Precision::F64,
        fmad: false,
    },
    Build {
        precision: Precision::F64,
        fmad: true,
    },
    Build {
        precision: Precision::F32,
        fmad: false,
    },
    Build {
        precision: Precision::F32,
        fmad: true,
    },
];

#[test]
fn every_kernel_compiles_to_ptx_in_every_build() {
    if !nvrtc_here() {
        return;
    }
    let every: Vec<Source> = KERNELS.iter().copied().chain([SOLUTION, STUB]).collect();
    for source in &every {
        for build in BUILDS {
            let ptx = nvrtc::compile(source, build, None)
                .unwrap_or_else(|f| panic!("{} ({build:?}): {}", source.path, f.line()));
            assert!(
                ptx.contains(&format!(".entry {}(", source.entry)),
                "{} ({build:?}): no entry {} in its PTX",
                source.path,
                source.entry
            );
            let real = match build.precision {
                Precision::F64 => ".f64",
                Precision::F32 => ".f32",
            };
            // (The stub has no arithmetic yet.)
            let stub = source.path == STUB.path;
            assert!(
                stub || ptx.contains(real),
                "{} ({build:?}): no {real} arithmetic",
                source.path
            );
        }
    }
}

#[test]
fn fmad_decides_whether_the_solution_fuses() {
    if !nvrtc_here() {
        return;
    }
    let ptx = |fmad| {
        let build = Build {
            precision: Precision::F64,
            fmad,
        };
        nvrtc::compile(&SOLUTION, build, None).unwrap()
    };
    assert!(
        !ptx(false).contains("fma.rn.f64"),
        "--fmad false still fused"
    );
    assert!(
        ptx(true).contains("fma.rn.f64"),
        "--fmad true fused nothing"
    );
}

#[test]
fn a_mistake_is_reported_at_its_file_and_line() {
    if !nvrtc_here() {
        return;
    }
    let broken = SOLUTION
        .text
        .replace("real qr = q_re[i]", "real qr = q_re[i] +");
    let line = broken
        .lines()
        .position(|l| l.contains("q_re[i] +"))
        .unwrap()
        + 1;
    let source = Source {
        path: "exercises/step07/calculate_z.cu",
        text: Box::leak(broken.into_boxed_str()),
        entry: "calculate_z",
    };
    match nvrtc::compile(&source, Build::EXACT, None) {
        Err(CompileFailure::Refused { first, log }) => {
            let at = format!("exercises/step07/calculate_z.cu:{line}: ");
            assert!(
                first.starts_with(&at)
                    || first
                        .starts_with(&format!("exercises/step07/calculate_z.cu:{}: ", line + 1)),
                "{first}\n(expected {at}...)\n{log}"
            );
        }
        other => panic!("a broken kernel compiled: {other:?}"),
    }
}

#[test]
fn the_gpus_architecture_is_targeted_and_an_unknown_one_falls_back() {
    if !nvrtc_here() {
        return;
    }
    let hopper = nvrtc::compile(&SOLUTION, Build::EXACT, Some("compute_90")).unwrap();
    assert!(hopper.contains(".target sm_90"), "{hopper}");
    // A card newer than this NVRTC: its default architecture's PTX, which
    // the driver compiles for any newer card.
    let future = nvrtc::compile(&SOLUTION, Build::EXACT, Some("compute_990")).unwrap();
    let default = nvrtc::compile(&SOLUTION, Build::EXACT, None).unwrap();
    assert_eq!(future, default);
}
