//! Writing to the terminal: errors on stderr prefixed with `hozon: `, and
//! stdout writes that end quietly when the reader goes away (`| head`).

use std::io::{IsTerminal, Write};

/// Prints an error line on stderr.
pub fn error(msg: &str) {
    let mut err = std::io::stderr().lock();
    for line in msg.lines() {
        let _ = writeln!(err, "hozon: {line}");
    }
}

/// Prints a block of text on stdout in one write; a closed pipe is not an error.
pub fn text(block: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(block.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Prints `value` as pretty JSON on stdout.
pub fn json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
pub fn progress(len: usize, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let style = indicatif::ProgressStyle::with_template(
        "{prefix} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta}) {wide_msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    indicatif::ProgressBar::new(len as u64)
        .with_style(style)
        .with_prefix(what.to_owned())
}
