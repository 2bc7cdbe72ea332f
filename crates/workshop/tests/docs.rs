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
    let out = mandel_core::target::command(env!("CARGO_BIN_EXE_workshop"))
        .arg("list")
        .output()
        .unwrap();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let id = line.split_whitespace().next().unwrap();
        let number = id.trim_start_matches("step");
        let chapter = std::fs::read_dir(book())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|name| name.starts_with(id))
            .unwrap_or_else(|| panic!("no chapter docs/src/{id}-*.md"));
        assert!(summary.contains(&chapter), "{chapter} is not in SUMMARY.md");
        let text = std::fs::read_to_string(book().join(&chapter)).unwrap();
        assert!(text.contains("\n## Hints\n"), "{chapter} has no ## Hints");
        assert!(
            text.contains(&format!("cargo test -p {id}")),
            "{chapter} names its self-check"
        );
        assert!(number.parse::<u32>().is_ok());
    }
}
