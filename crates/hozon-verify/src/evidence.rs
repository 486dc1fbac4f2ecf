//! The validation data a validation relied on (certificates, CRLs, OCSP
//! responses): what `extend --level lt` embeds and a PDF's Document
//! Security Store receives.

/// Certificates and revocation data a validation relied on: what a B-LT
/// signature must carry to be validated again without any outside source.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Every certificate of every path (signer and TSAs), anchors included.
    pub certs: Vec<hozon_cms::Cert>,
    /// The CRL each revocation status was read from (when a CRL).
    pub crls: Vec<std::sync::Arc<hozon_pki::Crl>>,
    /// The OCSP response each revocation status was read from (when OCSP).
    pub ocsp: Vec<std::sync::Arc<hozon_pki::OcspResponse>>,
}

impl Evidence {
    /// Adds what `other` holds that is not here yet.
    pub fn merge(&mut self, other: Evidence) {
        for c in other.certs {
            if !self.certs.contains(&c) {
                self.certs.push(c);
            }
        }
        for crl in other.crls {
            if !self.crls.iter().any(|x| x.sha256() == crl.sha256()) {
                self.crls.push(crl);
            }
        }
        for resp in other.ocsp {
            if !self.ocsp.iter().any(|x| x.sha256() == resp.sha256()) {
                self.ocsp.push(resp);
            }
        }
    }

    /// Whether some revocation data was relied on, and all of it came
    /// from inside the signature.
    pub fn revocation_all_embedded(&self) -> bool {
        (!self.crls.is_empty() || !self.ocsp.is_empty())
            && self.crls.iter().all(|c| c.is_embedded())
            && self.ocsp.iter().all(|o| o.is_embedded())
    }
}
