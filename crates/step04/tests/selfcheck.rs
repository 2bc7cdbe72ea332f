// `cargo test -p step04` checks exercises/step04/; with `--features solution`
// it checks solutions/step04/ and that the shipped stub, stub/, still is one.

#[path = "../src/attendee.rs"]
mod attendee;

mandel_core::selfcheck_tests!(step04, attendee);
