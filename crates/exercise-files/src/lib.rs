//! Nothing to use: the build script is the point (see build.rs). Each step
//! crate's tests depend on this crate with their step's feature.
