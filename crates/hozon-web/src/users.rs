//! The web users file: one `NAME:HASH` line per user, the hash an Argon2id
//! PHC string (RFC 9106 parameters of the `argon2` crate's defaults), `#`
//! comments and blank lines ignored. Written only by `hozon archive
//! web-user add` (atomically, mode 0600); read at every login, so a new
//! user or password needs no restart.

use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use zeroize::Zeroizing;

/// Why the users file cannot be read or written, or a user not added.
#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    /// Reading or writing the file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The users file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line is not `NAME:ARGON2-HASH`.
    #[error("{}: line {line}: {reason}", path.display())]
    Syntax {
        /// The users file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A user name outside the allowed characters.
    #[error("user name {0:?}: use 1 to 64 ASCII letters, digits, '.', '_' or '-'")]
    Name(String),
    /// The two passwords typed differ.
    #[error("the two passwords differ")]
    Mismatch,
    /// An empty password.
    #[error("the password is empty")]
    EmptyPassword,
    /// OpenSSL's RNG or Argon2 failed.
    #[error("hashing the password: {0}")]
    Hash(String),
}

/// Whether `name` may be a web user's name (it appears in audit lines as
/// `web:NAME` and in the users file before a colon).
pub fn is_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The users of a users file: name and PHC hash string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Users {
    entries: Vec<(String, String)>,
}

impl Users {
    /// Reads `path` (a missing file is an error: the server has no users).
    pub fn read(path: &Path) -> Result<Users, UsersError> {
        let text = std::fs::read_to_string(path).map_err(|source| UsersError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Users::parse(path, &text)
    }

    /// Parses the text of the users file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Users, UsersError> {
        let mut entries: Vec<(String, String)> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let syntax = |reason: String| UsersError::Syntax {
                path: path.to_path_buf(),
                line: i + 1,
                reason,
            };
            let (name, hash) = line
                .split_once(':')
                .ok_or_else(|| syntax("not NAME:HASH".into()))?;
            if !is_user_name(name) {
                return Err(syntax(format!("{name:?} is not a user name")));
            }
            let parsed =
                PasswordHash::new(hash).map_err(|e| syntax(format!("not a PHC hash: {e}")))?;
            if parsed.algorithm.as_str() != "argon2id" {
                return Err(syntax(format!(
                    "hash algorithm {} (only argon2id)",
                    parsed.algorithm
                )));
            }
            if entries.iter().any(|(n, _)| n == name) {
                return Err(syntax(format!("user {name:?} appears twice")));
            }
            entries.push((name.to_string(), hash.to_string()));
        }
        Ok(Users { entries })
    }

    /// Whether `password` is `name`'s. An unknown user costs the same
    /// Argon2 work as a known one, so timing does not tell which names exist.
    pub fn check(&self, name: &str, password: &str) -> bool {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let known = self.entries.iter().find(|(n, _)| n == name);
        let hash = match known {
            Some((_, h)) => h.as_str(),
            None => DUMMY
                .get_or_init(|| hash_password("not a password").unwrap_or_default())
                .as_str(),
        };
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && known.is_some()
    }

    /// The user names, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }
}

/// The Argon2id PHC string of `password`, with a 16-byte salt from
/// OpenSSL's RNG.
pub fn hash_password(password: &str) -> Result<String, UsersError> {
    let mut salt = [0u8; 16];
    openssl::rand::rand_bytes(&mut salt).map_err(|e| UsersError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| UsersError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| UsersError::Hash(e.to_string()))
}

/// A new password: asked twice on the terminal when standard input is
/// one, else one line read from standard input (for scripts); never an
/// argument. Held in memory that is wiped on drop.
pub fn read_new_password() -> Result<Zeroizing<String>, UsersError> {
    use std::io::{BufRead, IsTerminal};
    let io = |source| UsersError::Io {
        path: PathBuf::from("<stdin>"),
        source,
    };
    let password = if std::io::stdin().is_terminal() {
        let first = Zeroizing::new(rpassword::prompt_password("New password: ").map_err(io)?);
        let again = Zeroizing::new(rpassword::prompt_password("Again: ").map_err(io)?);
        if *first != *again {
            return Err(UsersError::Mismatch);
        }
        first
    } else {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line).map_err(io)?;
        let trimmed = line.trim_end_matches(['\n', '\r']);
        Zeroizing::new(trimmed.to_string())
    };
    if password.is_empty() {
        return Err(UsersError::EmptyPassword);
    }
    Ok(password)
}

