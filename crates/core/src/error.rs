//! The one error story every tool tells: a user's mistake or something
//! this machine lacks is one clear line and exit status 2, never a panic;
//! an internal failure says it is a bug, asks for a report and exits 1.

use std::fmt;
use std::process::ExitCode;

/// What stops a command: whose move it is, and one sentence without the
/// leading "error: ". Named `Error` for the `Result<T, Error>` every
/// reader expects; the constructors say which kind, so no site can leave
/// it unsaid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub line: String,
}

/// Whose move it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A mistake the user can fix: a bad argument, a size too big, an
    /// unwritable path they gave, an unknown step.
    Mistake,
    /// This machine lacks something (a GPU, NVRTC, MPI, a compiler, an
    /// instruction set, the network): the line says what to install or
    /// use instead.
    Missing,
    /// Not the user's doing: the workshop, or a library under it, failed.
    Bug,
}

impl Error {
    /// Something the user typed or chose, which they can fix.
    pub fn mistake(line: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Mistake,
            line: line.into(),
        }
    }

    /// Something this machine lacks.
    pub fn missing(line: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Missing,
            line: line.into(),
        }
    }

    /// A failure inside the workshop.
    pub fn bug(line: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Bug,
            line: line.into(),
        }
    }

    /// Prints the one line and gives the exit status: 2 for a mistake or
    /// something missing, 1 for a bug.
    pub fn report(&self) -> ExitCode {
        let (line, code) = self.rendered();
        // One write: `eprintln!` may write in pieces, and under mpirun
        // another process's output can land between them.
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        ExitCode::from(code)
    }

    /// The line `report` writes, and its exit status: apart, so a test can
    /// read them (`ExitCode` cannot be compared).
    fn rendered(&self) -> (String, u8) {
        match self.kind {
            ErrorKind::Mistake | ErrorKind::Missing => (format!("error: {}\n", self.line), 2),
            ErrorKind::Bug => (format!("error: {}{BUG_NOTE}\n", self.line), 1),
        }
    }
}

/// What a bug's line ends with: a tool that passes on a child's line
/// takes it off, so it is said once.
pub const BUG_NOTE: &str = " (a failure inside the workshop, not something you typed: please report it with the command you ran)";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

impl std::error::Error for Error {}

/// An instruction set this CPU lacks is something missing.
impl From<mandel_isa::Unavailable> for Error {
    fn from(unavailable: mandel_isa::Unavailable) -> Self {
        Error::missing(unavailable.0)
    }
}

/// What a probe found this machine lacks for a step or a flag (a GPU,
/// NVRTC, ptxas, a C compiler), in one line that says what to install.
/// Its own type, as `mandel_isa::Unavailable` is for an instruction set,
/// so a probe's answer cannot be a mistake or a bug: callers skip, emulate
/// or report it as [`ErrorKind::Missing`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Unavailable> for Error {
    fn from(unavailable: Unavailable) -> Self {
        Error::missing(unavailable.0)
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
    if std::env::var_os(CLI_DEFINITION).is_some() {
        println!("{}", definition(&mut command.clone()));
        return Err(ExitCode::SUCCESS);
    }
    let reported = |err: clap::Error| {
        if err.use_stderr() {
            Error::mistake(one_line(&err.render().to_string())).report()
        } else {
            // --help, --version: not a mistake.
            let _ = err.print();
            ExitCode::SUCCESS
        }
    };
    let matches = command.try_get_matches_from(args).map_err(reported)?;
    T::from_arg_matches(&matches).map_err(reported)
}

/// The environment variable that makes a binary print its command line's
/// definition (see [`definition`]) and exit instead of parsing: how the
/// command-line test walks every binary's flags from the very
/// `clap::Command` it parses with, hidden flags and subcommands included,
/// so a new flag is tried without anyone listing it.
pub const CLI_DEFINITION: &str = "MANDEL_CLI_DEFINITION";

/// `command` as JSON: its name, its arguments (id, `--long`, positional,
/// whether it takes a value and of what kind, its possible values) and
/// its subcommands, each the same.
pub fn definition(command: &mut clap::Command) -> serde_json::Value {
    use std::any::TypeId;
    use std::path::PathBuf;
    command.build();
    let args: Vec<serde_json::Value> = command
        .get_arguments()
        .filter(|arg| {
            !matches!(
                arg.get_action(),
                clap::ArgAction::Help
                    | clap::ArgAction::HelpShort
                    | clap::ArgAction::HelpLong
                    | clap::ArgAction::Version
            )
        })
        .map(|arg| {
            let parser = arg.get_value_parser();
            let possible: Vec<String> = arg
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_string())
                .collect();
            let type_id = parser.type_id();
            let kind = [
                (TypeId::of::<u32>(), "u32"),
                (TypeId::of::<u64>(), "u64"),
                (TypeId::of::<usize>(), "usize"),
                (TypeId::of::<PathBuf>(), "path"),
                (TypeId::of::<String>(), "string"),
                (TypeId::of::<bool>(), "bool"),
            ]
            .into_iter()
            .find(|(id, _)| type_id == *id)
            .map(|(_, kind)| kind)
            .unwrap_or(if possible.is_empty() { "other" } else { "enum" });
            serde_json::json!({
                "id": arg.get_id().as_str(),
                "long": arg.get_long(),
                "positional": arg.is_positional(),
                "takes_value": arg.get_action().takes_values(),
                "hidden": arg.is_hide_set(),
                "required": arg.is_required_set(),
                "kind": kind,
                "possible_values": possible,
                "delimiter": arg.get_value_delimiter().map(String::from),
            })
        })
        .collect();
    let subcommands: Vec<serde_json::Value> = command
        .get_subcommands_mut()
        .filter(|sub| sub.get_name() != "help")
        .map(definition)
        .collect();
    serde_json::json!({
        "name": command.get_name(),
        "args": args,
        "subcommands": subcommands,
    })
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
    fn each_kind_reports_its_status_and_prefix() {
        let user = "error: w must be at least 1\n";
        assert_eq!(
            Error::mistake("w must be at least 1").rendered(),
            (user.to_string(), 2)
        );
        assert_eq!(
            Error::missing("no mpirun").rendered(),
            ("error: no mpirun\n".to_string(), 2)
        );
        let (line, status) = Error::bug("the file watcher stopped").rendered();
        assert_eq!(status, 1);
        assert!(
            line.starts_with("error: the file watcher stopped (a failure inside the workshop")
                && line.contains("please report it")
                && line.ends_with(")\n")
                && line.lines().count() == 1,
            "{line:?}"
        );
        // Something missing is reported as such, from either probe's type.
        assert_eq!(
            Error::from(Unavailable("no GPU".into())).kind,
            ErrorKind::Missing
        );
        assert_eq!(
            Error::from(mandel_isa::Unavailable("no AVX2".into())).kind,
            ErrorKind::Missing
        );
    }

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
