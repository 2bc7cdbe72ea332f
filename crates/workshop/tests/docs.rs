//! The book is part of the product: its table of contents must point at
//! real chapters, and every step on the ladder must have one with hints.

use std::path::Path;

fn book() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/src")
}

#[test]
fn every_chapter_in_the_summary_exists() {
    let summary = std::fs::read_to_string(book().join("SUMMARY.md")).unwrap();
    let mut links = 0;
    for part in summary.split("](").skip(1) {
        let target = &part[..part.find(')').expect("closed link")];
        assert!(
            book().join(target).is_file(),
            "SUMMARY.md links to missing {target}"
        );
        links += 1;
    }
    assert!(links >= 5, "the summary lists the chapters");
}

#[test]
fn every_step_has_a_chapter_with_hints() {
    let summary = std::fs::read_to_string(book().join("SUMMARY.md")).unwrap();
    for step in workshop::registry::LADDER {
        let id = step.id();
        let chapter = std::fs::read_dir(book())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|name| name.starts_with(&id))
            .unwrap_or_else(|| panic!("no chapter docs/src/{id}-*.md"));
        assert!(summary.contains(&chapter), "{chapter} is not in SUMMARY.md");
        let text = std::fs::read_to_string(book().join(&chapter)).unwrap();
        assert!(text.contains("\n## Hints\n"), "{chapter} has no ## Hints");
        assert!(
            text.contains(&format!("cargo test -p {id}")),
            "{chapter} names its self-check"
        );
    }
}

#[test]
fn every_chapter_has_its_duration_and_speaker_notes() {
    let summary = std::fs::read_to_string(book().join("SUMMARY.md")).unwrap();
    for part in summary.split("](").skip(1) {
        let chapter = &part[..part.find(')').expect("closed link")];
        // The instructor guide is the plan the durations add up to; the
        // command sheet and the projector pages are written from the
        // chapters (`workshop::projector`), for the room, not read.
        if chapter == "instructor.md"
            || chapter == workshop::projector::SHEET
            || chapter.starts_with(&format!("{}/", workshop::projector::FOLDER))
        {
            continue;
        }
        let text = std::fs::read_to_string(book().join(chapter)).unwrap();
        let second = text.lines().nth(2).unwrap_or_default();
        assert!(
            second.starts_with("*Duration: "),
            "{chapter} does not open with its duration"
        );
        assert!(
            text.contains("<details>\n<summary>Speaker notes</summary>"),
            "{chapter} has no speaker notes"
        );
    }
}

/// One row of the instructor guide's three-hour plan.
struct Slot {
    row: String,
    from: u32,
    to: u32,
    /// The chapter the row links first (none for a break).
    chapter: Option<String>,
    /// Minutes of reading, exercise, and talk and show.
    parts: [u32; 3],
}

/// The rows of the three-hour plan: `| from-to | segment | read |
/// exercise | talk and show | ...`.
fn plan() -> Vec<Slot> {
    let guide = std::fs::read_to_string(book().join("instructor.md")).unwrap();
    let plan = guide
        .split("## The three-hour plan")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the instructor guide has the three-hour plan");
    let mut slots = Vec::new();
    for row in plan.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Some((from, to)) = cells[1].split_once('-') else {
            continue;
        };
        let (Ok(from), Ok(to)) = (from.parse::<u32>(), to.parse::<u32>()) else {
            continue;
        };
        let chapter = cells[2]
            .split("](")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .map(str::to_string);
        let minutes = |cell: &str| cell.parse::<u32>().unwrap_or(0);
        slots.push(Slot {
            row: row.to_string(),
            from,
            to,
            chapter,
            parts: [minutes(cells[3]), minutes(cells[4]), minutes(cells[5])],
        });
    }
    slots
}

