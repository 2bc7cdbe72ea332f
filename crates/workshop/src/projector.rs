//! The projector pages and the command sheet: what the instructor puts up
//! while the room works, one screen per step (`docs/src/projector/stepNN.md`),
//! and the page attendees print (`docs/src/command-sheet.md`).
//!
//! Both are written by `cargo run -p lab -- projector` from what the rest
//! of the workshop already holds, never typed: the registry (names, files,
//! the self-check command), the book's figures (`docs/src/figures/`: today's
//! time is the ladder figure's row, with the machine it ran on; the picture
//! is the first one the step's chapter shows), the runner's own command
//! line ([`crate::cli`]) and the 2011 results below. A test regenerates
//! them and fails when the checked-in pages differ, so they cannot drift.

use std::fmt::Write as _;
use std::path::Path;

use clap::CommandFactory;
use mandel_core::run::CommonArgs;
use mandel_core::{Error, Step, Variant};

use crate::registry::LADDER;

/// What the tutorial recorded for one step, as its chapter states it: the
/// one place the 2011 numbers are data. Every time in `result` must appear
/// in the step's chapter (a test holds them together).
pub struct Then {
    pub step: u32,
    /// The script and its time, and what it is measured against.
    pub result: &'static str,
    /// The machine it ran on.
    pub machine: &'static str,
}

/// Where every 2011 time comes from: the author's write-up of the
/// tutorial, which each chapter cites (`tutorial/FACTS.md` lists them).
pub const SOURCE: &str =
    "https://github.com/ianozsvald/EuroPython2011_HighPerformanceComputing/blob/master/docs/index.rst";

const MACBOOK: &str = "the author's 2008 MacBook, Core 2 Duo 2.0 GHz";

/// The tutorial's results, one per step on the ladder (500 x 500 points,
/// 1000 iterations: the workshop's `1000 1000`).
pub const THEN: &[Then] = &[
    Then {
        step: 1,
        result: "pure_python.py on CPython 2.7: 49 s",
        machine: MACBOOK,
    },
    Then {
        step: 2,
        result: "Cython: 20 s untyped, 9.8 s typed, 0.6 s with the maths written out",
        machine: MACBOOK,
    },
    Then {
        step: 3,
        result: "numpy_vector.py 54 s (pure_python_2.py 30 s); in blocks of 20,000 points 42 s",
        machine: MACBOOK,
    },
    Then {
        step: 4,
        result: "numexpr 19.1 s (numpy_vector.py 54 s)",
        machine: MACBOOK,
    },
    Then {
        step: 5,
        result: "multiprocessing on 2 cores: 19 s (pure_python_2.py 30 s)",
        machine: MACBOOK,
    },
    Then {
        step: 6,
        result: "ParallelPython: 18 s on 2 cores, 6 s on 3 machines",
        machine: MACBOOK,
    },
    Then {
        step: 7,
        result: "pyCUDA elementwise, float64: 0.07 s (pure_python_2.py 35 s)",
        machine: "a desktop i3 2.9 GHz with a GTX 480",
    },
];

/// The book's folder, from the repository root.
const BOOK: &str = "docs/src";
/// The figure whose rows are today's results.
const LADDER_FIGURE: &str = "figures/ladder.txt";
/// The picture for a step whose chapter shows none: the problem itself.
const PICTURE: (&str, &str) = (
    "figures/mandelbrot.png",
    "The tutorial's 1000 1000: what every step computes",
);
/// The command sheet, from the book's folder.
pub const SHEET: &str = "command-sheet.md";
/// The projector pages' folder, from the book's folder.
pub const FOLDER: &str = "projector";

/// A generated page: its path from the repository root, and its text.
pub struct Page {
    pub path: String,
    pub text: String,
}

/// The first line of every generated page.
fn written_by(from: &str) -> String {
    format!(
        "<!-- Written by `cargo run -p lab -- projector` from {from}: edit those and run it again, not this file. -->\n"
    )
}

/// Every page this module writes, from the book's figures under `root`.
pub fn pages(root: &Path) -> Result<Vec<Page>, Error> {
    let figure = root.join(BOOK).join(LADDER_FIGURE);
    let ladder = std::fs::read_to_string(&figure)
        .map_err(|e| Error::mistake(format!("cannot read {}: {e}", figure.display())))?;
    let ladder = LadderFigure::parse(&ladder)?;
    let mut pages = Vec::new();
    for (at, step) in LADDER.iter().enumerate() {
        pages.push(Page {
            path: format!("{BOOK}/{}", page_of(step)),
            text: projector_page(root, step, &ladder, at)?,
        });
    }
    pages.push(Page {
        path: format!("{BOOK}/{SHEET}"),
        text: sheet(),
    });
    Ok(pages)
}

