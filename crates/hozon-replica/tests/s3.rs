//! S3Replica against a real SeaweedFS started on 127.0.0.1 by each test.
//! Without `weed` the tests skip with a printed reason, except under
//! HOZON_REQUIRE_S3=1 (scripts/test, CI), where they fail.

mod common;

use common::*;
use hozon_replica::{
    Ensured, Replica, ReplicaError, RetentionMode, S3Config, S3Credentials, S3Replica,
};
use hozon_testkit::{SEAWEED_ACCESS_KEY, SEAWEED_SECRET_KEY};

macro_rules! env_or_skip {
    () => {
        match s3_env() {
            Some(env) => env,
            None => return,
        }
    };
}

#[test]
fn a_bucket_without_object_lock_is_refused() {
    let env = env_or_skip!();
    let err = env.replica(UNLOCKED, "").check().unwrap_err();
    eprintln!("{err}");
    assert!(
        matches!(err, ReplicaError::LockNotEnabled { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains(UNLOCKED) && text.contains("Object Lock"),
        "{text}"
    );

    let err = env.replica("no-such-bucket", "").check().unwrap_err();
    eprintln!("{err}");
    assert!(matches!(err, ReplicaError::BucketMissing { .. }), "{err:?}");

    env.replica(LOCKED, "").check().unwrap();
}

#[test]
fn put_reads_back_digest_size_and_lock_and_a_new_put_is_a_new_version() {
    let env = env_or_skip!();
    let replica = env.replica(LOCKED, "hospital-a/archive");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("summary.xml");
    let sha = make_file(&file, 5000, 1);
    let wanted = retention(RetentionMode::Compliance);

    assert_eq!(replica.head("records/summary.xml").unwrap(), None);
    let stored = replica
        .put("records/summary.xml", &file, &sha, &wanted)
        .unwrap();
    assert_eq!(stored.size, 5000);
    let state = replica.head("records/summary.xml").unwrap().unwrap();
    assert_eq!(state.sha256, Some(sha));
    assert_eq!(state.size, 5000);
    assert_eq!(state.retention, Some(wanted));
    assert_eq!(state.version.as_deref(), Some(stored.version.as_str()));

    // The bucket key carries the prefix; list strips it.
    let listed = replica.list("").unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].key, "records/summary.xml");
    assert_eq!(
        env.versions(LOCKED, "hospital-a/archive/records/summary.xml"),
        vec![stored.version.clone()]
    );

    // New content for the key: a second version; the first stays.
    let sha2 = make_file(&file, 6000, 2);
    let second = replica
        .put("records/summary.xml", &file, &sha2, &wanted)
        .unwrap();
    assert_ne!(second.version, stored.version);
    let mut versions = env.versions(LOCKED, "hospital-a/archive/records/summary.xml");
    versions.sort();
    let mut expected = vec![stored.version.clone(), second.version.clone()];
    expected.sort();
    assert_eq!(versions, expected);
    assert_eq!(
        replica.head("records/summary.xml").unwrap().unwrap().sha256,
        Some(sha2)
    );

    // A local file that is not the one recorded is never uploaded.
    let err = replica
        .put("records/other.xml", &file, &sha, &wanted)
        .unwrap_err();
    eprintln!("{err}");
    assert!(matches!(err, ReplicaError::Mismatch { .. }), "{err:?}");
    assert_eq!(replica.head("records/other.xml").unwrap(), None);
}

