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
}

fn main() -> ExitCode {
    let args: Args = match run::parse(&STEP, ACTIVE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    if let Some(block) = args.block {
        println!(
            "Blocks of {block} points ({} KiB of arrays per block)",
            block * step03::BYTES_PER_POINT / 1024
        );
    }
    run::run(&STEP, ACTIVE, &args.common, |p| match args.block {
        Some(block) => active::calculate_z_blocks(&p.re, &p.im, p.maxiter, block),
        None => active::calculate_z(&p.re, &p.im, p.maxiter),
    })
}
