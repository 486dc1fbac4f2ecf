//! hozon's message catalogue: every human-readable word hozon prints or
//! writes into a report, in Japanese and English, from Project Fluent
//! catalogues compiled into the binary (`locales/ja.ftl`, `locales/en.ftl`).
//!
//! - [`Lang`] picks the language: `--lang`, else `HOZON_LANG`, else
//!   `LC_ALL` / `LANG` (`ja_JP.*` → Japanese), else English.
//! - [`Catalog`] formats messages; [`Catalog::verdict_word`] gives 有効 /
//!   無効 / 判定不能 for an ETSI indication, and [`Catalog::explain`] /
//!   [`Catalog::explain_sub`] what an indication or sub-indication means
//!   and what to do about it.
//!
//! JSON output stays language-neutral: it never goes through this crate.

mod lang;

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use hozon_verify::{Code, Indication, SubIndication};

pub use lang::{Lang, ParseLangError};

const EN_FTL: &str = include_str!("../locales/en.ftl");
const JA_FTL: &str = include_str!("../locales/ja.ftl");

/// The messages of one language.
pub struct Catalog {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
    ids: Vec<String>,
}

/// An indication or sub-indication in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// What it means.
    pub meaning: String,
    /// What to do about it.
    pub action: String,
}

impl Catalog {
    /// The catalogue of `lang`, parsed once per process.
    pub fn get(lang: Lang) -> &'static Catalog {
        static EN: OnceLock<Catalog> = OnceLock::new();
        static JA: OnceLock<Catalog> = OnceLock::new();
        match lang {
            Lang::En => EN.get_or_init(|| Catalog::parse(Lang::En, EN_FTL)),
            Lang::Ja => JA.get_or_init(|| Catalog::parse(Lang::Ja, JA_FTL)),
        }
    }

    /// Parses a compiled-in catalogue. Its syntax is checked by the tests
    /// (`catalogues_parse_without_errors`), so a syntax error here is a
    /// bug caught before release; the entries that did parse are kept.
    fn parse(lang: Lang, source: &str) -> Catalog {
        let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
        let ids = message_ids(&resource);
        let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
        // No Unicode isolation marks around arguments: the output goes to
        // terminals, PDF text and HTML, where they would be stray
        // characters.
        bundle.set_use_isolating(false);
        // Message ids are unique within a catalogue (tested); an overriding
        // entry cannot occur.
        let _ = bundle.add_resource(resource);
        Catalog { lang, bundle, ids }
    }

    /// The language of this catalogue.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The ids of every message, in catalogue order.
    pub fn message_ids(&self) -> &[String] {
        &self.ids
    }

    /// Whether message `id` exists.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// Message `id` with no arguments. A missing message gives its id
    /// (the coverage tests make that impossible for hozon's own ids).
    pub fn text(&self, id: &str) -> String {
        self.format(id, None, &[])
    }

    /// Message `id` with string arguments `args` (`$name` → value).
    pub fn text_with(&self, id: &str, args: &[(&str, &str)]) -> String {
        self.format(id, None, args)
    }

    /// Attribute `attr` of message `id` (`id.attr`).
    pub fn attribute(&self, id: &str, attr: &str) -> String {
        self.format(id, Some(attr), &[])
    }

    fn format(&self, id: &str, attr: Option<&str>, args: &[(&str, &str)]) -> String {
        let Some(message) = self.bundle.get_message(id) else {
            return id.to_owned();
        };
        let pattern = match attr {
            Some(a) => message.get_attribute(a).map(|a| a.value()),
            None => message.value(),
        };
        let Some(pattern) = pattern else {
            return id.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, *value);
        }
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned()
    }

    /// 有効 / 無効 / 判定不能 (valid / invalid / indeterminate).
    pub fn verdict_word(&self, indication: Indication) -> String {
        self.text(&format!("verdict-{}", indication.as_str()))
    }

    /// The verdict as the terminal shows it: the word beside the ETSI code
    /// in Japanese (`判定不能 INDETERMINATE (NO_POE)`), the code alone in
    /// English, as before.
    pub fn verdict(&self, indication: Indication, sub: Option<SubIndication>) -> String {
        let code = match sub {
            Some(sub) => format!("{indication} ({sub})"),
            None => indication.to_string(),
        };
        let word = self.verdict_word(indication);
        self.text_with("term-verdict", &[("word", &word), ("code", &code)])
    }

    /// What an indication means and what to do.
    pub fn explain(&self, indication: Indication) -> Explanation {
        self.explanation(&format!("explain-{}", indication.as_str()))
    }

    /// What a sub-indication means and what to do.
    pub fn explain_sub(&self, sub: SubIndication) -> Explanation {
        self.explanation(&format!("explain-{}", sub.as_str()))
    }

    /// What a finding code (`findings[].code`, docs/verifying.md) means,
    /// in plain words.
    pub fn explain_code(&self, code: Code) -> String {
        self.text(&format!("code-{}", code.as_str()))
    }

    fn explanation(&self, id: &str) -> Explanation {
        Explanation {
            meaning: self.text(id),
            action: self.attribute(id, "action"),
        }
    }
}

