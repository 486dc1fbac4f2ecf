//! The closed set of digest and signature algorithms hozon understands, and
//! their mapping to and from `AlgorithmIdentifier`s.
//!
//! Verification policy (which of these are still acceptable, and until when)
//! is not decided here; this module only says what an identifier means.

use const_oid::db::{rfc5912, rfc8410};
use der::asn1::ObjectIdentifier;
use der::{Any, Decode, Encode, Tagged};
use pkcs1::{RsaPssParams, TrailerField};
use spki::{AlgorithmIdentifier, AlgorithmIdentifierOwned, AlgorithmIdentifierRef};

use crate::Error;

/// A message digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestAlgorithm {
    /// MD5 (RFC 1321); broken, recognised only so that it can be rejected by name.
    Md5,
    /// SHA-1; collision-broken, acceptable only for old signatures by policy.
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256, the default.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA3-224 (FIPS 202).
    Sha3_224,
    /// SHA3-256 (FIPS 202).
    Sha3_256,
    /// SHA3-384 (FIPS 202).
    Sha3_384,
    /// SHA3-512 (FIPS 202).
    Sha3_512,
}

impl DigestAlgorithm {
    /// Every digest algorithm, weakest first.
    pub const ALL: [DigestAlgorithm; 10] = [
        DigestAlgorithm::Md5,
        DigestAlgorithm::Sha1,
        DigestAlgorithm::Sha224,
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
        DigestAlgorithm::Sha3_224,
        DigestAlgorithm::Sha3_256,
        DigestAlgorithm::Sha3_384,
        DigestAlgorithm::Sha3_512,
    ];

