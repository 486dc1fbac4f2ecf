use super::*;

fn both() -> [&'static Catalog; 2] {
    [Catalog::get(Lang::En), Catalog::get(Lang::Ja)]
}

#[test]
fn catalogues_parse_without_errors() {
    for (name, src) in [("en", EN_FTL), ("ja", JA_FTL)] {
        if let Err((_, errors)) = FluentResource::try_new(src.to_owned()) {
            panic!("{name}.ftl: {errors:?}");
        }
    }
}

#[test]
fn every_key_exists_in_both_languages() {
    let [en, ja] = both();
    assert!(en.message_ids().len() > 50, "{:?}", en.message_ids());
    for id in en.message_ids() {
        assert!(ja.has(id), "ja.ftl lacks {id}");
    }
    for id in ja.message_ids() {
        assert!(en.has(id), "en.ftl lacks {id}");
    }
    for cat in both() {
        let mut seen = std::collections::HashSet::new();
        for id in cat.message_ids() {
            assert!(seen.insert(id), "{}: {id} twice", cat.lang().code());
        }
    }
}

#[test]
fn every_indication_and_sub_indication_is_explained_in_both_languages() {
    for sub in ALL_SUB_INDICATIONS {
        assert_eq!(
            ALL_SUB_INDICATIONS[all_sub_indications_are_listed(sub)],
            sub
        );
    }
    for cat in both() {
        let mut meanings = std::collections::HashSet::new();
        for sub in ALL_SUB_INDICATIONS {
            let e = cat.explain_sub(sub);
            let id = format!("explain-{sub}");
            assert!(cat.has(&id), "{}: {id}", cat.lang().code());
            assert!(!e.meaning.is_empty() && e.meaning != id, "{sub}");
            assert!(!e.action.is_empty() && e.action != id, "{sub}: no action");
            assert!(
                meanings.insert(e.meaning.clone()),
                "{sub}: same words as another"
            );
        }
        for ind in ALL_INDICATIONS {
            let e = cat.explain(ind);
            assert!(!e.meaning.starts_with("explain-"), "{ind}");
            assert!(!e.action.starts_with("explain-"), "{ind}");
        }
    }
    let ja = Catalog::get(Lang::Ja);
    assert!(ja
        .explain_sub(SubIndication::OutOfBoundsNoPoe)
        .meaning
        .contains("有効期間"));
}

#[test]
fn japanese_explanations_are_japanese() {
    let ja = Catalog::get(Lang::Ja);
    for sub in ALL_SUB_INDICATIONS {
        let e = ja.explain_sub(sub);
        assert!(
            e.meaning
                .chars()
                .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
            "{sub}: {}",
            e.meaning
        );
    }
}

#[test]
fn verdict_words() {
    let ja = Catalog::get(Lang::Ja);
    let en = Catalog::get(Lang::En);
    assert_eq!(ja.verdict_word(Indication::TotalPassed), "有効");
    assert_eq!(ja.verdict_word(Indication::TotalFailed), "無効");
    assert_eq!(ja.verdict_word(Indication::Indeterminate), "判定不能");
    assert_eq!(
        ja.verdict(Indication::Indeterminate, Some(SubIndication::NoPoe)),
        "判定不能 INDETERMINATE (NO_POE)"
    );
    // English terminal output is what it always was: the code alone.
    assert_eq!(
        en.verdict(Indication::TotalFailed, Some(SubIndication::HashFailure)),
        "TOTAL_FAILED (HASH_FAILURE)"
    );
    assert_eq!(en.verdict(Indication::TotalPassed, None), "TOTAL_PASSED");
}

#[test]
fn arguments_are_substituted_without_isolation_marks() {
    let en = Catalog::get(Lang::En);
    let s = en.text_with(
        "term-summary",
        &[
            ("total", "3"),
            ("passed", "1"),
            ("failed", "1"),
            ("indeterminate", "1"),
            ("time", "2026-01-01T00:00:00Z"),
        ],
    );
    assert_eq!(
        s,
        "3 signature(s): 1 passed, 1 failed, 1 indeterminate (validation time 2026-01-01T00:00:00Z)"
    );
    assert!(!s.contains('\u{2068}'));
    assert_eq!(en.text("no-such-message"), "no-such-message");
}

#[test]
fn language_from_flag_then_hozon_lang_then_locale() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert_eq!(Lang::resolve(None, env(&[])), Lang::En);
    assert_eq!(
        Lang::resolve(None, env(&[("LANG", "ja_JP.UTF-8")])),
        Lang::Ja
    );
    assert_eq!(
        Lang::resolve(None, env(&[("LANG", "en_US.UTF-8")])),
        Lang::En
    );
    assert_eq!(
        Lang::resolve(None, env(&[("LC_ALL", "C"), ("LANG", "ja_JP.UTF-8")])),
        Lang::En
    );
    assert_eq!(
        Lang::resolve(None, env(&[("LC_ALL", "ja_JP.eucJP"), ("LANG", "C")])),
        Lang::Ja
    );
    assert_eq!(
        Lang::resolve(
            None,
            env(&[("HOZON_LANG", "en"), ("LC_ALL", "ja_JP.UTF-8")])
        ),
        Lang::En
    );
    assert_eq!(
        Lang::resolve(None, env(&[("HOZON_LANG", "ja"), ("LANG", "C")])),
        Lang::Ja
    );
    assert_eq!(
        Lang::resolve(Some(Lang::En), env(&[("HOZON_LANG", "ja")])),
        Lang::En
    );
    // An empty variable is as good as unset.
    assert_eq!(
        Lang::resolve(None, env(&[("LC_ALL", ""), ("LANG", "ja_JP.UTF-8")])),
        Lang::Ja
    );
    assert_eq!("JA".parse::<Lang>().unwrap(), Lang::Ja);
    assert!("fr".parse::<Lang>().is_err());
}

#[test]
fn every_finding_code_is_explained_in_both_languages() {
    assert!(hozon_verify::Code::all().len() >= 75);
    for cat in both() {
        let mut texts = std::collections::HashSet::new();
        for code in hozon_verify::Code::all() {
            let id = format!("code-{code}");
            assert!(cat.has(&id), "{}: {id}", cat.lang().code());
            let text = cat.explain_code(*code);
            assert!(!text.is_empty() && text != id, "{code}");
            assert!(texts.insert(text), "{code}: same words as another");
        }
    }
    let ja = Catalog::get(Lang::Ja);
    for code in hozon_verify::Code::all() {
        let text = ja.explain_code(*code);
        assert!(
            text.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)
                || ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{code}: {text}"
        );
    }
    assert!(ja
        .explain_code(hozon_verify::Code::MessageDigestMismatch)
        .contains("改変"));
}

#[test]
fn archive_record_outcomes_are_explained_in_both_languages() {
    for cat in both() {
        for outcome in ["passed", "failed", "indeterminate", "accepted-failed"] {
            let id = format!("explain-record-{outcome}");
            assert!(cat.has(&id), "{}: {id}", cat.lang().code());
            assert!(!cat.attribute(&id, "action").starts_with("explain-"));
            assert!(cat.has(&format!("record-{outcome}")));
        }
    }
    assert_eq!(Catalog::get(Lang::Ja).text("record-failed"), "無効");
}
