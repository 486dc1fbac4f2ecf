//! The loopback OCSP responder for signing-ca (RFC 6960).
//!
//! `POST` (any path) with `Content-Type: application/ocsp-request`, or
//! `GET /{url-encoded base64 request}` (RFC 6960 A.1). Each request is
//! answered by
//! `openssl ocsp -index INDEX -rsigner ocsp.crt -rkey ocsp.key
//! -CA signing-ca.crt -reqin REQ -respout RESP -ndays 1`
//! (so every answer has a nextUpdate one day after thisUpdate), returned as
//! `application/ocsp-response`. A body that is not an OCSPRequest gets the
//! OCSP response status malformedRequest, as RFC 6960 §2.3 asks.
//!
//! The index (`openssl ca` database format) is built when the server
//! starts, from the certificates in the PKI directory that signing-ca issued
//! (`*.crt`, checked by name and signature) and from `signing-ca.crl`: a
//! certificate listed there is `R` with the CRL's revocation date and
//! reason (so `signer-revoked` is revoked, keyCompromise), every other one
//! is `V`. Certificates of other issuers get status unknown from OpenSSL.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::ocsp::OcspRequest;
use openssl::x509::{ReasonCode, X509Crl, X509NameRef, X509VerifyResult, X509};
use tempfile::TempDir;

use crate::child;
use crate::http::{self, Control, Handler, HttpServer, Method, Reply, Request};
use crate::{with_path, Pki};

const RESPONSE_TYPE: &str = "application/ocsp-response";
const REQUEST_TYPE: &str = "application/ocsp-request";
/// `OCSPResponse { responseStatus malformedRequest (1) }`.
const MALFORMED_REQUEST: [u8; 5] = [0x30, 0x03, 0x0a, 0x01, 0x01];
const WORKERS: usize = 2;

/// A running loopback OCSP responder; dropping it stops it and closes its
/// port.
pub struct OcspServer {
    // The workers own the state (and its temporary directory) and end
    // before this is dropped.
    http: HttpServer,
}

struct State {
    work: TempDir,
    index: PathBuf,
    signer_cert: PathBuf,
    signer_key: PathBuf,
    ca_cert: PathBuf,
}

impl OcspServer {
    /// Builds the index from `pki` and starts the responder on
    /// `127.0.0.1:0`.
    pub fn start(pki: &Pki) -> io::Result<OcspServer> {
        Self::start_on(pki, 0)
    }

    /// Same as [`OcspServer::start`] on `127.0.0.1:port` (18081 is the
    /// port the test certificates' AIA names; 0 picks a free one). Hold
    /// [`crate::fixed_ports`] while it runs.
    pub fn start_on(pki: &Pki, port: u16) -> io::Result<OcspServer> {
        pki.require(&["signing-ca.crt", "signing-ca.crl", "ocsp.crt", "ocsp.key"])?;
        child::check_openssl()?;
        let work = tempfile::Builder::new().prefix("hozon-ocsp-").tempdir()?;
        let index = work.path().join("index.txt");
        fs::write(&index, index_text(pki)?).map_err(|e| with_path(&index, e))?;
        let attr = work.path().join("index.txt.attr");
        fs::write(&attr, "unique_subject = no\n").map_err(|e| with_path(&attr, e))?;
        let state = Arc::new(State {
            work,
            index,
            signer_cert: pki.path("ocsp.crt"),
            signer_key: pki.path("ocsp.key"),
            ca_cert: pki.path("signing-ca.crt"),
        });
        let http = if port == 0 {
            HttpServer::start("hozon-ocsp", OcspHandler(state), WORKERS)?
        } else {
            HttpServer::start_on("hozon-ocsp", OcspHandler(state), port)?
        };
        Ok(OcspServer { http })
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("{}/", self.http.base_url())
    }

    /// How many requests were received (all paths, all outcomes).
    pub fn requests(&self) -> usize {
        self.http.requests()
    }
}

impl std::fmt::Debug for OcspServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcspServer")
            .field("url", &self.url())
            .field("requests", &self.requests())
            .finish_non_exhaustive()
    }
}

fn ssl_error(what: &str, e: openssl::error::ErrorStack) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{what}: {e}"))
}

/// Reads a certificate or CRL file that may be PEM or DER.
fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// One revoked entry of the CRL: revocation date and reason, in index form.
struct Revocation {
    date: String,
    reason: Option<&'static str>,
}

