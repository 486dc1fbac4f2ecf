//! PKIX Constraint Extensions

mod basic;
mod policy;

pub mod name;

pub use basic::BasicConstraints;
pub use name::NameConstraints;
pub use policy::PolicyConstraints;