/// The message ids of a resource (terms and comments left out).
fn message_ids(resource: &FluentResource) -> Vec<String> {
    resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// Every sub-indication hozon-verify defines. [`all_sub_indications_are_listed`]
/// (a compile-time exhaustive match) fails to build when one is added
/// without being listed here.
pub const ALL_SUB_INDICATIONS: [SubIndication; 21] = [
    SubIndication::FormatFailure,
    SubIndication::HashFailure,
    SubIndication::SigCryptoFailure,
    SubIndication::Revoked,
    SubIndication::NotYetValid,
    SubIndication::Expired,
    SubIndication::NoSigningCertificateFound,
    SubIndication::NoCertificateChainFound,
    SubIndication::CertificateChainGeneralFailure,
    SubIndication::ChainConstraintsFailure,
    SubIndication::RevokedNoPoe,
    SubIndication::RevokedCaNoPoe,
    SubIndication::OutOfBoundsNoPoe,
    SubIndication::OutOfBoundsNotRevoked,
    SubIndication::CryptoConstraintsFailureNoPoe,
    SubIndication::CryptoConstraintsFailure,
    SubIndication::SigConstraintsFailure,
    SubIndication::TimestampOrderFailure,
    SubIndication::NoPoe,
    SubIndication::TryLater,
    SubIndication::SignedDataNotFound,
];

/// Every indication.
pub const ALL_INDICATIONS: [Indication; 3] = [
    Indication::TotalPassed,
    Indication::TotalFailed,
    Indication::Indeterminate,
];

/// The position of `sub` in [`ALL_SUB_INDICATIONS`]: an exhaustive match,
/// so a new variant in hozon-verify must be added here (and to the list)
/// before the crate builds.
pub fn all_sub_indications_are_listed(sub: SubIndication) -> usize {
    use SubIndication::*;
    match sub {
        FormatFailure => 0,
        HashFailure => 1,
        SigCryptoFailure => 2,
        Revoked => 3,
        NotYetValid => 4,
        Expired => 5,
        NoSigningCertificateFound => 6,
        NoCertificateChainFound => 7,
        CertificateChainGeneralFailure => 8,
        ChainConstraintsFailure => 9,
        RevokedNoPoe => 10,
        RevokedCaNoPoe => 11,
        OutOfBoundsNoPoe => 12,
        OutOfBoundsNotRevoked => 13,
        CryptoConstraintsFailureNoPoe => 14,
        CryptoConstraintsFailure => 15,
        SigConstraintsFailure => 16,
        TimestampOrderFailure => 17,
        NoPoe => 18,
        TryLater => 19,
        SignedDataNotFound => 20,
    }
}

#[cfg(test)]
mod tests;
