//! A stub repeats its solution's scaffolding: the items an attendee does
//! not write (the entry points around theirs, helpers, constants) are
//! copies of the reference's, and the chapters quote the stubs. Nothing
//! else keeps the copies equal, so this test does, for every step on the
//! ladder.
//!
//! An item is a top-level Rust item as `syn` parses it (the functions,
//! consts, structs and impls of step 07's CUDA C file are read by the
//! small reader below). Items are paired by kind and name; one that only
//! one file has is not a twin. The attendee's items, those whose body is a
//! `todo!()` (CUDA C: `MANDEL_TODO`), are compared by signature only: the
//! body and its comments are theirs to write, the signature is what the
//! step calls. `use` lines are not compared: each file imports what its
//! own code needs, and the compiler checks them.
//!
//! Rust twins must be equal line for line, comments and doc comments
//! included: `cargo fmt` formats both files (the stub as `mod stub`, the
//! solution as `mod solution`), so equal code is laid out alike, and the
//! comments are what an attendee reads, so a comment that drifted is the
//! drift this test is for. CUDA C, which no formatter holds to one layout,
//! is compared without its comments and with its whitespace collapsed.

use std::path::Path;

use mandel_core::Variant;
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::spanned::Spanned;
use workshop::registry::LADDER;
use workshop::workspace::lf;

/// Twins that differ on purpose, as (step, item, why): the stub starts
/// the attendee somewhere the lesson then moves from.
const MEANT_TO_DIFFER: &[(&str, &str, &str)] = &[
    ("step04", "const LANES", STEP04_SIMPLER),
    ("step04", "const INTERLEAVE", STEP04_SIMPLER),
    (
        "step04",
        "const BLOCK",
        "the exercise's 256-point blocks, as the chapter says; the reference's sieve \
         wants blocks of many groups",
    ),
    ("step04", "fn calculate_z_blocks_into", STEP04_SIMPLER),
    ("step04", "fn vectors", STEP04_SIMPLER),
    ("step04", "struct Z", STEP04_SIMPLER),
    ("step04", "fn escape_iterations", STEP04_SIMPLER),
    (
        "step05",
        "const CHUNKS_PER_THREAD",
        "the stub starts where multi.py did, one chunk per CPU; the reference's 64 is \
         the chapter's lesson",
    ),
    (
        "step05",
        "fn calculate_z",
        "its doc comment says how many chunks, which CHUNKS_PER_THREAD sets",
    ),
];

const STEP04_SIMPLER: &str = "step 04's stub is the one-type `f64x8` kernel the chapter \
    builds, with its own constants; the reference is generic over `step04::simd`, with a sieve";

/// One top-level item of a file.
struct Item {
    /// Its kind and name: `fn calculate_z`, `const LANES`, `impl Z`.
    key: String,
    /// Its text as compared, from its first line: for Rust the whole lines
    /// it spans, with the comments and attributes just above it.
    lines: Vec<String>,
    /// The 1-based line of `lines[0]` in its file.
    line: usize,
    /// Whether the attendee writes it: then only its signature is compared.
    written_by_attendee: bool,
    /// A function's signature, whitespace collapsed, and its line.
    signature: Option<(String, usize)>,
}

/// Where twins first differ.
struct Difference {
    key: String,
    /// Only the signature of an attendee's item differs.
    signature: bool,
    stub_line: usize,
    solution_line: usize,
    stub_text: String,
    solution_text: String,
}

impl Difference {
    fn describe(&self, stub_path: &str, solution_path: &str) -> String {
        let key = &self.key;
        let (what, fix) = if self.signature {
            (
                format!("the signature of `{key}` (the attendee's to fill in)"),
                format!("give the stub's `{key}` the solution's signature"),
            )
        } else {
            (
                format!("`{key}`"),
                format!(
                    "copy the solution's `{key}` into the stub, or move it out of the attendee's file \
                     (where the difference is the lesson, list it in MEANT_TO_DIFFER with why)"
                ),
            )
        };
        format!(
            "{stub_path}:{} and {solution_path}:{}: {what} differs from here\n  \
             stub:     {}\n  solution: {}\n  {fix}",
            self.stub_line, self.solution_line, self.stub_text, self.solution_text
        )
    }
}

