//! Step 06 past one machine: ranks on hosts joined by links with a real
//! network's cost (`.ci/hosts`: network namespaces, veth, tc), the task
//! farm against the static split, and shipping points against shipping
//! rows' index, on each link. A small model stands beside every
//! measurement: it says when the farm wins and when shipping data loses.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use crate::chart::{Chart, Series};
use crate::ranks::{mpi_step06, mpirun, step04_on_one_thread};
use mandel_core::error::positive;
use mandel_core::output::OutputFile;
use mandel_core::problem::group_digits;
use mandel_core::timing::{duration_text, median};
use mandel_core::{Error, Problem};
use workshop::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// The tutorial's width: the grid is about w/2 x w/2 points.
    #[arg(default_value = "4000", value_parser = positive::<u64>)]
    w: u64,
    /// Iterations before a point counts as inside the set.
    #[arg(default_value = "1000", value_parser = positive::<u32>)]
    maxiter: u32,
    /// Hosts, one rank on each (at most 64 per CPU).
    #[arg(long, default_value = "2", value_parser = positive::<usize>)]
    hosts: usize,
    /// Link rates to try, in Mbit/s each way (after the unshaped links,
    /// which calibrate the model).
    #[arg(long, value_delimiter = ',', default_values_t = [1000u32, 300, 100], value_parser = positive::<u32>)]
    links: Vec<u32>,
    /// Timed runs per configuration, at most 100; the table shows their median.
    #[arg(long, default_value = "3", value_parser = mandel_core::limits::runs)]
    runs: usize,
    /// Folder for the chart: network.png and network.svg.
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

/// Bytes a point costs on the wire, as step 06 encodes its messages.
const ANSWER_BYTES: f64 = step06::comm::ANSWER_BYTES_PER_POINT as f64;
const POINT_BYTES: f64 = step06::comm::SHIPPED_BYTES_PER_POINT as f64;
/// Tasks a worker holds at once, and chunks per worker, in the solution's
/// farm (which these runs use).
const IN_FLIGHT: f64 = step06::solution::IN_FLIGHT as f64;
const CHUNKS_PER_WORKER: usize = step06::solution::CHUNKS_PER_WORKER;

/// One way of running step 06, as its flags.
struct Config {
    name: &'static str,
    flags: &'static [&'static str],
}

const CONFIGS: [Config; 3] = [
    Config {
        name: "farm, rows by index",
        flags: &["--strategy", "farm"],
    },
    Config {
        name: "farm, points shipped",
        flags: &["--strategy", "farm", "--ship-points"],
    },
    Config {
        name: "static split",
        flags: &["--strategy", "static"],
    },
];

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    // One rank on each host, each a process: counted as threads are.
    mandel_core::limits::check_threads("--hosts", args.hosts, 0)?;
    mandel_core::problem::check_fits_in_memory(args.w)?;
    mandel_core::problem::check_work(args.w, args.maxiter)?;
    if mandel_core::limits::checks_only() {
        return Ok(ExitCode::SUCCESS);
    }
    match std::env::var("MANDEL_HOSTS") {
        Ok(hosts) if hosts == args.hosts.to_string() => measure(args),
        Ok(hosts) => Err(Error::mistake(format!(
            "already inside {hosts} hosts (MANDEL_HOSTS), not --hosts {}",
            args.hosts
        ))),
        Err(_) => on_hosts(args),
    }
}

/// The hosts' script, which makes them and sets their links.
fn hosts_script() -> PathBuf {
    workspace::root().join(".ci").join("hosts")
}

