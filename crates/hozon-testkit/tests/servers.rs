//! The servers against OpenSSL's own clients and a minimal std-only HTTP
//! client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use hozon_testkit::{unreachable_url, CrlServer, OcspServer, Pki, TsaMode, TsaServer};

/// An HTTP response as the minimal client saw it.
#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// `host:port` and path of an `http://` URL.
fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("http URL");
    match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), "/".to_string()),
    }
}

/// Sends raw bytes and reads the whole answer (the request asks the server
/// to close the connection).
fn exchange(host: &str, raw: &[u8]) -> std::io::Result<Resp> {
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    stream.write_all(raw)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8(answer[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = answer[split + 4..].to_vec();
    if let Some((_, len)) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
    {
        body.truncate(len.parse().unwrap());
    }
    Ok(Resp {
        status,
        headers,
        body,
    })
}

fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Resp> {
    let (host, path) = split_url(url);
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    if method == "POST" {
        raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    exchange(&host, &raw)
}

fn post(url: &str, content_type: &str, body: &[u8]) -> Resp {
    request("POST", url, &[("Content-Type", content_type)], body).unwrap()
}

fn get(url: &str) -> Resp {
    request("GET", url, &[], b"").unwrap()
}

fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl")
}

fn openssl_ok(dir: &Path, args: &[&str]) -> String {
    let out = openssl(dir, args);
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A copy of the test PKI plus a data file and a time-stamp query over it.
struct Fixture {
    tmp: tempfile::TempDir,
    pki: Pki,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let pki = Pki::copy_to(&tmp.path().join("pki")).unwrap();
        std::fs::write(tmp.path().join("data.txt"), "退院時サマリー\n").unwrap();
        Fixture { tmp, pki }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    /// `openssl ts -query -data data.txt -sha256 -cert` (with a nonce
    /// unless `no_nonce`), written to `name`.
    fn query(&self, name: &str, no_nonce: bool) -> Vec<u8> {
        let mut args = vec![
            "ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", name,
        ];
        if no_nonce {
            args.push("-no_nonce");
        }
        openssl_ok(self.dir(), &args);
        std::fs::read(self.dir().join(name)).unwrap()
    }

    fn stamp(&self, tsa: &TsaServer, query: &[u8], reply: &str) -> Resp {
        let resp = post(&tsa.url(), "application/timestamp-query", query);
        std::fs::write(self.dir().join(reply), &resp.body).unwrap();
        resp
    }

    fn reply_text(&self, reply: &str) -> String {
        openssl_ok(self.dir(), &["ts", "-reply", "-in", reply, "-text"])
    }

    fn query_text(&self, query: &str) -> String {
        openssl_ok(self.dir(), &["ts", "-query", "-in", query, "-text"])
    }

    fn verify(&self, reply: &str) -> Output {
        let root = self.pki.path("root-ca.crt");
        openssl(
            self.dir(),
            &[
                "ts",
                "-verify",
                "-data",
                "data.txt",
                "-in",
                reply,
                "-CAfile",
                root.to_str().unwrap(),
            ],
        )
    }
}

/// The value after `label` in `openssl … -text` output (one line), or
/// the hex dump lines that follow it for "Message data:".
fn field(text: &str, label: &str) -> String {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.trim().strip_prefix(label) {
            if rest.trim().is_empty() {
                return lines
                    .take_while(|l| l.starts_with("    "))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            return rest.trim().to_string();
        }
    }
    panic!("{label} not in:\n{text}");
}

#[test]
fn tsa_normal_reply_verifies_with_openssl() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::Normal).unwrap();
    assert!(tsa.url().starts_with("http://127.0.0.1:"));
    assert!(tsa.url().ends_with("/tsa"));
    assert_eq!(tsa.requests(), 0);
    assert_eq!(tsa.cpu_time(), Duration::ZERO);

    let query = f.query("q.tsq", false);
    let resp = f.stamp(&tsa, &query, "r.tsr");
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("Content-Type"),
        Some("application/timestamp-reply")
    );
    let out = f.verify("r.tsr");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verification: OK"));
    openssl_ok(
        f.dir(),
        &[
            "ts",
            "-verify",
            "-queryfile",
            "q.tsq",
            "-in",
            "r.tsr",
            "-CAfile",
            "pki/root-ca.crt",
        ],
    );

    let text = f.reply_text("r.tsr");
    assert!(text.contains("Status: Granted."), "{text}");
    assert_eq!(field(&text, "Policy OID:"), hozon_testkit::TSA_POLICY_OID);
    assert_eq!(
        field(&text, "Nonce:"),
        field(&f.query_text("q.tsq"), "Nonce:")
    );
    assert!(
        text.contains("TSA: DirName:/C=JP/O=hozon Test TSA/CN=hozon Test TSA"),
        "{text}"
    );

    // ESS signing-certificate-v2 in the token.
    openssl_ok(
        f.dir(),
        &[
            "ts",
            "-reply",
            "-in",
            "r.tsr",
            "-token_out",
            "-out",
            "tok.der",
        ],
    );
    let cms = openssl_ok(
        f.dir(),
        &[
            "cms", "-cmsout", "-print", "-inform", "DER", "-in", "tok.der",
        ],
    );
    assert!(cms.contains("id-smime-aa-signingCertificateV2"), "{cms}");

    assert_eq!(tsa.requests(), 1);
    assert!(tsa.cpu_time() > Duration::ZERO);
}