    /// The algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Md5 => rfc5912::ID_MD_5,
            DigestAlgorithm::Sha1 => rfc5912::ID_SHA_1,
            DigestAlgorithm::Sha224 => rfc5912::ID_SHA_224,
            DigestAlgorithm::Sha256 => rfc5912::ID_SHA_256,
            DigestAlgorithm::Sha384 => rfc5912::ID_SHA_384,
            DigestAlgorithm::Sha512 => rfc5912::ID_SHA_512,
            DigestAlgorithm::Sha3_224 => nist::ID_SHA3_224,
            DigestAlgorithm::Sha3_256 => nist::ID_SHA3_256,
            DigestAlgorithm::Sha3_384 => nist::ID_SHA3_384,
            DigestAlgorithm::Sha3_512 => nist::ID_SHA3_512,
        }
    }

    /// The algorithm named by `oid`, if hozon knows it.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<DigestAlgorithm> {
        DigestAlgorithm::ALL.into_iter().find(|d| d.oid() == *oid)
    }

    /// Reads a digest `AlgorithmIdentifier`. Parameters must be absent or NULL
    /// (RFC 5754 §2).
    pub fn from_identifier<P: Encode>(
        id: &AlgorithmIdentifier<P>,
    ) -> Result<DigestAlgorithm, Error> {
        let digest = DigestAlgorithm::from_oid(&id.oid).ok_or(Error::UnsupportedAlgorithm {
            kind: "digest",
            oid: id.oid,
        })?;
        if let Some(params) = &id.parameters {
            let der = params.to_der().map_err(Error::Encode)?;
            if der != [0x05, 0x00] {
                return Err(Error::BadAlgorithmParameters {
                    oid: id.oid,
                    reason: "digest parameters must be absent or NULL".into(),
                });
            }
        }
        Ok(digest)
    }

    /// The identifier hozon writes: parameters absent, as RFC 5754 §2 says
    /// implementations SHOULD do for SHA-2.
    pub fn identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// The OpenSSL digest.
    pub fn message_digest(self) -> openssl::hash::MessageDigest {
        use openssl::hash::MessageDigest;
        match self {
            DigestAlgorithm::Md5 => MessageDigest::md5(),
            DigestAlgorithm::Sha1 => MessageDigest::sha1(),
            DigestAlgorithm::Sha224 => MessageDigest::sha224(),
            DigestAlgorithm::Sha256 => MessageDigest::sha256(),
            DigestAlgorithm::Sha384 => MessageDigest::sha384(),
            DigestAlgorithm::Sha512 => MessageDigest::sha512(),
            DigestAlgorithm::Sha3_224 => MessageDigest::sha3_224(),
            DigestAlgorithm::Sha3_256 => MessageDigest::sha3_256(),
            DigestAlgorithm::Sha3_384 => MessageDigest::sha3_384(),
            DigestAlgorithm::Sha3_512 => MessageDigest::sha3_512(),
        }
    }

    /// Digests everything `reader` yields, in constant memory.
    pub fn digest_reader(self, mut reader: impl std::io::Read) -> std::io::Result<Vec<u8>> {
        thread_local! {
            // One read buffer per thread, reused: a batch hashes thousands of
            // small files and must not allocate and clear 256 KiB for each.
            static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; 256 * 1024]);
        }
        let mut digester = Digester::new(self).map_err(std::io::Error::other)?;
        BUFFER.with_borrow_mut(|buf| loop {
            let n = match reader.read(buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            digester.update(&buf[..n]).map_err(std::io::Error::other)?;
        })?;
        digester.finish().map_err(std::io::Error::other)
    }

    /// Digests `data`.
    pub fn digest(self, data: &[u8]) -> Result<Vec<u8>, openssl::error::ErrorStack> {
        let mut d = Digester::new(self)?;
        d.update(data)?;
        d.finish()
    }

    /// The OpenSSL digest, for `PkeyCtx` parameters.
    pub fn md(self) -> &'static openssl::md::MdRef {
        use openssl::md::Md;
        match self {
            DigestAlgorithm::Md5 => Md::md5(),
            DigestAlgorithm::Sha1 => Md::sha1(),
            DigestAlgorithm::Sha224 => Md::sha224(),
            DigestAlgorithm::Sha256 => Md::sha256(),
            DigestAlgorithm::Sha384 => Md::sha384(),
            DigestAlgorithm::Sha512 => Md::sha512(),
            DigestAlgorithm::Sha3_224 => Md::sha3_224(),
            DigestAlgorithm::Sha3_256 => Md::sha3_256(),
            DigestAlgorithm::Sha3_384 => Md::sha3_384(),
            DigestAlgorithm::Sha3_512 => Md::sha3_512(),
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Md5 => 16,
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha224 => 28,
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
            DigestAlgorithm::Sha3_224 => 28,
            DigestAlgorithm::Sha3_256 => 32,
            DigestAlgorithm::Sha3_384 => 48,
            DigestAlgorithm::Sha3_512 => 64,
        }
    }

    /// The usual name (`SHA-256`).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Sha1 => "SHA-1",
            DigestAlgorithm::Sha224 => "SHA-224",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
            DigestAlgorithm::Sha3_224 => "SHA3-224",
            DigestAlgorithm::Sha3_256 => "SHA3-256",
            DigestAlgorithm::Sha3_384 => "SHA3-384",
            DigestAlgorithm::Sha3_512 => "SHA3-512",
        }
    }
}

impl std::fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for DigestAlgorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s.chars().filter(|c| *c != '-' && *c != '_').collect();
        match norm.to_ascii_lowercase().as_str() {
            "sha256" => Ok(DigestAlgorithm::Sha256),
            "sha384" => Ok(DigestAlgorithm::Sha384),
            "sha512" => Ok(DigestAlgorithm::Sha512),
            "sha224" => Ok(DigestAlgorithm::Sha224),
            "sha1" => Ok(DigestAlgorithm::Sha1),
            "md5" => Ok(DigestAlgorithm::Md5),
            "sha3224" => Ok(DigestAlgorithm::Sha3_224),
            "sha3256" => Ok(DigestAlgorithm::Sha3_256),
            "sha3384" => Ok(DigestAlgorithm::Sha3_384),
            "sha3512" => Ok(DigestAlgorithm::Sha3_512),
            _ => Err(format!(
                "unknown digest algorithm {s:?} (expected sha256, sha384 or sha512)"
            )),
        }
    }
}