#[test]
fn the_three_hour_plan_adds_up_to_180_minutes() {
    let mut minutes = 0;
    let mut last_end = 0;
    let mut reading = 0;
    for slot in plan() {
        assert_eq!(
            slot.from, last_end,
            "the plan skips or overlaps at {}",
            slot.row
        );
        minutes += slot.to - slot.from;
        last_end = slot.to;
        // A break is all break; every other segment's reading, exercise
        // and talk fill it exactly, so the reading is inside the 180.
        if slot.chapter.is_some() {
            assert_eq!(
                slot.parts.iter().sum::<u32>(),
                slot.to - slot.from,
                "read + exercise + talk is not the segment's length: {}",
                slot.row
            );
            reading += slot.parts[0];
        }
    }
    assert_eq!(minutes, 180);
    assert!(reading > 0, "the plan budgets no reading time");
}

/// The words a minute the plan's reading slots are counted at; the guide
/// says so.
const READING_RATE: usize = 150;

/// What a step's slot asks the room to read: its chapter's opening, and
/// everything from there to the end of *What to write*; or, where the
/// duration line says `(the opening)`, the opening only. Its words,
/// without the title and the duration line.
fn reading_words(chapter: &str) -> usize {
    let text = workshop::workspace::lf(chapter);
    let body: String = text.lines().skip(3).collect::<Vec<_>>().join("\n");
    let opening_only = text
        .lines()
        .nth(2)
        .is_some_and(|l| l.contains("(the opening)"));
    let end = if opening_only {
        body.find("\n## ")
    } else {
        body.find("\n## What to write\n").map(|start| {
            let after = start + "\n## What to write\n".len();
            body[after..]
                .find("\n## ")
                .map_or(body.len(), |i| after + i)
        })
    };
    body[..end.unwrap_or(body.len())].split_whitespace().count()
}

/// A reading slot that is shorter than what it asks to read is a slot the
/// room overruns: each step's reading minutes, at [`READING_RATE`], cover
/// its chapter's opening and *What to write*.
#[test]
fn every_reading_slot_fits_what_it_asks_to_read() {
    let guide = std::fs::read_to_string(book().join("instructor.md")).unwrap();
    assert!(
        guide.contains(&format!("{READING_RATE} words a minute")),
        "the instructor guide states the reading rate the plan is counted at"
    );
    let mut checked = 0;
    for step in workshop::registry::LADDER {
        let slot = plan()
            .into_iter()
            .find(|s| s.chapter.as_deref() == Some(step.chapter_file))
            .unwrap_or_else(|| panic!("{} has no slot in the plan", step.chapter_file));
        let words = reading_words(step.chapter);
        let minutes = slot.parts[0] as usize;
        println!(
            "{}: {words} words to read in {minutes} minutes",
            step.chapter_file
        );
        assert!(
            words <= minutes * READING_RATE,
            "{} asks the room to read {words} words, {:.1} minutes at {READING_RATE} a minute, in {minutes}: \
             give its reading more minutes, or name a shorter part to read",
            step.chapter_file,
            words as f64 / READING_RATE as f64
        );
        checked += 1;
    }
    assert_eq!(checked, workshop::registry::LADDER.len());
}

/// The plan keeps slack where a real room needs it: setup triage near the
/// start, questions just before the wrap-up, and a cut order that reaches
/// step 04's long exercise last, saying what to show instead.
#[test]
fn the_plan_has_slack_for_triage_questions_and_a_late_room() {
    let slots = plan();
    let triage = slots
        .iter()
        .find(|s| s.row.contains("triage"))
        .expect("the plan has a setup triage slot");
    assert!(
        triage.from <= 15 && triage.to - triage.from >= 5,
        "setup triage comes early and takes 5 minutes or more: {}",
        triage.row
    );
    assert_eq!(
        triage.chapter.as_deref(),
        Some("setup.md"),
        "{}",
        triage.row
    );
    let wrap_up = slots
        .iter()
        .position(|s| s.chapter.as_deref() == Some("wrap-up.md"))
        .expect("the plan ends with the wrap-up");
    let questions = &slots[wrap_up - 1];
    assert!(
        questions.row.contains("Questions") && questions.to - questions.from >= 5,
        "5 minutes or more of questions just before the wrap-up: {}",
        questions.row
    );
    let guide = std::fs::read_to_string(book().join("instructor.md")).unwrap();
    let late = guide
        .split("**When late**")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("the guide's cut order, **When late**");
    let last_resort = late
        .split_once("**Last resort**")
        .expect("the cut order ends with a **Last resort**")
        .1;
    assert!(
        last_resort.contains("step 04's exercise") && last_resort.contains("instead"),
        "step 04's exercise is the last resort, with what to show instead: {last_resort}"
    );
}

