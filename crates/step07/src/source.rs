//! The CUDA C this step compiles at run time, as the binary holds it, and
//! how it is compiled: the precision and whether multiply-adds fuse.

use std::fmt;

/// The header with the problem's contract, which every kernel includes.
pub const HEADER_PATH: &str = "kernels/mandel.cuh";
const HEADER: &str = include_str!("../../../kernels/mandel.cuh");
const INCLUDE: &str = "#include \"mandel.cuh\"";

/// One `.cu` file: where it lives in the repository (errors name it) and
/// the kernel the host launches from it.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    pub path: &'static str,
    pub text: &'static str,
    pub entry: &'static str,
}

/// The reference elementwise kernel (the exercise's is in `attendee.rs`).
pub const SOLUTION: Source = Source {
    path: "solutions/step07/calculate_z.cu",
    text: include_str!("../../../solutions/step07/calculate_z.cu"),
    entry: "calculate_z",
};

/// The exercise as shipped: what `exercises/step07/calculate_z.cu` is
/// until the attendee writes it (a build copies it there where missing).
pub const STUB: Source = Source {
    path: "crates/step07/stub/calculate_z.cu",
    text: include_str!("../stub/calculate_z.cu"),
    entry: "calculate_z",
};

/// The tutorial's SourceModule kernel, with a fixed launch shape.
pub const GRIDSTRIDE: Source = Source {
    path: "kernels/gridstride.cu",
    text: include_str!("../../../kernels/gridstride.cu"),
    entry: "calculate_z_gridstride",
};

/// gpuarray's whole-array passes, one kernel per operation.
pub const ARRAYS: Source = Source {
    path: "kernels/arrays.cu",
    text: include_str!("../../../kernels/arrays.cu"),
    entry: "square",
};

/// The fused-multiply-add peak probe.
pub const PEAK: Source = Source {
    path: "kernels/peak.cu",
    text: include_str!("../../../kernels/peak.cu"),
    entry: "fma_peak",
};

/// Every kernel in `kernels/` (the exercise and solution are the step's).
pub const KERNELS: [Source; 3] = [GRIDSTRIDE, ARRAYS, PEAK];

impl Source {
    /// The text to compile, on its own: the header pasted where it is
    /// included, with `#line` markers, so that a compiler's error names
    /// `exercises/step07/calculate_z.cu` and the line the attendee sees
    /// (NVRTC could search include paths, but the binary must not depend on
    /// where it is run from).
    pub fn assembled(&self) -> String {
        let mut text = String::with_capacity(self.text.len() + HEADER.len() + 200);
        for (index, line) in self.text.lines().enumerate() {
            if line.trim() == INCLUDE {
                text.push_str(&format!("#line 1 \"{HEADER_PATH}\"\n{HEADER}"));
                if !HEADER.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(&format!("#line {} \"{}\"\n", index + 2, self.path));
            } else {
                if index == 0 {
                    text.push_str(&format!("#line 1 \"{}\"\n", self.path));
                }
                text.push_str(line);
                text.push('\n');
            }
        }
        text
    }
}

/// Floating-point width of the points and of every operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Precision {
    /// double, as every CPU step.
    #[default]
    F64,
    /// float, as the tutorial's old card had to.
    F32,
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        })
    }
}

/// How the kernels are compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Build {
    pub precision: Precision,
    /// Let the compiler contract a multiply and an add into one fused
    /// multiply-add (NVRTC's `--fmad`, on unless told otherwise).
    pub fmad: bool,
}

impl Build {
    /// The oracle's arithmetic: f64, nothing fused.
    pub const EXACT: Build = Build {
        precision: Precision::F64,
        fmad: false,
    };

    /// The compiler options both NVRTC and the CPU emulation understand.
    pub fn defines(&self) -> Vec<String> {
        match self.precision {
            Precision::F64 => Vec::new(),
            Precision::F32 => vec!["-DMANDEL_F32".to_string()],
        }
    }

    /// Bytes of one `real`.
    pub fn real_bytes(&self) -> usize {
        match self.precision {
            Precision::F64 => 8,
            Precision::F32 => 4,
        }
    }

    /// `f64, fused multiply-add`, for the run's first line.
    pub fn describe(&self) -> String {
        let fused = if self.fmad {
            "multiply-adds fused (--fmad true)"
        } else {
            "nothing fused (--fmad false)"
        };
        format!("{}, {fused}", self.precision)
    }
}

// The step's machinery: tested with `--features solution`, not in the
// attendee's `cargo test -p stepNN`.
#[cfg(all(test, feature = "solution"))]
mod tests {
    use super::*;

    #[test]
    fn a_file_saved_with_windows_line_endings_compiles_as_the_same_text() {
        // Windows editors and git's `core.autocrlf` save `\r\n`: the
        // compilers (NVRTC, the CPU emulation's) get the text they get
        // from the file saved with `\n`, so it checks the same.
        let crlf = SOLUTION.text.replace('\n', "\r\n");
        let saved = Source {
            text: Box::leak(crlf.into_boxed_str()),
            ..SOLUTION
        };
        assert!(saved.text.contains("\r\n"));
        assert_eq!(saved.assembled(), SOLUTION.assembled());
    }

    #[test]
    fn the_header_is_pasted_in_and_lines_still_name_the_file() {
        let assembled = SOLUTION.assembled();
        assert!(!assembled.contains(INCLUDE));
        assert!(assembled.contains("#define MANDEL_UNWRITTEN"));
        // Line k of the file is the line after `#line k "file"` markers
        // count from: find the kernel's signature both ways.
        let file_line = SOLUTION
            .text
            .lines()
            .position(|l| l.contains("__global__"))
            .unwrap()
            + 1;
        let lines: Vec<&str> = assembled.lines().collect();
        let at = lines.iter().position(|l| l.contains("__global__")).unwrap();
        let marker = lines[..at]
            .iter()
            .rposition(|l| l.starts_with("#line "))
            .unwrap();
        let declared: usize = lines[marker]
            .split_whitespace()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        assert!(lines[marker].ends_with(&format!("\"{}\"", SOLUTION.path)));
        assert_eq!(declared + (at - marker - 1), file_line);
    }
}

/// Whether CUDA C `text` names the type `float` in its code (comments
/// aside): an attendee who meant the file's `real`.
pub fn declares_float(text: &str) -> bool {
    let mut code = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |end| &after[end..]);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |end| &after[end + 2..]);
            code.push(' ');
        } else {
            let c = rest.chars().next().expect("not empty");
            code.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| word == "float")
}

#[cfg(test)]
mod float_tests {
    use super::declares_float;

    #[test]
    fn float_in_code_counts_and_in_comments_does_not() {
        assert!(declares_float("float zr = 0;"));
        assert!(declares_float("real a; (float)a;"));
        assert!(!declares_float("// float would be faster\nreal zr;"));
        assert!(!declares_float("/* float */ real zr; real floaty;"));
        assert!(!declares_float(super::SOLUTION.text));
    }
}
