// `cargo test -p step02` checks exercises/step02/; with `--features solution`
// it checks solutions/step02/ and that the shipped exercise is still a stub.

#[path = "../src/attendee.rs"]
mod attendee;

mandel_core::selfcheck_tests!(step02, attendee);
