//! `docs/adding-a-step.md` as a check of a tree on disk. `LADDER` is the
//! one list of steps; what Cargo and the book read from files of their own
//! (manifests, folders, `SUMMARY.md`) and the catalogue of wrong versions
//! cannot be derived from it, so they are held to it here, and each
//! problem says what to add and where. Only text is read, so that a test
//! can walk a throwaway step through the checklist without compiling it;
//! what needs a compiler (that `STEP` is right, that the reference passes)
//! the compiled tests the page names check.

use std::collections::BTreeSet;
use std::path::Path;

/// The file that holds `LADDER`, from the workspace's root.
pub const REGISTRY: &str = "crates/workshop/src/registry.rs";

/// How many wrong versions of each step the catalogue must hold.
pub const WRONG_VERSIONS: usize = 5;

/// The step ids `LADDER` lists in `registry.rs`'s text, in its order.
pub fn ladder_in(registry: &str) -> Vec<String> {
    let Some((_, list)) = registry.split_once("pub const LADDER: &[&Step] = &[") else {
        return Vec::new();
    };
    let list = list.split_once("];").map_or(list, |(list, _)| list);
    list.split(',')
        .filter_map(|entry| entry.trim().strip_prefix('&')?.strip_suffix("::STEP"))
        .map(str::to_string)
        .collect()
}

/// What is missing or out of place for the steps of the workspace at
/// `root`: every step `LADDER` lists, and every `stepNN` folder in
/// `crates/`, `solutions/` or `docs/src/`, which must be on the ladder.
/// Empty when the tree follows the ladder.
pub fn problems(root: &Path) -> Vec<String> {
    let tree = Tree::open(root);
    let Some(registry) = tree.read(REGISTRY) else {
        return vec![format!("{REGISTRY} is missing: it holds `LADDER`")];
    };
    let ladder = ladder_in(&registry);
    let mut problems = Vec::new();
    let in_order: Vec<String> = (1..=ladder.len()).map(|n| format!("step{n:02}")).collect();
    if ladder != in_order {
        problems.push(format!(
            "`LADDER` in {REGISTRY} must list the steps in number order from step01, one after another; it lists {}",
            ladder.join(", ")
        ));
    }
    let mut steps: BTreeSet<String> = ladder.iter().cloned().collect();
    for folder in ["crates", "solutions", "docs/src"] {
        steps.extend(step_names_in(&root.join(folder)));
    }
    for id in &steps {
        let number: u32 = id[4..].parse().expect("step_names_in keeps stepNN");
        let mut missing = |problem: String| problems.push(problem);
        if !ladder.contains(id) {
            missing(format!("add `&{id}::STEP,` to `LADDER` in {REGISTRY}"));
        }
        tree.manifests(id, &mut missing);
        tree.crate_files(id, &mut missing);
        tree.stub_and_reference(id, &mut missing);
        tree.chapter(id, number, &mut missing);
        tree.mistakes(id, number, &mut missing);
    }
    problems
}

