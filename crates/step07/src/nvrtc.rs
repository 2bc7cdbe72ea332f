//! NVRTC, CUDA's run-time compiler, through cudarc: CUDA C to PTX. It needs
//! only `libnvrtc`, no GPU, so `--ptx` and the kernels' compile check work
//! on any machine that has the library (from a CUDA toolkit, or the
//! `nvidia-cuda-nvrtc-cu12` wheel on PyPI).

use cudarc::nvrtc::sys::nvrtcResult;
use cudarc::nvrtc::{compile_ptx_with_opts, CompileError, CompileOptions};

use mandel_core::{Error, Unavailable};

use crate::source::{Build, Source};

/// Why a source did not become PTX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileFailure {
    /// No compiler to try: what is missing, in one line.
    NoCompiler(Unavailable),
    /// The compiler refused the source: its first error as
    /// `file:line: message`, and its whole log.
    Refused { first: String, log: String },
}

impl CompileFailure {
    /// The one line to show.
    pub fn line(&self) -> String {
        match self {
            CompileFailure::NoCompiler(why) => why.to_string(),
            CompileFailure::Refused { first, .. } => first.clone(),
        }
    }
}

/// No compiler is something missing; a refused kernel is the attendee's
/// to fix (the kernels are theirs to edit).
impl From<CompileFailure> for Error {
    fn from(failure: CompileFailure) -> Self {
        match failure {
            CompileFailure::NoCompiler(why) => why.into(),
            CompileFailure::Refused { first, .. } => Error::mistake(first),
        }
    }
}

/// Whether libnvrtc can be loaded; if not, what to install.
pub fn available() -> Result<(), Unavailable> {
    // cudarc panics on the first call when the library is absent: ask first.
    // SAFETY: only tries to open the library by its candidate names.
    if unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        Ok(())
    } else {
        Err(Unavailable(missing_line()))
    }
}

fn missing_line() -> String {
    let mut names: Vec<String> = Vec::new();
    for name in cudarc::get_lib_name_candidates("nvrtc") {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    // The first few are what a toolkit installs; the rest are older names.
    let looked = names
        .iter()
        .filter(|n| !cfg!(target_os = "linux") || n.starts_with("libnvrtc.so"))
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let thirteen = if cfg!(target_os = "linux")
        && !looked.contains(".so.13")
        && loads("libnvrtc.so.13")
    {
        " (this machine has libnvrtc.so.13: build with `--no-default-features --features cuda-13`)"
    } else {
        ""
    };
    format!(
        "no NVRTC library (looked for {looked}){thirteen}: install a CUDA toolkit, or `pip install nvidia-cuda-nvrtc-cu12` and put its nvidia/cuda_nvrtc/lib folder on LD_LIBRARY_PATH"
    )
}

/// Whether the loader finds a library by this name.
fn loads(name: &str) -> bool {
    // SAFETY: opening a shared library runs its initialisers; NVRTC's are
    // the ones cudarc would run anyway.
    unsafe { libloading::Library::new(name) }.is_ok()
}

/// Compiles `source` to PTX for `arch` (`compute_90`; NVRTC's default
/// when none, which any newer GPU can run).
pub fn compile(
    source: &Source,
    build: Build,
    arch: Option<&str>,
) -> Result<String, CompileFailure> {
    available().map_err(CompileFailure::NoCompiler)?;
    match compile_for(source, build, arch) {
        // An NVRTC older than the card does not know its architecture: its
        // default architecture's PTX runs on every newer card, compiled by
        // the driver.
        Err(Rejected::Option) if arch.is_some() => compile_for(source, build, None),
        other => other,
    }
    .map_err(|rejected| match rejected {
        Rejected::Option => CompileFailure::Refused {
            first: format!("{}: NVRTC rejected an option", source.path),
            log: String::new(),
        },
        Rejected::Source(failure) => failure,
    })
}

/// NVRTC's refusal: of an option (an architecture it does not know), or
/// of the source.
enum Rejected {
    Option,
    Source(CompileFailure),
}

fn compile_for(source: &Source, build: Build, arch: Option<&str>) -> Result<String, Rejected> {
    let mut options = build.defines();
    if let Some(arch) = arch {
        options.push(format!("--gpu-architecture={arch}"));
    }
    let opts = CompileOptions {
        fmad: Some(build.fmad),
        options,
        name: Some(source.path.to_string()),
        ..Default::default()
    };
    match compile_ptx_with_opts(source.assembled(), opts) {
        Ok(ptx) => Ok(ptx.to_src()),
        Err(CompileError::CompileError { nvrtc, .. })
            if nvrtc.0 == nvrtcResult::NVRTC_ERROR_INVALID_OPTION =>
        {
            Err(Rejected::Option)
        }
        Err(CompileError::CompileError { log, .. }) => {
            let log = log.to_string_lossy().into_owned();
            Err(Rejected::Source(CompileFailure::Refused {
                first: first_error(&log)
                    .unwrap_or_else(|| format!("{}: NVRTC refused it", source.path)),
                log,
            }))
        }
        Err(other) => Err(Rejected::Source(CompileFailure::Refused {
            first: format!("{}: NVRTC failed: {other}", source.path),
            log: String::new(),
        })),
    }
}

/// NVRTC's first error, `file(12): error: message`, as
/// `file:12: message`.
pub fn first_error(log: &str) -> Option<String> {
    log.lines().find_map(|line| {
        let (place, message) = line.split_once(": error: ")?;
        let (file, number) = place.strip_suffix(')')?.rsplit_once('(')?;
        Some(format!("{file}:{number}: {}", message.trim()))
    })
}

// The step's machinery: tested with `--features solution`, not in the
// attendee's `cargo test -p stepNN`.
#[cfg(all(test, feature = "solution"))]
mod tests {
    use super::*;

    #[test]
    fn nvrtc_errors_read_as_file_and_line() {
        let log = "exercises/step07/calculate_z.cu(27): warning: variable \"x\" was declared but never referenced\n\
                   exercises/step07/calculate_z.cu(31): error: expected a \";\"\n\
                   exercises/step07/calculate_z.cu(40): error: identifier \"y\" is undefined\n\n\
                   2 errors detected in the compilation of \"exercises/step07/calculate_z.cu\".\n";
        assert_eq!(
            first_error(log).as_deref(),
            Some("exercises/step07/calculate_z.cu:31: expected a \";\"")
        );
        assert_eq!(first_error("all fine\n"), None);
    }
}
