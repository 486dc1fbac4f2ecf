//! `--lang ja|en` for `hozon archive`'s subcommands (docs/reports.md, "Languages"): init,
//! ingest, status, verify, renew, reindex, search, export, the replica commands and the
//! lock-wait line print Japanese with `--lang ja` (or `HOZON_LANG=ja`, or `LANG=ja_JP.UTF-8`
//! alone) and exactly their English lines with `--lang en`. Record ids, paths, codes and
//! numbers are the same in both; JSON does not change; clap's usage errors stay English.

use std::process::{Command, Output};

use hozon_testkit::{Pki, TsaMode, TsaServer};

use crate::util::{code, describe, stderr, stdout, Env, HOZON};

/// The archive directory inside an [`Env`].
const ARC: &str = "arc";

/// The environment in which only `LANG` speaks: `HOZON_LANG` and `LC_ALL` empty.
const LOCALE_JA: [(&str, &str); 3] = [("HOZON_LANG", ""), ("LC_ALL", ""), ("LANG", "ja_JP.UTF-8")];

/// Runs `hozon ARGS` with `envs`, asserts the exit status; (stdout, stderr).
fn run(env: &Env, args: &[&str], envs: &[(&str, &str)], exit: i32) -> (String, String) {
    let out = env.hozon_env(args, envs);
    check(&out, args, exit)
}

fn check(out: &Output, args: &[&str], exit: i32) -> (String, String) {
    assert_eq!(code(out), exit, "hozon {args:?}: {}", describe(out));
    assert!(!stderr(out).contains("panicked"), "{}", describe(out));
    (stdout(out), stderr(out))
}

/// `hozon archive --archive arc ARGS --lang LANG`, exit 0.
fn archive(env: &Env, args: &[&str], lang: &str) -> (String, String) {
    let mut all = vec!["archive", "--archive", ARC];
    all.extend_from_slice(args);
    all.extend(["--lang", lang]);
    run(env, &all, &[], 0)
}

/// Two documents under `in/`, the loopback TSA, and `archive init` in Japanese.
fn japanese_archive(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    env.copy_doc("referral-letter.txt", "in/a.txt");
    env.copy_doc("lab-report.pdf", "in/b.pdf");
    let url = tsa.url();
    let args = ["archive", "init", ARC, "--lang", "ja"];
    let (_, err) = check(&crate::archive::init_with(env, &url, &args[3..]), &args, 0);
    assert!(
        err.contains(
            "arc にアーカイブを作成しました（hozon.toml、catalog.sqlite、audit.log、records/）"
        ),
        "{err}"
    );
    tsa
}