/// The workspace's files that name every step, read once.
struct Tree<'a> {
    root: &'a Path,
    workspace: String,
    /// The manifests of the crates that depend on every step.
    dependents: [(&'static str, String); 2],
    exercise_files: String,
    summary: String,
    catalogue: String,
}

impl<'a> Tree<'a> {
    fn open(root: &'a Path) -> Tree<'a> {
        let text = |path: &str| read_text(root, path).unwrap_or_default();
        Tree {
            root,
            workspace: text("Cargo.toml"),
            dependents: ["crates/workshop/Cargo.toml", "crates/mutants/Cargo.toml"]
                .map(|manifest| (manifest, text(manifest))),
            exercise_files: text("crates/exercise-files/Cargo.toml"),
            summary: text("docs/src/SUMMARY.md"),
            catalogue: text("crates/mutants/catalogue.rs"),
        }
    }

    fn read(&self, path: &str) -> Option<String> {
        read_text(self.root, path)
    }

    /// The crate's manifest, and the manifests that name it.
    fn manifests(&self, id: &str, missing: &mut dyn FnMut(String)) {
        let read = |path: &str| self.read(path);
        let krate = format!("crates/{id}");
        let members = self
            .workspace
            .split_once("members = [")
            .and_then(|(_, rest)| rest.split_once(']'))
            .map_or("", |(members, _)| members);
        let workspace_dependencies = section(&self.workspace, "[workspace.dependencies]");
        let dependents = &self.dependents;
        let manifest = read(&format!("{krate}/Cargo.toml"));
        match &manifest {
            None => missing(format!("create {krate}/Cargo.toml, package `{id}`")),
            Some(text)
                if value(section(text, "[package]"), "name") != Some(&format!("\"{id}\"")) =>
            {
                missing(format!("name the package in {krate}/Cargo.toml `{id}`"))
            }
            Some(_) => {}
        }
        if !members.contains(&format!("\"{krate}\"")) {
            missing(format!(
                "add `\"{krate}\"` to `members` in the root Cargo.toml"
            ));
        }
        if !value(workspace_dependencies, id)
            .is_some_and(|v| v.contains(&format!("path = \"{krate}\"")))
        {
            missing(format!(
            "add `{id} = {{ path = \"{krate}\" }}` to `[workspace.dependencies]` in the root Cargo.toml"
        ));
        }
        for (dependent, text) in dependents {
            if value(section(text, "[dependencies]"), id).is_none() {
                missing(format!(
                    "add `{id}.workspace = true` to `[dependencies]` in {dependent}"
                ));
            }
        }

        let manifest = manifest.unwrap_or_default();
        let features = section(&manifest, "[features]");
        if value(features, "solution") != Some("[]") {
            missing(format!(
                "add `solution = []` to `[features]` in {krate}/Cargo.toml"
            ));
        }
        if value(features, "flamegraph") != Some("[\"mandel-core/flamegraph\"]") {
            missing(format!(
            "add `flamegraph = [\"mandel-core/flamegraph\"]` to `[features]` in {krate}/Cargo.toml"
        ));
        }
        if !value(section(&manifest, "[dependencies]"), "exercise-files")
            .is_some_and(|v| v.contains(&format!("features = [\"{id}\"]")))
        {
            missing(format!(
            "add `exercise-files = {{ path = \"../exercise-files\", features = [\"{id}\"] }}` to `[dependencies]` in {krate}/Cargo.toml"
        ));
        }
        if value(section(&self.exercise_files, "[features]"), id) != Some("[]") {
            missing(format!(
                "add `{id} = []` to `[features]` in crates/exercise-files/Cargo.toml"
            ));
        }
    }

    /// The crate's library, binary and tests.
    fn crate_files(&self, id: &str, missing: &mut dyn FnMut(String)) {
        let read = |path: &str| self.read(path);
        let krate = format!("crates/{id}");
        let root = self.root;
        if !read(&format!("{krate}/src/lib.rs"))
            .is_some_and(|lib| lib.contains("pub const STEP: Step"))
        {
            missing(format!(
                "define `pub const STEP: Step` in {krate}/src/lib.rs"
            ));
        }
        let library = library_text(&root.join(&krate).join("src"));
        if !library.contains(&format!("\"../../../solutions/{id}/")) {
            missing(format!(
            "load the reference, \"../../../solutions/{id}/...\", in {krate}/src/ (its library)"
        ));
        }
        if !read(&format!("{krate}/src/attendee.rs"))
            .is_some_and(|a| a.contains(&format!("\"../../../exercises/{id}/")))
        {
            missing(format!(
            "load the attendee's file, \"../../../exercises/{id}/...\", in {krate}/src/attendee.rs"
        ));
        }
        if read(&format!("{krate}/src/main.rs")).is_none() {
            missing(format!("write the step's binary, {krate}/src/main.rs"));
        }
        if !read(&format!("{krate}/tests/selfcheck.rs"))
            .is_some_and(|t| t.contains("mod attendee;"))
        {
            missing(format!(
                "write the attendee's check, {krate}/tests/selfcheck.rs, with `mod attendee;`"
            ));
        }
    }

    /// The stub and the reference: the same file names.
    fn stub_and_reference(&self, id: &str, missing: &mut dyn FnMut(String)) {
        let krate = format!("crates/{id}");
        let root = self.root;
        let stub = file_names_in(&root.join(&krate).join("stub"));
        if stub.is_empty() {
            missing(format!("put the stub in {krate}/stub/"));
        }
        let solution = file_names_in(&root.join("solutions").join(id));
        if solution.is_empty() || solution != stub {
            missing(format!(
                "put the reference in solutions/{id}/, with the file names of {krate}/stub/"
            ));
        }
    }

    /// The chapter, linked from the summary, with what every chapter has.
    fn chapter(&self, id: &str, number: u32, missing: &mut dyn FnMut(String)) {
        let read = |path: &str| self.read(path);
        let root = self.root;
        let summary = &self.summary;
        if !summary.contains(&format!("]({id}-")) {
            missing(format!(
                "add `[Step {number:02}: ...]({id}-<name>.md)` to docs/src/SUMMARY.md"
            ));
        }
        let chapters: Vec<String> = file_names_in(&root.join("docs/src"))
            .into_iter()
            .filter(|name| name.starts_with(&format!("{id}-")) && name.ends_with(".md"))
            .collect();
        match chapters.as_slice() {
            [] => missing(format!("write the chapter, docs/src/{id}-<name>.md")),
            [chapter] => {
                let text = read(&format!("docs/src/{chapter}")).unwrap_or_default();
                // (Without any link for the step, the line above says it.)
                if summary.contains(&format!("]({id}-"))
                    && !summary.contains(&format!("]({chapter})"))
                {
                    missing(format!(
                        "link the chapter as it is named, {chapter}, in docs/src/SUMMARY.md"
                    ));
                }
                if !text
                    .lines()
                    .nth(2)
                    .is_some_and(|l| l.starts_with("*Duration: "))
                {
                    missing(format!(
                        "make the third line of docs/src/{chapter} `*Duration: ...*`"
                    ));
                }
                if !text.contains("<details>\n<summary>Speaker notes</summary>") {
                    missing(format!(
                    "add `<details>` with `<summary>Speaker notes</summary>` to docs/src/{chapter}"
                ));
                }
                if crate::hint::hints_in(&text).is_empty() {
                    missing(format!(
                        "add a `## Hints` section of numbered hints to docs/src/{chapter}"
                    ));
                }
                if !text.contains(&format!("cargo test -p {id}")) {
                    missing(format!(
                        "tell the attendee `cargo test -p {id}` in docs/src/{chapter}"
                    ));
                }
            }
            _ => missing(format!(
                "keep one chapter for {id} in docs/src/: {}",
                chapters.join(", ")
            )),
        }
    }

    /// The catalogue's wrong versions of the step.
    fn mistakes(&self, id: &str, number: u32, missing: &mut dyn FnMut(String)) {
        let catalogue = &self.catalogue;
        let wrong = catalogue
            .lines()
            .filter(|line| line.trim() == format!("step: {number},"))
            .count();
        if wrong < WRONG_VERSIONS {
            missing(format!(
            "add at least {WRONG_VERSIONS} wrong versions of {id} (`step: {number},`) to crates/mutants/catalogue.rs"
        ));
        }
    }
}

/// A file of the tree at `root`, with Windows line endings as Unix ones.
fn read_text(root: &Path, path: &str) -> Option<String> {
    std::fs::read_to_string(root.join(path))
        .ok()
        .map(|text| text.replace("\r\n", "\n"))
}

/// The `stepNN` that names in `folder` start with (`step01`, `step01-pure.md`).
fn step_names_in(folder: &Path) -> BTreeSet<String> {
    file_names_in(folder)
        .into_iter()
        .filter(|name| {
            name.len() >= 6
                && name.starts_with("step")
                && name[4..6].bytes().all(|b| b.is_ascii_digit())
                && !name[6..].starts_with(|c: char| c.is_ascii_alphanumeric())
        })
        .map(|name| name[..6].to_string())
        .collect()
}

/// The names in `folder` (none where it is missing).
fn file_names_in(folder: &Path) -> BTreeSet<String> {
    std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

/// A step crate's library: every file in `src/` but the binary and the
/// attendee's module.
fn library_text(src: &Path) -> String {
    file_names_in(src)
        .into_iter()
        .filter(|name| name.ends_with(".rs") && name != "main.rs" && name != "attendee.rs")
        .filter_map(|name| std::fs::read_to_string(src.join(name)).ok())
        .collect()
}

/// The lines of a TOML table, `header` to the next table.
fn section<'a>(toml: &'a str, header: &str) -> &'a str {
    let Some(start) = toml
        .find(&format!("\n{header}\n"))
        .map(|i| i + header.len() + 2)
        .or_else(|| {
            toml.starts_with(&format!("{header}\n"))
                .then_some(header.len() + 1)
        })
    else {
        return "";
    };
    let rest = &toml[start..];
    rest.find("\n[").map_or(rest, |end| &rest[..=end])
}

/// What `key` is set to in a TOML table's lines: `key = value` gives
/// `value`, and the dotted `key.workspace = true` gives `workspace = true`.
fn value<'a>(table: &'a str, key: &str) -> Option<&'a str> {
    table.lines().find_map(|line| {
        let rest = line.trim().strip_prefix(key)?;
        rest.trim_start()
            .strip_prefix('=')
            .or_else(|| rest.strip_prefix('.'))
            .map(str::trim)
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn copy(from: &Path, to: &Path, path: &str) {
        let target = to.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(from.join(path), &target).unwrap_or_else(|e| panic!("{path}: {e}"));
    }

    /// The workspace's files that the checks read, and nothing else (no
    /// code to compile): a copy in which a new step costs no build.
    fn copy_what_the_checks_read(to: &Path) {
        let from = root();
        for path in [
            "Cargo.toml",
            REGISTRY,
            "crates/workshop/Cargo.toml",
            "crates/mutants/Cargo.toml",
            "crates/mutants/catalogue.rs",
            "crates/exercise-files/Cargo.toml",
            "docs/src/SUMMARY.md",
        ] {
            copy(&from, to, path);
        }
        for id in ladder_in(&std::fs::read_to_string(from.join(REGISTRY)).unwrap()) {
            copy(&from, to, &format!("crates/{id}/Cargo.toml"));
            copy(&from, to, &format!("crates/{id}/tests/selfcheck.rs"));
            for folder in [
                format!("crates/{id}/src"),
                format!("crates/{id}/stub"),
                format!("solutions/{id}"),
            ] {
                for name in file_names_in(&from.join(&folder)) {
                    if from.join(&folder).join(&name).is_file() {
                        copy(&from, to, &format!("{folder}/{name}"));
                    }
                }
            }
            for name in file_names_in(&from.join("docs/src")) {
                if name.starts_with(&format!("{id}-")) {
                    copy(&from, to, &format!("docs/src/{name}"));
                }
            }
        }
    }

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `path`'s text with `new` put after `anchor`, which it must hold.
    fn insert_after(root: &Path, path: &str, anchor: &str, new: &str) {
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        let at = text
            .find(anchor)
            .unwrap_or_else(|| panic!("{path} lacks {anchor:?}"))
            + anchor.len();
        write(root, path, &format!("{}{new}{}", &text[..at], &text[at..]));
    }

    /// A piece of a throwaway step 08 as an item of the checklist adds it:
    /// the problems it puts right, and those it brings to light.
    struct Piece {
        item: &'static str,
        add: fn(&Path),
        fixes: &'static [&'static str],
        reveals: &'static [&'static str],
    }

    const STEP08: &[Piece] = &[
        Piece {
            item: "1. the crate",
            add: |r| write(r, "crates/step08/Cargo.toml", "[package]\nname = \"step08\"\n"),
            fixes: &[],
            reveals: &[
                "add `&step08::STEP,` to `LADDER` in crates/workshop/src/registry.rs",
                "add `\"crates/step08\"` to `members` in the root Cargo.toml",
                "add `step08 = { path = \"crates/step08\" }` to `[workspace.dependencies]` in the root Cargo.toml",
                "add `step08.workspace = true` to `[dependencies]` in crates/workshop/Cargo.toml",
                "add `step08.workspace = true` to `[dependencies]` in crates/mutants/Cargo.toml",
                "add `solution = []` to `[features]` in crates/step08/Cargo.toml",
                "add `flamegraph = [\"mandel-core/flamegraph\"]` to `[features]` in crates/step08/Cargo.toml",
                "add `exercise-files = { path = \"../exercise-files\", features = [\"step08\"] }` to `[dependencies]` in crates/step08/Cargo.toml",
                "add `step08 = []` to `[features]` in crates/exercise-files/Cargo.toml",
                "define `pub const STEP: Step` in crates/step08/src/lib.rs",
                "load the reference, \"../../../solutions/step08/...\", in crates/step08/src/ (its library)",
                "load the attendee's file, \"../../../exercises/step08/...\", in crates/step08/src/attendee.rs",
                "write the step's binary, crates/step08/src/main.rs",
                "write the attendee's check, crates/step08/tests/selfcheck.rs, with `mod attendee;`",
                "put the stub in crates/step08/stub/",
                "put the reference in solutions/step08/, with the file names of crates/step08/stub/",
                "add `[Step 08: ...](step08-<name>.md)` to docs/src/SUMMARY.md",
                "write the chapter, docs/src/step08-<name>.md",
                "add at least 5 wrong versions of step08 (`step: 8,`) to crates/mutants/catalogue.rs",
            ],
        },
        Piece {
            item: "1. the root Cargo.toml's members",
            add: |r| insert_after(r, "Cargo.toml", "\"crates/step07\",", " \"crates/step08\","),
            fixes: &["add `\"crates/step08\"` to `members` in the root Cargo.toml"],
            reveals: &[],
        },
        Piece {
            item: "1. the root Cargo.toml's [workspace.dependencies]",
            add: |r| {
                let after = "step07 = { path = \"crates/step07\", default-features = false }\n";
                insert_after(r, "Cargo.toml", after, "step08 = { path = \"crates/step08\" }\n")
            },
            fixes: &["add `step08 = { path = \"crates/step08\" }` to `[workspace.dependencies]` in the root Cargo.toml"],
            reveals: &[],
        },
        Piece {
            item: "1. the workshop's and the mutants' dependency",
            add: |r| {
                for manifest in ["crates/workshop/Cargo.toml", "crates/mutants/Cargo.toml"] {
                    insert_after(r, manifest, "step07.workspace = true\n", "step08.workspace = true\n");
                }
            },
            fixes: &[
                "add `step08.workspace = true` to `[dependencies]` in crates/workshop/Cargo.toml",
                "add `step08.workspace = true` to `[dependencies]` in crates/mutants/Cargo.toml",
            ],
            reveals: &[],
        },
        Piece {
            item: "2. the library: STEP and the reference",
            add: |r| {
                let lib = "pub const STEP: Step = Step { .. };\n#[path = \"../../../solutions/step08/calculate_z.rs\"]\npub mod solution;\n";
                write(r, "crates/step08/src/lib.rs", lib)
            },
            fixes: &[
                "define `pub const STEP: Step` in crates/step08/src/lib.rs",
                "load the reference, \"../../../solutions/step08/...\", in crates/step08/src/ (its library)",
            ],
            reveals: &[],
        },
        Piece {
            item: "3. the attendee's module",
            add: |r| {
                let attendee = "mandel_core::attendee_file!(step08, \"../../../exercises/step08/calculate_z.rs\", |p| todo!());\n";
                write(r, "crates/step08/src/attendee.rs", attendee)
            },
            fixes: &["load the attendee's file, \"../../../exercises/step08/...\", in crates/step08/src/attendee.rs"],
            reveals: &[],
        },
        Piece {
            item: "4. the features",
            add: |r| {
                let manifest = "\n[features]\nsolution = []\nflamegraph = [\"mandel-core/flamegraph\"]\n\n[dependencies]\nexercise-files = { path = \"../exercise-files\", features = [\"step08\"] }\n";
                insert_after(r, "crates/step08/Cargo.toml", "name = \"step08\"\n", manifest);
                insert_after(r, "crates/exercise-files/Cargo.toml", "step07 = []\n", "step08 = []\n");
            },
            fixes: &[
                "add `solution = []` to `[features]` in crates/step08/Cargo.toml",
                "add `flamegraph = [\"mandel-core/flamegraph\"]` to `[features]` in crates/step08/Cargo.toml",
                "add `exercise-files = { path = \"../exercise-files\", features = [\"step08\"] }` to `[dependencies]` in crates/step08/Cargo.toml",
                "add `step08 = []` to `[features]` in crates/exercise-files/Cargo.toml",
            ],
            reveals: &[],
        },
        Piece {
            item: "5. the binary",
            add: |r| write(r, "crates/step08/src/main.rs", "fn main() {}\n"),
            fixes: &["write the step's binary, crates/step08/src/main.rs"],
            reveals: &[],
        },
        Piece {
            item: "6. the attendee's check",
            add: |r| {
                let check = "#[path = \"../src/attendee.rs\"]\nmod attendee;\n";
                write(r, "crates/step08/tests/selfcheck.rs", check)
            },
            fixes: &["write the attendee's check, crates/step08/tests/selfcheck.rs, with `mod attendee;`"],
            reveals: &[],
        },
        Piece {
            item: "7. the stub",
            add: |r| write(r, "crates/step08/stub/calculate_z.rs", "todo!()\n"),
            fixes: &["put the stub in crates/step08/stub/"],
            reveals: &[],
        },
        Piece {
            item: "7. the reference, under another name than the stub's",
            add: |r| write(r, "solutions/step08/calculate.rs", "// the reference\n"),
            fixes: &[],
            reveals: &[],
        },
        Piece {
            item: "7. the reference, named as the stub",
            add: |r| {
                let solutions = r.join("solutions/step08");
                std::fs::rename(solutions.join("calculate.rs"), solutions.join("calculate_z.rs")).unwrap()
            },
            fixes: &["put the reference in solutions/step08/, with the file names of crates/step08/stub/"],
            reveals: &[],
        },
        Piece {
            item: "9. the registry",
            add: |r| insert_after(r, REGISTRY, "&step07::STEP,\n", "    &step08::STEP,\n"),
            fixes: &["add `&step08::STEP,` to `LADDER` in crates/workshop/src/registry.rs"],
            reveals: &[],
        },
        Piece {
            item: "10. the chapter, its title and duration",
            add: |r| write(r, "docs/src/step08-throwaway.md", "# Step 08: throwaway\n\n*Duration: 1 minute.*\n"),
            fixes: &["write the chapter, docs/src/step08-<name>.md"],
            reveals: &[
                "add `<details>` with `<summary>Speaker notes</summary>` to docs/src/step08-throwaway.md",
                "add a `## Hints` section of numbered hints to docs/src/step08-throwaway.md",
                "tell the attendee `cargo test -p step08` in docs/src/step08-throwaway.md",
            ],
        },
        Piece {
            item: "10. the chapter in SUMMARY.md",
            add: |r| {
                let line = "- [Step 08: throwaway](step08-throwaway.md)\n";
                insert_after(r, "docs/src/SUMMARY.md", "(step07-gpu.md)\n", line)
            },
            fixes: &["add `[Step 08: ...](step08-<name>.md)` to docs/src/SUMMARY.md"],
            reveals: &[],
        },
        Piece {
            item: "10. the chapter's check, hints and speaker notes",
            add: |r| {
                let rest = "\nRun `cargo test -p step08`.\n\n## Hints\n\n1. Think.\n\n<details>\n<summary>Speaker notes</summary>\nNone.\n</details>\n";
                insert_after(r, "docs/src/step08-throwaway.md", "minute.*\n", rest)
            },
            fixes: &[
                "add `<details>` with `<summary>Speaker notes</summary>` to docs/src/step08-throwaway.md",
                "add a `## Hints` section of numbered hints to docs/src/step08-throwaway.md",
                "tell the attendee `cargo test -p step08` in docs/src/step08-throwaway.md",
            ],
            reveals: &[],
        },
        Piece {
            item: "12. four wrong versions",
            add: |r| add_wrong_versions_of_step08(r, 4),
            fixes: &[],
            reveals: &[],
        },
        Piece {
            item: "12. the fifth",
            add: |r| add_wrong_versions_of_step08(r, 1),
            fixes: &["add at least 5 wrong versions of step08 (`step: 8,`) to crates/mutants/catalogue.rs"],
            reveals: &[],
        },
    ];

    fn add_wrong_versions_of_step08(root: &Path, count: usize) {
        let wrong = "    Mutant {\n        step: 8,\n        name: \"a slip\",\n    },\n";
        let start = "catalogue![\n";
        insert_after(
            root,
            "crates/mutants/catalogue.rs",
            start,
            &wrong.repeat(count),
        );
    }

    #[test]
    fn a_throwaway_step08_lacks_exactly_what_the_checklist_has_not_yet_added() {
        let tree = tempfile::tempdir().unwrap();
        let root = tree.path();
        copy_what_the_checks_read(root);
        assert_eq!(
            problems(root),
            Vec::<String>::new(),
            "the copy holds what the checks read"
        );
        let mut missing: BTreeSet<&str> = BTreeSet::new();
        for piece in STEP08 {
            (piece.add)(root);
            for fixed in piece.fixes {
                assert!(
                    missing.remove(fixed),
                    "{}: {fixed:?} was not missing",
                    piece.item
                );
            }
            missing.extend(piece.reveals);
            let now = problems(root);
            let said = if now.is_empty() {
                "nothing missing".to_string()
            } else {
                now.join("\n  ")
            };
            println!("after {}:\n  {said}", piece.item);
            let now: BTreeSet<&str> = now.iter().map(String::as_str).collect();
            assert_eq!(now, missing, "after {}", piece.item);
        }
        assert!(
            missing.is_empty(),
            "the checklist's end still lacks {missing:?}"
        );
    }

    #[test]
    fn a_ladder_out_of_number_order_is_named() {
        let registry =
            "pub const LADDER: &[&Step] = &[\n    &step01::STEP,\n    &step03::STEP,\n];\n";
        assert_eq!(ladder_in(registry), ["step01", "step03"]);
        let tree = tempfile::tempdir().unwrap();
        write(tree.path(), REGISTRY, registry);
        let problems = problems(tree.path());
        assert!(
            problems[0].contains(
                "in number order from step01, one after another; it lists step01, step03"
            ),
            "{problems:?}"
        );
    }
}
