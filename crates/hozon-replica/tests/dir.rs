//! DirReplica: the same contract as S3 where a directory can keep it.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;
use hozon_replica::{DirReplica, Ensured, Item, Replica, ReplicaError, RetentionMode, Sha256};

#[test]
fn check_refuses_a_missing_directory_and_accepts_a_writable_one() {
    let dir = tempfile::tempdir().unwrap();
    let err = DirReplica::new(dir.path().join("absent"))
        .check()
        .unwrap_err();
    assert!(err.to_string().contains("absent"), "{err}");
    DirReplica::new(dir.path()).check().unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "check left a file"
    );
}

#[test]
fn put_is_read_only_versioned_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let replica = DirReplica::new(dir.path().join("replica"));
    std::fs::create_dir(replica.root()).unwrap();
    let file = dir.path().join("in.xml");
    let sha = make_file(&file, 4000, 1);
    let wanted = retention(RetentionMode::Compliance);

    assert_eq!(replica.head("records/a.xml").unwrap(), None);
    let first = replica.put("records/a.xml", &file, &sha, &wanted).unwrap();
    assert_eq!(first.version, "v1");
    let state = replica.head("records/a.xml").unwrap().unwrap();
    assert_eq!(
        (state.sha256, state.size, state.retention),
        (Some(sha), 4000, Some(wanted))
    );
    let v1 = replica.version_path("records/a.xml", 1);
    assert_eq!(
        std::fs::metadata(&v1).unwrap().permissions().mode() & 0o222,
        0,
        "v1 writable"
    );
    assert_eq!(std::fs::read(&v1).unwrap(), std::fs::read(&file).unwrap());

    let sha2 = make_file(&file, 100, 2);
    let second = replica.put("records/a.xml", &file, &sha2, &wanted).unwrap();
    assert_eq!(second.version, "v2");
    assert_eq!(
        replica.version_numbers("records/a.xml").unwrap(),
        vec![1, 2]
    );
    assert_eq!(Sha256::of_file(&v1).unwrap(), sha, "v1 changed");
    assert_eq!(
        replica.head("records/a.xml").unwrap().unwrap().sha256,
        Some(sha2)
    );
    let versions = replica.versions("records/a.xml").unwrap();
    let names: Vec<_> = versions
        .iter()
        .map(|v| v.version.clone().unwrap())
        .collect();
    assert_eq!(names, vec!["v2", "v1"], "newest first");
    let found = replica
        .find("records/a.xml", &sha, Some(&wanted))
        .unwrap()
        .unwrap();
    assert_eq!(found.version.as_deref(), Some("v1"));
    let old = dir.path().join("old.xml");
    replica.get_version("records/a.xml", "v1", &old).unwrap();
    assert_eq!(Sha256::of_file(&old).unwrap(), sha);
    let err = replica
        .get_version("records/a.xml", "v9", &dir.path().join("x"))
        .unwrap_err();
    assert!(matches!(err, ReplicaError::NotFound { .. }), "{err:?}");

    let listed = replica.list("").unwrap();
    assert_eq!(
        listed.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(),
        vec!["records/a.xml"]
    );
    assert!(replica.list("other/").unwrap().is_empty());

    // The wrong local file is refused and leaves nothing behind.
    let err = replica
        .put("records/b.xml", &file, &sha, &wanted)
        .unwrap_err();
    assert!(matches!(err, ReplicaError::Mismatch { .. }), "{err:?}");
    assert_eq!(replica.head("records/b.xml").unwrap(), None);
    let leftovers: Vec<_> = std::fs::read_dir(replica.root().join("records"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(leftovers.len(), 4, "{leftovers:?}");
}

#[test]
fn ensure_skips_identical_and_get_detects_an_altered_copy() {
    let dir = tempfile::tempdir().unwrap();
    let replica = DirReplica::new(dir.path().join("replica"));
    std::fs::create_dir(replica.root()).unwrap();
    let file = dir.path().join("in.bin");
    let sha = make_file(&file, 300_000, 3);
    let wanted = retention(RetentionMode::Governance);
    assert!(matches!(
        replica.ensure("k/in.bin", &file, &sha, &wanted).unwrap(),
        Ensured::Uploaded(_)
    ));
    assert!(matches!(
        replica.ensure("k/in.bin", &file, &sha, &wanted).unwrap(),
        Ensured::Present(_)
    ));
    // GOVERNANCE held does not satisfy COMPLIANCE asked: a new version.
    let stricter = hozon_replica::Retention::new(RetentionMode::Compliance, wanted.retain_until);
    assert!(matches!(
        replica.ensure("k/in.bin", &file, &sha, &stricter).unwrap(),
        Ensured::Uploaded(_)
    ));
    assert_eq!(replica.version_numbers("k/in.bin").unwrap(), vec![1, 2]);

    let restored = dir.path().join("out.bin");
    replica.get("k/in.bin", &restored).unwrap();
    assert_eq!(
        std::fs::read(&restored).unwrap(),
        std::fs::read(&file).unwrap()
    );
    assert!(
        replica.get("k/in.bin", &restored).is_err(),
        "replaced an existing file"
    );

    // Someone with write access alters the replica copy: get refuses it.
    let v2 = replica.version_path("k/in.bin", 2);
    std::fs::set_permissions(&v2, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut bytes = std::fs::read(&v2).unwrap();
    bytes[1000] ^= 1;
    std::fs::write(&v2, &bytes).unwrap();
    let err = replica
        .get("k/in.bin", &dir.path().join("again.bin"))
        .unwrap_err();
    assert!(matches!(err, ReplicaError::Mismatch { .. }), "{err:?}");
    assert!(!dir.path().join("again.bin").exists());
    // and ensure uploads a good version again.
    assert!(matches!(
        replica.ensure("k/in.bin", &file, &sha, &stricter).unwrap(),
        Ensured::Uploaded(_)
    ));
}

#[test]
fn a_batch_killed_with_sigkill_and_rerun_stores_every_file_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    for i in 0..300 {
        make_file(
            &files.join(format!("record-{i:04}.xml")),
            5000 + i,
            i as u64,
        );
    }
    let root = dir.path().join("replica");
    std::fs::create_dir(&root).unwrap();
    let until_at = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let until = until_at.unix_timestamp().to_string();
    let args = [
        "dir",
        root.to_str().unwrap(),
        files.to_str().unwrap(),
        until.as_str(),
    ];
    run_and_kill(&args, &[], 30);

    let replica = DirReplica::new(&root);
    let before = replica.list("").unwrap().len();
    assert!(before < 300, "nothing left to do after the kill");
    let items: Vec<Item> = (0..300)
        .map(|i| {
            let local = files.join(format!("record-{i:04}.xml"));
            Item {
                key: format!("record-{i:04}.xml"),
                sha256: Sha256::of_file(&local).unwrap(),
                local,
                retention: hozon_replica::Retention::new(RetentionMode::Compliance, until_at),
            }
        })
        .collect();
    let results = hozon_replica::ensure_all(&replica, &items, 4, &|_, _| {});
    assert!(
        results.iter().all(|r| r.is_ok()),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    for item in &items {
        assert_eq!(
            replica.version_numbers(&item.key).unwrap(),
            vec![1],
            "{}",
            item.key
        );
    }
    assert_eq!(replica.list("").unwrap().len(), 300);
    // No temporaries of the killed process survive a cleanup.
    hozon_io::remove_stale_temporaries(&root).unwrap();
    let names = std::fs::read_dir(&root).unwrap().count();
    assert_eq!(names, 600, "content + sidecar per record");
}
