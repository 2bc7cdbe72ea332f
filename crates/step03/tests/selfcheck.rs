// `cargo test -p step03` checks exercises/step03/; with `--features solution`
// it checks solutions/step03/ and that the shipped exercise is still a stub.
mandel_core::selfcheck_tests!(step03);