/// Each chapter's opening line gives its slot as the plan has it: the
/// minutes, and the reading and exercise time, so the two cannot part.
#[test]
fn every_chapter_opens_with_its_slot_of_the_plan() {
    let mut checked = 0;
    for slot in plan() {
        let Some(chapter) = slot.chapter else {
            continue;
        };
        let text = std::fs::read_to_string(book().join(&chapter)).unwrap();
        let duration = text.lines().nth(2).unwrap_or_default();
        let mut says = vec![
            format!("*Duration: {} minutes", slot.to - slot.from),
            format!("({}-{}", slot.from, slot.to),
        ];
        if slot.parts[0] > 0 {
            says.push(format!("read {}", slot.parts[0]));
        }
        if slot.parts[1] > 0 {
            says.push(format!("exercise {}", slot.parts[1]));
        }
        for words in says {
            assert!(
                duration.contains(&words),
                "{chapter} opens with `{duration}`, which does not say `{words}` as the plan's row does: {}",
                slot.row
            );
        }
        checked += 1;
    }
    assert!(checked >= 9, "only {checked} chapters in the plan");
}

/// Every exercise says what everyone writes and what is for those who
/// finish early, in its chapter and in the stub the attendee opens.
#[test]
fn every_exercise_marks_its_core_and_optional_parts() {
    for step in workshop::registry::LADDER {
        let name = step.chapter_file;
        let text = std::fs::read_to_string(book().join(name)).unwrap();
        let to_write = text
            .split("\n## What to write")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap_or_else(|| panic!("{name} has no `## What to write`"));
        for mark in ["**Core**", "**Optional**"] {
            assert!(
                to_write.contains(mark),
                "{name}'s What to write does not mark its {mark} part"
            );
        }
        for mark in ["Core (", "Optional ("] {
            assert!(
                step.stub.contains(mark),
                "{}'s stub does not mark its `{mark}...)` part",
                step.id()
            );
        }
    }
}

/// `cargo run -- hint N` gives one hint at a time, so an attendee who is
/// stuck on the core must not wade through the optional part's hints
/// first: each chapter's *What to write* names the core's hints, which
/// start at hint 1, then the optional part's, which follow them to the
/// last; and the stub's opening comment, which the attendee reads first,
/// names the same.
#[test]
fn every_steps_first_hints_are_for_its_core() {
    use workshop::hint::{hint_numbers, hints, parts_in};
    for step in workshop::registry::LADDER {
        let name = step.chapter_file;
        let parts = parts_in(step.chapter).unwrap_or_else(|why| panic!("{name}: {why}"));
        let total = hints(step).len();
        let core_end = *parts.core.end();
        assert_eq!(
            *parts.core.start(),
            1,
            "{name}: the core's hints must come first, from hint 1, not {:?}",
            parts.core
        );
        let last = match &parts.optional {
            Some(optional) => {
                assert_eq!(
                    *optional.start(),
                    core_end + 1,
                    "{name}: the optional part's hints {optional:?} must follow the core's {:?}",
                    parts.core
                );
                *optional.end()
            }
            None => core_end,
        };
        assert_eq!(
            last, total,
            "{name}: its What to write names hints up to {last}, and it has {total}"
        );

        // The stub's `Core (...)` and `Optional (...)` lines, comment
        // markers and all (step 07's is CUDA C).
        let id = step.id();
        let (core, optional) = step
            .stub
            .split_once("Core (")
            .and_then(|(_, rest)| rest.split_once("Optional ("))
            .unwrap_or_else(|| panic!("{id}'s stub marks no `Core (` then `Optional (`"));
        let optional = optional.split("\n\n").next().unwrap_or(optional);
        let unmarked = |text: &str| text.replace("//!", " ").replace("//", " ");
        assert_eq!(
            hint_numbers(&unmarked(core)),
            Some(parts.core.clone()),
            "{id}'s stub names other hints for the core than {name}"
        );
        assert_eq!(
            hint_numbers(&unmarked(optional)),
            parts.optional,
            "{id}'s stub names other hints for the optional part than {name}"
        );
    }
}

