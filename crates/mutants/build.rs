//! Applies the catalogue (catalogue.rs) to the solutions of steps 01-06:
//! each wrong version becomes a module made exactly as the step's own
//! `attendee.rs` makes the attendee's file, so it is checked with the
//! step's own self-check kernel. (Step 07's are CUDA C, compiled at run
//! time: the test applies those itself.)

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The part of a catalogue entry this script applies.
struct Edit {
    step: u32,
    name: &'static str,
    find: &'static str,
    replace: &'static str,
}

// The verdict and timing are the test's business: read past here.
macro_rules! catalogue {
    ($(Mutant {
        step: $step:expr,
        name: $name:expr,
        find: $find:expr,
        replace: $replace:expr,
        verdict: $verdict:ident,
        timing: $timing:expr $(,)?
    }),* $(,)?) => {
        const CATALOGUE: &[Edit] = &[$(Edit { step: $step, name: $name, find: $find, replace: $replace }),*];
    };
}

include!("catalogue.rs");

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=catalogue.rs");
    let mut modules = String::new();
    let mut table = String::from(
        "/// Every wrong version of steps 01-06: its place in the catalogue, and\n/// its kernel as the step's self-check runs it.\npub const MUTANTS: &[(usize, mandel_core::step::Kernel)] = &[\n",
    );
    for (index, mutant) in CATALOGUE.iter().enumerate() {
        let step = format!("step{:02}", mutant.step);
        let solution = root.join("solutions").join(&step).join("calculate_z.rs");
        println!("cargo:rerun-if-changed={}", solution.display());
        if mutant.step == 7 {
            continue;
        }
        let text = read(&solution);
        let found = text.matches(mutant.find).count();
        assert!(
            found == 1,
            "crates/mutants/catalogue.rs, \"{}\": its `find` must match solutions/{step}/calculate_z.rs once, and matches {found} times",
            mutant.name
        );
        let mut text = text.replacen(mutant.find, mutant.replace, 1);
        if mutant.step == 4 {
            // Step 04's portable kernel sieves only where it pays; its
            // copies here sieve in every build, so that the self-check
            // meets their mistakes in the sieve.
            let sieve_where_it_pays = "pub const SIEVE: bool = cfg!(target_feature = \"avx512f\");";
            assert!(
                text.contains(sieve_where_it_pays),
                "solutions/step04/calculate_z.rs no longer declares {sieve_where_it_pays}"
            );
            text = text.replacen(sieve_where_it_pays, "pub const SIEVE: bool = true;", 1);
        }
        let wrong = out.join(format!("mutant_{index}.rs"));
        std::fs::write(&wrong, text).expect("OUT_DIR is writable");

        let attendee = root.join("crates").join(&step).join("src/attendee.rs");
        println!("cargo:rerun-if-changed={}", attendee.display());
        let exercise = format!("\"../../../exercises/{step}/calculate_z.rs\"");
        let made = read(&attendee);
        assert!(
            made.contains(&exercise),
            "crates/{step}/src/attendee.rs no longer names {exercise}"
        );
        // Inner doc comments cannot sit inside the module made of it.
        let body: Vec<&str> = made.lines().filter(|l| !l.starts_with("//!")).collect();
        // The step's stub module (for its own tests) is here the wrong
        // version again: test builds would load one file for every version.
        let stub = "#[path = \"../stub/calculate_z.rs\"]\nmod stub;";
        assert!(
            made.contains(stub),
            "crates/{step}/src/attendee.rs no longer declares its stub as {stub:?}"
        );
        let body = body
            .join("\n")
            .replace(&exercise, &format!("{:?}", wrong.display().to_string()))
            .replace(stub, "use self::exercise as stub;");
        writeln!(modules, "pub mod mutant_{index} {{\n{body}\n}}").unwrap();
        writeln!(table, "    ({index}, mutant_{index}::EXERCISE),").unwrap();
    }
    table.push_str("];\n");
    std::fs::write(out.join("mutants.rs"), modules + &table).expect("OUT_DIR is writable");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