#[test]
fn tsa_parallel_requests_get_distinct_serials() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::Normal).unwrap();
    let query = f.query("q.tsq", false);
    let replies: Vec<Resp> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| post(&tsa.url(), "application/timestamp-query", &query)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut serials = Vec::new();
    for (i, resp) in replies.iter().enumerate() {
        assert_eq!(resp.status, 200);
        let name = format!("r{i}.tsr");
        std::fs::write(f.dir().join(&name), &resp.body).unwrap();
        assert!(f.verify(&name).status.success());
        serials.push(field(&f.reply_text(&name), "Serial number:"));
    }
    serials.sort();
    serials.dedup();
    assert_eq!(serials.len(), 8, "{serials:?}");
    assert_eq!(tsa.requests(), 8);
}

#[test]
fn tsa_http_errors_and_counting() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::Normal).unwrap();
    let query = f.query("q.tsq", false);
    let base = tsa.url().trim_end_matches("/tsa").to_string();

    assert_eq!(
        post(
            &format!("{base}/other"),
            "application/timestamp-query",
            &query
        )
        .status,
        404
    );
    assert_eq!(get(&tsa.url()).status, 405);
    assert_eq!(post(&tsa.url(), "text/plain", &query).status, 415);
    assert_eq!(
        post(&tsa.url(), "application/timestamp-query", b"").status,
        400
    );
    let big = vec![0x30; hozon_testkit::MAX_BODY + 1];
    assert_eq!(
        post(&tsa.url(), "application/timestamp-query", &big).status,
        413
    );
    // Not HTTP at all: the server answers 400 and nothing is counted.
    let (host, _) = split_url(&tsa.url());
    let resp = exchange(&host, b"NONSENSE\r\n\r\n").unwrap();
    assert_eq!(resp.status, 400);
    // A body that is no TimeStampReq: OpenSSL's own answer, a rejection
    // with badDataFormat.
    let resp = f.stamp(&tsa, b"\x30\x03\x02\x01\x01", "bad.tsr");
    assert_eq!(resp.status, 200);
    let text = f.reply_text("bad.tsr");
    assert!(text.contains("Status: Rejected."), "{text}");
    assert!(text.contains("wrong format"), "{text}");
    // Parameters in the Content-Type are accepted; the server still works.
    let resp = post(
        &tsa.url(),
        "Application/Timestamp-Query; charset=binary",
        &query,
    );
    assert_eq!(resp.status, 200);
    assert_eq!(tsa.requests(), 7);
}

#[test]
fn tsa_fail_first_then_normal_and_set_mode() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::FailFirst(2)).unwrap();
    let query = f.query("q.tsq", false);
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 500);
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 500);
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 200);
    assert!(f.verify("r.tsr").status.success());
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 200);

    tsa.set_mode(TsaMode::Status500Always);
    for _ in 0..3 {
        assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 500);
    }
    tsa.set_mode(TsaMode::FailFirst(1));
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 500);
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 200);
    tsa.set_mode(TsaMode::Normal);
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 200);
    assert_eq!(tsa.requests(), 10);
}

#[test]
fn tsa_garbage() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::Garbage).unwrap();
    let query = f.query("q.tsq", false);
    let resp = f.stamp(&tsa, &query, "g.tsr");
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("Content-Type"),
        Some("application/timestamp-reply")
    );
    assert_eq!(resp.body.len(), 128);
    assert_ne!(resp.body[0], 0x30);
    assert!(
        !openssl(f.dir(), &["ts", "-reply", "-in", "g.tsr", "-text"])
            .status
            .success()
    );
    let again = f.stamp(&tsa, &query, "g2.tsr");
    assert_ne!(again.body, resp.body);
}