#[test]
fn a_locked_version_cannot_be_deleted_overwritten_or_unlocked() {
    let env = env_or_skip!();
    let replica = env.replica(LOCKED, "");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chart.pdf");
    let sha = make_file(&file, 3000, 3);
    let wanted = retention(RetentionMode::Compliance);
    let stored = replica.put("chart.pdf", &file, &sha, &wanted).unwrap();

    env.rt.block_on(async {
        // Deleting the locked version fails, even asking to bypass governance.
        let deleted = env
            .raw
            .delete_object()
            .bucket(LOCKED)
            .key("chart.pdf")
            .version_id(&stored.version)
            .bypass_governance_retention(true)
            .send()
            .await;
        assert!(deleted.is_err(), "locked version deleted: {deleted:?}");

        // Shortening the COMPLIANCE lock fails.
        let shortened = env
            .raw
            .put_object_retention()
            .bucket(LOCKED)
            .key("chart.pdf")
            .version_id(&stored.version)
            .retention(
                aws_sdk_s3::types::ObjectLockRetention::builder()
                    .mode(aws_sdk_s3::types::ObjectLockRetentionMode::Compliance)
                    .retain_until_date(aws_sdk_s3::primitives::DateTime::from_secs(
                        time::OffsetDateTime::now_utc().unix_timestamp() + 60,
                    ))
                    .build(),
            )
            .bypass_governance_retention(true)
            .send()
            .await;
        assert!(
            shortened.is_err(),
            "COMPLIANCE lock shortened: {shortened:?}"
        );

        // An "overwrite" through the S3 API becomes a new version; the
        // locked bytes stay readable, unchanged, under their version id.
        env.raw
            .put_object()
            .bucket(LOCKED)
            .key("chart.pdf")
            .body(aws_sdk_s3::primitives::ByteStream::from_static(b"ransom"))
            .send()
            .await
            .unwrap();
        let old = env
            .raw
            .get_object()
            .bucket(LOCKED)
            .key("chart.pdf")
            .version_id(&stored.version)
            .send()
            .await
            .unwrap();
        let bytes = old.body.collect().await.unwrap().into_bytes();
        assert_eq!(bytes.as_ref(), std::fs::read(&file).unwrap().as_slice());
    });
    // hozon sees that the latest version is not its object any more...
    let state = replica.head("chart.pdf").unwrap().unwrap();
    assert_eq!(state.sha256, None);
    assert_eq!(env.versions(LOCKED, "chart.pdf").len(), 2);
    let restored = dir.path().join("restored.pdf");
    let err = replica.get("chart.pdf", &restored).unwrap_err();
    assert!(matches!(err, ReplicaError::Mismatch { .. }), "{err:?}");
    assert!(!restored.exists());
    // ...and finds and restores the locked one underneath.
    let versions = replica.versions("chart.pdf").unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].sha256, None, "newest first");
    assert_eq!(
        versions[1].version.as_deref(),
        Some(stored.version.as_str())
    );
    let found = replica
        .find("chart.pdf", &sha, Some(&wanted))
        .unwrap()
        .unwrap();
    assert_eq!(found.version.as_deref(), Some(stored.version.as_str()));
    assert_eq!(found.retention, Some(wanted));
    replica
        .get_version("chart.pdf", &stored.version, &restored)
        .unwrap();
    assert_eq!(
        std::fs::read(&restored).unwrap(),
        std::fs::read(&file).unwrap()
    );
    let longer = hozon_replica::Retention::new(
        RetentionMode::Compliance,
        wanted.retain_until + time::Duration::days(1),
    );
    assert_eq!(
        replica.find("chart.pdf", &sha, Some(&longer)).unwrap(),
        None
    );
}

#[test]
fn ensure_skips_an_identical_object_and_uploads_nothing() {
    let env = env_or_skip!();
    let replica = env.replica(LOCKED, "p");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.p7s");
    let sha = make_file(&file, 1234, 4);
    let wanted = retention(RetentionMode::Compliance);
    let first = replica.ensure("a.p7s", &file, &sha, &wanted).unwrap();
    assert!(matches!(first, Ensured::Uploaded(_)), "{first:?}");
    let second = replica.ensure("a.p7s", &file, &sha, &wanted).unwrap();
    assert!(matches!(second, Ensured::Present(_)), "{second:?}");
    // GOVERNANCE asked, COMPLIANCE held: still sufficient. (The same
    // retain-until: a fresh `retention()` may fall a second later.)
    let governance = hozon_replica::Retention::new(RetentionMode::Governance, wanted.retain_until);
    let third = replica.ensure("a.p7s", &file, &sha, &governance).unwrap();
    assert!(matches!(third, Ensured::Present(_)), "{third:?}");
    assert_eq!(env.versions(LOCKED, "p/a.p7s").len(), 1);

    // A longer retention than held: a new version, the old one untouched.
    let longer = hozon_replica::Retention::new(
        RetentionMode::Compliance,
        wanted.retain_until + time::Duration::days(1),
    );
    let fourth = replica.ensure("a.p7s", &file, &sha, &longer).unwrap();
    assert!(matches!(fourth, Ensured::Uploaded(_)), "{fourth:?}");
    assert_eq!(env.versions(LOCKED, "p/a.p7s").len(), 2);
}

