//! ptxas, NVIDIA's PTX assembler: the step after NVRTC, which the driver
//! runs on a GPU machine. Run here with `-v`, it says what each kernel
//! costs the card (registers per thread, spills, local memory) and refuses
//! what no GPU would load, with no GPU. Found as `$MANDEL_PTXAS`, else
//! `ptxas` on the PATH (a CUDA toolkit's, or the `nvidia-cuda-nvcc-cu12`
//! wheel's `nvidia/cuda_nvcc/bin/ptxas`).

use std::path::PathBuf;
use std::process::Command;

use mandel_core::{Error, Unavailable};

use crate::nvrtc;
use crate::source::{Build, Precision, Source};

/// Where to find ptxas when it is not on the PATH.
pub const PTXAS_VAR: &str = "MANDEL_PTXAS";

/// What [`Ptxas::survey`] assembles, as its table says.
pub const SURVEYED: &str = "each kernel, compiled by NVRTC for compute_NN (--fmad true, the step's default) and assembled for sm_NN";

/// The architectures every kernel is assembled for: Volta, Ampere, Hopper,
/// and then the newest this ptxas knows.
pub const ARCHITECTURES: [u32; 3] = [70, 80, 90];

/// A ptxas that answered.
#[derive(Debug, Clone)]
pub struct Ptxas {
    path: PathBuf,
    /// `Cuda compilation tools, release 12.9, V12.9.86`.
    pub version: String,
    /// The `sm_NN` it can assemble for (no `a`/`f` variants).
    known: Vec<u32>,
}

/// What ptxas said of one kernel (entry function) for one architecture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    pub entry: String,
    pub registers: u32,
    /// Bytes per thread that did not fit in registers, stored and loaded.
    pub spill_stores: u32,
    pub spill_loads: u32,
    /// Bytes of local memory per thread (spills and local arrays).
    pub stack_frame: u32,
}

impl Usage {
    /// What is wrong with it, if anything: a spill or local memory means
    /// per-thread traffic to device memory inside the loop.
    pub fn trouble(&self) -> Option<String> {
        (self.spill_stores + self.spill_loads + self.stack_frame > 0).then(|| {
            format!(
                "{} spills {} bytes stored, {} loaded, {} bytes stack frame",
                self.entry, self.spill_stores, self.spill_loads, self.stack_frame
            )
        })
    }

    /// `15`, or `15 (s8/l8/f16)` when it spills or uses local memory.
    fn cell(&self) -> String {
        if self.trouble().is_some() {
            format!(
                "{} (s{}/l{}/f{})",
                self.registers, self.spill_stores, self.spill_loads, self.stack_frame
            )
        } else {
            self.registers.to_string()
        }
    }
}

/// One kernel file assembled for one architecture and precision.
#[derive(Debug, Clone)]
pub struct Assembled {
    pub path: String,
    pub arch: u32,
    pub precision: Precision,
    pub usage: Vec<Usage>,
}

impl Assembled {
    /// The one line for a spill: `kernels/peak.cu (sm_90, f32): fma_peak
    /// spills ...`.
    pub fn trouble(&self) -> Option<String> {
        self.usage.iter().find_map(|u| {
            u.trouble()
                .map(|t| format!("{}: {t}", place(&self.path, self.arch, self.precision)))
        })
    }
}

/// `kernels/peak.cu (sm_90, f32)`: what every line of the check names.
fn place(path: &str, arch: u32, precision: Precision) -> String {
    format!("{path} (sm_{arch}, {precision})")
}

/// `error` with where it happened in front, its kind kept: a refusal
/// stays the kernel's mistake, a failure to run stays a bug.
fn placed(error: Error, at: &str) -> Error {
    Error {
        line: format!("{at}: {}", error.line),
        ..error
    }
}

