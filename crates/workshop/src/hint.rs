//! `workshop hint N`: the next hint not yet shown (progress is kept in a
//! git-ignored file at the root), or with `--all` every one. Hints are the
//! chapter's `## Hints` list, so the book and the tool never disagree.

use std::process::ExitCode;

use mandel_core::{Error, Step, Variant};

use crate::registry::find_step;
use crate::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// The step: 1, 01 or step01.
    step: String,
    /// Every hint at once, the last ones close to the answer.
    #[arg(long)]
    all: bool,
}

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let step = find_step(&args.step)?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let hints = hints(step);
    let total = hints.len();
    println!(
        "Step {:02}, {}: hints for {} (from docs/src/{})\n",
        step.number,
        step.name,
        step.path(Variant::Exercise),
        step.chapter_file
    );
    if total == 0 {
        println!("This chapter has no hints yet.");
        return Ok(ExitCode::SUCCESS);
    }
    if args.all {
        for (i, hint) in hints.iter().enumerate() {
            println!("{}. {hint}", i + 1);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let root = workspace::root();
    let shown = workspace::hints_shown(&root, &step.id());
    if shown >= total {
        println!("You have seen all {total} hints; here they are again.\n");
        for (i, hint) in hints.iter().enumerate() {
            println!("{}. {hint}", i + 1);
        }
        println!("\n{}", after_the_last(step));
        return Ok(ExitCode::SUCCESS);
    }
    println!("Hint {} of {total}:\n{}\n", shown + 1, hints[shown]);
    if shown + 1 < total {
        println!(
            "`{}` again for the next, `--all` for every one.",
            step.hint_command()
        );
    } else {
        println!("That was the last one. {}", after_the_last(step));
    }
    if let Err(why) = workspace::record_hints_shown(&root, &step.id(), shown + 1) {
        eprintln!("(Hint progress not saved: {why}.)");
    }
    Ok(ExitCode::SUCCESS)
}

fn after_the_last(step: &Step) -> String {
    format!(
        "The chapter, docs/src/{}, explains the step in full; `cargo run -- diff {}` shows the reference, which is the answer.",
        step.chapter_file, step.number
    )
}

/// The numbered items of `step`'s chapter's `## Hints` section, in order,
/// each without its number.
/// (A checkout with Windows line endings, git's `core.autocrlf`, has the
/// same hints.)
pub fn hints(step: &Step) -> Vec<String> {
    hints_in(step.chapter)
}

/// The hints of a chapter's text, for the checklist, which reads chapters
/// from disk before any step is compiled.
pub(crate) fn hints_in(chapter: &str) -> Vec<String> {
    section(&workspace::lf(chapter), "Hints").map_or_else(Vec::new, numbered_items)
}

/// The items of a markdown numbered list (`1. ...`, continued on the lines
/// after it), each without its number.
fn numbered_items(list: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for line in list.lines() {
        let numbered = line
            .split_once(". ")
            .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        match (numbered, items.last_mut()) {
            (Some((_, first)), _) => items.push(first.to_string()),
            (None, Some(item)) if !line.trim().is_empty() => {
                item.push('\n');
                item.push_str(line.trim());
            }
            _ => {}
        }
    }
    items
}

/// The body of the markdown section `## {title}`, up to the next `## `.
fn section<'a>(markdown: &'a str, title: &str) -> Option<&'a str> {
    let heading = format!("## {title}\n");
    let start = markdown.find(&heading)? + heading.len();
    let rest = &markdown[start..];
    let end = rest.find("\n## ").map_or(rest.len(), |i| i + 1);
    Some(rest[..end].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_cut_at_the_next_heading() {
        let md = "# T\n\n## Hints\n\n1. one\n2. two\n\n## Next\nx\n";
        assert_eq!(section(md, "Hints"), Some("1. one\n2. two"));
        assert_eq!(section(md, "Next"), Some("x"));
        assert_eq!(section(md, "Missing"), None);
    }

    #[test]
    fn a_chapter_with_windows_line_endings_has_the_same_hints() {
        let step = crate::registry::LADDER[0];
        let crlf = Step {
            chapter: Box::leak(step.chapter.replace('\n', "\r\n").into_boxed_str()),
            ..*step
        };
        assert!(!hints(step).is_empty());
        assert_eq!(hints(&crlf), hints(step));
    }

    #[test]
    fn hints_are_the_numbered_items_with_their_continuation_lines() {
        let list = "1. Make `z`:\n   `vec![0; n]`.\n2. Loop.\n\n10. Last, with 10. inside.\nNot numbered: x. y\n";
        assert_eq!(
            numbered_items(list),
            [
                "Make `z`:\n`vec![0; n]`.",
                "Loop.",
                "Last, with 10. inside.\nNot numbered: x. y"
            ]
        );
    }
}