/// The twins of `stub` and `solution` that differ, in the stub's order.
/// `file` names the language: `.rs` or `.cu`.
fn twins_that_differ(
    file: &str,
    stub_path: &str,
    stub: &str,
    solution_path: &str,
    solution: &str,
) -> Vec<Difference> {
    let read = |path: &str, text: &str| match Path::new(file).extension() {
        Some(e) if e == "rs" => rust_items(path, &lf(text)),
        Some(e) if e == "cu" => cuda_items(&lf(text)),
        _ => panic!("{path}: no reader for this kind of file"),
    };
    let solution_items = read(solution_path, solution);
    let mut differences = Vec::new();
    for ours in read(stub_path, stub) {
        let Some(theirs) = solution_items.iter().find(|item| item.key == ours.key) else {
            continue;
        };
        if ours.written_by_attendee {
            if let (Some((signature, line)), Some((solution_signature, solution_line))) =
                (&ours.signature, &theirs.signature)
            {
                if signature != solution_signature {
                    differences.push(Difference {
                        key: ours.key.clone(),
                        signature: true,
                        stub_line: *line,
                        solution_line: *solution_line,
                        stub_text: format!("`{signature}`"),
                        solution_text: format!("`{solution_signature}`"),
                    });
                }
            }
            continue;
        }
        let first = (0..ours.lines.len().max(theirs.lines.len()))
            .find(|&i| ours.lines.get(i) != theirs.lines.get(i));
        if let Some(i) = first {
            let shown = |lines: &[String]| {
                lines
                    .get(i)
                    .map_or("(the item has ended)".to_string(), |l| format!("`{l}`"))
            };
            differences.push(Difference {
                key: ours.key.clone(),
                signature: false,
                stub_line: ours.line + i,
                solution_line: theirs.line + i,
                stub_text: shown(&ours.lines),
                solution_text: shown(&theirs.lines),
            });
        }
    }
    differences
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A Rust file's top-level items but its `use` lines.
fn rust_items(path: &str, text: &str) -> Vec<Item> {
    let file =
        syn::parse_file(text).unwrap_or_else(|e| panic!("{path}:{}: {e}", e.span().start().line));
    let lines: Vec<&str> = text.lines().collect();
    let mut items: Vec<Item> = Vec::new();
    for item in &file.items {
        let Some(key) = rust_key(item) else {
            continue;
        };
        // The same key twice (two `impl Z`, say): the second is `impl Z #2`.
        let seen = items
            .iter()
            .filter(|i| i.key == key || i.key.starts_with(&format!("{key} #")))
            .count();
        let key = match seen {
            0 => key,
            n => format!("{key} #{}", n + 1),
        };
        let span = item.span();
        let (mut first, last) = (span.start().line, span.end().line);
        // A plain comment just above an item is about it (why an
        // `#[allow]`, say): part of its text.
        while first > 1 && is_plain_comment(lines[first - 2]) {
            first -= 1;
        }
        let signature = match item {
            syn::Item::Fn(function) => Some((
                collapse(&function.sig.to_token_stream().to_string()),
                function.sig.span().start().line,
            )),
            _ => None,
        };
        items.push(Item {
            key,
            lines: lines[first - 1..last]
                .iter()
                .map(|l| l.to_string())
                .collect(),
            line: first,
            written_by_attendee: asks_the_attendee(item.to_token_stream()),
            signature,
        });
    }
    items
}

fn is_plain_comment(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("//") && !line.starts_with("//!") && !line.starts_with("///")
}

/// `fn calculate_z`, `const LANES`, `impl Z`, `impl Trait for Z`; `None`
/// for the items not compared (`use`, `extern crate`).
fn rust_key(item: &syn::Item) -> Option<String> {
    let named = |kind: &str, name: &syn::Ident| Some(format!("{kind} {name}"));
    match item {
        syn::Item::Use(_) | syn::Item::ExternCrate(_) => None,
        syn::Item::Fn(i) => named("fn", &i.sig.ident),
        syn::Item::Const(i) => named("const", &i.ident),
        syn::Item::Static(i) => named("static", &i.ident),
        syn::Item::Struct(i) => named("struct", &i.ident),
        syn::Item::Enum(i) => named("enum", &i.ident),
        syn::Item::Union(i) => named("union", &i.ident),
        syn::Item::Type(i) => named("type", &i.ident),
        syn::Item::Trait(i) => named("trait", &i.ident),
        syn::Item::Mod(i) => named("mod", &i.ident),
        // Keyed without generics, so that `impl Z` pairs with
        // `impl<S: Simd> Z<S>`: they are twins that differ.
        syn::Item::Impl(i) => {
            let type_name = |ty: &syn::Type| match ty {
                syn::Type::Path(p) => p
                    .path
                    .segments
                    .last()
                    .map_or(String::new(), |s| s.ident.to_string()),
                other => collapse(&other.to_token_stream().to_string()),
            };
            Some(match &i.trait_ {
                Some((_, path, _)) => format!(
                    "impl {} for {}",
                    path.segments
                        .last()
                        .map_or(String::new(), |s| s.ident.to_string()),
                    type_name(&i.self_ty)
                ),
                None => format!("impl {}", type_name(&i.self_ty)),
            })
        }
        syn::Item::Macro(i) => Some(match &i.ident {
            Some(name) => format!("macro_rules! {name}"),
            None => format!("{}!", collapse(&i.mac.path.to_token_stream().to_string())),
        }),
        other => Some(collapse(&other.to_token_stream().to_string())),
    }
}

/// Whether `tokens` hold a `todo!`: the part the attendee writes.
fn asks_the_attendee(tokens: TokenStream) -> bool {
    let mut previous_was_todo = false;
    for token in tokens {
        match &token {
            TokenTree::Punct(p) if p.as_char() == '!' && previous_was_todo => return true,
            TokenTree::Group(group) if asks_the_attendee(group.stream()) => return true,
            _ => {}
        }
        previous_was_todo = matches!(&token, TokenTree::Ident(i) if i == "todo");
    }
    false
}

/// A CUDA C file's top-level pieces, comments gone and whitespace
/// collapsed: each preprocessor line, and each declaration or function up
/// to its `;` or its body's closing brace. A function is keyed by its
/// name; one whose body holds `MANDEL_TODO` is the attendee's.
fn cuda_items(text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut piece = String::new();
    let mut piece_line = 0;
    let mut depth = 0usize;
    let mut finish = |piece: &mut String, line: usize| {
        let code = collapse(piece);
        piece.clear();
        if code.is_empty() {
            return;
        }
        let head = code
            .split('{')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let is_function = code.ends_with('}') && head.ends_with(')');
        let key = match head.split('(').next() {
            Some(before) if is_function => {
                let name = before.split_whitespace().last().unwrap_or_default();
                format!("function {name}")
            }
            _ => code.clone(),
        };
        items.push(Item {
            key,
            written_by_attendee: code.contains("MANDEL_TODO"),
            signature: is_function.then_some((head, line)),
            lines: vec![code],
            line,
        });
    };
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        if depth == 0 && piece.trim().is_empty() && line.trim_start().starts_with('#') {
            piece.push_str(line);
            finish(&mut piece, number);
            continue;
        }
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                // The rest of the line is a comment. (Neither `/* */` nor
                // a string holding `//`, `{` or `;` is read right: the
                // kernels have none, and a reader that does is a lexer.)
                '/' if chars.peek() == Some(&'/') => break,
                _ if c.is_whitespace() && piece.trim().is_empty() => continue,
                _ => {}
            }
            if piece.trim().is_empty() {
                piece_line = number;
            }
            piece.push(c);
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        finish(&mut piece, piece_line);
                    }
                }
                ';' if depth == 0 => finish(&mut piece, piece_line),
                _ => {}
            }
        }
        piece.push(' ');
    }
    finish(&mut piece, piece_line);
    items
}

