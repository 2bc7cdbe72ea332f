use std::process::ExitCode;

fn main() -> ExitCode {
    mandel_core::run::main(&step01::STEP, step01::ACTIVE)
}
