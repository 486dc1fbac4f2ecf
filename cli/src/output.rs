//! Writing to the terminal: errors on stderr prefixed with `hozon: `, and
//! stdout writes that end quietly when the reader goes away (`| head`).
//! In Japanese an error reads `hozon: エラー: …` and a warning
//! `hozon: 警告: …`; in English they are as they always were
//! (`hozon: …`, `hozon: warning: …`).

use std::io::{IsTerminal, Write};

/// Prints an error on stderr, framed in the run's language.
pub fn error(msg: &str) {
    print_framed("cli-error-line", msg);
}

/// Prints a warning on stderr, framed in the run's language.
pub fn warning(msg: &str) {
    print_framed("cli-warning-line", msg);
}

/// `msg` framed by catalogue message `id` (its first line), every line
/// prefixed with `hozon: `.
fn print_framed(id: &str, msg: &str) {
    let framed = frame(crate::lang::cat(), id, msg);
    let mut err = std::io::stderr().lock();
    for line in framed.lines() {
        let _ = writeln!(err, "hozon: {line}");
    }
}

/// The first line of `msg` inside message `id` (`エラー: …`), the other
/// lines as they are.
fn frame(cat: &hozon_i18n::Catalog, id: &str, msg: &str) -> String {
    let (first, rest) = match msg.split_once('\n') {
        Some((first, rest)) => (first, Some(rest)),
        None => (msg, None),
    };
    let mut framed = cat.text_with(id, &[("message", first)]);
    if let Some(rest) = rest {
        framed.push('\n');
        framed.push_str(rest);
    }
    framed
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

/// A progress bar on stderr when it is a terminal; hidden otherwise. It
/// fits the terminal's width (the bar takes what the rest leaves) and shows
/// whole numbers: `1,204/2,000 (3,183/s, eta 0:00:01)`.
pub fn progress(len: usize, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    indicatif::ProgressBar::new(len as u64)
        .with_style(progress_style())
        .with_prefix(progress_label(what))
}

/// `what` in the run's language (`verifying` → 検証中), as is when the
/// catalogue has no word for it.
fn progress_label(what: &str) -> String {
    label_in(crate::lang::cat(), what)
}

/// The phases named after a replica (`replicating to nas`, `checking nas`,
/// hozon-archive's replicate module): their catalogue message, which
/// takes the name.
const NAMED_PHASES: [(&str, &str); 2] = [
    ("replicating to ", "progress-replicating-to"),
    ("checking ", "progress-checking"),
];

/// [`progress_label`] in `cat`'s language.
fn label_in(cat: &hozon_i18n::Catalog, what: &str) -> String {
    let id = format!("progress-{what}");
    if cat.has(&id) {
        return cat.text(&id);
    }
    for (prefix, id) in NAMED_PHASES {
        if let Some(name) = what.strip_prefix(prefix) {
            return cat.text_with(id, &[("name", name)]);
        }
    }
    what.to_owned()
}

/// The progress bar's look: `{prefix} [{wide_bar}] {done}/{total} ({rate}, eta {eta})`.
fn progress_style() -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(
        "{prefix} [{wide_bar}] {done}/{total} ({rate}, eta {eta_hms})",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .with_key(
        "done",
        |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&thousands(s.pos()));
        },
    )
    .with_key(
        "total",
        |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&thousands(s.len().unwrap_or(0)));
        },
    )
    .with_key(
        "rate",
        |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}/s", rate(s.per_sec()));
        },
    )
    .with_key(
        "eta_hms",
        |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&hms(s.eta().as_secs()));
        },
    )
    .progress_chars("=> ")
}

/// `n` with a comma every three digits: `3,183`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate as a whole number with thousands separators (not a fraction:
/// `3,183`, not `3183.3701`); 0 until there is one.
fn rate(per_sec: f64) -> String {
    if per_sec.is_finite() && per_sec > 0.0 {
        thousands(per_sec.round() as u64)
    } else {
        "0".to_string()
    }
}

/// Seconds as `h:mm:ss`.
fn hms(secs: u64) -> String {
    format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_warnings_are_framed_in_the_runs_language() {
        use hozon_i18n::{Catalog, Lang};
        let (en, ja) = (Catalog::get(Lang::En), Catalog::get(Lang::Ja));
        assert_eq!(frame(en, "cli-error-line", "a.txt: gone"), "a.txt: gone");
        assert_eq!(
            frame(en, "cli-warning-line", "TSA down"),
            "warning: TSA down"
        );
        assert_eq!(
            frame(ja, "cli-error-line", "a.txt: gone\n… and 2 more"),
            "エラー: a.txt: gone\n… and 2 more"
        );
        assert_eq!(frame(ja, "cli-warning-line", "TSA down"), "警告: TSA down");
    }

    #[test]
    fn progress_labels_are_in_the_runs_language_with_the_replicas_name() {
        use hozon_i18n::{Catalog, Lang};
        let (en, ja) = (Catalog::get(Lang::En), Catalog::get(Lang::Ja));
        for what in ["verifying", "replicating to nas", "checking nas", "other"] {
            assert_eq!(label_in(en, what), what);
        }
        assert_eq!(label_in(ja, "archiving"), "保存中");
        assert_eq!(label_in(ja, "replicating to nas"), "nas へ複製中");
        assert_eq!(label_in(ja, "checking nas"), "nas を検査中");
        assert_eq!(label_in(ja, "other"), "other");
    }

    #[test]
    fn numbers_are_whole_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(3183), "3,183");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(rate(3183.3701), "3,183");
        assert_eq!(rate(f64::NAN), "0");
        assert_eq!(rate(f64::INFINITY), "0");
        assert_eq!(hms(3725), "1:02:05");
    }

    #[test]
    fn the_bar_fits_the_width_it_is_given() {
        // Drawn into an in-memory terminal 60 columns wide.
        let style = progress_style();
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(2000),
            indicatif::ProgressDrawTarget::hidden(),
        )
        .with_style(style)
        .with_prefix("signing");
        bar.set_position(1204);
        for width in [60u16, 80, 120, 200] {
            let line = render(&bar, width);
            assert!(
                line.chars().count() <= usize::from(width),
                "{width}: {line:?}"
            );
            assert!(line.contains("1,204/2,000"), "{line:?}");
            assert!(line.contains("/s, eta "), "{line:?}");
            assert!(!line.contains('.'), "whole numbers only: {line:?}");
        }
    }

    /// A terminal of a fixed width that records what is written.
    #[derive(Debug, Clone)]
    struct Recorder {
        width: u16,
        text: std::sync::Arc<std::sync::Mutex<String>>,
    }

    impl indicatif::TermLike for Recorder {
        fn width(&self) -> u16 {
            self.width
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)?;
            self.write_str("\n")
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.text.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The bar's line at `width` columns.
    fn render(bar: &indicatif::ProgressBar, width: u16) -> String {
        let term = Recorder {
            width,
            text: Default::default(),
        };
        bar.set_draw_target(indicatif::ProgressDrawTarget::term_like(Box::new(
            term.clone(),
        )));
        bar.force_draw();
        let text = term.text.lock().unwrap().clone();
        text.lines()
            .rfind(|l| l.contains("signing"))
            .unwrap_or_default()
            .to_owned()
    }
}
