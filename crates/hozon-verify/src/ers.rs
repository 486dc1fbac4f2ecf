//! End-to-end validation of RFC 4998 evidence records: the structural
//! check of `hozon-ers`, then every ArchiveTimeStamp's token as a time
//! stamp (signature, TSA certificate with its EKU and ESS binding, path at
//! genTime), newest first: the newest must hold at the validation time,
//! each older one until the stamp that renewed it was made. The proof of
//! existence of the data objects is then the first stamp's genTime.
//!
//! Validation data carried by the record is read from both places RFC 4998
//! allows: each token's SignedData `certificates` and `crls` (CRLs and RFC
//! 5940 OCSP responses; where hozon writes them, so that the next renewal
//! stamp covers them) and the EvidenceRecord's `cryptoInfos`
//! (certificate-values and revocation-values attributes of RFC 5126, as
//! other implementations may write them). It joins the pools as embedded
//! data, so a record verifies `--offline` with only its trust anchor.

use std::path::Path;
use std::sync::Arc;

use hozon_cms::{Cert, SignatureFile, UnixTime};
use hozon_ers::verify::{algorithms, check_structure, DataObject};
use hozon_ers::EvidenceRecord;
use hozon_pki::{Crl, CrlSet, OcspResponse};

use crate::codes::Code;
use crate::evidence::Evidence;
use crate::findings::Findings;
use crate::format::ValidationPool;
use crate::report::{EvidenceRecordReport, SignatureReport, SubIndication};
use crate::timestamp::{Covered, StampCheck};
use crate::verdict::{blank_report, conclude};
use crate::vocabulary::{SignatureFormat, TimestampIndication, TimestampKind};
use crate::Verifier;

/// The certificates and revocation data an evidence record carries.
#[derive(Default)]
struct Carried {
    certs: Vec<Cert>,
    crls: CrlSet,
}

impl Carried {
    fn add_cert(&mut self, cert: Cert) {
        if !self.certs.contains(&cert) {
            self.certs.push(cert);
        }
    }

    fn add_crl(&mut self, der: &[u8], origin: &str, f: &mut Findings) {
        match Crl::from_der(der, origin) {
            Ok(crl) => self.crls.add(Arc::new(crl.embedded())),
            Err(e) => f.warn(Code::ValidationDataUnreadable, format!("{origin}: {e}")),
        }
    }

    fn add_ocsp(&mut self, der: &[u8], origin: &str, f: &mut Findings) {
        match OcspResponse::from_der(der, origin) {
            Ok(resp) => self.crls.add_ocsp(Arc::new(resp.embedded())),
            Err(e) => f.warn(Code::ValidationDataUnreadable, format!("{origin}: {e}")),
        }
    }

    /// What the SignedData of the token `der` carries (`certificates`,
    /// `crls`: CRLs and id-ri-ocsp-response OCSP responses).
    fn add_token(&mut self, der: &[u8], label: &str, f: &mut Findings) {
        let Ok(file) = SignatureFile::parse(der) else {
            // Not a SignedData: the token check reports it.
            return;
        };
        for c in file.certificates() {
            self.add_cert(c);
        }
        for (i, crl) in file.crls().iter().enumerate() {
            self.add_crl(crl, &format!("{label}, CRL {i}"), f);
        }
        for (i, resp) in file.ocsp_responses().iter().enumerate() {
            self.add_ocsp(resp, &format!("{label}, OCSP response {i}"), f);
        }
    }

    /// What `cryptoInfos` carries: certificate-values and
    /// revocation-values attributes (RFC 5126 §6.3.3, §6.3.4). Other
    /// attributes are not understood and are reported as warnings.
    fn add_crypto_infos(&mut self, er: &EvidenceRecord, label: &str, f: &mut Findings) {
        use hozon_cms::oid::rfc5126::{ID_AA_ETS_CERT_VALUES, ID_AA_ETS_REVOCATION_VALUES};
        let Some(infos) = &er.crypto_infos else {
            return;
        };
        for attr in infos {
            if attr.oid != ID_AA_ETS_CERT_VALUES && attr.oid != ID_AA_ETS_REVOCATION_VALUES {
                f.warn(
                    Code::EvidenceRecordAttributeIgnored,
                    format!(
                        "{label}: cryptoInfos attribute {} is not understood and not used",
                        attr.oid
                    ),
                );
                continue;
            }
            let one = match hozon_cms::asn1::der::asn1::SetOfVec::try_from(vec![attr.clone()]) {
                Ok(set) => set,
                Err(e) => {
                    f.warn(
                        Code::ValidationDataUnreadable,
                        format!("{label}: cryptoInfos: {e}"),
                    );
                    continue;
                }
            };
            match crate::cades::es_xl::EsXl::read(Some(&one)) {
                Ok(xl) => {
                    for c in xl.certs {
                        self.add_cert(c);
                    }
                    for (i, crl) in xl.crls.iter().enumerate() {
                        self.add_crl(crl, &format!("{label}: cryptoInfos CRL {i}"), f);
                    }
                    for (i, resp) in xl.ocsp.iter().enumerate() {
                        self.add_ocsp(resp, &format!("{label}: cryptoInfos OCSP response {i}"), f);
                    }
                }
                Err(e) => f.warn(
                    Code::ValidationDataUnreadable,
                    format!("{label}: cryptoInfos: {e}"),
                ),
            }
        }
    }
}

