//! The TSA over HTTPS (`TsaServer::start_tls`) and the certificates of
//! `make_tls_material`, against OpenSSL's own client side (the `openssl`
//! crate's `SslConnector`, and the `openssl` command).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use hozon_testkit::{
    make_tls_material, Pki, TlsConfig, TlsMaterial, TsaMode, TsaServer, TLS_CLIENT_PASSWORD,
};
use openssl::pkcs12::Pkcs12;
use openssl::ssl::{SslConnector, SslFiletype, SslMethod, SslStream};

const QUERY_TYPE: &str = "application/timestamp-query";

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
        "openssl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A copy of the test PKI, fresh TLS material under `tls/`, and a
/// time-stamp query `q.tsq`.
struct Fixture {
    tmp: tempfile::TempDir,
    pki: Pki,
    tls: TlsMaterial,
    query: Vec<u8>,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let pki = Pki::copy_to(&tmp.path().join("pki")).unwrap();
        let tls = make_tls_material(&tmp.path().join("tls")).unwrap();
        std::fs::write(tmp.path().join("data.txt"), "紹介状\n").unwrap();
        openssl_ok(
            tmp.path(),
            &[
                "ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "q.tsq",
            ],
        );
        let query = std::fs::read(tmp.path().join("q.tsq")).unwrap();
        Fixture {
            tmp,
            pki,
            tls,
            query,
        }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    /// `openssl ts -verify` of `reply` (bytes) against data.txt.
    fn verify_reply(&self, reply: &[u8]) {
        std::fs::write(self.dir().join("r.tsr"), reply).unwrap();
        let root = self.pki.path("root-ca.crt");
        let out = openssl_ok(
            self.dir(),
            &[
                "ts",
                "-verify",
                "-data",
                "data.txt",
                "-in",
                "r.tsr",
                "-CAfile",
                root.to_str().unwrap(),
            ],
        );
        assert!(out.contains("Verification: OK"), "{out}");
    }
}

/// Who the client is.
#[derive(Clone, Copy)]
enum Client {
    Anonymous,
    Good,
    OtherCa,
}

/// An OpenSSL client that trusts `tls-ca.pem` (unless `trust_ca` is false;
/// then only the system's CAs) and presents the chosen certificate.
fn connector(m: &TlsMaterial, client: Client, trust_ca: bool) -> SslConnector {
    let mut b = SslConnector::builder(SslMethod::tls()).unwrap();
    if trust_ca {
        b.set_ca_file(&m.ca_pem).unwrap();
    }
    let pair = match client {
        Client::Anonymous => None,
        Client::Good => Some((&m.client_cert_pem, &m.client_key_pem)),
        Client::OtherCa => Some((&m.other_client_cert_pem, &m.other_client_key_pem)),
    };
    if let Some((cert, key)) = pair {
        b.set_certificate_file(cert, SslFiletype::PEM).unwrap();
        b.set_private_key_file(key, SslFiletype::PEM).unwrap();
    }
    b.build()
}

/// `127.0.0.1:PORT` of an `https://127.0.0.1:PORT/…` URL.
fn host_of(url: &str) -> String {
    let rest = url.strip_prefix("https://").expect("https URL");
    rest[..rest.find('/').unwrap()].to_string()
}

/// Connects and completes the handshake (verifying the server's
/// certificate for IP 127.0.0.1).
fn connect(url: &str, c: &SslConnector) -> Result<SslStream<TcpStream>, String> {
    let tcp = TcpStream::connect(host_of(url)).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.connect("127.0.0.1", tcp).map_err(|e| e.to_string())
}

/// Status and body of one response read from `r` (Content-Length only).
fn read_response<R: BufRead>(r: &mut R) -> Result<(u16, Vec<u8>), String> {
    let mut status = None;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before a response".into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if status.is_none() {
            status = Some(line.split(' ').nth(1).unwrap().parse().unwrap());
        } else if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("Content-Length") {
                length = value.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).map_err(|e| e.to_string())?;
    Ok((status.unwrap(), body))
}

