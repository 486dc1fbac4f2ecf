//! Software keys: PEM private key + certificate (+ chain), or PKCS#12.

use std::path::Path;

use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use openssl::sign::RsaPssSaltlen;
use zeroize::Zeroizing;

use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};

use crate::{AlgorithmChoice, Error, SecretSource, Signer};

/// A private key held in memory (OpenSSL frees key material with cleansing).
pub struct SoftwareSigner {
    key: PKey<Private>,
    cert: Cert,
    chain: Vec<Cert>,
    algorithm: SignatureAlgorithm,
    /// Initialised signing contexts, reused across signatures: setting one
    /// up (algorithm fetch, padding, digest) costs about a tenth of an
    /// RSA-2048 signature, which a batch of small files notices.
    contexts: std::sync::Mutex<Vec<PkeyCtx<Private>>>,
}

impl std::fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("certificate", &self.cert.subject())
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|error| Error::Io {
            path: path.to_path_buf(),
            error,
        })
}

impl SoftwareSigner {
    /// Loads a PEM (or DER) private key, a certificate file whose first
    /// certificate is the signer's (any others are chain), and an optional
    /// chain file. `password` is asked only if the key is encrypted.
    pub fn from_pem_files(
        key_path: &Path,
        cert_path: &Path,
        chain_path: Option<&Path>,
        password: &SecretSource,
        choice: AlgorithmChoice,
    ) -> Result<SoftwareSigner, Error> {
        let key_bytes = read(key_path)?;
        let encrypted = key_bytes.windows(9).any(|w| w == b"ENCRYPTED");
        let key = if encrypted {
            let secret = password.read()?;
            PKey::private_key_from_pem_passphrase(&key_bytes, secret.expose().as_bytes()).map_err(
                |_| Error::WrongPassword {
                    path: key_path.to_path_buf(),
                },
            )?
        } else if key_bytes.starts_with(b"-----")
            || key_bytes.windows(11).any(|w| w == b"-----BEGIN ")
        {
            PKey::private_key_from_pem(&key_bytes).map_err(|e| Error::BadKey {
                path: key_path.to_path_buf(),
                reason: first_reason(&e),
            })?
        } else {
            PKey::private_key_from_der(&key_bytes).map_err(|e| Error::BadKey {
                path: key_path.to_path_buf(),
                reason: first_reason(&e),
            })?
        };
        let mut certs = read_certs(cert_path)?;
        if certs.is_empty() {
            return Err(Error::BadCertificate {
                path: cert_path.to_path_buf(),
                reason: "no certificate found".into(),
            });
        }
        let cert = certs.remove(0);
        if let Some(chain_path) = chain_path {
            certs.extend(read_certs(chain_path)?);
        }
        SoftwareSigner::new(key, cert, certs, choice)
    }

    /// Loads a PKCS#12 file: key, certificate and any CA certificates.
    pub fn from_pkcs12_file(
        path: &Path,
        password: &SecretSource,
        choice: AlgorithmChoice,
    ) -> Result<SoftwareSigner, Error> {
        let bytes = read(path)?;
        hozon_cms::pkcs12::allow_legacy_encryption();
        let p12 = openssl::pkcs12::Pkcs12::from_der(&bytes).map_err(|e| Error::BadKey {
            path: path.to_path_buf(),
            reason: format!("not a PKCS#12 file ({})", first_reason(&e)),
        })?;
        let secret = password.read()?;
        let parsed = p12
            .parse2(secret.expose())
            .map_err(|_| Error::WrongPassword {
                path: path.to_path_buf(),
            })?;
        let key = parsed.pkey.ok_or_else(|| Error::BadKey {
            path: path.to_path_buf(),
            reason: "the PKCS#12 file holds no private key".into(),
        })?;
        let x509 = parsed.cert.ok_or_else(|| Error::BadCertificate {
            path: path.to_path_buf(),
            reason: "the PKCS#12 file holds no certificate".into(),
        })?;
        let to_cert = |x: &openssl::x509::X509Ref| -> Result<Cert, Error> {
            let der = x.to_der()?;
            Cert::from_der(&der).map_err(|e| Error::BadCertificate {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })
        };
        let cert = to_cert(&x509)?;
        let chain = parsed
            .ca
            .map(|stack| stack.iter().map(to_cert).collect::<Result<Vec<_>, _>>())
            .transpose()?
            .unwrap_or_default();
        SoftwareSigner::new(key, cert, chain, choice)
    }

    /// Builds a signer from loaded parts, checking that key and certificate
    /// belong together and choosing the algorithm.
    pub fn new(
        key: PKey<Private>,
        cert: Cert,
        chain: Vec<Cert>,
        choice: AlgorithmChoice,
    ) -> Result<SoftwareSigner, Error> {
        let public = cert.to_openssl()?.public_key()?;
        if !public.public_eq(&key) {
            return Err(Error::KeyCertificateMismatch {
                subject: cert.subject(),
            });
        }
        let algorithm = choose_algorithm(&key, choice)?;
        // Drop the signer's own certificate if the chain repeats it.
        let chain = chain.into_iter().filter(|c| c != &cert).collect();
        Ok(SoftwareSigner {
            key,
            cert,
            chain,
            algorithm,
            contexts: std::sync::Mutex::new(Vec::new()),
        })
    }
}

