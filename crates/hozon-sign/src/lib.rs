//! CAdES signature creation.
//!
//! [`Signer`] is the one seam between hozon and a private key: software keys
//! ([`SoftwareSigner`], from PEM or PKCS#12 files) implement it today, and
//! PKCS#11 tokens (HPKI IC cards, HSMs; [`Pkcs11Signer`]) implement the same trait, so that
//! everything above — CAdES structure, batches, archives — never touches key
//! material. [`CadesSigner`] turns a `Signer` into CAdES B-B signatures
//! (ETSI EN 319 122-1 §5.2, CAdES-BES), detached or enveloping, with the
//! content digested in constant memory.
//!
//! # Example
//!
//! Sign a document as CAdES B-B with a key and certificate held in files:
//!
//! ```
//! use std::path::Path;
//! use std::sync::Arc;
//!
//! use hozon_sign::{AlgorithmChoice, CadesSigner, SecretSource, SoftwareSigner};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pki = Path::new("/etc/hozon/pki");
//! # let pki = &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/pki");
//! // An encrypted key's password comes from the environment, a file or a prompt: never argv.
//! let password = SecretSource::Env("HOZON_KEY_PASS".into());
//! let signer = SoftwareSigner::from_pem_files(
//!     &pki.join("signer-doctor.key"),
//!     &pki.join("signer-doctor.crt"),
//!     Some(&pki.join("chain.pem")),
//!     &password,
//!     AlgorithmChoice::default(),
//! )?;
//! let cades = CadesSigner::new(Arc::new(signer))?;
//! let document: &[u8] = "退院時サマリー ...".as_bytes(); // any `Read`: a file is streamed
//! let p7s = cades.sign_detached(document)?; // DER, to be written as FILE.p7s
//! assert_eq!(hozon_cms::SignatureFile::parse(&p7s)?.signer_infos().len(), 1);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod cades;
mod error;
mod file;
mod load;
mod pkcs11;
mod secret;
mod signer;
mod software;
mod stale;

pub use cades::{CadesSigner, MAX_ENVELOPING_CONTENT};
pub use error::Error;
pub use file::{Packaging, SignFileError};
pub use load::{secret_source, LoadError, SignerSpec, PKCS11_MODULE_ENV};
pub use pkcs11::{
    list as pkcs11_list, ObjectListing, Pkcs11Options, Pkcs11Signer, SlotListing, TokenListing,
};
pub use secret::{Secret, SecretSource};
pub use signer::{AlgorithmChoice, Signer};
pub use software::SoftwareSigner;
pub use stale::{check_detached_digest, DigestCheck};