impl Ptxas {
    /// `$MANDEL_PTXAS`, else `ptxas` on the PATH; if neither answers, what
    /// to install.
    pub fn find() -> Result<Ptxas, Unavailable> {
        let (path, from_var) = match std::env::var_os(PTXAS_VAR) {
            Some(path) => (PathBuf::from(path), true),
            None => (PathBuf::from("ptxas"), false),
        };
        let run = |arg: &str| {
            Command::new(&path)
                .arg(arg)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        };
        let (Some(version), Some(help)) = (run("--version"), run("--help")) else {
            let looked = if from_var {
                format!("{PTXAS_VAR}={} does not run", path.display())
            } else {
                format!("no ptxas on the PATH and {PTXAS_VAR} unset")
            };
            return Err(Unavailable(format!(
                "{looked}: install a CUDA toolkit, or `pip install nvidia-cuda-nvcc-cu12` and set {PTXAS_VAR} to its nvidia/cuda_nvcc/bin/ptxas"
            )));
        };
        let version = version
            .lines()
            .find(|l| l.starts_with("Cuda compilation tools"))
            .unwrap_or("version unknown")
            .to_string();
        Ok(Ptxas {
            path,
            version,
            known: known_architectures(&help),
        })
    }

    /// [`ARCHITECTURES`] that this ptxas knows (CUDA 13's dropped Volta),
    /// then the newest it knows.
    pub fn architectures(&self) -> Vec<u32> {
        let mut archs: Vec<u32> = ARCHITECTURES
            .into_iter()
            .filter(|a| self.known.contains(a))
            .collect();
        if let Some(&newest) = self.known.iter().max() {
            if !archs.contains(&newest) {
                archs.push(newest);
            }
        }
        archs
    }

    /// Assembles `ptx` for `sm_{arch}` with `-v`: each kernel's usage, or
    /// ptxas's first error as `line N: message` (the line of the PTX).
    pub fn assemble(&self, ptx: &str, arch: u32) -> Result<Vec<Usage>, Error> {
        // ptxas answered `find` a moment ago, and the folder and file are
        // ours: any failure before it reads the PTX is the workshop's.
        let dir = tempfile::tempdir()
            .map_err(|e| Error::bug(format!("cannot make a temporary folder: {e}")))?;
        let input = dir.path().join("kernel.ptx");
        std::fs::write(&input, ptx)
            .map_err(|e| Error::bug(format!("cannot write the PTX: {e}")))?;
        let output = Command::new(&self.path)
            .arg("-v")
            .arg(format!("--gpu-name=sm_{arch}"))
            .arg("-o")
            .arg(dir.path().join("kernel.cubin"))
            .arg(&input)
            .output()
            .map_err(|e| Error::bug(format!("cannot run {}: {e}", self.path.display())))?;
        // -v writes its report to stderr, beside any errors.
        let log = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(Error::mistake(first_error(&log).unwrap_or_else(|| {
                format!("ptxas failed ({}): {}", output.status, log.trim())
            })));
        }
        Ok(parse_verbose(&log))
    }

    /// NVRTC's PTX of `source` for `compute_{arch}` (multiply-adds fused,
    /// as the step runs by default), assembled for `sm_{arch}`: one line
    /// naming the file, architecture and precision if either refuses.
    pub fn check(
        &self,
        source: &Source,
        arch: u32,
        precision: Precision,
    ) -> Result<Assembled, Error> {
        let build = Build {
            precision,
            fmad: true,
        };
        let at = place(source.path, arch, precision);
        let ptx = nvrtc::compile(source, build, Some(&format!("compute_{arch}")))
            .map_err(|f| placed(Error::from(f), &format!("{at}: NVRTC")))?;
        let usage = self
            .assemble(&ptx, arch)
            .map_err(|why| placed(why, &format!("{at}: ptxas")))?;
        Ok(Assembled {
            path: source.path.to_string(),
            arch,
            precision,
            usage,
        })
    }

    /// Every source, in f64 and f32, for every architecture: stops at the
    /// first refusal (a spill is in the result: see [`Assembled::trouble`]).
    pub fn survey(&self, sources: &[Source]) -> Result<Vec<Assembled>, Error> {
        let mut all = Vec::new();
        for source in sources {
            for precision in [Precision::F64, Precision::F32] {
                for arch in self.architectures() {
                    all.push(self.check(source, arch, precision)?);
                }
            }
        }
        Ok(all)
    }

    /// `--ptx FILE --ptxas`: that PTX, for every architecture at or above
    /// the one it was written for.
    pub fn check_file(
        &self,
        path: &str,
        ptx: &str,
        precision: Precision,
    ) -> Result<Vec<Assembled>, Error> {
        let written_for = ptx_target(ptx).unwrap_or(0);
        self.architectures()
            .into_iter()
            .filter(|&arch| arch >= written_for)
            .map(|arch| {
                let usage = self.assemble(ptx, arch).map_err(|why| {
                    placed(why, &format!("{}: ptxas", place(path, arch, precision)))
                })?;
                Ok(Assembled {
                    path: path.to_string(),
                    arch,
                    precision,
                    usage,
                })
            })
            .collect()
    }

    /// The table of a survey: a row per file, kernel and precision, the
    /// registers per thread for each architecture, spills and stack frame
    /// (bytes per thread) beside them where there are any. `what` says
    /// what was assembled.
    pub fn table(&self, what: &str, all: &[Assembled]) -> String {
        let mut archs: Vec<u32> = all.iter().map(|a| a.arch).collect();
        archs.sort_unstable();
        archs.dedup();
        let mut text = format!(
            "ptxas -v ({}): registers per thread of {what}; \
             a spill or local memory would show as `regs (sSTORED/lLOADED/fSTACK bytes)`.\n",
            self.version
        );
        text += &format!("{:<34} {:<24} {:<4}", "file", "kernel", "real");
        for arch in &archs {
            text += &format!(" {:>8}", format!("sm_{arch}"));
        }
        text.push('\n');
        let mut rows: Vec<(&str, &str, Precision)> = Vec::new();
        for a in all {
            for u in &a.usage {
                let row = (a.path.as_str(), u.entry.as_str(), a.precision);
                if !rows.contains(&row) {
                    rows.push(row);
                }
            }
        }
        for (path, entry, precision) in rows {
            text += &format!("{path:<34} {entry:<24} {precision:<4}");
            for &arch in &archs {
                let cell = all
                    .iter()
                    .filter(|a| a.path == path && a.arch == arch && a.precision == precision)
                    .flat_map(|a| &a.usage)
                    .find(|u| u.entry == entry)
                    .map_or("-".to_string(), Usage::cell);
                text += &format!(" {cell:>8}");
            }
            text.push('\n');
        }
        let troubles: Vec<String> = all.iter().filter_map(Assembled::trouble).collect();
        if troubles.is_empty() {
            text += "No kernel spills or uses local memory (0 bytes stack frame) on any architecture.\n";
        } else {
            for line in troubles {
                text += &format!("{line}\n");
            }
        }
        text
    }
}

