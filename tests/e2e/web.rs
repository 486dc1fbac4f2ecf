//! Issue 21 item 5: `hozon archive serve`, the read-only web view, as a
//! user meets it. A real headless Chromium (Debian `chromium`, driven
//! through `chromedriver` from `chromium-driver` with the fantoccini
//! WebDriver client) logs in — after a wrong password is refused — and
//! walks dashboard → search → record → download, checking each page's
//! content (counts, Japanese verdict words, the file's SHA-256) and taking
//! screenshots into the test's directory; every view is in the audit log.
//! A non-loopback listen without TLS is refused with exit 2, and a TLS
//! server is reached by a client that trusts only the test CA.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use hozon_testkit as tools;
use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::util::{code, describe, Env, HOZON};

const ARC: &str = "arc";
const PATIENT: &str = "P-WEB-0042";
const PASSWORD: &str = "correct horse battery staple";
const DOC: &str = "退院時要約 discharge summary\n";

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An archive with one signed document of patient `PATIENT` (from its
/// sidecar), `[web] users = "web-users"` and the web user alice.
fn web_archive(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    crate::archive::init(env, &tsa.url());
    let mut config = std::fs::read_to_string(env.path("arc/hozon.toml")).unwrap();
    config.push_str("\n[web]\nusers = \"web-users\"\nsession_minutes = 5\n");
    env.write("arc/hozon.toml", config);
    env.write("in/summary.txt", DOC);
    env.write(
        "in/summary.txt.meta.json",
        format!(r#"{{"patient_id":"{PATIENT}","document_type":"discharge","document_date":"2026-11-30"}}"#),
    );
    let out = env.hozon(&["archive", "--archive", ARC, "ingest", "in"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    add_user(env, "alice", PASSWORD);
    tsa
}

/// `hozon archive web-user add NAME` with the password on stdin.
fn add_user(env: &Env, name: &str, password: &str) {
    let mut child = Command::new(HOZON)
        .args(["archive", "--archive", ARC, "web-user", "add", name])
        .current_dir(env.dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let users = std::fs::read_to_string(env.path("arc/web-users")).unwrap();
    assert!(users.contains(&format!("{name}:$argon2id$")), "{users}");
    assert!(!users.contains(password), "{users}");
}

/// Starts `hozon archive serve ARGS` and reads the address it prints.
fn serve(env: &Env, args: &[&str]) -> (Killed, String) {
    let mut child = Command::new(HOZON)
        .args(["archive", "--archive", ARC, "serve"])
        .args(args)
        .current_dir(env.dir())
        .env("HOZON_LANG", "ja")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // The address is the line's last word in every language (HOZON_LANG=ja above).
    let url = line
        .trim()
        .strip_prefix("hozon archive serve: 待ち受けています: ")
        .unwrap_or_else(|| panic!("no address printed: {line:?}"))
        .trim_end_matches('/')
        .to_string();
    (Killed(child), url)
}

fn access_lines(env: &Env) -> Vec<Value> {
    std::fs::read_to_string(env.path("arc/audit.log"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["event"] == "access")
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `path` exists and is complete (Chromium writes
/// `.crdownload` first).
fn wait_for_file(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        let partial = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"))
            })
            .unwrap_or(false);
        if path.is_file() && !partial {
            return path;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{} never appeared", path.display());
}

#[test]
fn chromium_logs_in_and_walks_dashboard_search_record_download() {
    let Some(chromium) = tools::which("chromium")
        .or_else(|| tools::which("chromium-browser"))
        .or_else(|| tools::tool("chromium", "chromium"))
    else {
        return;
    };
    let Some(chromedriver) = tools::tool("chromedriver", "chromium-driver") else {
        return;
    };
    let env = Env::new();
    let _tsa = web_archive(&env);
    let (_server, url) = serve(&env, &["--listen", "127.0.0.1:0"]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let port = free_port();
    let _driver = Killed(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let downloads = env.path("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let shots = env.path("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let caps: serde_json::Map<String, Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                format!("--user-data-dir={}", env.path("chromium-profile").display()),
                "--window-size=1200,1600"
            ],
            "prefs": {
                "download.default_directory": downloads,
                "download.prompt_for_download": false
            }
        }
    }))
    .unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let record_id = runtime.block_on(async {
        let driver = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&driver)
                .await
            {
                Ok(c) => break c,
                Err(e) if start.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("chromedriver: {e}"),
            }
        };
        let shot = |name: &'static str| {
            let client = client.clone();
            let path = shots.join(name);
            async move {
                let png = client.screenshot().await.unwrap();
                assert!(png.starts_with(b"\x89PNG"), "{name}");
                std::fs::write(path, png).unwrap();
            }
        };
        let source = || {
            let client = client.clone();
            async move { client.source().await.unwrap() }
        };

        // A page without login goes to the login form; a wrong password is refused.
        client.goto(&format!("{url}/")).await.unwrap();
        assert!(client.current_url().await.unwrap().path() == "/login");
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("user"))
            .await
            .unwrap()
            .send_keys("alice")
            .await
            .unwrap();
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("password"))
            .await
            .unwrap()
            .send_keys("wrong")
            .await
            .unwrap();
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("login"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let failed = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("login-failed"))
            .await
            .unwrap();
        assert_eq!(
            failed.text().await.unwrap(),
            "ユーザー名またはパスワードが違います。"
        );
        shot("0-login-refused.png").await;

        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("user"))
            .await
            .unwrap()
            .send_keys("alice")
            .await
            .unwrap();
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("password"))
            .await
            .unwrap()
            .send_keys(PASSWORD)
            .await
            .unwrap();
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("login"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();

        // The dashboard: one record, with the verification table's Japanese words.
        let total = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("total"))
            .await
            .unwrap();
        assert_eq!(total.text().await.unwrap(), "1");
        assert_eq!(
            client
                .find(Locator::Id("without-evidence"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
            "0"
        );
        let page = source().await;
        assert!(page.contains("有効 (TOTAL_PASSED)"), "{page}");
        assert!(page.contains("判定不能 (INDETERMINATE)"), "{page}");
        assert!(
            page.contains("renewal-chart"),
            "the renewal forecast chart: {page}"
        );
        assert!(!page.contains(PATIENT), "no patient ID on the dashboard");
        shot("1-dashboard.png").await;

        // Search by patient.
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::LinkText("検索"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("patient"))
            .await
            .unwrap()
            .send_keys(PATIENT)
            .await
            .unwrap();
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("run-search"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let count = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("result-count"))
            .await
            .unwrap();
        assert_eq!(count.text().await.unwrap(), "1 件");
        assert!(source().await.contains(PATIENT));
        shot("2-search.png").await;

        // The record: verdict in words, the file's SHA-256, the evidence timeline.
        let link = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("a.record-link"))
            .await
            .unwrap();
        let href = link.attr("href").await.unwrap().unwrap();
        let record_id = href.rsplit('/').next().unwrap().to_string();
        link.click().await.unwrap();
        let outcome = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("outcome"))
            .await
            .unwrap();
        assert_eq!(outcome.text().await.unwrap(), "有効 (TOTAL_PASSED)");
        let page = source().await;
        let sha = hex::encode(openssl::sha::sha256(DOC.as_bytes()));
        assert!(page.contains(&sha), "the document's SHA-256: {page}");
        assert!(
            page.contains("証拠の時系列"),
            "the evidence timeline: {page}"
        );
        assert!(page.contains(PATIENT), "the record's metadata");
        shot("3-record.png").await;

        // Download the document: the bytes that were ingested.
        let download = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("a.download[href$='/summary.txt']"))
            .await
            .unwrap();
        download.click().await.unwrap();
        let got = wait_for_file(&downloads, "summary.txt");
        assert_eq!(std::fs::read(&got).unwrap(), DOC.as_bytes());
        shot("4-after-download.png").await;

        // The record's export bag, as one tar file: a BagIt bag holding the document.
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Id("download-bag"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let tar = wait_for_file(&downloads, &format!("{record_id}-bag.tar"));
        let out = Command::new("tar").arg("-tf").arg(&tar).output().unwrap();
        assert_eq!(code(&out), 0, "{}", describe(&out));
        let listing = String::from_utf8_lossy(&out.stdout).into_owned();
        for entry in [
            "bagit.txt".to_string(),
            "manifest-sha256.txt".to_string(),
            format!("data/{record_id}/summary.txt"),
            format!("data/{record_id}.verification.json"),
        ] {
            assert!(
                listing
                    .lines()
                    .any(|l| l == format!("{record_id}-bag/{entry}")),
                "{entry} not in the bag: {listing}"
            );
        }
        client.close().await.unwrap();
        record_id
    });

    for shot in [
        "0-login-refused.png",
        "1-dashboard.png",
        "2-search.png",
        "3-record.png",
        "4-after-download.png",
    ] {
        assert!(
            std::fs::metadata(shots.join(shot)).unwrap().len() > 1000,
            "{shot}"
        );
    }
    // Every view is in the audit log, as alice, with the records it showed.
    let lines = access_lines(&env);
    let got: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["who"].as_str().unwrap(), l["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            // The refused wrong password first.
            ("web:alice", "login-failed"),
            ("web:alice", "login"),
            ("web:alice", "view"),
            ("web:alice", "view"),
            ("web:alice", "search"),
            ("web:alice", "view"),
            ("web:alice", "download"),
            ("web:alice", "export"),
        ],
        "{lines:?}"
    );
    // The failed login names no page and no record.
    assert!(lines[0]["page"].is_null() && lines[0]["records"] == serde_json::json!([]));
    assert_eq!(lines[2]["page"], "/");
    assert_eq!(lines[3]["page"], "/search");
    assert_eq!(lines[4]["query"]["patient"], PATIENT);
    assert_eq!(lines[4]["records"], serde_json::json!([record_id]));
    assert_eq!(lines[5]["records"], serde_json::json!([record_id]));
    assert_eq!(lines[6]["records"], serde_json::json!([record_id]));
    assert_eq!(lines[7]["records"], serde_json::json!([record_id]));
    let out = env.hozon(&["archive", "--archive", ARC, "verify"]);
    assert_eq!(code(&out), 0, "the audit chain holds: {}", describe(&out));
}

