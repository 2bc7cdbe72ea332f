//! Every kernel compiles with NVRTC, in both precisions, fused or not, and
//! a mistake is reported at its file and line; and ptxas assembles every
//! one, for every architecture we target, without a spill. Neither needs
//! a GPU: NVRTC needs libnvrtc (a CUDA toolkit, or the
//! `nvidia-cuda-nvrtc-cu12` wheel on PyPI), ptxas the program (a toolkit,
//! or the `nvidia-cuda-nvcc-cu12` wheel, found as $MANDEL_PTXAS or on the
//! PATH). Where one is missing these tests say so and pass, unless
//! MANDEL_REQUIRE_NVRTC or MANDEL_REQUIRE_PTXAS is set (CI sets both after
//! installing the wheels).

use std::sync::Once;

use mandel_core::Unavailable;
use step07::nvrtc::{self, CompileFailure};
use step07::ptxas::Ptxas;
use step07::source::{Build, Precision, Source, KERNELS, SOLUTION, STUB};

/// What `found` found, or `None` after one SKIPPED line (`what` was not
/// checked, why, `how` to get it) for every test that needs it; a failure
/// instead when `require` is set.
fn here<T>(
    found: Result<T, Unavailable>,
    require: &str,
    [what, how]: [&str; 2],
    said: &Once,
) -> Option<T> {
    match found {
        Ok(it) => Some(it),
        Err(why) if std::env::var_os(require).is_some() => {
            panic!("{require} is set, and {why}")
        }
        Err(why) => {
            said.call_once(|| mandel_testing::skip::skipped(what, &why.0, how));
            None
        }
    }
}

fn nvrtc_here() -> bool {
    static SAID: Once = Once::new();
    let what = [
        "step 07's kernels through NVRTC",
        "NVRTC needs no GPU, only that library",
    ];
    here(nvrtc::available(), "MANDEL_REQUIRE_NVRTC", what, &SAID).is_some()
}

/// ptxas, where NVRTC is here too (it assembles NVRTC's PTX).
fn ptxas_here() -> Option<Ptxas> {
    static SAID: Once = Once::new();
    let what = [
        "step 07's kernels through ptxas",
        "ptxas needs no GPU, only that program",
    ];
    let ptxas = here(Ptxas::find(), "MANDEL_REQUIRE_PTXAS", what, &SAID)?;
    nvrtc_here().then_some(ptxas)
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

#[test]
fn every_kernel_assembles_for_every_architecture_without_a_spill() {
    let Some(ptxas) = ptxas_here() else {
        return;
    };
    let archs = ptxas.architectures();
    assert!(
        archs.starts_with(&[70, 80, 90]) && archs.len() == 4,
        "{archs:?}: {}",
        ptxas.version
    );
    let every: Vec<Source> = KERNELS.iter().copied().chain([SOLUTION, STUB]).collect();
    let all = ptxas.survey(&every).unwrap_or_else(|line| panic!("{line}"));
    assert_eq!(all.len(), every.len() * 2 * archs.len());
    for assembled in &all {
        if let Some(spill) = assembled.trouble() {
            panic!("{spill}");
        }
        assert!(
            assembled.usage.iter().all(|u| u.registers > 0),
            "{assembled:?}"
        );
    }
}

#[test]
fn a_spill_and_a_broken_ptx_each_fail_with_one_line() {
    let Some(ptxas) = ptxas_here() else {
        return;
    };
    // 48 doubles live at once, in a kernel allowed 32 registers a thread.
    let spills = Source {
        path: "kernels/spills.cu",
        text: "#include \"mandel.cuh\"\n\
               extern \"C\" __global__ void __launch_bounds__(1024, 2)\n\
               many_live(const real *in, real *out, unsigned int n) {\n\
                   real v[48], sum = 0, dot = 0;\n\
               #pragma unroll\n\
                   for (int k = 0; k < 48; k++) { v[k] = in[threadIdx.x + k * n]; sum += v[k]; }\n\
               #pragma unroll\n\
                   for (int k = 0; k < 48; k++) { dot += v[k] * sum; }\n\
                   out[threadIdx.x] = dot;\n\
               }\n",
        entry: "many_live",
    };
    let assembled = ptxas
        .check(&spills, 70, Precision::F64)
        .unwrap_or_else(|line| panic!("{line}"));
    let line = assembled.trouble().expect("no spill at 32 registers");
    assert!(
        line.starts_with("kernels/spills.cu (sm_70, f64): many_live spills "),
        "{line}"
    );

    // A typo in the PTX: an instruction no GPU has.
    let ptx = nvrtc::compile(&SOLUTION, Build::EXACT, None).unwrap();
    let broken = ptx.replacen("add.s32", "add.s33", 1);
    let line = ptxas
        .check_file("exact.ptx", &broken, Precision::F64)
        .expect_err("a broken PTX assembled")
        .line;
    assert!(
        line.starts_with("exact.ptx (sm_70, f64): ptxas: line "),
        "{line}"
    );
}
