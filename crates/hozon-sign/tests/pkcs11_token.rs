//! `Pkcs11Signer` against a SoftHSM2 token, in process: the paths the CLI
//! tests cannot choose (software hashing with `CKM_RSA_PKCS` over a
//! DigestInfo, bare `CKM_RSA_PKCS_PSS`), a key whose CKA_SIGN is false, and
//! the session pool under concurrent signing.
//!
//! One test function only: a PKCS#11 module is initialised once per process
//! and SoftHSM reads `SOFTHSM2_CONF` then, so the token directory is set up
//! before anything touches the module. Without SoftHSM it says "skipped"
//! when run alone and fails under scripts/test (`HOZON_REQUIRE_TOOLS`).

use std::path::{Path, PathBuf};
use std::process::Command;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::Attribute;
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use openssl::pkey::{PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};

use hozon_cms::{DigestAlgorithm, SignatureAlgorithm};
use hozon_sign::{
    AlgorithmChoice, Error, Pkcs11Options, Pkcs11Signer, SecretSource, Signer, SoftwareSigner,
};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "4711-test";
const PIN_VAR: &str = "HOZON_SIGN_TEST_PIN";
const TOKEN: &str = "unit";

fn pki() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/pki"))
}

fn tool(dir: &Path, name: &str, args: &[&str]) {
    let out = Command::new(name)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn import(dir: &Path, name: &str, label: &str, id: &str) {
    let key = pki().join(format!("{name}.key"));
    let key = key.to_str().unwrap();
    tool(
        dir,
        "softhsm2-util",
        &[
            "--import", key, "--token", TOKEN, "--label", label, "--id", id, "--pin", PIN,
        ],
    );
    let crt = pki().join(format!("{name}.crt"));
    let der = dir.join(format!("{label}.der"));
    tool(
        dir,
        "openssl",
        &[
            "x509",
            "-in",
            crt.to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            der.to_str().unwrap(),
        ],
    );
    tool(
        dir,
        "pkcs11-tool",
        &[
            "--module",
            MODULE,
            "--token-label",
            TOKEN,
            "--login",
            "--pin",
            PIN,
            "--write-object",
            der.to_str().unwrap(),
            "--type",
            "cert",
            "--id",
            id,
            "--label",
            label,
        ],
    );
}

fn options(key: &str, choice: AlgorithmChoice, hash_on_token: bool) -> Pkcs11Options {
    Pkcs11Options {
        token: Some(TOKEN.into()),
        key: Some(key.into()),
        choice,
        hash_on_token,
        ..Pkcs11Options::new(MODULE, SecretSource::Env(PIN_VAR.into()))
    }
}

fn public_key(signer: &Pkcs11Signer) -> PKey<Public> {
    signer
        .certificate()
        .to_openssl()
        .unwrap()
        .public_key()
        .unwrap()
}

/// Verifies `signature` over `message` with openssl under `algorithm`.
fn verifies(key: &PKey<Public>, algorithm: SignatureAlgorithm, message: &[u8], sig: &[u8]) -> bool {
    let digest = algorithm.digest().unwrap().message_digest();
    let mut v = Verifier::new(digest, key).unwrap();
    if let SignatureAlgorithm::RsaPss { salt_len, .. } = algorithm {
        v.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
        v.set_rsa_mgf1_md(digest).unwrap();
        v.set_rsa_pss_saltlen(RsaPssSaltlen::custom(i32::from(salt_len)))
            .unwrap();
    }
    v.verify_oneshot(sig, message).unwrap_or(false)
}

#[test]
fn softhsm_token_paths() {
    // Skipped when run alone without SoftHSM; a failure under scripts/test (HOZON_REQUIRE_TOOLS).
    if hozon_testkit::tool_file(Path::new(MODULE), "softhsm2").is_none()
        || hozon_testkit::tool("softhsm2-util", "softhsm2").is_none()
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("tokens")).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            dir.join("tokens").display()
        ),
    )
    .unwrap();
    // The only test in this binary: no other thread reads the environment.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    std::env::set_var(PIN_VAR, PIN);
    tool(
        dir,
        "softhsm2-util",
        &[
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--pin",
            PIN,
            "--so-pin",
            "8642",
        ],
    );
    import(dir, "signer-doctor", "rsa", "01");
    import(dir, "signer-ec", "ec", "02");
    import(dir, "signer-doctor", "no-sign", "03");

    // CKA_SIGN := false on the third key (pkcs11-tool cannot set it).
    {
        let ctx = Pkcs11::new(MODULE).unwrap();
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .unwrap();
        let slot = ctx
            .get_slots_with_token()
            .unwrap()
            .into_iter()
            .find(|s| ctx.get_token_info(*s).unwrap().label() == TOKEN)
            .unwrap();
        let session = ctx.open_rw_session(slot).unwrap();
        session
            .login(UserType::User, Some(&AuthPin::from(PIN.to_owned())))
            .unwrap();
        let keys = session
            .find_objects(&[
                Attribute::Class(cryptoki::object::ObjectClass::PRIVATE_KEY),
                Attribute::Label(b"no-sign".to_vec()),
            ])
            .unwrap();
        session
            .update_attributes(keys[0], &[Attribute::Sign(false)])
            .unwrap();
        session.logout().unwrap();
    }

    let message = b"signed attributes stand-in \xe8\xa8\xba\xe7\x99\x82";
    let pkcs1 = AlgorithmChoice::default();
    let pss = AlgorithmChoice {
        digest: None,
        rsa_pss: true,
    };

    // RSA PKCS#1 v1.5 is deterministic: the combined mechanism, software
    // hashing with CKM_RSA_PKCS over our DigestInfo, and OpenSSL with the
    // same key file must give the same bytes.
    let combined = Pkcs11Signer::open(&options("rsa", pkcs1, true)).unwrap();
    assert_eq!(combined.mechanism(), "CKM_SHA256_RSA_PKCS");
    let software_hash = Pkcs11Signer::open(&options("rsa", pkcs1, false)).unwrap();
    assert_eq!(software_hash.mechanism(), "CKM_RSA_PKCS");
    let file_key = SoftwareSigner::from_pem_files(
        &pki().join("signer-doctor.key"),
        &pki().join("signer-doctor.crt"),
        None,
        &SecretSource::Env("UNUSED".into()),
        pkcs1,
    )
    .unwrap();
    let a = combined.sign(message).unwrap();
    let b = software_hash.sign(message).unwrap();
    assert_eq!(a, b);
    assert_eq!(a, file_key.sign(message).unwrap());
    assert!(verifies(
        &public_key(&combined),
        combined.algorithm(),
        message,
        &a
    ));
    // The chain came from the token? Only the signer's certificate is there
    // (no CA certificates were imported), so the chain is empty.
    assert!(combined.chain().is_empty());
    drop((combined, software_hash));

    // RSA-PSS both ways, SHA-384 for variety.
    for (on_token, mechanism) in [
        (true, "CKM_SHA384_RSA_PKCS_PSS"),
        (false, "CKM_RSA_PKCS_PSS"),
    ] {
        let choice = AlgorithmChoice {
            digest: Some(DigestAlgorithm::Sha384),
            ..pss
        };
        let s = Pkcs11Signer::open(&options("rsa", choice, on_token)).unwrap();
        assert_eq!(s.mechanism(), mechanism);
        let sig = s.sign(message).unwrap();
        assert!(
            verifies(&public_key(&s), s.algorithm(), message, &sig),
            "{mechanism}"
        );
        assert!(!verifies(&public_key(&s), s.algorithm(), b"other", &sig));
    }

    // ECDSA: CKM_ECDSA over a software hash, r || s re-encoded as DER.
    let ec = Pkcs11Signer::open(&options("id:02", pkcs1, true)).unwrap();
    assert_eq!(ec.mechanism(), "CKM_ECDSA");
    assert_eq!(
        ec.algorithm(),
        SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256)
    );
    let sig = ec.sign(message).unwrap();
    assert!(openssl::ecdsa::EcdsaSig::from_der(&sig).is_ok());
    assert!(verifies(&public_key(&ec), ec.algorithm(), message, &sig));

    // The pool: 8 threads share at most 2 sessions; every signature verifies.
    let pooled = Pkcs11Signer::open(&Pkcs11Options {
        max_sessions: 2,
        ..options("ec", pkcs1, true)
    })
    .unwrap();
    assert_eq!(pooled.session_cap(), 2);
    let key = public_key(&pooled);
    std::thread::scope(|scope| {
        for t in 0..8u8 {
            let (pooled, key) = (&pooled, &key);
            scope.spawn(move || {
                for i in 0..5u8 {
                    let m = [t, i, 0xAA];
                    let sig = pooled.sign(&m).unwrap();
                    assert!(verifies(key, pooled.algorithm(), &m, &sig));
                }
            });
        }
    });

    // A key that may not sign is refused before anything is signed.
    match Pkcs11Signer::open(&options("no-sign", pkcs1, true)) {
        Err(Error::Pkcs11KeyCannotSign { key, .. }) => assert!(key.contains("no-sign"), "{key}"),
        other => panic!("expected Pkcs11KeyCannotSign, got {other:?}"),
    }
    // P-256 with --rsa-pss is a usage error, not a token error.
    assert!(matches!(
        Pkcs11Signer::open(&options("ec", pss, true)),
        Err(Error::Unsupported(_))
    ));
}
