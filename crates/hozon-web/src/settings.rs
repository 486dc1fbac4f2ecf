//! What `archive serve` reads from the archive's `hozon.toml` (`[web]`):
//! the users file and how long a login lasts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hozon_archive::{Config, Layout};

/// Minutes a login lasts without `[web] session_minutes`.
pub const DEFAULT_SESSION_MINUTES: u32 = 30;

/// Why the web view cannot start on this archive.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// `hozon.toml` is unreadable or wrong.
    #[error(transparent)]
    Archive(#[from] hozon_archive::Error),
    /// `[web] users` is not set.
    #[error("{}: [web] users is not set: name a users file (`hozon archive web-user add NAME` fills it; docs/web.md)", .0.display())]
    NoUsersFile(PathBuf),
    /// `[web] session_minutes` is 0 or more than a day.
    #[error("{}: [web] session_minutes = {}: between 1 and 1440", .0.display(), .1)]
    SessionMinutes(PathBuf, u32),
}

/// The web view's settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The archive's directory.
    pub root: PathBuf,
    /// The users file (absolute, or relative to the working directory).
    pub users: PathBuf,
    /// Idle time after which a login ends.
    pub session: Duration,
    /// The archive's configuration (for the verifier of record pages and exports).
    pub config: Config,
}

impl Settings {
    /// Reads the settings of the archive at `root`.
    pub fn load(root: &Path) -> Result<Settings, SettingsError> {
        let path = Layout::new(root).config();
        let config = Config::load(&path)?;
        let users =
            users_path(root, &config).ok_or_else(|| SettingsError::NoUsersFile(path.clone()))?;
        let minutes = config
            .web
            .session_minutes
            .unwrap_or(DEFAULT_SESSION_MINUTES);
        if !(1..=1440).contains(&minutes) {
            return Err(SettingsError::SessionMinutes(path, minutes));
        }
        Ok(Settings {
            root: root.to_path_buf(),
            users,
            session: Duration::from_secs(u64::from(minutes) * 60),
            config,
        })
    }
}

/// The users file `[web] users` names, relative paths taken from the
/// archive's directory.
pub fn users_path(root: &Path, config: &Config) -> Option<PathBuf> {
    let users = config.web.users.as_ref()?;
    Some(if users.is_relative() {
        root.join(users)
    } else {
        users.clone()
    })
}
