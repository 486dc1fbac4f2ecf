//! End-to-end tests of the `hozon` command (see `util.rs` for the helpers).

mod adversarial;
mod atsv2;
mod batch;
mod fetch;
mod interop;
mod jis;
mod large_file;
mod lta;
mod ltv;
mod negative;
mod report;
mod scan;
mod scan_auth;
mod tls;
mod tsa;
mod util;