fn post_raw(query: &[u8], close: bool) -> Vec<u8> {
    let mut raw = format!(
        "POST /tsa HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {QUERY_TYPE}\r\n\
         Content-Length: {}\r\n{}\r\n",
        query.len(),
        if close { "Connection: close\r\n" } else { "" }
    )
    .into_bytes();
    raw.extend_from_slice(query);
    raw
}

/// One time-stamp request over a new TLS connection: the status and body,
/// or the first error (handshake, write or read).
fn stamp(url: &str, c: &SslConnector, query: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let mut tls = connect(url, c)?;
    tls.write_all(&post_raw(query, true))
        .map_err(|e| e.to_string())?;
    read_response(&mut BufReader::new(tls))
}

#[test]
fn tls_material_is_what_it_claims() {
    let tmp = tempfile::tempdir().unwrap();
    let m = make_tls_material(tmp.path()).unwrap();
    let dir = tmp.path();
    let p = |path: &Path| path.to_str().unwrap().to_owned();

    let ca = openssl_ok(dir, &["x509", "-in", &p(&m.ca_pem), "-noout", "-text"]);
    assert!(ca.contains("CN = hozon Test TLS CA"), "{ca}");
    assert!(ca.contains("CA:TRUE"), "{ca}");
    let server = openssl_ok(
        dir,
        &["x509", "-in", &p(&m.server_cert_pem), "-noout", "-text"],
    );
    assert!(server.contains("Subject: CN = 127.0.0.1"), "{server}");
    assert!(server.contains("IP Address:127.0.0.1"), "{server}");
    assert!(server.contains("TLS Web Server Authentication"), "{server}");
    assert!(
        !server.contains("TLS Web Client Authentication"),
        "{server}"
    );
    let client = openssl_ok(
        dir,
        &["x509", "-in", &p(&m.client_cert_pem), "-noout", "-text"],
    );
    assert!(client.contains("TLS Web Client Authentication"), "{client}");
    assert!(
        !client.contains("TLS Web Server Authentication"),
        "{client}"
    );

    // Each certificate is valid for its purpose under its own CA only.
    let verify = |purpose: &str, ca: &Path, cert: &Path| {
        openssl(
            dir,
            &[
                "verify",
                "-purpose",
                purpose,
                "-CAfile",
                &p(ca),
                "-x509_strict",
                &p(cert),
            ],
        )
        .status
        .success()
    };
    assert!(verify("sslserver", &m.ca_pem, &m.server_cert_pem));
    assert!(verify("sslclient", &m.ca_pem, &m.client_cert_pem));
    assert!(!verify("sslserver", &m.ca_pem, &m.client_cert_pem));
    assert!(!verify("sslclient", &m.ca_pem, &m.other_client_cert_pem));
    assert!(verify(
        "sslclient",
        &m.other_ca_pem,
        &m.other_client_cert_pem
    ));

    // The PKCS#12 files open with the password, and only with it, and
    // hold the PEM certificates.
    for (p12, pem) in [
        (&m.client_p12, &m.client_cert_pem),
        (&m.other_client_p12, &m.other_client_cert_pem),
    ] {
        let der = std::fs::read(p12).unwrap();
        let parsed = Pkcs12::from_der(&der)
            .unwrap()
            .parse2(TLS_CLIENT_PASSWORD)
            .unwrap();
        assert!(parsed.pkey.is_some());
        let cert = parsed.cert.unwrap();
        let expected = openssl::x509::X509::from_pem(&std::fs::read(pem).unwrap()).unwrap();
        assert_eq!(cert.to_der().unwrap(), expected.to_der().unwrap());
        assert!(Pkcs12::from_der(&der)
            .unwrap()
            .parse2("wrong-pass")
            .is_err());
    }
}

