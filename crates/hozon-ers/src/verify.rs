//! Structural verification of an evidence record (RFC 4998 §5.3) against
//! the data objects it is presented with.
//!
//! Checked here, for every ArchiveTimeStamp, oldest first:
//! * its digest algorithm is the one of its token's messageImprint and of
//!   the rest of its chain, and is listed in `digestAlgorithms`;
//! * what it must cover is in its first PartialHashtree: for the first stamp
//!   of the first chain, every data object's hash; for a later stamp of a
//!   chain, the hash of the previous stamp's `timeStamp` (time-stamp
//!   renewal); for the first stamp of a later chain, `H(h(d) || ha)` for
//!   every data object, `ha` being the hash of the DER of all earlier chains
//!   (hash-tree renewal, §5.2 step 4);
//! * the reduced hash tree leads from there to the token's hashedMessage
//!   (§4.3: each list, with the value computed from the list below added,
//!   sorted, concatenated, hashed; a lone value is carried up);
//! * each stamp is no older than the one it renews.
//!
//! What is left is cryptography and PKI: each [`TokenCheck`] says which token
//! to validate and until when it must be trustworthy (the genTime of the
//! stamp that renews it, or the validation time for the newest). That is
//! `hozon-verify`'s job; nothing here trusts a token.

use std::io::Read;

use der::Encode;
use hozon_cms::{DigestAlgorithm, UnixTime};

use crate::asn1::{ArchiveTimeStamp, EvidenceRecord};
use crate::tree::{hash_concat, hash_sorted};
use crate::Error;

/// One data object (a file of the archive record) as its hashes, one per
/// digest algorithm the record uses ([`algorithms`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataObject {
    hashes: Vec<(DigestAlgorithm, Vec<u8>)>,
}

impl DataObject {
    /// From hashes already computed.
    pub fn from_hashes(hashes: Vec<(DigestAlgorithm, Vec<u8>)>) -> DataObject {
        DataObject { hashes }
    }

    /// Hashes `data` with each of `algs`.
    pub fn from_bytes(data: &[u8], algs: &[DigestAlgorithm]) -> Result<DataObject, Error> {
        let hashes = algs
            .iter()
            .map(|&a| Ok((a, crate::tree::digest(a, data)?)))
            .collect::<Result<_, Error>>()?;
        Ok(DataObject { hashes })
    }

    /// Hashes a stream with each of `algs` in one pass.
    pub fn from_reader(
        mut reader: impl Read,
        algs: &[DigestAlgorithm],
    ) -> std::io::Result<DataObject> {
        let mut hashers = algs
            .iter()
            .map(|a| openssl::hash::Hasher::new(a.message_digest()).map(|h| (*a, h)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(std::io::Error::other)?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            for (_, h) in &mut hashers {
                h.update(&buf[..n]).map_err(std::io::Error::other)?;
            }
        }
        let hashes = hashers
            .into_iter()
            .map(|(a, mut h)| h.finish().map(|d| (a, d.to_vec())))
            .collect::<Result<_, _>>()
            .map_err(std::io::Error::other)?;
        Ok(DataObject { hashes })
    }

    /// The hash under `alg`, if computed.
    pub fn hash(&self, alg: DigestAlgorithm) -> Option<&[u8]> {
        self.hashes
            .iter()
            .find(|(a, _)| *a == alg)
            .map(|(_, h)| h.as_slice())
    }
}

/// A token the caller must validate cryptographically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenCheck {
    /// Chain index (0 = the initial chain).
    pub chain: usize,
    /// Index of the ArchiveTimeStamp in its chain.
    pub index: usize,
    /// The token (DER ContentInfo).
    pub token_der: Vec<u8>,
    /// The hash tree's (and the imprint's) digest algorithm.
    pub digest: DigestAlgorithm,
    /// The root the token's imprint was found equal to.
    pub root: Vec<u8>,
    /// The token's genTime.
    pub gen_time: UnixTime,
    /// Until when the token (its TSA's certificate, algorithms) must be
    /// trustworthy: the genTime of the stamp that renews it, or `None` for
    /// the newest, which must hold at the validation time.
    pub renewed_at: Option<UnixTime>,
}

/// The result of a successful structural check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructureCheck {
    /// Every token, oldest first.
    pub tokens: Vec<TokenCheck>,
}

impl StructureCheck {
    /// The genTime of the first ArchiveTimeStamp: when the data objects are
    /// proven to have existed, once every token validates.
    pub fn proven_time(&self) -> Option<UnixTime> {
        self.tokens.first().map(|t| t.gen_time)
    }
}