#[test]
fn tsa_other_imprint() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::OtherImprint).unwrap();
    let query = f.query("q.tsq", false);
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 200);
    let reply = f.reply_text("r.tsr");
    let asked = f.query_text("q.tsq");
    assert!(reply.contains("Status: Granted."), "{reply}");
    assert_ne!(
        field(&reply, "Message data:"),
        field(&asked, "Message data:")
    );
    assert_eq!(field(&reply, "Nonce:"), field(&asked, "Nonce:"));
    // A genuine token, but for other data.
    assert!(!f.verify("r.tsr").status.success());
    let root = f.pki.path("root-ca.crt");
    let out = openssl(
        f.dir(),
        &[
            "ts",
            "-verify",
            "-queryfile",
            "q.tsq",
            "-in",
            "r.tsr",
            "-CAfile",
            root.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("message imprint mismatch"));
}

#[test]
fn tsa_wrong_nonce() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::WrongNonce).unwrap();
    let query = f.query("q.tsq", false);
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 200);
    let reply = f.reply_text("r.tsr");
    let asked = f.query_text("q.tsq");
    assert_ne!(field(&reply, "Nonce:"), field(&asked, "Nonce:"));
    assert_eq!(
        field(&reply, "Message data:"),
        field(&asked, "Message data:")
    );
    // The token itself is fine for the data; only the nonce is wrong.
    assert!(f.verify("r.tsr").status.success());
    let out = openssl(
        f.dir(),
        &[
            "ts",
            "-verify",
            "-queryfile",
            "q.tsq",
            "-in",
            "r.tsr",
            "-CAfile",
            "pki/root-ca.crt",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nonce mismatch"));

    // A query without a nonce gets a reply with one.
    let query = f.query("qn.tsq", true);
    assert!(field(&f.query_text("qn.tsq"), "Nonce:").contains("unspecified"));
    assert_eq!(f.stamp(&tsa, &query, "rn.tsr").status, 200);
    let nonce = field(&f.reply_text("rn.tsr"), "Nonce:");
    assert!(nonce.starts_with("0x"), "{nonce}");
}

#[test]
fn tsa_rejection() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::Rejection).unwrap();
    let query = f.query("q.tsq", false);
    let resp = f.stamp(&tsa, &query, "r.tsr");
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("Content-Type"),
        Some("application/timestamp-reply")
    );
    let text = f.reply_text("r.tsr");
    assert!(text.contains("Status: Rejected."), "{text}");
    assert!(
        text.contains("unrecognized or unsupported algorithm identifier"),
        "{text}"
    );
    assert!(text.contains("TST info:\nNot included."), "{text}");
}

#[test]
fn tsa_non_tsa_signer() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::NonTsaSigner).unwrap();
    let query = f.query("q.tsq", false);
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 200);
    let text = f.reply_text("r.tsr");
    assert!(text.contains("Status: Granted."), "{text}");
    assert_eq!(
        field(&text, "Nonce:"),
        field(&f.query_text("q.tsq"), "Nonce:")
    );
    let out = f.verify("r.tsr");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unsuitable certificate purpose"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Signed by tsa-noeku, with ESS signing-certificate-v2.
    openssl_ok(
        f.dir(),
        &[
            "ts",
            "-reply",
            "-in",
            "r.tsr",
            "-token_out",
            "-out",
            "tok.der",
        ],
    );
    let cms = openssl_ok(
        f.dir(),
        &[
            "cms", "-cmsout", "-print", "-inform", "DER", "-in", "tok.der",
        ],
    );
    assert!(cms.contains("hozon Test TSA without EKU"), "{cms}");
    assert!(cms.contains("id-smime-aa-signingCertificateV2"), "{cms}");
    assert!(tsa.cpu_time() > Duration::ZERO);
}

