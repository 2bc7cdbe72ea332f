//! `lab kit DIR`: what an instructor copies onto USB sticks for a room
//! without a network. The repository as attendees get it (the committed
//! tree of HEAD), every crate it needs vendored beside it with the
//! `.cargo/config.toml` that points cargo there, the built book, and a
//! page saying where Rust's installers are and what to type on the day.
//!
//! Everything is written into a temporary folder beside DIR and renamed
//! to DIR at the end: a failure leaves nothing behind.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output, Stdio};
use std::time::Instant;

use mandel_core::timing::duration_text;
use mandel_core::Error;
use mandel_testing::skip;
use workshop::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// The folder to write: a new one, or an empty one.
    dir: PathBuf,
}

/// The kit's copy of the repository, beside the book and the page.
const REPOSITORY: &str = "workshop";
/// The vendored crates, inside the kit's copy of the repository.
const VENDOR: &str = "vendor";
/// The page an instructor reads first, at the kit's top.
const PAGE: &str = "OFFLINE.md";
/// The mdBook CI builds the book with.
const MDBOOK_INSTALL: &str = "`cargo install mdbook --locked --version 0.4.52`";

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let started = Instant::now();
    let parent = claimable(&args.dir)?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    let shown = args.dir.display().to_string();
    let cannot = |e: std::io::Error| Error::mistake(format!("cannot write {shown}: {e}"));

    let repo = git_toplevel(&workspace::root())?;
    let commit = git(&repo, &["rev-parse", "--verify", "HEAD^{commit}"])?;
    let described = git(&repo, &["log", "-1", "--format=%h, %cs: %s", &commit])?;
    let dirty = !git(&repo, &["status", "--porcelain", "--untracked-files=no"])?.is_empty();

    let staging = tempfile::Builder::new()
        .prefix(".lab-kit-")
        .suffix(".part")
        .tempdir_in(&parent)
        .map_err(cannot)?;
    let kit = staging.path();
    let copy = kit.join(REPOSITORY);

    export_tree(&repo, &commit, &copy)?;
    println!(
        "{REPOSITORY}/: the repository at commit {commit} ({described}){}",
        if dirty {
            "; this checkout's uncommitted changes are not in it"
        } else {
            ""
        }
    );

    let crates = vendor(&copy)?;
    std::fs::create_dir_all(copy.join(".cargo")).map_err(cannot)?;
    std::fs::write(copy.join(".cargo/config.toml"), cargo_config()).map_err(cannot)?;
    println!(
        "{REPOSITORY}/{VENDOR}/: {crates} crates (cargo vendor --locked), and {REPOSITORY}/.cargo/config.toml sending cargo there"
    );

    let book = build_book(&copy, &kit.join("book"))?;
    match &book {
        Ok(()) => println!("book/: the workshop book (open book/index.html)"),
        Err(why) => println!(
            "{}",
            skip::line("the book was not built", why, MDBOOK_INSTALL)
        ),
    }

    let rust_version = rust_version(&copy);
    std::fs::write(
        kit.join(PAGE),
        page(&commit, &described, &rust_version, book.is_ok()),
    )
    .map_err(cannot)?;
    println!("{PAGE}: where Rust's installers are, and what to type on the day");

    let size = folder_size(kit);
    // An empty folder that was there is replaced (rename cannot replace a
    // folder on every system).
    if args.dir.is_dir() {
        std::fs::remove_dir(&args.dir).map_err(cannot)?;
    }
    // Until it is renamed, the temporary folder goes when `staging` drops.
    std::fs::rename(staging.path(), &args.dir).map_err(cannot)?;
    let _moved = staging.keep();
    println!(
        "Wrote {shown} ({:.0} MB) in {}: copy it onto the sticks; {shown}/{PAGE} says what to do with it.",
        size as f64 / 1e6,
        duration_text(started.elapsed())
    );
    Ok(ExitCode::SUCCESS)
}

