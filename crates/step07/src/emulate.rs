//! A kernel run on the CPU: the `.cu` file compiled as C with the C
//! compiler the Rust install already needs (`$CC`, else `cc`, `gcc` or
//! `clang`; MSVC's `cl.exe` on Windows, found as the `cc` crate finds it),
//! one thread at a time, for every block and thread of the launch in
//! turn. No GPU is needed, so an attendee without one still finds out
//! whether the kernel is right. It checks logic, not speed: and since it
//! never fuses multiply-adds, a kernel compiled with `--fmad false` gives
//! the GPU's answer bit for bit (IEEE adds and multiplies round the same
//! way on both).
//!
//! CUDA is a C++ dialect, but the kernels here are C but for `extern
//! "C"`, which is blanked out before the C compiler sees it. A kernel that
//! needs C++ (a template, a reference) is compiled again as C++ where a
//! C++ compiler is found (`$CXX`, else `c++`, `g++`, `clang++`; `cl.exe`
//! with `/TP`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use mandel_core::{Error, Problem, Unavailable};

use crate::nvrtc::CompileFailure;
use crate::source::{Build, Precision, Source};

/// What CUDA gives a kernel that C lacks: the launch's indices, as globals
/// the loop below sets, and the function qualifiers, as nothing. (Valid C
/// and C++ alike.)
const PRELUDE: &str = r#"#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
typedef struct { unsigned int x, y, z; } mandel_dim3;
static mandel_dim3 threadIdx, blockIdx, blockDim, gridDim;
#define __global__
#define __device__
#define __host__
#define __forceinline__ static inline
#define __restrict__
"#;

/// Reads the points, runs every thread of every block, writes the counts.
/// The arrays reach as far as the launch's last thread, the part past `n`
/// marked, so that a kernel without its bounds check (`if (i >= n)`) is
/// caught writing there (status 6), as a GPU would not catch it. (C that
/// is also C++: the casts from `void *`.)
const MAIN: &str = r#"
int main(int argc, char **argv) {
    unsigned int n, maxiter, grid, block, b, t;
    size_t threads, i;
    const unsigned int unwritten = 0xfffffffeu;
    real *re, *im;
    unsigned int *output;
    FILE *in, *out;
    if (argc != 7) return 3;
    n = (unsigned int)strtoul(argv[3], 0, 10);
    maxiter = (unsigned int)strtoul(argv[4], 0, 10);
    grid = (unsigned int)strtoul(argv[5], 0, 10);
    block = (unsigned int)strtoul(argv[6], 0, 10);
    threads = (size_t)grid * block > n ? (size_t)grid * block : n;
    re = (real *)calloc(threads, sizeof(real));
    im = (real *)calloc(threads, sizeof(real));
    output = (unsigned int *)malloc(threads * sizeof(unsigned int));
    if (!re || !im || !output) return 7;
    for (i = 0; i < threads; i++) output[i] = i < n ? 0 : unwritten;
    in = fopen(argv[1], "rb");
    if (!in || fread(re, sizeof(real), n, in) != n || fread(im, sizeof(real), n, in) != n) return 4;
    fclose(in);
    gridDim.x = grid; gridDim.y = gridDim.z = 1;
    blockDim.x = block; blockDim.y = blockDim.z = 1;
    for (b = 0; b < grid; b++) {
        for (t = 0; t < block; t++) {
            blockIdx.x = b; threadIdx.x = t;
            MANDEL_ENTRY(re, im, output, n, maxiter);
        }
    }
    for (i = n; i < threads; i++) if (output[i] != unwritten) return 6;
    out = fopen(argv[2], "wb");
    if (!out || fwrite(output, sizeof(unsigned int), n, out) != n) return 5;
    return fclose(out) == 0 ? 0 : 5;
}
"#;

/// The harness's exit status when a thread past the last point wrote to
/// the output (see `return 6` in the harness above).
const OUT_OF_BOUNDS: i32 = 6;

