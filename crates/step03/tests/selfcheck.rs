// `cargo test -p step03` checks exercises/step03/; with `--features solution`
// it checks solutions/step03/ and that the shipped stub, stub/, still is one.

#[path = "../src/attendee.rs"]
mod attendee;

mandel_core::selfcheck_tests!(step03, attendee);