#[test]
fn tsa_over_https_with_a_client_certificate() {
    let f = Fixture::new();
    let tsa = TsaServer::start_tls(&f.pki, TsaMode::Normal, f.tls.server_config()).unwrap();
    let url = tsa.url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert!(url.ends_with("/tsa"), "{url}");

    let good = connector(&f.tls, Client::Good, true);
    let (status, body) = stamp(&url, &good, &f.query).unwrap();
    assert_eq!(status, 200);
    f.verify_reply(&body);
    assert_eq!(tsa.requests(), 1);

    // Keep-alive over one TLS connection: two requests, then close. The
    // client dawdles before the handshake and between the requests, longer
    // than the server's read timeout (its poll interval): the server's
    // handshake and TLS reads resume after timing out.
    let tcp = TcpStream::connect(host_of(&url)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    std::thread::sleep(Duration::from_millis(250));
    let mut conn = BufReader::new(good.connect("127.0.0.1", tcp).unwrap());
    for close in [false, true] {
        std::thread::sleep(Duration::from_millis(250));
        conn.get_mut()
            .write_all(&post_raw(&f.query, close))
            .unwrap();
        let (status, body) = read_response(&mut conn).unwrap();
        assert_eq!(status, 200);
        f.verify_reply(&body);
    }
    let mut rest = Vec::new();
    let _ = conn.read_to_end(&mut rest);
    assert!(rest.is_empty(), "bytes after Connection: close");
    assert_eq!(tsa.requests(), 3);

    // A fault mode works the same over TLS.
    tsa.set_mode(TsaMode::Status500Always);
    assert_eq!(stamp(&url, &good, &f.query).unwrap().0, 500);
    assert_eq!(tsa.requests(), 4);
}

#[test]
fn tsa_over_https_refuses_clients_without_an_accepted_certificate() {
    let f = Fixture::new();
    let tsa = TsaServer::start_tls(&f.pki, TsaMode::Normal, f.tls.server_config()).unwrap();
    let url = tsa.url();

    // No client certificate: the server's alert reaches the client (TLS
    // 1.3: after the client's side of the handshake, so on reading).
    let err = stamp(&url, &connector(&f.tls, Client::Anonymous, true), &f.query).unwrap_err();
    assert!(err.contains("certificate required"), "{err}");

    // A certificate of another CA.
    let err = stamp(&url, &connector(&f.tls, Client::OtherCa, true), &f.query).unwrap_err();
    assert!(err.contains("unknown ca"), "{err}");

    // A client that does not trust the server's CA refuses the server.
    let err = stamp(&url, &connector(&f.tls, Client::Good, false), &f.query).unwrap_err();
    assert!(err.contains("certificate verify failed"), "{err}");

    // TLS 1.2 clients are refused just the same (the alert comes during
    // the handshake there).
    let mut b = SslConnector::builder(SslMethod::tls()).unwrap();
    b.set_ca_file(&f.tls.ca_pem).unwrap();
    b.set_max_proto_version(Some(openssl::ssl::SslVersion::TLS1_2))
        .unwrap();
    let err = stamp(&url, &b.build(), &f.query).unwrap_err();
    assert!(err.contains("handshake failure"), "{err}");

    // Plain HTTP to the HTTPS port gets no HTTP answer.
    let mut tcp = TcpStream::connect(host_of(&url)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    tcp.write_all(&post_raw(&f.query, true)).unwrap();
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/"), "{answer:?}");

    // None of them got an HTTP exchange, and the server still serves.
    assert_eq!(tsa.requests(), 0);
    let (status, body) = stamp(&url, &connector(&f.tls, Client::Good, true), &f.query).unwrap();
    assert_eq!(status, 200);
    f.verify_reply(&body);
    assert_eq!(tsa.requests(), 1);
}

#[test]
fn tsa_over_https_without_client_authentication() {
    let f = Fixture::new();
    let tls = f.tls.server_config_without_client_auth();
    assert_eq!(tls.client_ca_pem, None);
    let tsa = TsaServer::start_tls(&f.pki, TsaMode::Normal, tls).unwrap();
    let (status, body) = stamp(
        &tsa.url(),
        &connector(&f.tls, Client::Anonymous, true),
        &f.query,
    )
    .unwrap();
    assert_eq!(status, 200);
    f.verify_reply(&body);
    // A client certificate is not asked for, so none is sent or checked.
    let (status, _) = stamp(
        &tsa.url(),
        &connector(&f.tls, Client::OtherCa, true),
        &f.query,
    )
    .unwrap();
    assert_eq!(status, 200);
    assert_eq!(tsa.requests(), 2);
}

#[test]
fn openssl_s_client_gets_a_time_stamp() {
    // The `openssl` command as the client, independent of the crate's
    // connector settings.
    let f = Fixture::new();
    let tsa = TsaServer::start_tls(&f.pki, TsaMode::Normal, f.tls.server_config()).unwrap();
    let p = |path: &Path| path.to_str().unwrap().to_owned();
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &host_of(&tsa.url()),
            "-verify_ip",
            "127.0.0.1",
            "-verify_return_error",
            "-CAfile",
            &p(&f.tls.ca_pem),
            "-cert",
            &p(&f.tls.client_cert_pem),
            "-key",
            &p(&f.tls.client_key_pem),
            "-quiet",
            "-ign_eof",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&post_raw(&f.query, true))
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (status, body) = read_response(&mut &out.stdout[..]).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(status, 200);
    f.verify_reply(&body);
    assert_eq!(tsa.requests(), 1);
}

/// Waits up to 5 s for the server to close `stream`; the time it took.
fn closed_within<R: Read>(stream: &mut R) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                assert!(started.elapsed() < Duration::from_secs(5), "not closed");
            }
            Err(_) => return started.elapsed(),
        }
    }
}