#[test]
fn tsa_basic_auth() {
    let f = Fixture::new();
    let mode = TsaMode::RequireBasicAuth {
        user: "hozon".into(),
        password: "s3cret".into(),
    };
    let tsa = TsaServer::start(&f.pki, mode).unwrap();
    let query = f.query("q.tsq", false);
    let resp = f.stamp(&tsa, &query, "r.tsr");
    assert_eq!(resp.status, 401);
    assert!(resp
        .header("WWW-Authenticate")
        .unwrap()
        .starts_with("Basic "));
    let ct = ("Content-Type", "application/timestamp-query");
    // base64("hozon:wrong") and base64("hozon:s3cret").
    let wrong = request(
        "POST",
        &tsa.url(),
        &[ct, ("Authorization", "Basic aG96b246d3Jvbmc=")],
        &query,
    );
    assert_eq!(wrong.unwrap().status, 401);
    let right = request(
        "POST",
        &tsa.url(),
        &[ct, ("Authorization", "basic aG96b246czNjcmV0")],
        &query,
    );
    let right = right.unwrap();
    assert_eq!(right.status, 200);
    std::fs::write(f.dir().join("r.tsr"), &right.body).unwrap();
    assert!(f.verify("r.tsr").status.success());
    assert_eq!(tsa.requests(), 3);
}

