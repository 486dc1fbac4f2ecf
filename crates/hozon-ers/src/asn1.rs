//! The ASN.1 types of RFC 4998 Appendix A (module `ERS`, `DEFINITIONS
//! IMPLICIT TAGS`), as `der` derive types.
//!
//! Every context tag is IMPLICIT, as the module says: `[0] AlgorithmIdentifier`
//! is the AlgorithmIdentifier SEQUENCE with its tag replaced by a constructed
//! `[0]`, and so on. `timeStamp` is a CMS `ContentInfo` (RFC 5652); its content
//! is kept as the exact bytes that were read.
//!
//! Decoding is strict DER ([`EvidenceRecord::parse`] also re-encodes and
//! compares), so re-encoding any decoded part gives back the exact bytes that
//! were hashed when it was made. Renewal depends on that: time-stamp renewal
//! hashes the DER of the previous `timeStamp`, hash-tree renewal the DER of the
//! earlier `ArchiveTimeStampSequence`.

use cms::content_info::ContentInfo;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, Attributes};

use crate::Error;

/// Largest evidence record accepted for decoding (64 MiB).
pub const MAX_RECORD_SIZE: usize = 64 * 1024 * 1024;
/// Most ArchiveTimeStampChains (hash-tree renewals + 1) in one record.
pub const MAX_CHAINS: usize = 256;
/// Most ArchiveTimeStamps in one chain (time-stamp renewals + 1).
pub const MAX_STAMPS_PER_CHAIN: usize = 1024;
/// Most PartialHashtrees in one reduced hash tree (tree depth).
pub const MAX_TREE_DEPTH: usize = 64;
/// Most hash values in one PartialHashtree (the fan-out of a node, or the
/// members of a data group).
pub const MAX_PARTIAL_HASHTREE: usize = 4096;

/// `EvidenceRecord ::= SEQUENCE { version INTEGER { v1(1) }, digestAlgorithms
/// SEQUENCE OF AlgorithmIdentifier, cryptoInfos [0] CryptoInfos OPTIONAL,
/// encryptionInfo [1] EncryptionInfo OPTIONAL, archiveTimeStampSequence
/// ArchiveTimeStampSequence }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EvidenceRecord {
    /// Always 1.
    pub version: u8,
    /// Every digest algorithm used in the record's hash trees.
    pub digest_algorithms: Vec<AlgorithmIdentifierOwned>,
    /// Certificates, CRLs, ... needed to verify the record (not used by
    /// hozon, kept as read).
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        optional = "true",
        constructed = "true"
    )]
    pub crypto_infos: Option<CryptoInfos>,
    /// Present only for encrypted data objects (refused by the verifier:
    /// hozon archives plain records).
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        optional = "true",
        constructed = "true"
    )]
    pub encryption_info: Option<EncryptionInfo>,
    /// The chains of archive time stamps, oldest first.
    pub archive_time_stamp_sequence: ArchiveTimeStampSequence,
}

/// `CryptoInfos ::= SEQUENCE SIZE (1..MAX) OF Attribute`.
pub type CryptoInfos = Vec<Attribute>;

/// `EncryptionInfo ::= SEQUENCE { encryptionInfoType OBJECT IDENTIFIER,
/// encryptionInfoValue ANY DEFINED BY encryptionInfoType }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EncryptionInfo {
    /// The type.
    pub encryption_info_type: ObjectIdentifier,
    /// The value, as read.
    pub encryption_info_value: Any,
}

/// `ArchiveTimeStampSequence ::= SEQUENCE OF ArchiveTimeStampChain`.
pub type ArchiveTimeStampSequence = Vec<ArchiveTimeStampChain>;

/// `ArchiveTimeStampChain ::= SEQUENCE OF ArchiveTimeStamp`.
pub type ArchiveTimeStampChain = Vec<ArchiveTimeStamp>;

/// `PartialHashtree ::= SEQUENCE OF OCTET STRING`.
pub type PartialHashtree = Vec<OctetString>;