/// Makes the hosts and runs this same command on the first of them.
fn on_hosts(args: &Args) -> Result<ExitCode, Error> {
    // The chart's files are claimed on the hosts; a bad folder is found
    // here first, before any host is made (the claims are let go unused).
    OutputFile::create(&args.out.join("network.png"))?;
    OutputFile::create(&args.out.join("network.svg"))?;
    // Under an emulator the hosts would run this program natively, and
    // step 06 is built for this machine: measure natively instead.
    if let Some(runner) = mandel_testing::target::runner() {
        return Err(Error::missing(format!(
            "lab network runs natively, not under `{}`",
            runner.join(" ")
        )));
    }
    let check = Command::new(hosts_script())
        .arg("--check")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::bug(format!("cannot run .ci/hosts: {e}")))?;
    if !check.status.success() {
        let said = String::from_utf8_lossy(&check.stdout);
        return Err(Error::missing(format!(
            "lab network needs simulated hosts, and {}",
            said.trim().trim_start_matches("hosts: ")
        )));
    }
    // Built here, before the hosts exist: inside them cargo only finds it
    // built.
    mpi_step06()?;
    let me = std::env::current_exe()
        .map_err(|e| Error::bug(format!("cannot find this program: {e}")))?;
    let status = Command::new(hosts_script())
        .args([&args.hosts.to_string(), "--link", "none", "--"])
        .arg(me)
        .args(std::env::args_os().skip(1))
        .status()
        .map_err(|e| Error::bug(format!("cannot run .ci/hosts: {e}")))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(code.clamp(1, 255) as u8),
        None => ExitCode::FAILURE,
    })
}

/// One link's measurements: each config's time, and on the unshaped
/// link its time on a tiny problem too (what starting it costs).
struct Measured {
    mbit: Option<u32>,
    times: Vec<Duration>,
    startups: Vec<Duration>,
}

