//! `workshop diff A B`: the lesson between two steps, as the unified diff of
//! their reference files, for the projector. `workshop diff N`: the
//! attendee's file against the reference, which is the answer: it says so
//! unless the step already passes.

use std::io::IsTerminal;
use std::process::ExitCode;

use mandel_core::{Error, Step, Variant};
use similar::{ChangeTag, TextDiff};

use crate::checks::{Checker, Outcome};
use crate::registry::find_step;
use crate::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// A step (with B: the step to diff from).
    a: String,
    /// The step to diff to; without it, your exercise against A's reference.
    b: Option<String>,
    /// Colour the diff: auto (when printing to a terminal and NO_COLOR is
    /// unset), always or never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// `diff N` before step N passes: show the answer without asking.
    #[arg(long)]
    yes: bool,
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum Color {
    Auto,
    Always,
    Never,
}

pub fn run(args: &Args, profile: &str) -> Result<ExitCode, Error> {
    let colour = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let root = workspace::root();
    let read = |step: &Step, variant: Variant| {
        let path = step.path(variant);
        // Line endings are not the lesson: a file saved with Windows ones
        // diffs as the same file saved with Unix ones.
        std::fs::read_to_string(root.join(&path))
            .map(|text| (path.clone(), workspace::lf(&text).into_owned()))
            .map_err(|e| Error::mistake(format!("cannot read {path}: {e}")))
    };
    let a = find_step(&args.a)?;
    let b = args.b.as_deref().map(find_step).transpose()?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let ((old_name, old), (new_name, new), summary) = match b {
        Some(b) => {
            let summary = format!(
                "Step {:02} -> step {:02}, {}: {}.",
                a.number, b.number, b.name, b.lesson
            );
            (
                read(a, Variant::Solution)?,
                read(b, Variant::Solution)?,
                summary,
            )
        }
        None => {
            let outcome = Checker::new(&root, profile).check_one(a)?;
            let summary = if outcome.passes() {
                format!(
                    "Your step {:02} passes; here is how it differs from the reference.",
                    a.number
                )
            } else {
                let warning = warning(a, &outcome);
                if !args.yes && !confirmed(&warning) {
                    return Ok(ExitCode::from(1));
                }
                warning
            };
            (
                read(a, Variant::Exercise)?,
                read(a, Variant::Solution)?,
                summary,
            )
        }
    };
    let diff = TextDiff::from_lines(&old, &new);
    let (mut added, mut removed) = (0, 0);
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => added += 1,
            ChangeTag::Delete => removed += 1,
            ChangeTag::Equal => {}
        }
    }
    println!("{summary} (+{added} -{removed} lines)");
    if added + removed == 0 {
        println!("The two files are the same.");
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", unified(&diff, &old_name, &new_name, colour));
    Ok(ExitCode::SUCCESS)
}

fn warning(step: &Step, outcome: &Outcome) -> String {
    format!(
        "Warning: step {:02} does not pass yet ({}), so this diff is the answer. `{}` gives the next hint instead.",
        step.number,
        outcome.label(),
        step.hint_command()
    )
}

/// Whether the attendee wants the answer: asked at a terminal; elsewhere
/// (a script, an editor's task) only `--yes` says so.
fn confirmed(warning: &str) -> bool {
    use std::io::{BufRead, Write};
    if !std::io::stdin().is_terminal() {
        println!("{warning}");
        println!("Nothing shown: add --yes to see it anyway.");
        return false;
    }
    print!("{warning}\nShow it anyway? [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    let yes = matches!(answer.trim(), "y" | "Y" | "yes");
    if !yes {
        println!("Nothing shown.");
    }
    yes
}

/// A unified diff with three lines of context, coloured as git colours it
/// when `colour`.
fn unified<'a>(diff: &TextDiff<'a, 'a, str>, old: &str, new: &str, colour: bool) -> String {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    out += &paint("1", &format!("--- {old}\n+++ {new}\n"));
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out += &paint("36", &format!("{}", hunk.header()));
        out.push('\n');
        for change in hunk.iter_changes() {
            let (sign, code) = match change.tag() {
                ChangeTag::Delete => ("-", "31"),
                ChangeTag::Insert => ("+", "32"),
                ChangeTag::Equal => (" ", ""),
            };
            let line = format!("{sign}{}", change.value().trim_end_matches('\n'));
            out += &if code.is_empty() {
                line
            } else {
                paint(code, &line)
            };
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_diffs_mark_hunks_and_colour_only_when_asked() {
        let (old, new) = ("a\nb\nc\n", "a\nB\nc\n");
        let diff = TextDiff::from_lines(old, new);
        let plain = unified(&diff, "x", "y", false);
        assert_eq!(plain, "--- x\n+++ y\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
        let coloured = unified(&diff, "x", "y", true);
        assert!(coloured.contains("\x1b[31m-b\x1b[0m"), "{coloured:?}");
        assert!(coloured.contains("\x1b[32m+B\x1b[0m"), "{coloured:?}");
    }
}
