//! The hash tree of RFC 4998 §4.2 and the reduced hash trees of §4.3, over
//! data groups, in flat arrays.
//!
//! A *data group* is one archive record: its document hash, its
//! signature-file hash, and so on. §4.2 step 3: a group of more than one
//! hash becomes one leaf, the hash of its members' hashes sorted in binary
//! ascending order and concatenated; a group of one hash is that hash.
//! Step 4: leaves are taken `arity` at a time (binary by default), sorted,
//! concatenated and hashed into the next level, until one value, the root,
//! is left. A node left alone at the end of a level is carried up unhashed
//! (the RFC lets the builder choose how to fill a level; carrying adds no
//! list to the reduced tree, and a lone list value is carried by the
//! verifier too, RFC 6283 §3.1.1).
//!
//! Each level is one contiguous `Vec<u8>` of `count × digest length` bytes,
//! computed in parallel; nothing is allocated per node. A reduced tree
//! (§4.3) is the list of sibling sets on the path from a group to the root:
//! the first list holds the group's member hashes (or, for a group of one,
//! the leaf and its siblings), each later list the siblings of the path node
//! at that level, the path node itself being what the verifier computes.

use hozon_cms::DigestAlgorithm;
use rayon::prelude::*;

use crate::Error;

/// Largest fan-out accepted when building.
pub const MAX_ARITY: usize = 256;

/// Hashes the binary-ascending-sorted concatenation of `parts` into `out`
/// (§4.2 steps 3 and 4). `parts` is sorted in place.
pub(crate) fn hash_sorted(
    alg: DigestAlgorithm,
    parts: &mut [&[u8]],
    out: &mut [u8],
) -> Result<(), Error> {
    parts.sort_unstable();
    hash_concat(alg, parts, out)
}

/// Hashes the concatenation of `parts`, in the order given, into `out`.
pub(crate) fn hash_concat(
    alg: DigestAlgorithm,
    parts: &[&[u8]],
    out: &mut [u8],
) -> Result<(), Error> {
    match alg {
        DigestAlgorithm::Sha256 => {
            let mut h = openssl::sha::Sha256::new();
            parts.iter().for_each(|p| h.update(p));
            out.copy_from_slice(&h.finish());
        }
        DigestAlgorithm::Sha384 => {
            let mut h = openssl::sha::Sha384::new();
            parts.iter().for_each(|p| h.update(p));
            out.copy_from_slice(&h.finish());
        }
        DigestAlgorithm::Sha512 => {
            let mut h = openssl::sha::Sha512::new();
            parts.iter().for_each(|p| h.update(p));
            out.copy_from_slice(&h.finish());
        }
        other => {
            let mut h = openssl::hash::Hasher::new(other.message_digest())?;
            for p in parts {
                h.update(p)?;
            }
            out.copy_from_slice(&h.finish()?);
        }
    }
    Ok(())
}

/// Hashes `data` with `alg`.
pub fn digest(alg: DigestAlgorithm, data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; alg.output_len()];
    hash_concat(alg, &[data], &mut out)?;
    Ok(out)
}

/// A hash tree over data groups.
#[derive(Clone, Debug)]
pub struct HashTree {
    alg: DigestAlgorithm,
    arity: usize,
    hash_len: usize,
    /// Every group's member hashes, one after another.
    members: Vec<u8>,
    /// Group `i`'s members are hashes `starts[i]..starts[i + 1]` of `members`.
    starts: Vec<usize>,
    /// `levels[0]` holds one value per group, the last level the root.
    levels: Vec<Vec<u8>>,
}

/// A reduced hash tree (§4.3) borrowed from a [`HashTree`]: `lists()` gives
/// the PartialHashtrees, leaf level first. Reused between records with
/// [`HashTree::reduced_into`] so that writing millions allocates nothing per
/// record.
#[derive(Clone, Debug, Default)]
pub struct Reduced<'t> {
    hashes: Vec<&'t [u8]>,
    ends: Vec<usize>,
}

impl<'t> Reduced<'t> {
    /// The PartialHashtrees, leaf level first.
    pub fn lists(&self) -> impl Iterator<Item = &[&'t [u8]]> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let list = &self.hashes[start..end];
            start = end;
            list
        })
    }

    /// How many PartialHashtrees.
    pub fn depth(&self) -> usize {
        self.ends.len()
    }

    fn clear(&mut self) {
        self.hashes.clear();
        self.ends.clear();
    }

    fn push_list(&mut self) {
        self.ends.push(self.hashes.len());
    }
}

