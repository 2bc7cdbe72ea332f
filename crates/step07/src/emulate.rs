//! A kernel run on the CPU: the `.cu` file compiled as C++ with the
//! system's compiler, one thread at a time, for every block and thread of
//! the launch in turn. No GPU is needed, so an attendee without one still
//! finds out whether the kernel is right. It checks logic, not speed: and
//! since it never fuses multiply-adds, a kernel compiled with `--fmad
//! false` gives the GPU's answer bit for bit (IEEE adds and multiplies
//! round the same way on both).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use mandel_core::{Missing, Problem, UserError};

use crate::nvrtc::CompileFailure;
use crate::source::{Build, Precision, Source};

/// What CUDA gives a kernel that C++ lacks: the launch's indices, as
/// globals the loop below sets, and the function qualifiers, as nothing.
const PRELUDE: &str = r#"#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>
using std::fma;
struct mandel_dim3 { unsigned int x, y, z; };
static mandel_dim3 threadIdx, blockIdx, blockDim, gridDim;
#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__
"#;

/// Reads the points, runs every thread of every block, writes the counts.
/// The arrays reach as far as the launch's last thread, the part past `n`
/// marked, so that a kernel without its bounds check (`if (i >= n)`) is
/// caught writing there (status 6), as a GPU would not catch it.
const MAIN: &str = r#"
int main(int argc, char **argv) {
    if (argc != 7) return 3;
    unsigned int n = std::strtoul(argv[3], 0, 10), maxiter = std::strtoul(argv[4], 0, 10);
    unsigned int grid = std::strtoul(argv[5], 0, 10), block = std::strtoul(argv[6], 0, 10);
    size_t threads = (size_t)grid * block > n ? (size_t)grid * block : n;
    const unsigned int unwritten = 0xfffffffeu;
    std::vector<real> re(threads, 0), im(threads, 0);
    std::vector<unsigned int> output(threads, unwritten);
    for (unsigned int i = 0; i < n; i++) output[i] = 0;
    std::FILE *in = std::fopen(argv[1], "rb");
    if (!in || std::fread(re.data(), sizeof(real), n, in) != n ||
        std::fread(im.data(), sizeof(real), n, in) != n) return 4;
    std::fclose(in);
    gridDim.x = grid; gridDim.y = gridDim.z = 1;
    blockDim.x = block; blockDim.y = blockDim.z = 1;
    for (unsigned int b = 0; b < grid; b++) {
        for (unsigned int t = 0; t < block; t++) {
            blockIdx.x = b; threadIdx.x = t;
            MANDEL_ENTRY(re.data(), im.data(), output.data(), n, maxiter);
        }
    }
    for (size_t i = n; i < threads; i++) if (output[i] != unwritten) return 6;
    std::FILE *out = std::fopen(argv[2], "wb");
    if (!out || std::fwrite(output.data(), sizeof(unsigned int), n, out) != n) return 5;
    return std::fclose(out) == 0 ? 0 : 5;
}
"#;

/// The harness's exit status when a thread past the last point wrote to
/// the output (see `return 6` in the harness above).
const OUT_OF_BOUNDS: i32 = 6;

/// The C++ compiler: `$CXX`, or `c++`.
fn compiler() -> String {
    std::env::var("CXX").unwrap_or_else(|_| "c++".to_string())
}

/// What to install, on each system an attendee brings.
pub const INSTALL_CXX: &str = "install one (Debian, Ubuntu: `sudo apt-get install g++`; Fedora: `sudo dnf install gcc-c++`; macOS: `xcode-select --install`; Windows: LLVM's clang++ or MSYS2's MinGW-w64 g++, with CXX set to it), or set CXX to the one you have";

/// Whether a C++ compiler runs here; if not, what is missing.
pub fn available() -> Result<(), Missing> {
    let cxx = compiler();
    match Command::new(&cxx)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(status) if status.success() => Ok(()),
        _ => Err(Missing(format!(
            "no C++ compiler (`{cxx}`) to run the kernel on the CPU instead: {INSTALL_CXX}"
        ))),
    }
}

/// A kernel compiled for the CPU: a program in a temporary folder.
pub struct Emulator {
    folder: tempfile::TempDir,
    program: PathBuf,
    build: Build,
}

