//! Bounds on what a TSA may send us.

/// The largest response accepted from a TSA.
pub const MAX_RESPONSE_SIZE: u64 = 1 << 20;