impl HashTree {
    /// Builds the tree over `groups` (each a non-empty list of member hashes
    /// made with `alg`) with `arity` children per node (2 to
    /// [`MAX_ARITY`]).
    pub fn build<G, H>(alg: DigestAlgorithm, arity: usize, groups: &[G]) -> Result<HashTree, Error>
    where
        G: AsRef<[H]> + Sync,
        H: AsRef<[u8]> + Sync,
    {
        if !(2..=MAX_ARITY).contains(&arity) {
            return Err(Error::Build(format!(
                "a hash tree needs 2 to {MAX_ARITY} children per node, not {arity}"
            )));
        }
        if matches!(alg, DigestAlgorithm::Md5 | DigestAlgorithm::Sha1) {
            return Err(Error::Build(format!(
                "{} is too weak for new evidence records",
                alg.name()
            )));
        }
        if groups.is_empty() {
            return Err(Error::Build(
                "no data groups to build a hash tree over".into(),
            ));
        }
        let hash_len = alg.output_len();
        let total: usize = groups.iter().map(|g| g.as_ref().len()).sum();
        let mut members = Vec::with_capacity(total * hash_len);
        let mut starts = Vec::with_capacity(groups.len() + 1);
        starts.push(0);
        for (i, group) in groups.iter().enumerate() {
            let group = group.as_ref();
            if group.is_empty() {
                return Err(Error::Build(format!("data group {i} has no hashes")));
            }
            if group.len() > crate::asn1::MAX_PARTIAL_HASHTREE {
                return Err(Error::Build(format!(
                    "data group {i} has {} hashes, at most {}",
                    group.len(),
                    crate::asn1::MAX_PARTIAL_HASHTREE
                )));
            }
            for h in group {
                let h = h.as_ref();
                if h.len() != hash_len {
                    return Err(Error::Build(format!(
                        "data group {i}: a hash of {} bytes, {} makes {hash_len}",
                        h.len(),
                        alg.name()
                    )));
                }
                members.extend_from_slice(h);
            }
            starts.push(members.len() / hash_len);
        }
        let mut leaves = vec![0u8; groups.len() * hash_len];
        leaves
            .par_chunks_mut(hash_len)
            .enumerate()
            .try_for_each_init(Vec::new, |parts, (i, out)| {
                let (a, b) = (starts[i], starts[i + 1]);
                if b - a == 1 {
                    out.copy_from_slice(&members[a * hash_len..b * hash_len]);
                    return Ok(());
                }
                parts.clear();
                parts.extend(members[a * hash_len..b * hash_len].chunks(hash_len));
                hash_sorted(alg, parts, out)
            })?;
        let mut levels = vec![leaves];
        while let Some(below) = levels.last().filter(|l| l.len() > hash_len) {
            let count = below.len() / hash_len;
            let parents = count.div_ceil(arity);
            let mut next = vec![0u8; parents * hash_len];
            next.par_chunks_mut(hash_len)
                .enumerate()
                .try_for_each_init(Vec::new, |parts, (p, out)| {
                    let first = p * arity;
                    let last = (first + arity).min(count);
                    let children = &below[first * hash_len..last * hash_len];
                    if last - first == 1 {
                        out.copy_from_slice(children);
                        return Ok(());
                    }
                    parts.clear();
                    parts.extend(children.chunks(hash_len));
                    hash_sorted(alg, parts, out)
                })?;
            levels.push(next);
        }
        Ok(HashTree {
            alg,
            arity,
            hash_len,
            members,
            starts,
            levels,
        })
    }

    /// The digest algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.alg
    }

    /// How many data groups (leaves).
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Whether there are no groups (never true for a built tree).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The root value, what the TSA stamps.
    pub fn root(&self) -> &[u8] {
        self.levels.last().map_or(&[], |l| l.as_slice())
    }

    /// The member hashes of group `i`.
    pub fn group(&self, i: usize) -> impl Iterator<Item = &[u8]> {
        let (a, b) = match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (0, 0),
        };
        self.members[a * self.hash_len..b * self.hash_len].chunks(self.hash_len)
    }

    /// The reduced hash tree of group `i` (empty when the root is the
    /// group's only member hash: a batch of one single-hash group).
    pub fn reduced(&self, i: usize) -> Reduced<'_> {
        let mut r = Reduced::default();
        self.reduced_into(i, &mut r);
        r
    }

    /// [`HashTree::reduced`] into a reused buffer.
    pub fn reduced_into<'t>(&'t self, i: usize, out: &mut Reduced<'t>) {
        out.clear();
        if i >= self.len() {
            return;
        }
        let n = self.hash_len;
        let members = self.starts[i + 1] - self.starts[i];
        if members > 1 {
            out.hashes.extend(self.group(i));
            out.push_list();
        }
        let mut index = i;
        for level in &self.levels[..self.levels.len() - 1] {
            let count = level.len() / n;
            let first = index / self.arity * self.arity;
            let last = (first + self.arity).min(count);
            if last - first > 1 {
                if out.ends.is_empty() {
                    // A single-hash group: the first list holds the leaf too.
                    out.hashes.push(&level[index * n..(index + 1) * n]);
                }
                for sibling in first..last {
                    if sibling != index {
                        out.hashes.push(&level[sibling * n..(sibling + 1) * n]);
                    }
                }
                out.push_list();
            }
            index /= self.arity;
        }
    }
}
