//! `workshop hint N`: the next hint not yet shown (progress is kept in a
//! git-ignored file at the root), or with `--all` every one. Hints are the
//! chapter's `## Hints` list, so the book and the tool never disagree.

use std::process::ExitCode;

use mandel_core::{Step, UserError, Variant};

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

pub fn run(args: &Args) -> Result<ExitCode, UserError> {
    let step = find_step(&args.step)?;
    let hints = step.hints();
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
