//! Trust anchors: the certificates the user told us to trust, and nothing
//! else (never the system store, which is for TLS, not for HPKI).

use std::path::Path;

use hozon_cms::Cert;

use crate::Error;

/// A set of trust anchors.
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    certs: Vec<Cert>,
}

impl TrustAnchors {
    /// An empty set: nothing validates.
    pub fn new() -> TrustAnchors {
        TrustAnchors::default()
    }

    /// Adds every certificate of a PEM bundle (or a DER certificate) file.
    pub fn add_file(&mut self, path: &Path) -> Result<usize, Error> {
        let bytes = crate::read_limited(path, crate::MAX_CERT_FILE_SIZE)?;
        let certs = Cert::read_bundle(&bytes).map_err(|e| Error::BadAnchor {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        if certs.is_empty() {
            return Err(Error::BadAnchor {
                path: path.to_path_buf(),
                reason: "no certificate in the file".into(),
            });
        }
        let n = certs.len();
        for c in certs {
            self.add(c);
        }
        Ok(n)
    }

    /// Adds one anchor (duplicates are ignored).
    pub fn add(&mut self, cert: Cert) {
        if !self.certs.contains(&cert) {
            self.certs.push(cert);
        }
    }

    /// The anchors.
    pub fn certs(&self) -> &[Cert] {
        &self.certs
    }

    /// Whether `cert` is one of the anchors.
    pub fn contains(&self, cert: &Cert) -> bool {
        self.certs.iter().any(|c| c.sha256() == cert.sha256())
    }

    /// Whether there are no anchors.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }
}