#[test]
fn a_64_mib_file_goes_multipart_and_reads_back_identical() {
    let env = env_or_skip!();
    let replica = env.replica(LOCKED, "big");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scan.tiff");
    let sha = make_file(&file, 64 * 1024 * 1024, 5);
    let wanted = retention(RetentionMode::Compliance);

    // Parts whose bytes are not the recorded file: never completed.
    let wrong = hozon_replica::Sha256([0; 32]);
    let err = replica
        .put("scan.tiff", &file, &wrong, &wanted)
        .unwrap_err();
    assert!(matches!(err, ReplicaError::Mismatch { .. }), "{err:?}");
    assert_eq!(replica.head("scan.tiff").unwrap(), None);
    let pending = env.rt.block_on(async {
        env.raw
            .list_multipart_uploads()
            .bucket(LOCKED)
            .prefix("big/")
            .send()
            .await
            .unwrap()
            .uploads()
            .len()
    });
    assert_eq!(pending, 0, "the failed multipart upload was not aborted");

    let stored = replica.put("scan.tiff", &file, &sha, &wanted).unwrap();
    assert_eq!(stored.size, 64 * 1024 * 1024);

    // Multipart: the ETag of a 4-part upload ends in "-4".
    let etag = env.rt.block_on(async {
        env.raw
            .head_object()
            .bucket(LOCKED)
            .key("big/scan.tiff")
            .send()
            .await
            .unwrap()
            .e_tag()
            .map(str::to_string)
    });
    assert!(
        etag.as_deref()
            .is_some_and(|e| e.trim_matches('"').ends_with("-4")),
        "{etag:?}"
    );
    let state = replica.head("scan.tiff").unwrap().unwrap();
    assert_eq!(state.retention, Some(wanted));

    let restored = dir.path().join("restored.tiff");
    replica.get("scan.tiff", &restored).unwrap();
    assert_eq!(hozon_replica::Sha256::of_file(&restored).unwrap(), sha);
}

