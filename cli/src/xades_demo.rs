//! `hozon demo`'s XAdES step: the sample e-prescription (電子処方箋を模した
//!文書) and CDA discharge summary of `testdata/xml/` signed enveloped by the
//! doctor, raised to B-LTA through the same pipeline as `hozon extend`, and
//! verified with nothing but the root, offline (docs/xades.md).

use std::path::{Path, PathBuf};

use anyhow::Context;
use hozon_ltv::Augmenter;
use hozon_sign::Signer;
use hozon_verify::{Indication, Report, Summary, Verifier};
use hozon_xades::augment::XadesDocument;
use hozon_xades::sign::{sign_enveloped_over, DataObject, SignError, SignInput};

/// The XML samples (testdata/xml/README.md): made-up patients, kanji and
/// kana text, a default and a prefixed namespace, indentation.
pub const SAMPLES: &[(&str, &[u8])] = &[
    (
        "prescription.xml",
        include_bytes!("../../testdata/xml/prescription.xml"),
    ),
    ("cda.xml", include_bytes!("../../testdata/xml/cda.xml")),
];

/// What the step needs.
pub struct Step<'a> {
    /// The folder the samples and their signed copies are written to.
    pub dir: &'a Path,
    /// The doctor's signer.
    pub signer: &'a dyn Signer,
    /// The pipeline to B-LTA.
    pub augmenter: &'a Augmenter,
    /// A verifier that knows nothing but the root, offline.
    pub verifier: &'a Verifier,
}

/// Signs each sample as `NAME.signed.xml` (XAdES B-LTA, enveloped), verifies
/// the signed copies and returns the report and whether every signature
/// passed at B-LTA.
pub fn run(step: &Step<'_>) -> anyhow::Result<(Report, bool)> {
    std::fs::create_dir_all(step.dir)
        .with_context(|| format!("cannot create {}", step.dir.display()))?;
    let sign = |m: &[u8]| {
        step.signer
            .sign(m)
            .map_err(|e| SignError::Signer(e.to_string()))
    };
    let mut signed_files: Vec<PathBuf> = Vec::new();
    for (name, bytes) in SAMPLES {
        std::fs::write(step.dir.join(name), bytes)?;
        let input = SignInput {
            document: bytes,
            certificate: step.signer.certificate(),
            chain: step.signer.chain(),
            algorithm: step.signer.algorithm(),
            signing_time: hozon_pki::UnixTime::now(),
            sign: &sign,
        };
        let signed = sign_enveloped_over(&input, DataObject::Document)
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let stem = name.strip_suffix(".xml").unwrap_or(name);
        let out = step.dir.join(format!("{stem}.signed.xml"));
        let label = out.display().to_string();
        let mut document = XadesDocument::new(&label, signed, Some(step.dir));
        step.augmenter
            .augment(&label, &mut document)
            .map_err(|e| anyhow::anyhow!("{label}: {e}"))?;
        let bytes = document.into_bytes();
        hozon_io::write_atomic(&out, &bytes, hozon_io::Overwrite::Replace)?;
        println!(
            "   signed {name} → {stem}.signed.xml (XAdES {}, enveloped, {} bytes)",
            step.augmenter.level_name(),
            bytes.len()
        );
        signed_files.push(out);
    }
    let mut signatures = Vec::new();
    for path in &signed_files {
        signatures
            .extend(crate::xades::verify(step.verifier, path, &[]).map_err(anyhow::Error::msg)?);
    }
    let ok = !signatures.is_empty()
        && signatures.iter().all(|s| {
            s.indication == Indication::TotalPassed
                && s.format == hozon_verify::SignatureFormat::Xades
                && s.level == Some(hozon_verify::Level::BLta)
        });
    let report = Report {
        validation_time: step.verifier.validation_time().rfc3339(),
        summary: Summary::of(&signatures),
        signatures,
        file_errors: Vec::new(),
        unsigned_files: Vec::new(),
        evidence_records: Vec::new(),
        evidence_summary: None,
    };
    Ok((report, ok))
}
