use std::process::ExitCode;

fn main() -> ExitCode {
    mandel_core::run::main(&step02::STEP, step02::ACTIVE)
}
