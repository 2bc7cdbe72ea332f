// `cargo test -p step01` checks exercises/step01/; with `--features solution`
// it checks solutions/step01/ and that the shipped stub, stub/, still is one.

#[path = "../src/attendee.rs"]
mod attendee;

mandel_core::selfcheck_tests!(step01, attendee);