/// An incremental digest.
///
/// The SHA family goes through OpenSSL's one-shot SHA functions rather than
/// `EVP_MD_fetch`: under OpenSSL 3.0 every fetch takes global read-write
/// locks, and two threads verifying small signatures spent more than half
/// their time contending on them.
pub enum Digester {
    /// SHA-1.
    Sha1(openssl::sha::Sha1),
    /// SHA-224.
    Sha224(openssl::sha::Sha224),
    /// SHA-256.
    Sha256(openssl::sha::Sha256),
    /// SHA-384.
    Sha384(openssl::sha::Sha384),
    /// SHA-512.
    Sha512(openssl::sha::Sha512),
    /// Anything else, through EVP.
    Evp(openssl::hash::Hasher),
}

impl Digester {
    /// A fresh digest computation.
    pub fn new(alg: DigestAlgorithm) -> Result<Digester, openssl::error::ErrorStack> {
        Ok(match alg {
            DigestAlgorithm::Sha1 => Digester::Sha1(openssl::sha::Sha1::new()),
            DigestAlgorithm::Sha224 => Digester::Sha224(openssl::sha::Sha224::new()),
            DigestAlgorithm::Sha256 => Digester::Sha256(openssl::sha::Sha256::new()),
            DigestAlgorithm::Sha384 => Digester::Sha384(openssl::sha::Sha384::new()),
            DigestAlgorithm::Sha512 => Digester::Sha512(openssl::sha::Sha512::new()),
            DigestAlgorithm::Md5
            | DigestAlgorithm::Sha3_224
            | DigestAlgorithm::Sha3_256
            | DigestAlgorithm::Sha3_384
            | DigestAlgorithm::Sha3_512 => {
                Digester::Evp(openssl::hash::Hasher::new(alg.message_digest())?)
            }
        })
    }

    /// Feeds `data`.
    pub fn update(&mut self, data: &[u8]) -> Result<(), openssl::error::ErrorStack> {
        match self {
            Digester::Sha1(h) => h.update(data),
            Digester::Sha224(h) => h.update(data),
            Digester::Sha256(h) => h.update(data),
            Digester::Sha384(h) => h.update(data),
            Digester::Sha512(h) => h.update(data),
            Digester::Evp(h) => return h.update(data),
        }
        Ok(())
    }

    /// The digest value.
    pub fn finish(self) -> Result<Vec<u8>, openssl::error::ErrorStack> {
        Ok(match self {
            Digester::Sha1(h) => h.finish().to_vec(),
            Digester::Sha224(h) => h.finish().to_vec(),
            Digester::Sha256(h) => h.finish().to_vec(),
            Digester::Sha384(h) => h.finish().to_vec(),
            Digester::Sha512(h) => h.finish().to_vec(),
            Digester::Evp(mut h) => h.finish()?.to_vec(),
        })
    }
}

/// A signature algorithm, with the digest it signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    RsaPkcs1v15(DigestAlgorithm),
    /// RSASSA-PSS (RFC 8017 §8.1, RFC 4055), MGF1.
    RsaPss {
        /// The message digest.
        digest: DigestAlgorithm,
        /// The digest inside MGF1.
        mgf1_digest: DigestAlgorithm,
        /// Salt length in bytes.
        salt_len: u8,
    },
    /// ECDSA (RFC 5758 identifiers), DER-encoded `Ecdsa-Sig-Value`.
    Ecdsa(DigestAlgorithm),
    /// Ed25519 (RFC 8419): the message is signed as is, without a digest.
    Ed25519,
    /// Ed448 (RFC 8419): the message is signed as is, without a digest.
    Ed448,
}