#[test]
fn dropping_a_tls_server_closes_idle_and_half_open_connections() {
    let f = Fixture::new();
    let tsa = TsaServer::start_tls(&f.pki, TsaMode::Normal, f.tls.server_config()).unwrap();
    let url = tsa.url();
    // A TCP connection that never starts a handshake, and a TLS connection
    // idle after one keep-alive request.
    let mut half_open = TcpStream::connect(host_of(&url)).unwrap();
    half_open
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut idle = BufReader::new(connect(&url, &connector(&f.tls, Client::Good, true)).unwrap());
    idle.get_mut()
        .write_all(&post_raw(&f.query, false))
        .unwrap();
    assert_eq!(read_response(&mut idle).unwrap().0, 200);
    idle.get_ref()
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();

    let started = Instant::now();
    drop(tsa);
    assert!(started.elapsed() < Duration::from_secs(1));
    // Connection threads see the stop flag within their poll interval,
    // mid-handshake as well as between requests.
    assert!(closed_within(&mut half_open) < Duration::from_secs(2));
    assert!(closed_within(&mut idle) < Duration::from_secs(2));
    let err = TcpStream::connect(host_of(&url)).expect_err("nothing should listen");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[test]
fn tls_configuration_errors_name_the_file() {
    let f = Fixture::new();
    let missing = f.dir().join("no-such-cert.pem");
    let tls = TlsConfig {
        server_cert_pem: missing.clone(),
        ..f.tls.server_config()
    };
    let err = TsaServer::start_tls(&f.pki, TsaMode::Normal, tls).unwrap_err();
    assert!(err.to_string().contains("no-such-cert.pem"), "{err}");

    // A key that is not the certificate's.
    let tls = TlsConfig {
        server_key_pem: f.tls.client_key_pem.clone(),
        ..f.tls.server_config()
    };
    let err = TsaServer::start_tls(&f.pki, TsaMode::Normal, tls).unwrap_err();
    assert!(err.to_string().contains("tls-client.key"), "{err}");

    let tls = TlsConfig {
        client_ca_pem: Some(missing),
        ..f.tls.server_config()
    };
    let err = TsaServer::start_tls(&f.pki, TsaMode::Normal, tls).unwrap_err();
    assert!(err.to_string().contains("no-such-cert.pem"), "{err}");
}