fn measure(args: &Args) -> Result<ExitCode, Error> {
    let png = OutputFile::create(&args.out.join("network.png"))?;
    let svg = OutputFile::create(&args.out.join("network.svg"))?;
    let problem = Problem::new(args.w, args.maxiter)?;
    let tiny = Problem::new(100, 30)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "Network: step 06 under mpirun on {} simulated hosts, one rank each (network namespaces on one machine with {cores} core{}), on `{}` ({} points), median of {} runs.",
        args.hosts,
        if cores == 1 { "" } else { "s" },
        problem.label(),
        group_digits(problem.len() as u128),
        args.runs,
    );
    if args.hosts > cores {
        println!("(More hosts than cores: ranks share cores, which the model does not know.)");
    }
    let expected = sum_of(&problem);
    let tiny_expected = sum_of(&tiny);
    let exe = mpi_step06()?;
    let mut links: Vec<Option<u32>> = vec![None];
    links.extend(args.links.iter().map(|&m| Some(m)));
    let mut measured = Vec::new();
    for mbit in links {
        let said = set_link(mbit)?;
        eprintln!("{said}");
        let time = |problem: &Problem, flags: &[&str], sum: u64| {
            let mut runs = Vec::new();
            for _ in 0..args.runs {
                runs.push(mpirun(&exe, args.hosts, flags, problem, sum)?);
            }
            Ok::<_, Error>(median(&runs))
        };
        let (mut times, mut startups) = (Vec::new(), Vec::new());
        for config in &CONFIGS {
            times.push(time(&problem, config.flags, expected)?);
            if mbit.is_none() {
                startups.push(time(&tiny, config.flags, tiny_expected)?);
            }
        }
        measured.push(Measured {
            mbit,
            times,
            startups,
        });
    }
    let model = Model::calibrated(&measured[0], &problem, args.hosts);
    print_table(&measured, model.as_ref());
    match &model {
        Some(model) => print_lessons(&measured, model),
        None => println!(
            "\n`{}` is too small to calibrate the model: its unshaped farm run took hardly longer than starting it. Try a bigger problem.",
            problem.label()
        ),
    }
    let chart = network_chart(&measured, model.as_ref(), &problem, args.hosts);
    println!();
    for path in chart.write(Some(png), Some(svg))? {
        eprintln!("Wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Step 04's sum on `problem`, which every run must give.
fn sum_of(problem: &Problem) -> u64 {
    let (_, counts) = step04_on_one_thread(problem, 1);
    counts.iter().map(|&n| u64::from(n)).sum()
}

/// Every link at `mbit` each way, or unshaped; the script's line.
fn set_link(mbit: Option<u32>) -> Result<String, Error> {
    let setting = mbit.map_or("none".to_string(), |m| format!("{m}mbit"));
    let out = Command::new(hosts_script())
        .args(["link", &setting])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::bug(format!("cannot run .ci/hosts: {e}")))?;
    let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if out.status.success() {
        Ok(said)
    } else {
        Err(Error::bug(format!(
            "`.ci/hosts link {setting}` failed: {said}"
        )))
    }
}

/// The network model. A rank computes `rate` points a second, measured
/// on unshaped links where the network costs next to nothing; starting
/// each way costs `startups` (its connections, its first messages); a link carries `bytes/s` each
/// way, and every message starts or ends at rank 0, so rank 0's link is
/// what the ranks share.
///
/// - Static split: rank 0 computes its band, then receives every other
///   band through its link: `P/(R·rate) + (R-1)·(P/R)·4 B / bytes/s`.
/// - Farm: rank 0 computes whenever no answer has arrived, and the
///   workers deliver what the link lets through, so the points go at
///   `rate + min((R-1)·rate, bytes/s ÷ bytes a point)`, where a point
///   costs its answer's 4 B, or with shipped points the 16 B it goes out
///   with (the other direction). At the end rank 0 waits for the tasks
///   still with a worker: two, out and back.
struct Model {
    points: f64,
    ranks: f64,
    chunks: f64,
    rate: f64,
    startups: Vec<Duration>,
}

impl Model {
    /// The model, from the unshaped link's runs; none when the farm's run
    /// there took hardly longer than starting it (less than a fifth more),
    /// which leaves no computing time to measure a rate from.
    fn calibrated(unshaped: &Measured, problem: &Problem, ranks: usize) -> Option<Model> {
        let points = problem.len() as f64;
        let ranks = ranks as f64;
        let (farm, startup) = (unshaped.times[0], unshaped.startups[0]);
        if farm.as_secs_f64() < 1.2 * startup.as_secs_f64() {
            return None;
        }
        let computing = (farm - startup).as_secs_f64();
        Some(Model {
            points,
            ranks,
            chunks: (CHUNKS_PER_WORKER as f64 * ranks).max(1.0),
            rate: points / (ranks * computing),
            startups: unshaped.startups.clone(),
        })
    }

    /// The predicted time of `CONFIGS[config]` on a link of `mbit`.
    fn predict(&self, config: usize, mbit: Option<u32>) -> Duration {
        let bytes_per_second = mbit.map_or(f64::INFINITY, |m| f64::from(m) * 1e6 / 8.0);
        let chunk = self.points / self.chunks;
        let seconds = match config {
            2 => {
                self.points / (self.ranks * self.rate)
                    + (self.ranks - 1.0) * (self.points / self.ranks) * ANSWER_BYTES
                        / bytes_per_second
            }
            _ => {
                let shipped = config == 1;
                let per_point = if shipped { POINT_BYTES } else { ANSWER_BYTES };
                let workers = (self.ranks - 1.0) * self.rate;
                let speed = self.rate + workers.min(bytes_per_second / per_point);
                let out = if shipped { POINT_BYTES } else { 0.0 };
                let tail = if self.ranks > 1.0 {
                    chunk * (IN_FLIGHT * out + ANSWER_BYTES) / bytes_per_second
                } else {
                    0.0
                };
                self.points / speed + tail
            }
        };
        Duration::from_secs_f64(seconds) + self.startups[config]
    }

    /// The link rate (Mbit/s) below which the workers of the farm with
    /// shipped points wait for their points: the link carries fewer
    /// points than they compute.
    fn shipping_bound_below_mbit(&self) -> f64 {
        (self.ranks - 1.0) * self.rate * POINT_BYTES * 8.0 / 1e6
    }
}

fn link_name(mbit: Option<u32>) -> String {
    mbit.map_or("unshaped".to_string(), |m| format!("{m} Mbit/s"))
}

fn print_table(measured: &[Measured], model: Option<&Model>) {
    if let Some(model) = model {
        let startups: Vec<String> = CONFIGS
            .iter()
            .zip(&model.startups)
            .map(|(config, took)| format!("{} {}", config.name, duration_text(*took)))
            .collect();
        println!(
            "\nModel: a rank computes {} points a second (from the unshaped farm run); starting each way costs its time on `100 30`, unshaped: {}.",
            group_digits(model.rate as u128),
            startups.join(", ")
        );
    }
    println!(
        "\n{:<14} {:<22} {:>10} {:>10} {:>14}",
        "link", "step 06", "measured", "model", "model/measured"
    );
    for link in measured {
        for (index, config) in CONFIGS.iter().enumerate() {
            let took = link.times[index];
            let (predicted, ratio) = match model {
                Some(model) => {
                    let predicted = model.predict(index, link.mbit);
                    (
                        duration_text(predicted),
                        format!("{:.2}", predicted.as_secs_f64() / took.as_secs_f64()),
                    )
                }
                None => ("-".to_string(), "-".to_string()),
            };
            println!(
                "{:<14} {:<22} {:>10} {:>10} {:>14}",
                if index == 0 {
                    link_name(link.mbit)
                } else {
                    String::new()
                },
                config.name,
                duration_text(took),
                predicted,
                ratio
            );
        }
    }
    println!(
        "Every run gave step 04's sum.{}",
        if model.is_some() {
            " The unshaped farm run calibrates the model, so its ratio is 1 by construction."
        } else {
            ""
        }
    );
}

/// What the figures say, in the tutorial's terms: the three ways in
/// order on each link, measured and predicted.
fn print_lessons(measured: &[Measured], model: &Model) {
    let order = |times: &[Duration]| {
        let mut ways: Vec<usize> = (0..times.len()).collect();
        ways.sort_by_key(|&i| times[i]);
        ways
    };
    let named = |ways: &[usize]| {
        ways.iter()
            .map(|&i| CONFIGS[i].name)
            .collect::<Vec<_>>()
            .join(" < ")
    };
    let mut agree = 0;
    println!();
    for link in measured {
        let was = order(&link.times);
        // Unshaped, the model only knows the time it was calibrated on:
        // the three ways tie in it.
        if link.mbit.is_none() {
            println!(
                "{}: {} (the model's calibration).",
                link_name(link.mbit),
                named(&was)
            );
            continue;
        }
        let predicted: Vec<Duration> = (0..CONFIGS.len())
            .map(|i| model.predict(i, link.mbit))
            .collect();
        let said = order(&predicted);
        agree += usize::from(was == said);
        let verdict = if was == said {
            "the model's order too".to_string()
        } else {
            format!("the model's: {}", named(&said))
        };
        println!("{}: {}; {verdict}.", link_name(link.mbit), named(&was));
    }
    println!(
        "The model orders the three as measured on {agree} of {} shaped links. By it, shipping points makes the farm's workers wait for their data below {:.0} Mbit/s.",
        measured.len() - 1,
        model.shipping_bound_below_mbit()
    );
}

fn network_chart(
    measured: &[Measured],
    model: Option<&Model>,
    problem: &Problem,
    hosts: usize,
) -> Chart {
    let shaped: Vec<&Measured> = measured.iter().filter(|m| m.mbit.is_some()).collect();
    let mut series = Vec::new();
    for (index, config) in CONFIGS.iter().enumerate() {
        let at = |m: &&Measured| f64::from(m.mbit.expect("shaped"));
        series.push(Series {
            name: format!("{}, measured", config.name),
            points: shaped
                .iter()
                .map(|m| (at(m), m.times[index].as_secs_f64()))
                .collect(),
            dashed: false,
        });
        if let Some(model) = model {
            series.push(Series {
                name: format!("{}, model", config.name),
                points: shaped
                    .iter()
                    .map(|m| (at(m), model.predict(index, m.mbit).as_secs_f64()))
                    .collect(),
                dashed: true,
            });
        }
    }
    Chart {
        title: format!(
            "Step 06 on {hosts} simulated hosts, `{}`: time against the link's rate",
            problem.label()
        ),
        x_label: "link, Mbit/s each way".to_string(),
        y_label: "seconds (rank 0's calculate_z)".to_string(),
        log_x: true,
        series,
        markers: Vec::new(),
    }
}