#[test]
fn a_non_loopback_listen_without_tls_is_refused() {
    let env = Env::new();
    for addr in ["0.0.0.0:0", "[::]:0"] {
        let out = env.hozon(&["archive", "--archive", ARC, "serve", "--listen", addr]);
        assert_eq!(code(&out), 2, "{}", describe(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("needs TLS"),
            "{}",
            describe(&out)
        );
    }
}

#[test]
fn a_tls_server_is_reached_by_a_client_trusting_the_test_ca() {
    let env = Env::new();
    let _tsa = web_archive(&env);
    env.write(
        "tls/san.cnf",
        "[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    );
    for args in [
        vec![
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "tls/ca.key",
            "-out",
            "tls/ca.crt",
            "-subj",
            "/CN=hozon web test CA",
            "-days",
            "2",
        ],
        vec![
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "tls/server.key",
            "-out",
            "tls/server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
        vec![
            "x509",
            "-req",
            "-in",
            "tls/server.csr",
            "-CA",
            "tls/ca.crt",
            "-CAkey",
            "tls/ca.key",
            "-CAcreateserial",
            "-out",
            "tls/server.crt",
            "-days",
            "2",
            "-extfile",
            "tls/san.cnf",
            "-extensions",
            "ext",
        ],
    ] {
        env.openssl_ok(&args);
    }
    let (_server, url) = serve(
        &env,
        &[
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            "tls/server.crt",
            "--tls-key",
            "tls/server.key",
        ],
    );
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let ca = reqwest::Certificate::from_pem(&env.read("tls/ca.crt")).unwrap();
    let client = reqwest::blocking::Client::builder()
        .tls_certs_only([ca])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client.get(format!("{url}/login")).send().unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(r.text().unwrap().contains("ログイン"));
    // A client that does not trust the test CA gets no answer.
    let stranger = reqwest::blocking::Client::builder().build().unwrap();
    assert!(stranger.get(format!("{url}/login")).send().is_err());
}
