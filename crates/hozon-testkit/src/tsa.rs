//! The loopback RFC 3161 time-stamping authority.
//!
//! `POST /tsa` with `Content-Type: application/timestamp-query` (RFC 3161
//! §3.4). The query is written to a file and answered by
//! `openssl ts -reply -config CONF -section S -queryfile Q -out R`, signed
//! with `tsa.key`/`tsa.crt` of the test PKI; the reply goes back as
//! `application/timestamp-reply`.
//!
//! The configuration (in a temporary directory owned by the server):
//! policy [`TSA_POLICY_OID`] (other accepted policies `….2`, `….3`), digests
//! SHA-1 and SHA-2, accuracy one second, ordering no, the TSA name included,
//! ESS signing-certificate-v2 with SHA-256 for the signer only, `certs` =
//! `root-ca.crt`. Each request gets its own serial file, seeded from a
//! per-server counter that starts at the server's start time in
//! microseconds, so parallel requests never share a file and serials do
//! not repeat across runs (OpenSSL adds one before use).
//!
//! Over HTTPS ([`TsaServer::start_tls`]) the same TSA answers on
//! `https://127.0.0.1:PORT/tsa`, optionally only to clients with a TLS
//! client certificate (see [`crate::TlsConfig`]).
//!
//! A query OpenSSL cannot parse is answered as OpenSSL answers it: 200 with
//! a `TimeStampResp` of status rejection and failInfo badDataFormat. Only
//! HTTP-level faults (wrong path, method or Content-Type, empty or over-long
//! body, a query the fault modes cannot rewrite) get 4xx.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tempfile::TempDir;

use crate::asn1;
use crate::child::{self, Outcome};
use crate::http::{self, Control, Handler, HttpServer, Reply, Request};
use crate::{tls, with_path, Pki, TlsConfig};

/// The TSA policy of every token (`default_policy`): an arbitrary OID under
/// a private arc, meaning nothing outside these tests.
pub const TSA_POLICY_OID: &str = "1.2.392.200091.100.901.1";

const REPLY_TYPE: &str = "application/timestamp-reply";
const QUERY_TYPE: &str = "application/timestamp-query";
const TST_INFO_OID: &str = "1.2.840.113549.1.9.16.1.4";
/// Section of the configuration for the normal TSA.
const SECTION: &str = "hozon_tsa";
/// Same, without the TSA name (for tokens re-signed by another key).
const SECTION_UNNAMED: &str = "hozon_tsa_unnamed";
/// Worker threads; more than any client runs in parallel (`--tsa-concurrency`),
/// since each waits for an `openssl` child most of the time.
const WORKERS: usize = 16;

/// How the TSA misbehaves (for fault tests).
#[derive(Clone, Debug, PartialEq)]
pub enum TsaMode {
    /// `openssl ts -reply`.
    Normal,
    /// Sleeps, then answers normally (for client timeouts). Dropping the
    /// server cuts the sleep short (the request then gets 503).
    Delay(Duration),
    /// HTTP 500 for the first n well-formed requests to `/tsa` (counted
    /// from `start` or `set_mode`), then normal (for retries).
    FailFirst(u32),
    /// HTTP 500 for every request.
    Status500Always,
    /// 200 with 128 random bytes (never starting with a SEQUENCE tag) as
    /// `application/timestamp-reply`.
    Garbage,
    /// Answers the client's query with every byte of its hashedMessage
    /// inverted: a genuine OpenSSL token, but for other data (imprint
    /// mismatch); nonce and everything else as asked.
    OtherImprint,
    /// Answers a query identical except for the nonce: its lowest bit
    /// flipped, or an 8-byte nonce added if the query had none.
    WrongNonce,
    /// A `TimeStampResp` with status rejection (2), failInfo badAlg and no
    /// token. Assembled here (`openssl ts -reply` cannot be told to
    /// reject); the bytes are those OpenSSL produces for a query with an
    /// unsupported digest, with the same status text.
    Rejection,
    /// A token signed with `tsa-noeku.key`/`tsa-noeku.crt` (no timeStamping
    /// EKU). `openssl ts -reply` refuses such a signer, so OpenSSL's TSTInfo
    /// (made without the TSA name) is re-signed with `openssl cms -sign
    /// -cades -econtent_type id-ct-TSTInfo` and wrapped in a granted
    /// `TimeStampResp`. The token always carries `tsa-noeku.crt` and
    /// `root-ca.crt`.
    NonTsaSigner,
    /// 401 with `WWW-Authenticate: Basic` unless the request carries
    /// `Authorization: Basic base64(user:password)`; then normal.
    RequireBasicAuth {
        /// Expected user name.
        user: String,
        /// Expected password.
        password: String,
    },
}