/// What to install, on each system an attendee brings. (A machine that
/// links Rust has one: this is for one whose linker is not a compiler.)
pub const INSTALL_CC: &str = "install one (Debian, Ubuntu: `sudo apt-get install gcc`; Fedora: `sudo dnf install gcc`; macOS: `xcode-select --install`; Windows: the Visual Studio C++ build tools that Rust's MSVC toolchain uses, or MSYS2's MinGW-w64 gcc), or set CC to the one you have";

/// The language the kernel is compiled as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    C,
    Cxx,
}

/// How a compiler takes its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// gcc, clang, MinGW: `-o`, `-std=`, `-ffp-contract=off`.
    Gnu,
    /// MSVC's `cl.exe` (and `clang-cl`): `/Fe`, `/TC`, `/fp:strict`.
    Msvc,
}

/// A compiler found here, ready to run.
#[derive(Debug, Clone)]
struct Compiler {
    program: OsString,
    /// Words that came with it (`CC="gcc -m64"`), before ours.
    leading: Vec<OsString>,
    /// What `cl.exe` needs set (INCLUDE, LIB, PATH), from its finder.
    env: Vec<(OsString, OsString)>,
    flavour: Flavour,
    language: Language,
    /// As the attendee would name it: `cc`, `$CC (gcc -m64)`, `cl.exe`.
    name: String,
}

impl Compiler {
    /// `program` with its leading words, named `name`, if it runs.
    fn probe(words: &[String], name: String, language: Language) -> Option<Compiler> {
        let (program, leading) = words.split_first()?;
        let flavour = flavour_of(program);
        let mut version = Command::new(program);
        version.args(leading);
        // cl.exe has no --version: with no file it prints its banner.
        if flavour == Flavour::Gnu {
            version.arg("--version");
        }
        let ran = version
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let runs = match (flavour, ran) {
            (Flavour::Gnu, Ok(status)) => status.success(),
            (Flavour::Msvc, Ok(_)) => true,
            (_, Err(_)) => false,
        };
        runs.then(|| Compiler {
            program: program.into(),
            leading: leading.iter().map(OsString::from).collect(),
            env: Vec::new(),
            flavour,
            language,
            name,
        })
    }

    /// The same compiler, compiling `language`.
    fn as_language(&self, language: Language) -> Compiler {
        Compiler {
            language,
            ..self.clone()
        }
    }

    /// `as C by cc`, for the self-check's report.
    fn describe(&self) -> String {
        let language = match self.language {
            Language::C => "C",
            Language::Cxx => "C++",
        };
        format!("compiled as {language} by `{}`", self.name)
    }

    /// The command that compiles `file` into `program`, in `folder`.
    fn command(&self, file: &Path, program: &Path, folder: &Path, defines: &[String]) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.leading)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(folder)
            .args(defines);
        match (self.flavour, self.language) {
            (Flavour::Gnu, language) => {
                let standard = match language {
                    Language::C => "-std=c99",
                    Language::Cxx => "-std=c++11",
                };
                command
                    .args([standard, "-O2", "-ffp-contract=off", "-w", "-o"])
                    .arg(program)
                    .arg(file)
                    // fma and friends, where libm is not in libc.
                    .arg("-lm");
            }
            (Flavour::Msvc, language) => {
                let as_language = match language {
                    Language::C => "/TC",
                    Language::Cxx => "/TP",
                };
                // /fp:strict: Visual C++ before 2022 (17.0) may contract a
                // multiply and an add under /fp:precise; strict never does.
                let mut fe = OsString::from("/Fe");
                fe.push(program);
                command
                    .args(["/nologo", "/O2", "/fp:strict", "/w", as_language])
                    .arg(fe)
                    .arg(file);
            }
        }
        command
    }
}

/// MSVC's options for `cl` and `clang-cl`, GNU's for everything else.
fn flavour_of(program: &str) -> Flavour {
    let stem = Path::new(program)
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if stem == "cl" || stem == "clang-cl" {
        Flavour::Msvc
    } else {
        Flavour::Gnu
    }
}

