//! `workshop hint N`: the next hint not yet shown (progress is kept in a
//! git-ignored file at the root), or with `--all` every one. Hints are the
//! chapter's `## Hints` list, so the book and the tool never disagree.
//! The chapter's *What to write* names which hints are the core's and
//! which the optional part's; the core's come first, and each hint says
//! which part it is for.

use std::ops::RangeInclusive;
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
    // A chapter whose marks cannot be read still gives its hints, unlabelled
    // (the docs test is what holds every chapter to its marks).
    let parts = parts_in(step.chapter).ok();
    let optional_from = parts
        .as_ref()
        .and_then(|p| p.optional.clone())
        .map(|o| *o.start());
    let print_all = || {
        for (i, hint) in hints.iter().enumerate() {
            if Some(i + 1) == optional_from {
                println!("{OPTIONAL_HEADING}");
            }
            println!("{}. {hint}", i + 1);
        }
    };
    if args.all {
        print_all();
        return Ok(ExitCode::SUCCESS);
    }
    let root = workspace::root();
    let shown = workspace::hints_shown(&root, &step.id());
    if shown >= total {
        println!("You have seen all {total} hints; here they are again.\n");
        print_all();
        println!("\n{}", after_the_last(step));
        return Ok(ExitCode::SUCCESS);
    }
    let label = parts
        .as_ref()
        .and_then(|p| p.label(shown + 1))
        .map(|l| format!(" {l}"))
        .unwrap_or_default();
    println!("Hint {} of {total}:{label}\n{}\n", shown + 1, hints[shown]);
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

/// What a hint is for, said before it.
const CORE_LABEL: &str = "for the core, which everyone writes.";
const OPTIONAL_LABEL: &str = "optional, once your core passes.";
/// With `--all`, the line before the optional part's first hint.
const OPTIONAL_HEADING: &str = "Optional, once your core passes:";

/// The hints a chapter's *What to write* gives each part of the exercise,
/// as 1-based hint numbers: its `**Core**` paragraph names them as
/// `(hints 1-5)` or `(hint 1)`, its `**Optional**` paragraph likewise, or
/// names none where the optional part needs no hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    pub core: RangeInclusive<usize>,
    pub optional: Option<RangeInclusive<usize>>,
}

impl Parts {
    /// The words that say which part hint `n` is for.
    fn label(&self, n: usize) -> Option<&'static str> {
        if self.core.contains(&n) {
            Some(CORE_LABEL)
        } else if self.optional.as_ref().is_some_and(|o| o.contains(&n)) {
            Some(OPTIONAL_LABEL)
        } else {
            None
        }
    }
}

/// The hints `chapter`'s *What to write* names for its core and its
/// optional part, or what is missing.
pub fn parts_in(chapter: &str) -> Result<Parts, String> {
    let text = workspace::lf(chapter);
    let to_write = section(&text, "What to write").ok_or("no `## What to write` section")?;
    let core = to_write
        .split_once("**Core**")
        .ok_or("no **Core** paragraph")?
        .1;
    let (core, optional) = core
        .split_once("**Optional**")
        .ok_or("no **Optional** part after **Core**")?;
    // The optional part ends with its paragraph.
    let optional = optional.split("\n\n").next().unwrap_or(optional);
    let core = hint_numbers(core).ok_or("the **Core** part names no `(hints 1-N)`")?;
    let optional = hint_numbers(optional);
    Ok(Parts { core, optional })
}

/// The first `hint N` or `hints N-M` in `text` (not `cargo run -- hint N`,
/// which is a command).
pub fn hint_numbers(text: &str) -> Option<RangeInclusive<usize>> {
    // Words joined into one line, so a mark split over two lines still reads.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut rest = text.as_str();
    while let Some(at) = rest.find("hint") {
        let before = &rest[..at];
        let after = rest[at + 4..].trim_start_matches('s');
        rest = &rest[at + 4..];
        if before.ends_with("-- ") || !after.starts_with(' ') {
            continue;
        }
        let numbers: String = after[1..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        let mut ends = numbers.split('-').map(str::parse::<usize>);
        let Some(Ok(first)) = ends.next() else {
            continue;
        };
        let last = match ends.next() {
            Some(Ok(last)) => last,
            Some(Err(_)) => continue,
            None => first,
        };
        return Some(first..=last);
    }
    None
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
    fn the_parts_are_read_from_what_to_write() {
        let md = "# T\n\n## What to write\n\n**Core** (everyone): the loop, `cargo run -- hint 9` (hints\n1-3). **Optional** (if you finish early): more (hint 4).\n\nThen **run** it (hint 7).\n\n## Hints\n";
        let parts = parts_in(md).unwrap();
        assert_eq!(parts.core, 1..=3);
        assert_eq!(parts.optional, Some(4..=4));
        assert_eq!(parts.label(1), Some(CORE_LABEL));
        assert_eq!(parts.label(5), None);
        let none_optional = md.replace(" (hint 4)", "");
        assert_eq!(parts_in(&none_optional).unwrap().optional, None);
        assert!(parts_in(&md.replace("(hints\n1-3)", "")).is_err());
        assert!(parts_in("# T\n").is_err());
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