/// A running loopback TSA; dropping it stops it and closes its port.
pub struct TsaServer {
    // Declared first so it is dropped first: the workers stop before the
    // temporary directory they use is removed.
    http: HttpServer,
    state: Arc<State>,
}

struct State {
    work: TempDir,
    config: PathBuf,
    noeku_cert: PathBuf,
    noeku_key: PathBuf,
    root_cert: PathBuf,
    mode: Mutex<ModeState>,
    serial: AtomicU64,
    cpu_nanos: AtomicU64,
}

struct ModeState {
    mode: TsaMode,
    failures_left: u32,
}

impl ModeState {
    fn new(mode: TsaMode) -> ModeState {
        let failures_left = match mode {
            TsaMode::FailFirst(n) => n,
            _ => 0,
        };
        ModeState {
            mode,
            failures_left,
        }
    }
}

impl TsaServer {
    /// Writes the `openssl ts` configuration for `pki` and starts the TSA
    /// on `127.0.0.1:0`.
    pub fn start(pki: &Pki, mode: TsaMode) -> io::Result<TsaServer> {
        Self::start_with(pki, mode, None)
    }

    /// Same as [`TsaServer::start`], over HTTPS: [`TsaServer::url`] is then
    /// `https://127.0.0.1:PORT/tsa`. With `tls.client_ca_pem`, a client
    /// must present a certificate issued by that CA; otherwise the TLS
    /// handshake fails and no HTTP request is received (nor counted).
    /// Fails if the certificate, key or CA files cannot be loaded.
    pub fn start_tls(pki: &Pki, mode: TsaMode, tls: TlsConfig) -> io::Result<TsaServer> {
        Self::start_with(pki, mode, Some(tls))
    }

    fn start_with(pki: &Pki, mode: TsaMode, tls: Option<TlsConfig>) -> io::Result<TsaServer> {
        let acceptor = tls.as_ref().map(tls::acceptor).transpose()?;
        pki.require(&[
            "tsa.crt",
            "tsa.key",
            "root-ca.crt",
            "tsa-noeku.crt",
            "tsa-noeku.key",
        ])?;
        child::check_openssl()?;
        let work = tempfile::Builder::new().prefix("hozon-tsa-").tempdir()?;
        let config = work.path().join("tsa.cnf");
        fs::write(&config, config_text(pki)).map_err(|e| with_path(&config, e))?;
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| u64::try_from(d.as_micros()).unwrap_or(1));
        let state = Arc::new(State {
            work,
            config,
            noeku_cert: pki.path("tsa-noeku.crt"),
            noeku_key: pki.path("tsa-noeku.key"),
            root_cert: pki.path("root-ca.crt"),
            mode: Mutex::new(ModeState::new(mode)),
            serial: AtomicU64::new(seed),
            cpu_nanos: AtomicU64::new(0),
        });
        let handler = TsaHandler(Arc::clone(&state));
        let http = match acceptor {
            None => HttpServer::start("hozon-tsa", handler, WORKERS)?,
            Some(acceptor) => HttpServer::start_tls("hozon-tsa", handler, WORKERS, acceptor)?,
        };
        Ok(TsaServer { http, state })
    }

    /// `http://127.0.0.1:PORT/tsa` (`https://…` when started with
    /// [`TsaServer::start_tls`]).
    pub fn url(&self) -> String {
        format!("{}/tsa", self.http.base_url())
    }

    /// How many requests were received (all paths, all outcomes).
    pub fn requests(&self) -> usize {
        self.http.requests()
    }

    /// Changes the behaviour from the next request on (`FailFirst` counts
    /// afresh).
    pub fn set_mode(&self, mode: TsaMode) {
        *self
            .state
            .mode
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = ModeState::new(mode);
    }

    /// Total user + system CPU time of all `openssl` child processes this
    /// server ran so far (`ts -reply`, and `cms -sign` for `NonTsaSigner`),
    /// from `wait4(2)` of each child.
    pub fn cpu_time(&self) -> Duration {
        Duration::from_nanos(self.state.cpu_nanos.load(Ordering::SeqCst))
    }
}

impl std::fmt::Debug for TsaServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsaServer")
            .field("url", &self.url())
            .field("requests", &self.requests())
            .finish_non_exhaustive()
    }
}

