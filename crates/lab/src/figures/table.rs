//! The figures the book shows, as a table: each figure's file, what it
//! runs (a step's binary, a command of the attendee's runner, or one of
//! this lab's), and how its output is kept.

use mandel_core::{PeakOf, Step};
use workshop::registry::LADDER;

/// One figure: runs whose output becomes `file`.
pub struct Figure {
    pub file: &'static str,
    /// What the figure runs for the book.
    pub runs: &'static [Run],
    /// What it runs with `--quick`: small problems, one run each.
    pub quick: &'static [Run],
    /// Whether the runs take `--out`/`--png`/`--svg` for their charts.
    pub charts: Charts,
    /// Only each step run's outcome (time and check), from its `--json`,
    /// instead of all it prints.
    pub outcome_only: bool,
    /// Needs a GPU: made by `--gpu` (`.ci/gpu-check` on a GPU machine).
    pub gpu: bool,
}

impl Figure {
    /// Runs' whole output, with no charts, made on any machine.
    const fn of(file: &'static str, runs: &'static [Run], quick: &'static [Run]) -> Figure {
        Figure {
            file,
            runs,
            quick,
            charts: Charts::None,
            outcome_only: false,
            gpu: false,
        }
    }

    const fn with_charts(self, charts: Charts) -> Figure {
        Figure { charts, ..self }
    }

    const fn outcomes_only(self) -> Figure {
        Figure {
            outcome_only: true,
            ..self
        }
    }

    const fn on_gpu(self) -> Figure {
        Figure { gpu: true, ..self }
    }
}

pub enum Charts {
    None,
    /// `scaling --out FOLDER`.
    Folder,
    /// `sweep --png F --svg F`, with this stem.
    Files(&'static str),
}

/// What one line of a figure runs.
pub enum Run {
    /// The step's own binary, built with `--features solution`.
    Step {
        step: &'static Step,
        args: &'static [&'static str],
    },
    /// A command of the attendee's runner: the `workshop` binary.
    Workshop {
        command: &'static str,
        args: &'static [&'static str],
    },
    /// A command of this lab.
    Lab {
        command: &'static str,
        args: &'static [&'static str],
    },
}

impl Run {
    /// The words the run's binary is given.
    pub fn words(&self) -> Vec<&'static str> {
        match self {
            Run::Step { args, .. } => args.to_vec(),
            Run::Workshop { command, args } | Run::Lab { command, args } => {
                std::iter::once(*command)
                    .chain(args.iter().copied())
                    .collect()
            }
        }
    }

    /// The run as a reader would type it.
    pub fn shown(&self) -> String {
        let words = shell_words(&self.words());
        match self {
            Run::Step { step, .. } => format!(
                "cargo run --release -p {} --features solution -- {words}",
                step.id()
            ),
            Run::Workshop { .. } => format!("cargo run --release -- {words}"),
            Run::Lab { .. } => format!("cargo run --release -p lab -- {words}"),
        }
    }

    /// Whether it runs on a GPU: a run of a step whose speed is a share
    /// of a GPU's peak.
    pub fn on_gpu(&self) -> bool {
        matches!(
            self,
            Run::Step {
                step: Step {
                    peak: PeakOf::Gpu { .. },
                    ..
                },
                ..
            }
        )
    }
}

/// A run of step `number`'s binary. The step is looked up while
/// compiling, so the table cannot name a step the ladder lacks.
const fn step(number: u32, args: &'static [&'static str]) -> Run {
    let mut index = 0;
    while index < LADDER.len() {
        if LADDER[index].number == number {
            return Run::Step {
                step: LADDER[index],
                args,
            };
        }
        index += 1;
    }
    panic!("a figure runs a step that is not on the ladder")
}

