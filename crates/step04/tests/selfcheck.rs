// `cargo test -p step04` checks exercises/step04/; with `--features solution`
// it checks solutions/step04/ and that the shipped exercise is still a stub.
mandel_core::selfcheck_tests!(step04);