/// The stub's and the solution's paths and texts for `step`.
fn files(step: &mandel_core::Step) -> (String, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let stub_path = format!("crates/{}/stub/{}", step.id(), step.file);
    let solution_path = step.path(Variant::Solution);
    let solution = std::fs::read_to_string(root.join(&solution_path))
        .unwrap_or_else(|e| panic!("{solution_path}: {e}"));
    (stub_path, solution_path, solution)
}

fn meant_to_differ(step: &str, key: &str) -> bool {
    MEANT_TO_DIFFER
        .iter()
        .any(|&(s, k, _)| s == step && k == key)
}

#[test]
fn every_stub_repeats_its_solutions_scaffolding_word_for_word() {
    let mut reports = Vec::new();
    for step in LADDER {
        let (stub_path, solution_path, solution) = files(step);
        for difference in
            twins_that_differ(step.file, &stub_path, step.stub, &solution_path, &solution)
        {
            if !meant_to_differ(&step.id(), &difference.key) {
                reports.push(difference.describe(&stub_path, &solution_path));
            }
        }
    }
    assert!(
        reports.is_empty(),
        "a stub's copy of its solution's code has drifted:\n{}",
        reports.join("\n")
    );
}

#[test]
fn every_difference_meant_is_still_there() {
    for &(id, key, why) in MEANT_TO_DIFFER {
        assert!(
            !why.is_empty(),
            "MEANT_TO_DIFFER: say why {id}'s `{key}` differs"
        );
        let step = LADDER
            .iter()
            .find(|step| step.id() == id)
            .unwrap_or_else(|| panic!("MEANT_TO_DIFFER names {id}, which is not on the ladder"));
        let (stub_path, solution_path, solution) = files(step);
        let differs =
            twins_that_differ(step.file, &stub_path, step.stub, &solution_path, &solution)
                .iter()
                .any(|d| d.key == key);
        assert!(
            differs,
            "{id}'s `{key}` is in MEANT_TO_DIFFER but no longer differs (or is no longer in both \
             {stub_path} and {solution_path}): take it off the list"
        );
    }
}

