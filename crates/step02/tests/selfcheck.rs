// `cargo test -p step02` checks exercises/step02/; with `--features solution`
// it checks solutions/step02/ and that the shipped stub, stub/, still is one.

#[path = "../src/attendee.rs"]
mod attendee;

mandel_core::selfcheck_tests!(step02, attendee);
