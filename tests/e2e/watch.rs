//! Issue 21, item 1: `hozon archive watch`, the watch-folder intake
//! service. Files appearing while it runs (written at once, by a slow
//! writer, renamed into the folder, written under a partial name) are
//! archived exactly once and moved to done/; a failing scan goes to
//! quarantine/ with its reason; one TSA request per window; a SIGKILL in
//! the middle of a window (in the TSA request, and between ingest and the
//! moves) then a restart loses and duplicates nothing; SIGTERM finishes
//! the window and exits 0; polling mode works; `archive status` shows the
//! watcher's backlog and last batch; evidence a window could not get (the
//! TSA was down) is stamped by the idle retry once the TSA is back.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::util::{code, describe, Env, HOZON};

const ARC: &str = "arc";

/// An archive made as the archive tests make it, with short watch times
/// in hozon.toml's `[watch]` (settle 0.6 s, windows of 1 s), and its TSA.
fn archive_with(env: &Env, mode: TsaMode) -> TsaServer {
    let pki = Pki::copy_to(&env.path("tsa-pki")).unwrap();
    // `init` asks for a test stamp: the TSA behaves as `mode` from the watcher on.
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    crate::archive::init(env, &tsa.url());
    tsa.set_mode(mode);
    let mut config = std::fs::read_to_string(env.path("arc/hozon.toml")).unwrap();
    config.push_str("\n[watch]\nsettle_seconds = 0.6\nbatch_seconds = 1\n");
    env.write("arc/hozon.toml", config);
    std::fs::create_dir_all(env.path("in")).unwrap();
    std::fs::create_dir_all(env.path("scans")).unwrap();
    tsa
}

/// A running `hozon archive watch`; killed if still running when dropped.
struct Watch {
    child: Child,
    log: std::path::PathBuf,
}

