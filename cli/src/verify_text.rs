//! The terminal output of `hozon verify` in the run's language (`--lang`):
//! one line per signature with its verdict (in Japanese the word 有効 /
//! 無効 / 判定不能 beside the ETSI code), its errors, time stamps and
//! warnings, then the summary. The words are the report's (hozon-i18n).

use hozon_verify::report::CounterSignatureReport;
use hozon_verify::{Indication, Report};

use crate::lang::cat;
use crate::output;

/// The counter-signatures of a signature (or of a counter-signature, one
/// level deeper), each with its own verdict, errors and warnings, indented
/// under their parent.
fn write_counter_signatures(
    out: &mut String,
    counter_signatures: &[CounterSignatureReport],
    depth: usize,
) {
    use std::fmt::Write;
    let t = cat();
    let indent = "  ".repeat(depth + 1);
    for c in counter_signatures {
        let verdict = t.verdict(c.indication, c.sub_indication);
        let unknown = t.text("term-signer-unknown");
        let who = c
            .signer
            .as_ref()
            .map_or(unknown.as_str(), |w| w.subject.as_str());
        let line = t.text_with(
            "term-counter-signature",
            &[("who", who), ("verdict", &verdict)],
        );
        let _ = writeln!(out, "{indent}{line}");
        for e in &c.errors {
            let _ = writeln!(out, "{indent}  {}: {e}", t.text("term-error"));
        }
        for w in &c.warnings {
            let _ = writeln!(out, "{indent}  {}: {w}", t.text("term-warning"));
        }
        write_counter_signatures(out, &c.counter_signatures, depth + 1);
    }
}

/// Human-readable report on stdout; `quiet` leaves out the signatures that
/// passed.
pub fn print_human(report: &Report, quiet: bool) {
    output::text(&human(report, quiet));
    for e in &report.file_errors {
        output::error(&format!("{}: {}", e.file, e.error));
    }
}

/// The text [`print_human`] prints on stdout.
pub fn human(report: &Report, quiet: bool) -> String {
    use std::fmt::Write;
    let t = cat();
    let mut out = String::new();
    for s in &report.signatures {
        if quiet && s.indication == Indication::TotalPassed {
            continue;
        }
        let verdict = t.verdict(s.indication, s.sub_indication);
        let who = s
            .signer
            .as_ref()
            .map(|w| match &w.hc_role {
                Some(role) => format!("{} [{role}]", w.subject),
                None => w.subject.clone(),
            })
            .unwrap_or_else(|| {
                if s.format == hozon_verify::SignatureFormat::Ers {
                    let object = s
                        .content
                        .clone()
                        .unwrap_or_else(|| t.text("term-no-data-object"));
                    t.text_with("term-evidence-over", &[("object", &object)])
                } else {
                    t.text("term-signer-unknown")
                }
            });
        let level = s.level.map_or(
            if s.format == hozon_verify::SignatureFormat::Ers {
                "ERS"
            } else {
                "-"
            },
            hozon_verify::Level::as_str,
        );
        let _ = writeln!(out, "{verdict}  {}  {level}  {who}", s.file);
        for e in &s.errors {
            let _ = writeln!(out, "    {}: {e}", t.text("term-error"));
        }
        for ts in &s.timestamps {
            let unidentified = t.text("term-unidentified-tsa");
            let tsa = if ts.tsa.is_empty() {
                unidentified.as_str()
            } else {
                &ts.tsa
            };
            let line = t.text_with(
                "term-timestamp",
                &[
                    ("kind", ts.kind.as_str()),
                    ("time", &ts.gen_time),
                    ("tsa", tsa),
                    ("result", ts.indication.as_str()),
                ],
            );
            let _ = writeln!(out, "    {line}");
        }
        for r in &s.evidence_records {
            if let Some(time) = &r.proven_time {
                let line = t.text_with(
                    "term-existed-at",
                    &[("object", &r.data_object), ("time", time)],
                );
                let _ = writeln!(out, "    {line}");
            }
        }
        if s.format == hozon_verify::SignatureFormat::Ers {
            if let Some(r) = &s.renew_by {
                let because = s
                    .renew_by_reason
                    .as_deref()
                    .map(|why| t.text_with("term-renew-by-because", &[("reason", why)]))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "   {}{because}",
                    t.text_with("term-renew-by", &[("date", r)])
                );
            }
        }
        for w in &s.warnings {
            let _ = writeln!(out, "    {}: {w}", t.text("term-warning"));
        }
        write_counter_signatures(&mut out, &s.counter_signatures, 1);
    }
    for f in &report.unsigned_files {
        let _ = writeln!(out, "{}", t.text_with("term-unsigned", &[("file", f)]));
    }
    // Signatures and evidence records are different things: counted
    // apart.
    let s = report.signature_summary();
    let ers = report.evidence_summary.clone().unwrap_or_default();
    let counts = |s: &hozon_verify::Summary| {
        [
            ("total", s.total.to_string()),
            ("passed", s.passed.to_string()),
            ("failed", s.failed.to_string()),
            ("indeterminate", s.indeterminate.to_string()),
        ]
    };
    let mut args: Vec<(&str, String)> = counts(&s).into();
    args.push(("time", report.validation_time.clone()));
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let _ = writeln!(out, "{}", t.text_with("term-summary", &args));
    if ers.total > 0 {
        let args = counts(&ers);
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let _ = writeln!(out, "{}", t.text_with("term-evidence-summary", &args));
    }
    out
}