/// The `openssl ca` index for signing-ca.
fn index_text(pki: &Pki) -> io::Result<String> {
    let ca_bytes = pki.read("signing-ca.crt")?;
    let ca = if is_pem(&ca_bytes) {
        X509::from_pem(&ca_bytes)
    } else {
        X509::from_der(&ca_bytes)
    }
    .map_err(|e| ssl_error("signing-ca.crt", e))?;
    let ca_key = ca
        .public_key()
        .map_err(|e| ssl_error("signing-ca.crt", e))?;

    let crl_bytes = pki.read("signing-ca.crl")?;
    let crl = if is_pem(&crl_bytes) {
        X509Crl::from_pem(&crl_bytes)
    } else {
        X509Crl::from_der(&crl_bytes)
    }
    .map_err(|e| ssl_error("signing-ca.crl", e))?;
    let mut revoked: BTreeMap<String, Revocation> = BTreeMap::new();
    for entry in crl.get_revoked().into_iter().flatten() {
        let serial = serial_hex(entry.serial_number())?;
        let reason = entry
            .extension::<ReasonCode>()
            .ok()
            .flatten()
            .and_then(|(_, code)| code.get_i64().ok())
            .and_then(reason_name);
        revoked.insert(
            serial,
            Revocation {
                date: index_time(entry.revocation_date())?,
                reason,
            },
        );
    }

    let mut names: Vec<PathBuf> = fs::read_dir(&pki.dir)
        .map_err(|e| with_path(&pki.dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension() == Some(OsStr::new("crt")))
        .collect();
    names.sort();
    let mut lines = BTreeMap::new();
    for path in names {
        let Ok(bytes) = fs::read(&path) else { continue };
        let parsed = if is_pem(&bytes) {
            X509::from_pem(&bytes)
        } else {
            X509::from_der(&bytes)
        };
        let Ok(cert) = parsed else { continue };
        let issued_by_ca = ca.issued(&cert) == X509VerifyResult::OK
            && cert.verify(&ca_key).unwrap_or(false)
            && cert.serial_number() != ca.serial_number();
        if !issued_by_ca {
            continue;
        }
        let serial = serial_hex(cert.serial_number())?;
        let expiry = index_time(cert.not_after())?;
        let subject = one_line(cert.subject_name());
        let line = match revoked.get(&serial) {
            Some(r) => format!(
                "R\t{expiry}\t{}\t{serial}\tunknown\t{subject}\n",
                revocation_field(r)
            ),
            None => format!("V\t{expiry}\t\t{serial}\tunknown\t{subject}\n"),
        };
        lines.entry(serial).or_insert(line);
    }
    // Revoked serials without a certificate file are still revoked.
    for (serial, r) in &revoked {
        if !lines.contains_key(serial) {
            let line = format!(
                "R\t99991231235959Z\t{}\t{serial}\tunknown\t/CN=unknown\n",
                revocation_field(r)
            );
            lines.insert(serial.clone(), line);
        }
    }
    Ok(lines.into_values().collect())
}

fn revocation_field(r: &Revocation) -> String {
    match r.reason {
        Some(reason) => format!("{},{reason}", r.date),
        None => r.date.clone(),
    }
}

/// CRLReason names as `openssl ca` writes them in the index.
fn reason_name(code: i64) -> Option<&'static str> {
    Some(match code {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "CACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        _ => return None,
    })
}

/// Upper-case hex with an even number of digits, as `openssl ca` and the
/// responder's lookup (`BN_bn2hex`) write serials.
fn serial_hex(serial: &openssl::asn1::Asn1IntegerRef) -> io::Result<String> {
    let bn = serial.to_bn().map_err(|e| ssl_error("serial number", e))?;
    if bn.num_bits() == 0 {
        return Ok("00".to_string());
    }
    let hex = bn.to_hex_str().map_err(|e| ssl_error("serial number", e))?;
    Ok(hex.to_string())
}

