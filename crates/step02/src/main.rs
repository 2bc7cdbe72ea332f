use std::process::ExitCode;

mod attendee;

fn main() -> ExitCode {
    mandel_core::run::main(&step02::STEP, attendee::ACTIVE, attendee::active_kernel())
}