/// The validation data of one archive time-stamp token, for embedding.
#[derive(Clone, Debug, Default)]
pub struct TokenValidationData {
    /// The TSA's certificate path and the revocation data its validation
    /// relied on (configured, fetched, or already in the token).
    pub evidence: Evidence,
    /// Why the token did not validate completely, if it did not (the data
    /// gathered so far is still worth embedding).
    pub problem: Option<String>,
}

impl Verifier {
    /// Verifies the evidence record `bytes` (read from the file `label`)
    /// against the data objects `contents` (the files of one archive
    /// record: document, signature, ...). The report has format "ERS", one
    /// archive entry in `timestamps` per ArchiveTimeStamp (oldest first),
    /// `best_signature_time` and `evidence_records[].proven_time` set to
    /// the proven time of existence when every stamp passed, and `renew_by`
    /// from the newest stamp.
    pub fn verify_evidence_record(
        &self,
        label: &str,
        bytes: &[u8],
        contents: &[&Path],
    ) -> SignatureReport {
        use SubIndication as S;
        let names: Vec<String> = contents.iter().map(|p| p.display().to_string()).collect();
        let mut report = blank_report(label, (!names.is_empty()).then(|| names.join(", ")));
        report.format = SignatureFormat::Ers;
        let mut f = Findings::default();
        let er = match EvidenceRecord::parse(bytes) {
            Ok(er) => er,
            Err(e) => {
                f.fail(
                    S::FormatFailure,
                    Code::EvidenceRecordInvalid,
                    format!("{label}: {e}"),
                );
                conclude(&mut report, f, &[]);
                return report;
            }
        };
        let algs = match algorithms(&er) {
            Ok(a) => a,
            Err(e) => {
                f.fail(
                    S::FormatFailure,
                    Code::EvidenceRecordInvalid,
                    format!("{label}: {e}"),
                );
                conclude(&mut report, f, &[]);
                return report;
            }
        };
        if contents.is_empty() {
            f.fail(
                S::SignedDataNotFound,
                Code::SignedDataNotFound,
                "no data object given for the evidence record (use --content FILE, once per file of the record)",
            );
            conclude(&mut report, f, &[]);
            return report;
        }
        let mut objects = Vec::with_capacity(contents.len());
        for path in contents {
            match std::fs::File::open(path).and_then(|file| DataObject::from_reader(file, &algs)) {
                Ok(o) => objects.push(o),
                Err(e) => f.fail(
                    S::SignedDataNotFound,
                    Code::SignedDataNotFound,
                    format!("cannot read the data object {}: {e}", path.display()),
                ),
            }
        }
        if objects.len() != contents.len() {
            conclude(&mut report, f, &[]);
            return report;
        }
        let check = match check_structure(&er, &objects) {
            Ok(c) => c,
            Err(e) => {
                use hozon_ers::Error as E;
                let sub = match &e {
                    E::NotCovered(_) | E::AlgorithmMismatch(_) => S::HashFailure,
                    E::Build(_) => S::SignedDataNotFound,
                    _ => S::FormatFailure,
                };
                f.fail(sub, Code::EvidenceRecordInvalid, format!("{label}: {e}"));
                conclude(&mut report, f, &[]);
                return report;
            }
        };
        let mut carried = Carried::default();
        carried.add_crypto_infos(&er, label, &mut f);
        for chain in &er.archive_time_stamp_sequence {
            for ats in chain {
                if let Ok(der) = ats.time_stamp_der() {
                    carried.add_token(&der, label, &mut f);
                }
            }
        }
        // Newest first: each older stamp must be trustworthy until the
        // newest stamp after it that passed.
        let mut trust_until = self.config.validation_time;
        let mut entries = Vec::new();
        let mut all_passed = true;
        let mut newest = true;
        let at = self.config.validation_time;
        let mut checked = 0;
        for t in check.tokens.iter().rev() {
            let what = format!(
                "archive time stamp {} of chain {} ({})",
                t.index + 1,
                t.chain + 1,
                t.digest.name()
            );
            if t.gen_time.0 > at.0 + crate::timestamp::SIGNING_TIME_TOLERANCE_SECS {
                // Validating as of a time before this renewal existed: the
                // record is judged as it was then.
                f.warn(
                    Code::TimestampAfterValidationTime,
                    format!(
                        "{what} ({}) was made after the validation time {at} and is not used",
                        t.gen_time
                    ),
                );
                continue;
            }
            checked += 1;
            let (mut entry, passed, tsa) = self.check_timestamp(
                StampCheck {
                    kind: TimestampKind::Archive,
                    label: &what,
                    der: &t.token_der,
                    covered: Covered::Digest(t.digest, &t.root),
                    pool: ValidationPool {
                        certs: &carried.certs,
                        crls: &carried.crls,
                    },
                    trust_until,
                },
                &mut f,
            );
            entry.attribute = Some(format!(
                "RFC 4998 ArchiveTimeStamp (chain {}, stamp {})",
                t.chain + 1,
                t.index + 1
            ));
            entries.push(entry);
            match (passed, &tsa) {
                (Some(gen), Some(tsa)) => {
                    if newest {
                        let due = crate::deadline::renewal_deadline(
                            tsa,
                            t.digest,
                            &self.config.algorithms,
                        );
                        report.renew_by = Some(
                            UnixTime(
                                due.end
                                    .0
                                    .saturating_sub(crate::timestamp::RENEWAL_MARGIN_SECS),
                            )
                            .rfc3339(),
                        );
                        report.renew_by_reason = Some(due.reason);
                    }
                    trust_until = gen;
                }
                _ => all_passed = false,
            }
            newest = false;
        }
        if checked == 0 {
            all_passed = false;
            f.fail(
                S::NoPoe,
                Code::NoProofOfExistence,
                format!(
                    "{label}: every archive time stamp was made after the validation time {at}: nothing is proven as of then"
                ),
            );
        }
        entries.reverse();
        report.timestamps = entries;
        let proven = check.proven_time().filter(|_| all_passed);
        if let Some(t) = proven {
            report.best_signature_time = Some(t.rfc3339());
        } else {
            report.best_signature_time = None;
        }
        let digest_algorithms: Vec<String> = algs.iter().map(|a| a.name().to_owned()).collect();
        report.evidence_records = names
            .iter()
            .map(|name| EvidenceRecordReport {
                data_object: name.clone(),
                proven_time: proven.map(|t| t.rfc3339()),
                digest_algorithms: digest_algorithms.clone(),
                archive_time_stamps: check.tokens.len(),
            })
            .collect();
        conclude(&mut report, f, &[(all_passed, "archive time stamps")]);
        report
    }

