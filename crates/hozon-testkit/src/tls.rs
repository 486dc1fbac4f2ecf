//! HTTPS for the loopback servers: the server's TLS settings
//! ([`TlsConfig`]) and throwaway TLS certificates made with the `openssl`
//! command ([`make_tls_material`]).
//!
//! Japanese commercial TSAs authenticate their clients with TLS client
//! certificates; a TSA started with [`TsaServer::start_tls`] and a
//! `client_ca_pem` does the same: a client without a certificate issued by
//! that CA never gets an HTTP exchange (the handshake fails, and the
//! request is not counted).
//!
//! The TLS PKI is separate from the committed test PKI (`testdata/pki`)
//! and made afresh in a temporary directory at test time: it only has to
//! live as long as the test, and a server certificate must name the
//! loopback address (`IP:127.0.0.1`), which no committed certificate does.
//!
//! [`TsaServer::start_tls`]: crate::TsaServer::start_tls

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod, SslVerifyMode};
use openssl::x509::X509Name;

use crate::child;
use crate::with_path;

/// The password of the PKCS#12 files [`make_tls_material`] writes.
pub const TLS_CLIENT_PASSWORD: &str = "client-pass";

/// How a server speaks TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    /// The server's certificate (PEM; more certificates after it are sent
    /// as its chain).
    pub server_cert_pem: PathBuf,
    /// The server's private key (PEM, unencrypted).
    pub server_key_pem: PathBuf,
    /// When `Some`: a client must present a certificate issued by one of
    /// the CA certificates in this PEM file (and valid for TLS client
    /// authentication), or the handshake fails. When `None`: no client
    /// certificate is asked for.
    pub client_ca_pem: Option<PathBuf>,
}

/// An OpenSSL error, with the file it concerns.
fn ssl_error(path: &Path, what: &str, e: openssl::error::ErrorStack) -> io::Error {
    io::Error::other(format!("{}: {what}: {e}", path.display()))
}

/// The acceptor for `tls`: Mozilla's "intermediate" settings (TLS 1.2 and
/// 1.3) with the server's certificate and key, and client certificate
/// verification against `client_ca_pem` only (not the system's CAs).
pub(crate) fn acceptor(tls: &TlsConfig) -> io::Result<SslAcceptor> {
    let mut builder = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())
        .map_err(|e| io::Error::other(format!("TLS setup: {e}")))?;
    builder
        .set_certificate_chain_file(&tls.server_cert_pem)
        .map_err(|e| ssl_error(&tls.server_cert_pem, "server certificate", e))?;
    builder
        .set_private_key_file(&tls.server_key_pem, SslFiletype::PEM)
        .map_err(|e| ssl_error(&tls.server_key_pem, "server key", e))?;
    builder
        .check_private_key()
        .map_err(|e| ssl_error(&tls.server_key_pem, "not the server certificate's key", e))?;
    // Sessions of clients verified here may be resumed (OpenSSL refuses to
    // resume without a session id context once peers are verified).
    builder
        .set_session_id_context(b"hozon-testkit")
        .map_err(|e| io::Error::other(format!("TLS setup: {e}")))?;
    if let Some(ca) = &tls.client_ca_pem {
        builder
            .set_ca_file(ca)
            .map_err(|e| ssl_error(ca, "client CA certificates", e))?;
        // Named in the CertificateRequest, so that clients pick the right
        // certificate.
        builder.set_client_ca_list(
            X509Name::load_client_ca_file(ca)
                .map_err(|e| ssl_error(ca, "client CA certificates", e))?,
        );
        builder.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    }
    Ok(builder.build())
}

/// Throwaway TLS certificates for an HTTPS test server and its clients
/// (all keys ECDSA P-256, certificates valid for two days from now).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsMaterial {
    /// The CA ("hozon Test TLS CA"), PEM: clients trust it for the
    /// server (`--tsa-ca`), the server trusts it for clients.
    pub ca_pem: PathBuf,
    /// The server certificate (PEM): CN=127.0.0.1, subjectAltName
    /// IP:127.0.0.1, extendedKeyUsage serverAuth, issued by the CA.
    pub server_cert_pem: PathBuf,
    /// The server's private key (PEM, unencrypted).
    pub server_key_pem: PathBuf,
    /// The client certificate and key as PKCS#12, password
    /// [`TLS_CLIENT_PASSWORD`]: CN "hozon Test TLS Client",
    /// extendedKeyUsage clientAuth, issued by the CA.
    pub client_p12: PathBuf,
    /// The same client certificate, PEM.
    pub client_cert_pem: PathBuf,
    /// The same client key, PEM (unencrypted).
    pub client_key_pem: PathBuf,
    /// Another CA ("hozon Test TLS Other CA"), PEM, which the server does
    /// not trust.
    pub other_ca_pem: PathBuf,
    /// A client certificate ("hozon Test TLS Other Client", clientAuth)
    /// issued by the other CA, as PKCS#12 with password
    /// [`TLS_CLIENT_PASSWORD`].
    pub other_client_p12: PathBuf,
    /// The same certificate, PEM.
    pub other_client_cert_pem: PathBuf,
    /// Its key, PEM (unencrypted).
    pub other_client_key_pem: PathBuf,
}

