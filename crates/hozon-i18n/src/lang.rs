//! Which language human output is in.

use unic_langid::LanguageIdentifier;

/// A language hozon speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Japanese.
    Ja,
    /// English (the default).
    #[default]
    En,
}

/// A `--lang` value that is neither `ja` nor `en`.
#[derive(Debug, thiserror::Error)]
#[error("unknown language {0:?}: use ja or en")]
pub struct ParseLangError(String);

impl std::str::FromStr for Lang {
    type Err = ParseLangError;

    /// `ja` or `en`, case-insensitive.
    fn from_str(s: &str) -> Result<Lang, ParseLangError> {
        match s.to_ascii_lowercase().as_str() {
            "ja" => Ok(Lang::Ja),
            "en" => Ok(Lang::En),
            _ => Err(ParseLangError(s.to_owned())),
        }
    }
}

impl Lang {
    /// `ja` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The language of a POSIX locale name (`ja_JP.UTF-8`, `ja`, `en_US`,
    /// `C`): Japanese for `ja` and `ja_*`/`ja.*`/`ja@*`, English for any
    /// other non-empty name; `None` when empty.
    pub fn of_locale(locale: &str) -> Option<Lang> {
        if locale.is_empty() {
            return None;
        }
        let language = locale
            .split(['_', '.', '@', '-'])
            .next()
            .unwrap_or_default();
        Some(if language.eq_ignore_ascii_case("ja") {
            Lang::Ja
        } else {
            Lang::En
        })
    }

    /// The language for this run: `cli` (`--lang`) when given, else
    /// `HOZON_LANG` (`ja`/`en`, or a locale name), else the locale (`LC_ALL`,
    /// which POSIX puts before `LANG`), else English. `env` reads a
    /// variable (`std::env::var` in the program, a map in tests).
    pub fn resolve(cli: Option<Lang>, env: impl Fn(&str) -> Option<String>) -> Lang {
        if let Some(lang) = cli {
            return lang;
        }
        ["HOZON_LANG", "LC_ALL", "LANG"]
            .iter()
            .find_map(|var| env(var).and_then(|v| Lang::of_locale(v.trim())))
            .unwrap_or_default()
    }

    /// [`Lang::resolve`] from the process environment.
    pub fn from_env(cli: Option<Lang>) -> Lang {
        Lang::resolve(cli, |var| std::env::var(var).ok())
    }

    /// The BCP 47 language identifier.
    pub fn langid(self) -> LanguageIdentifier {
        match self {
            Lang::Ja => unic_langid::langid!("ja"),
            Lang::En => unic_langid::langid!("en"),
        }
    }
}