impl SignatureAlgorithm {
    /// RSASSA-PSS with MGF1 over the same digest and a salt as long as the
    /// digest output: the parameters RFC 4055 and ETSI TS 119 312 recommend.
    pub fn rsa_pss(digest: DigestAlgorithm) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaPss {
            digest,
            mgf1_digest: digest,
            // Digest outputs are at most 64 bytes, so this never truncates.
            salt_len: u8::try_from(digest.output_len()).unwrap_or(u8::MAX),
        }
    }

    /// The digest the signature is computed with; `None` for Ed25519.
    pub fn digest(&self) -> Option<DigestAlgorithm> {
        match *self {
            SignatureAlgorithm::RsaPkcs1v15(d) | SignatureAlgorithm::Ecdsa(d) => Some(d),
            SignatureAlgorithm::RsaPss { digest, .. } => Some(digest),
            SignatureAlgorithm::Ed25519 | SignatureAlgorithm::Ed448 => None,
        }
    }

    /// A short human name (`RSA-PSS with SHA-256`).
    pub fn name(&self) -> String {
        match self {
            SignatureAlgorithm::RsaPkcs1v15(d) => format!("RSA PKCS#1 v1.5 with {d}"),
            SignatureAlgorithm::RsaPss { digest, .. } => format!("RSA-PSS with {digest}"),
            SignatureAlgorithm::Ecdsa(d) => format!("ECDSA with {d}"),
            SignatureAlgorithm::Ed25519 => "Ed25519".to_owned(),
            SignatureAlgorithm::Ed448 => "Ed448".to_owned(),
        }
    }

    /// Sets the padding and digest parameters of an OpenSSL context that
    /// was initialised for signing or verifying, so that it signs or
    /// verifies **precomputed digests** under this algorithm. Signing and
    /// verification share this so that they can never disagree. Ed25519
    /// signs messages, not digests: callers must not use a context for it,
    /// and nothing is set here.
    pub fn configure<T>(
        &self,
        ctx: &mut openssl::pkey_ctx::PkeyCtx<T>,
    ) -> Result<(), openssl::error::ErrorStack> {
        use openssl::rsa::Padding;
        match *self {
            SignatureAlgorithm::RsaPkcs1v15(d) => {
                ctx.set_rsa_padding(Padding::PKCS1)?;
                ctx.set_signature_md(d.md())
            }
            SignatureAlgorithm::RsaPss {
                digest,
                mgf1_digest,
                salt_len,
            } => {
                ctx.set_rsa_padding(Padding::PKCS1_PSS)?;
                ctx.set_signature_md(digest.md())?;
                ctx.set_rsa_mgf1_md(mgf1_digest.md())?;
                ctx.set_rsa_pss_saltlen(openssl::sign::RsaPssSaltlen::custom(i32::from(salt_len)))
            }
            SignatureAlgorithm::Ecdsa(d) => ctx.set_signature_md(d.md()),
            SignatureAlgorithm::Ed25519 | SignatureAlgorithm::Ed448 => Ok(()),
        }
    }

    /// Interprets a SignerInfo `signatureAlgorithm`. `digest_alg` is the
    /// SignerInfo's `digestAlgorithm`, needed because OpenSSL and others write
    /// the bare key algorithm (`rsaEncryption`, `id-ecPublicKey`) here.
    pub fn from_identifier(
        id: &AlgorithmIdentifierOwned,
        digest_alg: DigestAlgorithm,
    ) -> Result<SignatureAlgorithm, Error> {
        use DigestAlgorithm as D;
        use SignatureAlgorithm as S;
        let oid = id.oid;
        let rsa = |d| -> Result<SignatureAlgorithm, Error> {
            null_or_absent(id)?;
            Ok(S::RsaPkcs1v15(d))
        };
        let ecdsa = |d| -> Result<SignatureAlgorithm, Error> {
            if id.parameters.is_some() {
                return Err(Error::BadAlgorithmParameters {
                    oid,
                    reason: "ECDSA signature parameters must be absent (RFC 5758 §3.2)".into(),
                });
            }
            Ok(S::Ecdsa(d))
        };
        match oid {
            o if o == rfc5912::RSA_ENCRYPTION => rsa(digest_alg),
            o if o == rfc5912::MD_5_WITH_RSA_ENCRYPTION => rsa(D::Md5),
            o if o == rfc5912::SHA_1_WITH_RSA_ENCRYPTION => rsa(D::Sha1),
            o if o == rfc5912::SHA_224_WITH_RSA_ENCRYPTION => rsa(D::Sha224),
            o if o == rfc5912::SHA_256_WITH_RSA_ENCRYPTION => rsa(D::Sha256),
            o if o == rfc5912::SHA_384_WITH_RSA_ENCRYPTION => rsa(D::Sha384),
            o if o == rfc5912::SHA_512_WITH_RSA_ENCRYPTION => rsa(D::Sha512),
            o if o == rfc5912::ID_RSASSA_PSS => pss_from_parameters(id),
            o if o == rfc5912::ID_EC_PUBLIC_KEY => Ok(S::Ecdsa(digest_alg)),
            o if o == ECDSA_WITH_SHA_1 => ecdsa(D::Sha1),
            o if o == rfc5912::ECDSA_WITH_SHA_224 => ecdsa(D::Sha224),
            o if o == rfc5912::ECDSA_WITH_SHA_256 => ecdsa(D::Sha256),
            o if o == rfc5912::ECDSA_WITH_SHA_384 => ecdsa(D::Sha384),
            o if o == rfc5912::ECDSA_WITH_SHA_512 => ecdsa(D::Sha512),
            o if o == rfc8410::ID_ED_25519 => Ok(S::Ed25519),
            o if o == rfc8410::ID_ED_448 => Ok(S::Ed448),
            o if o == nist::RSA_WITH_SHA3_224 => rsa(D::Sha3_224),
            o if o == nist::RSA_WITH_SHA3_256 => rsa(D::Sha3_256),
            o if o == nist::RSA_WITH_SHA3_384 => rsa(D::Sha3_384),
            o if o == nist::RSA_WITH_SHA3_512 => rsa(D::Sha3_512),
            o if o == nist::ECDSA_WITH_SHA3_224 => ecdsa(D::Sha3_224),
            o if o == nist::ECDSA_WITH_SHA3_256 => ecdsa(D::Sha3_256),
            o if o == nist::ECDSA_WITH_SHA3_384 => ecdsa(D::Sha3_384),
            o if o == nist::ECDSA_WITH_SHA3_512 => ecdsa(D::Sha3_512),
            _ => Err(Error::UnsupportedAlgorithm {
                kind: "signature",
                oid,
            }),
        }
    }

    /// The identifier hozon writes for this algorithm.
    pub fn identifier(&self) -> Result<AlgorithmIdentifierOwned, Error> {
        use DigestAlgorithm as D;
        let (oid, parameters) = match *self {
            SignatureAlgorithm::RsaPkcs1v15(d) => {
                let oid = match d {
                    D::Md5 => rfc5912::MD_5_WITH_RSA_ENCRYPTION,
                    D::Sha1 => rfc5912::SHA_1_WITH_RSA_ENCRYPTION,
                    D::Sha224 => rfc5912::SHA_224_WITH_RSA_ENCRYPTION,
                    D::Sha256 => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
                    D::Sha384 => rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
                    D::Sha512 => rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
                    D::Sha3_224 => nist::RSA_WITH_SHA3_224,
                    D::Sha3_256 => nist::RSA_WITH_SHA3_256,
                    D::Sha3_384 => nist::RSA_WITH_SHA3_384,
                    D::Sha3_512 => nist::RSA_WITH_SHA3_512,
                };
                (oid, Some(Any::null()))
            }
            SignatureAlgorithm::RsaPss {
                digest,
                mgf1_digest,
                salt_len,
            } => {
                let hash_oid = digest.oid();
                let mgf_hash_oid = mgf1_digest.oid();
                let params = RsaPssParams {
                    hash: AlgorithmIdentifierRef {
                        oid: hash_oid,
                        parameters: Some(der::AnyRef::NULL),
                    },
                    mask_gen: AlgorithmIdentifier {
                        oid: rfc5912::ID_MGF_1,
                        parameters: Some(AlgorithmIdentifierRef {
                            oid: mgf_hash_oid,
                            parameters: Some(der::AnyRef::NULL),
                        }),
                    },
                    salt_len,
                    trailer_field: TrailerField::BC,
                };
                let der = params.to_der().map_err(Error::Encode)?;
                let any = Any::from_der(&der).map_err(Error::Encode)?;
                (rfc5912::ID_RSASSA_PSS, Some(any))
            }
            SignatureAlgorithm::Ecdsa(d) => {
                let oid = match d {
                    D::Sha1 => ECDSA_WITH_SHA_1,
                    D::Sha224 => rfc5912::ECDSA_WITH_SHA_224,
                    D::Sha256 => rfc5912::ECDSA_WITH_SHA_256,
                    D::Sha384 => rfc5912::ECDSA_WITH_SHA_384,
                    D::Sha512 => rfc5912::ECDSA_WITH_SHA_512,
                    D::Sha3_224 => nist::ECDSA_WITH_SHA3_224,
                    D::Sha3_256 => nist::ECDSA_WITH_SHA3_256,
                    D::Sha3_384 => nist::ECDSA_WITH_SHA3_384,
                    D::Sha3_512 => nist::ECDSA_WITH_SHA3_512,
                    D::Md5 => {
                        return Err(Error::UnsupportedAlgorithm {
                            kind: "signature",
                            oid: D::Md5.oid(),
                        })
                    }
                };
                (oid, None)
            }
            SignatureAlgorithm::Ed25519 => (rfc8410::ID_ED_25519, None),
            SignatureAlgorithm::Ed448 => (rfc8410::ID_ED_448, None),
        };
        Ok(AlgorithmIdentifierOwned { oid, parameters })
    }
}

