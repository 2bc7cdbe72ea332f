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
        // The instructor guide is the plan the durations add up to.
        if chapter == "instructor.md" {
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

#[test]
fn the_three_hour_plan_adds_up_to_180_minutes() {
    let guide = std::fs::read_to_string(book().join("instructor.md")).unwrap();
    let plan = guide
        .split("## The three-hour plan")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the instructor guide has the three-hour plan");
    let mut minutes = 0;
    let mut last_end = 0;
    for row in plan.lines().filter(|l| l.starts_with("| ")) {
        let span = row.split('|').nth(1).unwrap().trim();
        let Some((from, to)) = span.split_once('-') else {
            continue;
        };
        let (Ok(from), Ok(to)) = (from.parse::<u32>(), to.parse::<u32>()) else {
            continue;
        };
        assert_eq!(from, last_end, "the plan skips or overlaps at {row}");
        minutes += to - from;
        last_end = to;
    }
    assert_eq!(minutes, 180);
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
        mandel_core::skip::skipped(
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
/// that enforces it: each name must be a test somewhere in the workspace.
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
    let named: Vec<&str> = page
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|word| word.len() > 12 && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .collect();
    assert!(
        named.len() >= 12,
        "the checklist names its tests: {named:?}"
    );
    for test in named {
        assert!(
            sources.contains(&format!("fn {test}(")),
            "docs/adding-a-step.md names `{test}`, which is no test in crates/"
        );
    }
}