/// The distinct digest algorithms of the record's chains, in chain order:
/// what a caller must hash each data object with.
pub fn algorithms(er: &EvidenceRecord) -> Result<Vec<DigestAlgorithm>, Error> {
    let mut out = Vec::new();
    for chain in &er.archive_time_stamp_sequence {
        let alg = chain_algorithm(chain)?;
        if !out.contains(&alg) {
            out.push(alg);
        }
    }
    Ok(out)
}

/// The digest algorithm of a chain (of its first ArchiveTimeStamp; the
/// structural check requires every stamp of the chain to agree).
pub fn chain_algorithm(chain: &[ArchiveTimeStamp]) -> Result<DigestAlgorithm, Error> {
    let first = chain
        .first()
        .ok_or_else(|| Error::Malformed("an empty ArchiveTimeStampChain".into()))?;
    Ok(ats_algorithm(first)?.0)
}

/// The ATS's digest algorithm (its own field, else the imprint's), with the
/// parsed token; the two must agree (§5.3 step 4).
fn ats_algorithm(ats: &ArchiveTimeStamp) -> Result<(DigestAlgorithm, hozon_tsp::Token), Error> {
    let der = ats.time_stamp_der()?;
    let token = hozon_tsp::Token::parse(&der, "archive time stamp")
        .map_err(|e| Error::Malformed(e.to_string()))?;
    let (imprint_alg, _) = token.imprint();
    let alg = match &ats.digest_algorithm {
        Some(id) => {
            DigestAlgorithm::from_identifier(id).map_err(|e| Error::Malformed(e.to_string()))?
        }
        None => imprint_alg,
    };
    if alg != imprint_alg {
        return Err(Error::AlgorithmMismatch(format!(
            "an archive time stamp's hash tree uses {}, its token's imprint {}",
            alg.name(),
            imprint_alg.name()
        )));
    }
    Ok((alg, token))
}

/// Walks a reduced hash tree from `leaves` (all of which must be in the
/// first list) to the root (§4.3 / §5.3 steps 1 to 3).
pub fn reduce_to_root(
    alg: DigestAlgorithm,
    leaves: &[Vec<u8>],
    tree: Option<&[crate::asn1::PartialHashtree]>,
) -> Result<Vec<u8>, Error> {
    let n = alg.output_len();
    let tree = tree.unwrap_or_default();
    let Some((first, rest)) = tree.split_first() else {
        // No reduced hash tree: the stamp is over the data object's hash,
        // or over a data group's hash — its members' hashes sorted,
        // concatenated and hashed (§4.2 step 3), as other implementations
        // (Bouncy Castle) stamp a lone group.
        return match leaves {
            [] => Err(Error::NotCovered("no data object to check".into())),
            [one] => Ok(one.clone()),
            _ => {
                let mut parts: Vec<&[u8]> = leaves.iter().map(Vec::as_slice).collect();
                let mut root = vec![0u8; n];
                hash_sorted(alg, &mut parts, &mut root)?;
                Ok(root)
            }
        };
    };
    for list in tree {
        if list.is_empty() {
            return Err(Error::Malformed("an empty PartialHashtree".into()));
        }
        if let Some(bad) = list.iter().find(|h| h.as_bytes().len() != n) {
            return Err(Error::AlgorithmMismatch(format!(
                "a hash value of {} bytes in a {} hash tree",
                bad.as_bytes().len(),
                alg.name()
            )));
        }
    }
    for leaf in leaves {
        if !first.iter().any(|h| h.as_bytes() == leaf.as_slice()) {
            return Err(Error::NotCovered(
                "a data object's hash is not in the first partial hash tree: the data was altered, or the evidence record is for other data".into(),
            ));
        }
    }
    let mut current = vec![0u8; n];
    if first.len() == 1 {
        current.copy_from_slice(first[0].as_bytes());
    } else {
        let mut parts: Vec<&[u8]> = first.iter().map(|h| h.as_bytes()).collect();
        hash_sorted(alg, &mut parts, &mut current)?;
    }
    for list in rest {
        let mut next = vec![0u8; n];
        let mut parts: Vec<&[u8]> = list.iter().map(|h| h.as_bytes()).collect();
        parts.push(&current);
        hash_sorted(alg, &mut parts, &mut next)?;
        current = next;
    }
    Ok(current)
}

/// `ha`: the hash of the DER of the chains before `chain` (an
/// ArchiveTimeStampSequence of them), §5.2 step 3.
pub fn earlier_chains_hash(
    er: &EvidenceRecord,
    chain: usize,
    alg: DigestAlgorithm,
) -> Result<Vec<u8>, Error> {
    let earlier = er
        .archive_time_stamp_sequence
        .get(..chain)
        .ok_or_else(|| Error::Malformed(format!("no chain {chain}")))?;
    crate::tree::digest(alg, &earlier.to_vec().to_der()?)
}