/// The `sm_NN` values in ptxas's `--help` (its `--gpu-name` list).
fn known_architectures(help: &str) -> Vec<u32> {
    let mut known: Vec<u32> = help
        .split('\'')
        .filter_map(|word| word.strip_prefix("sm_")?.parse().ok())
        .collect();
    known.sort_unstable();
    known.dedup();
    known
}

/// The `sm_NN` a PTX was written for (its `.target` line).
fn ptx_target(ptx: &str) -> Option<u32> {
    ptx.lines()
        .find_map(|l| l.trim().strip_prefix(".target sm_"))
        .and_then(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })
}

/// ptxas `-v`'s report, kernel by kernel:
/// ```text
/// ptxas info    : Compiling entry function 'calculate_z' for 'sm_90'
/// ptxas info    : Function properties for calculate_z
///     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
/// ptxas info    : Used 15 registers, used 0 barriers
/// ```
pub fn parse_verbose(log: &str) -> Vec<Usage> {
    let mut all: Vec<Usage> = Vec::new();
    for line in log.lines() {
        let line = line.trim();
        let info = line.strip_prefix("ptxas info    : ").unwrap_or(line);
        if let Some(rest) = info.strip_prefix("Compiling entry function '") {
            if let Some((entry, _)) = rest.split_once('\'') {
                all.push(Usage {
                    entry: entry.to_string(),
                    ..Usage::default()
                });
            }
            continue;
        }
        let Some(current) = all.last_mut() else {
            continue;
        };
        // Comma-separated `N bytes WHAT` or `Used N registers`.
        for part in info.split(',').map(str::trim) {
            let mut words = part.split_whitespace();
            let (first, second) = (words.next(), words.next());
            let rest: Vec<&str> = words.collect();
            let number = |word: Option<&str>| word.and_then(|w| w.parse::<u32>().ok());
            match (first, second, rest.as_slice()) {
                (Some("Used"), n, ["registers"]) => {
                    current.registers = number(n).unwrap_or(0);
                }
                (n, Some("bytes"), ["stack", "frame"]) => {
                    current.stack_frame = number(n).unwrap_or(0);
                }
                (n, Some("bytes"), ["spill", "stores"]) => {
                    current.spill_stores = number(n).unwrap_or(0);
                }
                (n, Some("bytes"), ["spill", "loads"]) => {
                    current.spill_loads = number(n).unwrap_or(0);
                }
                _ => {}
            }
        }
    }
    all
}