/// Why no compiler was found: `none of `cc`, `gcc`, `clang` runs`, or the
/// one the user named in `$CC` that does not. Part of the line
/// [`c_compiler`] gives as unavailable, and kept once per process.
#[derive(Debug, Clone)]
struct NotFound(String);

/// `$VARIABLE` split into words, if set: the user's choice, used as is.
fn from_variable(variable: &str, language: Language) -> Option<Result<Compiler, NotFound>> {
    let value = std::env::var(variable)
        .ok()
        .filter(|v| !v.trim().is_empty())?;
    let words: Vec<String> = value.split_whitespace().map(str::to_string).collect();
    Some(
        Compiler::probe(&words, format!("${variable} ({value})"), language)
            .ok_or_else(|| NotFound(format!("${variable} is `{value}`, which does not run"))),
    )
}

/// The first of `names` that runs.
fn first_that_runs(names: &[&str], language: Language) -> Option<Compiler> {
    names
        .iter()
        .find_map(|name| Compiler::probe(&[name.to_string()], name.to_string(), language))
}

/// Visual C++'s `cl.exe`, with the environment it needs, found the way the
/// `cc` crate finds it (the registry, Visual Studio's setup API).
#[cfg(windows)]
fn visual_cpp() -> Option<Compiler> {
    let found = find_msvc_tools::find(std::env::consts::ARCH, "cl.exe")?;
    Some(Compiler {
        program: found.get_program().to_owned(),
        leading: found.get_args().map(OsString::from).collect(),
        env: found
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
            .collect(),
        flavour: Flavour::Msvc,
        language: Language::C,
        name: "cl.exe".to_string(),
    })
}

#[cfg(not(windows))]
fn visual_cpp() -> Option<Compiler> {
    None
}

/// The compilers searched for, by system, after `$CC`.
const C_COMPILERS: &[&str] = if cfg!(windows) {
    &["gcc", "x86_64-w64-mingw32-gcc", "clang", "cc"]
} else {
    &["cc", "gcc", "clang"]
};
const CXX_COMPILERS: &[&str] = &["c++", "g++", "clang++"];

/// The C compiler: `$CC` if set, else MSVC's `cl.exe` on Windows-MSVC,
/// else the first of [`C_COMPILERS`] that runs. Looked for once.
fn c_compiler() -> Result<&'static Compiler, Unavailable> {
    static FOUND: OnceLock<Result<Compiler, NotFound>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            if let Some(chosen) = from_variable("CC", Language::C) {
                return chosen;
            }
            let msvc = cfg!(target_env = "msvc").then(visual_cpp).flatten();
            msvc.or_else(|| first_that_runs(C_COMPILERS, Language::C))
                .ok_or_else(|| NotFound(format!("none of `{}` runs", C_COMPILERS.join("`, `"))))
        })
        .as_ref()
        .map_err(|NotFound(why)| {
            Unavailable(format!(
                "no C compiler to run the kernel on the CPU instead ({why}): {INSTALL_CC}"
            ))
        })
}

/// A C++ compiler, for a kernel C refuses: `$CXX`, else cl.exe again
/// (as C++), else the first of [`CXX_COMPILERS`] that runs.
fn cxx_compiler(c: &Compiler) -> Option<Compiler> {
    match from_variable("CXX", Language::Cxx) {
        Some(chosen) => chosen.ok(),
        None if c.flavour == Flavour::Msvc => Some(c.as_language(Language::Cxx)),
        None => first_that_runs(CXX_COMPILERS, Language::Cxx),
    }
}

/// Whether a C compiler runs here; if not, what is missing.
pub fn available() -> Result<(), Unavailable> {
    c_compiler().map(drop)
}

