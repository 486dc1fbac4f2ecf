//! `--lang ja|en` for the human output of `sign` (CAdES, XAdES, PAdES), `extend`, `timestamp`,
//! `scan`, `verify`'s coverage lines and the error printer (docs/reports.md): each command prints its Japanese
//! line with `--lang ja` (or `HOZON_LANG=ja`, or `LANG=ja_JP.UTF-8` alone) and its English line,
//! as before `--lang` existed, with `--lang en`. JSON stays language-neutral.

use hozon_testkit::{Pki, TsaMode, TsaServer};

use crate::util::{code, describe, stderr, stdout, Env, CHAIN, CRLS, TRUST};

/// The doctor's key, certificate, chain and CRLs.
const DOCTOR: [&str; 8] = [
    "--key",
    "pki/signer-doctor.key",
    "--cert",
    "pki/signer-doctor.crt",
    "--chain",
    CHAIN,
    "--crl",
    CRLS,
];

/// `hozon ARGS --lang LANG` in a copy of `env`'s state is not needed: each call below works on
/// its own file. Runs `hozon ARGS` with `envs` and asserts the exit status.
fn run(env: &Env, args: &[&str], envs: &[(&str, &str)], exit: i32) -> (String, String) {
    let out = env.hozon_env(args, envs);
    assert_eq!(
        code(&out),
        exit,
        "hozon {args:?} {envs:?}: {}",
        describe(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", describe(&out));
    (stdout(&out), stderr(&out))
}

/// The environment in which only `LANG` speaks: `HOZON_LANG` and `LC_ALL` empty.
const LOCALE_JA: [(&str, &str); 3] = [("HOZON_LANG", ""), ("LC_ALL", ""), ("LANG", "ja_JP.UTF-8")];

#[test]
fn sign_summary_in_japanese_and_english_and_the_default_from_the_environment() {
    let env = Env::new();
    for name in ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"] {
        env.write(name, b"referral letter\n");
    }
    let sign = |file: &'static str, extra: &[&'static str]| {
        let mut args = vec!["sign", file];
        args.extend_from_slice(&DOCTOR);
        args.extend_from_slice(extra);
        args
    };
    let (_, err) = run(&env, &sign("a.txt", &["--lang", "ja"]), &[], 0);
    assert!(
        err.contains("1 件のファイルに CAdES B-B で署名しました（署名者 ")
            && err.contains("スキップ 0 件、失敗 0 件"),
        "{err}"
    );
    let (_, err) = run(
        &env,
        &sign("b.txt", &["--lang", "en"]),
        &[("HOZON_LANG", "ja")],
        0,
    );
    assert!(err.contains("signed 1 file(s) as CAdES B-B with "), "{err}");
    assert!(err.contains("; 0 skipped, 0 failed"), "{err}");
    assert!(!err.contains("署名"), "{err}");
    let (_, err) = run(&env, &sign("c.txt", &[]), &[("HOZON_LANG", "ja")], 0);
    assert!(
        err.contains("件のファイルに CAdES B-B で署名しました"),
        "{err}"
    );
    let (_, err) = run(&env, &sign("d.txt", &[]), &LOCALE_JA, 0);
    assert!(
        err.contains("件のファイルに CAdES B-B で署名しました"),
        "{err}"
    );
    let (_, err) = run(&env, &sign("e.txt", &[]), &[("LANG", "ja_JP.UTF-8")], 0);
    assert!(
        err.contains("signed 1 file(s)"),
        "HOZON_LANG=en (the test default) wins over LANG: {err}"
    );
    // A second run skips what is signed: the skip lines in both languages.
    let (_, err) = run(&env, &sign("a.txt", &["--lang", "ja"]), &[], 0);
    assert!(err.contains("hozon: スキップ: a.txt: "), "{err}");
    let (_, err) = run(&env, &sign("a.txt", &["--lang", "en"]), &[], 0);
    assert!(err.contains("hozon: skipped a.txt: "), "{err}");
    // JSON is the same whatever the language.
    let (json, _) = run(&env, &sign("a.txt", &["--lang", "ja", "--json"]), &[], 0);
    assert!(
        !json.contains("スキップ") && !json.contains("署名"),
        "{json}"
    );
}

