//! How many bytes of DER a `/Contents` placeholder reserves besides the
//! signer's certificates.

/// Room a signature time stamp needs in `/Contents` besides the signature:
/// a token with its TSA's certificate chain.
pub(crate) const TIMESTAMP_ROOM: usize = 12 * 1024;
/// Room for the signed attributes, the signature value and the DER framing.
pub(crate) const SIGNATURE_ROOM: usize = 4 * 1024;
