//! RFC 3161 time stamps.
//!
//! A time stamp from a trusted TSA is the only acceptable evidence of when
//! a clinical document existed (MHLW guideline 6.0 §14.2: a PC clock never
//! counts). This crate asks TSAs for stamps ([`TsaClient`]), checks that a
//! response answers the request that was sent ([`request::check_response`]),
//! and checks tokens ([`Token::verify`]) — everything but the TSA's
//! certificate path, which `hozon-verify` validates with `hozon-pki` at the
//! token's genTime, because a TSA certificate that has expired since still
//! vouches for stamps made while it was valid.
//!
//! # Example
//!
//! Ask a TSA for a stand-alone time stamp of a file (what `hozon timestamp` writes as `FILE.tsr`):
//!
//! ```no_run
//! use hozon_tsp::{TsaClient, TsaConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = TsaConfig::new(vec![
//!     "https://tsa.example.jp/tsa".into(),
//!     "https://tsa2.example.jp/tsa".into(), // tried when the first fails
//! ]);
//! config.timeout = std::time::Duration::from_secs(10);
//! let tsa = TsaClient::new(config)?;
//! let document = std::fs::read("lab-report.pdf")?;
//! let stamp = tsa.stamp_data(&document)?; // the response is checked against the request
//! println!("stamped at {} by {}", stamp.token.gen_time(), stamp.tsa.subject());
//! std::fs::write("lab-report.pdf.tsr", &stamp.response)?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod asn1;
mod breaker;
mod client;
mod config;
mod error;
mod error_chain;
mod http;
mod limits;
pub mod request;
mod token;

pub use breaker::{BreakerConfig, TsaHealth};
pub use client::{Stamp, TsaClient};
pub use config::{BasicAuth, ClientIdentity, TsaConfig, TsaSettings};
pub use error::{Error, TokenFault};
pub use limits::MAX_RESPONSE_SIZE;
pub use request::{parse_response, Request};
pub use token::{check_tsa_certificate, NotTsaCertificate, Token};
