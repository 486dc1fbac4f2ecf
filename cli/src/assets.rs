//! `hozon generate-assets DIR` (hidden): the man pages and shell completions, generated from the
//! clap definitions in `args/` (never written by hand, so they cannot drift from `--help`).
//! The Debian package build (packaging/build-deb) runs it on the binary it packages:
//!
//! - `DIR/man/hozon.1` and one page per subcommand (`hozon-sign.1`, `hozon-archive-ingest.1`,
//!   …), with clap_mangen;
//! - `DIR/completions/hozon.bash`, `_hozon` (zsh) and `hozon.fish`, with clap_complete.

use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use hozon_io::Overwrite;

use crate::args::{Cli, GenerateAssetsArgs};
use crate::outcome::Outcome;

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    hozon_io::write_atomic(path, bytes, Overwrite::Replace)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// One man page for `cmd` (named `name`, e.g. `hozon-archive-ingest`) and for each visible
/// subcommand under it.
fn man_pages(cmd: &clap::Command, name: &str, dir: &Path) -> anyhow::Result<usize> {
    let page = cmd.clone().display_name(name.to_string());
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .with_context(|| format!("cannot render the man page of {name}"))?;
    write(&dir.join(format!("{name}.1")), &out)?;
    let mut n = 1;
    // clap's own `help` subcommands need no page: each command's page has its help.
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        n += man_pages(sub, &format!("{name}-{}", sub.get_name()), dir)?;
    }
    Ok(n)
}

pub fn run(args: GenerateAssetsArgs) -> anyhow::Result<Outcome> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = args.dir.join("man");
    let completions = args.dir.join("completions");
    for dir in [&man, &completions] {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let pages = man_pages(&cmd, "hozon", &man)?;
    for (shell, file) in [
        (Shell::Bash, "hozon.bash"),
        (Shell::Zsh, "_hozon"),
        (Shell::Fish, "hozon.fish"),
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut cmd, "hozon", &mut out);
        write(&completions.join(file), &out)?;
    }
    eprintln!(
        "wrote {pages} man page(s) to {} and bash, zsh and fish completions to {}",
        man.display(),
        completions.display()
    );
    Ok(Outcome::Passed)
}
