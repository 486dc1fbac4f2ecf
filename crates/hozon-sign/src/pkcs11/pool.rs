//! The session pool: one login serves every session; each worker borrows a
//! logged-in session, up to the token's `ulMaxSessionCount`, and a token that
//! went away fails every later signature with the same error.

use std::sync::{Condvar, Mutex, MutexGuard};

use cryptoki::error::Error as CkError;
use cryptoki::session::Session;

use super::token::{is_token_lost, short};
use super::Pkcs11Signer;
use crate::Error;

/// Logged-in sessions to lend out, at most `cap` open at once.
pub(super) struct Pool {
    state: Mutex<PoolState>,
    returned: Condvar,
    cap: usize,
}

struct PoolState {
    idle: Vec<Session>,
    open: usize,
    /// Set once the token is gone: every later signature fails with it.
    lost: Option<String>,
}

impl Pool {
    /// A pool holding the session that was logged in to, that may open up
    /// to `cap` sessions.
    pub(super) fn new(first: Session, cap: usize) -> Pool {
        Pool {
            state: Mutex::new(PoolState {
                idle: vec![first],
                open: 1,
                lost: None,
            }),
            returned: Condvar::new(),
            cap,
        }
    }

    /// The most sessions open at once.
    pub(super) fn cap(&self) -> usize {
        self.cap
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Pkcs11Signer {
    pub(super) fn lost(&self, reason: String) -> Error {
        Error::Pkcs11TokenLost {
            token: self.token.clone(),
            reason,
        }
    }

    /// Borrows an idle session, opening one if the cap allows, else waits.
    pub(super) fn checkout(&self) -> Result<Session, Error> {
        let mut state = self.pool.lock();
        loop {
            if let Some(reason) = &state.lost {
                return Err(self.lost(reason.clone()));
            }
            if let Some(session) = state.idle.pop() {
                return Ok(session);
            }
            if state.open < self.pool.cap {
                state.open += 1;
                drop(state);
                return match self.context.open_ro_session(self.slot) {
                    Ok(session) => Ok(session),
                    Err(e) => {
                        let mut state = self.pool.lock();
                        state.open -= 1;
                        if is_token_lost(&e) {
                            state.lost = Some(short(&e));
                        }
                        self.pool.returned.notify_all();
                        Err(if is_token_lost(&e) {
                            self.lost(short(&e))
                        } else {
                            Error::Pkcs11 {
                                token: self.token.clone(),
                                reason: format!("cannot open a session: {}", short(&e)),
                            }
                        })
                    }
                };
            }
            state = self
                .pool
                .returned
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    pub(super) fn checkin(&self, session: Session, outcome: &Result<Vec<u8>, CkError>) {
        let mut state = self.pool.lock();
        match outcome {
            Err(e) if is_token_lost(e) => {
                state.lost.get_or_insert_with(|| short(e));
                state.open -= 1;
                drop(session);
            }
            _ => state.idle.push(session),
        }
        self.pool.returned.notify_one();
    }
}
