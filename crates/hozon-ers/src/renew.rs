//! Renewal of evidence records (RFC 4998 §5.2), one TSA request per batch.
//!
//! * **Time-stamp renewal**, before a TSA certificate expires or its
//!   algorithms weaken (the hash algorithm staying strong): the new
//!   ArchiveTimeStamp covers the hash of the previous one's `timeStamp`
//!   (its DER) and is appended to the same chain. The hashes of many
//!   records' previous tokens are the leaves of one new tree, so one token
//!   renews the batch.
//! * **Hash-tree renewal**, before the hash algorithm weakens: a new chain
//!   under a stronger digest whose first stamp covers, for every data
//!   object, `H(h(d) || ha)` where `h(d)` is the object's hash and `ha` the
//!   hash of the DER of the whole ArchiveTimeStampSequence so far (§5.2
//!   steps 3 and 4; the concatenation in that order, as the formula of step
//!   4 states — the worked example of Figure 4 sorts the pair instead, which
//!   hozon does not accept).
//!
//! Both work in two steps like [`crate::EvidenceBatch`]: `build` gives the
//! root to stamp, `finish` takes the token, then `renew(i, record)` gives the
//! renewed record of each member of the batch.

use std::borrow::Borrow;

use hozon_cms::DigestAlgorithm;

use crate::asn1::EvidenceRecord;
use crate::build::{EvidenceBatch, StampedBatch};
use crate::verify::{earlier_chains_hash, renewal_leaf};
use crate::Error;

/// The algorithm of the record's last chain and the hash of its newest
/// `timeStamp`: a time-stamp renewal's leaf for this record.
pub fn timestamp_renewal_leaf(er: &EvidenceRecord) -> Result<(DigestAlgorithm, Vec<u8>), Error> {
    let last_chain = er
        .archive_time_stamp_sequence
        .last()
        .ok_or_else(|| Error::Malformed("no ArchiveTimeStampChain".into()))?;
    let last = last_chain
        .last()
        .ok_or_else(|| Error::Malformed("an empty ArchiveTimeStampChain".into()))?;
    let alg = crate::verify::chain_algorithm(last_chain)?;
    Ok((alg, crate::tree::digest(alg, &last.time_stamp_der()?)?))
}

/// The leaves a hash-tree renewal under `alg` gives one record:
/// `H(h(d) || ha)` for each of its data objects' hashes `data_hashes` (made
/// with `alg`).
pub fn hash_tree_renewal_group(
    er: &EvidenceRecord,
    alg: DigestAlgorithm,
    data_hashes: &[Vec<u8>],
) -> Result<Vec<Vec<u8>>, Error> {
    if data_hashes.iter().any(|h| h.len() != alg.output_len()) {
        return Err(Error::Build(format!(
            "a data object hash is not a {} hash",
            alg.name()
        )));
    }
    let ha = earlier_chains_hash(er, er.archive_time_stamp_sequence.len(), alg)?;
    data_hashes
        .iter()
        .map(|h| renewal_leaf(alg, h, &ha))
        .collect()
}

/// A time-stamp renewal of a batch of evidence records. Records whose
/// newest token is the same (all records of one batch) share one leaf, so
/// renewing whole batches keeps the new tree as small as the number of
/// batches.
#[derive(Clone, Debug)]
pub struct TimestampRenewal {
    batch: EvidenceBatch,
    /// Record `i` is group `groups[i]`: records stamped by the same token
    /// (every record of one batch) share one leaf.
    groups: Vec<usize>,
}

/// A hash-tree renewal of a batch of evidence records.
#[derive(Clone, Debug)]
pub struct HashTreeRenewal {
    batch: EvidenceBatch,
    /// Each record's `ha`, one after another, to recognise it in `renew`.
    has: Vec<u8>,
}

/// A stamped renewal: gives each record of the batch its renewed form.
#[derive(Clone, Debug)]
pub struct StampedRenewal {
    stamped: StampedBatch,
    /// Record index → tree group (identity for a hash-tree renewal).
    groups: Option<Vec<usize>>,
    /// For a hash-tree renewal, each record's `ha`; `None` for a
    /// time-stamp renewal.
    hash_tree: Option<Vec<u8>>,
}