/// `text` as C: each `extern "C"` blanked to spaces (the block form's
/// braces too), so lines and columns stay where the attendee wrote them.
/// Comments and literals are left alone.
pub fn as_c(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut depth = 0usize;
    // Depths at which an `extern "C" {` block's closing brace is blanked.
    let mut blocks: Vec<usize> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at += 2;
                while at < bytes.len() && !bytes[at..].starts_with(b"*/") {
                    at += 1;
                }
                at += 2;
            }
            quote @ (b'"' | b'\'') => {
                at += 1;
                while at < bytes.len() && bytes[at] != quote && bytes[at] != b'\n' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                at += 1;
            }
            b'{' => {
                depth += 1;
                at += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                if blocks.last() == Some(&depth) {
                    blocks.pop();
                    bytes[at] = b' ';
                }
                at += 1;
            }
            b'e' if bytes[at..].starts_with(b"extern") && (at == 0 || !is_word(bytes[at - 1])) => {
                let mut next = at + "extern".len();
                while next < bytes.len() && bytes[next].is_ascii_whitespace() {
                    next += 1;
                }
                if bytes[next..].starts_with(b"\"C\"") {
                    let end = next + 3;
                    blank(&mut bytes[at..end]);
                    let mut brace = end;
                    while brace < bytes.len() && bytes[brace].is_ascii_whitespace() {
                        brace += 1;
                    }
                    if bytes.get(brace) == Some(&b'{') {
                        bytes[brace] = b' ';
                        blocks.push(depth);
                        at = brace + 1;
                    } else {
                        at = end;
                    }
                } else {
                    at += "extern".len();
                }
            }
            _ => at += 1,
        }
    }
    // Only ASCII bytes outside comments and literals were replaced, by
    // ASCII spaces: still UTF-8.
    String::from_utf8(bytes).expect("blanking ASCII keeps UTF-8")
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Spaces for everything but line ends.
fn blank(bytes: &mut [u8]) {
    for byte in bytes.iter_mut().filter(|b| **b != b'\n' && **b != b'\r') {
        *byte = b' ';
    }
}

/// A kernel compiled for the CPU: a program in a temporary folder.
pub struct Emulator {
    folder: tempfile::TempDir,
    program: PathBuf,
    build: Build,
    /// `compiled as C by `cc``.
    how: String,
}

impl Emulator {
    /// Compiles `source`'s entry kernel (it must take the points, the
    /// output, n and maxiter, as the elementwise and grid-stride kernels
    /// do) as C; as C++ where C refuses it and a C++ compiler accepts it.
    /// Errors name the file and line, as NVRTC's do.
    pub fn compile(source: &Source, build: Build) -> Result<Emulator, CompileFailure> {
        let c = c_compiler().map_err(CompileFailure::NoCompiler)?;
        let folder = tempfile::Builder::new()
            .prefix("step07-emulated-")
            .tempdir()
            .map_err(|e| {
                CompileFailure::NoCompiler(Unavailable(format!("no temporary folder: {e}")))
            })?;
        let program = folder
            .path()
            .join(format!("kernel{}", std::env::consts::EXE_SUFFIX));
        let assembled = source.assembled();
        let as_c = try_compile(c, source, build, &as_c(&assembled), &folder, &program);
        let compiled = match as_c {
            Err(CompileFailure::Refused { .. }) => match cxx_compiler(c) {
                // CUDA is C++: where C++ is at hand, its verdict is the one
                // that counts, its errors the ones that fit the file.
                Some(cxx) => try_compile(&cxx, source, build, &assembled, &folder, &program),
                None => as_c,
            },
            other => other,
        };
        compiled.map(|how| Emulator {
            folder,
            program,
            build,
            how,
        })
    }

    /// How the kernel was compiled: `compiled as C by `cc``.
    pub fn how(&self) -> &str {
        &self.how
    }