/// The folder DIR will be made in, if DIR can be the kit: new, or empty.
fn claimable(dir: &Path) -> Result<PathBuf, Error> {
    let shown = dir.display();
    if dir.exists() || dir.is_symlink() {
        let empty = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none());
        if !dir.is_dir() {
            return Err(Error::mistake(format!(
                "cannot write the kit to {shown}: it exists and is not a folder; give a new folder"
            )));
        }
        if !empty {
            return Err(Error::mistake(format!(
                "cannot write the kit to {shown}: it exists and is not empty; give a new or empty folder"
            )));
        }
    }
    let parent = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(Error::mistake(format!(
            "cannot write the kit to {shown}: folder {} does not exist",
            parent.display()
        )));
    }
    // Absolute: git, run in the repository, writes there.
    std::path::absolute(parent)
        .map_err(|e| Error::mistake(format!("cannot write the kit to {shown}: {e}")))
}

/// The last line a failed command wrote, for a one-line report.
fn last_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    stderr
        .lines()
        .chain(stdout.lines())
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("no message")
        .trim_start_matches("error: ")
        .to_string()
}

fn run_git(repo: &Path, args: &[&str], index: Option<&Path>) -> Result<String, Error> {
    let mut command = Command::new("git");
    command.arg("-C").arg(repo).args(args).stdin(Stdio::null());
    if let Some(index) = index {
        command.env("GIT_INDEX_FILE", index);
    }
    let output = command.output().map_err(|e| {
        Error::missing(format!(
            "cannot run git ({e}): lab kit copies the repository's committed files with git; install git"
        ))
    })?;
    if !output.status.success() {
        return Err(Error::bug(format!(
            "git {} failed in {}: {}",
            args.join(" "),
            repo.display(),
            last_line(&output)
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn git(repo: &Path, args: &[&str]) -> Result<String, Error> {
    run_git(repo, args, None)
}

/// The git repository holding the workshop.
fn git_toplevel(workspace: &Path) -> Result<PathBuf, Error> {
    git(workspace, &["rev-parse", "--show-toplevel"])
        .map(PathBuf::from)
        // Any failure but git's absence means this folder is no checkout:
        // the instructor's to fix, by running it in one.
        .map_err(|e| match e.kind {
            mandel_core::error::ErrorKind::Missing => e,
            _ => Error::mistake(format!(
                "{} is not a git repository: lab kit copies the committed tree of the workshop's git checkout",
                workspace.display()
            )),
        })
}

/// Writes `commit`'s tree, and nothing else (no build folder, no
/// attendee's exercises), into `into`: read into a private index, then
/// checked out from it, leaving the repository's own index alone.
fn export_tree(repo: &Path, commit: &str, into: &Path) -> Result<(), Error> {
    let index = into.with_extension("index");
    let exported = run_git(repo, &["read-tree", commit], Some(&index)).and_then(|_| {
        let prefix = format!("--prefix={}/", into.display());
        run_git(repo, &["checkout-index", "--all", &prefix], Some(&index))
    });
    let _ = std::fs::remove_file(&index);
    exported.map(|_| ())
}

/// `cargo vendor --locked` in the kit's copy: every crate the lock file
/// names, into `vendor/`. Gives how many.
fn vendor(copy: &Path) -> Result<usize, Error> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["vendor", "--locked", VENDOR])
        .current_dir(copy)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Error::missing(format!(
                "cannot run cargo ({e}): is Rust installed? https://rustup.rs"
            ))
        })?;
    if !output.status.success() {
        return Err(Error::missing(format!(
            "cargo vendor --locked failed (it needs the network, or every crate already fetched with `cargo fetch --locked`): {}",
            last_line(&output)
        )));
    }
    let crates = std::fs::read_dir(copy.join(VENDOR))
        .map(|entries| entries.filter_map(Result::ok).count())
        .unwrap_or(0);
    Ok(crates)
}

/// The kit's `.cargo/config.toml`: crates.io replaced by the vendored
/// folder (relative to the folder holding `.cargo/`), so plain `cargo`
/// commands build with no network and no `--offline`.
pub fn cargo_config() -> String {
    format!(
        "# Written by `cargo run --release -p lab -- kit`: every crate this workshop\n\
         # needs is in {VENDOR}/, and cargo takes them from there instead of crates.io,\n\
         # so nothing is downloaded.\n\
         [source.crates-io]\n\
         replace-with = \"vendored-sources\"\n\
         \n\
         [source.vendored-sources]\n\
         directory = \"{VENDOR}\"\n"
    )
}

/// The book, built from the kit's copy with mdBook, or why not (no mdBook
/// here is not a failure: the rest of the kit is still written).
fn build_book(copy: &Path, into: &Path) -> Result<Result<(), String>, Error> {
    let output = match Command::new("mdbook")
        .arg("build")
        .arg(copy.join("docs"))
        .arg("-d")
        .arg(into)
        .stdin(Stdio::null())
        .output()
    {
        Ok(output) => output,
        Err(_) => return Ok(Err("no `mdbook` on the PATH".to_string())),
    };
    if !output.status.success() {
        // The book builds in CI with that mdBook: another version is the
        // likely cause.
        return Err(Error::missing(format!(
            "mdbook build failed: {} (install the mdBook the book is built with: {MDBOOK_INSTALL})",
            last_line(&output)
        )));
    }
    Ok(Ok(()))
}

/// The Rust the workspace asks for (`rust-version`), as its manifest says.
fn rust_version(copy: &Path) -> String {
    std::fs::read_to_string(copy.join("Cargo.toml"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| {
            let value = line.strip_prefix("rust-version")?.trim_start();
            Some(
                value
                    .strip_prefix('=')?
                    .trim()
                    .trim_matches('"')
                    .to_string(),
            )
        })
        .unwrap_or_else(|| "stable".to_string())
}

fn folder_size(dir: &Path) -> u64 {
    let mut size = 0;
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => folders.push(entry.path()),
                Ok(meta) => size += meta.len(),
                Err(_) => {}
            }
        }
    }
    size
}