#[test]
fn tsa_delay_and_drop_during_delay() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::Delay(Duration::from_millis(300))).unwrap();
    let query = f.query("q.tsq", false);
    let start = Instant::now();
    assert_eq!(f.stamp(&tsa, &query, "r.tsr").status, 200);
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert!(f.verify("r.tsr").status.success());

    // Dropping the server does not wait out a long delay.
    tsa.set_mode(TsaMode::Delay(Duration::from_secs(60)));
    let url = tsa.url();
    let client = std::thread::spawn(move || {
        request(
            "POST",
            &url,
            &[("Content-Type", "application/timestamp-query")],
            &query,
        )
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while tsa.requests() < 2 {
        assert!(
            Instant::now() < deadline,
            "the delayed request never arrived"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let start = Instant::now();
    drop(tsa);
    assert!(start.elapsed() < Duration::from_secs(2));
    if let Ok(resp) = client.join().unwrap() {
        assert_eq!(resp.status, 503);
    }
}

#[test]
fn ocsp_revoked_and_good_with_openssl_client() {
    let f = Fixture::new();
    let ocsp = OcspServer::start(&f.pki).unwrap();
    assert!(ocsp.url().starts_with("http://127.0.0.1:"));
    let ask = |cert: &str| {
        openssl_ok(
            f.dir(),
            &[
                "ocsp",
                "-issuer",
                "pki/signing-ca.crt",
                "-cert",
                cert,
                "-url",
                &ocsp.url(),
                "-resp_text",
                "-CAfile",
                "pki/root-ca.crt",
            ],
        )
    };
    let revoked = ask("pki/signer-revoked.crt");
    assert!(
        revoked.contains("pki/signer-revoked.crt: revoked"),
        "{revoked}"
    );
    assert!(revoked.contains("Reason: keyCompromise"), "{revoked}");
    assert!(revoked.contains("Next Update:"), "{revoked}");
    let good = ask("pki/signer-doctor.crt");
    assert!(good.contains("pki/signer-doctor.crt: good"), "{good}");
    let good = ask("pki/ocsp.crt");
    assert!(good.contains("pki/ocsp.crt: good"), "{good}");
    assert_eq!(ocsp.requests(), 3);
}

#[test]
fn ocsp_get_malformed_and_http_errors() {
    let f = Fixture::new();
    let ocsp = OcspServer::start(&f.pki).unwrap();
    openssl_ok(
        f.dir(),
        &[
            "ocsp",
            "-issuer",
            "pki/signing-ca.crt",
            "-cert",
            "pki/signer-ec.crt",
            "-no_nonce",
            "-reqout",
            "req.der",
        ],
    );
    let der = std::fs::read(f.dir().join("req.der")).unwrap();
    // RFC 6960 A.1 GET, base64 URL-encoded by hand.
    let b64 = openssl_ok(f.dir(), &["base64", "-A", "-in", "req.der"]);
    let encoded = b64
        .trim()
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let resp = get(&format!("{}{encoded}", ocsp.url()));
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("Content-Type"),
        Some("application/ocsp-response")
    );
    std::fs::write(f.dir().join("resp.der"), &resp.body).unwrap();
    let text = openssl_ok(
        f.dir(),
        &[
            "ocsp",
            "-respin",
            "resp.der",
            "-issuer",
            "pki/signing-ca.crt",
            "-cert",
            "pki/signer-ec.crt",
            "-CAfile",
            "pki/root-ca.crt",
            "-no_nonce",
        ],
    );
    assert!(text.contains("pki/signer-ec.crt: good"), "{text}");

    let resp = post(&ocsp.url(), "application/ocsp-request", &der);
    assert_eq!(resp.status, 200);
    let resp = post(&ocsp.url(), "application/ocsp-request", b"\x30\x00");
    assert_eq!(
        (resp.status, resp.body.as_slice()),
        (200, &[0x30, 0x03, 0x0a, 0x01, 0x01][..])
    );
    assert_eq!(post(&ocsp.url(), "text/plain", &der).status, 415);
    assert_eq!(request("PUT", &ocsp.url(), &[], b"").unwrap().status, 405);
    assert_eq!(ocsp.requests(), 5);
}

#[test]
fn crl_server_serves_exact_bytes() {
    let f = Fixture::new();
    let crl = CrlServer::start(&f.pki).unwrap();
    assert!(crl.url().starts_with("http://127.0.0.1:"));
    assert!(!crl.url().ends_with('/'));
    for name in ["signing-ca.crl", "root-ca.crl"] {
        let resp = get(&format!("{}/crl/{name}", crl.url()));
        assert_eq!(resp.status, 200);
        assert_eq!(resp.header("Content-Type"), Some("application/pkix-crl"));
        assert_eq!(resp.body, std::fs::read(f.pki.path(name)).unwrap());
    }
    let resp = get(&format!("{}/certs/signing-ca.crt", crl.url()));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("Content-Type"), Some("application/pkix-cert"));
    openssl_ok(
        f.dir(),
        &[
            "x509",
            "-in",
            "pki/signing-ca.crt",
            "-outform",
            "DER",
            "-out",
            "ca.der",
        ],
    );
    assert_eq!(resp.body, std::fs::read(f.dir().join("ca.der")).unwrap());

    for path in [
        "/crl/nothing.crl",
        "/crl/../pki/signing-ca.crl",
        "/crl/signing-ca.crl.pem",
        "/",
        "/certs/x.crt",
    ] {
        assert_eq!(get(&format!("{}{path}", crl.url())).status, 404, "{path}");
    }
    let post_resp = post(
        &format!("{}/crl/signing-ca.crl", crl.url()),
        "application/pkix-crl",
        b"x",
    );
    assert_eq!(post_resp.status, 405);
    assert_eq!(crl.requests(), 9);
}

fn port_of(url: &str) -> u16 {
    let (host, _) = split_url(url);
    host.rsplit(':').next().unwrap().parse().unwrap()
}

fn assert_refused(port: u16) {
    let err = TcpStream::connect(("127.0.0.1", port)).expect_err("nothing should listen");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[test]
fn dropping_servers_frees_their_ports() {
    let f = Fixture::new();
    let tsa = TsaServer::start(&f.pki, TsaMode::Normal).unwrap();
    let ocsp = OcspServer::start(&f.pki).unwrap();
    let crl = CrlServer::start(&f.pki).unwrap();
    let ports = [
        port_of(&tsa.url()),
        port_of(&ocsp.url()),
        port_of(&crl.url()),
    ];
    for port in ports {
        TcpStream::connect(("127.0.0.1", port)).unwrap();
    }
    // An open keep-alive connection must not keep the port listening.
    let _idle = TcpStream::connect(("127.0.0.1", ports[0])).unwrap();
    drop(tsa);
    drop(ocsp);
    drop(crl);
    for port in ports {
        assert_refused(port);
    }
}

#[test]
fn unreachable_url_refuses() {
    let url = unreachable_url();
    assert!(url.starts_with("http://127.0.0.1:"));
    assert_refused(port_of(&url));
}

#[test]
fn missing_pki_files_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = Pki {
        dir: tmp.path().to_path_buf(),
    };
    let err = TsaServer::start(&pki, TsaMode::Normal).unwrap_err();
    assert!(err.to_string().contains("tsa.crt"), "{err}");
    let err = OcspServer::start(&pki).unwrap_err();
    assert!(err.to_string().contains("signing-ca.crt"), "{err}");
}

#[test]
fn copy_to_fills_in_missing_files_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("own-pki");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("root-ca.crt"), "mine").unwrap();
    let pki = Pki::copy_to(&dir).unwrap();
    assert_eq!(pki.dir, dir);
    assert_eq!(std::fs::read(pki.path("root-ca.crt")).unwrap(), b"mine");
    assert_eq!(
        std::fs::read(pki.path("signing-ca.crl")).unwrap(),
        std::fs::read(Pki::testdata_dir().join("signing-ca.crl")).unwrap()
    );
}