/// The hash-tree-renewal leaf `H(h(d) || ha)` of §5.2 step 4.
pub fn renewal_leaf(alg: DigestAlgorithm, data_hash: &[u8], ha: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; alg.output_len()];
    hash_concat(alg, &[data_hash, ha], &mut out)?;
    Ok(out)
}

/// Checks the structure of `er` against `objects` (one or more data objects
/// of one record, each hashed with every algorithm of [`algorithms`]).
pub fn check_structure(
    er: &EvidenceRecord,
    objects: &[DataObject],
) -> Result<StructureCheck, Error> {
    er.check_limits()?;
    if er.encryption_info.is_some() {
        return Err(Error::Malformed(
            "the record is for encrypted data objects (encryptionInfo), which hozon does not verify"
                .into(),
        ));
    }
    if objects.is_empty() {
        return Err(Error::NotCovered("no data objects to check".into()));
    }
    let listed = er
        .digest_algorithms
        .iter()
        .map(|id| DigestAlgorithm::from_identifier(id).map_err(|e| Error::Malformed(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let mut tokens: Vec<TokenCheck> = Vec::new();
    let mut previous_ts_der: Option<Vec<u8>> = None;
    for (c, chain) in er.archive_time_stamp_sequence.iter().enumerate() {
        let mut chain_alg = None;
        for (k, ats) in chain.iter().enumerate() {
            let where_ = format!("chain {} archive time stamp {}", c + 1, k + 1);
            let (alg, token) = ats_algorithm(ats).map_err(|e| prefix(e, &where_))?;
            if *chain_alg.get_or_insert(alg) != alg {
                return Err(Error::AlgorithmMismatch(format!(
                    "{where_} uses {}, its chain {}",
                    alg.name(),
                    chain_alg.map_or("", |a| a.name())
                )));
            }
            if !listed.contains(&alg) {
                return Err(Error::AlgorithmMismatch(format!(
                    "{where_} uses {}, which digestAlgorithms does not list",
                    alg.name()
                )));
            }
            let leaves: Vec<Vec<u8>> = if k > 0 {
                let prev = previous_ts_der
                    .as_deref()
                    .ok_or_else(|| Error::Malformed("no previous time stamp".into()))?;
                vec![crate::tree::digest(alg, prev)?]
            } else {
                let data = objects
                    .iter()
                    .map(|o| {
                        o.hash(alg).map(<[u8]>::to_vec).ok_or_else(|| {
                            Error::Build(format!(
                                "a data object was not hashed with {}",
                                alg.name()
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if c == 0 {
                    data
                } else {
                    let ha = earlier_chains_hash(er, c, alg)?;
                    data.iter()
                        .map(|h| renewal_leaf(alg, h, &ha))
                        .collect::<Result<_, _>>()?
                }
            };
            let root = reduce_to_root(alg, &leaves, ats.reduced_hashtree.as_deref())
                .map_err(|e| prefix(e, &where_))?;
            let (_, imprint) = token.imprint();
            if imprint != root.as_slice() {
                return Err(Error::NotCovered(format!(
                    "{where_}: the hash tree's root is not what its time stamp covers{}",
                    if k == 0 && c == 0 {
                        ": the data was altered, or the evidence record is for other data"
                    } else {
                        ""
                    }
                )));
            }
            let gen_time = token.gen_time();
            if let Some(last) = tokens.last_mut() {
                if gen_time < last.gen_time {
                    return Err(Error::Malformed(format!(
                        "{where_} ({gen_time}) is older than the time stamp it renews ({})",
                        last.gen_time
                    )));
                }
                last.renewed_at = Some(gen_time);
            }
            previous_ts_der = Some(ats.time_stamp_der()?);
            tokens.push(TokenCheck {
                chain: c,
                index: k,
                token_der: token.der().to_vec(),
                digest: alg,
                root,
                gen_time,
                renewed_at: None,
            });
        }
    }
    Ok(StructureCheck { tokens })
}

fn prefix(e: Error, where_: &str) -> Error {
    match e {
        Error::Malformed(s) => Error::Malformed(format!("{where_}: {s}")),
        Error::NotCovered(s) => Error::NotCovered(format!("{where_}: {s}")),
        Error::AlgorithmMismatch(s) => Error::AlgorithmMismatch(format!("{where_}: {s}")),
        other => other,
    }
}
