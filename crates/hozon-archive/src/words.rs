//! The one way the text modules (*_text.rs, search, export and replicate
//! text) write a line, and a record's verdict: catalogue messages
//! (hozon-i18n) in the run's language.

use hozon_i18n::Catalog;

/// Appends message `id` of `cat` with `args`, and a newline, to `text`.
pub(crate) fn line(text: &mut String, cat: &Catalog, id: &str, args: &[(&str, &str)]) {
    text.push_str(&cat.text_with(id, args));
    text.push('\n');
}

/// A record's verification outcome as the text shows it: the word in
/// `cat`'s language beside the code (`有効 PASSED` in Japanese, `PASSED` in English).
pub(crate) fn outcome_verdict(cat: &Catalog, outcome: crate::verify::Outcome) -> String {
    let code = outcome.as_str().to_uppercase();
    let word = cat.text(&format!("record-{}", outcome.as_str()));
    cat.text_with("term-verdict", &[("word", &word), ("code", &code)])
}
