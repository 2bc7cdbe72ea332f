//! The one error story every tool tells: a user's mistake or something
//! this machine lacks is one clear line and exit status 2, never a panic;
//! an internal failure says it is a bug.

use std::fmt;
use std::process::ExitCode;

/// What stops a command, as one sentence without the leading "error: ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    pub kind: ErrorKind,
    pub line: String,
}

/// Whose move it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A mistake the user can fix: a bad argument, a size too big, an
    /// unwritable path, an unknown step.
    Mistake,
    /// This machine lacks something (a GPU, NVRTC, MPI, a compiler, an
    /// instruction set): the line says what to install or use instead.
    Missing,
    /// Not the user's doing: the workshop, or a library under it, failed.
    Bug,
}

impl UserError {
    /// A user's mistake.
    pub fn new(line: impl Into<String>) -> Self {
        UserError {
            kind: ErrorKind::Mistake,
            line: line.into(),
        }
    }

    /// Something this machine lacks.
    pub fn missing(line: impl Into<String>) -> Self {
        UserError {
            kind: ErrorKind::Missing,
            line: line.into(),
        }
    }

    /// An internal failure.
    pub fn bug(line: impl Into<String>) -> Self {
        UserError {
            kind: ErrorKind::Bug,
            line: line.into(),
        }
    }

    /// Prints the one line and gives the exit status: 2 for a mistake or
    /// something missing, 1 for a bug.
    pub fn report(&self) -> ExitCode {
        let (line, code) = match self.kind {
            ErrorKind::Mistake | ErrorKind::Missing => (format!("error: {}\n", self.line), 2),
            ErrorKind::Bug => (
                format!(
                    "error: {} (a failure inside the workshop, not something you typed: please report it with the command you ran)\n",
                    self.line
                ),
                1,
            ),
        };
        // One write: `eprintln!` may write in pieces, and under mpirun
        // another process's output can land between them.
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        ExitCode::from(code)
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

impl std::error::Error for UserError {}

/// An instruction set this CPU lacks is something missing.
impl From<mandel_isa::Unavailable> for UserError {
    fn from(unavailable: mandel_isa::Unavailable) -> Self {
        UserError::missing(unavailable.0)
    }
}

/// What this machine lacks for a step or a flag, in one line that says
/// what to install: a value, so callers can tell it from a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing(pub String);

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Missing> for UserError {
    fn from(missing: Missing) -> Self {
        UserError::missing(missing.0)
    }
}

/// Parses the command line with clap, but reports a mistake as one line and
/// exit status 2 (clap's own report spans several lines). `--help` and
/// `--version` print as usual and exit 0.
pub fn parse_args<T: clap::Parser>() -> Result<T, ExitCode> {
    parse_args_from(std::env::args_os())
}

/// [`parse_args`] over given arguments (the first is the program name).
pub fn parse_args_from<T, I, A>(args: I) -> Result<T, ExitCode>
where
    T: clap::Parser,
    I: IntoIterator<Item = A>,
    A: Into<std::ffi::OsString> + Clone,
{
    parse_with::<T, _, _>(T::command(), args)
}

/// Parses `args` against `command` into `T`, with [`parse_args`]' reporting.
pub fn parse_with<T, I, A>(command: clap::Command, args: I) -> Result<T, ExitCode>
where
    T: clap::FromArgMatches,
    I: IntoIterator<Item = A>,
    A: Into<std::ffi::OsString> + Clone,
{
    die_quietly_on_closed_pipe();
    let reported = |err: clap::Error| {
        if err.use_stderr() {
            UserError::new(one_line(&err.render().to_string())).report()
        } else {
            // --help, --version: not a mistake.
            let _ = err.print();
            ExitCode::SUCCESS
        }
    };
    let matches = command.try_get_matches_from(args).map_err(reported)?;
    T::from_arg_matches(&matches).map_err(reported)
}

/// `workshop | head` closes the pipe early. Rust ignores SIGPIPE, so the
/// next print would panic; restoring the default makes the program end
/// quietly there, as every Unix tool does. Every binary parses its
/// arguments through here, so this is the one place for it.
fn die_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to the default has no
    // preconditions; it runs before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Folds clap's report to one line: the message without the usage block.
fn one_line(rendered: &str) -> String {
    let message: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more information"))
        .filter(|line| !line.is_empty())
        .collect();
    let joined = message.join(" ");
    joined
        .strip_prefix("error: ")
        .unwrap_or(&joined)
        .to_string()
}

/// clap value parser for `w`, `maxiter` and other counts: a whole number of
/// at least 1.
pub fn positive<T>(text: &str) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + From<u8>,
{
    match text.trim().parse::<T>() {
        Ok(value) if value >= T::from(1) => Ok(value),
        Ok(_) => Err("must be at least 1".to_string()),
        Err(_) => Err("must be a positive whole number, like 1000".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_reports_fold_to_one_line() {
        let rendered = "error: the following required arguments were not provided:\n  <MAXITER>\n\nUsage: step01 <W> <MAXITER>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(rendered),
            "the following required arguments were not provided: <MAXITER>"
        );
    }

    #[test]
    fn positive_accepts_only_whole_numbers_from_one() {
        assert_eq!(positive::<u32>("1000"), Ok(1000));
        assert!(positive::<u32>("0").is_err());
        assert!(positive::<u32>("-5").is_err());
        assert!(positive::<u32>("1e3").is_err());
        assert!(positive::<u32>("99999999999").is_err());
    }
}
