//! `--lang ja|en`: the language of this run's human output and its message
//! catalogue (hozon-i18n). See docs/reports.md, "Languages".

use std::sync::OnceLock;

use hozon_i18n::{Catalog, Lang};

static LANG: OnceLock<Lang> = OnceLock::new();

/// Fixes the language of this run: `--lang`, else `HOZON_LANG`, else the
/// locale (`LC_ALL`, `LANG`), else English.
pub fn init_lang(cli: Option<Lang>) {
    let _ = LANG.set(Lang::from_env(cli));
}

/// The language of this run.
pub fn lang() -> Lang {
    *LANG.get_or_init(|| Lang::from_env(None))
}

/// The message catalogue of this run's language.
pub fn cat() -> &'static Catalog {
    Catalog::get(lang())
}

/// `--lang`'s value parser: `ja` or `en`.
pub fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse::<Lang>().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_values_are_ja_or_en() {
        assert!(parse_lang("ja").is_ok());
        assert!(parse_lang("en").is_ok());
        assert!(parse_lang("de").unwrap_err().contains("ja or en"));
    }
}
