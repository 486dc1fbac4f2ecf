//! S3Replica against a scripted fake S3 server on 127.0.0.1: the answers
//! of servers that do not really lock (no Object Lock support, lock
//! disabled, lock headers ignored as Ceph RGW does on multipart uploads, no
//! versioning). Real servers that enforce Object Lock never give them, so
//! they are made here; each must be an error, never a success.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use hozon_replica::{
    Replica, ReplicaError, Retention, RetentionMode, S3Config, S3Credentials, S3Replica, Sha256,
};

/// One canned answer: status line, extra headers, body.
#[derive(Clone)]
struct Answer {
    status: &'static str,
    headers: Vec<(String, String)>,
    body: String,
}

fn answer(status: &'static str, headers: &[(&str, &str)], body: &str) -> Answer {
    Answer {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_string(),
    }
}

/// Serves `route(method, target)` answers (to HEAD: the headers, with the
/// body's length as Content-Length); records the requests.
fn serve(
    route: impl Fn(&str, &str) -> Answer + Send + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let mut parts = request_line.split_whitespace();
            let method = parts.next().unwrap_or("").to_string();
            let target = parts.next().unwrap_or("").to_string();
            log.lock().unwrap().push(format!("{method} {target}"));
            let a = route(&method, &target);
            let mut response = format!(
                "HTTP/1.1 {}\r\nConnection: close\r\nContent-Length: {}\r\n",
                a.status,
                a.body.len()
            );
            for (k, v) in &a.headers {
                response.push_str(&format!("{k}: {v}\r\n"));
            }
            response.push_str("\r\n");
            if method != "HEAD" {
                response.push_str(&a.body);
            }
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (endpoint, seen)
}

fn replica(endpoint: &str) -> S3Replica {
    S3Replica::new(
        S3Config {
            endpoint: endpoint.into(),
            region: "us-east-1".into(),
            bucket: "b".into(),
            prefix: String::new(),
            path_style: true,
        },
        S3Credentials::new("id", "secret", None),
    )
    .unwrap()
}

const LOCK_ENABLED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>";

fn error_xml(code: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>scripted</Message></Error>")
}

#[test]
fn a_server_without_object_lock_support_is_refused() {
    for status in ["501 Not Implemented", "405 Method Not Allowed"] {
        let body = error_xml(if status.starts_with("501") {
            "NotImplemented"
        } else {
            "MethodNotAllowed"
        });
        let (endpoint, _) =
            serve(move |_, _| answer(status, &[("Content-Type", "application/xml")], &body));
        let err = replica(&endpoint).check().unwrap_err();
        eprintln!("{err}");
        assert!(
            matches!(err, ReplicaError::LockNotEnabled { .. }),
            "{status}: {err:?}"
        );
        assert!(
            err.to_string().contains("does not support Object Lock"),
            "{err}"
        );
    }
}

#[test]
fn a_configuration_without_enabled_is_refused() {
    for body in [
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></ObjectLockConfiguration>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>",
    ] {
        let (endpoint, _) = serve(move |_, _| answer("200 OK", &[("Content-Type", "application/xml")], body));
        let err = replica(&endpoint).check().unwrap_err();
        assert!(matches!(err, ReplicaError::LockNotEnabled { .. }), "{err:?}");
    }
    let (endpoint, _) = serve(|_, _| {
        answer(
            "200 OK",
            &[("Content-Type", "application/xml")],
            LOCK_ENABLED,
        )
    });
    replica(&endpoint).check().unwrap();
}

/// A server that stores the object but reads it back with `lock` headers.
fn put_and_read_back(
    lock: &'static [(&'static str, &'static str)],
    version: bool,
) -> Result<hozon_replica::StoredObject, ReplicaError> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.xml");
    std::fs::write(&file, b"record").unwrap();
    let sha = Sha256::of_file(&file).unwrap();
    let hex = sha.to_hex();
    let (endpoint, seen) = serve(move |method, _| {
        let mut headers = vec![("ETag", "\"e\"")];
        if version {
            headers.push(("x-amz-version-id", "v1"));
        }
        match method {
            "PUT" => answer("200 OK", &headers, ""),
            _ => {
                // HEAD: Content-Length is the object's; no body is sent.
                let mut a = answer("200 OK", &headers, "record");
                a.headers
                    .push(("x-amz-meta-hozon-sha256".into(), hex.clone()));
                for (k, v) in lock {
                    a.headers.push((k.to_string(), v.to_string()));
                }
                a
            }
        }
    });
    let wanted = Retention::new(
        RetentionMode::Compliance,
        time::macros::datetime!(2045-01-01 0:00 UTC),
    );
    let result = replica(&endpoint).put("a.xml", &file, &sha, &wanted);
    let requests = seen.lock().unwrap().clone();
    assert!(
        requests.iter().any(|r| r.starts_with("PUT ")),
        "{requests:?}"
    );
    // Never anything that could remove or change a lock.
    assert!(
        requests.iter().all(
            |r| (r.starts_with("PUT /b/a.xml") && !r.contains("retention"))
                || r.starts_with("HEAD ")
        ),
        "{requests:?}"
    );
    result
}

