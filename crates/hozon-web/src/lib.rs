//! The hozon archive's read-only web view (`hozon archive serve`, issue 21
//! item 5; docs/web.md): a login, the status dashboard, search with the
//! filters of `archive search`, a page per record (files with their
//! SHA-256, signature and evidence verdicts in plain words, the evidence
//! timeline) and downloads of a record's files and of its BagIt export.
//!
//! # What it promises
//!
//! * **Read-only.** The catalog is opened read-only; the only file written
//!   is the audit log, which gets an `access` line (who — `web:NAME` —,
//!   what, which records) for every page view, search and download before
//!   the answer is sent ([`audit`]).
//! * **Downloads by catalog only.** A file is named by record id and a file
//!   name that must be one of the names in that record's own `record.json`;
//!   no path from the request ever reaches the file system ([`download`]).
//! * **Login.** Users and Argon2id hashes in the users file named by
//!   `[web] users` in `hozon.toml` ([`users`]); server-side sessions that
//!   expire, HttpOnly + SameSite=Strict cookies (+ Secure under TLS), a
//!   CSRF token on the only two POSTs, login and logout ([`sessions`]).
//! * **Transport.** Loopback by default; a non-loopback address only with
//!   TLS (rustls) ([`listen`]). Every answer carries a strict CSP (no
//!   script at all), `nosniff`, `no-referrer` and `no-store` ([`app`]).
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod app;
pub mod audit;
pub mod download;
pub mod listen;
pub mod pages;
mod respond;
pub mod sessions;
pub mod settings;
mod state;
pub mod users;
mod view;

pub use app::{router, AppState};
pub use listen::{serve, ListenError, ServeOptions};
pub use settings::{Settings, SettingsError};
pub use users::{add_user, UsersError};