fn read_certs(path: &Path) -> Result<Vec<Cert>, Error> {
    let bytes = read(path)?;
    Cert::read_bundle(&bytes).map_err(|e| Error::BadCertificate {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn first_reason(e: &openssl::error::ErrorStack) -> String {
    e.errors()
        .first()
        .and_then(|e| e.reason().map(str::to_owned))
        .unwrap_or_else(|| "unreadable".to_owned())
}

/// The signature algorithm for `key` (a private key, or the public key of
/// a certificate whose private half is on a token) under `choice`.
pub(crate) fn choose_algorithm<T: openssl::pkey::HasParams>(
    key: &openssl::pkey::PKeyRef<T>,
    choice: AlgorithmChoice,
) -> Result<SignatureAlgorithm, Error> {
    match key.id() {
        Id::RSA => {
            let digest = choice.digest.unwrap_or(DigestAlgorithm::Sha256);
            Ok(if choice.rsa_pss {
                SignatureAlgorithm::rsa_pss(digest)
            } else {
                SignatureAlgorithm::RsaPkcs1v15(digest)
            })
        }
        Id::EC => {
            if choice.rsa_pss {
                return Err(Error::Unsupported(
                    "--rsa-pss needs an RSA key; this key is ECDSA".into(),
                ));
            }
            let curve = key.ec_key()?.group().curve_name();
            let default = match curve {
                Some(Nid::SECP384R1) => DigestAlgorithm::Sha384,
                Some(Nid::SECP521R1) => DigestAlgorithm::Sha512,
                _ => DigestAlgorithm::Sha256,
            };
            Ok(SignatureAlgorithm::Ecdsa(choice.digest.unwrap_or(default)))
        }
        Id::ED25519 => {
            if choice.rsa_pss || choice.digest.is_some_and(|d| d != DigestAlgorithm::Sha512) {
                return Err(Error::Unsupported(
                    "Ed25519 keys sign with SHA-512 message digests only".into(),
                ));
            }
            Ok(SignatureAlgorithm::Ed25519)
        }
        other => Err(Error::Unsupported(format!(
            "unsupported key type {other:?}"
        ))),
    }
}

impl Signer for SoftwareSigner {
    fn certificate(&self) -> &Cert {
        &self.cert
    }

    fn chain(&self) -> &[Cert] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let Some(digest) = self.algorithm.digest() else {
            // Ed25519 signs the message itself.
            return sign_with_key(&self.key, self.algorithm, message);
        };
        let hash = digest.digest(message)?;
        let pooled = self
            .contexts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        let mut ctx = match pooled {
            Some(ctx) => ctx,
            None => signing_context(&self.key, self.algorithm)?,
        };
        let mut signature = Vec::new();
        ctx.sign_to_vec(&hash, &mut signature)?;
        self.contexts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(ctx);
        Ok(signature)
    }
}

/// A context that signs precomputed digests under `algorithm`.
fn signing_context(
    key: &PKey<Private>,
    algorithm: SignatureAlgorithm,
) -> Result<PkeyCtx<Private>, Error> {
    if algorithm == SignatureAlgorithm::Ed25519 {
        return Err(Error::Unsupported(
            "Ed25519 does not sign precomputed digests".into(),
        ));
    }
    let mut ctx = PkeyCtx::new(key)?;
    ctx.sign_init()?;
    algorithm.configure(&mut ctx)?;
    Ok(ctx)
}

fn md(d: DigestAlgorithm) -> MessageDigest {
    d.message_digest()
}

/// Signs `message` with `key` under `algorithm` (OpenSSL does the work).
pub(crate) fn sign_with_key(
    key: &PKey<Private>,
    algorithm: SignatureAlgorithm,
    message: &[u8],
) -> Result<Vec<u8>, Error> {
    match algorithm {
        SignatureAlgorithm::Ed25519 | SignatureAlgorithm::Ed448 => {
            let mut s = openssl::sign::Signer::new_without_digest(key)?;
            Ok(s.sign_oneshot_to_vec(message)?)
        }
        SignatureAlgorithm::RsaPkcs1v15(d) | SignatureAlgorithm::Ecdsa(d) => {
            let mut s = openssl::sign::Signer::new(md(d), key)?;
            Ok(s.sign_oneshot_to_vec(message)?)
        }
        SignatureAlgorithm::RsaPss {
            digest,
            mgf1_digest,
            salt_len,
        } => {
            let mut s = openssl::sign::Signer::new(md(digest), key)?;
            s.set_rsa_padding(Padding::PKCS1_PSS)?;
            s.set_rsa_mgf1_md(md(mgf1_digest))?;
            s.set_rsa_pss_saltlen(RsaPssSaltlen::custom(i32::from(salt_len)))?;
            Ok(s.sign_oneshot_to_vec(message)?)
        }
    }
}
