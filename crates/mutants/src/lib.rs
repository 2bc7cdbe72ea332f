//! Realistic wrong versions of every step's solution, made by build.rs from
//! the catalogue (`catalogue.rs`), for the test that proves the self-check
//! catches each one (`tests/catalogue.rs`).

include!("../catalogue.rs");
include!(concat!(env!("OUT_DIR"), "/mutants.rs"));
