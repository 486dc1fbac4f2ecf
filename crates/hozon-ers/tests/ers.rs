//! Building, renewing and structurally verifying evidence records with a
//! loopback TSA; negatives first.

use der::asn1::OctetString;
use der::Encode;
use hozon_cms::DigestAlgorithm;
use hozon_ers::asn1::EvidenceRecord;
use hozon_ers::renew::{HashTreeRenewal, TimestampRenewal};
use hozon_ers::verify::{algorithms, check_structure, DataObject};
use hozon_ers::{Error, EvidenceBatch};
use hozon_testkit::{Pki, TsaMode, TsaServer};
use hozon_tsp::{TsaClient, TsaConfig};

struct Env {
    _dir: tempfile::TempDir,
    tsa: TsaServer,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::copy_to(&dir.path().join("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    Env { _dir: dir, tsa }
}

fn stamp(env: &Env, alg: DigestAlgorithm, digest: &[u8]) -> Vec<u8> {
    let mut config = TsaConfig::new(vec![env.tsa.url()]);
    config.digest = alg;
    let client = TsaClient::new(config).unwrap();
    client.stamp_digest(digest).unwrap().token.der().to_vec()
}

/// Record `i`'s files: a document and its signature file.
fn files(i: usize) -> Vec<Vec<u8>> {
    vec![
        format!("document {i}").into_bytes(),
        format!("signature of document {i}").into_bytes(),
    ]
}

fn sha256(data: &[u8]) -> Vec<u8> {
    DigestAlgorithm::Sha256.digest(data).unwrap()
}

fn groups(n: usize) -> Vec<Vec<Vec<u8>>> {
    (0..n)
        .map(|i| files(i).iter().map(|f| sha256(f)).collect())
        .collect()
}

fn objects(er: &EvidenceRecord, files: &[Vec<u8>]) -> Vec<DataObject> {
    let algs = algorithms(er).unwrap();
    files
        .iter()
        .map(|f| DataObject::from_bytes(f, &algs).unwrap())
        .collect()
}

fn build(env: &Env, n: usize) -> Vec<EvidenceRecord> {
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups(n)).unwrap();
    let token = stamp(env, DigestAlgorithm::Sha256, batch.root());
    let stamped = batch.finish(&token).unwrap();
    (0..n)
        .map(|i| {
            let typed = stamped.record(i).unwrap();
            let der = stamped.record_der(i).unwrap();
            // The fast writer and the derive types agree byte for byte, and
            // the record decodes back.
            assert_eq!(der, typed.to_der().unwrap(), "record {i} of {n}");
            assert_eq!(EvidenceRecord::parse(&der).unwrap(), typed);
            typed
        })
        .collect()
}

#[test]
fn every_record_of_a_batch_verifies_alone_against_its_files() {
    let env = env();
    for n in [1, 2, 3, 7, 1000] {
        let records = build(&env, n);
        for (i, er) in records.iter().enumerate() {
            let files = files(i);
            let check = check_structure(er, &objects(er, &files)).unwrap();
            assert_eq!(check.tokens.len(), 1);
            assert!(check.tokens[0].renewed_at.is_none());
            // Either file alone is covered too.
            check_structure(er, &objects(er, &files[..1])).unwrap();
        }
    }
}

#[test]
fn single_document_groups_and_wider_trees_verify() {
    let env = env();
    for arity in [2, 3, 16] {
        for n in [1, 2, 5, 17] {
            let groups: Vec<Vec<Vec<u8>>> = (0..n).map(|i| vec![sha256(&files(i)[0])]).collect();
            let batch =
                EvidenceBatch::build_with_arity(DigestAlgorithm::Sha256, arity, &groups).unwrap();
            let token = stamp(&env, DigestAlgorithm::Sha256, batch.root());
            let stamped = batch.finish(&token).unwrap();
            for i in 0..n {
                let er = stamped.record(i).unwrap();
                assert_eq!(stamped.record_der(i).unwrap(), er.to_der().unwrap());
                check_structure(&er, &objects(&er, &files(i)[..1])).unwrap();
                // A file that is not in the batch is not covered. (A
                // single-hash group's first list holds its siblings too,
                // RFC 4998 §4.3, so a sibling's file is proven as well: the
                // archive builds groups of document + signature, whose first
                // list holds only their own hashes.)
                assert!(matches!(
                    check_structure(&er, &objects(&er, &files(n + 1)[..1])),
                    Err(Error::NotCovered(_))
                ));
            }
        }
    }
}

#[test]
fn an_altered_file_is_not_covered() {
    let env = env();
    let records = build(&env, 7);
    let mut files = files(3);
    files[0][0] ^= 1;
    let err = check_structure(&records[3], &objects(&records[3], &files)).unwrap_err();
    assert!(matches!(err, Error::NotCovered(_)), "{err}");
}

#[test]
fn a_record_with_another_records_files_is_not_covered() {
    let env = env();
    let records = build(&env, 7);
    let err = check_structure(&records[2], &objects(&records[2], &files(5))).unwrap_err();
    assert!(matches!(err, Error::NotCovered(_)), "{err}");
    // Even when one file is shared.
    let mut mixed = files(2);
    mixed[1] = files(5)[1].clone();
    let err = check_structure(&records[2], &objects(&records[2], &mixed)).unwrap_err();
    assert!(matches!(err, Error::NotCovered(_)), "{err}");
}

fn tree_mut(er: &mut EvidenceRecord) -> &mut Vec<Vec<OctetString>> {
    er.archive_time_stamp_sequence[0][0]
        .reduced_hashtree
        .as_mut()
        .unwrap()
}

#[test]
fn a_wrong_reduced_tree_fails() {
    let env = env();
    let records = build(&env, 7);
    let files = files(4);
    let good = &records[4];
    check_structure(good, &objects(good, &files)).unwrap();
    assert!(tree_mut(&mut good.clone()).len() >= 3);

    let expect_fail = |er: &EvidenceRecord, what: &str| {
        let r = check_structure(er, &objects(er, &files));
        assert!(
            matches!(r, Err(Error::NotCovered(_)) | Err(Error::Malformed(_))),
            "{what}: {r:?}"
        );
    };
    // A sibling replaced by another level's sibling.
    let mut swapped = good.clone();
    let t = tree_mut(&mut swapped);
    let (a, b) = (t[1][0].clone(), t[2][0].clone());
    t[1][0] = b;
    t[2][0] = a;
    expect_fail(&swapped, "swapped siblings");
    // A level removed.
    let mut removed = good.clone();
    tree_mut(&mut removed).remove(1);
    expect_fail(&removed, "removed level");
    // An extra level.
    let mut extra = good.clone();
    tree_mut(&mut extra).push(vec![OctetString::new(vec![7u8; 32]).unwrap()]);
    expect_fail(&extra, "extra level");
    // A flipped bit in a sibling.
    let mut flipped = good.clone();
    let mut v = tree_mut(&mut flipped)[2][0].as_bytes().to_vec();
    v[5] ^= 0x80;
    tree_mut(&mut flipped)[2][0] = OctetString::new(v).unwrap();
    expect_fail(&flipped, "altered sibling");
    // An empty list, and a value of the wrong length.
    let mut empty = good.clone();
    tree_mut(&mut empty)[1].clear();
    expect_fail(&empty, "empty list");
    let mut short = good.clone();
    tree_mut(&mut short)[1][0] = OctetString::new(vec![1u8; 20]).unwrap();
    assert!(check_structure(&short, &objects(&short, &files)).is_err());
    // No tree at all.
    let mut none = good.clone();
    none.archive_time_stamp_sequence[0][0].reduced_hashtree = None;
    expect_fail(&none, "no tree");
}

#[test]
fn a_token_over_another_root_is_refused_and_fails() {
    let env = env();
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups(3)).unwrap();
    let other = stamp(&env, DigestAlgorithm::Sha256, &[9u8; 32]);
    assert!(batch.clone().finish(&other).is_err());
    // A record carrying it anyway.
    let records = build(&env, 3);
    let mut er = records[1].clone();
    let foreign = EvidenceRecord::parse(
        &EvidenceBatch::build(DigestAlgorithm::Sha256, &[[[9u8; 32]]])
            .and_then(|b| b.finish(&other))
            .unwrap()
            .record_der(0)
            .unwrap(),
    )
    .unwrap();
    er.archive_time_stamp_sequence[0][0].time_stamp =
        foreign.archive_time_stamp_sequence[0][0].time_stamp.clone();
    let err = check_structure(&er, &objects(&er, &files(1))).unwrap_err();
    assert!(matches!(err, Error::NotCovered(_)), "{err}");
}

