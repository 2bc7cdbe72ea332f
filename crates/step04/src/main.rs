use std::process::ExitCode;

mod attendee;

use attendee::{active, ACTIVE};
use mandel_core::error::{positive, Error};
use mandel_core::run::{self, CommonArgs, Reference};
use mandel_core::Isa;
use mandel_core::{Problem, Tolerance, Variant};
use step04::expr::Formula;
use step04::STEP;

#[derive(clap::Args)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,
    /// Points per block (default: 256 for the exercise and --expr, 16384
    /// for the reference). --expr's temporaries are block-sized; the
    /// reference's sieve packs survivors within a block, so it needs
    /// blocks of many groups.
    #[arg(long, value_name = "POINTS", value_parser = positive::<usize>)]
    block: Option<usize>,
    /// Iterate this formula instead, compiled once and evaluated block by
    /// block as numexpr does, e.g. "z*z + c" or "z*z*z + c".
    #[arg(long, value_name = "FORMULA")]
    expr: Option<String>,
    /// The reference's instruction set (default: the best this CPU has);
    /// `portable` runs it with `wide`'s vectors, as the exercise does.
    #[arg(long, value_enum, conflicts_with = "expr")]
    isa: Option<Isa>,
}

fn main() -> ExitCode {
    let mut args: Args = match run::parse(&STEP, ACTIVE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    if let Some(isa) = args.isa {
        let chosen = match ACTIVE {
            Variant::Exercise => Err(Error::mistake(
                "--isa picks the reference's instruction set (add --features solution); your exercise is the portable kernel",
            )),
            Variant::Solution => isa.check_available().map_err(Error::from),
        };
        match chosen {
            Ok(isa) => args.common.isa = isa,
            Err(mistake) => return mistake.report(),
        }
    }
    // `status` times your portable kernel against the reference: the
    // reference then runs its own portable kernel, compiled as yours is,
    // so that like is timed against like.
    if args.common.self_check.is_some() && ACTIVE == Variant::Exercise {
        args.common.isa = Isa::Portable;
    }
    // `status` and `watch` ask for the self-check: it runs the kernel calls
    // `cargo test -p step04` makes (attendee.rs: every block size it tries), not this
    // binary's arguments' one, so that all three give one verdict.
    if args.common.self_check.is_some() {
        return run::run(&STEP, ACTIVE, &args.common, attendee::active_kernel());
    }
    // The running file's own default: yours, or the reference's.
    let block = match args.block.map(|b| args.common.block_within(b)).transpose() {
        Ok(block) => block.unwrap_or(match args.expr {
            Some(_) => step04::expr::BLOCK,
            None => active::BLOCK,
        }),
        Err(mistake) => return mistake.report(),
    };
    let Some(text) = &args.expr else {
        // Every instruction set runs the solution file's kernel, so the
        // usual first line (file, then instructions) is true of each.
        return run::run_against(
            &STEP,
            ACTIVE,
            &args.common,
            |p| match ACTIVE {
                Variant::Exercise => active::calculate_z_blocks(&p.re, &p.im, p.maxiter, block),
                Variant::Solution => step04::dispatch::calculate_z_blocks_with(
                    args.common.isa,
                    &p.re,
                    &p.im,
                    p.maxiter,
                    block,
                ),
            },
            None,
            None,
        );
    };
    let formula = match Formula::compile(text) {
        Ok(formula) => formula,
        Err(mistake) => return mistake.report(),
    };
    args.common.say(format_args!(
        "Formula {}: compiled once, evaluated over blocks of {block} points",
        formula.text()
    ));
    // The oracle knows only the tutorial's formula; any other is checked
    // against the same formula worked one point at a time.
    let one_at_a_time = |p: &Problem| formula.calculate_z_scalar(&p.re, &p.im, p.maxiter);
    let reference = (!formula.is_tutorials()).then(|| Reference {
        name: format!("'{}' one point at a time", formula.text()),
        tolerance: Tolerance::Exact,
        answer: &one_at_a_time,
    });
    run::run_against(
        &STEP,
        ACTIVE,
        &args.common,
        |p| formula.calculate_z(&p.re, &p.im, p.maxiter, block),
        reference,
        None,
    )
}
