//! Building evidence records for a batch: one hash tree, one time stamp,
//! one [`EvidenceRecord`] per data group.
//!
//! ```text
//! let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups)?;
//! let stamp = tsa.stamp_digest(batch.root())?;          // hozon-tsp, one request
//! let stamped = batch.finish(stamp.token_der())?;
//! for i in 0..stamped.len() { write(i, stamped.record_der(i)?) }
//! ```
//!
//! [`StampedBatch::record_der`] writes a record's DER straight from the tree
//! and the token's bytes (one allocation per record);
//! [`StampedBatch::record`] gives the typed record (the two are equal, see
//! the tests).

use cms::content_info::ContentInfo;
use der::asn1::OctetString;
use der::{Decode, Encode, Header, Length, Tag, TagNumber};
use hozon_cms::DigestAlgorithm;

use crate::asn1::{ArchiveTimeStamp, EvidenceRecord};
use crate::tree::{HashTree, Reduced};
use crate::Error;

/// A batch whose hash tree is built and whose root awaits its time stamp.
#[derive(Clone, Debug)]
pub struct EvidenceBatch {
    tree: HashTree,
}

impl EvidenceBatch {
    /// Builds a binary hash tree over `groups`: one group per archive
    /// record, each the list of its data objects' hashes (document,
    /// signature file, ...) made with `alg`.
    pub fn build<G, H>(alg: DigestAlgorithm, groups: &[G]) -> Result<EvidenceBatch, Error>
    where
        G: AsRef<[H]> + Sync,
        H: AsRef<[u8]> + Sync,
    {
        Self::build_with_arity(alg, 2, groups)
    }

    /// [`EvidenceBatch::build`] with `arity` children per node.
    pub fn build_with_arity<G, H>(
        alg: DigestAlgorithm,
        arity: usize,
        groups: &[G],
    ) -> Result<EvidenceBatch, Error>
    where
        G: AsRef<[H]> + Sync,
        H: AsRef<[u8]> + Sync,
    {
        Ok(EvidenceBatch {
            tree: HashTree::build(alg, arity, groups)?,
        })
    }

    /// The digest to time-stamp (with [`EvidenceBatch::algorithm`]).
    pub fn root(&self) -> &[u8] {
        self.tree.root()
    }

    /// The tree's digest algorithm; the time stamp's imprint must use it.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.tree.algorithm()
    }

    /// The hash tree.
    pub fn tree(&self) -> &HashTree {
        &self.tree
    }

    /// How many data groups.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Whether the batch is empty (never, once built).
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// Attaches the time-stamp token (DER ContentInfo, as
    /// `hozon_tsp::Stamp::token_der` gives it) over [`EvidenceBatch::root`].
    /// Refuses a token whose messageImprint is not the root under the tree's
    /// algorithm: records that cannot verify are never written.
    pub fn finish(self, token_der: &[u8]) -> Result<StampedBatch, Error> {
        let token = hozon_tsp::Token::parse(token_der, "archive time stamp")
            .map_err(|e| Error::Build(e.to_string()))?;
        let (alg, imprint) = token.imprint();
        if alg != self.tree.algorithm() {
            return Err(Error::AlgorithmMismatch(format!(
                "the token's imprint uses {}, the hash tree {}",
                alg.name(),
                self.tree.algorithm().name()
            )));
        }
        if imprint != self.tree.root() {
            return Err(Error::Build(
                "the time-stamp token is over another digest than the hash tree's root".into(),
            ));
        }
        // The token exactly as the cms crate re-encodes it: the bytes every
        // later renewal hashes.
        let content_info = ContentInfo::from_der(token.der())
            .map_err(|e| Error::Build(format!("time-stamp token: {e}")))?;
        let token_der = content_info.to_der()?;
        let alg_id = self.tree.algorithm().identifier();
        let alg_id_der = alg_id.to_der()?;
        let mut ats_alg_der = alg_id_der.clone();
        // IMPLICIT [0] AlgorithmIdentifier: the SEQUENCE's own tag replaced
        // by a constructed context tag 0 (checked against the derive types
        // by the tests).
        if let Some(tag) = ats_alg_der.first_mut() {
            *tag = 0xA0;
        }
        Ok(StampedBatch {
            tree: self.tree,
            content_info,
            token_der,
            alg_id,
            alg_id_der,
            ats_alg_der,
        })
    }
}

/// A batch with its time stamp: every group's evidence record.
#[derive(Clone, Debug)]
pub struct StampedBatch {
    tree: HashTree,
    content_info: ContentInfo,
    token_der: Vec<u8>,
    alg_id: spki::AlgorithmIdentifierOwned,
    alg_id_der: Vec<u8>,
    ats_alg_der: Vec<u8>,
}

