//! PKCS#12 files written by older tools.
//!
//! HPKI cards' exports and TSA client certificates issued years ago are
//! often PKCS#12 files encrypted with RC2-40 or 3DES (the OpenSSL 1.x and
//! Windows defaults). OpenSSL 3 moved those ciphers to its *legacy*
//! provider, so without it such a file fails to open with a misleading
//! "mac verify failure"-style error although the password is right. The
//! provider only adds decryption of those old formats here: signature and
//! digest algorithms are judged by our own algorithm policy, never by what
//! OpenSSL happens to have loaded.

use std::sync::OnceLock;

use openssl::provider::Provider;

/// Loads OpenSSL's legacy provider (once per process), keeping the default
/// provider available. When the provider is not installed, old files still
/// fail to open, with OpenSSL's reason; modern (AES) files are unaffected.
pub fn allow_legacy_encryption() {
    static LEGACY: OnceLock<Option<Provider>> = OnceLock::new();
    LEGACY.get_or_init(|| Provider::try_load(None, "legacy", true).ok());
}