#[test]
fn get_restores_byte_for_byte_and_never_replaces_a_file() {
    let env = env_or_skip!();
    let replica = env.replica(LOCKED, "");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("note.txt");
    let sha = make_file(&file, 70_000, 6);
    replica
        .put(
            "notes/note.txt",
            &file,
            &sha,
            &retention(RetentionMode::Governance),
        )
        .unwrap();
    let dest = dir.path().join("restored.txt");
    let state = replica.get("notes/note.txt", &dest).unwrap();
    assert_eq!(state.sha256, Some(sha));
    assert_eq!(std::fs::read(&dest).unwrap(), std::fs::read(&file).unwrap());
    // An existing destination is not replaced, and no temporary is left.
    let err = replica.get("notes/note.txt", &dest).unwrap_err();
    assert!(matches!(err, ReplicaError::Io { .. }), "{err:?}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let err = replica
        .get("notes/missing.txt", &dir.path().join("x"))
        .unwrap_err();
    assert!(matches!(err, ReplicaError::NotFound { .. }), "{err:?}");
}

#[test]
fn wrong_credentials_and_an_unreachable_endpoint_give_clear_errors() {
    let env = env_or_skip!();
    let endpoint = env.server.endpoint();
    let wrong_key = S3Replica::new(
        env.config(LOCKED, ""),
        S3Credentials::new("no-such-key", SEAWEED_SECRET_KEY, None),
    )
    .unwrap();
    let err = wrong_key.check().unwrap_err();
    eprintln!("{err}");
    assert!(
        matches!(err, ReplicaError::CredentialsRejected { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains(&format!("credentials rejected by {endpoint}")),
        "{err}"
    );

    let wrong_secret = S3Replica::new(
        env.config(LOCKED, ""),
        S3Credentials::new(SEAWEED_ACCESS_KEY, "not-the-secret", None),
    )
    .unwrap();
    let err = wrong_secret.check().unwrap_err();
    assert!(
        matches!(err, ReplicaError::CredentialsRejected { .. }),
        "{err:?}"
    );
    // HEAD answers have no body: still reported as rejected credentials.
    let err = wrong_secret.head("anything").unwrap_err();
    eprintln!("{err}");
    assert!(
        matches!(err, ReplicaError::CredentialsRejected { .. }),
        "{err:?}"
    );
    assert!(!format!("{err:?} {err}").contains("not-the-secret"));

    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let config = S3Config {
        endpoint: url.clone(),
        ..env.config(LOCKED, "")
    };
    let unreachable = S3Replica::new(config, S3Credentials::new("a", "b", None)).unwrap();
    let err = unreachable.check().unwrap_err();
    eprintln!("{err}");
    assert!(matches!(err, ReplicaError::Unreachable { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&format!("cannot reach {url}")),
        "{err}"
    );
}

#[test]
fn a_batch_killed_with_sigkill_and_rerun_stores_every_object_exactly_once() {
    let env = env_or_skip!();
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    for i in 0..150 {
        make_file(
            &files.join(format!("record-{i:04}.xml")),
            2000 + i,
            i as u64,
        );
    }
    let until = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .unix_timestamp()
        .to_string();
    let endpoint = env.server.endpoint();
    let files_arg = files.to_str().unwrap();
    let args = [
        "s3",
        endpoint.as_str(),
        LOCKED,
        "batch",
        files_arg,
        until.as_str(),
    ];
    let envs = [
        ("AWS_ACCESS_KEY_ID", SEAWEED_ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SEAWEED_SECRET_KEY),
    ];
    let done = run_and_kill(&args, &envs, 20);
    assert!(done >= 20);
    let before = env.version_counts(LOCKED, "batch/");
    assert!(before.len() < 150, "nothing left to do after the kill");

    // The rerun: everything present afterwards, nothing stored twice.
    let replica = env.replica(LOCKED, "batch");
    let items: Vec<hozon_replica::Item> = (0..150)
        .map(|i| {
            let local = files.join(format!("record-{i:04}.xml"));
            hozon_replica::Item {
                key: format!("record-{i:04}.xml"),
                sha256: hozon_replica::Sha256::of_file(&local).unwrap(),
                local,
                retention: hozon_replica::Retention::new(
                    RetentionMode::Compliance,
                    time::OffsetDateTime::from_unix_timestamp(until.parse().unwrap()).unwrap(),
                ),
            }
        })
        .collect();
    let results = hozon_replica::ensure_all(&replica, &items, 4, &|_, _| {});
    let uploaded = results
        .iter()
        .filter(|r| matches!(r, Ok(Ensured::Uploaded(_))))
        .count();
    let present = results
        .iter()
        .filter(|r| matches!(r, Ok(Ensured::Present(_))))
        .count();
    assert_eq!(
        uploaded + present,
        150,
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(present, before.len());
    let after = env.version_counts(LOCKED, "batch/");
    assert_eq!(after.len(), 150);
    assert!(after.values().all(|&n| n == 1), "{after:?}");
    // And a second rerun does nothing.
    let again = hozon_replica::ensure_all(&replica, &items, 4, &|_, _| {});
    assert!(again.iter().all(|r| matches!(r, Ok(Ensured::Present(_)))));
    assert_eq!(replica.list("").unwrap().len(), 150);
}

#[test]
fn the_server_rejects_a_body_that_differs_from_its_sha256_header() {
    // S3Replica sends the caller's SHA-256 as x-amz-checksum-sha256 so that
    // a body changed after hashing is refused by the server itself.
    let env = env_or_skip!();
    let digest_of_other = openssl::sha::sha256(b"the recorded content");
    let answer = env.rt.block_on(async {
        env.raw
            .put_object()
            .bucket(LOCKED)
            .key("tampered")
            .body(aws_sdk_s3::primitives::ByteStream::from_static(
                b"what is really sent",
            ))
            .checksum_sha256(openssl::base64::encode_block(&digest_of_other))
            .send()
            .await
    });
    assert!(
        answer.is_err(),
        "accepted a body with a wrong SHA-256: {answer:?}"
    );
    assert_eq!(env.replica(LOCKED, "").head("tampered").unwrap(), None);
}
