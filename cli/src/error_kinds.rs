//! The errors that end a command, as the terminal shows them: the known
//! kinds (typed errors of the libraries: a wrong password, a wrong PIN, a
//! key that does not fit its certificate, …) in the run's language from
//! the catalogue, anything else as the library says it (English). JSON
//! never goes through here.

use hozon_i18n::Catalog;
use hozon_sign::{Error as SignError, LoadError};

/// Prints the error that ends the command on stderr.
pub fn print(e: &anyhow::Error) {
    crate::output::error(&describe(crate::lang::cat(), e));
}

/// The text of `e`: in Japanese the catalogue's words for a known kind,
/// else (and always in English, as before `--lang`) the error chain as it
/// is (`context: cause`). The English catalogue holds the libraries' own
/// words for the known kinds (tested), so both languages have every key.
pub fn describe(cat: &Catalog, e: &anyhow::Error) -> String {
    let translated = match cat.lang() {
        hozon_i18n::Lang::En => None,
        hozon_i18n::Lang::Ja => e.chain().find_map(|cause| known(cat, cause)),
    };
    translated.unwrap_or_else(|| format!("{e:#}"))
}

/// The catalogue's words for `e` when it is of a known kind.
fn known(cat: &Catalog, e: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(load) = e.downcast_ref::<LoadError>() {
        return match load {
            LoadError::Missing => Some(cat.text("cli-err-signer-missing")),
            LoadError::Sign(inner) => sign_error(cat, inner),
            // Named as the library names them: `FILE: reason`, `TOKEN: reason`.
            LoadError::File { path, reason } => {
                sign_error(cat, reason).map(|r| format!("{}: {r}", path.display()))
            }
            LoadError::Token { token, reason } => {
                sign_error(cat, reason).map(|r| format!("{token}: {r}"))
            }
            _ => None,
        };
    }
    e.downcast_ref::<SignError>()
        .and_then(|inner| sign_error(cat, inner))
}

/// The catalogue's words for a signer error of a known kind.
fn sign_error(cat: &Catalog, e: &SignError) -> Option<String> {
    Some(match e {
        SignError::WrongPassword { path } => cat.text_with(
            "cli-err-wrong-password",
            &[("file", &path.display().to_string())],
        ),
        SignError::KeyCertificateMismatch { subject } => {
            cat.text_with("cli-err-key-mismatch", &[("subject", subject)])
        }
        SignError::CertificateNotUsable { subject, reason } => cat.text_with(
            "cli-err-certificate-not-usable",
            &[("subject", subject), ("reason", reason)],
        ),
        SignError::Pkcs11WrongPin { token } => {
            cat.text_with("cli-err-wrong-pin", &[("token", token)])
        }
        SignError::Pkcs11PinLocked { token } => {
            cat.text_with("cli-err-pin-locked", &[("token", token)])
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hozon_i18n::Lang;

    #[test]
    fn known_kinds_are_in_the_runs_language_and_english_is_unchanged() {
        let wrong = || {
            anyhow::Error::from(LoadError::Sign(SignError::WrongPassword {
                path: "doctor.p12".into(),
            }))
            .context("loading the signer")
        };
        let ja = describe(Catalog::get(Lang::Ja), &wrong());
        assert_eq!(
            ja,
            "doctor.p12: 復号できません。パスワードが違うか、ファイルが壊れています"
        );
        // English is the chain as it always was.
        assert_eq!(
            describe(Catalog::get(Lang::En), &wrong()),
            "loading the signer: doctor.p12: cannot decrypt: wrong password (or a damaged file)"
        );
        // The English catalogue says exactly what the library says.
        let en = Catalog::get(Lang::En);
        let cases: [(Option<String>, String); 6] = [
            (
                known(
                    en,
                    &SignError::WrongPassword {
                        path: "k.p12".into(),
                    },
                ),
                SignError::WrongPassword {
                    path: "k.p12".into(),
                }
                .to_string(),
            ),
            (
                known(en, &LoadError::Missing),
                LoadError::Missing.to_string(),
            ),
            (
                known(
                    en,
                    &SignError::KeyCertificateMismatch {
                        subject: "CN=a".into(),
                    },
                ),
                SignError::KeyCertificateMismatch {
                    subject: "CN=a".into(),
                }
                .to_string(),
            ),
            (
                known(
                    en,
                    &SignError::CertificateNotUsable {
                        subject: "CN=a".into(),
                        reason: "expired".into(),
                    },
                ),
                SignError::CertificateNotUsable {
                    subject: "CN=a".into(),
                    reason: "expired".into(),
                }
                .to_string(),
            ),
            (
                known(en, &SignError::Pkcs11WrongPin { token: "T".into() }),
                SignError::Pkcs11WrongPin { token: "T".into() }.to_string(),
            ),
            (
                known(en, &SignError::Pkcs11PinLocked { token: "T".into() }),
                SignError::Pkcs11PinLocked { token: "T".into() }.to_string(),
            ),
        ];
        for (catalogue, library) in cases {
            assert_eq!(catalogue.as_deref(), Some(library.as_str()));
        }
        assert!(describe(
            Catalog::get(Lang::Ja),
            &anyhow::Error::from(LoadError::Missing)
        )
        .starts_with("署名者が指定されていません"));
        // An unknown kind is the chain as it is.
        let other = anyhow::anyhow!("disk full").context("writing a.p7s");
        assert_eq!(
            describe(Catalog::get(Lang::Ja), &other),
            "writing a.p7s: disk full"
        );
    }

    #[test]
    fn every_cli_message_the_source_names_is_in_both_catalogues() {
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        let mut files = Vec::new();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let mut ids = std::collections::BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(file).unwrap();
            for piece in text.split("\"cli-").skip(1) {
                let id: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                if !id.is_empty() && piece[id.len()..].starts_with('"') {
                    ids.insert(format!("cli-{id}"));
                }
            }
        }
        assert!(ids.len() > 30, "{ids:?}");
        for lang in [Lang::En, Lang::Ja] {
            for id in &ids {
                assert!(Catalog::get(lang).has(id), "{}: {id}", lang.code());
            }
        }
    }
}