#[test]
fn lock_headers_the_server_ignored_fail_the_put() {
    // Ceph RGW on multipart: no lock at all.
    let err = put_and_read_back(&[], true).unwrap_err();
    eprintln!("{err}");
    assert!(
        matches!(err, ReplicaError::RetentionMismatch { .. }),
        "{err:?}"
    );
    // The bucket's default instead of what was asked.
    let err = put_and_read_back(
        &[
            ("x-amz-object-lock-mode", "GOVERNANCE"),
            (
                "x-amz-object-lock-retain-until-date",
                "2045-01-01T00:00:00Z",
            ),
        ],
        true,
    )
    .unwrap_err();
    assert!(
        matches!(err, ReplicaError::RetentionMismatch { .. }),
        "{err:?}"
    );
    let err = put_and_read_back(
        &[
            ("x-amz-object-lock-mode", "COMPLIANCE"),
            (
                "x-amz-object-lock-retain-until-date",
                "2030-01-01T00:00:00Z",
            ),
        ],
        true,
    )
    .unwrap_err();
    assert!(
        matches!(err, ReplicaError::RetentionMismatch { .. }),
        "{err:?}"
    );
}

#[test]
fn the_scripted_server_accepts_a_put_whose_lock_reads_back_exactly() {
    // The control case: the failures above are the lock's, not the fake's.
    let stored = put_and_read_back(
        &[
            ("x-amz-object-lock-mode", "COMPLIANCE"),
            (
                "x-amz-object-lock-retain-until-date",
                "2045-01-01T00:00:00Z",
            ),
        ],
        true,
    )
    .unwrap();
    assert_eq!((stored.version.as_str(), stored.size), ("v1", 6));
}

#[test]
fn an_unversioned_answer_fails_the_put() {
    let err = put_and_read_back(
        &[
            ("x-amz-object-lock-mode", "COMPLIANCE"),
            (
                "x-amz-object-lock-retain-until-date",
                "2045-01-01T00:00:00Z",
            ),
        ],
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("not versioned"), "{err}");
}

#[test]
fn list_follows_continuation_tokens_and_reads_each_latest_version() {
    let page = |keys: &[&str], next: Option<&str>| {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix>p/</Prefix>");
        for key in keys {
            xml.push_str(&format!(
                "<Contents><Key>p/{key}</Key><Size>6</Size></Contents>"
            ));
        }
        match next {
            Some(token) => xml.push_str(&format!(
                "<IsTruncated>true</IsTruncated><NextContinuationToken>{token}</NextContinuationToken>"
            )),
            None => xml.push_str("<IsTruncated>false</IsTruncated>"),
        }
        xml.push_str("</ListBucketResult>");
        xml
    };
    let first = page(&["a", "b"], Some("t2"));
    let second = page(&["c/d"], None);
    let (endpoint, seen) = serve(move |method, target| {
        if method == "GET" && target.contains("continuation-token=t2") {
            answer("200 OK", &[("Content-Type", "application/xml")], &second)
        } else if method == "GET" {
            answer("200 OK", &[("Content-Type", "application/xml")], &first)
        } else {
            answer(
                "200 OK",
                &[
                    ("x-amz-version-id", "v1"),
                    ("x-amz-meta-hozon-sha256", &"ab".repeat(32)),
                    ("x-amz-object-lock-mode", "COMPLIANCE"),
                    (
                        "x-amz-object-lock-retain-until-date",
                        "2045-01-01T00:00:00Z",
                    ),
                ],
                "record",
            )
        }
    });
    let replica = S3Replica::new(
        S3Config {
            endpoint,
            region: "us-east-1".into(),
            bucket: "b".into(),
            prefix: "p".into(),
            path_style: true,
        },
        S3Credentials::new("id", "secret", None),
    )
    .unwrap();
    let listed = replica.list("").unwrap();
    let keys: Vec<&str> = listed.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, vec!["a", "b", "c/d"]);
    assert!(listed
        .iter()
        .all(|s| s.sha256 == Some(Sha256([0xab; 32])) && s.size == 6));
    assert!(listed.iter().all(|s| s
        .retention
        .is_some_and(|r| r.mode == RetentionMode::Compliance)));
    let requests = seen.lock().unwrap().clone();
    assert_eq!(
        requests.iter().filter(|r| r.starts_with("GET ")).count(),
        2,
        "{requests:?}"
    );
    assert!(
        requests.iter().any(|r| r.starts_with("HEAD /b/p/c/d")),
        "{requests:?}"
    );
}
