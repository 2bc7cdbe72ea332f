// `cargo test -p step05` checks exercises/step05/; with `--features solution`
// it checks solutions/step05/ and that the shipped stub, stub/, still is one.

#[path = "../src/attendee.rs"]
mod attendee;

mandel_core::selfcheck_tests!(step05, attendee);