/// Step 05's core is multi.py's join, and its first hints give that
/// recipe, not the optional in-place join's.
#[test]
fn step05s_first_hints_are_multi_pys_join() {
    let step = workshop::registry::LADDER
        .iter()
        .find(|s| s.number == 5)
        .unwrap();
    let hints = workshop::hint::hints(step);
    assert!(
        hints[0].contains("calculate_z_blocks(") && !hints[0].contains("calculate_z_blocks_into"),
        "{}",
        hints[0]
    );
    assert!(hints[1].contains(".concat()"), "{}", hints[1]);
    let imports = step
        .stub
        .lines()
        .find(|l| l.starts_with("use step04::dispatch::"))
        .unwrap();
    assert!(imports.contains("calculate_z_blocks,"), "{imports}");
}

#[test]
fn every_link_include_and_image_in_the_book_resolves() {
    let mut checked = 0;
    for entry in std::fs::read_dir(book()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Markdown links and images: `](target)`; mdBook includes:
        // `{{#include target}}`.
        let links = text
            .split("](")
            .skip(1)
            .filter_map(|rest| rest.split(')').next());
        let includes = text
            .split("{{#include ")
            .skip(1)
            .filter_map(|rest| rest.split("}}").next())
            .map(|target| target.split(':').next().unwrap_or(target));
        for target in links.chain(includes) {
            let target = target.split('#').next().unwrap_or_default().trim();
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            assert!(
                book().join(target).exists(),
                "{name} points at {target}, which does not exist"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 10,
        "only {checked} links found: is the parser right?"
    );
}

/// The book as a reader gets it, where mdBook is installed: it builds, and
/// says nothing is wrong (no warning, no error).
#[test]
fn the_book_builds_with_mdbook_without_a_warning() {
    let version = std::process::Command::new("mdbook")
        .arg("--version")
        .output();
    if !version.as_ref().is_ok_and(|o| o.status.success()) {
        mandel_testing::skip::skipped(
            "the book built with mdBook",
            "no `mdbook` on the PATH",
            "`cargo install mdbook --locked --version 0.4.52`",
        );
        return;
    }
    let out_dir = tempfile::tempdir().unwrap();
    let built = std::process::Command::new("mdbook")
        .arg("build")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs"))
        .arg("-d")
        .arg(out_dir.path())
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
    assert!(built.status.success(), "{log}");
    assert!(!log.contains("WARN") && !log.contains("ERROR"), "{log}");
    assert!(out_dir.path().join("index.html").is_file(), "{log}");
}

/// `docs/adding-a-step.md` is a checklist whose every item names the test
/// that enforces it and the files it is about: each name must be a
/// `#[test]` in crates/, each path a file or folder of the workspace.
#[test]
fn the_checklist_names_tests_that_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let page = std::fs::read_to_string(root.join("docs/adding-a-step.md")).unwrap();
    let mut sources = String::new();
    let mut folders = vec![root.join("crates")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources += &std::fs::read_to_string(&path).unwrap();
            }
        }
    }
    let quoted: Vec<&str> = page.split('`').skip(1).step_by(2).collect();
    let tests: Vec<&str> = quoted
        .iter()
        .copied()
        .filter(|word| {
            word.len() > 12
                && word.starts_with(|c: char| c.is_ascii_lowercase())
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
        .collect();
    assert!(
        tests.len() >= 12,
        "the checklist names its tests: {tests:?}"
    );
    for test in tests {
        assert!(
            is_a_test(&sources, test),
            "docs/adding-a-step.md names `{test}`, which is no #[test] fn in crates/"
        );
    }
    let paths: Vec<&str> = quoted
        .iter()
        .copied()
        .filter(|word| is_a_path(word))
        .collect();
    assert!(
        paths.len() >= 10,
        "the checklist names its files: {paths:?}"
    );
    for path in paths {
        // Step 08 is the page's example: any step on the ladder will do,
        // `<name>` any name.
        let found = workshop::registry::LADDER.iter().any(|step| {
            let path = path.replace("step08", &step.id());
            match path.split_once("<name>") {
                None => root.join(&path).exists(),
                Some((before, after)) => {
                    let (folder, start) = before.rsplit_once('/').unwrap_or(("", before));
                    std::fs::read_dir(root.join(folder)).is_ok_and(|mut names| {
                        names.any(|entry| {
                            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                            name.starts_with(start) && name.ends_with(after)
                        })
                    })
                }
            }
        });
        assert!(
            found,
            "docs/adding-a-step.md names `{path}`, which is nowhere in the workspace for any step on the ladder"
        );
    }
}

/// Whether `sources` define `name` as a `#[test]` function: its
/// attributes, just above it, include `#[test]`.
fn is_a_test(sources: &str, name: &str) -> bool {
    sources
        .match_indices(&format!("fn {name}("))
        .any(|(at, _)| {
            let above = &sources[..sources[..at].rfind('\n').unwrap_or(0)];
            above
                .lines()
                .rev()
                .take_while(|line| line.trim().starts_with("#[") || line.trim().starts_with("//"))
                .any(|line| line.trim() == "#[test]")
        })
}

/// Whether a quoted word is a path of the workspace: no spaces or code,
/// and a folder or a file name with an extension. (The attendee's
/// `exercises/` are written by the first build, not shipped.)
fn is_a_path(word: &str) -> bool {
    let code = |c: char| c.is_whitespace() || "\"'()[]{}&=:;!,*".contains(c);
    let file = [".rs", ".toml", ".md", ".cu"]
        .iter()
        .any(|extension| word.ends_with(extension));
    !word.is_empty()
        && !word.contains(code)
        && !word.starts_with("exercises/")
        && (word.contains('/') || file)
}

/// The texts whose commands a reader copies: the book and the README.
fn quoted_texts() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut texts = vec![(
        "README.md".to_string(),
        std::fs::read_to_string(root.join("README.md")).unwrap(),
    )];
    // The chapters, and the projector pages (the command sheet is a
    // chapter's sibling).
    for folder in [String::new(), format!("{}/", workshop::projector::FOLDER)] {
        for entry in std::fs::read_dir(book().join(&folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                let file = path.file_name().unwrap().to_string_lossy();
                let name = format!("docs/src/{folder}{file}");
                texts.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    texts
}

/// The code a text quotes, one command line each: every line of a fenced
/// block (a line ending in `\` joined to the next), and every inline
/// span, whose line breaks are spaces.
fn code_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, part) in text.split("```").enumerate() {
        if i % 2 == 1 {
            let joined = part.replace("\\\n", " ");
            lines.extend(joined.lines().skip(1).map(str::to_string));
        } else {
            let spans = part.split('`').skip(1).step_by(2);
            lines.extend(spans.map(|span| span.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
    }
    lines
}

/// A program the book runs, with the words it passes it: `cargo run -p
/// P [cargo's options] -- ARGS`, `target/release/P ARGS`, `workshop ARGS`
/// or `lab ARGS`. `cargo build`, `test` and `rustc` name a package and
/// features only; those come back with no program words.
struct Quoted {
    /// `None` for `--workspace`: every package.
    package: Option<String>,
    features: Vec<String>,
    /// The words after `--`, for a binary; `None` for build, test, rustc.
    args: Option<Vec<String>>,
}

/// Where a shell command's own words end.
fn shell_word(word: &str) -> bool {
    ["#", "|", "||", "&&", ";", ">", "2>&1", "&", "\\|"].contains(&word) || word.starts_with('#')
}

fn quoted_commands(line: &str) -> Result<Vec<Quoted>, String> {
    // A shell comment quotes nothing.
    let words: Vec<&str> = line
        .split_whitespace()
        .take_while(|w| !w.starts_with('#'))
        .collect();
    let mut found = Vec::new();
    for (at, word) in words.iter().enumerate() {
        let rest: Vec<&str> = words[at + 1..]
            .iter()
            .copied()
            .take_while(|w| !shell_word(w))
            .collect();
        let binary = word
            .trim_start_matches("./")
            .strip_prefix("target/release/")
            .or_else(|| word.strip_prefix("target/debug/"));
        if let Some(binary) = binary {
            found.push(Quoted {
                package: Some(binary.to_string()),
                features: Vec::new(),
                args: Some(rest.iter().map(|w| w.to_string()).collect()),
            });
            continue;
        }
        if (*word == "workshop" || *word == "lab") && at == 0 && !rest.is_empty() {
            found.push(Quoted {
                package: Some(word.to_string()),
                features: Vec::new(),
                args: Some(rest.iter().map(|w| w.to_string()).collect()),
            });
            continue;
        }
        if *word != "cargo" {
            continue;
        }
        let Some((&verb, options)) = rest.split_first() else {
            continue;
        };
        if !["run", "test", "build", "rustc"].contains(&verb) {
            continue;
        }
        let mut quoted = Quoted {
            package: Some("workshop".to_string()),
            features: Vec::new(),
            args: None,
        };
        let mut options = options.iter();
        while let Some(&option) = options.next() {
            match option {
                "--" => {
                    if verb == "run" {
                        quoted.args = Some(options.by_ref().map(|w| w.to_string()).collect());
                    }
                    break;
                }
                "-p" | "--package" => {
                    quoted.package = Some(options.next().ok_or("-p without a package")?.to_string())
                }
                "--workspace" => quoted.package = None,
                "--features" => quoted.features.extend(
                    options
                        .next()
                        .ok_or("--features without features")?
                        .split(',')
                        .map(str::to_string),
                ),
                "--profile" | "--target" | "--test" | "--bin" => {
                    options.next();
                }
                "--release"
                | "--no-default-features"
                | "--lib"
                | "--bins"
                | "-q"
                | "--no-run"
                | "--all-targets"
                | "--locked" => {}
                // A test's name filter or the book's placeholder, for `cargo test`.
                other if verb == "test" && !other.starts_with('-') => {}
                other => return Err(format!("cargo {verb} has no option `{other}`")),
            }
        }
        if verb == "run" && quoted.args.is_none() {
            quoted.args = Some(Vec::new());
        }
        found.push(quoted);
    }
    Ok(found)
}

/// A package's `[features]`, or `None` for no such workspace package.
fn package_features(package: &str) -> Option<Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let Ok(manifest) = std::fs::read_to_string(entry.unwrap().path().join("Cargo.toml")) else {
            continue;
        };
        if !manifest.contains(&format!("\nname = \"{package}\"")) {
            continue;
        }
        let features = manifest
            .split("\n[features]\n")
            .nth(1)
            .map(|section| {
                section
                    .lines()
                    .take_while(|l| !l.starts_with('['))
                    .filter_map(|l| l.split_once(" = ").map(|(name, _)| name.trim().to_string()))
                    .filter(|name| !name.starts_with('#'))
                    .collect()
            })
            .unwrap_or_default();
        return Some(features);
    }
    None
}

/// What a binary's `--help` (or a subcommand's) says it takes.
struct Help {
    flags: Vec<String>,
    /// Each flag's `[possible values: ...]`, where clap lists them.
    values: Vec<(String, Vec<String>)>,
    commands: Vec<String>,
}

fn help(exe: &Path, command: Option<&str>) -> Help {
    let out = mandel_testing::target::command(exe)
        .args(command)
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{} --help: {text}", exe.display());
    let mut help = Help {
        flags: Vec::new(),
        values: Vec::new(),
        commands: Vec::new(),
    };
    let mut section = "";
    let mut current: Option<String> = None;
    let mut described = String::new();
    // clap lists a flag's values as `[possible values: a, b]`, or, where
    // they have their own help, as `Possible values:` then `- a: ...` lines.
    let finish = |flag: Option<String>, described: &str, help: &mut Help| {
        let Some(flag) = flag else {
            return;
        };
        let values: Vec<String> = if let Some(list) = described.split("[possible values: ").nth(1) {
            let list = list.split(']').next().unwrap_or_default();
            list.split(", ").map(|v| v.trim().to_string()).collect()
        } else if let Some(list) = described.split("Possible values:").nth(1) {
            list.split(" - ")
                .skip(1)
                .filter_map(|item| item.split([':', ' ']).next())
                .map(str::to_string)
                .collect()
        } else {
            return;
        };
        help.values.push((flag, values));
    };
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            section = if line.starts_with("Commands") {
                "commands"
            } else {
                "other"
            };
            continue;
        }
        let trimmed = line.trim_start();
        if section == "commands" {
            if let Some(name) = trimmed.split_whitespace().next() {
                help.commands.push(name.to_string());
            }
        } else if trimmed.starts_with('-')
            && trimmed[1..].starts_with(|c: char| c == '-' || c.is_ascii_alphanumeric())
        {
            finish(current.take(), &described, &mut help);
            described.clear();
            for word in trimmed
                .split_whitespace()
                .take_while(|w| w.starts_with('-'))
            {
                let flag = word.trim_end_matches(',');
                help.flags.push(flag.to_string());
                current = Some(flag.to_string());
            }
            described.push_str(trimmed);
        } else {
            described.push(' ');
            described.push_str(trimmed);
        }
    }
    finish(current.take(), &described, &mut help);
    help
}