impl TimestampRenewal {
    /// Builds the renewal tree over `records` (all of whose last chains
    /// must use the same algorithm; renew records of different algorithms
    /// in separate batches).
    pub fn build<R: Borrow<EvidenceRecord>>(records: &[R]) -> Result<TimestampRenewal, Error> {
        let mut alg = None;
        let mut leaves: Vec<[Vec<u8>; 1]> = Vec::new();
        let mut seen = std::collections::HashMap::new();
        let mut groups = Vec::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            let (a, leaf) = timestamp_renewal_leaf(r.borrow())?;
            if *alg.get_or_insert(a) != a {
                return Err(Error::AlgorithmMismatch(format!(
                    "record {i}'s chain uses {}, the batch {}",
                    a.name(),
                    alg.map_or("", |x| x.name())
                )));
            }
            let next = leaves.len();
            let group = *seen.entry(leaf.clone()).or_insert(next);
            if group == next {
                leaves.push([leaf]);
            }
            groups.push(group);
        }
        let alg = alg.ok_or_else(|| Error::Build("no records to renew".into()))?;
        Ok(TimestampRenewal {
            batch: EvidenceBatch::build(alg, &leaves)?,
            groups,
        })
    }

    /// The digest to time-stamp.
    pub fn root(&self) -> &[u8] {
        self.batch.root()
    }

    /// Its algorithm (the chains').
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.batch.algorithm()
    }

    /// Attaches the token over [`TimestampRenewal::root`].
    pub fn finish(self, token_der: &[u8]) -> Result<StampedRenewal, Error> {
        Ok(StampedRenewal {
            stamped: self.batch.finish(token_der)?,
            groups: Some(self.groups),
            hash_tree: None,
        })
    }
}

impl HashTreeRenewal {
    /// Builds a hash-tree renewal under `alg` over `records`, each given
    /// with its data objects' hashes made with `alg` (document, signature
    /// file, ...: the same objects as its first chain covers).
    pub fn build<R: Borrow<EvidenceRecord>>(
        alg: DigestAlgorithm,
        records: &[(R, Vec<Vec<u8>>)],
    ) -> Result<HashTreeRenewal, Error> {
        let mut has = Vec::with_capacity(records.len() * alg.output_len());
        let groups = records
            .iter()
            .map(|(r, hashes)| {
                let r = r.borrow();
                has.extend(earlier_chains_hash(
                    r,
                    r.archive_time_stamp_sequence.len(),
                    alg,
                )?);
                hash_tree_renewal_group(r, alg, hashes)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(HashTreeRenewal {
            batch: EvidenceBatch::build(alg, &groups)?,
            has,
        })
    }

    /// The digest to time-stamp.
    pub fn root(&self) -> &[u8] {
        self.batch.root()
    }

    /// The new chain's algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.batch.algorithm()
    }

    /// Attaches the token over [`HashTreeRenewal::root`].
    pub fn finish(self, token_der: &[u8]) -> Result<StampedRenewal, Error> {
        Ok(StampedRenewal {
            stamped: self.batch.finish(token_der)?,
            groups: None,
            hash_tree: Some(self.has),
        })
    }
}

impl StampedRenewal {
    /// How many records the renewal covers.
    pub fn len(&self) -> usize {
        self.groups.as_ref().map_or(self.stamped.len(), Vec::len)
    }

    /// Whether none (never).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The renewed form of `er`, the `i`-th record given to `build`.
    /// Refuses a record whose leaves are not group `i`'s (another record, or
    /// one changed since `build`).
    pub fn renew(&self, i: usize, er: &EvidenceRecord) -> Result<EvidenceRecord, Error> {
        let tree = self.stamped.tree();
        let alg = tree.algorithm();
        let group = match &self.groups {
            Some(groups) => *groups.get(i).ok_or_else(|| {
                Error::Build(format!("record {i} of a renewal of {}", groups.len()))
            })?,
            None => i,
        };
        let ats = self.stamped.archive_time_stamp(group)?;
        let mut out = er.clone();
        if let Some(has) = &self.hash_tree {
            // The group's leaves bind the record's sequence as it was at
            // `build` (ha); check that this is that record, unchanged.
            let n = alg.output_len();
            let ha = earlier_chains_hash(er, er.archive_time_stamp_sequence.len(), alg)?;
            if has.get(i * n..(i + 1) * n) != Some(ha.as_slice()) {
                return Err(Error::Build(format!(
                    "record {i} is not the record this renewal was built over"
                )));
            }
            out.archive_time_stamp_sequence.push(vec![ats]);
            let id = alg.identifier();
            if !out.digest_algorithms.contains(&id) {
                out.digest_algorithms.push(id);
            }
        } else {
            let (a, leaf) = timestamp_renewal_leaf(er)?;
            if a != alg || tree.group(group).next() != Some(leaf.as_slice()) {
                return Err(Error::Build(format!(
                    "record {i} is not the record this renewal was built over"
                )));
            }
            // An explicit digestAlgorithm in the very encoding of the
            // chain's first stamp (RFC 4998 lets it default to the token's
            // imprint algorithm, but verifiers that compare encodings —
            // Bouncy Castle's ERSEvidenceRecord — then reject a TSA that
            // echoed another form of the same identifier).
            let mut ats = ats;
            let chain = out
                .archive_time_stamp_sequence
                .last_mut()
                .ok_or_else(|| Error::Malformed("no ArchiveTimeStampChain".into()))?;
            ats.digest_algorithm = Some(
                chain
                    .first()
                    .and_then(|first| first.digest_algorithm.clone())
                    .unwrap_or_else(|| alg.identifier()),
            );
            chain.push(ats);
        }
        out.check_limits()?;
        Ok(out)
    }
}