#[test]
fn hash_algorithm_mismatches_fail() {
    let env = env();
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups(3)).unwrap();
    // A SHA-512 token cannot finish a SHA-256 tree.
    let token512 = stamp(&env, DigestAlgorithm::Sha512, &[1u8; 64]);
    assert!(matches!(
        batch.finish(&token512),
        Err(Error::AlgorithmMismatch(_))
    ));
    // An ATS claiming SHA-512 over a SHA-256 token.
    let records = build(&env, 3);
    let mut er = records[0].clone();
    er.archive_time_stamp_sequence[0][0].digest_algorithm =
        Some(DigestAlgorithm::Sha512.identifier());
    er.digest_algorithms
        .push(DigestAlgorithm::Sha512.identifier());
    let algs = vec![DigestAlgorithm::Sha256, DigestAlgorithm::Sha512];
    let objs: Vec<DataObject> = files(0)
        .iter()
        .map(|f| DataObject::from_bytes(f, &algs).unwrap())
        .collect();
    assert!(matches!(
        check_structure(&er, &objs),
        Err(Error::AlgorithmMismatch(_)) | Err(Error::Malformed(_))
    ));
    // digestAlgorithms not listing the chain's algorithm.
    let mut er = records[0].clone();
    er.digest_algorithms = vec![DigestAlgorithm::Sha384.identifier()];
    assert!(matches!(
        check_structure(&er, &objects(&records[0], &files(0))),
        Err(Error::AlgorithmMismatch(_))
    ));
    // Data hashed with another algorithm than the tree's.
    let objs: Vec<DataObject> = files(0)
        .iter()
        .map(|f| DataObject::from_bytes(f, &[DigestAlgorithm::Sha512]).unwrap())
        .collect();
    assert!(check_structure(&records[0], &objs).is_err());
}