/// ptxas's first error, `ptxas kernel.ptx, line 63; error   : message`,
/// as `line 63: message`; or its fatal line.
pub fn first_error(log: &str) -> Option<String> {
    let error = log.lines().find_map(|line| {
        let (place, message) = line.split_once("; error")?;
        let message = message.trim_start().strip_prefix(':')?.trim();
        let line_no = place.rsplit_once(", line ")?.1;
        Some(format!("line {line_no}: {message}"))
    });
    error.or_else(|| {
        log.lines()
            .find_map(|l| l.strip_prefix("ptxas fatal"))
            .map(|m| m.trim_start().trim_start_matches(':').trim().to_string())
    })
}

// The step's machinery: tested with `--features solution`, not in the
// attendee's `cargo test -p stepNN`.
#[cfg(all(test, feature = "solution"))]
mod tests {
    use super::*;

    #[test]
    fn the_verbose_report_becomes_usage() {
        // As ptxas 12.9 prints it, with a spill made up.
        let log = "ptxas info    : 0 bytes gmem\n\
                   ptxas info    : Compiling entry function 'square' for 'sm_70'\n\
                   ptxas info    : Function properties for square\n    \
                   0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n\
                   ptxas info    : Used 12 registers, used 0 barriers, 384 bytes cmem[0]\n\
                   ptxas info    : Compile time = 2.603 ms\n\
                   ptxas info    : Compiling entry function 'add' for 'sm_70'\n\
                   ptxas info    : Function properties for add\n    \
                   48 bytes stack frame, 8 bytes spill stores, 16 bytes spill loads\n\
                   ptxas info    : Used 32 registers, used 0 barriers, 392 bytes cmem[0]\n";
        let usage = parse_verbose(log);
        assert_eq!(
            usage,
            [
                Usage {
                    entry: "square".into(),
                    registers: 12,
                    ..Usage::default()
                },
                Usage {
                    entry: "add".into(),
                    registers: 32,
                    spill_stores: 8,
                    spill_loads: 16,
                    stack_frame: 48,
                },
            ]
        );
        assert_eq!(usage[0].trouble(), None);
        assert_eq!(
            usage[1].trouble().as_deref(),
            Some("add spills 8 bytes stored, 16 loaded, 48 bytes stack frame")
        );
    }

    #[test]
    fn errors_read_as_a_line_of_the_ptx() {
        let log = "ptxas /tmp/x/kernel.ptx, line 63; error   : Not a name of any known instruction: 'fmx'\n\
                   ptxas /tmp/x/kernel.ptx, line 65; error   : Not a name of any known instruction: 'fmx'\n\
                   ptxas fatal   : Ptx assembly aborted due to errors\n";
        assert_eq!(
            first_error(log).as_deref(),
            Some("line 63: Not a name of any known instruction: 'fmx'")
        );
        assert_eq!(
            first_error("ptxas fatal   : Value 'sm_999' is not defined for option 'gpu-name'\n")
                .as_deref(),
            Some("Value 'sm_999' is not defined for option 'gpu-name'")
        );
    }

    #[test]
    fn the_help_lists_the_architectures_and_the_ptx_its_target() {
        let help = "Allowed values for this option:  'compute_100','sm_100','sm_100a','sm_120','sm_70','sm_90','sm_90a'.";
        assert_eq!(known_architectures(help), [70, 90, 100, 120]);
        assert_eq!(ptx_target(".version 8.8\n.target sm_52\n"), Some(52));
    }
}
