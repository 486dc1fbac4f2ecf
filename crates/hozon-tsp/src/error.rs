//! Errors of time stamping.

/// Why a time stamp could not be obtained, or a token is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The TSA could not be reached, or the connection failed.
    #[error("{url}: cannot reach the TSA: {reason}")]
    Network {
        /// The TSA URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The TLS handshake with the TSA failed: its certificate is not
    /// trusted, or it refused ours. Retrying cannot help.
    #[error("{url}: TLS handshake failed: {reason}{hint}")]
    Tls {
        /// The TSA URL.
        url: String,
        /// OpenSSL's reason.
        reason: String,
        /// What to check.
        hint: String,
    },
    /// The TSA did not answer in time.
    #[error("{url}: the TSA did not answer within {seconds} s")]
    Timeout {
        /// The TSA URL.
        url: String,
        /// The timeout.
        seconds: u64,
    },
    /// The TSA answered with an HTTP error.
    #[error("{url}: HTTP {status}{hint}")]
    Http {
        /// The TSA URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// Advice for common statuses.
        hint: String,
    },
    /// The TSA refused the request (PKIStatus rejection, waiting, ...).
    #[error(
        "{url}: the TSA refused the request: status {status} ({status_name}){text}{fail_info}"
    )]
    Rejected {
        /// The TSA URL.
        url: String,
        /// PKIStatus.
        status: u8,
        /// Its name.
        status_name: String,
        /// The TSA's statusString, prefixed with ": ".
        text: String,
        /// The failInfo names, prefixed with "; failInfo: ".
        fail_info: String,
    },
    /// The response or token is not well formed.
    #[error("{origin}: malformed time-stamp response: {reason}")]
    Malformed {
        /// Where it came from (URL or file).
        origin: String,
        /// Why.
        reason: String,
    },
    /// The response does not answer our request.
    #[error("{origin}: the time stamp does not match the request: {reason}")]
    Mismatch {
        /// Where it came from.
        origin: String,
        /// What differs.
        reason: String,
    },
    /// The token's signature, ESS binding or TSA certificate is not acceptable.
    #[error("{origin}: the time-stamp token is not valid: {reason}")]
    BadToken {
        /// Where it came from.
        origin: String,
        /// Why.
        reason: String,
        /// Which check failed.
        fault: TokenFault,
    },
    /// Configuration problems (bad URL, unreadable client certificate, ...).
    #[error("TSA configuration: {0}")]
    Config(String),
    /// Every configured TSA is down for the rest of the run (connection
    /// failures or timeouts in a row); the last error of each.
    #[error("no TSA left: every TSA is down for this run after repeated connection failures or timeouts: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    NoTsaLeft(Vec<Error>),
    /// Every configured TSA failed; the last error of each.
    #[error("no TSA could stamp: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    AllFailed(Vec<Error>),
}

/// Which check of a token failed (a verifier maps each to its own
/// sub-indication).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenFault {
    /// Malformed or missing attributes.
    Format,
    /// The TSA certificate is not available.
    MissingCertificate,
    /// The certificate is not a TSA certificate (RFC 3161 §2.3).
    NotTsaCertificate,
    /// No or a wrong ESS signing-certificate binding.
    Binding,
    /// The message digest does not match the TSTInfo.
    Digest,
    /// The signature does not verify.
    Signature,
}

impl Error {
    /// Whether the TSA could not be reached at all: a connection failure
    /// or a timeout (what the circuit breaker counts).
    pub fn is_connect_failure(&self) -> bool {
        matches!(self, Error::Network { .. } | Error::Timeout { .. })
    }

    /// Whether trying the same TSA again may help (network trouble, HTTP
    /// 5xx or 429, timeouts).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Network { .. } | Error::Timeout { .. } => true,
            Error::Http { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }
}