#[test]
fn ingest_status_verify_renew_and_reindex_in_japanese_and_english() {
    let env = Env::new();
    let _tsa = japanese_archive(&env);

    let (out, _) = archive(&env, &["ingest", "in"], "ja");
    assert!(
        out.ends_with("保存 2 件、保存済み 0 件、保存せず 0 件\n"),
        "{out}"
    );
    let archived = out.lines().find(|l| l.contains("/in/a.txt  ")).unwrap();
    assert!(archived.starts_with("保存      /"), "{out}");
    assert!(
        archived.contains("/in/a.txt  document B-B  records/"),
        "{out}"
    );
    assert!(out.contains("証拠記録のバッチ "), "{out}");
    assert!(!out.contains("archived"), "{out}");
    // English is what it always was.
    let (out, _) = archive(&env, &["ingest", "in"], "en");
    let already = out.lines().find(|l| l.contains("/in/a.txt  ")).unwrap();
    assert!(already.starts_with("ALREADY   /"), "{out}");
    assert!(
        out.ends_with("archived 0, already archived 2, not archived 0\n"),
        "{out}"
    );
    // LANG alone picks Japanese.
    let (out, _) = run(
        &env,
        &["archive", "--archive", ARC, "ingest", "in"],
        &LOCALE_JA,
        0,
    );
    let already = out.lines().find(|l| l.contains("/in/b.pdf  ")).unwrap();
    assert!(already.starts_with("保存済み  /"), "{out}");
    assert!(
        out.ends_with("保存 0 件、保存済み 2 件、保存せず 0 件\n"),
        "{out}"
    );

    let now = ["status", "--now", "2027-01-01T00:00:00Z"];
    let (ja, _) = archive(&env, &now, "ja");
    assert!(ja.starts_with("arc の記録 2 件\n"), "{ja}");
    assert!(
        ja.contains("  種類      レベル  状態               件数\n"),
        "{ja}"
    );
    assert!(ja.contains("証拠記録のない記録: 0 件\n"), "{ja}");
    assert!(ja.contains("前回の検証: 有効 "), "{ja}");
    assert!(ja.contains("更新: 最も早い期限 "), "{ja}");
    let (en, _) = archive(&env, &now, "en");
    assert!(en.starts_with("2 record(s) in arc\n"), "{en}");
    assert!(en.contains("without evidence record: 0\n"), "{en}");
    assert!(en.contains("renewal: earliest deadline "), "{en}");
    // JSON does not depend on the language.
    let json = [&now[..], &["--json"]].concat();
    assert_eq!(archive(&env, &json, "ja").0, archive(&env, &json, "en").0);

    let (ja, _) = archive(&env, &["verify", "--all"], "ja");
    assert!(ja.contains("有効 PASSED  "), "{ja}");
    assert!(ja.contains("記録 2 件を検証: 有効 2 件、無効 0 件"), "{ja}");
    let (en, _) = archive(&env, &["verify"], "en");
    assert!(
        en.starts_with("verified 2 record(s): 2 passed, 0 failed"),
        "{en}"
    );

    // Nothing due within a day: the summary line alone.
    let (ja, _) = archive(&env, &["renew", "--before", "1d"], "ja");
    assert_eq!(ja, "期限の来た記録 0 件\n");
    let (en, _) = archive(&env, &["renew", "--before", "1d"], "en");
    assert_eq!(en, "0 record(s) were due\n");

    // --move-done's lines.
    env.write("in2/c.txt", "moved after archiving\n");
    let (_, ja) = archive(&env, &["ingest", "in2", "--move-done", "done"], "ja");
    assert!(
        ja.contains("移動 ") && ja.contains("/in2/c.txt -> "),
        "{ja}"
    );

    let (_, ja) = archive(&env, &["reindex"], "ja");
    assert!(
        ja.contains("records/ からカタログを再構築しました: 3 件"),
        "{ja}"
    );
    let (_, en) = archive(&env, &["reindex"], "en");
    assert!(
        en.contains("catalog rebuilt from records/: 3 record(s)"),
        "{en}"
    );
}

#[test]
fn search_and_export_in_japanese_and_english() {
    let env = Env::new();
    let _tsa = japanese_archive(&env);
    archive(&env, &["ingest", "in"], "ja");

    let (ja, _) = archive(&env, &["search"], "ja");
    let (en, _) = archive(&env, &["search"], "en");
    assert!(ja.ends_with("\n2 件\n"), "{ja}");
    assert!(en.ends_with("\n2 record(s)\n"), "{en}");
    // The hit lines are data: the same in both languages.
    assert_eq!(
        ja.lines().take(2).collect::<Vec<_>>(),
        en.lines().take(2).collect::<Vec<_>>()
    );
    let (ja, _) = archive(&env, &["search", "--limit", "1"], "ja");
    assert!(
        ja.ends_with("1 件 （ほかにも一致します: --limit を 1 より大きくしてください）\n"),
        "{ja}"
    );
    assert_eq!(
        archive(&env, &["search", "--json"], "ja").0,
        archive(&env, &["search", "--json"], "en").0
    );

    let id = en.split_whitespace().next().unwrap().to_owned();
    let (ja, _) = archive(&env, &["export", &id, "--to", "bag-ja"], "ja");
    assert!(
        ja.starts_with(&format!("{id}  有効 PASSED\n1 件、")),
        "{ja}"
    );
    assert!(
        ja.ends_with("バイトを BagIt バッグ bag-ja に書き出しました\n"),
        "{ja}"
    );
    let (en, _) = archive(&env, &["export", &id, "--to", "bag-en"], "en");
    assert!(
        en.starts_with(&format!("{id}  PASSED\n1 record(s), ")),
        "{en}"
    );
    assert!(en.contains(" byte(s) in the BagIt bag bag-en\n"), "{en}");
}