/// rustup-init for the laptops a room brings, by target.
const RUSTUP_INIT: [(&str, &str); 6] = [
    ("Linux, x86-64", "x86_64-unknown-linux-gnu/rustup-init"),
    ("Linux, Arm 64", "aarch64-unknown-linux-gnu/rustup-init"),
    ("macOS, Intel", "x86_64-apple-darwin/rustup-init"),
    ("macOS, Apple silicon", "aarch64-apple-darwin/rustup-init"),
    ("Windows, x86-64", "x86_64-pc-windows-msvc/rustup-init.exe"),
    ("Windows, Arm 64", "aarch64-pc-windows-msvc/rustup-init.exe"),
];

/// The kit's front page.
fn page(commit: &str, described: &str, rust_version: &str, book: bool) -> String {
    let rustup_init: String = RUSTUP_INIT
        .iter()
        .map(|(system, path)| {
            format!("  - {system}: https://static.rust-lang.org/rustup/dist/{path}\n")
        })
        .collect();
    let book_line = if book {
        "- `book/`: the workshop book; open `book/index.html` in a browser.".to_string()
    } else {
        format!(
            "- (no `book/`: mdBook was not installed where the kit was made; \
             {MDBOOK_INSTALL}, then make the kit again. The chapters are \
             readable as they are in `{REPOSITORY}/docs/src/`.)"
        )
    };
    format!(
        "# The Mandelbrot workshop, offline

Written by `cargo run --release -p lab -- kit` from commit {commit}
({described}).

- `{REPOSITORY}/`: the repository as attendees get it, with every crate it
  needs in `{REPOSITORY}/{VENDOR}/` and `{REPOSITORY}/.cargo/config.toml`
  sending cargo there: nothing is downloaded, and no `--offline` is needed.
{book_line}
- `{PAGE}`: this page.

## Before the day: Rust on every laptop

The workshop needs Rust {rust_version} or newer, and the C linker Rust uses
(Linux: `gcc`; macOS: `xcode-select --install`; Windows: Visual Studio's
Build Tools, \"Desktop development with C++\"). Rust's installers are not in
this kit (they are not ours to hand out): fetch them on a machine with a
network and bring them on the stick.

- Rust's standalone installers install without a network (a `.tar.xz`
  for Linux, a `.pkg` for macOS, an `.msi` for Windows, for each kind of
  processor):
  https://forge.rust-lang.org/infra/other-installation-methods.html#standalone-installers
- rustup's own installer, `rustup-init`, needs a network while it runs
  (it downloads the toolchain), so run it before the day:
{rustup_init}
## On the day

Copy `{REPOSITORY}/` from the stick onto the laptop (anywhere you can
write), open a terminal in it, and type:

```
cargo run --release            # the whole ladder once: what the day is about
cargo run --release -- setup   # builds what the day needs: minutes, once
cargo test -p step01           # your first exercise's check: a stub, until you write it
```

Then read the book's chapter for step 1, edit `exercises/step01/`, and run
`cargo test -p step01` until it passes. Keep `{VENDOR}/` and `.cargo/`:
they are where the crates come from.
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The config sends crates.io to the vendored folder: a crate that is
    /// only there resolves with no registry at all (an empty CARGO_HOME).
    #[test]
    fn the_config_sends_cargo_to_the_vendored_crates() {
        let config = cargo_config();
        assert!(config.contains("[source.crates-io]\nreplace-with = \"vendored-sources\"\n"));
        assert!(config.contains("[source.vendored-sources]\ndirectory = \"vendor\"\n"));
        assert!(!config.contains("offline"), "{config}");

        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "app/Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nonly-in-the-kit = \"1\"\n",
        );
        write("app/src/main.rs", "fn main() {}\n");
        write(
            "app/vendor/only-in-the-kit/Cargo.toml",
            "[package]\nname = \"only-in-the-kit\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
        );
        write("app/vendor/only-in-the-kit/src/lib.rs", "");
        write(
            "app/vendor/only-in-the-kit/.cargo-checksum.json",
            "{\"files\":{},\"package\":null}",
        );
        write("app/.cargo/config.toml", &config);
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1"])
            .current_dir(dir.path().join("app"))
            .env("CARGO_HOME", dir.path().join("empty-cargo-home"))
            // Never the network, whatever the config says.
            .env("CARGO_NET_OFFLINE", "true")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("\"name\":\"only-in-the-kit\""), "{stdout}");
    }

    #[test]
    fn the_page_links_the_installers_and_says_what_to_type() {
        let page = page("0123abc", "0123abc, 2025-01-01: a commit", "1.89", false);
        for link in [
            "https://forge.rust-lang.org/infra/other-installation-methods.html#standalone-installers",
            "https://static.rust-lang.org/rustup/dist/x86_64-pc-windows-msvc/rustup-init.exe",
            "https://static.rust-lang.org/rustup/dist/aarch64-apple-darwin/rustup-init",
            "https://static.rust-lang.org/rustup/dist/x86_64-unknown-linux-gnu/rustup-init",
        ] {
            assert!(page.contains(link), "{link}");
        }
        for typed in [
            "cargo run --release ",
            "cargo run --release -- setup",
            "cargo test -p step01",
        ] {
            assert!(page.contains(typed), "{typed}");
        }
        assert!(page.contains("Rust 1.89 or newer"));
        assert!(page.contains(MDBOOK_INSTALL));
        // What attendees type needs no `--offline`.
        let typed = page.split("```").nth(1).unwrap();
        assert!(!typed.contains("--offline"), "{typed}");
    }

    #[test]
    fn a_folder_with_something_in_it_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(claimable(&dir.path().join("new")).is_ok());
        assert!(claimable(dir.path()).is_ok());
        std::fs::write(dir.path().join("file"), "").unwrap();
        let err = claimable(dir.path()).unwrap_err();
        assert!(err.line.contains("is not empty"), "{err}");
        let err = claimable(&dir.path().join("file")).unwrap_err();
        assert!(err.line.contains("is not a folder"), "{err}");
        let err = claimable(&dir.path().join("no/kit")).unwrap_err();
        assert!(err.line.contains("does not exist"), "{err}");
    }
}
