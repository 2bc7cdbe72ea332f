use std::process::ExitCode;

mod attendee;

fn main() -> ExitCode {
    mandel_core::run::main(&step01::STEP, attendee::ACTIVE, attendee::active_kernel())
}