impl std::fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// The SHA-3 identifiers of NIST's Computer Security Objects Register
/// (RFC 8702 for RSA and ECDSA), absent from `const-oid`'s RFC 5912 set.
mod nist {
    use der::asn1::ObjectIdentifier as O;
    pub const ID_SHA3_224: O = O::new_unwrap("2.16.840.1.101.3.4.2.7");
    pub const ID_SHA3_256: O = O::new_unwrap("2.16.840.1.101.3.4.2.8");
    pub const ID_SHA3_384: O = O::new_unwrap("2.16.840.1.101.3.4.2.9");
    pub const ID_SHA3_512: O = O::new_unwrap("2.16.840.1.101.3.4.2.10");
    pub const ECDSA_WITH_SHA3_224: O = O::new_unwrap("2.16.840.1.101.3.4.3.9");
    pub const ECDSA_WITH_SHA3_256: O = O::new_unwrap("2.16.840.1.101.3.4.3.10");
    pub const ECDSA_WITH_SHA3_384: O = O::new_unwrap("2.16.840.1.101.3.4.3.11");
    pub const ECDSA_WITH_SHA3_512: O = O::new_unwrap("2.16.840.1.101.3.4.3.12");
    pub const RSA_WITH_SHA3_224: O = O::new_unwrap("2.16.840.1.101.3.4.3.13");
    pub const RSA_WITH_SHA3_256: O = O::new_unwrap("2.16.840.1.101.3.4.3.14");
    pub const RSA_WITH_SHA3_384: O = O::new_unwrap("2.16.840.1.101.3.4.3.15");
    pub const RSA_WITH_SHA3_512: O = O::new_unwrap("2.16.840.1.101.3.4.3.16");
}