#[test]
fn truncated_or_garbage_der_is_an_error() {
    let env = env();
    let records = build(&env, 3);
    let der = records[0].to_der().unwrap();
    for cut in [0, 1, 2, 10, der.len() / 2, der.len() - 1] {
        assert!(EvidenceRecord::parse(&der[..cut]).is_err(), "cut at {cut}");
    }
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(EvidenceRecord::parse(&trailing).is_err());
    assert!(EvidenceRecord::parse(b"not an evidence record").is_err());
    assert!(EvidenceRecord::parse(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
    // Every single-byte corruption is an error or (for bytes inside hashes
    // or the token) a structure that fails to verify; never a panic.
    let files = files(0);
    for i in (0..der.len()).step_by(7) {
        let mut bad = der.clone();
        bad[i] ^= 0x5a;
        if let Ok(er) = EvidenceRecord::parse(&bad) {
            if let Ok(algs) = algorithms(&er) {
                let objs: Vec<DataObject> = files
                    .iter()
                    .map(|f| DataObject::from_bytes(f, &algs).unwrap())
                    .collect();
                let _ = check_structure(&er, &objs);
            }
        }
    }
    // Version other than 1.
    let mut v2 = records[0].clone();
    v2.version = 2;
    assert!(EvidenceRecord::parse(&v2.to_der().unwrap()).is_err());
}

#[test]
fn timestamp_renewal_appends_to_the_chain_and_verifies() {
    let env = env();
    let records = build(&env, 5);
    let other_batch = build(&env, 2);
    let renewal = TimestampRenewal::build(&records).unwrap();
    let token = stamp(&env, renewal.algorithm(), renewal.root());
    let stamped = renewal.finish(&token).unwrap();
    for (i, er) in records.iter().enumerate() {
        let renewed = stamped.renew(i, er).unwrap();
        let renewed = EvidenceRecord::parse(&renewed.to_der().unwrap()).unwrap();
        assert_eq!(renewed.archive_time_stamp_sequence.len(), 1);
        assert_eq!(renewed.archive_time_stamp_sequence[0].len(), 2);
        let check = check_structure(&renewed, &objects(&renewed, &files(i))).unwrap();
        assert_eq!(check.tokens.len(), 2);
        assert_eq!(check.tokens[0].renewed_at, Some(check.tokens[1].gen_time));
        assert_eq!(check.proven_time(), Some(check.tokens[0].gen_time));
        // Records of one batch share their leaf (one token).
        assert_eq!(
            renewed.archive_time_stamp_sequence[0][1].reduced_hashtree,
            None
        );
        // The renewal stamp names its digest algorithm explicitly, in the
        // encoding of the chain's first stamp (SHA-256, parameters
        // absent): verifiers that compare encodings accept the chain.
        let chain = &renewed.archive_time_stamp_sequence[0];
        assert_eq!(chain[1].digest_algorithm, chain[0].digest_algorithm);
        assert_eq!(
            chain[1].digest_algorithm,
            Some(DigestAlgorithm::Sha256.identifier())
        );
        // A record of another batch is refused.
        assert!(stamped.renew(i, &other_batch[0]).is_err());
        // A renewed record whose first token was swapped no longer chains.
        let mut broken = renewed.clone();
        broken.archive_time_stamp_sequence[0][0] =
            other_batch[0].archive_time_stamp_sequence[0][0].clone();
        assert!(check_structure(&broken, &objects(&broken, &files(i))).is_err());
    }
    // A second renewal of the renewed records.
    let renewed: Vec<_> = records
        .iter()
        .enumerate()
        .map(|(i, er)| stamped.renew(i, er).unwrap())
        .collect();
    // Mixed with records of another batch: two leaves, one token.
    let mut mixed = renewed.clone();
    mixed.extend(other_batch.iter().cloned());
    let both = TimestampRenewal::build(&mixed).unwrap();
    let token = stamp(&env, both.algorithm(), both.root());
    let both = both.finish(&token).unwrap();
    assert_eq!(both.len(), 7);
    let er = both.renew(1, &mixed[1]).unwrap();
    assert_eq!(
        check_structure(&er, &objects(&er, &files(1)))
            .unwrap()
            .tokens
            .len(),
        3
    );
    let er = both.renew(6, &mixed[6]).unwrap();
    assert_eq!(
        check_structure(&er, &objects(&er, &files(1)))
            .unwrap()
            .tokens
            .len(),
        2
    );
    assert!(both.renew(6, &mixed[1]).is_err());
    let again = TimestampRenewal::build(&renewed).unwrap();
    let token = stamp(&env, again.algorithm(), again.root());
    let again = again.finish(&token).unwrap();
    let er = again.renew(2, &renewed[2]).unwrap();
    assert_eq!(
        check_structure(&er, &objects(&er, &files(2)))
            .unwrap()
            .tokens
            .len(),
        3
    );
}

#[test]
fn hash_tree_renewal_sha256_to_sha512_verifies() {
    let env = env();
    let records = build(&env, 6);
    let with_hashes: Vec<(&EvidenceRecord, Vec<Vec<u8>>)> = records
        .iter()
        .enumerate()
        .map(|(i, er)| {
            let h = files(i)
                .iter()
                .map(|f| DigestAlgorithm::Sha512.digest(f).unwrap())
                .collect();
            (er, h)
        })
        .collect();
    let renewal = HashTreeRenewal::build(DigestAlgorithm::Sha512, &with_hashes).unwrap();
    assert_eq!(renewal.root().len(), 64);
    let token = stamp(&env, DigestAlgorithm::Sha512, renewal.root());
    let stamped = renewal.finish(&token).unwrap();
    for (i, er) in records.iter().enumerate() {
        let renewed = stamped.renew(i, er).unwrap();
        let renewed = EvidenceRecord::parse(&renewed.to_der().unwrap()).unwrap();
        assert_eq!(renewed.archive_time_stamp_sequence.len(), 2);
        assert_eq!(
            algorithms(&renewed).unwrap(),
            vec![DigestAlgorithm::Sha256, DigestAlgorithm::Sha512]
        );
        let check = check_structure(&renewed, &objects(&renewed, &files(i))).unwrap();
        assert_eq!(check.tokens.len(), 2);
        assert_eq!(check.tokens[1].digest, DigestAlgorithm::Sha512);
        // Altered data fails in both chains.
        let mut bad = files(i);
        bad[1].push(b'!');
        assert!(check_structure(&renewed, &objects(&renewed, &bad)).is_err());
        // The earlier chain altered after the renewal: ha no longer matches.
        let mut altered = renewed.clone();
        altered.archive_time_stamp_sequence[0][0].reduced_hashtree = records[(i + 1) % 6]
            .archive_time_stamp_sequence[0][0]
            .reduced_hashtree
            .clone();
        assert!(check_structure(&altered, &objects(&altered, &files(i))).is_err());
        // Another record is refused by renew.
        assert!(stamped.renew((i + 1) % 6, er).is_err());
    }
    // Time-stamp renewal of the new chain.
    let renewed: Vec<_> = records
        .iter()
        .enumerate()
        .map(|(i, er)| stamped.renew(i, er).unwrap())
        .collect();
    let ts = TimestampRenewal::build(&renewed).unwrap();
    assert_eq!(ts.algorithm(), DigestAlgorithm::Sha512);
    let token = stamp(&env, DigestAlgorithm::Sha512, ts.root());
    let ts = ts.finish(&token).unwrap();
    let er = ts.renew(0, &renewed[0]).unwrap();
    let check = check_structure(&er, &objects(&er, &files(0))).unwrap();
    assert_eq!(check.tokens.len(), 3);
}

#[test]
fn building_refuses_bad_input() {
    let empty: Vec<Vec<Vec<u8>>> = Vec::new();
    assert!(EvidenceBatch::build(DigestAlgorithm::Sha256, &empty).is_err());
    assert!(EvidenceBatch::build(DigestAlgorithm::Sha256, &[Vec::<Vec<u8>>::new()]).is_err());
    assert!(EvidenceBatch::build(DigestAlgorithm::Sha256, &[vec![vec![0u8; 20]]]).is_err());
    assert!(EvidenceBatch::build(DigestAlgorithm::Sha1, &[vec![vec![0u8; 20]]]).is_err());
    assert!(
        EvidenceBatch::build_with_arity(DigestAlgorithm::Sha256, 1, &[vec![vec![0u8; 32]]])
            .is_err()
    );
}

#[test]
fn a_lone_data_group_stamped_without_a_reduced_tree_verifies() {
    // RFC 4998 §4.2 step 3: a data group's hash is its members' hashes
    // sorted, concatenated and hashed; a stamp directly over it has no
    // reduced hash tree (how Bouncy Castle stamps a lone group).
    let env = env();
    let mut er = build(&env, 1).remove(0);
    let files = files(0);
    er.archive_time_stamp_sequence[0][0].reduced_hashtree = None;
    let check = check_structure(&er, &objects(&er, &files)).unwrap();
    assert_eq!(check.tokens.len(), 1);
    // One member altered: the group hash differs.
    let mut altered = files.clone();
    altered[1].push(b'!');
    assert!(matches!(
        check_structure(&er, &objects(&er, &altered)),
        Err(Error::NotCovered(_))
    ));
    // A member missing: another group hash.
    assert!(check_structure(&er, &objects(&er, &files[..1])).is_err());
}

mod validation_data {
    use super::*;
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    use der::{Any, Decode};
    use hozon_ers::validation::{
        newest_token, same_signed_token, token_has_revocation_data, with_completed_newest_token,
    };

    /// `token` with a CRL (the test root's) in its SignedData `crls`.
    fn with_crl(token: &[u8]) -> Vec<u8> {
        let crl = std::fs::read(Pki::testdata_dir().join("root-ca.crl")).unwrap();
        let crl = hozon_pki::Crl::from_der(&crl, "root-ca.crl").unwrap();
        hozon_ltv::add_validation_data(token, &[], &[std::sync::Arc::new(crl)], &[])
            .unwrap()
            .der
    }

    #[test]
    fn the_newest_token_is_completed_and_nothing_else_is_accepted() {
        let env = env();
        let records = build(&env, 3);
        let er = &records[1];
        let token = newest_token(er).unwrap();
        assert!(!token_has_revocation_data(&token).unwrap());
        let completed = with_crl(&token);
        assert!(token_has_revocation_data(&completed).unwrap());
        assert!(same_signed_token(&token, &completed).unwrap());
        let done = with_completed_newest_token(er, &completed).unwrap();
        assert_eq!(newest_token(&done).unwrap(), completed);
        // The structure still holds: the CRL is outside what is stamped.
        check_structure(&done, &objects(&done, &files(1))).unwrap();
        // Another token (another batch's) is refused.
        let other = newest_token(&build(&env, 2)[0]).unwrap();
        assert!(matches!(
            with_completed_newest_token(er, &other),
            Err(Error::Build(_))
        ));
        // The same token with a signed-part field changed is refused.
        let ci = ContentInfo::from_der(&completed).unwrap();
        let mut sd = ci.content.decode_as::<SignedData>().unwrap();
        sd.version = cms::content_info::CmsVersion::V1;
        let forged = ContentInfo {
            content_type: ci.content_type,
            content: Any::encode_from(&sd).unwrap(),
        }
        .to_der()
        .unwrap();
        assert!(!same_signed_token(&token, &forged).unwrap());
        assert!(with_completed_newest_token(er, &forged).is_err());
    }

    #[test]
    fn a_renewal_covers_the_completed_token() {
        let env = env();
        let records = build(&env, 2);
        let completed: Vec<EvidenceRecord> = records
            .iter()
            .map(|er| {
                let c = with_crl(&newest_token(er).unwrap());
                with_completed_newest_token(er, &c).unwrap()
            })
            .collect();
        let renewal = TimestampRenewal::build(&completed).unwrap();
        let token = stamp(&env, renewal.algorithm(), renewal.root());
        let stamped = renewal.finish(&token).unwrap();
        let renewed = stamped.renew(0, &completed[0]).unwrap();
        check_structure(&renewed, &objects(&renewed, &files(0))).unwrap();
        // Stripping the CRL afterwards breaks the chain: the renewal
        // covers it.
        let mut stripped = renewed.clone();
        stripped.archive_time_stamp_sequence[0][0] =
            records[0].archive_time_stamp_sequence[0][0].clone();
        assert!(check_structure(&stripped, &objects(&stripped, &files(0))).is_err());
    }
}
