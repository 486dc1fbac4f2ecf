//! End-to-end tests of the `hozon` command (see `util.rs` for the helpers).

mod adversarial;
mod archive;
mod atsv2;
mod batch;
mod corpus;
mod ers;
mod fetch;
mod foreign;
mod interop;
mod jis;
mod large_file;
pub(crate) mod lta;
mod ltv;
mod negative;
mod pkcs11;
mod replica;
mod report;
mod scan;
mod scan_auth;
mod tls;
mod tsa;
mod util;
