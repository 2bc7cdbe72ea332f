//! What a step is: its place on the ladder, its kernel in the attendee's
//! and the reference version, and how closely it must match the oracle.

use crate::problem::Problem;
use crate::verify::Tolerance;

/// A step's entry point with its defaults: every kernel takes the problem's
/// points in the layout it wants and returns one count per point.
pub type Kernel = fn(&Problem) -> Vec<u32>;

/// Which file of a step runs: the attendee's or the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// `exercises/stepNN/`: what the attendee writes.
    Exercise,
    /// `solutions/stepNN/`: the reference solution.
    Solution,
}

impl Variant {
    pub fn folder(self) -> &'static str {
        match self {
            Variant::Exercise => "exercises",
            Variant::Solution => "solutions",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Variant::Exercise => "your exercise",
            Variant::Solution => "the reference solution",
        }
    }
}

pub struct Step {
    /// Place on the ladder, from 1.
    pub number: u32,
    /// One word: `pure`, `vector`, ...
    pub name: &'static str,
    /// The Rust technique, for the ladder's table.
    pub technique: &'static str,
    /// The tutorial script it retells.
    pub tutorial: &'static str,
    /// The file an attendee edits, the same name in `solutions/`.
    pub file: &'static str,
    /// The function in that file.
    pub function: &'static str,
    pub tolerance: Tolerance,
    pub exercise: Kernel,
    pub solution: Kernel,
    /// The book's chapter for this step (markdown); hints come from it.
    pub chapter: &'static str,
    /// How many threads the step's default run uses, for "% of peak".
    pub threads: fn() -> usize,
}

/// [`Step::threads`] for a step that runs on one thread.
pub fn one_thread() -> usize {
    1
}

impl Step {
    /// `step01`, the package name.
    pub fn id(&self) -> String {
        format!("step{:02}", self.number)
    }

    /// The path of the step's file, from the repository root.
    pub fn path(&self, variant: Variant) -> String {
        format!("{}/{}/{}", variant.folder(), self.id(), self.file)
    }

    pub fn kernel(&self, variant: Variant) -> Kernel {
        match variant {
            Variant::Exercise => self.exercise,
            Variant::Solution => self.solution,
        }
    }

    /// The command that prints this step's hints.
    pub fn hint_command(&self) -> String {
        format!("cargo run -- hint {}", self.number)
    }

    /// The `## Hints` section of the chapter, without its heading.
    pub fn hints(&self) -> Option<&'static str> {
        section(self.chapter, "Hints")
    }
}

/// The body of the markdown section `## {title}`, up to the next `## `.
pub fn section<'a>(markdown: &'a str, title: &str) -> Option<&'a str> {
    let heading = format!("## {title}\n");
    let start = markdown.find(&heading)? + heading.len();
    let rest = &markdown[start..];
    let end = rest.find("\n## ").map_or(rest.len(), |i| i + 1);
    Some(rest[..end].trim())
}

/// A step crate's two versions of its file, and the switch between them:
/// `exercise` (the attendee's, under `exercises/`), `solution` (under
/// `solutions/`), `active` (the one the binary and the self-check run:
/// the exercise, or the solution with `--features solution`) and `ACTIVE`,
/// which names it. In `crates/step03/src/lib.rs`:
/// `mandel_core::step_files!("../../../exercises/step03/calculate_z.rs", "../../../solutions/step03/calculate_z.rs");`
/// (`#[path]` takes only a literal, so the paths are spelled out.)
#[macro_export]
macro_rules! step_files {
    ($exercise:literal, $solution:literal) => {
        // A stub leaves its arguments and helpers unused until the attendee
        // fills it in.
        #[allow(unused_variables, unused_imports, dead_code)]
        #[path = $exercise]
        pub mod exercise;
        #[path = $solution]
        pub mod solution;

        #[cfg(not(feature = "solution"))]
        pub use exercise as active;
        #[cfg(feature = "solution")]
        pub use solution as active;

        /// What `cargo run` and `cargo test` of this step use: the exercise,
        /// or the reference solution with `--features solution`.
        pub const ACTIVE: $crate::Variant = if cfg!(feature = "solution") {
            $crate::Variant::Solution
        } else {
            $crate::Variant::Exercise
        };
    };
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
}
