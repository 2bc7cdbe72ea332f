// `cargo test -p step06` checks exercises/step06/; with `--features solution`
// it checks solutions/step06/ and that the shipped stub, stub/, still is one.

#[path = "../src/attendee.rs"]
mod attendee;

mandel_core::selfcheck_tests!(step06, attendee);