#[test]
fn replica_commands_in_japanese_and_english() {
    let env = Env::new();
    let _tsa = japanese_archive(&env);
    archive(&env, &["ingest", "in"], "ja");
    std::fs::create_dir_all(env.path("nas")).unwrap();

    let (_, ja) = archive(
        &env,
        &["replica", "add", "nas", "--dir", "nas", "--no-auto"],
        "ja",
    );
    assert!(ja.contains("レプリカ nas を追加しました: "), "{ja}");
    assert!(ja.contains("（COMPLIANCE ロック）"), "{ja}");
    let (ja, _) = archive(&env, &["replica", "list"], "ja");
    assert!(
        ja.ends_with("レプリカ 1 個。記録の保存期間 10 年、ロックはさらに 1 年\n"),
        "{ja}"
    );
    let (en, _) = archive(&env, &["replica", "list"], "en");
    assert!(
        en.ends_with("1 replica(s); records kept 10 years, locks 1 year(s) longer\n"),
        "{en}"
    );
    assert!(en.starts_with("nas  dir "), "{en}");

    let (ja, _) = archive(&env, &["replicate"], "ja");
    assert!(ja.starts_with("レプリカ nas（"), "{ja}");
    assert!(ja.contains("、既存 0、失敗 0\n"), "{ja}");
    let (en, _) = archive(&env, &["replicate"], "en");
    assert!(en.starts_with("replica nas ("), "{en}");
    assert!(en.contains(" already there, 0 failed\n"), "{en}");

    let (ja, _) = archive(&env, &["verify", "--replica", "nas"], "ja");
    assert!(ja.contains("、欠落・改変・保護不足 0 個\n"), "{ja}");
    let (en, _) = archive(&env, &["verify", "--replica", "nas"], "en");
    assert!(
        en.contains(" intact, 0 missing, altered or under-protected\n"),
        "{en}"
    );

    let (ja, _) = archive(&env, &["restore", "--from", "nas", "copy-ja"], "ja");
    assert!(
        ja.contains("を復元し、カタログを再構築しました: 2 件\n"),
        "{ja}"
    );
    assert!(
        ja.ends_with("次に: hozon archive --archive copy-ja verify\n"),
        "{ja}"
    );
    let (en, _) = archive(&env, &["restore", "--from", "nas", "copy-en"], "en");
    assert!(en.contains("; catalog rebuilt: 2 record(s)\n"), "{en}");
    assert!(
        en.ends_with("next: hozon archive --archive copy-en verify\n"),
        "{en}"
    );
}

#[test]
fn the_lock_wait_line_is_japanese_and_clap_usage_errors_stay_english() {
    let env = Env::new();
    let _tsa = japanese_archive(&env);
    let lock = crate::archive::hold_lock(&env);
    let child = Command::new(HOZON)
        .args(["archive", "--archive", ARC, "reindex", "--wait"])
        .env("HOZON_LANG", "ja")
        .current_dir(env.dir())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    drop(lock);
    let out = child.wait_with_output().unwrap();
    let (_, err) = check(&out, &["reindex", "--wait"], 0);
    assert!(
        err.contains("hozon: アーカイブのロックを待っています（") && err.contains("4242"),
        "{err}"
    );

    // clap's own texts are English in every language (docs/reports.md).
    let (_, err) = run(
        &env,
        &[
            "archive",
            "--archive",
            ARC,
            "status",
            "--bogus",
            "--lang",
            "ja",
        ],
        &[],
        2,
    );
    assert!(err.contains("unexpected argument '--bogus'"), "{err}");
}