/// An `openssl` configuration value: backslash before the characters the
/// config parser treats specially.
fn conf_value(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        if matches!(c, '\\' | '$' | '#' | '"' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn config_text(pki: &Pki) -> String {
    let section = |name: &str, tsa_name: &str| {
        format!(
            "[ {name} ]\n\
             serial = $ENV::HOZON_TSA_SERIAL\n\
             crypto_device = builtin\n\
             signer_cert = {cert}\n\
             certs = {certs}\n\
             signer_key = {key}\n\
             signer_digest = sha256\n\
             default_policy = {TSA_POLICY_OID}\n\
             other_policies = 1.2.392.200091.100.901.2, 1.2.392.200091.100.901.3\n\
             digests = sha1, sha256, sha384, sha512\n\
             accuracy = secs:1\n\
             ordering = no\n\
             tsa_name = {tsa_name}\n\
             ess_cert_id_chain = no\n\
             ess_cert_id_alg = sha256\n\n",
            cert = conf_value(&pki.path("tsa.crt")),
            certs = conf_value(&pki.path("root-ca.crt")),
            key = conf_value(&pki.path("tsa.key")),
        )
    };
    format!(
        "# openssl ts -reply configuration written by hozon-testkit\n\
         [ tsa ]\ndefault_tsa = {SECTION}\n\n{}{}",
        section(SECTION, "yes"),
        section(SECTION_UNNAMED, "no"),
    )
}

struct TsaHandler(Arc<State>);

impl Handler for TsaHandler {
    fn handle(&self, request: &mut Request, control: &Control) -> Reply {
        match self.answer(request, control) {
            Ok(reply) | Err(reply) => reply,
        }
    }
}

impl TsaHandler {
    fn answer(&self, request: &mut Request, control: &Control) -> Result<Reply, Reply> {
        let state = &self.0;
        if http::path(request) != "/tsa" {
            return Err(Reply::error(404, "not found (the TSA is at /tsa)"));
        }
        let mode = state
            .mode
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .mode
            .clone();
        if let TsaMode::RequireBasicAuth { user, password } = &mode {
            if !basic_auth_matches(request, user, password) {
                return Err(Reply::error(401, "authentication required").with_header(
                    "WWW-Authenticate",
                    "Basic realm=\"hozon-testkit TSA\"".into(),
                ));
            }
        }
        let query = http::read_post(request, QUERY_TYPE)?;
        match mode {
            TsaMode::Normal | TsaMode::RequireBasicAuth { .. } => state.reply(&query, SECTION),
            TsaMode::Delay(delay) => {
                if !control.sleep(delay) {
                    return Err(Reply::error(503, "server stopping"));
                }
                state.reply(&query, SECTION)
            }
            TsaMode::FailFirst(_) => {
                {
                    let mut mode = state.mode.lock().unwrap_or_else(PoisonError::into_inner);
                    if mode.failures_left > 0 {
                        mode.failures_left -= 1;
                        return Err(Reply::error(500, "induced failure (FailFirst)"));
                    }
                }
                state.reply(&query, SECTION)
            }
            TsaMode::Status500Always => Err(Reply::error(500, "induced failure (Status500Always)")),
            TsaMode::Garbage => {
                let mut bytes = random::<128>();
                bytes[0] |= 0x80;
                Ok(Reply::ok(REPLY_TYPE, bytes.to_vec()))
            }
            TsaMode::OtherImprint => {
                let altered = asn1::with_other_imprint(&query).map_err(malformed)?;
                state.reply(&altered, SECTION)
            }
            TsaMode::WrongNonce => {
                let altered = asn1::with_other_nonce(&query, random::<8>()).map_err(malformed)?;
                state.reply(&altered, SECTION)
            }
            TsaMode::Rejection => Ok(Reply::ok(REPLY_TYPE, asn1::rejection_bad_alg())),
            TsaMode::NonTsaSigner => state.reply_noeku(&query),
        }
    }
}

fn malformed(e: asn1::Malformed) -> Reply {
    Reply::error(400, &format!("not a TimeStampReq: {}", e.0))
}

fn basic_auth_matches(request: &Request, user: &str, password: &str) -> bool {
    let expected = openssl::base64::encode_block(format!("{user}:{password}").as_bytes());
    http::header(request, "Authorization")
        .and_then(|v| v.trim().split_once(' '))
        .is_some_and(|(scheme, credentials)| {
            scheme.eq_ignore_ascii_case("Basic") && credentials.trim() == expected
        })
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if openssl::rand::rand_bytes(&mut bytes).is_err() {
        // Not a secret; any varying bytes do.
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (seed >> (i % 4 * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    bytes
}

impl State {
    fn add_cpu(&self, outcome: &Outcome) {
        let nanos = u64::try_from(outcome.cpu.as_nanos()).unwrap_or(u64::MAX);
        self.cpu_nanos.fetch_add(nanos, Ordering::SeqCst);
    }

    fn request_dir(&self) -> Result<TempDir, Reply> {
        tempfile::Builder::new()
            .prefix("req-")
            .tempdir_in(self.work.path())
            .map_err(|e| internal(&format!("cannot make a request directory: {e}")))
    }

    /// Runs `openssl ts -reply` on `query` with configuration section
    /// `section`; returns the DER `TimeStampResp`.
    fn reply(&self, query: &[u8], section: &str) -> Result<Reply, Reply> {
        let dir = self.request_dir()?;
        self.ts_reply(dir.path(), query, section)
            .map(|der| Reply::ok(REPLY_TYPE, der))
    }

    fn ts_reply(&self, dir: &Path, query: &[u8], section: &str) -> Result<Vec<u8>, Reply> {
        let query_file = dir.join("query.tsq");
        let reply_file = dir.join("reply.tsr");
        let serial_file = dir.join("serial");
        let serial = self.serial.fetch_add(1, Ordering::SeqCst);
        fs::write(&query_file, query).map_err(|e| internal(&e.to_string()))?;
        fs::write(&serial_file, format!("{serial:016X}\n"))
            .map_err(|e| internal(&e.to_string()))?;
        let args: [&OsStr; 10] = [
            "ts".as_ref(),
            "-reply".as_ref(),
            "-config".as_ref(),
            self.config.as_os_str(),
            "-section".as_ref(),
            section.as_ref(),
            "-queryfile".as_ref(),
            query_file.as_os_str(),
            "-out".as_ref(),
            reply_file.as_os_str(),
        ];
        let outcome = child::openssl(args, &[("HOZON_TSA_SERIAL", serial_file.as_os_str())])
            .map_err(|e| internal(&e.to_string()))?;
        self.add_cpu(&outcome);
        if !outcome.success {
            return Err(internal(&format!(
                "openssl ts -reply failed: {}",
                outcome.last_error_line()
            )));
        }
        fs::read(&reply_file)
            .map_err(|e| internal(&format!("openssl ts -reply wrote no reply: {e}")))
    }

    /// OpenSSL's TSTInfo for `query`, re-signed with the TSA certificate
    /// that lacks the timeStamping EKU.
    fn reply_noeku(&self, query: &[u8]) -> Result<Reply, Reply> {
        let dir = self.request_dir()?;
        let response = self.ts_reply(dir.path(), query, SECTION_UNNAMED)?;
        let Ok(tst_info) = asn1::tst_info(&response) else {
            // OpenSSL rejected the query: pass its rejection on.
            return Ok(Reply::ok(REPLY_TYPE, response));
        };
        let tst_file = dir.path().join("tstinfo.der");
        let token_file = dir.path().join("token.der");
        fs::write(&tst_file, tst_info).map_err(|e| internal(&e.to_string()))?;
        let args: [&OsStr; 22] = [
            "cms".as_ref(),
            "-sign".as_ref(),
            "-binary".as_ref(),
            "-nodetach".as_ref(),
            "-cades".as_ref(),
            "-nosmimecap".as_ref(),
            "-md".as_ref(),
            "sha256".as_ref(),
            "-econtent_type".as_ref(),
            TST_INFO_OID.as_ref(),
            "-signer".as_ref(),
            self.noeku_cert.as_os_str(),
            "-inkey".as_ref(),
            self.noeku_key.as_os_str(),
            "-certfile".as_ref(),
            self.root_cert.as_os_str(),
            "-in".as_ref(),
            tst_file.as_os_str(),
            "-outform".as_ref(),
            "DER".as_ref(),
            "-out".as_ref(),
            token_file.as_os_str(),
        ];
        let outcome = child::openssl(args, &[]).map_err(|e| internal(&e.to_string()))?;
        self.add_cpu(&outcome);
        if !outcome.success {
            return Err(internal(&format!(
                "openssl cms -sign failed: {}",
                outcome.last_error_line()
            )));
        }
        let token = fs::read(&token_file).map_err(|e| internal(&e.to_string()))?;
        Ok(Reply::ok(REPLY_TYPE, asn1::granted(&token)))
    }
}

fn internal(message: &str) -> Reply {
    Reply::error(500, message)
}
