//! Records the target triple this crate is built for, so that tests can
//! start the workspace's binaries through cargo's runner for it.

fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=MANDEL_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