/// `ArchiveTimeStamp ::= SEQUENCE { digestAlgorithm [0] AlgorithmIdentifier
/// OPTIONAL, attributes [1] Attributes OPTIONAL, reducedHashtree [2] SEQUENCE
/// OF PartialHashtree OPTIONAL, timeStamp ContentInfo }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ArchiveTimeStamp {
    /// The hash tree's digest algorithm; when absent, the one of the token's
    /// messageImprint.
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        optional = "true",
        constructed = "true"
    )]
    pub digest_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Attributes (`Attributes ::= SET SIZE (1..MAX) OF Attribute`).
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        optional = "true",
        constructed = "true"
    )]
    pub attributes: Option<Attributes>,
    /// The reduced hash tree, leaf level first; absent when the token is
    /// directly over the data (group) hash.
    #[asn1(
        context_specific = "2",
        tag_mode = "IMPLICIT",
        optional = "true",
        constructed = "true"
    )]
    pub reduced_hashtree: Option<Vec<PartialHashtree>>,
    /// The RFC 3161 time-stamp token (ContentInfo with SignedData).
    pub time_stamp: ContentInfo,
}

impl EvidenceRecord {
    /// Decodes a DER EvidenceRecord, refusing anything that is not
    /// canonical DER (re-encoding must give back the same bytes, since
    /// renewal hashes re-encoded parts) or that breaks the limits above.
    pub fn parse(der: &[u8]) -> Result<EvidenceRecord, Error> {
        if der.len() > MAX_RECORD_SIZE {
            return Err(Error::Malformed(format!(
                "{} bytes, more than the {MAX_RECORD_SIZE} accepted",
                der.len()
            )));
        }
        let record = EvidenceRecord::from_der(der).map_err(|e| Error::Malformed(e.to_string()))?;
        let again = record.to_der()?;
        if again != der {
            return Err(Error::Malformed(
                "not in canonical DER (re-encoding differs)".into(),
            ));
        }
        record.check_limits()?;
        Ok(record)
    }

    /// Checks the version and the size limits.
    pub fn check_limits(&self) -> Result<(), Error> {
        let bad = |s: String| Err(Error::Malformed(s));
        if self.version != 1 {
            return bad(format!("version {}, only v1(1) exists", self.version));
        }
        let chains = &self.archive_time_stamp_sequence;
        if chains.is_empty() {
            return bad("the ArchiveTimeStampSequence is empty".into());
        }
        if chains.len() > MAX_CHAINS {
            return bad(format!("{} chains, at most {MAX_CHAINS}", chains.len()));
        }
        for (c, chain) in chains.iter().enumerate() {
            if chain.is_empty() {
                return bad(format!("chain {} is empty", c + 1));
            }
            if chain.len() > MAX_STAMPS_PER_CHAIN {
                return bad(format!(
                    "chain {} has {} archive time stamps, at most {MAX_STAMPS_PER_CHAIN}",
                    c + 1,
                    chain.len()
                ));
            }
            for ats in chain {
                let tree = ats.reduced_hashtree.as_deref().unwrap_or_default();
                if tree.len() > MAX_TREE_DEPTH {
                    return bad(format!(
                        "a reduced hash tree of {} levels, at most {MAX_TREE_DEPTH}",
                        tree.len()
                    ));
                }
                if let Some(pht) = tree.iter().find(|p| p.len() > MAX_PARTIAL_HASHTREE) {
                    return bad(format!(
                        "a partial hash tree of {} values, at most {MAX_PARTIAL_HASHTREE}",
                        pht.len()
                    ));
                }
            }
        }
        Ok(())
    }
}

impl ArchiveTimeStamp {
    /// The DER of `timeStamp`, what time-stamp renewal hashes.
    pub fn time_stamp_der(&self) -> Result<Vec<u8>, Error> {
        Ok(self.time_stamp.to_der()?)
    }
}
