//! `lab projector`: writes the book's projector pages (one screen per
//! step) and the attendees' command sheet from the registry, the runner's
//! command line and the figures `lab figures` made
//! (`workshop::projector` makes them; a workshop test fails when the
//! checked-in pages are not what it makes now).

use std::process::ExitCode;

use mandel_core::Error;
use workshop::{projector, workspace};

pub fn run() -> Result<ExitCode, Error> {
    let root = workspace::root();
    let folder = root.join("docs/src").join(projector::FOLDER);
    std::fs::create_dir_all(&folder)
        .map_err(|e| Error::mistake(format!("cannot create {}: {e}", folder.display())))?;
    let mut changed = 0;
    for page in projector::pages(&root)? {
        let path = root.join(&page.path);
        let before = std::fs::read_to_string(&path).unwrap_or_default();
        if workspace::lf(&before) != page.text {
            workspace::write_whole(&path, &page.text)?;
            println!("wrote {}", page.path);
            changed += 1;
        }
    }
    println!("The projector pages and the command sheet: {changed} changed.");
    Ok(ExitCode::SUCCESS)
}