/// `ecdsa-with-SHA1` (RFC 3279 §2.2.3), absent from `const-oid`'s RFC 5912 set.
const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

fn null_or_absent(id: &AlgorithmIdentifierOwned) -> Result<(), Error> {
    match &id.parameters {
        None => Ok(()),
        Some(p) if p.tag() == der::Tag::Null && p.value().is_empty() => Ok(()),
        Some(_) => Err(Error::BadAlgorithmParameters {
            oid: id.oid,
            reason: "RSA PKCS#1 v1.5 parameters must be NULL or absent".into(),
        }),
    }
}

fn pss_from_parameters(id: &AlgorithmIdentifierOwned) -> Result<SignatureAlgorithm, Error> {
    let bad = |reason: &str| Error::BadAlgorithmParameters {
        oid: id.oid,
        reason: reason.to_owned(),
    };
    let params = id
        .parameters
        .as_ref()
        .ok_or_else(|| bad("RSASSA-PSS requires parameters (RFC 4055 §3.1)"))?;
    let der = params.to_der().map_err(Error::Encode)?;
    let params = RsaPssParams::from_der(&der).map_err(|e| bad(&e.to_string()))?;
    let digest = DigestAlgorithm::from_identifier(&params.hash)?;
    if params.mask_gen.oid != rfc5912::ID_MGF_1 {
        return Err(bad(
            "only MGF1 is supported as the mask generation function",
        ));
    }
    let mgf_hash = params
        .mask_gen
        .parameters
        .as_ref()
        .ok_or_else(|| bad("MGF1 without a hash algorithm"))?;
    let mgf1_digest = DigestAlgorithm::from_identifier(mgf_hash)?;
    if params.trailer_field != TrailerField::BC {
        return Err(bad("trailerField must be 1 (0xBC)"));
    }
    Ok(SignatureAlgorithm::RsaPss {
        digest,
        mgf1_digest,
        salt_len: params.salt_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_evp() {
        for alg in DigestAlgorithm::ALL {
            let data = b"hozon digest check";
            let evp = openssl::hash::hash(alg.message_digest(), data)
                .unwrap()
                .to_vec();
            assert_eq!(alg.digest(data).unwrap(), evp, "{alg}");
            assert_eq!(alg.digest_reader(&data[..]).unwrap(), evp, "{alg}");
            assert_eq!(evp.len(), alg.output_len());
        }
    }

    #[test]
    fn sha3_and_ed448_are_known() {
        for (oid, d) in [
            ("2.16.840.1.101.3.4.2.7", DigestAlgorithm::Sha3_224),
            ("2.16.840.1.101.3.4.2.10", DigestAlgorithm::Sha3_512),
        ] {
            assert_eq!(
                DigestAlgorithm::from_oid(&ObjectIdentifier::new_unwrap(oid)),
                Some(d)
            );
        }
        for alg in [
            SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha3_256),
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha3_384),
            SignatureAlgorithm::rsa_pss(DigestAlgorithm::Sha3_512),
            SignatureAlgorithm::Ed448,
        ] {
            let id = alg.identifier().unwrap();
            assert_eq!(
                SignatureAlgorithm::from_identifier(&id, DigestAlgorithm::Sha256).unwrap(),
                alg
            );
        }
    }

    #[test]
    fn pss_identifier_round_trips() {
        let alg = SignatureAlgorithm::rsa_pss(DigestAlgorithm::Sha256);
        let id = alg.identifier().unwrap();
        let back = SignatureAlgorithm::from_identifier(&id, DigestAlgorithm::Sha1).unwrap();
        assert_eq!(back, alg);
    }

    #[test]
    fn pss_defaults_mean_sha1() {
        // An empty RSASSA-PSS-params SEQUENCE means SHA-1, MGF1-SHA-1, salt 20.
        let id = AlgorithmIdentifierOwned {
            oid: rfc5912::ID_RSASSA_PSS,
            parameters: Some(Any::from_der(&[0x30, 0x00]).unwrap()),
        };
        let alg = SignatureAlgorithm::from_identifier(&id, DigestAlgorithm::Sha256).unwrap();
        assert_eq!(
            alg,
            SignatureAlgorithm::RsaPss {
                digest: DigestAlgorithm::Sha1,
                mgf1_digest: DigestAlgorithm::Sha1,
                salt_len: 20
            }
        );
    }

    #[test]
    fn pss_without_parameters_is_rejected() {
        let id = AlgorithmIdentifierOwned {
            oid: rfc5912::ID_RSASSA_PSS,
            parameters: None,
        };
        assert!(matches!(
            SignatureAlgorithm::from_identifier(&id, DigestAlgorithm::Sha256),
            Err(Error::BadAlgorithmParameters { .. })
        ));
    }

    #[test]
    fn rsa_encryption_takes_the_digest_algorithm() {
        let id = AlgorithmIdentifierOwned {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        };
        assert_eq!(
            SignatureAlgorithm::from_identifier(&id, DigestAlgorithm::Sha384).unwrap(),
            SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha384)
        );
    }

    #[test]
    fn unknown_algorithms_are_errors() {
        let id = AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.2.3.4"),
            parameters: None,
        };
        assert!(matches!(
            SignatureAlgorithm::from_identifier(&id, DigestAlgorithm::Sha256),
            Err(Error::UnsupportedAlgorithm {
                kind: "signature",
                ..
            })
        ));
        assert!(DigestAlgorithm::from_identifier(&id).is_err());
    }

    #[test]
    fn digest_parameters_other_than_null_are_rejected() {
        let id = AlgorithmIdentifierOwned {
            oid: rfc5912::ID_SHA_256,
            parameters: Some(Any::from_der(&[0x02, 0x01, 0x01]).unwrap()),
        };
        assert!(matches!(
            DigestAlgorithm::from_identifier(&id),
            Err(Error::BadAlgorithmParameters { .. })
        ));
    }
}
