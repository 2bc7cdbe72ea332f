use std::process::ExitCode;

mod attendee;

use attendee::{active, ACTIVE};
use mandel_core::error::positive;
use mandel_core::run::{self, CommonArgs};
use step03::STEP;

#[derive(clap::Args)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,
    /// Run the passes over blocks of this many points (numpy_vector_2.py's
    /// STEP_SIZE) instead of the whole array at once.
    #[arg(long, value_name = "POINTS", value_parser = positive::<usize>)]
    block: Option<usize>,
    /// numpy_loop.py's way instead: the same arrays, one point at a time
    /// (the reference's, whatever your exercise holds).
    #[arg(long, conflicts_with = "block")]
    per_point: bool,
}

fn main() -> ExitCode {
    let args: Args = match run::parse(&STEP, ACTIVE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    // `status` and `watch` ask for the self-check: it runs the kernel calls
    // `cargo test -p step03` makes (attendee.rs: every block size it tries), not this
    // binary's arguments' one, so that all three give one verdict.
    if args.common.self_check.is_some() {
        return run::run(&STEP, ACTIVE, &args.common, attendee::active_kernel());
    }
    let block = match args.block.map(|b| args.common.block_within(b)).transpose() {
        Ok(block) => block,
        Err(mistake) => return mistake.report(),
    };
    if let Some(block) = block {
        args.common.say(format_args!(
            "Blocks of {block} points ({} KiB of arrays per block)",
            block * step03::BYTES_PER_POINT / 1024
        ));
    }
    if args.per_point {
        args.common.say(format_args!(
            "One point at a time over the arrays, as numpy_loop.py walked them"
        ));
        return run::run(&STEP, ACTIVE, &args.common, |p| {
            step03::calculate_z_per_point(&p.re, &p.im, p.maxiter)
        });
    }
    run::run(&STEP, ACTIVE, &args.common, |p| match block {
        Some(block) => active::calculate_z_blocks(&p.re, &p.im, p.maxiter, block),
        None => active::calculate_z(&p.re, &p.im, p.maxiter),
    })
}