/// The guard proved on the real files: a change to a twin in a copy of a
/// stub is named, with the stub's line where it starts.
#[test]
fn a_changed_twin_is_named_with_its_file_and_line() {
    let mut proved = 0;
    for step in LADDER.iter().filter(|step| step.file.ends_with(".rs")) {
        let (stub_path, solution_path, solution) = files(step);
        let stub = lf(step.stub);
        let differing: Vec<String> =
            twins_that_differ(step.file, &stub_path, &stub, &solution_path, &solution)
                .into_iter()
                .map(|d| d.key)
                .collect();
        let solution_keys: Vec<String> = rust_items(&solution_path, &lf(&solution))
            .into_iter()
            .map(|item| item.key)
            .collect();
        // The first twin the stub copies as it is.
        let Some(twin) = rust_items(&stub_path, &stub).into_iter().find(|item| {
            !item.written_by_attendee
                && solution_keys.contains(&item.key)
                && !differing.contains(&item.key)
        }) else {
            continue;
        };
        let last = twin.line + twin.lines.len() - 1;
        let changed: Vec<String> = stub
            .lines()
            .enumerate()
            .map(|(i, line)| match i + 1 == last {
                true => format!("{line} // changed"),
                false => line.to_string(),
            })
            .collect();
        let reports: Vec<String> = twins_that_differ(
            step.file,
            &stub_path,
            &changed.join("\n"),
            &solution_path,
            &solution,
        )
        .iter()
        .filter(|d| d.key == twin.key)
        .map(|d| d.describe(&stub_path, &solution_path))
        .collect();
        assert_eq!(reports.len(), 1, "{}: `{}` changed", step.id(), twin.key);
        let report = &reports[0];
        let named = format!("{stub_path}:{last} and {solution_path}:");
        assert!(report.starts_with(&named), "{report}\nshould start {named}");
        assert!(
            report.contains(&format!("`{}` differs", twin.key)),
            "{report}"
        );
        assert!(report.contains("// changed`"), "{report}");
        assert!(
            report.contains(&format!("copy the solution's `{}` into the stub", twin.key)),
            "{report}"
        );
        proved += 1;
    }
    assert!(
        proved > 0,
        "no step's stub shares an item with its solution"
    );
}

#[test]
fn a_changed_signature_of_the_attendees_function_is_named() {
    let stub = "\
/// Theirs to write.
pub fn kernel(q: &[f64]) -> Vec<u32> {
    // Their recipe.
    todo!()
}

/// Ours.
pub const LANES: usize = 8;
";
    let solution = "\
/// The reference's own words.
pub fn kernel(q: &[f32]) -> Vec<u32> {
    q.iter().map(|_| 0).collect()
}

/// Ours.
pub const LANES: usize = 4;
";
    let reports: Vec<String> = twins_that_differ("x.rs", "stub.rs", stub, "solution.rs", solution)
        .iter()
        .map(|d| d.describe("stub.rs", "solution.rs"))
        .collect();
    assert_eq!(reports.len(), 2, "{reports:#?}");
    assert!(
        reports[0].starts_with("stub.rs:2 and solution.rs:2: the signature of `fn kernel`"),
        "{}",
        reports[0]
    );
    assert!(
        reports[1].starts_with("stub.rs:8 and solution.rs:7: `const LANES` differs"),
        "{}",
        reports[1]
    );
}

#[test]
fn cuda_c_twins_are_compared_without_their_comments() {
    let stub = "\
// Your task: the kernel.
#include \"mandel.cuh\"

extern \"C\" __global__ void calculate_z(const real *q, unsigned int n) {
    MANDEL_TODO(output);
}
";
    let solution = "\
// The reference.
#include \"mandel.cuh\"

extern \"C\" __global__ void calculate_z(const real *q,
                                       int n) {
    // One thread per point.
    if (n) { return; }
}
";
    let differences = twins_that_differ("x.cu", "stub.cu", stub, "solution.cu", solution);
    assert_eq!(differences.len(), 1, "only the signature differs");
    let report = differences[0].describe("stub.cu", "solution.cu");
    assert!(
        report.starts_with("stub.cu:4 and solution.cu:4: the signature of `function calculate_z`"),
        "{report}"
    );
    let same = twins_that_differ("x.cu", "stub.cu", stub, "solution.cu", stub);
    assert!(same.is_empty());
}