impl TlsMaterial {
    /// The server side: the server certificate and key, and client
    /// certificates required, issued by [`TlsMaterial::ca_pem`].
    pub fn server_config(&self) -> TlsConfig {
        TlsConfig {
            client_ca_pem: Some(self.ca_pem.clone()),
            ..self.server_config_without_client_auth()
        }
    }

    /// The server certificate and key, no client certificate asked for.
    pub fn server_config_without_client_auth(&self) -> TlsConfig {
        TlsConfig {
            server_cert_pem: self.server_cert_pem.clone(),
            server_key_pem: self.server_key_pem.clone(),
            client_ca_pem: None,
        }
    }
}

/// The `openssl req`/`x509` configuration: a name section for `-subj`
/// and the extensions of each kind of certificate.
const CONFIG: &str = "\
# written by hozon-testkit (make_tls_material)
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// Runs `openssl ARGS` (with `envs`), failing with its last error line.
fn run(args: &[&OsStr], envs: &[(&str, &OsStr)]) -> io::Result<()> {
    let outcome = child::openssl(args, envs)?;
    if outcome.success {
        Ok(())
    } else {
        let command: Vec<_> = args.iter().take(2).map(|a| a.to_string_lossy()).collect();
        Err(io::Error::other(format!(
            "openssl {} failed: {}",
            command.join(" "),
            outcome.last_error_line()
        )))
    }
}

/// A random positive 64-bit serial number, as `0x…` for `-set_serial`.
fn serial() -> String {
    let mut bytes = [0u8; 8];
    if openssl::rand::rand_bytes(&mut bytes).is_err() {
        // Not a secret; distinct values do.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos());
        bytes = (nanos as u64).to_be_bytes();
    }
    bytes[0] &= 0x7f;
    bytes[0] |= 0x10;
    format!(
        "0x{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Makes a self-signed CA `NAME.pem`/`NAME.key` in `dir`.
fn make_ca(dir: &Path, config: &Path, name: &str, subject: &str) -> io::Result<()> {
    let (cert, key) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
    );
    let serial = serial();
    let subj = format!("/CN={subject}/O=hozon Test/C=JP");
    run(
        &[
            "req".as_ref(),
            "-x509".as_ref(),
            "-new".as_ref(),
            "-newkey".as_ref(),
            "ec".as_ref(),
            "-pkeyopt".as_ref(),
            "ec_paramgen_curve:P-256".as_ref(),
            "-nodes".as_ref(),
            "-sha256".as_ref(),
            "-days".as_ref(),
            "2".as_ref(),
            "-set_serial".as_ref(),
            serial.as_ref(),
            "-subj".as_ref(),
            subj.as_ref(),
            "-config".as_ref(),
            config.as_os_str(),
            "-extensions".as_ref(),
            "ca".as_ref(),
            "-keyout".as_ref(),
            key.as_os_str(),
            "-out".as_ref(),
            cert.as_os_str(),
        ],
        &[],
    )
}

/// Makes `NAME.pem`/`NAME.key` in `dir`, issued by the CA `ca` (`ca.pem`,
/// `ca.key`) with the extensions of section `kind` of the configuration.
fn make_leaf(
    dir: &Path,
    config: &Path,
    name: &str,
    subject: &str,
    ca: &str,
    kind: &str,
) -> io::Result<()> {
    let (cert, key, csr) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.csr")),
    );
    let (ca_cert, ca_key) = (dir.join(format!("{ca}.pem")), dir.join(format!("{ca}.key")));
    let subj = format!("/CN={subject}/O=hozon Test/C=JP");
    run(
        &[
            "req".as_ref(),
            "-new".as_ref(),
            "-newkey".as_ref(),
            "ec".as_ref(),
            "-pkeyopt".as_ref(),
            "ec_paramgen_curve:P-256".as_ref(),
            "-nodes".as_ref(),
            "-subj".as_ref(),
            subj.as_ref(),
            "-config".as_ref(),
            config.as_os_str(),
            "-keyout".as_ref(),
            key.as_os_str(),
            "-out".as_ref(),
            csr.as_os_str(),
        ],
        &[],
    )?;
    let serial = serial();
    run(
        &[
            "x509".as_ref(),
            "-req".as_ref(),
            "-in".as_ref(),
            csr.as_os_str(),
            "-CA".as_ref(),
            ca_cert.as_os_str(),
            "-CAkey".as_ref(),
            ca_key.as_os_str(),
            "-set_serial".as_ref(),
            serial.as_ref(),
            "-sha256".as_ref(),
            "-days".as_ref(),
            "2".as_ref(),
            "-extfile".as_ref(),
            config.as_os_str(),
            "-extensions".as_ref(),
            kind.as_ref(),
            "-out".as_ref(),
            cert.as_os_str(),
        ],
        &[],
    )?;
    fs::remove_file(&csr).map_err(|e| with_path(&csr, e))
}

