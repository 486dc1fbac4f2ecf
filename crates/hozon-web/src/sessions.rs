//! Server-side sessions: a table from a random id (32 bytes from OpenSSL's
//! RNG, hex) to who is logged in, the session's CSRF token and when it
//! expires. The browser holds only the id, in an HttpOnly, SameSite=Strict
//! cookie (Secure under TLS). A session before login (the login form's)
//! has no user; logging in replaces it by a new one, so an id seen before
//! login is worth nothing after.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const COOKIE: &str = "hozon_session";

/// Most sessions kept at once (expired ones are dropped first; then the
/// oldest), so that anonymous login forms cannot fill the memory.
const MAX_SESSIONS: usize = 10_000;

/// One session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The logged-in web user; `None` before login.
    pub user: Option<String>,
    /// The token every POST of this session must carry.
    pub csrf: String,
    /// When it ends unless used again.
    pub expires: Instant,
}

/// The table.
#[derive(Debug)]
pub struct Sessions {
    table: Mutex<HashMap<String, Session>>,
    lifetime: Duration,
}

/// 32 random bytes from OpenSSL's RNG, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The RNG failing is OpenSSL's fatal condition; an all-zero token
    // would be guessable, so abort rather than continue.
    if openssl::rand::rand_bytes(&mut bytes).is_err() {
        std::process::abort();
    }
    hex::encode(bytes)
}

/// Compares two tokens in constant time.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && openssl::memcmp::eq(a.as_bytes(), b.as_bytes())
}

impl Sessions {
    /// An empty table whose sessions last `lifetime` after their last use.
    pub fn new(lifetime: Duration) -> Sessions {
        Sessions {
            table: Mutex::new(HashMap::new()),
            lifetime,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new session for `user` (or an anonymous one); returns its id.
    pub fn create(&self, user: Option<String>) -> (String, Session) {
        let now = Instant::now();
        let mut table = self.lock();
        if table.len() >= MAX_SESSIONS {
            table.retain(|_, s| s.expires > now);
            if table.len() >= MAX_SESSIONS {
                if let Some(oldest) = table
                    .iter()
                    .min_by_key(|(_, s)| s.expires)
                    .map(|(k, _)| k.clone())
                {
                    table.remove(&oldest);
                }
            }
        }
        let session = Session {
            user,
            csrf: random_token(),
            expires: now + self.lifetime,
        };
        let id = random_token();
        table.insert(id.clone(), session.clone());
        (id, session)
    }

    /// The live session `id`, its expiry pushed back; an expired one is
    /// removed and not returned.
    pub fn touch(&self, id: &str) -> Option<Session> {
        let now = Instant::now();
        let mut table = self.lock();
        match table.get_mut(id) {
            Some(s) if s.expires > now => {
                s.expires = now + self.lifetime;
                Some(s.clone())
            }
            Some(_) => {
                table.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends session `id`.
    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Makes session `id` expire now (for tests of expiry).
    pub fn expire(&self, id: &str) {
        if let Some(s) = self.lock().get_mut(id) {
            s.expires = Instant::now() - Duration::from_secs(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_expires_and_is_forgotten() {
        let sessions = Sessions::new(Duration::from_secs(60));
        let (id, s) = sessions.create(Some("alice".into()));
        assert_eq!(id.len(), 64);
        assert_ne!(id, s.csrf);
        assert_eq!(sessions.touch(&id).unwrap().user.as_deref(), Some("alice"));
        sessions.expire(&id);
        assert!(sessions.touch(&id).is_none());
        assert!(sessions.touch(&id).is_none());
    }

    #[test]
    fn tokens_differ_and_compare_exactly() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a, &a[..63]));
    }
}