fn header(out: &mut Vec<u8>, tag: Tag, len: usize) -> Result<(), Error> {
    Header::new(tag, Length::try_from(len)?)?.encode_to_vec(out)?;
    Ok(())
}

fn tlv_len(len: usize) -> Result<usize, Error> {
    let length = Length::try_from(len)?;
    Ok(usize::try_from(
        (length.encoded_len()? + Length::ONE + length)?,
    )?)
}

impl StampedBatch {
    /// How many records.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Whether there are none (never).
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// The hash tree.
    pub fn tree(&self) -> &HashTree {
        &self.tree
    }

    /// The token's DER.
    pub fn token_der(&self) -> &[u8] {
        &self.token_der
    }

    /// The ArchiveTimeStamp of group `i`.
    pub fn archive_time_stamp(&self, i: usize) -> Result<ArchiveTimeStamp, Error> {
        if i >= self.len() {
            return Err(Error::Build(format!(
                "record {i} of a batch of {}",
                self.len()
            )));
        }
        let reduced = self.tree.reduced(i);
        let reduced_hashtree = if reduced.depth() == 0 {
            None
        } else {
            Some(
                reduced
                    .lists()
                    .map(|l| l.iter().map(|h| OctetString::new(*h)).collect())
                    .collect::<Result<Vec<_>, _>>()?,
            )
        };
        Ok(ArchiveTimeStamp {
            digest_algorithm: Some(self.alg_id.clone()),
            attributes: None,
            reduced_hashtree,
            time_stamp: self.content_info.clone(),
        })
    }

    /// The evidence record of group `i`.
    pub fn record(&self, i: usize) -> Result<EvidenceRecord, Error> {
        Ok(EvidenceRecord {
            version: 1,
            digest_algorithms: vec![self.alg_id.clone()],
            crypto_infos: None,
            encryption_info: None,
            archive_time_stamp_sequence: vec![vec![self.archive_time_stamp(i)?]],
        })
    }

    /// Every record, in group order (holds them all in memory; for large
    /// batches write [`StampedBatch::record_der`] one by one).
    pub fn records(&self) -> Result<Vec<EvidenceRecord>, Error> {
        (0..self.len()).map(|i| self.record(i)).collect()
    }

    /// The DER of group `i`'s evidence record.
    pub fn record_der(&self, i: usize) -> Result<Vec<u8>, Error> {
        let mut reduced = Reduced::default();
        let mut out = Vec::new();
        self.record_der_into(i, &mut reduced, &mut out)?;
        Ok(out)
    }

    /// [`StampedBatch::record_der`] into reused buffers (`out` is cleared).
    pub fn record_der_into<'t>(
        &'t self,
        i: usize,
        reduced: &mut Reduced<'t>,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if i >= self.len() {
            return Err(Error::Build(format!(
                "record {i} of a batch of {}",
                self.len()
            )));
        }
        out.clear();
        self.tree.reduced_into(i, reduced);
        // Content lengths, inside out.
        let mut tree_len = 0usize;
        for list in reduced.lists() {
            let mut list_len = 0;
            for h in list {
                list_len += tlv_len(h.len())?;
            }
            tree_len += tlv_len(list_len)?;
        }
        let ats_len = self.ats_alg_der.len()
            + if reduced.depth() > 0 {
                tlv_len(tree_len)?
            } else {
                0
            }
            + self.token_der.len();
        let chain_len = tlv_len(ats_len)?;
        let sequence_len = tlv_len(chain_len)?;
        let algorithms_len = self.alg_id_der.len();
        let record_len = 3 + tlv_len(algorithms_len)? + tlv_len(sequence_len)?;
        out.reserve(tlv_len(record_len)?);
        header(out, Tag::Sequence, record_len)?;
        out.extend_from_slice(&[0x02, 0x01, 0x01]);
        header(out, Tag::Sequence, algorithms_len)?;
        out.extend_from_slice(&self.alg_id_der);
        header(out, Tag::Sequence, sequence_len)?;
        header(out, Tag::Sequence, chain_len)?;
        header(out, Tag::Sequence, ats_len)?;
        out.extend_from_slice(&self.ats_alg_der);
        if reduced.depth() > 0 {
            let tag = Tag::ContextSpecific {
                constructed: true,
                number: TagNumber::N2,
            };
            header(out, tag, tree_len)?;
            for list in reduced.lists() {
                let list_len: usize = list
                    .iter()
                    .map(|h| tlv_len(h.len()))
                    .sum::<Result<_, _>>()?;
                header(out, Tag::Sequence, list_len)?;
                for h in list {
                    header(out, Tag::OctetString, h.len())?;
                    out.extend_from_slice(h);
                }
            }
        }
        out.extend_from_slice(&self.token_der);
        Ok(())
    }
}
