//! `workshop figures`: reruns the measurements the book shows, on this
//! machine, and writes them where the chapters include them
//! (`docs/src/figures/`): each command's output as text, with the machine
//! and the command at its top, and the pictures beside them. The book's
//! tables are these files, never numbers typed by hand.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use mandel_core::isa::Isa;
use mandel_core::output::OutputFile;
use mandel_core::picture::{self, Palette};
use mandel_core::{Problem, UserError};

use crate::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write them (the book includes `docs/src/figures/`).
    #[arg(long, value_name = "FOLDER")]
    out: Option<PathBuf>,
    /// Small problems and one run each: a check that every figure can be
    /// made, in seconds, not figures to publish.
    #[arg(long)]
    quick: bool,
}

/// One figure: `workshop` commands whose output becomes `file`.
struct Figure {
    file: &'static str,
    args: &'static [&'static [&'static str]],
    quick: &'static [&'static [&'static str]],
    /// Whether the command takes `--out`/`--png`/`--svg` for its charts.
    charts: Charts,
}

enum Charts {
    None,
    /// `scaling --out FOLDER`.
    Folder,
    /// `sweep --png F --svg F`, with this stem.
    Files(&'static str),
}

const FIGURES: &[Figure] = &[
    Figure {
        file: "ladder.txt",
        args: &[&["ladder", "1000", "1000"]],
        quick: &[&["ladder", "100", "30", "--runs", "1"]],
        charts: Charts::None,
    },
    Figure {
        file: "bench.txt",
        args: &[&["bench"]],
        quick: &[&["bench", "200", "50", "--runs", "1"]],
        charts: Charts::None,
    },
    Figure {
        file: "peak.txt",
        args: &[&["peak"]],
        quick: &[&["peak"]],
        charts: Charts::None,
    },
    Figure {
        file: "sweep.txt",
        args: &[&["sweep"]],
        quick: &[&["sweep", "300", "50", "--blocks", "5000,100", "--runs", "1"]],
        charts: Charts::Files("cache-sweep"),
    },
    Figure {
        file: "scaling.txt",
        args: &[&["scaling"]],
        quick: &[&["scaling", "200", "50", "--runs", "1", "--chunks", "1,2"]],
        charts: Charts::Folder,
    },
    Figure {
        file: "bench-8000.txt",
        args: &[&["bench", "8000", "2000", "--steps", "4,5", "--runs", "3"]],
        quick: &[&["bench", "200", "100", "--steps", "4,5", "--runs", "1"]],
        charts: Charts::None,
    },
    Figure {
        file: "dispatch.txt",
        args: &[
            &["bench", "--steps", "4,5", "--isa", "portable"],
            &["bench", "--steps", "4,5", "--isa", "avx2"],
            &["bench", "--steps", "4,5"],
        ],
        quick: &[
            &[
                "bench", "100", "30", "--steps", "4", "--runs", "1", "--isa", "portable",
            ],
            &[
                "bench", "100", "30", "--steps", "4", "--runs", "1", "--isa", "avx2",
            ],
        ],
        charts: Charts::None,
    },
    Figure {
        file: "fastest.txt",
        args: &[&["fastest"]],
        quick: &[&["fastest", "100", "30"]],
        charts: Charts::None,
    },
    Figure {
        file: "python.txt",
        args: &[&["bench", "--python"]],
        quick: &[&[
            "bench", "--python", "60", "20", "--runs", "1", "--steps", "1",
        ]],
        charts: Charts::None,
    },
];

pub fn run(args: &Args) -> Result<ExitCode, UserError> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| workspace::root().join("docs").join("src").join("figures"));
    std::fs::create_dir_all(&out)
        .map_err(|e| UserError::new(format!("cannot create {}: {e}", out.display())))?;
    let me = std::env::current_exe()
        .map_err(|e| UserError::new(format!("cannot find this program: {e}")))?;
    let machine = machine_line();
    let progress = crate::progress_bar(FIGURES.len() as u64 + 2);
    let mut not_here = Vec::new();
    for figure in FIGURES {
        progress.set_message(figure.file);
        let commands = if args.quick {
            figure.quick
        } else {
            figure.args
        };
        let mut text = format!("{machine}\n");
        for (index, command) in commands.iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            let (shown, result) = run_one(&me, command, &figure.charts, &out)?;
            text.push_str(&format!("$ {shown}\n"));
            match result {
                Ok(body) => text.push_str(&body),
                // A mistake of this machine's, such as an instruction set
                // it lacks: the figure says so, and the rest is made.
                Err(line) => {
                    text.push_str(&format!("(not on this machine: {line})\n"));
                    not_here.push(format!("{}: {line}", figure.file));
                }
            }
        }
        write(&out.join(figure.file), &text)?;
        progress.inc(1);
    }
    progress.set_message("mandelbrot.png");
    let problem = if args.quick {
        Problem::new(100, 30)?
    } else {
        Problem::new(1000, 1000)?
    };
    let image = picture::render(&problem, problem.oracle(), Palette::Colour);
    picture::save_png(&image, OutputFile::create(&out.join("mandelbrot.png"))?)?;
    progress.inc(1);
    progress.set_message("step01 flamegraph");
    // The quick picture's problem is too short for the profiler to sample.
    let profiled = if args.quick {
        Problem::new(400, 400)?
    } else {
        problem
    };
    let flamegraph = step01_flamegraph(&out.join("step01-flamegraph.svg"), &profiled);
    progress.finish_and_clear();
    println!("Wrote the book's figures into {}. {machine}", out.display());
    for line in not_here {
        println!("Not on this machine: {line}");
    }
    if let Err(why) = flamegraph {
        println!("No flamegraph: {why}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs one `workshop` command: what it was shown as, and its output
/// (without the charts' "Wrote" lines, which name this machine's paths),
/// or its one-line refusal when it refused with status 2.
fn run_one(
    me: &Path,
    command: &[&str],
    charts: &Charts,
    out: &Path,
) -> Result<(String, Result<String, String>), UserError> {
    let mut words: Vec<String> = command.iter().map(|w| w.to_string()).collect();
    let shown = format!("cargo run --release -- {}", words.join(" "));
    match charts {
        Charts::None => {}
        Charts::Folder => {
            words.push("--out".into());
            words.push(out.display().to_string());
        }
        Charts::Files(stem) => {
            for kind in ["png", "svg"] {
                words.push(format!("--{kind}"));
                words.push(out.join(format!("{stem}.{kind}")).display().to_string());
            }
        }
    }
    // Through the target's runner when there is one (under qemu, the host
    // cannot start this binary itself).
    let output = mandel_core::target::command(me)
        .args(&words)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| UserError::new(format!("cannot run {}: {e}", me.display())))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or("no message").to_string();
    match output.status.code() {
        Some(0) => {}
        Some(2) => return Ok((shown, Err(last.trim_start_matches("error: ").to_string()))),
        _ => {
            return Err(UserError::new(format!(
                "`{shown}` failed ({}): {last}",
                output.status
            )))
        }
    }
    let body = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.starts_with("Wrote "))
        .map(|l| format!("{l}\n"))
        .collect();
    Ok((shown, Ok(body)))
}

/// Step 01's reference, sampled, as the step 01 chapter shows it.
fn step01_flamegraph(path: &Path, problem: &Problem) -> Result<(), UserError> {
    mandel_core::profile::check_supported()?;
    let file = OutputFile::create(path)?;
    let profiler = mandel_core::profile::Profiler::start()?;
    let output = (step01::STEP.solution)(problem);
    let profile = profiler.stop()?;
    drop(output);
    profile.write_flamegraph(file, &format!("step01 pure {}", problem.label()))?;
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), UserError> {
    workspace::write_whole(path, text)
}

/// `Measured on Intel(R) Xeon(R) Processor, 2 cores, AVX-512.`
pub fn machine_line() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "Measured on {}, {cores} core{}, best vectors {}.",
        cpu_name(),
        if cores == 1 { "" } else { "s" },
        Isa::best()
    )
}

/// The CPU's model name, where the system says it.
fn cpu_name() -> String {
    let linux = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_string())
        });
    let macos = || {
        Command::new("sysctl")
            .args(["-n", "machdep.cpu.brand_string"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    linux
        .or_else(macos)
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| format!("an unnamed {} CPU", std::env::consts::ARCH))
}