    /// Runs every thread of `grid` blocks of `block` threads over the
    /// problem's points.
    /// A kernel that writes past the last point is the attendee's mistake;
    /// anything else failing here is the workshop's.
    pub fn run(&self, problem: &Problem, grid: u32, block: u32) -> Result<Vec<u32>, Error> {
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
            .map_err(|e| Error::bug(format!("{}: {e}", input.display())))?;
        // Ended with the self-check if it runs past its time limit.
        let status = mandel_core::selfcheck::status_of_child(
            Command::new(&self.program).arg(&input).arg(&output).args(
                [n, problem.maxiter as usize, grid as usize, block as usize].map(|v| v.to_string()),
            ),
        )
        .map_err(|e| Error::bug(format!("cannot run the emulated kernel: {e}")))?;
        if status.code() == Some(OUT_OF_BOUNDS) {
            return Err(Error::mistake(format!(
                "threads past the last point (i >= n = {n}) wrote to output: the kernel needs its bounds check"
            )));
        }
        if !status.success() {
            return Err(Error::bug(format!("the emulated kernel failed ({status})")));
        }
        read_counts(&output, n)
    }
}

/// Refuses a launch whose emulation would not fit in memory: the
/// harness's arrays reach as far as its last thread (`grid * block` of
/// them, or the points if more), two reals and a count each.
pub fn check_launch(settings: &crate::Settings, points: usize) -> Result<(), Error> {
    let threads = match settings.variant {
        crate::GpuVariant::Gridstride => u128::from(settings.grid) * u128::from(settings.block),
        _ => (points.div_ceil(settings.block as usize) * settings.block as usize) as u128,
    }
    .max(points as u128);
    let per_thread = 2 * settings.build.real_bytes() as u128 + 4;
    mandel_core::limits::check_memory(
        threads * per_thread,
        || {
            format!(
                "--grid {} --block {} emulates {} threads, needing",
                settings.grid,
                settings.block,
                mandel_core::problem::group_digits(threads)
            )
        },
        "use a smaller --grid or --block",
    )
}

/// `text` compiled by `compiler` into `program`: how, or why not.
fn try_compile(
    compiler: &Compiler,
    source: &Source,
    build: Build,
    text: &str,
    folder: &tempfile::TempDir,
    program: &Path,
) -> Result<String, CompileFailure> {
    let extension = match compiler.language {
        Language::C => "c",
        Language::Cxx => "cpp",
    };
    let file = folder.path().join(format!("kernel.{extension}"));
    // The harness's own lines are not the attendee's: named apart.
    let text = format!("{PRELUDE}{text}#line 1 \"(step 07's emulator)\"\n{MAIN}");
    std::fs::write(&file, text).map_err(|e| {
        CompileFailure::NoCompiler(Unavailable(format!("cannot write {}: {e}", file.display())))
    })?;
    let mut defines = build.defines();
    defines.push(format!("-DMANDEL_ENTRY={}", source.entry));
    let out = compiler
        .command(&file, program, folder.path(), &defines)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            CompileFailure::NoCompiler(Unavailable(format!("cannot run {}: {e}", compiler.name)))
        })?;
    if out.status.success() {
        return Ok(compiler.describe());
    }
    // cl.exe writes its errors to standard output.
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Err(CompileFailure::Refused {
        first: first_error(&log).unwrap_or_else(|| {
            format!(
                "{}: the compiler (`{}`) refused it",
                source.path, compiler.name
            )
        }),
        log,
    })
}

