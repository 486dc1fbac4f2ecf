//! Passwords and PINs: read from an environment variable, a file or a prompt,
//! never from the command line, and wiped from memory when dropped.

use std::io::IsTerminal;
use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::Error;

/// A password or PIN. Its memory is zeroed on drop and it never prints.
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: String) -> Secret {
        Secret(Zeroizing::new(value))
    }

    /// The secret, for handing to the key store.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where a password comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// The named environment variable.
    Env(String),
    /// The first line of a file (one trailing newline is removed).
    File(PathBuf),
    /// An interactive prompt on the terminal.
    Prompt {
        /// What to ask ("Key password: ").
        prompt: String,
        /// The non-interactive options to name when there is no terminal
        /// ("--pass-env VAR or --pass-file FILE").
        alternatives: String,
    },
}

impl SecretSource {
    /// A prompt asking `prompt`, naming `alternatives` when there is no terminal.
    pub fn prompt(prompt: &str, alternatives: &str) -> SecretSource {
        SecretSource::Prompt {
            prompt: prompt.to_owned(),
            alternatives: alternatives.to_owned(),
        }
    }
}

impl SecretSource {
    /// Obtains the secret.
    pub fn read(&self) -> Result<Secret, Error> {
        match self {
            SecretSource::Env(var) => match std::env::var(var) {
                Ok(v) => Ok(Secret::new(v)),
                Err(std::env::VarError::NotPresent) => Err(Error::Password(format!(
                    "environment variable {var} is not set"
                ))),
                Err(std::env::VarError::NotUnicode(_)) => Err(Error::Password(format!(
                    "environment variable {var} is not valid UTF-8"
                ))),
            },
            SecretSource::File(path) => {
                let bytes = Zeroizing::new(std::fs::read(path).map_err(|error| Error::Io {
                    path: path.clone(),
                    error,
                })?);
                let text = std::str::from_utf8(&bytes)
                    .map_err(|_| Error::Password(format!("{}: not valid UTF-8", path.display())))?;
                let line = text.strip_suffix('\n').unwrap_or(text);
                let line = line.strip_suffix('\r').unwrap_or(line);
                Ok(Secret::new(line.to_owned()))
            }
            SecretSource::Prompt {
                prompt,
                alternatives,
            } => {
                if !std::io::stdin().is_terminal() {
                    let what = prompt.trim().trim_end_matches(':');
                    return Err(Error::Password(format!(
                        "{} is needed but there is no terminal to ask on; use {alternatives}",
                        if what.is_empty() { "a password" } else { what }
                    )));
                }
                rpassword::prompt_password(prompt)
                    .map(Secret::new)
                    .map_err(|e| Error::Password(e.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_secret_strips_one_newline() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pass");
        std::fs::write(&p, "s3cret\r\n").unwrap();
        assert_eq!(SecretSource::File(p).read().unwrap().expose(), "s3cret");
    }

    #[test]
    fn missing_env_is_an_error_naming_the_variable() {
        let err = SecretSource::Env("HOZON_TEST_SURELY_UNSET_VAR".into())
            .read()
            .unwrap_err();
        assert!(err.to_string().contains("HOZON_TEST_SURELY_UNSET_VAR"));
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        assert_eq!(format!("{:?}", Secret::new("pw".into())), "Secret(***)");
    }
}
