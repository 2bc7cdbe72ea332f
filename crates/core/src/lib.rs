//! What every step of the Mandelbrot workshop shares.
//!
//! The tutorial's problem ([`problem`]), the one oracle every step is checked
//! against ([`oracle`], [`verify`]), pictures ([`picture`]), profiles
//! ([`profile`]), timing ([`timing`]), the step binaries' driver ([`run`]) and
//! the attendees' self-check ([`selfcheck`]).

pub mod error;
pub mod limits;
pub mod oracle;
pub mod outcome;
pub mod output;
pub mod picture;
pub mod problem;
pub mod profile;
pub mod run;
pub mod selfcheck;
pub mod step;
pub mod timing;
pub mod verify;
pub mod work;

pub use error::{Error, Unavailable};
pub use mandel_isa::Isa;
pub use num_complex::Complex64;
pub use problem::Problem;
pub use step::{Availability, Launch, PeakOf, Reason, Step, Variant};
pub use verify::Tolerance;
