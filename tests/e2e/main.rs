//! End-to-end tests of the `hozon` command (see `util.rs` for the helpers).

mod adversarial;
mod archive;
mod atsv2;
mod batch;
mod ers;
mod ers_bc;
mod evidence_lt;
mod fetch;
mod help;
mod hooks;
mod interop;
mod jis;
mod large_file;
pub(crate) mod lta;
mod ltv;
mod negative;
mod pades;
mod pkcs11;
mod replica;
mod report;
mod scan;
mod scan_auth;
mod signing_safety;
mod tamper;
mod tls;
mod tsa;
mod util;