    /// Validates the archive time-stamp token `token_der` (its TSA's path
    /// at its genTime, as [`Verifier::verify_evidence_record`] does) and
    /// returns the validation data that took: what an archive embeds in
    /// the token's SignedData so that the stamp verifies offline and the
    /// next renewal covers it (RFC 4998 §5.2). Data the token already
    /// carries is used too.
    pub fn time_stamp_validation_data(&self, token_der: &[u8]) -> TokenValidationData {
        let mut f = Findings::default();
        let token = match hozon_tsp::Token::parse(token_der, "archive time stamp") {
            Ok(t) => t,
            Err(e) => {
                return TokenValidationData {
                    evidence: Evidence::default(),
                    problem: Some(e.to_string()),
                }
            }
        };
        let mut carried = Carried::default();
        carried.add_token(token_der, "archive time stamp", &mut f);
        let (alg, imprint) = token.imprint();
        let (entry, _, _) = self.check_timestamp(
            StampCheck {
                kind: TimestampKind::Archive,
                label: "archive time stamp",
                der: token_der,
                covered: Covered::Digest(alg, imprint),
                pool: ValidationPool {
                    certs: &carried.certs,
                    crls: &carried.crls,
                },
                trust_until: self.config.validation_time,
            },
            &mut f,
        );
        let problem = (entry.indication != TimestampIndication::Passed).then(|| {
            let mut all: Vec<String> = f.problems.iter().map(|p| p.message.clone()).collect();
            all.extend(f.warnings.iter().map(|w| w.message.clone()));
            format!("{}: {}", entry.indication, all.join("; "))
        });
        TokenValidationData {
            evidence: std::mem::take(&mut f.evidence),
            problem,
        }
    }
}
