//! CAdES signature creation.
//!
//! [`Signer`] is the one seam between hozon and a private key: software keys
//! ([`SoftwareSigner`], from PEM or PKCS#12 files) implement it today, and
//! PKCS#11 tokens (HPKI IC cards, HSMs; [`Pkcs11Signer`]) implement the same trait, so that
//! everything above — CAdES structure, batches, archives — never touches key
//! material. [`CadesSigner`] turns a `Signer` into CAdES B-B signatures
//! (ETSI EN 319 122-1 §5.2, CAdES-BES), detached or enveloping, with the
//! content digested in constant memory.
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod cades;
mod error;
mod pkcs11;
mod secret;
mod signer;
mod software;
mod stale;

pub use cades::{CadesSigner, MAX_ENVELOPING_CONTENT};
pub use error::Error;
pub use pkcs11::{
    list as pkcs11_list, ObjectListing, Pkcs11Options, Pkcs11Signer, SlotListing, TokenListing,
};
pub use secret::{Secret, SecretSource};
pub use signer::{AlgorithmChoice, Signer};
pub use software::SoftwareSigner;
pub use stale::{check_detached_digest, DigestCheck};
