//! The loopback CRL and CA-certificate endpoint (what the test
//! certificates' CRL distribution points and AIA caIssuers point at).
//!
//! * `GET /crl/NAME.crl`: the file `NAME.crl` of the PKI directory, byte for
//!   byte (the committed ones are DER; a PEM file is converted to DER), as
//!   `application/pkix-crl`;
//! * `GET /certs/NAME.crt`: the certificate `NAME.crt`, as DER
//!   `application/pkix-cert` (RFC 5280 §4.2.2.1, §4.2.1.13);
//! * 404 for anything else, 405 for methods other than GET and HEAD.
//!
//! Files are read on every request, so a test may replace a CRL while the
//! server runs. `NAME` is limited to letters, digits, `.`, `_` and `-`, not
//! starting with a dot: nothing outside the PKI directory is reachable.

use std::io;
use std::path::PathBuf;

use openssl::x509::{X509Crl, X509};

use crate::http::{self, Control, Handler, HttpServer, Method, Reply, Request};
use crate::Pki;

const WORKERS: usize = 2;

/// A running loopback CRL/certificate server; dropping it stops it and
/// closes its port.
pub struct CrlServer {
    http: HttpServer,
}

impl CrlServer {
    /// Starts serving the files of `pki` on `127.0.0.1:0`.
    pub fn start(pki: &Pki) -> io::Result<CrlServer> {
        let handler = CrlHandler {
            dir: pki.dir.clone(),
        };
        Ok(CrlServer {
            http: HttpServer::start("hozon-crl", handler, WORKERS)?,
        })
    }

    /// Same as [`CrlServer::start`] on `127.0.0.1:port` (18080 is the
    /// port the test certificates' CRL distribution points name). Hold
    /// [`crate::fixed_ports`] while it runs.
    pub fn start_on(pki: &Pki, port: u16) -> io::Result<CrlServer> {
        let handler = CrlHandler {
            dir: pki.dir.clone(),
        };
        Ok(CrlServer {
            http: HttpServer::start_on("hozon-crl", handler, port)?,
        })
    }

    /// The base URL, `http://127.0.0.1:PORT` (no trailing slash): CRLs are
    /// at `{url}/crl/signing-ca.crl`, certificates at
    /// `{url}/certs/signing-ca.crt`.
    pub fn url(&self) -> String {
        self.http.base_url()
    }

    /// How many requests were received (all paths, all outcomes).
    pub fn requests(&self) -> usize {
        self.http.requests()
    }
}

impl std::fmt::Debug for CrlServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrlServer")
            .field("url", &self.url())
            .field("requests", &self.requests())
            .finish_non_exhaustive()
    }
}

struct CrlHandler {
    dir: PathBuf,
}

fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

impl Handler for CrlHandler {
    fn handle(&self, request: &mut Request, _control: &Control) -> Reply {
        if !matches!(*request.method(), Method::Get | Method::Head) {
            return Reply::error(405, "only GET is allowed here")
                .with_header("Allow", "GET, HEAD".into());
        }
        let path = http::path(request);
        let not_found = || Reply::error(404, &format!("not found: {path}"));
        if let Some(file) = path.strip_prefix("/crl/") {
            if !(safe_name(file) && file.ends_with(".crl")) {
                return not_found();
            }
            let Ok(bytes) = std::fs::read(self.dir.join(file)) else {
                return not_found();
            };
            if !is_pem(&bytes) {
                return Reply::ok("application/pkix-crl", bytes);
            }
            match X509Crl::from_pem(&bytes).and_then(|c| c.to_der()) {
                Ok(der) => Reply::ok("application/pkix-crl", der),
                Err(e) => Reply::error(500, &format!("{file}: not a CRL: {e}")),
            }
        } else if let Some(file) = path.strip_prefix("/certs/") {
            if !(safe_name(file) && file.ends_with(".crt")) {
                return not_found();
            }
            let Ok(bytes) = std::fs::read(self.dir.join(file)) else {
                return not_found();
            };
            let der = if is_pem(&bytes) {
                X509::from_pem(&bytes).and_then(|c| c.to_der())
            } else {
                X509::from_der(&bytes).and_then(|c| c.to_der())
            };
            match der {
                Ok(der) => Reply::ok("application/pkix-cert", der),
                Err(e) => Reply::error(500, &format!("{file}: not a certificate: {e}")),
            }
        } else {
            not_found()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn names() {
        assert!(safe_name("signing-ca.crl"));
        assert!(!safe_name("../x.crl"));
        assert!(!safe_name(".hidden.crl"));
        assert!(!safe_name("a/b.crl"));
        assert!(!safe_name("a%2fb.crl"));
        assert!(!safe_name(""));
    }
}
