//! Nothing to use: this crate's build script is the point. Step 06's `mpi`
//! feature depends on it, and its build script, which needs no other
//! crate, runs long before `mpi-sys`'s (which waits for bindgen): when no
//! MPI library is installed the build stops here, saying what to install,
//! instead of in bindgen's output.
