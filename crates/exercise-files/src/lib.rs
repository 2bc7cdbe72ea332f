//! Nothing to use: the build script is the point (see build.rs). Each step
//! crate depends on this crate with its step's feature.