#[test]
fn errors_are_framed_in_japanese_and_known_kinds_translated() {
    let env = Env::new();
    env.write("a.txt", b"x\n");
    // A key that is not the certificate's: hozon_sign::Error::KeyCertificateMismatch.
    let mismatch = |lang: &'static str| {
        vec![
            "sign",
            "a.txt",
            "--key",
            "pki/signer-ec.key",
            "--cert",
            "pki/signer-doctor.crt",
            "--lang",
            lang,
        ]
    };
    let out = env.hozon(&mismatch("ja"));
    let ja_code = code(&out);
    assert_ne!(ja_code, 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains("hozon: エラー: pki/signer-ec.key: 秘密鍵が証明書 ")
            && stderr(&out).contains(" と一致しません"),
        "{}",
        describe(&out)
    );
    let out = env.hozon(&mismatch("en"));
    assert_eq!(
        code(&out),
        ja_code,
        "the exit status does not depend on the language"
    );
    assert!(
        stderr(&out)
            .contains("hozon: pki/signer-ec.key: the private key does not match the certificate "),
        "{}",
        describe(&out)
    );
    // A wrong PKCS#12 password: hozon_sign::Error::WrongPassword.
    let p12 = [
        "sign",
        "a.txt",
        "--pkcs12",
        "pki/signer-doctor.p12",
        "--pass-env",
        "HOZON_TEST_PASS",
    ];
    let mut ja = p12.to_vec();
    ja.extend(["--lang", "ja"]);
    let (_, err) = run(&env, &ja, &[("HOZON_TEST_PASS", "not-the-password")], 4);
    assert!(
        err.contains("hozon: エラー: pki/signer-doctor.p12: 復号できません。パスワードが違うか"),
        "{err}"
    );
    let mut en = p12.to_vec();
    en.extend(["--lang", "en"]);
    let (_, err) = run(&env, &en, &[("HOZON_TEST_PASS", "not-the-password")], 4);
    assert!(
        err.contains("cannot decrypt: wrong password (or a damaged file)")
            && !err.contains("エラー"),
        "{err}"
    );
    // A revoked signer: the pre-check's refusal, framed.
    let revoked = [
        "sign",
        "a.txt",
        "--key",
        "pki/signer-revoked.key",
        "--cert",
        "pki/signer-revoked.crt",
        "--chain",
        CHAIN,
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--offline",
    ];
    let mut ja = revoked.to_vec();
    ja.extend(["--lang", "ja"]);
    let (_, err) = run(&env, &ja, &[], 1);
    assert!(err.contains("hozon: エラー: 署名しません: "), "{err}");
    let mut en = revoked.to_vec();
    en.extend(["--lang", "en"]);
    let (_, err) = run(&env, &en, &[], 1);
    assert!(
        !err.contains("署名しません") && err.contains("revoked"),
        "{err}"
    );
}

#[test]
fn timestamp_and_extend_summaries_in_both_languages() {
    let env = Env::new();
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    let url = tsa.url();
    for name in ["a.txt", "b.txt", "c.txt", "d.txt"] {
        env.write(name, b"discharge summary\n");
    }
    let (_, err) = run(
        &env,
        &["timestamp", "a.txt", "--tsa", &url, "--lang", "ja"],
        &[],
        0,
    );
    assert!(
        err.contains("1 件のファイルにタイムスタンプを付与しました。スキップ 0 件、失敗 0 件"),
        "{err}"
    );
    let (_, err) = run(
        &env,
        &["timestamp", "b.txt", "--tsa", &url, "--lang", "en"],
        &[],
        0,
    );
    assert!(
        err.contains("time-stamped 1 file(s); 0 skipped, 0 failed"),
        "{err}"
    );
    let (_, err) = run(&env, &["timestamp", "c.txt", "--tsa", &url], &LOCALE_JA, 0);
    assert!(err.contains("タイムスタンプを付与しました"), "{err}");

    env.sign_doc("c.txt", "signer-doctor", &[]);
    env.sign_doc("d.txt", "signer-doctor", &[]);
    let extend = |file: &'static str, lang: &'static str| {
        vec![
            "extend", file, "--level", "t", "--tsa", &url, "--lang", lang,
        ]
    };
    let (_, err) = run(&env, &extend("c.txt.p7s", "ja"), &[], 0);
    assert!(
        err.contains("署名 1 件を B-T に拡張しました。スキップ 0 件、失敗 0 件"),
        "{err}"
    );
    let (_, err) = run(&env, &extend("d.txt.p7s", "en"), &[], 0);
    assert!(
        err.contains("extended 1 signature(s) to B-T; 0 skipped, 0 failed"),
        "{err}"
    );
    let (_, err) = run(
        &env,
        &["extend", "d.txt.p7s", "--level", "t", "--tsa", &url],
        &[("HOZON_LANG", "ja")],
        0,
    );
    assert!(err.contains("hozon: スキップ: d.txt.p7s: "), "{err}");
    assert!(
        err.contains("署名 0 件を B-T に拡張しました。スキップ 1 件"),
        "{err}"
    );
}

