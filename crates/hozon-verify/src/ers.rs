//! End-to-end validation of RFC 4998 evidence records: the structural
//! check of `hozon-ers`, then every ArchiveTimeStamp's token as a time
//! stamp (signature, TSA certificate with its EKU and ESS binding, path at
//! genTime), newest first: the newest must hold at the validation time,
//! each older one until the stamp that renewed it was made. The proof of
//! existence of the data objects is then the first stamp's genTime.

use std::path::Path;

use hozon_ers::verify::{algorithms, check_structure, DataObject};
use hozon_ers::EvidenceRecord;
use hozon_pki::CrlSet;

use crate::engine::{blank_report, conclude};
use crate::findings::Findings;
use crate::report::{EvidenceRecordReport, SignatureReport, SubIndication};
use crate::timestamp::{report_expiry, Covered};
use crate::Verifier;

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
        report.format = "ERS".to_owned();
        let mut f = Findings::default();
        let er = match EvidenceRecord::parse(bytes) {
            Ok(er) => er,
            Err(e) => {
                f.fail(S::FormatFailure, format!("{label}: {e}"));
                conclude(&mut report, f, &[]);
                return report;
            }
        };
        let algs = match algorithms(&er) {
            Ok(a) => a,
            Err(e) => {
                f.fail(S::FormatFailure, format!("{label}: {e}"));
                conclude(&mut report, f, &[]);
                return report;
            }
        };
        if contents.is_empty() {
            f.fail(
                S::SignedDataNotFound,
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
                f.fail(sub, format!("{label}: {e}"));
                conclude(&mut report, f, &[]);
                return report;
            }
        };
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
                f.warn(format!(
                    "{what} ({}) was made after the validation time {at} and is not used",
                    t.gen_time
                ));
                continue;
            }
            checked += 1;
            let (mut entry, passed, tsa) = self.check_timestamp(
                "archive",
                &what,
                &t.token_der,
                Covered::Digest(t.digest, &t.root),
                &[],
                &CrlSet::new(),
                trust_until,
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
                        report_expiry(&mut report, tsa, Some(t.digest), &self.config.algorithms);
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
}