/// The book and the README cannot drift from the code: every `cargo run`,
/// `cargo test`, `cargo build` and `target/release/...` they quote names a
/// package, features, subcommands and flags that exist (asked of the
/// binaries' own `--help`), with values clap accepts where it lists them;
/// and every `diff A B` they recommend is short enough for a projector.
#[test]
fn every_command_and_flag_the_book_quotes_exists() {
    let workshop = Path::new(env!("CARGO_BIN_EXE_workshop"));
    let mut helps: std::collections::HashMap<(String, Option<String>), Help> = Default::default();
    let mut wrong = Vec::new();
    let mut unbuilt = std::collections::HashSet::new();
    let mut checked = 0;
    let mut diffs = 0;
    for (name, text) in quoted_texts() {
        for line in code_lines(&text) {
            let commands = match quoted_commands(&line) {
                Ok(commands) => commands,
                Err(why) => {
                    wrong.push(format!("{name}: `{line}`: {why}"));
                    continue;
                }
            };
            for quoted in commands {
                // `stepNN` is the book's placeholder for any step; they
                // all take the same common arguments.
                let Some(package) = quoted.package.map(|p| p.replace("stepNN", "step01")) else {
                    checked += 1;
                    continue;
                };
                let Some(features) = package_features(&package) else {
                    wrong.push(format!("{name}: `{line}`: no package `{package}`"));
                    continue;
                };
                for feature in &quoted.features {
                    if !features.contains(feature) {
                        wrong.push(format!(
                            "{name}: `{line}`: {package} has no feature `{feature}`"
                        ));
                    }
                }
                let Some(args) = quoted.args else {
                    checked += 1;
                    continue;
                };
                let exe =
                    workshop.with_file_name(format!("{package}{}", std::env::consts::EXE_SUFFIX));
                if !exe.is_file() {
                    if unbuilt.insert(package.clone()) {
                        mandel_testing::skip::skipped(
                            &format!("the flags the book quotes for {package}"),
                            &format!("{package}'s binary is not built"),
                            "`cargo test --workspace --features solution` builds it",
                        );
                    }
                    continue;
                }
                let top = helps
                    .entry((package.clone(), None))
                    .or_insert_with(|| help(&exe, None));
                let command = args
                    .iter()
                    .find(|w| !w.starts_with('-'))
                    .filter(|_| !top.commands.is_empty())
                    .cloned();
                if let Some(command) = &command {
                    if !top.commands.contains(command) {
                        wrong.push(format!(
                            "{name}: `{line}`: {package} has no command `{command}`"
                        ));
                        continue;
                    }
                }
                let accepts = helps
                    .entry((package.clone(), command.clone()))
                    .or_insert_with(|| help(&exe, command.as_deref()));
                for (at, word) in args.iter().enumerate() {
                    let flag = word.split('=').next().unwrap_or(word);
                    if !flag.starts_with('-') || flag == "-" || flag.starts_with("--=") {
                        continue;
                    }
                    if !accepts.flags.iter().any(|f| f == flag) {
                        wrong.push(format!(
                            "{name}: `{line}`: `{package}{}` has no flag `{flag}`",
                            command
                                .as_deref()
                                .map(|c| format!(" {c}"))
                                .unwrap_or_default()
                        ));
                        continue;
                    }
                    let value = word
                        .split_once('=')
                        .map(|(_, v)| v)
                        .or(args.get(at + 1).map(String::as_str));
                    let listed = accepts.values.iter().find(|(f, _)| f == flag);
                    if let (Some((_, values)), Some(value)) = (listed, value) {
                        // `static|farm`: the book naming every value.
                        for value in value.split('|').filter(|v| !v.is_empty()) {
                            if !values.iter().any(|v| v == value) {
                                wrong.push(format!(
                                    "{name}: `{line}`: `{flag} {value}` is not one of {values:?}"
                                ));
                            }
                        }
                    }
                }
                // The lesson between two steps, as the projector shows it.
                let steps: Vec<&String> = args
                    .iter()
                    .skip(1)
                    .take_while(|w| !w.starts_with('-'))
                    .collect();
                // `diff A B` with two step numbers; `diff A B` itself is the
                // runner's table naming the command.
                let numbered = steps.iter().all(|s| s.parse::<u32>().is_ok());
                if package == "workshop"
                    && command.as_deref() == Some("diff")
                    && steps.len() == 2
                    && numbered
                {
                    let out = mandel_testing::target::command(workshop)
                        .args(["diff", steps[0], steps[1], "--color", "never"])
                        .output()
                        .unwrap();
                    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
                    if !out.status.success() || lines >= 80 {
                        wrong.push(format!(
                            "{name}: `{line}` recommends a diff of {lines} lines (at most 79 read on a projector)"
                        ));
                    }
                    diffs += 1;
                }
                checked += 1;
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the book quotes commands the code does not have:\n{}",
        wrong.join("\n")
    );
    assert!(
        checked > 100,
        "only {checked} commands found: is the parser right?"
    );
    assert!(diffs > 0, "no `diff A B` found: is the parser right?");
}