#[test]
fn scan_lines_and_summary_in_both_languages() {
    let env = Env::new();
    env.write("scans/good.jpg", crate::scan::jpeg(300, 90));
    env.write("scans/low.jpg", crate::scan::jpeg(150, 90));
    let (text, _) = run(&env, &["scan", "scans", "--lang", "ja"], &[], 1);
    assert!(
        text.contains("合格 PASSED  scans/good.jpg  JPEG、1 ページ、文書種別 default"),
        "{text}"
    );
    assert!(text.contains("不合格 FAILED  scans/low.jpg"), "{text}");
    assert!(
        text.contains("    不合格 FAILED legibility/resolution 1 ページ目: 150x150 dpi"),
        "{text}"
    );
    assert!(
        text.contains("ファイル 2 件: 合格 1 件、不合格 1 件"),
        "{text}"
    );
    let (text, _) = run(
        &env,
        &["scan", "scans", "--lang", "en"],
        &[("HOZON_LANG", "ja")],
        1,
    );
    assert!(
        text.contains("PASSED  scans/good.jpg  JPEG, 1 page(s), class default"),
        "{text}"
    );
    assert!(
        text.contains("    FAILED legibility/resolution page 1: 150x150 dpi"),
        "{text}"
    );
    assert!(text.contains("2 file(s): 1 passed, 1 failed"), "{text}");
    assert!(!text.contains("合格"), "{text}");
    let (text, _) = run(&env, &["scan", "scans"], &LOCALE_JA, 1);
    assert!(
        text.contains("ファイル 2 件: 合格 1 件、不合格 1 件"),
        "{text}"
    );
    let (json, _) = run(&env, &["scan", "scans", "--lang", "ja", "--json"], &[], 1);
    assert!(!json.contains("合格"), "{json}");
}

#[test]
fn verify_coverage_lines_in_both_languages() {
    let env = Env::new();
    env.write("records/signed.txt", b"signed\n");
    env.write("records/unsigned.txt", b"unsigned\n");
    env.sign_doc("records/signed.txt", "signer-doctor", &[]);
    let args = |lang: &'static str| {
        vec![
            "verify",
            "records",
            "--trust",
            TRUST,
            "--crl",
            CRLS,
            "--offline",
            "--require-signed",
            "--lang",
            lang,
        ]
    };
    let (_, err) = run(&env, &args("ja"), &[], 1);
    assert!(
        err.contains("hozon: エラー: 署名されていません: records/unsigned.txt: "),
        "{err}"
    );
    assert!(
        err.contains("署名されていないファイル 1 件、文書のない署名 0 件"),
        "{err}"
    );
    let (_, err) = run(&env, &args("en"), &[], 1);
    assert!(
        err.contains("hozon: not signed: records/unsigned.txt: "),
        "{err}"
    );
    assert!(
        err.contains("1 file(s) not signed, 0 signature(s) without their document"),
        "{err}"
    );
}