/// Packs `NAME.pem` and `NAME.key` of `dir` into `NAME.p12` with password
/// [`TLS_CLIENT_PASSWORD`] (OpenSSL's default algorithms: AES-256-CBC with
/// PBKDF2, HMAC-SHA-256).
fn make_p12(dir: &Path, name: &str, friendly_name: &str) -> io::Result<PathBuf> {
    let (cert, key, p12) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.p12")),
    );
    run(
        &[
            "pkcs12".as_ref(),
            "-export".as_ref(),
            "-in".as_ref(),
            cert.as_os_str(),
            "-inkey".as_ref(),
            key.as_os_str(),
            "-name".as_ref(),
            friendly_name.as_ref(),
            "-passout".as_ref(),
            "env:HOZON_TLS_P12_PASS".as_ref(),
            "-out".as_ref(),
            p12.as_os_str(),
        ],
        &[("HOZON_TLS_P12_PASS", TLS_CLIENT_PASSWORD.as_ref())],
    )?;
    Ok(p12)
}

/// Makes a throwaway TLS PKI in `dir` (created if needed) with the
/// `openssl` command: a CA, a server certificate for `127.0.0.1`, a client
/// certificate (PEM and PKCS#12), and a client certificate of another CA;
/// see [`TlsMaterial`]. File names: `tls-ca.pem`, `tls-server.pem`,
/// `tls-server.key`, `tls-client.p12`, `tls-client.pem`, `tls-client.key`,
/// `tls-other-ca.pem`, `tls-other-client.p12`, … (and the CAs' keys).
pub fn make_tls_material(dir: &Path) -> io::Result<TlsMaterial> {
    fs::create_dir_all(dir).map_err(|e| with_path(dir, e))?;
    child::check_openssl()?;
    let config = dir.join("tls-openssl.cnf");
    fs::write(&config, CONFIG).map_err(|e| with_path(&config, e))?;
    make_ca(dir, &config, "tls-ca", "hozon Test TLS CA")?;
    make_leaf(dir, &config, "tls-server", "127.0.0.1", "tls-ca", "server")?;
    make_leaf(
        dir,
        &config,
        "tls-client",
        "hozon Test TLS Client",
        "tls-ca",
        "client",
    )?;
    let client_p12 = make_p12(dir, "tls-client", "hozon Test TLS Client")?;
    make_ca(dir, &config, "tls-other-ca", "hozon Test TLS Other CA")?;
    make_leaf(
        dir,
        &config,
        "tls-other-client",
        "hozon Test TLS Other Client",
        "tls-other-ca",
        "client",
    )?;
    let other_client_p12 = make_p12(dir, "tls-other-client", "hozon Test TLS Other Client")?;
    Ok(TlsMaterial {
        ca_pem: dir.join("tls-ca.pem"),
        server_cert_pem: dir.join("tls-server.pem"),
        server_key_pem: dir.join("tls-server.key"),
        client_p12,
        client_cert_pem: dir.join("tls-client.pem"),
        client_key_pem: dir.join("tls-client.key"),
        other_ca_pem: dir.join("tls-other-ca.pem"),
        other_client_p12,
        other_client_cert_pem: dir.join("tls-other-client.pem"),
        other_client_key_pem: dir.join("tls-other-client.key"),
    })
}
