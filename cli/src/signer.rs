//! The signer the command line describes: `--key/--cert`, `--pkcs12` or
//! `--pkcs11-*` turned into a hozon-sign [`SignerSpec`] and loaded, and the
//! revocation pre-check's inputs. Shared by `sign` (CAdES, XAdES, PAdES),
//! `scan --sign` and `verify --sign-report`.

use hozon_ltv::{SignerCheck, UnknownStatus};
use hozon_sign::{CadesSigner, SignerSpec};

use crate::args::{SignRevocationArg, SignerArgs, ValidationDataArgs};

/// The signer the arguments describe.
pub fn signer_spec(args: &SignerArgs) -> SignerSpec {
    SignerSpec {
        key: args.key.clone(),
        cert: args.cert.clone(),
        chain: args.chain.clone(),
        pkcs12: args.pkcs12.clone(),
        pass_env: args.pass_env.clone(),
        pass_file: args.pass_file.clone(),
        pkcs11_module: args.pkcs11_module.clone(),
        pkcs11_token: args.pkcs11_token.clone(),
        pkcs11_key: args.pkcs11_key.clone(),
        pkcs11_sessions: args.pkcs11_sessions,
        pin_env: args.pin_env.clone(),
        pin_file: args.pin_file.clone(),
        digest: args.digest.map(crate::tsa::digest_of),
        rsa_pss: args.rsa_pss,
    }
}

/// Loads the signer the arguments describe, ready to make CAdES signatures.
pub fn load_signer(args: &SignerArgs) -> anyhow::Result<CadesSigner> {
    Ok(signer_spec(args).load()?)
}

/// The revocation pre-check's inputs from the validation options.
pub(crate) fn check_setup(
    validation: &ValidationDataArgs,
    revocation: SignRevocationArg,
) -> SignerCheck {
    SignerCheck {
        trust: validation.trust.clone(),
        crls: validation.crl.clone(),
        ocsp: validation.ocsp.clone(),
        certs: validation.certs.clone(),
        offline: validation.offline,
        unknown: match revocation {
            SignRevocationArg::Require => UnknownStatus::Refuse,
            SignRevocationArg::BestEffort => UnknownStatus::SignAnyway,
        },
    }
}

/// What the declarations of [`SignerArgs`] cannot say, because the module
/// may come from the environment: some key must be named, and the token
/// options need a token. [`load_signer`] checks it again, for callers
/// (archive) whose subcommands `Cli::validate` does not know.
pub(crate) fn signer_complete(s: &SignerArgs) -> Result<(), (clap::error::ErrorKind, String)> {
    use clap::error::ErrorKind;
    match signer_spec(s).check() {
        Ok(()) => Ok(()),
        Err(e @ hozon_sign::LoadError::Missing) => {
            Err((ErrorKind::MissingRequiredArgument, e.to_string()))
        }
        Err(e) => Err((ErrorKind::ArgumentConflict, e.to_string())),
    }
}
