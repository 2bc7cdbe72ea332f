//! The registry: every step on the ladder, in order. A step is its crate
//! (`crates/stepNN`, whose `STEP` describes it, with the stub of its
//! exercise), its `solutions/stepNN/` folder, its chapter, and one entry
//! here. `LADDER` is the one list of steps: the tools and the tests
//! iterate it, and what cannot be derived from it (the manifests, the
//! folders, the book's summary, the catalogue of wrong versions) is held to
//! it by `the_workspace_follows_the_ladder`, which names what to add where
//! (docs/adding-a-step.md).

use mandel_core::{Error, Step};

#[cfg(test)]
mod checklist;

pub const LADDER: &[&Step] = &[
    &step01::STEP,
    &step02::STEP,
    &step03::STEP,
    &step04::STEP,
    &step05::STEP,
    &step06::STEP,
    &step07::STEP,
];

/// The step a user named as `1`, `01` or `step01`.
pub fn find_step(name: &str) -> Result<&'static Step, Error> {
    let digits = name.trim().trim_start_matches("step");
    digits
        .parse::<u32>()
        .ok()
        .and_then(|n| LADDER.iter().copied().find(|s| s.number == n))
        .ok_or_else(|| {
            Error::mistake(format!(
                "unknown step '{name}': the ladder has steps {} (see `cargo run -- list`)",
                LADDER
                    .iter()
                    .map(|s| s.number.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// The step after `step` on the ladder, if any.
pub fn next_step(step: &Step) -> Option<&'static Step> {
    LADDER.iter().copied().find(|s| s.number > step.number)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use mandel_core::Variant;

    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn read(path: impl AsRef<Path>) -> String {
        let path = root().join(path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Names in a folder of the repository that look like `stepNN...`.
    fn step_names_in(folder: &str) -> BTreeSet<String> {
        std::fs::read_dir(root().join(folder))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("step"))
            .collect()
    }

    fn registered() -> BTreeSet<String> {
        LADDER.iter().map(|s| s.id()).collect()
    }

    #[test]
    fn steps_are_numbered_one_after_another() {
        for (i, step) in LADDER.iter().enumerate() {
            assert_eq!(step.number as usize, i + 1, "{}", step.id());
        }
    }

    #[test]
    fn every_step_crate_in_the_workspace_is_registered_and_named_for_its_number() {
        let members: BTreeSet<String> = cargo_metadata_packages()
            .into_iter()
            .filter(|name| name.starts_with("step"))
            .collect();
        assert_eq!(members, registered(), "workspace step packages vs LADDER");
        assert_eq!(step_names_in("crates"), registered(), "crates/ vs LADDER");
    }

    #[test]
    fn every_step_has_its_stub_and_solution() {
        // The exercise files are the attendee's, written from the stubs.
        assert_eq!(step_names_in("solutions"), registered(), "solutions/");
        for step in LADDER {
            let stub = format!("crates/{}/stub/{}", step.id(), step.file);
            assert!(root().join(&stub).is_file(), "{stub} is missing");
            assert_eq!(read(&stub), step.stub, "{}'s stub is {stub}", step.id());
            let solution = step.path(Variant::Solution);
            assert!(root().join(&solution).is_file(), "{solution} is missing");
        }
    }

    #[test]
    fn each_step_crate_loads_its_own_files() {
        // `#[path]` takes only literals, so the paths are checked here.
        for step in LADDER {
            let id = step.id();
            let crate_dir = format!("crates/{id}");
            // The library: every file in src/ but the binary's and the
            // attendee's.
            let lib: String = std::fs::read_dir(root().join(&crate_dir).join("src"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".rs") && name != "main.rs" && name != "attendee.rs")
                .map(|name| read(format!("{crate_dir}/src/{name}")))
                .collect();
            let solution = format!("\"../../../{}\"", step.path(Variant::Solution));
            assert!(
                lib.contains(&solution),
                "{crate_dir}/src/ (its library) must load {solution}"
            );
            let attendee = read(format!("{crate_dir}/src/attendee.rs"));
            let exercise = format!("\"../../../{}\"", step.path(Variant::Exercise));
            assert!(
                attendee.contains(&exercise),
                "{crate_dir}/src/attendee.rs must load {exercise}"
            );
            assert!(
                !lib.contains("\"../../../exercises/"),
                "{crate_dir}/src/ (its library) must not compile the exercise: the workshop links it"
            );
            // A Rust stub is a module declared outside any macro, where
            // `cargo fmt` formats it (step 07's is CUDA C, held as text).
            if step.file.ends_with(".rs") {
                let module = format!("#[path = \"../stub/{}\"]\nmod stub;\n", step.file);
                assert!(
                    attendee.contains(&module),
                    "{crate_dir}/src/attendee.rs must declare the stub: {module}"
                );
            }
        }
    }

    #[test]
    fn every_step_has_its_chapter_in_the_summary_and_no_chapter_is_orphaned() {
        let summary = read("docs/src/SUMMARY.md");
        for step in LADDER {
            let file = step.chapter_file;
            assert!(file.starts_with(&format!("{}-", step.id())), "{file}");
            assert_eq!(
                read(format!("docs/src/{file}")),
                step.chapter,
                "{}'s chapter is docs/src/{file}",
                step.id()
            );
            assert!(
                summary.contains(&format!("]({file})")),
                "{file} is not in SUMMARY.md"
            );
            assert!(
                !crate::hint::hints(step).is_empty(),
                "{file} has no ## Hints"
            );
        }
        let chapters: BTreeSet<String> = step_names_in("docs/src")
            .into_iter()
            .map(|name| name[..6].to_string())
            .collect();
        assert_eq!(chapters, registered(), "docs/src/stepNN-*.md vs LADDER");
    }

    #[test]
    fn the_workspace_follows_the_ladder() {
        // The checks read LADDER from registry.rs's text, as they must for
        // a step not yet compiled: it must be the LADDER compiled here.
        let ids: Vec<String> = LADDER.iter().map(|s| s.id()).collect();
        assert_eq!(checklist::ladder_in(&read(checklist::REGISTRY)), ids);
        let problems = checklist::problems(&root());
        assert!(
            problems.is_empty(),
            "the workspace does not follow LADDER (docs/adding-a-step.md):\n{}",
            problems.join("\n")
        );
    }

    /// The workspace's package names, from `cargo metadata`.
    fn cargo_metadata_packages() -> Vec<String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = std::process::Command::new(cargo)
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(root())
            .output()
            .expect("cargo metadata runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    }
}
