//! The one way the text modules (*_text.rs, search and replicate text)
//! write a line: a catalogue message (hozon-i18n) in the run's language.

use hozon_i18n::Catalog;

/// Appends message `id` of `cat` with `args`, and a newline, to `text`.
pub(crate) fn line(text: &mut String, cat: &Catalog, id: &str, args: &[(&str, &str)]) {
    text.push_str(&cat.text_with(id, args));
    text.push('\n');
}