/// The verdicts of a printable HTML report: (file, word, code) of each signature's section.
fn report_verdicts(html: &str) -> Vec<(String, String, String)> {
    html.split("<h4>")
        .skip(1)
        .filter_map(|section| {
            let file = &section[..section.find("</h4>")?];
            let word_at = section.find(r#"<span class="verdict "#)?;
            let rest = &section[word_at..];
            let rest = &rest[rest.find('>')? + 1..];
            let word = &rest[..rest.find("</span>")?];
            let rest =
                &rest[rest.find(r#"<span class="code">"#)? + r#"<span class="code">"#.len()..];
            let code = &rest[..rest.find("</span>")?];
            Some((file.to_owned(), word.to_owned(), code.to_owned()))
        })
        .collect()
}

/// The verdict lines of `hozon verify --lang ja`'s terminal output: (file, word, code).
fn terminal_verdicts(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| {
            let mut parts = l.split("  ");
            let verdict = parts.next()?;
            let file = parts.next()?;
            let (word, code) = verdict.split_once(' ')?;
            ["有効", "無効", "判定不能"]
                .contains(&word)
                .then(|| (file.to_owned(), word.to_owned(), code.to_owned()))
        })
        .collect()
}

#[test]
fn japanese_terminal_verdicts_are_the_reports_words() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "records/referral-letter.txt");
    env.copy_doc("discharge-summary.xml", "records/discharge-summary.xml");
    env.copy_doc("lab-report.pdf", "records/lab-report.pdf");
    env.sign_doc("records/referral-letter.txt", "signer-doctor", &[]);
    env.sign_doc("records/discharge-summary.xml", "signer-doctor", &[]);
    crate::util::flip_byte(&env.path("records/discharge-summary.xml"), 5);
    env.openssl_sign(
        "records/lab-report.pdf",
        "signer-untrusted",
        "records/lab-report.pdf.p7s",
        &[],
    );
    let (text, _) = run(
        &env,
        &[
            "verify",
            "records",
            "--trust",
            TRUST,
            "--crl",
            CRLS,
            "--offline",
            "--lang",
            "ja",
            "--report",
            "report.html",
        ],
        &[],
        1,
    );
    let mut terminal = terminal_verdicts(&text);
    let mut report = report_verdicts(&String::from_utf8(env.read("report.html")).unwrap());
    terminal.sort();
    report.sort();
    assert_eq!(terminal.len(), 3, "{text}");
    let words: std::collections::BTreeSet<&str> =
        terminal.iter().map(|(_, w, _)| w.as_str()).collect();
    assert_eq!(words, ["判定不能", "有効", "無効"].into(), "{terminal:?}");
    assert_eq!(terminal, report);
}

#[test]
fn the_demo_writes_its_reports_in_the_words_of_its_terminal_output() {
    let env = Env::new();
    let (text, _) = run(&env, &["demo", "--keep", "d", "--lang", "ja"], &[], 0);
    assert!(
        text.contains("報告書を書き出しました: d/report.html"),
        "{text}"
    );
    assert!(
        text.contains("hozon verify … --report FILE.html|FILE.pdf"),
        "{text}"
    );
    let terminal: std::collections::BTreeSet<(String, String)> = terminal_verdicts(&text)
        .into_iter()
        .map(|(_, w, c)| (w, c))
        .collect();
    let html = String::from_utf8(env.read("d/report.html")).unwrap();
    let report: std::collections::BTreeSet<(String, String)> = report_verdicts(&html)
        .into_iter()
        .map(|(_, w, c)| (w, c))
        .collect();
    assert!(
        terminal.contains(&("無効".to_owned(), "TOTAL_FAILED (HASH_FAILURE)".to_owned())),
        "{terminal:?}"
    );
    assert_eq!(terminal, report);
    let (text, _) = run(&env, &["demo", "--keep", "e", "--lang", "en"], &[], 0);
    assert!(text.contains("report written: e/report.html"), "{text}");
    assert!(!text.contains("報告書"), "{text}");
}

#[test]
fn xades_and_pades_signing_lines_in_both_languages() {
    let env = Env::new();
    env.copy_doc("discharge-summary.xml", "ja.xml");
    env.copy_doc("discharge-summary.xml", "en.xml");
    env.copy_doc("lab-report.pdf", "ja.pdf");
    env.copy_doc("lab-report.pdf", "en.pdf");
    let sign = |file: &'static str, format: &'static str, lang: &'static str| {
        let mut args = vec!["sign", file, "--format", format, "--lang", lang];
        args.extend_from_slice(&DOCTOR);
        args
    };
    let (_, err) = run(&env, &sign("ja.xml", "xades", "ja"), &[], 0);
    assert!(
        err.contains(
            "1 件のファイルに XAdES B-B（埋め込み署名、NAME.signed.xml）で署名しました（署名者 "
        ) && err.contains("スキップ 0 件、失敗 0 件"),
        "{err}"
    );
    let (_, err) = run(
        &env,
        &sign("en.xml", "xades", "en"),
        &[("HOZON_LANG", "ja")],
        0,
    );
    assert!(
        err.contains("signed 1 file(s) as XAdES B-B (enveloped, NAME.signed.xml) with ")
            && err.contains("; 0 skipped, 0 failed"),
        "{err}"
    );
    let (out, _) = run(&env, &sign("ja.pdf", "pades", "ja"), &[], 0);
    assert_eq!(out.trim(), "署名しました ja.pdf");
    let (out, _) = run(
        &env,
        &sign("en.pdf", "pades", "en"),
        &[("HOZON_LANG", "ja")],
        0,
    );
    assert_eq!(out.trim(), "signed en.pdf");
}