fn read_counts(path: &Path, n: usize) -> Result<Vec<u32>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::bug(format!("{}: {e}", path.display())))?;
    if bytes.len() != 4 * n {
        return Err(Error::bug(format!(
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

/// A compiler's first error as `file:12: message`: GCC's and Clang's
/// `file:12:5: error: message`, or MSVC's `file(12): error C2143: message`.
fn first_error(log: &str) -> Option<String> {
    log.lines().find_map(|line| {
        let gnu = line
            .split_once(": error: ")
            .or_else(|| line.split_once(": fatal error: "));
        if let Some((place, message)) = gnu {
            let mut parts = place.split(':');
            let file = parts.next()?;
            let number: u32 = parts.next()?.parse().ok()?;
            return Some(format!("{file}:{number}: {}", message.trim()));
        }
        let (place, rest) = line.split_once("): error ")?;
        let (file, number) = place.rsplit_once('(')?;
        let number: u32 = number.split(',').next()?.parse().ok()?;
        let message = rest.split_once(": ").map_or(rest, |(_code, m)| m);
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

    #[test]
    fn msvc_errors_read_as_file_and_line() {
        let log = "kernel.c\nexercises/step07/calculate_z.cu(31): error C2143: syntax error: missing ';' before '}'\n";
        assert_eq!(
            first_error(log).as_deref(),
            Some("exercises/step07/calculate_z.cu:31: syntax error: missing ';' before '}'")
        );
    }

    #[test]
    fn extern_c_is_blanked_in_place_and_nowhere_else() {
        let kernel = "extern \"C\" __global__ void k(int n) { n++; }\n";
        let c = as_c(kernel);
        assert_eq!(c.len(), kernel.len());
        assert_eq!(c.find("__global__"), kernel.find("__global__"));
        assert!(!c.contains("extern"), "{c}");

        let block = "extern \"C\" {\n__global__ void k(int n) { if (n) { n++; } }\n}\nint after;\n";
        let c = as_c(block);
        assert_eq!(c.lines().count(), block.lines().count());
        assert_eq!(c.matches('{').count(), 2, "{c}");
        assert_eq!(c.matches('}').count(), 2, "{c}");
        assert!(c.ends_with("int after;\n"), "{c}");

        let quoted = "// extern \"C\" here\nconst char *s = \"extern \\\"C\\\"\"; /* extern \"C\" */ int externals;\n";
        assert_eq!(as_c(quoted), quoted);
    }

    #[test]
    fn every_kernel_the_emulator_runs_compiles_as_c() {
        if let Err(why) = available() {
            mandel_testing::skip::skipped(
                "compiling the kernels as C",
                &why.0,
                "then run the tests again",
            );
            return;
        }
        for source in [
            crate::source::SOLUTION,
            crate::source::STUB,
            crate::source::GRIDSTRIDE,
        ] {
            for precision in [Precision::F64, Precision::F32] {
                let build = Build {
                    precision,
                    fmad: false,
                };
                let emulator = Emulator::compile(&source, build)
                    .unwrap_or_else(|e| panic!("{}: {}", source.path, e.line()));
                assert!(
                    emulator.how().starts_with("compiled as C by "),
                    "{}",
                    emulator.how()
                );
            }
        }
    }

    #[test]
    fn a_kernel_that_needs_cxx_is_compiled_as_cxx_where_a_cxx_compiler_is() {
        let text = "#include \"mandel.cuh\"\ntemplate <typename T> static T twice(T x) { return x + x; }\n\
                    extern \"C\" __global__ void calculate_z(const real *q_re, const real *q_im, unsigned int *output,\n\
                    unsigned int n, unsigned int maxiter) { unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;\n\
                    if (i < n) output[i] = twice(0u); }\n";
        let source = Source {
            text,
            ..crate::source::SOLUTION
        };
        let c = match c_compiler() {
            Ok(c) => c,
            Err(why) => {
                return mandel_testing::skip::skipped(
                    "a C++ kernel",
                    &why.0,
                    "then run the tests again",
                )
            }
        };
        match (cxx_compiler(c), Emulator::compile(&source, Build::EXACT)) {
            (Some(_), Ok(emulator)) => assert!(
                emulator.how().starts_with("compiled as C++ by "),
                "{}",
                emulator.how()
            ),
            (None, Err(CompileFailure::Refused { first, .. })) => {
                assert!(
                    first.starts_with("solutions/step07/calculate_z.cu:2: "),
                    "{first}"
                );
                mandel_testing::skip::skipped(
                    "a C++ kernel",
                    "no C++ compiler here",
                    "install g++ or clang++ to check it",
                );
            }
            (cxx, Ok(_)) => panic!("a template compiled as C (C++ compiler: {cxx:?})"),
            (cxx, Err(e)) => panic!("C++ compiler {cxx:?}: {}", e.line()),
        }
    }
}