/// The first line `hozon archive serve --listen 127.0.0.1:0 --lang LANG` prints; the server is
/// killed after it.
fn serve_line(env: &Env, lang: &str) -> String {
    use std::io::BufRead;
    let mut child = Command::new(HOZON)
        .args([
            "archive",
            "--archive",
            ARC,
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--lang", lang])
        .current_dir(env.dir())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let read = std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
    let _ = child.kill();
    let _ = child.wait();
    read.unwrap();
    line
}

#[test]
fn serve_says_where_it_listens_in_both_languages_the_address_last() {
    let env = Env::new();
    let _tsa = japanese_archive(&env);
    let mut config = std::fs::read_to_string(env.path("arc/hozon.toml")).unwrap();
    config.push_str("\n[web]\nusers = \"web-users\"\n");
    env.write("arc/hozon.toml", config);
    for (lang, line) in [
        ("ja", "Web ユーザー alice を "),
        ("en", "changed the password of web user alice in "),
    ] {
        use std::io::Write;
        let mut child = Command::new(HOZON)
            .args([
                "archive",
                "--archive",
                ARC,
                "web-user",
                "add",
                "alice",
                "--lang",
                lang,
            ])
            .current_dir(env.dir())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"correct horse battery staple\n").unwrap();
        drop(stdin);
        let (out, _) = check(&child.wait_with_output().unwrap(), &["web-user"], 0);
        assert!(out.starts_with(line), "{out}");
    }
    let ja = serve_line(&env, "ja");
    assert!(
        ja.starts_with("hozon archive serve: 待ち受けています: http://127.0.0.1:"),
        "{ja:?}"
    );
    let en = serve_line(&env, "en");
    assert!(
        en.starts_with("hozon archive serve: listening on http://127.0.0.1:"),
        "{en:?}"
    );
    for line in [ja, en] {
        assert!(line.trim_end().ends_with('/'), "{line:?}");
    }
}

#[test]
fn the_recovery_line_after_an_interrupted_ingest_in_both_languages() {
    let env = Env::new();
    let _tsa = japanese_archive(&env);
    let crash = |env: &Env| {
        let out = env.hozon_env(
            &["archive", "--archive", ARC, "ingest", "in"],
            &[("HOZON_ARCHIVE_CRASH_AT", "ingest-staged")],
        );
        assert!(
            out.status.code().is_none(),
            "did not abort: {}",
            describe(&out)
        );
    };
    crash(&env);
    let (_, ja) = archive(&env, &["reindex"], "ja");
    assert!(
        ja.contains("hozon: 中断された実行の跡を修復しました: ステージング "),
        "{ja}"
    );
    assert!(ja.contains("バイトを切り詰め\n"), "{ja}");
    crash(&env);
    let (_, en) = archive(&env, &["reindex"], "en");
    assert!(
        en.contains("hozon: repaired what an interrupted run left: "),
        "{en}"
    );
    assert!(en.contains(" torn audit byte(s) cut\n"), "{en}");
}

#[test]
fn init_refused_for_want_of_a_test_stamp_says_so_in_japanese() {
    let env = Env::new();
    Pki::copy_to(&env.path("pki")).unwrap();
    let args = ["archive", "init", ARC, "--lang", "ja"];
    let out = crate::archive::init_with(&env, "http://127.0.0.1:1/", &args[3..]);
    let (_, err) = check(&out, &args, 4);
    assert!(
        err.starts_with(
            "hozon: エラー: アーカイブを作成しません: TSA が試験用タイムスタンプを返しませんでした: "
        ),
        "{err}"
    );
    assert!(!env.path(ARC).join("hozon.toml").exists());
}