/// `YYMMDDHHMMSSZ` for 1950–2049 (UTCTime, which the revocation-date field
/// requires), `YYYYMMDDHHMMSSZ` otherwise, as `openssl ca` writes.
fn index_time(time: &Asn1TimeRef) -> io::Result<String> {
    let epoch = Asn1Time::from_unix(0).map_err(|e| ssl_error("time", e))?;
    let diff = epoch.diff(time).map_err(|e| ssl_error("time", e))?;
    let secs = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (rem / 3600, rem % 3600 / 60, rem % 60);
    Ok(if (1950..2050).contains(&y) {
        format!("{:02}{m:02}{d:02}{hh:02}{mm:02}{ss:02}Z", y % 100)
    } else {
        format!("{y:04}{m:02}{d:02}{hh:02}{mm:02}{ss:02}Z")
    })
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
/// algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `/C=JP/O=…/CN=…` (the index's subject column; tabs and newlines,
/// which would break the format, become spaces).
fn one_line(name: &X509NameRef) -> String {
    let mut out = String::new();
    for entry in name.entries() {
        let key = entry.object().nid().short_name().unwrap_or("UNDEF");
        let value = entry.data().to_string().unwrap_or_default();
        out.push('/');
        out.push_str(key);
        out.push('=');
        out.push_str(&value.replace(['\t', '\n', '\r'], " "));
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

struct OcspHandler(Arc<State>);

impl Handler for OcspHandler {
    fn handle(&self, request: &mut Request, _control: &Control) -> Reply {
        let body = match *request.method() {
            Method::Get => match decode_get(http::path(request)) {
                Some(body) => body,
                None => return Reply::ok(RESPONSE_TYPE, MALFORMED_REQUEST.to_vec()),
            },
            _ => match http::read_post(request, REQUEST_TYPE) {
                Ok(body) => body,
                Err(reply) => return reply.with_header("Allow", "GET, POST".into()),
            },
        };
        if OcspRequest::from_der(&body).is_err() {
            return Reply::ok(RESPONSE_TYPE, MALFORMED_REQUEST.to_vec());
        }
        match self.0.respond(&body) {
            Ok(der) => Reply::ok(RESPONSE_TYPE, der),
            Err(message) => Reply::error(500, &message),
        }
    }
}

/// The request of an RFC 6960 A.1 GET: the path after `/`, URL-decoded,
/// then base64-decoded.
fn decode_get(path: &str) -> Option<Vec<u8>> {
    let encoded = path.strip_prefix('/')?;
    let mut text = Vec::with_capacity(encoded.len());
    let mut bytes = encoded.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = char::from(bytes.next()?).to_digit(16)?;
            let lo = char::from(bytes.next()?).to_digit(16)?;
            text.push(u8::try_from(hi * 16 + lo).ok()?);
        } else {
            text.push(b);
        }
    }
    let text = String::from_utf8(text).ok()?;
    if text.is_empty() || text.len() > crate::MAX_BODY * 2 {
        return None;
    }
    openssl::base64::decode_block(&text).ok()
}

impl State {
    fn respond(&self, request: &[u8]) -> Result<Vec<u8>, String> {
        let dir = tempfile::Builder::new()
            .prefix("req-")
            .tempdir_in(self.work.path())
            .map_err(|e| format!("cannot make a request directory: {e}"))?;
        let request_file = dir.path().join("request.der");
        let response_file = dir.path().join("response.der");
        fs::write(&request_file, request).map_err(|e| e.to_string())?;
        let args: [&OsStr; 15] = [
            "ocsp".as_ref(),
            "-index".as_ref(),
            self.index.as_os_str(),
            "-rsigner".as_ref(),
            self.signer_cert.as_os_str(),
            "-rkey".as_ref(),
            self.signer_key.as_os_str(),
            "-CA".as_ref(),
            self.ca_cert.as_os_str(),
            "-reqin".as_ref(),
            request_file.as_os_str(),
            "-respout".as_ref(),
            response_file.as_os_str(),
            "-ndays".as_ref(),
            "1".as_ref(),
        ];
        let outcome = child::openssl(args, &[]).map_err(|e| e.to_string())?;
        if !outcome.success {
            return Err(format!(
                "openssl ocsp failed: {}",
                outcome.last_error_line()
            ));
        }
        fs::read(&response_file).map_err(|e| format!("openssl ocsp wrote no response: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(32_872), (2060, 1, 1));
    }

    #[test]
    fn index_times() {
        let t = Asn1Time::from_unix(1_795_715_438).unwrap(); // 2026-11-26T17:50:38Z
        assert_eq!(index_time(&t).unwrap(), "261126175038Z");
        let t = Asn1Time::from_unix(2_840_140_800).unwrap(); // 2060-01-01
        assert_eq!(index_time(&t).unwrap(), "20600101000000Z");
    }

    #[test]
    fn get_decoding() {
        assert_eq!(decode_get("/AQID").unwrap(), vec![1, 2, 3]);
        assert_eq!(decode_get("/MA%3D%3D").unwrap(), vec![0x30]);
        assert!(decode_get("/").is_none());
        assert!(decode_get("/%zz").is_none());
        assert!(decode_get("/%").is_none());
        assert!(decode_get("/!!!").is_none());
    }
}
