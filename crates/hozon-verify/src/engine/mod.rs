//! The validation engine: one signature container in (any format, through
//! [`crate::format`]), one report per signature out. The building blocks of
//! EN 319 102-1 are in [`steps`] (basic signature validation), `timestamps`
//! (time-stamp validation) and `past` (validation with time: proof of
//! existence and past signature validation).

mod past;
mod steps;
mod timestamps;

use std::sync::Arc;

use hozon_pki::{CrlSet, OcspResponse, UnixTime};

use crate::codes::Code;
use crate::evidence::Evidence;
use crate::format::{SignatureContainer, ValidationPool};
use crate::report::SignatureReport;
use crate::verdict::blank_report;
use crate::Verifier;

impl Verifier {
    /// Validates every signature of `container` (a format adapter:
    /// [`crate::format`]) with the EN 319 102-1 building blocks, one report
    /// per signature. `poe` is an external proof of existence of the file
    /// (an evidence record's proven time), as in
    /// [`Verifier::verify_with_poe`]; `evidence` receives the certificates
    /// and revocation data the validation relied on.
    pub fn verify_container(
        &self,
        container: &dyn SignatureContainer,
        poe: Option<UnixTime>,
        evidence: &mut Evidence,
    ) -> Vec<SignatureReport> {
        let label = container.label();
        let data = container.validation_data();
        let mut file_findings = container.findings();
        let mut crls = CrlSet::new();
        for (origin, der) in &data.crls {
            match self.embedded_crl(der) {
                Ok(crl) => crls.add(crl),
                Err(e) => {
                    file_findings.warn(Code::ValidationDataUnreadable, format!("{origin}: {e}"))
                }
            }
        }
        for (origin, der) in &data.ocsp {
            match OcspResponse::from_der(der, origin) {
                Ok(resp) => crls.add_ocsp(Arc::new(resp.embedded())),
                Err(e) => file_findings.warn(Code::ValidationDataUnreadable, e.to_string()),
            }
        }
        let pool = ValidationPool {
            certs: &data.certs,
            crls: &crls,
        };
        let content = container.content_name();
        container
            .signatures()
            .iter()
            .map(|signature| {
                let mut report = blank_report(label, content.clone());
                report.signer_info = signature.index();
                let ctx =
                    steps::Context::new(self, signature.as_ref(), pool, file_findings.clone(), poe);
                let used = ctx.validate(&mut report);
                evidence.merge(used);
                report
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