/// A step's projector page, from the book's folder.
pub fn page_of(step: &Step) -> String {
    format!("{FOLDER}/{}.md", step.id())
}

/// Text for Markdown: every character that could start markup escaped
/// (`Vec<Complex64>` would be an HTML tag, `|z|` a table), except inside
/// the code spans the text itself marks with backticks.
fn text(words: &str) -> String {
    let mut out = String::with_capacity(words.len());
    let mut code = false;
    for c in words.chars() {
        if c == '`' {
            code = !code;
        } else if !code && "\\*_[]<>#|!&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A block of Markdown in a `<div>` of this class (blank lines around it,
/// so that Markdown inside an HTML block is read as Markdown).
fn div(page: &mut String, class: &str, markdown: &str) {
    let _ = write!(page, "<div class=\"{class}\">\n\n{markdown}\n\n</div>\n\n");
}

fn projector_page(
    root: &Path,
    step: &Step,
    ladder: &LadderFigure,
    at: usize,
) -> Result<String, Error> {
    let then = THEN.iter().find(|t| t.step == step.number).ok_or_else(|| {
        Error::bug(format!(
            "{} has no 2011 result in crates/workshop/src/projector.rs's THEN",
            step.id()
        ))
    })?;
    let mut page = written_by(&format!(
        "the registry, docs/src/{LADDER_FIGURE} and docs/src/{}",
        step.chapter_file
    ));
    page.push_str("<div class=\"projector\">\n\n");
    let _ = writeln!(
        page,
        "# Step {:02}: {}\n\n<p class=\"technique\">{}</p>\n",
        step.number,
        text(step.name),
        html(step.technique)
    );
    div(
        &mut page,
        "then",
        &format!(
            "**2011** {}<br>\n<span class=\"source\">On {}; from [the author's write-up]({SOURCE}).</span>",
            text(then.result),
            text(then.machine)
        ),
    );
    let today = match ladder.today(step)? {
        Today::Row {
            median,
            rate,
            speedup,
        } => format!(
            "**Today** {} · {} z-updates/s · {} step 01",
            text(&median),
            text(&rate),
            text(&speedup)
        ),
        Today::Skipped(why) => format!("**Today** not run: {}", text(&why)),
    };
    div(
        &mut page,
        "today",
        &format!(
            "{today}<br>\n<span class=\"source\">{} `{}`</span>",
            text(&ladder.machine),
            ladder.command
        ),
    );
    div(
        &mut page,
        "command",
        &format!("`cargo test -p {}`", step.id()),
    );
    let (picture, alt) = first_picture(step.chapter).unwrap_or(PICTURE);
    if !root.join(BOOK).join(picture).is_file() {
        return Err(Error::mistake(format!(
            "{}'s picture docs/src/{picture} is missing: `cargo run --release -p lab -- figures` makes it",
            step.id()
        )));
    }
    div(
        &mut page,
        "picture",
        &format!("![{}](../{picture})", text(alt)),
    );
    let mut turn = Vec::new();
    if let Some(previous) = at.checked_sub(1).and_then(|i| LADDER.get(i)) {
        turn.push(format!(
            "[← step {:02}]({}.md)",
            previous.number,
            previous.id()
        ));
    }
    turn.push(format!("[the chapter](../{})", step.chapter_file));
    turn.push(format!("[command sheet](../{SHEET})"));
    if let Some(next) = LADDER.get(at + 1) {
        turn.push(format!("[step {:02} →]({}.md)", next.number, next.id()));
    }
    div(&mut page, "turn", &turn.join(" · "));
    page.push_str("</div>\n");
    Ok(page)
}

/// Text for inside an HTML element.
fn html(words: &str) -> String {
    words
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The first image a chapter shows from the figures: its path from the
/// book's folder and its alt text.
fn first_picture(chapter: &str) -> Option<(&str, &str)> {
    chapter.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("![")?;
        let (alt, rest) = rest.split_once("](")?;
        let path = rest.split(')').next()?;
        path.starts_with("figures/").then_some((path, alt))
    })
}

/// Today's result for one step, from the ladder figure.
#[derive(Debug, PartialEq)]
pub enum Today {
    Row {
        median: String,
        rate: String,
        speedup: String,
    },
    /// The figure's line says why the step did not run there.
    Skipped(String),
}

/// `docs/src/figures/ladder.txt`: the machine it ran on, the command, and
/// a row per step.
pub struct LadderFigure {
    pub machine: String,
    pub command: String,
    header: String,
    lines: Vec<String>,
}

impl LadderFigure {
    pub fn parse(figure: &str) -> Result<LadderFigure, Error> {
        let wrong = |what: &str| {
            Error::mistake(format!(
                "docs/src/{LADDER_FIGURE}: {what}: remake it with `cargo run --release -p lab -- figures --only ladder.txt`"
            ))
        };
        let mut lines = figure.lines();
        let machine = lines
            .next()
            .filter(|l| l.starts_with("Measured on "))
            .ok_or_else(|| wrong("no `Measured on` line first"))?;
        let command = lines
            .next()
            .and_then(|l| l.strip_prefix("$ "))
            .ok_or_else(|| wrong("no `$ command` line second"))?;
        let lines: Vec<String> = lines.map(str::to_string).collect();
        let header = lines
            .iter()
            .find(|l| l.starts_with("step ") && l.contains(" median ") && l.ends_with(" oracle"))
            .ok_or_else(|| wrong("no table header (step ... median ... oracle)"))?
            .clone();
        Ok(LadderFigure {
            machine: machine.to_string(),
            command: command.to_string(),
            header,
            lines,
        })
    }

    /// Where a column's heading ends: the right-aligned values end there.
    fn end(&self, column: &str) -> Option<usize> {
        self.header.find(column).map(|at| at + column.len())
    }

    pub fn today(&self, step: &Step) -> Result<Today, Error> {
        let skipped = format!("{} {} skipped: ", step.id(), step.name);
        if let Some(why) = self.lines.iter().find_map(|l| l.strip_prefix(&skipped)) {
            // The reason, without what follows from it.
            return Ok(Today::Skipped(why.split(';').next().unwrap_or(why).into()));
        }
        let row = self
            .lines
            .iter()
            .find(|l| l.starts_with(&format!("{} ", step.id())))
            .ok_or_else(|| {
                Error::mistake(format!(
                    "docs/src/{LADDER_FIGURE} has no row for {}: `cargo run --release -p lab -- figures --only ladder.txt` remakes it",
                    step.id()
                ))
            })?;
        let column = |from: usize, to: Option<usize>| -> Option<String> {
            Some(row.get(from..to?)?.trim().to_string())
        };
        let median_end = self.end("median");
        // The median is two words (`0.331 s`), the first column that is
        // right-aligned: everything left of it is the step's own text.
        let median = row.get(..median_end.unwrap_or(0)).map(|left| {
            let words: Vec<&str> = left.split_whitespace().collect();
            words[words.len().saturating_sub(2)..].join(" ")
        });
        let rate = column(median_end.unwrap_or(0), self.end("z-updates/s"));
        let speedup = column(self.end("% peak").unwrap_or(0), self.end("speedup"));
        match (median, rate, speedup) {
            (Some(median), Some(rate), Some(speedup))
                if !median.is_empty() && !rate.is_empty() && speedup.ends_with('x') =>
            {
                Ok(Today::Row {
                    median,
                    rate,
                    speedup,
                })
            }
            _ => Err(Error::mistake(format!(
                "docs/src/{LADDER_FIGURE}: {}'s row is not in the header's columns: {row}",
                step.id()
            ))),
        }
    }
}

/// Which runner commands are run with `--release`: those that time code
/// or build it all (as `workshop setup` builds them and the book quotes
/// them); the others build the runner unoptimised.
const RELEASE: &[&str] = &["ladder", "setup", "status", "fastest"];

/// A command's arguments as the sheet shows them: the positional ones in
/// the command (`<STEP>`, `[B]`), every other visible one after it.
fn arguments(command: &clap::Command) -> (String, Vec<String>) {
    let mut usage = String::new();
    let mut also = Vec::new();
    for arg in command.get_arguments() {
        if arg.is_hide_set() || arg.is_global_set() || arg.get_id() == "help" {
            continue;
        }
        let name = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map_or_else(
                || arg.get_id().to_string().to_uppercase(),
                |n| n.to_string(),
            );
        if arg.is_positional() {
            if arg.is_required_set() {
                let _ = write!(usage, " <{name}>");
            } else {
                also.push(format!("[{name}]"));
            }
        } else if let Some(long) = arg.get_long() {
            also.push(format!("--{long}"));
        }
    }
    (usage, also)
}

/// One line of the sheet's tables.
fn row(typed: &str, also: &[String], does: &str) -> String {
    let also = if also.is_empty() {
        String::new()
    } else {
        let words: Vec<String> = also.iter().map(|a| format!("`{a}`")).collect();
        format!(" <span class=\"also\">also {}</span>", words.join(" "))
    };
    format!("| `{typed}`{also} | {} |\n", text(does))
}

/// The command sheet: the commands an attendee types, from the runner's
/// and the steps' own command lines, and the steps from the registry.
pub fn sheet() -> String {
    let mut page = written_by("the runner's command line, the steps' and the registry");
    page.push_str("<div class=\"command-sheet\">\n\n# Command sheet\n\n");
    page.push_str(
        "Typed in the workshop's folder; `--help` after any of them says all it takes. Your browser's Print, on this page, puts this on one sheet.\n\n",
    );
    page.push_str("| you type | what it does |\n|---|---|\n");
    // A step's own commands: the self-check and the timed run.
    page.push_str(&row(
        "cargo test -p stepNN",
        &[],
        "Check your step NN: stub, does not compile, wrong or passes, and why",
    ));
    let common = <CommonArgs as clap::Args>::augment_args(clap::Command::new("stepNN"));
    // The command names the problem, the tutorial's `<W> <MAXITER>`: the
    // flags are what else it takes.
    let (_, mut also) = arguments(&common);
    also.retain(|a| a.starts_with("--"));
    page.push_str(&row(
        "cargo run --release -p stepNN -- 1000 1000",
        &also,
        "Run your step NN on the tutorial's problem as its script ran, timed and checked against the oracle",
    ));
    let cli = crate::cli::Cli::command();
    for command in cli.get_subcommands() {
        let name = command.get_name();
        let about = command
            .get_about()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let (usage, also) = arguments(command);
        let release = if RELEASE.contains(&name) {
            " --release"
        } else {
            ""
        };
        if name == "ladder" {
            // What `cargo run --release` runs with no command.
            page.push_str(&row("cargo run --release", &[], &about));
        } else {
            page.push_str(&row(
                &format!("cargo run{release} -- {name}{usage}"),
                &also,
                &about,
            ));
        }
    }
    page.push_str("\n## The steps\n\n| step | the tutorial's | you edit |\n|---|---|---|\n");
    for step in LADDER {
        let _ = writeln!(
            page,
            "| {:02} {} | {} | `{}` |",
            step.number,
            text(step.name),
            text(step.tutorial),
            step.path(Variant::Exercise)
        );
    }
    page.push_str("\n</div>\n");
    page
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn the_checked_in_pages_are_what_the_generator_makes_now() {
        let pages = pages(&root()).unwrap_or_else(|e| panic!("{e}"));
        let mut stale = Vec::new();
        for page in &pages {
            let checked_in = std::fs::read_to_string(root().join(&page.path)).unwrap_or_default();
            if crate::workspace::lf(&checked_in) != page.text {
                stale.push(page.path.clone());
            }
        }
        // And nothing in the projector's folder that it no longer makes.
        let made: BTreeSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
        for entry in std::fs::read_dir(root().join(BOOK).join(FOLDER)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let path = format!("{BOOK}/{FOLDER}/{name}");
            if !made.contains(path.as_str()) {
                stale.push(format!("{path} (made no more: delete it)"));
            }
        }
        assert!(
            stale.is_empty(),
            "not what `cargo run -p lab -- projector` makes now (run it and commit the pages):\n{}",
            stale.join("\n")
        );
    }

    #[test]
    fn every_step_on_the_ladder_has_a_projector_page_in_the_summary() {
        let summary = std::fs::read_to_string(root().join(BOOK).join("SUMMARY.md")).unwrap();
        let pages = pages(&root()).unwrap_or_else(|e| panic!("{e}"));
        for step in LADDER {
            let page = page_of(step);
            assert!(
                pages.iter().any(|p| p.path == format!("{BOOK}/{page}")),
                "no projector page for {}",
                step.id()
            );
            assert!(
                summary.contains(&format!("]({page})")),
                "link {page} in docs/src/SUMMARY.md"
            );
            let then = THEN.iter().filter(|t| t.step == step.number).count();
            assert_eq!(then, 1, "{} needs one 2011 result in THEN", step.id());
        }
        assert_eq!(
            THEN.len(),
            LADDER.len(),
            "THEN has a step the ladder has not"
        );
        assert!(
            summary.contains(&format!("]({SHEET})")),
            "link {SHEET} in SUMMARY.md"
        );
    }

    /// Numbers with a unit of seconds in a text: `49 s`, `0.07 s`.
    fn times(text: &str) -> Vec<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        words
            .windows(2)
            .filter(|w| w[1].trim_end_matches([',', ';', ':', '.', ')']) == "s")
            .map(|w| w[0].trim_start_matches('('))
            .filter(|n| !n.is_empty() && n.parse::<f64>().is_ok())
            .map(|n| format!("{n} s"))
            .collect()
    }

    /// The 2011 numbers are data here and prose in the chapters: each time
    /// shown on the projector is one its chapter states, from the source
    /// the chapter cites.
    #[test]
    fn every_2011_time_is_one_its_chapter_states() {
        for then in THEN {
            let step = LADDER.iter().find(|s| s.number == then.step).unwrap();
            let stated = times(step.chapter);
            let shown = times(then.result);
            assert!(
                !shown.is_empty(),
                "{}: no time in {:?}",
                step.id(),
                then.result
            );
            for time in shown {
                assert!(
                    stated.contains(&time),
                    "{}: the projector shows {time} for 2011, which docs/src/{} does not state",
                    step.id(),
                    step.chapter_file
                );
            }
            assert!(
                step.chapter.contains(SOURCE),
                "docs/src/{} does not cite {SOURCE}",
                step.chapter_file
            );
        }
    }

    #[test]
    fn every_link_on_the_pages_resolves() {
        for page in pages(&root()).unwrap() {
            let folder = root().join(&page.path).parent().unwrap().to_path_buf();
            for part in page.text.split("](").skip(1) {
                let target = part.split(')').next().unwrap();
                if target.contains("://") {
                    continue;
                }
                assert!(
                    folder.join(target).is_file(),
                    "{} links to {target}, which does not exist",
                    page.path
                );
            }
        }
    }

    #[test]
    fn the_ladder_figure_gives_each_step_its_row() {
        let figure = "Measured on A CPU, 2 cores.\n$ cargo run --release -- ladder 1000 1000\nMandelbrot ladder on `1000 1000`.\n\
step   name                  technique                                   instructions          median  z-updates/s  % peak  speedup  oracle\n\
step01 pure                  Vec<Complex64>, z[i] indexed, norm()        scalar f64           0.331 s        155 M    1.1%     1.0x  exact\n\
step04 numexpr-style fused   vectors in registers, early exit            AVX-512              5.24 ms       9.82 G   66.4%    63.2x  30 differ, within tolerance\n\
step07 gpu skipped: no CUDA driver here; its self-check runs on the CPU\n";
        let ladder = LadderFigure::parse(figure).unwrap();
        assert_eq!(ladder.machine, "Measured on A CPU, 2 cores.");
        assert_eq!(ladder.command, "cargo run --release -- ladder 1000 1000");
        let row = |median: &str, rate: &str, speedup: &str| Today::Row {
            median: median.into(),
            rate: rate.into(),
            speedup: speedup.into(),
        };
        assert_eq!(
            ladder.today(LADDER[0]).unwrap(),
            row("0.331 s", "155 M", "1.0x")
        );
        assert_eq!(
            ladder.today(LADDER[3]).unwrap(),
            row("5.24 ms", "9.82 G", "63.2x")
        );
        assert_eq!(
            ladder.today(LADDER[6]).unwrap(),
            Today::Skipped("no CUDA driver here".into())
        );
        assert!(ladder.today(LADDER[1]).is_err(), "no row, no page");
    }

    #[test]
    fn the_sheet_has_every_command_of_the_runner() {
        let sheet = sheet();
        for command in crate::cli::Cli::command().get_subcommands() {
            let name = command.get_name();
            if name != "ladder" {
                assert!(
                    sheet.contains(&format!(" -- {name}")),
                    "the sheet lacks {name}"
                );
            }
        }
        for step in LADDER {
            assert!(sheet.contains(&step.path(Variant::Exercise)));
        }
    }
}