impl Emulator {
    /// Compiles `source`'s entry kernel (it must take the points, the
    /// output, n and maxiter, as the elementwise and grid-stride kernels
    /// do). Errors name the file and line, as NVRTC's do.
    pub fn compile(source: &Source, build: Build) -> Result<Emulator, CompileFailure> {
        available().map_err(CompileFailure::Missing)?;
        let folder = tempfile::Builder::new()
            .prefix("step07-emulated-")
            .tempdir()
            .map_err(|e| CompileFailure::Missing(Missing(format!("no temporary folder: {e}"))))?;
        let program = folder
            .path()
            .join(format!("kernel{}", std::env::consts::EXE_SUFFIX));
        let text = format!("{PRELUDE}{}{MAIN}", source.assembled());
        let file = folder.path().join("kernel.cpp");
        std::fs::write(&file, text).map_err(|e| {
            CompileFailure::Missing(Missing(format!("cannot write {}: {e}", file.display())))
        })?;
        let out = Command::new(compiler())
            .args(["-std=c++11", "-O2", "-ffp-contract=off", "-w"])
            .args(build.defines())
            .arg(format!("-DMANDEL_ENTRY={}", source.entry))
            .arg("-o")
            .arg(&program)
            .arg(&file)
            .output()
            .map_err(|e| {
                CompileFailure::Missing(Missing(format!("cannot run {}: {e}", compiler())))
            })?;
        if !out.status.success() {
            let log = String::from_utf8_lossy(&out.stderr).into_owned();
            return Err(CompileFailure::Refused {
                first: first_error(&log)
                    .unwrap_or_else(|| format!("{}: the C++ compiler refused it", source.path)),
                log,
            });
        }
        Ok(Emulator {
            folder,
            program,
            build,
        })
    }

    /// Runs every thread of `grid` blocks of `block` threads over the
    /// problem's points.
    /// A kernel that writes past the last point is the attendee's mistake;
    /// anything else failing here is the workshop's.
    pub fn run(&self, problem: &Problem, grid: u32, block: u32) -> Result<Vec<u32>, UserError> {
        let n = problem.len();
        let mut bytes = Vec::with_capacity(2 * n * self.build.real_bytes());
        for values in [&problem.re, &problem.im] {
            for &value in values.iter() {
                match self.build.precision {
                    Precision::F64 => bytes.extend_from_slice(&value.to_ne_bytes()),
                    Precision::F32 => bytes.extend_from_slice(&(value as f32).to_ne_bytes()),
                }
            }
        }
        let input = self.folder.path().join("points");
        let output = self.folder.path().join("counts");
        std::fs::write(&input, bytes)
            .map_err(|e| UserError::bug(format!("{}: {e}", input.display())))?;
        // Ended with the self-check if it runs past its time limit.
        let status = mandel_core::selfcheck::status_of_child(
            Command::new(&self.program).arg(&input).arg(&output).args(
                [n, problem.maxiter as usize, grid as usize, block as usize].map(|v| v.to_string()),
            ),
        )
        .map_err(|e| UserError::bug(format!("cannot run the emulated kernel: {e}")))?;
        if status.code() == Some(OUT_OF_BOUNDS) {
            return Err(UserError::new(format!(
                "threads past the last point (i >= n = {n}) wrote to output: the kernel needs its bounds check"
            )));
        }
        if !status.success() {
            return Err(UserError::bug(format!(
                "the emulated kernel failed ({status})"
            )));
        }
        read_counts(&output, n)
    }
}

fn read_counts(path: &Path, n: usize) -> Result<Vec<u32>, UserError> {
    let bytes =
        std::fs::read(path).map_err(|e| UserError::bug(format!("{}: {e}", path.display())))?;
    if bytes.len() != 4 * n {
        return Err(UserError::bug(format!(
            "the emulated kernel wrote {} bytes, not {}",
            bytes.len(),
            4 * n
        )));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

/// A C++ compiler's first error, `file:12:5: error: message`, as
/// `file:12: message`.
fn first_error(log: &str) -> Option<String> {
    log.lines().find_map(|line| {
        let (place, message) = line.split_once(": error: ")?;
        let mut parts = place.split(':');
        let file = parts.next()?;
        let number: u32 = parts.next()?.parse().ok()?;
        Some(format!("{file}:{number}: {}", message.trim()))
    })
}

// The step's machinery: tested with `--features solution`, not in the
// attendee's `cargo test -p stepNN`.
#[cfg(all(test, feature = "solution"))]
mod tests {
    use super::*;

    #[test]
    fn compiler_errors_read_as_file_and_line() {
        let log = "exercises/step07/calculate_z.cu: In function 'void calculate_z()':\n\
                   exercises/step07/calculate_z.cu:31:5: error: expected ';' before '}' token\n";
        assert_eq!(
            first_error(log).as_deref(),
            Some("exercises/step07/calculate_z.cu:31: expected ';' before '}' token")
        );
    }
}
