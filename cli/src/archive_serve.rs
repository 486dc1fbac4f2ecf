//! `hozon archive serve` (the read-only web view) and `hozon archive
//! web-user add` (its users file): argument parsing only; the server is
//! crates/hozon-web. See docs/web.md.

use std::net::SocketAddr;
use std::path::Path;

use hozon_web::{ListenError, ServeOptions};

use crate::args::archive::{ServeArgs, WebUserCommand};
use crate::outcome::Outcome;

/// A usage error (exit 2), as clap reports its own.
fn usage(message: impl std::fmt::Display) -> ! {
    clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{message}\n")).exit()
}

/// Runs `archive serve` until the process is stopped.
pub fn serve(root: &Path, a: ServeArgs) -> anyhow::Result<Outcome> {
    let options = ServeOptions {
        root: root.to_path_buf(),
        listen: a.listen,
        tls: a.tls_cert.zip(a.tls_key),
        lang: crate::lang::lang(),
    };
    let on_bound = |scheme: &str, addr: SocketAddr| {
        let url = format!("{scheme}://{addr}/");
        let line = crate::lang::cat().text_with("archive-serve-listening", &[("url", &url)]);
        crate::output::text(&format!("{line}\n"));
    };
    match hozon_web::serve(&options, &on_bound) {
        Ok(()) => Ok(Outcome::Passed),
        Err(e @ ListenError::NotLoopbackWithoutTls(_)) => usage(e),
        Err(e) => Err(e.into()),
    }
}

/// Runs `archive web-user add`.
pub fn web_user(root: &Path, command: WebUserCommand) -> anyhow::Result<Outcome> {
    let WebUserCommand::Add(a) = command;
    if !hozon_web::users::is_user_name(&a.name) {
        usage(hozon_web::UsersError::Name(a.name));
    }
    let config = hozon_archive::Config::load(&hozon_archive::Layout::new(root).config())?;
    let path = hozon_web::settings::users_path(root, &config).unwrap_or_else(|| {
        usage(format!(
            "{}: [web] users is not set: add `[web]` and `users = \"web-users\"` (docs/web.md)",
            hozon_archive::Layout::new(root).config().display()
        ))
    });
    let password = hozon_web::users::read_new_password()?;
    let new = hozon_web::add_user(&path, &a.name, &password)?;
    let line = crate::lang::cat().text_with(
        if new {
            "archive-web-user-added"
        } else {
            "archive-web-user-changed"
        },
        &[("name", &a.name), ("file", &path.display().to_string())],
    );
    crate::output::text(&format!("{line}\n"));
    Ok(Outcome::Passed)
}