impl Watch {
    fn start(env: &Env, extra: &[&str], envs: &[(&str, &str)]) -> Watch {
        let n = std::fs::read_dir(env.dir()).unwrap().count();
        let log = env.path(&format!("watch-{n}.log"));
        let mut cmd = Command::new(HOZON);
        cmd.args([
            "archive",
            "--archive",
            ARC,
            "watch",
            "in",
            "--scans",
            "scans",
        ])
        .args(extra)
        .current_dir(env.dir())
        .env("HOZON_LANG", "en")
        .stdin(Stdio::null())
        .stdout(File::create(env.path(&format!("watch-{n}.out"))).unwrap())
        .stderr(File::create(&log).unwrap());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let w = Watch {
            child: cmd.spawn().unwrap(),
            log,
        };
        // Running once the state file says so.
        let pid = w.child.id();
        w.wait_for(env, "the watcher to start", |env| {
            state(env).is_some_and(|s| s["pid"] == pid && s["running"] == true)
        });
        w
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Polls `ready` for up to 60 s; fails with the log (and early if the
    /// watcher died).
    fn wait_for(&self, env: &Env, what: &str, ready: impl Fn(&Env) -> bool) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if ready(env) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for {what}; log:\n{}", self.log());
    }

    fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on the child this test started.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits up to 60 s for the process to end.
    fn wait(&mut self) -> ExitStatus {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the watcher did not exit; log:\n{}", self.log());
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> (ExitStatus, String) {
        self.signal(libc::SIGTERM);
        let status = self.wait();
        (status, self.log())
    }

    /// SIGKILL.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn state(env: &Env) -> Option<Value> {
    let bytes = std::fs::read(env.path("arc/watch.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Regular files directly in `rel` (not in its subdirectories).
fn files(env: &Env, rel: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(env.path(rel))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_type().unwrap().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn status(env: &Env) -> Value {
    let out = env.hozon(&["archive", "--archive", ARC, "status", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The `archived` lines of the audit log, by source file name.
fn archived_lines(env: &Env) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_to_string(env.path("arc/audit.log"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["event"] == "archived")
        .map(|v| {
            let source = v["source"].as_str().unwrap_or_default().to_string();
            Path::new(&source)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(source)
        })
        .collect();
    out.sort();
    out
}

/// Every record catalogued once, with evidence, and the archive verifies.
fn assert_archived_once(env: &Env, names: &[&str]) {
    let s = status(env);
    assert_eq!(s["total"], names.len(), "{s}");
    assert_eq!(s["without_evidence"], 0, "{s}");
    let mut want: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    want.sort();
    assert_eq!(archived_lines(env), want);
    let out = env.hozon(&["archive", "--archive", ARC, "verify"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

fn write_doc(env: &Env, rel: &str, text: &str) {
    env.write(rel, format!("{text}\n{}\n", "x".repeat(64)));
}

#[test]
fn files_appearing_while_it_runs_are_archived_exactly_once() {
    let env = Env::new();
    let _tsa = archive_with(&env, TsaMode::Normal);
    // A settle time well above the slow writer's pauses (the flag over hozon.toml's 0.6 s).
    let watch = Watch::start(&env, &["--settle", "1.5"], &[]);

    // Written at once.
    write_doc(&env, "in/a.txt", "referral");
    // Written under another name outside, then renamed into the folder.
    write_doc(&env, "outside/r.txt", "renamed in");
    std::fs::rename(env.path("outside/r.txt"), env.path("in/r.txt")).unwrap();
    // Written under a partial name inside the folder, then renamed.
    write_doc(&env, "in/p.txt.part", "partial name");
    std::thread::sleep(Duration::from_millis(1800));
    assert!(env.exists("in/p.txt.part"), "a .part file was taken");
    std::fs::rename(env.path("in/p.txt.part"), env.path("in/p.txt")).unwrap();
    // A slow writer: five chunks over ~2 s, the file open throughout.
    let mut whole = Vec::new();
    {
        let mut f = File::create(env.path("in/slow.txt")).unwrap();
        for i in 0..5 {
            let chunk = format!("chunk {i} of a slowly written document\n");
            f.write_all(chunk.as_bytes()).unwrap();
            f.flush().unwrap();
            whole.extend_from_slice(chunk.as_bytes());
            std::thread::sleep(Duration::from_millis(400));
        }
    }
    let names = ["a.txt", "p.txt", "r.txt", "slow.txt"];
    watch.wait_for(&env, "every input in done/", |env| {
        files(env, "in/done") == names
    });
    // The slow file was archived whole: its record holds every chunk.
    let dir = std::fs::read_dir(env.path("arc/records"))
        .unwrap()
        .flat_map(|y| std::fs::read_dir(y.unwrap().path()).unwrap())
        .flat_map(|m| std::fs::read_dir(m.unwrap().path()).unwrap())
        .map(|r| r.unwrap().path())
        .find(|r| r.join("slow.txt").exists())
        .expect("no record of slow.txt");
    assert_eq!(std::fs::read(dir.join("slow.txt")).unwrap(), whole);
    assert_eq!(files(&env, "in"), Vec::<String>::new());
    assert!(files(&env, "in/quarantine").is_empty());
    let (status_code, log) = watch.stop();
    assert!(status_code.success(), "{status_code:?}\n{log}");
    assert_archived_once(&env, &names);
}

#[test]
fn a_failing_scan_is_quarantined_with_its_reason() {
    let env = Env::new();
    let _tsa = archive_with(&env, TsaMode::Normal);
    let watch = Watch::start(&env, &[], &[]);
    env.copy_doc("chart-scan-150dpi.png", "scans/low.png");
    env.copy_doc("chart-scan-300dpi.png", "scans/good.png");
    watch.wait_for(&env, "both scans placed", |env| {
        files(env, "scans/done") == ["good.png"]
            && files(env, "scans/quarantine").contains(&"low.png".to_string())
    });
    let (status_code, log) = watch.stop();
    assert!(status_code.success(), "{log}");
    assert!(
        log.contains("QUARANTINED") && log.contains("low.png"),
        "{log}"
    );
    for line in [
        "watching ",
        "window: 1 archived, ",
        "stopped: 1 window(s), 1 record(s), 1 quarantined",
    ] {
        assert!(log.contains(line), "{line:?} not in the log:\n{log}");
    }
    assert_eq!(
        files(&env, "scans/quarantine"),
        ["low.png", "low.png.reason.json", "low.png.reason.txt"]
    );
    let text = String::from_utf8(env.read("scans/quarantine/low.png.reason.txt")).unwrap();
    assert!(
        text.contains("scan check FAILED") && text.contains("resolution"),
        "{text}"
    );
    let reason: Value =
        serde_json::from_slice(&env.read("scans/quarantine/low.png.reason.json")).unwrap();
    assert_eq!(reason["check"], "scan-policy", "{reason}");
    assert_eq!(
        reason["failed_checks"],
        serde_json::json!(["resolution"]),
        "{reason}"
    );
    assert!(
        reason["file"].as_str().unwrap().ends_with("scans/low.png"),
        "{reason}"
    );
    // The passing scan was archived (and signed) as a scan.
    let s = status(&env);
    assert_eq!(s["total"], 1, "{s}");
    assert_eq!(s["by_kind"][0]["kind"], "scan", "{s}");
    assert_eq!(s["watch"]["totals"]["quarantined"], 1, "{s}");
}

#[test]
fn the_service_log_is_in_japanese_under_hozon_lang_ja() {
    let env = Env::new();
    let _tsa = archive_with(&env, TsaMode::Normal);
    let watch = Watch::start(&env, &[], &[("HOZON_LANG", "ja")]);
    env.copy_doc("chart-scan-150dpi.png", "scans/low.png");
    env.copy_doc("chart-scan-300dpi.png", "scans/good.png");
    watch.wait_for(&env, "both scans placed", |env| {
        files(env, "scans/done") == ["good.png"]
            && files(env, "scans/quarantine").contains(&"low.png".to_string())
    });
    let (status_code, log) = watch.stop();
    assert!(status_code.success(), "{log}");
    for line in [
        "監視を開始しました: ",
        "隔離 QUARANTINED ",
        "ウィンドウ: 保存 1 件、保存済み 0 件、隔離 1 件、保存中に変更され再取得 0 件。証拠記録のバッチ ",
        "停止しました: ウィンドウ 1 回、1 件、隔離 1 件。フォルダに残った入力 0 件",
    ] {
        assert!(log.contains(line), "{line:?} not in the log:\n{log}");
    }
    assert!(log.contains("low.png"), "{log}");
    for english in ["watching ", "window: ", "stopped: "] {
        assert!(
            !log.contains(english),
            "{english:?} in the Japanese log:\n{log}"
        );
    }
}

#[test]
fn one_tsa_request_per_window_and_status_shows_the_last_batch() {
    let env = Env::new();
    let tsa = archive_with(&env, TsaMode::Normal);
    // A backlog waiting before the start: one window.
    for i in 0..6 {
        write_doc(
            &env,
            &format!("in/backlog-{i}.txt"),
            &format!("backlog {i}"),
        );
    }
    let before = tsa.requests();
    let watch = Watch::start(&env, &[], &[]);
    watch.wait_for(&env, "the backlog in done/", |env| {
        files(env, "in/done").len() == 6 && state(env).is_some_and(|s| s["totals"]["records"] == 6)
    });
    assert_eq!(tsa.requests() - before, 1, "{}", watch.log());
    let s = status(&env);
    let batch = &s["watch"]["last_batch"];
    assert_eq!(batch["records"], 6, "{s}");
    assert_eq!(batch["evidence"].as_array().unwrap().len(), 1, "{s}");
    assert_eq!(batch["evidence"][0]["records"], 6, "{s}");
    assert_eq!(s["watch"]["running"], true, "{s}");

    // A second burst while it runs: a second window, a second request.
    for i in 0..3 {
        write_doc(&env, &format!("in/burst-{i}.txt"), &format!("burst {i}"));
    }
    watch.wait_for(&env, "the burst in done/", |env| {
        files(env, "in/done").len() == 9 && state(env).is_some_and(|s| s["totals"]["records"] == 9)
    });
    assert_eq!(tsa.requests() - before, 2, "{}", watch.log());
    let out = env.hozon(&["archive", "--archive", ARC, "status"]);
    let text = crate::util::stdout(&out);
    assert!(text.contains("watch: running"), "{text}");
    assert!(
        text.contains("last batch") && text.contains("3 record(s)"),
        "{text}"
    );
    assert!(text.contains("TSA: 1 time stamp(s)"), "{text}");
    // The same state in Japanese (docs/reports.md, "Languages").
    let out = env.hozon(&["archive", "--archive", ARC, "status", "--lang", "ja"]);
    let text = crate::util::stdout(&out);
    assert!(text.contains("監視: 実行中（pid "), "{text}");
    assert!(
        text.contains("  最後のバッチ ") && text.contains(": 3 件、"),
        "{text}"
    );
    assert!(text.contains("TSA: タイムスタンプ 1 個、"), "{text}");
    let (status_code, log) = watch.stop();
    assert!(status_code.success(), "{log}");
    assert_eq!(state(&env).unwrap()["running"], false);
    assert_eq!(status(&env)["watch"]["totals"]["records"], 9);
}

#[test]
fn sigkill_in_the_tsa_request_then_restart_loses_and_duplicates_nothing() {
    let env = Env::new();
    let tsa = archive_with(&env, TsaMode::Delay(Duration::from_secs(30)));
    let names: Vec<String> = (0..5).map(|i| format!("k{i}.txt")).collect();
    for n in &names {
        write_doc(&env, &format!("in/{n}"), n);
    }
    let before = tsa.requests();
    let watch = Watch::start(&env, &[], &[]);
    // The window's records are committed; its evidence request hangs.
    watch.wait_for(&env, "the window's TSA request", |_| {
        tsa.requests() > before
    });
    watch.kill();
    assert_eq!(
        files(&env, "in"),
        names,
        "an input left before its window was done"
    );
    tsa.set_mode(TsaMode::Normal);

    let watch = Watch::start(&env, &[], &[]);
    watch.wait_for(&env, "every input in done/", |env| {
        files(env, "in/done") == names
    });
    let (status_code, log) = watch.stop();
    assert!(status_code.success(), "{log}");
    assert!(log.contains("5 already archived"), "{log}");
    let want: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_archived_once(&env, &want);
}

#[test]
fn evidence_missed_while_the_tsa_was_down_is_stamped_when_idle_without_new_input() {
    let env = Env::new();
    let tsa = archive_with(&env, TsaMode::Status500Always);
    // `[watch]` is the last table of hozon.toml.
    let mut config = std::fs::read_to_string(env.path("arc/hozon.toml")).unwrap();
    config.push_str("evidence_retry_seconds = 1\n");
    env.write("arc/hozon.toml", config);
    let names = ["down-0.txt", "down-1.txt"];
    for n in names {
        write_doc(&env, &format!("in/{n}"), n);
    }
    let watch = Watch::start(&env, &[], &[]);
    watch.wait_for(&env, "the records archived without evidence", |env| {
        files(env, "in/done").len() == 2
            && state(env).is_some_and(|s| s["last_batch"]["evidence_error"].is_string())
    });
    assert_eq!(status(&env)["without_evidence"], 2);
    // While idle, it tries again after the back-off; the TSA is still down.
    watch.wait_for(&env, "a retry while the TSA is down", |env| {
        state(env).is_some_and(|s| {
            s["errors"].as_array().is_some_and(|e| {
                e.iter().any(|p| {
                    p["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("evidence retry: still no evidence for 2"))
                })
            })
        })
    });
    assert_eq!(status(&env)["without_evidence"], 2);
    // The TSA is back: the records get their evidence with no new input.
    tsa.set_mode(TsaMode::Normal);
    watch.wait_for(&env, "evidence without new input", |env| {
        state(env).is_some_and(|s| {
            s["last_batch"]["evidence_error"].is_null()
                && s["last_batch"]["evidence"]
                    .as_array()
                    .is_some_and(|e| !e.is_empty())
        })
    });
    let s = state(&env).unwrap();
    assert_eq!(s["totals"]["batches"], 1, "no new window: {s}");
    assert_eq!(s["last_batch"]["evidence"][0]["records"], 2, "{s}");
    let (status_code, log) = watch.stop();
    assert!(status_code.success(), "{log}");
    assert!(
        log.contains("ERROR evidence retry: still no evidence for 2 record(s)"),
        "{log}"
    );
    assert!(log.contains("evidence retry: evidence batch"), "{log}");
    assert_archived_once(&env, &names);
}

#[test]
fn killed_between_ingest_and_the_moves_then_restart_loses_and_duplicates_nothing() {
    let env = Env::new();
    let _tsa = archive_with(&env, TsaMode::Normal);
    for n in ["m0.txt", "m1.txt", "m2.txt"] {
        write_doc(&env, &format!("in/{n}"), n);
    }
    let mut cmd = Command::new(HOZON);
    let out = cmd
        .args([
            "archive",
            "--archive",
            ARC,
            "watch",
            "in",
            "--scans",
            "scans",
        ])
        .current_dir(env.dir())
        .env("HOZON_ARCHIVE_CRASH_AT", "watch-ingested")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    // Aborted (as under kill -9), not exited.
    assert_eq!(out.status.code(), None, "{}", describe(&out));
    assert!(
        crate::util::stderr(&out).contains("crash point watch-ingested"),
        "{}",
        describe(&out)
    );
    assert_eq!(files(&env, "in"), ["m0.txt", "m1.txt", "m2.txt"]);
    assert_eq!(status(&env)["total"], 3);

    let watch = Watch::start(&env, &[], &[]);
    watch.wait_for(&env, "every input in done/", |env| {
        files(env, "in/done").len() == 3
    });
    let (status_code, log) = watch.stop();
    assert!(status_code.success(), "{log}");
    assert_archived_once(&env, &["m0.txt", "m1.txt", "m2.txt"]);
}

#[test]
fn sigterm_finishes_the_window_in_progress_and_exits_0() {
    let env = Env::new();
    let tsa = archive_with(&env, TsaMode::Delay(Duration::from_secs(2)));
    for n in ["t0.txt", "t1.txt"] {
        write_doc(&env, &format!("in/{n}"), n);
    }
    let before = tsa.requests();
    let watch = Watch::start(&env, &[], &[]);
    watch.wait_for(&env, "the window's TSA request", |_| {
        tsa.requests() > before
    });
    let (status_code, log) = watch.stop();
    assert_eq!(status_code.code(), Some(0), "{log}");
    assert!(log.contains("stopped"), "{log}");
    // The window was finished: stamped and placed.
    assert_eq!(files(&env, "in/done"), ["t0.txt", "t1.txt"]);
    assert_eq!(state(&env).unwrap()["running"], false);
    assert_archived_once(&env, &["t0.txt", "t1.txt"]);

    // Idle, it stops at once.
    let watch = Watch::start(&env, &[], &[]);
    let start = Instant::now();
    let (status_code, log) = watch.stop();
    assert_eq!(status_code.code(), Some(0), "{log}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn polling_mode_archives_what_appears() {
    let env = Env::new();
    let _tsa = archive_with(&env, TsaMode::Normal);
    let watch = Watch::start(&env, &["--poll", "0.5"], &[]);
    assert_eq!(state(&env).unwrap()["mode"], "poll every 0.5 s");
    write_doc(&env, "in/sub/polled.txt", "polled");
    env.copy_doc("chart-scan-300dpi.png", "scans/polled.png");
    watch.wait_for(&env, "both inputs in done/", |env| {
        files(env, "in/done/sub") == ["polled.txt"] && files(env, "scans/done") == ["polled.png"]
    });
    let (status_code, log) = watch.stop();
    assert!(status_code.success(), "{log}");
    assert_archived_once(&env, &["polled.png", "polled.txt"]);
}

#[test]
fn bad_folders_and_settings_are_refused() {
    let env = Env::new();
    let _tsa = archive_with(&env, TsaMode::Normal);
    let run = |args: &[&str]| {
        let mut all = vec!["archive", "--archive", ARC, "watch"];
        all.extend_from_slice(args);
        env.hozon(&all)
    };
    let out = run(&[]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let out = run(&["in", "--batch-records", "0"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        crate::util::stderr(&out).contains("batch_records"),
        "{}",
        describe(&out)
    );
    let out = run(&["missing"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        crate::util::stderr(&out).contains("missing"),
        "{}",
        describe(&out)
    );
    let out = run(&["arc/records"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        crate::util::stderr(&out).contains("overlaps the archive"),
        "{}",
        describe(&out)
    );
    // One watcher per archive.
    let watch = Watch::start(&env, &[], &[]);
    let out = run(&["in"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        crate::util::stderr(&out).contains("hozon archive watch"),
        "{}",
        describe(&out)
    );
    drop(watch);
}
