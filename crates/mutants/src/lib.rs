//! Realistic wrong versions of every step's solution, made by build.rs from
//! the catalogue (`catalogue.rs`), for the test that proves the self-check
//! catches each one (`tests/catalogue.rs`).

pub use mandel_core::selfcheck::FailureKind;
use FailureKind::*;

/// One wrong version of a solution.
pub struct Mutant {
    pub step: u32,
    /// What the mistake is, in a few words.
    pub name: &'static str,
    /// Text of the solution, found exactly once ...
    pub find: &'static str,
    /// ... and what it becomes.
    pub replace: &'static str,
    /// What the self-check must say.
    pub verdict: FailureKind,
    /// Whether its answer depends on which thread finishes first: the
    /// tests check it several times, and it must fail every one.
    pub timing: bool,
}

macro_rules! catalogue {
    ($($mutant:expr),* $(,)?) => {
        pub const CATALOGUE: &[Mutant] = &[$($mutant),*];
    };
}

include!("../catalogue.rs");
include!(concat!(env!("OUT_DIR"), "/mutants.rs"));