const fn workshop(command: &'static str, args: &'static [&'static str]) -> Run {
    Run::Workshop { command, args }
}

const fn lab(command: &'static str, args: &'static [&'static str]) -> Run {
    Run::Lab { command, args }
}

/// The words as a shell would need them typed: `--expr "z*z + c"`.
fn shell_words(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| {
            if w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.,/=".contains(&b))
            {
                w.to_string()
            } else {
                format!("\"{w}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// One run to a line, as the figure shows it (rustfmt would give each word
// a line of its own).
#[rustfmt::skip]
pub const FIGURES: &[Figure] = &[
    Figure::of(
        "ladder.txt",
        &[workshop("ladder", &["1000", "1000"])],
        &[workshop("ladder", &["100", "30", "--runs", "1"])],
    ),
    Figure::of(
        "bench.txt",
        &[lab("bench", &[])],
        &[lab("bench", &["200", "50", "--runs", "1"])],
    ),
    Figure::of("peak.txt", &[lab("peak", &[])], &[lab("peak", &[])]),
    Figure::of(
        "sweep.txt",
        &[lab("sweep", &[])],
        &[lab("sweep", &["300", "50", "--blocks", "5000,100", "--runs", "1"])],
    )
    .with_charts(Charts::Files("cache-sweep")),
    Figure::of(
        "scaling.txt",
        &[lab("scaling", &[])],
        &[lab("scaling", &["200", "50", "--runs", "1", "--chunks", "1,2"])],
    )
    .with_charts(Charts::Folder),
    Figure::of(
        "bench-8000.txt",
        &[lab("bench", &["8000", "2000", "--steps", "4,5", "--runs", "3"])],
        &[lab("bench", &["200", "100", "--steps", "4,5", "--runs", "1"])],
    ),
    Figure::of(
        "sieve.txt",
        &[
            lab("sieve", &[]),
            lab("sieve", &["8000", "2000", "--runs", "3"]),
        ],
        &[lab("sieve", &["100", "30", "--runs", "1"])],
    ),
    Figure::of(
        "dispatch.txt",
        &[
            lab("bench", &["--steps", "4,5", "--isa", "portable"]),
            lab("bench", &["--steps", "4,5", "--isa", "avx2"]),
            lab("bench", &["--steps", "4,5"]),
        ],
        &[
            lab("bench", &["100", "30", "--steps", "4", "--runs", "1", "--isa", "portable"]),
            lab("bench", &["100", "30", "--steps", "4", "--runs", "1", "--isa", "avx2"]),
        ],
    ),
    // What the room's laptops print: the ladder with each instruction set
    // this machine can force (an AVX2 laptop, the portable build).
    Figure::of(
        "laptops.txt",
        &[
            workshop("ladder", &["1000", "1000", "--isa", "avx512"]),
            workshop("ladder", &["1000", "1000", "--isa", "avx2"]),
            workshop("ladder", &["1000", "1000", "--isa", "portable"]),
        ],
        &[workshop("ladder", &["100", "30", "--runs", "1", "--isa", "portable"])],
    ),
    Figure::of(
        "fastest.txt",
        &[workshop("fastest", &[])],
        &[workshop("fastest", &["100", "30"])],
    ),
    Figure::of(
        "python.txt",
        &[lab("bench", &["--python"])],
        &[lab("bench", &["--python", "60", "20", "--runs", "1", "--steps", "1"])],
    ),
    Figure::of(
        "ranks.txt",
        &[lab("ranks", &[])],
        &[lab("ranks", &["200", "50", "--runs", "1", "--ranks", "1,2", "--threads-only"])],
    )
    .with_charts(Charts::Folder),
    Figure::of(
        "network.txt",
        &[lab("network", &[])],
        &[lab("network", &["2000", "300", "--runs", "1", "--links", "100"])],
    )
    .with_charts(Charts::Folder),
    Figure::of(
        "step01-run.txt",
        &[step(1, &["1000", "1000"])],
        &[step(1, &["100", "30"])],
    ),
    Figure::of(
        "expr.txt",
        &[
            step(4, &["1000", "1000"]),
            step(4, &["1000", "1000", "--expr", "z*z + c", "--block", "64"]),
            step(4, &["1000", "1000", "--expr", "z*z + c"]),
            step(4, &["1000", "1000", "--expr", "z*z + c", "--block", "4096"]),
            step(4, &["1000", "1000", "--expr", "z*z + c", "--block", "250000"]),
            step(4, &["1000", "1000", "--expr", "z*z*z + c"]),
            step(4, &["4000", "1000", "--block", "64", "--no-check"]),
            step(4, &["4000", "1000", "--block", "4002000", "--no-check"]),
        ],
        &[
            step(4, &["100", "30"]),
            step(4, &["100", "30", "--expr", "z*z + c", "--block", "64"]),
        ],
    )
    .outcomes_only(),
    Figure::of(
        "per-point.txt",
        &[
            step(2, &["1000", "1000"]),
            step(3, &["1000", "1000"]),
            step(3, &["1000", "1000", "--per-point"]),
        ],
        &[step(3, &["100", "30", "--per-point"])],
    )
    .outcomes_only(),
    Figure::of(
        "gpu.txt",
        &[
            step(7, &["1000", "1000"]),
            step(7, &["1000", "1000", "--variant", "gridstride"]),
            step(7, &["1000", "1000", "--variant", "arrays"]),
            step(7, &["1000", "1000", "--precision", "f32"]),
            step(7, &["20000", "2000"]),
            step(7, &["20000", "2000", "--precision", "f32"]),
        ],
        &[step(7, &["100", "30"])],
    )
    .on_gpu(),
    Figure::of(
        "gpu-builds.txt",
        &[
            step(7, &["1000", "1000", "--fmad", "false"]),
            step(7, &["1000", "1000"]),
            step(7, &["1000", "1000", "--precision", "f32", "--fmad", "false"]),
            step(7, &["1000", "1000", "--precision", "f32"]),
            step(7, &["1000", "1000", "--variant", "gridstride", "--fmad", "false"]),
            step(7, &["1000", "1000", "--variant", "gridstride"]),
            step(7, &["1000", "1000", "--variant", "gridstride", "--precision", "f32"]),
            step(7, &["1000", "1000", "--variant", "arrays", "--fmad", "false"]),
            step(7, &["1000", "1000", "--variant", "arrays"]),
            step(7, &["1000", "1000", "--variant", "arrays", "--precision", "f32"]),
            step(7, &["333", "50", "--precision", "f32"]),
            step(7, &["68", "200", "--precision", "f32"]),
            step(7, &["4000", "1000"]),
            step(7, &["4000", "1000", "--precision", "f32"]),
            step(7, &["1000", "10000", "--precision", "f32"]),
        ],
        &[step(7, &["100", "30", "--fmad", "false"])],
    )
    .outcomes_only()
    .on_gpu(),
    Figure::of(
        "gpu-shape.txt",
        &[
            step(7, &["4000", "1000", "--variant", "gridstride", "--no-check", "--block", "32"]),
            step(7, &["4000", "1000", "--variant", "gridstride", "--no-check", "--block", "64"]),
            step(7, &["4000", "1000", "--variant", "gridstride", "--no-check", "--block", "128"]),
            step(7, &["4000", "1000", "--variant", "gridstride", "--no-check", "--block", "256"]),
            step(7, &["4000", "1000", "--variant", "gridstride", "--no-check"]),
            step(7, &["4000", "1000", "--variant", "gridstride", "--no-check", "--block", "1024"]),
            step(7, &["4000", "1000", "--variant", "gridstride", "--no-check", "--grid", "1"]),
            step(7, &["4000", "1000", "--variant", "gridstride", "--no-check", "--grid", "40"]),
            step(7, &["4000", "1000", "--variant", "gridstride", "--no-check", "--grid", "4000"]),
            step(7, &["4000", "1000", "--no-check"]),
        ],
        &[step(7, &["100", "30", "--variant", "gridstride", "--block", "32"])],
    )
    .outcomes_only()
    .on_gpu(),
    // The GPU first: the CPU's runs are only for comparing with it.
    Figure::of(
        "gpu-vs-cpu.txt",
        &[
            step(7, &["20000", "2000", "--no-check"]),
            step(7, &["20000", "2000", "--no-check", "--precision", "f32"]),
            step(7, &["20000", "2000", "--no-check", "--variant", "gridstride"]),
            step(5, &["20000", "2000", "--no-check"]),
            step(7, &["4000", "200", "--no-check"]),
            step(7, &["4000", "200", "--no-check", "--variant", "arrays"]),
            step(5, &["4000", "200", "--no-check"]),
        ],
        &[step(7, &["100", "30"]), step(5, &["100", "30"])],
    )
    .outcomes_only()
    .on_gpu(),
    Figure::of(
        "ptxas.txt",
        &[step(7, &["--ptxas"])],
        &[step(7, &["--ptxas"])],
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use clap::Parser;

    use super::*;

    /// Every run in the table, full and quick, with its figure.
    fn every_run() -> impl Iterator<Item = (&'static Figure, &'static Run)> {
        FIGURES
            .iter()
            .flat_map(|f| f.runs.iter().chain(f.quick).map(move |run| (f, run)))
    }

    #[test]
    fn every_figure_has_a_file_of_its_own() {
        let mut seen = BTreeSet::new();
        for figure in FIGURES {
            assert!(seen.insert(figure.file), "{} twice", figure.file);
        }
        for apart in [
            super::super::BUILDS,
            super::super::PICTURE,
            super::super::PROFILE,
        ] {
            assert!(
                !seen.contains(apart),
                "{apart} is made apart from the table"
            );
        }
    }

    /// A GPU figure runs its CPU runs only after a GPU run of its own has
    /// worked: one that began with a CPU run would show none of them.
    #[test]
    fn every_gpu_figure_begins_with_a_gpu_run() {
        for figure in FIGURES.iter().filter(|f| f.gpu) {
            for runs in [figure.runs, figure.quick] {
                let first = runs.first().map(Run::shown).unwrap_or_default();
                assert!(
                    runs.first().is_some_and(Run::on_gpu),
                    "{}: {first}",
                    figure.file
                );
            }
        }
    }

    /// `--json` goes only to a step and the chart flags only to the lab,
    /// so a figure that keeps outcomes runs steps, and one with charts the
    /// lab.
    #[test]
    fn outcome_figures_run_steps_and_chart_figures_the_lab() {
        for (figure, run) in every_run() {
            if figure.outcome_only {
                assert!(
                    matches!(run, Run::Step { .. }),
                    "{}: {}",
                    figure.file,
                    run.shown()
                );
            }
            if !matches!(figure.charts, Charts::None) {
                assert!(
                    matches!(run, Run::Lab { .. }),
                    "{}: {}",
                    figure.file,
                    run.shown()
                );
            }
        }
    }

    /// The lab's runs are command lines the lab accepts, and the
    /// workshop's are not the lab's (the workshop would send them here).
    #[test]
    fn every_lab_run_parses_and_no_workshop_run_is_the_labs() {
        for (figure, run) in every_run() {
            match run {
                Run::Lab { .. } => {
                    let words = std::iter::once("lab").chain(run.words());
                    if let Err(e) = crate::Cli::try_parse_from(words) {
                        panic!("{}: `{}`: {e}", figure.file, run.shown());
                    }
                }
                Run::Workshop { command, .. } => {
                    assert!(
                        !workshop::LAB_COMMANDS.contains(command),
                        "{}: {command} is the lab's",
                        figure.file
                    );
                }
                Run::Step { .. } => {}
            }
        }
    }

    /// The book's figures show the commands this table runs, in its
    /// order: a run changed here must be remade there
    /// (`lab figures --only FILE`).
    #[test]
    fn the_books_figures_show_the_tables_commands() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/src/figures");
        for figure in FIGURES {
            let path = folder.join(figure.file);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let shown: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("$ ")).collect();
            let runs: Vec<String> = figure.runs.iter().map(Run::shown).collect();
            assert_eq!(shown, runs, "{}", figure.file);
        }
    }

    #[test]
    fn each_kind_of_run_is_shown_as_typed() {
        assert_eq!(
            step(4, &["100", "30", "--expr", "z*z + c", "--block", "64"]).shown(),
            "cargo run --release -p step04 --features solution -- 100 30 --expr \"z*z + c\" --block 64"
        );
        assert_eq!(
            workshop("ladder", &["1000", "1000"]).shown(),
            "cargo run --release -- ladder 1000 1000"
        );
        assert_eq!(
            lab("peak", &[]).shown(),
            "cargo run --release -p lab -- peak"
        );
    }
}