/// Adds `name` with `password` to the users file at `path` (created if
/// missing), or replaces that user's hash; returns whether the user was
/// new. The file is replaced atomically and readable by its owner only.
pub fn add_user(path: &Path, name: &str, password: &Zeroizing<String>) -> Result<bool, UsersError> {
    if !is_user_name(name) {
        return Err(UsersError::Name(name.to_string()));
    }
    if password.is_empty() {
        return Err(UsersError::EmptyPassword);
    }
    let io = |source| UsersError::Io {
        path: path.to_path_buf(),
        source,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io(e)),
    };
    // Checked whole before it is rewritten.
    Users::parse(path, &text)?;
    let hash = hash_password(password)?;
    let mut out = String::new();
    let mut new = true;
    for line in text.lines() {
        if line.trim().split_once(':').map(|(n, _)| n) == Some(name) {
            out.push_str(&format!("{name}:{hash}\n"));
            new = false;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if new {
        if out.is_empty() {
            out.push_str("# hozon archive serve users (NAME:ARGON2ID-HASH); written by `hozon archive web-user add`\n");
        }
        out.push_str(&format!("{name}:{hash}\n"));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".web-users.")
        .tempfile_in(&dir)
        .map_err(io)?;
    {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
        tmp.write_all(out.as_bytes()).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
    }
    tmp.persist(path).map_err(|e| io(e.error))?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_added_logs_in_with_that_password_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users");
        assert!(add_user(&path, "alice", &Zeroizing::new("s3cret pass".into())).unwrap());
        assert!(add_user(&path, "bob", &Zeroizing::new("other".into())).unwrap());
        let users = Users::read(&path).unwrap();
        assert!(users.check("alice", "s3cret pass"));
        assert!(!users.check("alice", "s3cret pasS"));
        assert!(!users.check("alice", "other"));
        assert!(!users.check("carol", "other"));
        assert_eq!(users.names().collect::<Vec<_>>(), ["alice", "bob"]);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("alice:$argon2id$"), "{text}");
    }

    #[test]
    fn adding_an_existing_user_replaces_the_password() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users");
        add_user(&path, "alice", &Zeroizing::new("one".into())).unwrap();
        assert!(!add_user(&path, "alice", &Zeroizing::new("two".into())).unwrap());
        let users = Users::read(&path).unwrap();
        assert!(users.check("alice", "two"));
        assert!(!users.check("alice", "one"));
        assert_eq!(users.names().count(), 1);
    }

    #[test]
    fn bad_names_and_empty_passwords_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users");
        for name in ["", "a:b", "a b", "../x", &"x".repeat(65)] {
            let err = add_user(&path, name, &Zeroizing::new("p".into())).unwrap_err();
            assert!(matches!(err, UsersError::Name(_)), "{name:?}: {err}");
        }
        let err = add_user(&path, "alice", &Zeroizing::new(String::new())).unwrap_err();
        assert!(matches!(err, UsersError::EmptyPassword), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn a_line_that_is_not_an_argon2id_hash_is_named() {
        let path = Path::new("users");
        let err = Users::parse(path, "# c\n\nalice:plaintext\n").unwrap_err();
        assert!(matches!(err, UsersError::Syntax { line: 3, .. }), "{err}");
        let err = Users::parse(path, "alice\n").unwrap_err();
        assert!(err.to_string().contains("not NAME:HASH"), "{err}");
        let hash = hash_password("x").unwrap();
        let err = Users::parse(path, &format!("a:{hash}\na:{hash}\n")).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
    }
}
