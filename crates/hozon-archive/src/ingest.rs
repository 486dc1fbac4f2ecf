//! `archive ingest`: classify every input, build its record, publish it,
//! catalogue it, log it — then stamp one evidence batch over everything
//! archived without evidence.
//!
//! # Classification
//!
//! * `X.p7s` beside `X`, or `X.p7m`: a **signed** document. The signature is
//!   verified strictly (as `hozon verify`); a failure is not archived unless
//!   `--accept-failed` (then kept with state `accepted-failed` and the
//!   reason). One that carries a signature time stamp is extended to B-LT
//!   now; a B-B one gets its proof of existence from the evidence record.
//! * Under a `--scans` directory, or a TIFF/PNG/JPEG/JPEG 2000 by its
//!   bytes: a **scan**, checked with the archive's scan policy; only a
//!   passing scan is signed; the report is stored as `scan.json`.
//! * A PDF that carries its own signatures (without a `.p7s` beside it):
//!   a **pades** record, verified strictly and kept byte for byte, not
//!   signed again, and extended to B-LT as a new generation
//!   ([`crate::embedded`]).
//! * An `.xml` document that carries its own XAdES signatures (an
//!   enveloped-signed e-prescription or CDA document), or `X` with a
//!   detached XAdES signature `X.xades.xml` beside it: a **xades** record,
//!   adopted the same way (the detached signature file is what is
//!   extended; `X` is kept as the record's document).
//! * Everything else, **unsigned PDFs included**, is an unsigned clinical
//!   **document** and is signed with the archive's signer. A PDF cannot be
//!   told from its bytes to be a scan (born-digital lab reports are PDFs
//!   too), so scanned PDFs come in through `--scans DIR`.
//!
//! Signatures made here are B-B carrying their validation data (the chain
//! and the CRL/OCSP responses the strict check of the fresh signature
//! used; the verifier's fetcher caches those across the batch). Their time
//! of existence comes from the batch's evidence record.
//!
//! # Commit order (crash safety)
//!
//! Workers build records in `records/.staging/<id>/` without flushing.
//! Every [`GROUP`] records the main thread makes the group durable with one
//! `syncfs`, renames each directory to `records/YYYY/MM/<id>` (the commit
//! point), flushes the month directories, inserts the catalog rows, and
//! appends the audit lines. See [`crate::session`] for the repair of each
//! gap.

use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rayon::prelude::*;
use serde_json::json;

use hozon_verify::{Indication, Level, SignatureReport};

use crate::audit::fields;
use crate::evidence;
use crate::record::{
    is_plain_name, record_id, FileEntry, Kind, RecordFormat, RecordMeta, Role, State,
};
use crate::{crash, durable, io_err, Error, Result, Session};

/// Records made durable and published together.
pub const GROUP: usize = 256;

/// Largest signature file read.
const MAX_SIGNATURE: u64 = hozon_cms::MAX_SIGNATURE_FILE_SIZE;

pub use crate::progress::{NoProgress, Progress};
pub use crate::tools::Tools;

use crate::ingest_classify::{collect, Input};
pub use crate::ingest_report::{Archived, IngestReport, IngestVerdict, Skipped};

/// What to ingest.
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    /// Files and directories.
    pub sources: Vec<PathBuf>,
    /// Directories (or files) whose files are scans.
    pub scans: Vec<PathBuf>,
    /// Keep inputs whose signature or scan check failed, marked as such.
    pub accept_failed: bool,
    /// Scan policy class for every scan (default: by the policy's rules).
    pub class: Option<String>,
    /// Records per evidence batch (one TSA request each).
    pub batch_size: usize,
    /// Archive content that is already archived under another path again
    /// (otherwise it is refused as a duplicate of the first record).
    pub allow_duplicates: bool,
    /// Of the files found under `sources` and `scans`, take only these
    /// (as the walk names them: a root joined with the path below it).
    /// `archive watch` passes the files that have settled.
    pub only: Option<HashSet<PathBuf>>,
}

/// Ingests `options.sources` into the open archive.
pub fn run(
    session: &mut Session,
    options: &IngestOptions,
    tools: &Tools,
    progress: &dyn Progress,
) -> Result<IngestReport> {
    let mut report = IngestReport {
        recovery: session.recovery.clone(),
        ..IngestReport::default()
    };
    let (inputs, refused) = collect(&options.sources, &options.scans, options.only.as_ref());
    report.not_archived.extend(refused);

    // 1. Identity: canonical path + content hash.
    progress.phase("hashing", inputs.len() as u64);
    let identified: Vec<std::result::Result<(Input, String, String, String), Skipped>> = inputs
        .into_par_iter()
        .map(|input| {
            let r = identify(&input);
            progress.advance(1);
            r.map(|(source, sha, id)| (input.clone(), source, sha, id))
                .map_err(|reason| Skipped {
                    source: input.path.display().to_string(),
                    reason,
                })
        })
        .collect();
    progress.finish();
    let mut todo = Vec::new();
    let mut seen = HashSet::new();
    let mut contents: std::collections::HashMap<String, String> = Default::default();
    let archive_root =
        std::fs::canonicalize(session.layout.root()).map_err(io_err(session.layout.root()))?;
    for item in identified {
        match item {
            Err(s) => {
                report.unreadable += 1;
                report.not_archived.push(s);
            }
            Ok((input, source, _, _)) if Path::new(&source).starts_with(&archive_root) => {
                let _ = input;
                report.not_archived.push(Skipped {
                    source,
                    reason: "lies inside the archive itself".into(),
                });
            }
            Ok((input, source, sha, id)) => {
                if !seen.insert(id.clone()) {
                    continue;
                }
                if session.catalog.contains(&id)? {
                    report.already_archived.push(Skipped {
                        source,
                        reason: format!("already archived as record {id}"),
                    });
                    continue;
                }
                let first = match session.catalog.with_content(&sha)? {
                    Some((first_id, first_source)) => {
                        Some(format!("record {first_id} ({first_source})"))
                    }
                    None => contents
                        .get(&sha)
                        .map(|s| format!("{s}, archived in this run")),
                };
                match first {
                    Some(first) if !options.allow_duplicates => {
                        report.not_archived.push(Skipped {
                            source,
                            reason: format!(
                                "a duplicate of {first}: the same content is already archived (--allow-duplicates archives it again)"
                            ),
                        });
                    }
                    _ => {
                        contents
                            .entry(sha.clone())
                            .or_insert_with(|| source.clone());
                        todo.push((input, source, sha, id));
                    }
                }
            }
        }
    }

    // 2. Build records in parallel; commit them in groups here.
    let now = hozon_cms::UnixTime::now();
    let ingested = now.rfc3339();
    let month = ingested.get(..7).unwrap_or("0000-00").replace('-', "/");
    let retain_until =
        crate::replicate::retain_until_after(&ingested, session.config.retention.retention_years);
    let staging = session.layout.staging();
    std::fs::create_dir_all(&staging).map_err(io_err(&staging))?;
    progress.phase("archiving", todo.len() as u64);
    let (tx, rx) = mpsc::sync_channel::<std::result::Result<RecordMeta, Skipped>>(GROUP * 2);
    let gatherer =
        crate::metadata::Gatherer::new(&session.config.metadata).map_err(|e| Error::Config {
            path: session.layout.config(),
            reason: e.to_string(),
        })?;
    let ctx = BuildContext {
        metadata: &gatherer,
        staging: &staging,
        ingested: &ingested,
        retain_until: retain_until.as_deref(),
        month: &month,
        tools,
        options,
    };
    let mut first_error = None;
    std::thread::scope(|scope| {
        let ctx = &ctx;
        // The workers run in a pool as large as the caller's (-j), on a
        // thread of their own, while this thread commits.
        let threads = rayon::current_num_threads();
        scope.spawn(move || {
            let work = move || {
                todo.into_par_iter()
                    .for_each_with(tx, |tx, (input, source, sha, id)| {
                        let result =
                            build(ctx, &input, &source, &sha, &id).map_err(|reason| Skipped {
                                source: source.clone(),
                                reason,
                            });
                        let _ = tx.send(result);
                    });
            };
            match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
                Ok(pool) => pool.install(work),
                Err(_) => work(),
            }
        });
        let mut group = Vec::with_capacity(GROUP);
        let mut receiving = true;
        while receiving {
            match rx.recv() {
                Ok(Ok(meta)) => group.push(meta),
                Ok(Err(skipped)) => {
                    report.not_archived.push(skipped);
                    progress.advance(1);
                }
                Err(_) => receiving = false,
            }
            // Commit when the group is full, when the workers are done, or
            // when nothing else is ready (so a slow batch still commits).
            let flush = group.len() >= GROUP || (!receiving && !group.is_empty());
            if flush && first_error.is_none() {
                let n = group.len() as u64;
                if let Err(e) = commit_group(session, &mut group, &mut report) {
                    first_error = Some(e);
                }
                progress.advance(n);
            } else if flush {
                group.clear();
            }
        }
    });
    progress.finish();
    if let Some(e) = first_error {
        return Err(e);
    }
    // Leftover staging directories of refused inputs.
    let _ = std::fs::remove_dir_all(&staging).and_then(|()| std::fs::create_dir(&staging));

    // 3. One evidence batch over everything without evidence.
    report.evidence = evidence::stamp_pending(
        session,
        tools.stamper(),
        &tools.verifier,
        options.batch_size,
        progress,
    )?;

    session.audit.append(&[(
        "ingest",
        fields([
            ("archived", json!(report.archived.len())),
            ("already_archived", json!(report.already_archived.len())),
            ("not_archived", json!(report.not_archived.len())),
            (
                "not_archived_sources",
                json!(report
                    .not_archived
                    .iter()
                    .take(1000)
                    .map(|s| &s.source)
                    .collect::<Vec<_>>()),
            ),
            ("evidence_batches", json!(report.evidence.batches.len())),
        ]),
    )])?;
    Ok(report)
}

fn commit_group(
    session: &mut Session,
    group: &mut Vec<RecordMeta>,
    report: &mut IngestReport,
) -> Result<()> {
    let staging = session.layout.staging();
    let records = session.layout.records();
    durable::sync_filesystem(&staging)?;
    crash::point("ingest-staged");
    let mut months = BTreeSet::new();
    let mut published = Vec::with_capacity(group.len());
    for meta in group.drain(..) {
        let from = staging.join(&meta.id);
        let to = records.join(&meta.dir);
        let parent = to.parent().unwrap_or(&records).to_path_buf();
        if months.insert(parent.clone()) && !parent.exists() {
            std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
            if let Some(year) = parent.parent() {
                durable::sync_dir(year)?;
            }
            durable::sync_dir(&records)?;
        }
        if to.exists() {
            // Published by a run whose catalog row was repaired since.
            std::fs::remove_dir_all(&from).map_err(io_err(&from))?;
            report.already_archived.push(Skipped {
                source: meta.source.clone(),
                reason: format!("already archived as record {}", meta.id),
            });
            continue;
        }
        std::fs::rename(&from, &to).map_err(io_err(&to))?;
        crash::point("ingest-renamed");
        published.push(meta);
    }
    for m in &months {
        durable::sync_dir(m)?;
    }
    durable::sync_dir(&staging)?;
    crash::point("ingest-published");
    let refs: Vec<&RecordMeta> = published.iter().collect();
    session.catalog.insert(&refs)?;
    crash::point("ingest-cataloged");
    let events: Vec<_> = published
        .iter()
        .map(|m| ("archived", crate::checks::manifest::archived_fields(m)))
        .collect();
    let first = session.audit.append(&events)?;
    let ids: Vec<&str> = published.iter().map(|m| m.id.as_str()).collect();
    session.catalog.mark_audited(&ids, first)?;
    crash::point("ingest-audited");
    report
        .archived
        .extend(published.into_iter().map(|m| Archived {
            source: m.source,
            id: m.id,
            kind: m.kind,
            level: m.level,
            state: m.state,
            dir: m.dir,
        }));
    Ok(())
}

/// Canonical source path, content SHA-256 and record id.
fn identify(input: &Input) -> std::result::Result<(String, String, String), String> {
    let canonical = std::fs::canonicalize(&input.path).map_err(|e| e.to_string())?;
    let source = canonical.to_string_lossy().into_owned();
    let (sha, _) = crate::sha256_file(&canonical).map_err(|e| e.to_string())?;
    let id = record_id(&source, &sha);
    Ok((source, sha, id))
}

struct BuildContext<'a> {
    staging: &'a Path,
    ingested: &'a str,
    retain_until: Option<&'a str>,
    month: &'a str,
    tools: &'a Tools,
    options: &'a IngestOptions,
    metadata: &'a crate::metadata::Gatherer,
}

/// Copies `from` to the new file `to`, hashing what was written.
fn copy_hashing(from: &Path, to: &Path) -> std::result::Result<(String, u64), String> {
    let mut src = File::open(from).map_err(|e| format!("cannot open: {e}"))?;
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|e| format!("{}: {e}", to.display()))?;
    let mut hasher = openssl::sha::Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut len = 0u64;
    loop {
        let n = src
            .read(&mut buf)
            .map_err(|e| format!("cannot read: {e}"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n])
            .map_err(|e| format!("{}: {e}", to.display()))?;
        len += n as u64;
    }
    Ok((hex::encode(hasher.finish()), len))
}

fn read_limited(path: &Path) -> std::result::Result<Vec<u8>, String> {
    let f = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    f.take(MAX_SIGNATURE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_SIGNATURE {
        return Err(format!(
            "{}: larger than the {MAX_SIGNATURE}-byte limit for a signature",
            path.display()
        ));
    }
    Ok(bytes)
}

/// Every SignerInfo TOTAL_PASSED, or the first problem.
fn verdict(reports: &[SignatureReport]) -> std::result::Result<(), String> {
    if reports.is_empty() {
        return Err("no signature found".into());
    }
    for r in reports {
        if r.indication != Indication::TotalPassed {
            return Err(format!(
                "signature {}{}: {}",
                r.indication,
                r.sub_indication
                    .map(|s| format!("/{s}"))
                    .unwrap_or_default(),
                r.errors.first().cloned().unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// The name a document gets inside its record.
fn stored_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".into());
    if is_plain_name(&name) && name != "scan.json" {
        name
    } else {
        format!("document-{name}")
    }
}

/// Builds one record in `staging/<id>/`. Returns its metadata, or why the
/// input is not archived.
fn build(
    ctx: &BuildContext<'_>,
    input: &Input,
    source: &str,
    sha: &str,
    id: &str,
) -> std::result::Result<RecordMeta, String> {
    let dir = ctx.staging.join(id);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = build_in(ctx, input, source, sha, id, &dir);
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

fn build_in(
    ctx: &BuildContext<'_>,
    input: &Input,
    source: &str,
    sha: &str,
    id: &str,
    dir: &Path,
) -> std::result::Result<RecordMeta, String> {
    let tools = ctx.tools;
    let mut meta = RecordMeta {
        format: RecordFormat::V1,
        id: id.into(),
        source: source.into(),
        sha256: sha.into(),
        kind: input.kind,
        class: None,
        level: None,
        state: State::Archived,
        failure: None,
        ingested: ctx.ingested.into(),
        retain_until: ctx.retain_until.map(str::to_string),
        dir: format!("{}/{id}", ctx.month),
        files: Vec::new(),
        history: Vec::new(),
        metadata: None,
    };
    let name = stored_name(&input.path);
    let doc = dir.join(&name);
    let (copied_sha, size) = copy_hashing(&input.path, &doc)?;
    if copied_sha != sha {
        return Err("the file changed while it was being archived; run again".into());
    }
    let label = input.path.display().to_string();
    if input.enveloping {
        // A .p7m is both document and signature.
        let reports = tools.verifier.verify(
            &label,
            &std::fs::read(&doc).map_err(|e| e.to_string())?,
            None,
        );
        meta.files.push(FileEntry {
            name,
            role: Role::Signature,
            sha256: copied_sha,
            size,
        });
        meta.level = reports.first().and_then(|r| r.level);
        if let Err(reason) = verdict(&reports) {
            if !ctx.options.accept_failed {
                return Err(reason);
            }
            meta.state = State::AcceptedFailed;
            meta.failure = Some(reason);
        }
        return finish(ctx, input, meta, dir);
    }
    // A document that carries its own signature (a signed PDF) is
    // verified and kept, not signed again.
    let embedded = match input.kind {
        Kind::Document => crate::embedded::Embedded::detect(&doc),
        Kind::Xades => Some(crate::embedded::Embedded::Xades),
        Kind::Signed | Kind::Scan | Kind::Pades => None,
    };
    if let Some(format) = embedded {
        match &input.signature {
            // A detached XAdES signature: the document as it is, and the
            // signature file (what is verified and extended) beside it.
            Some(signature) => {
                meta.files.push(FileEntry {
                    name: name.clone(),
                    role: Role::Document,
                    sha256: copied_sha,
                    size,
                });
                let sig_name = format!("{name}.xades.xml");
                let (sig_sha, sig_size) = copy_hashing(signature, &dir.join(&sig_name))?;
                meta.files.push(FileEntry {
                    name: sig_name,
                    role: Role::Signature,
                    sha256: sig_sha,
                    size: sig_size,
                });
            }
            None => meta.files.push(FileEntry {
                name,
                role: Role::SignedDocument,
                sha256: copied_sha,
                size,
            }),
        }
        let adopt = crate::embedded::Adopt {
            format,
            verifier: &tools.verifier,
            augmenter: tools.augmenter.as_ref(),
            accept_failed: ctx.options.accept_failed,
            label: &label,
        };
        crate::embedded::adopt(&adopt, dir, &mut meta).map_err(|e| e.to_string())?;
        return finish(ctx, input, meta, dir);
    }
    meta.files.push(FileEntry {
        name: name.clone(),
        role: Role::Document,
        sha256: copied_sha,
        size,
    });
    let signature = match input.kind {
        Kind::Signed => adopt(ctx, input, &doc, &mut meta)?,
        Kind::Scan => {
            // The class by the policy's root (else by the scan folder), from the original path;
            // the check runs on the staged copy, which ingest signs (or whose own signature it
            // checks) below: that meets a class's require_signature.
            let matched = match &ctx.options.class {
                Some(c) => hozon_scan::ClassMatch::chosen(c),
                None => match tools.scan_policy.root {
                    Some(_) => tools
                        .scan_policy
                        .classify(&input.path, None)
                        .map_err(|e| e.to_string())?,
                    None => tools.scan_policy.match_relative(&input.relative, None),
                },
            };
            let class = matched.class.clone();
            let options = hozon_scan::CheckOptions {
                verifier: None,
                signature: hozon_scan::SignatureSource::ByCaller,
            };
            // A reason names the input, never the staged copy.
            let mut scan = hozon_scan::check_file_opts(&doc, &tools.scan_policy, &class, &options)
                .map_err(|e| e.to_string().replace(&doc.display().to_string(), source))?;
            scan.file = source.to_string();
            scan.class_match = Some(matched);
            let passed = scan.verdict == hozon_scan::Status::Passed;
            let failures: Vec<String> = scan
                .failures()
                .map(|c| format!("{}: {}", c.check, c.detail))
                .collect();
            let json = serde_json::to_vec_pretty(&scan).map_err(|e| e.to_string())?;
            durable::write_new(&dir.join("scan.json"), &json).map_err(|e| e.to_string())?;
            meta.files.push(FileEntry {
                name: "scan.json".into(),
                role: Role::ScanReport,
                sha256: crate::sha256_hex(&json),
                size: json.len() as u64,
            });
            meta.class = Some(class);
            match (passed, &input.signature) {
                // A scan that came signed: its signature is checked like
                // any other existing signature.
                (true, Some(_)) => adopt(ctx, input, &doc, &mut meta)?,
                (true, None) => Some(sign(tools, &label, &doc, sha)?),
                (false, signature) => {
                    let reason = format!("scan check FAILED: {}", failures.join("; "));
                    if !ctx.options.accept_failed {
                        return Err(reason);
                    }
                    meta.state = State::AcceptedFailed;
                    meta.failure = Some(reason);
                    match signature {
                        Some(p) => Some(read_limited(p)?),
                        None => None,
                    }
                }
            }
        }
        Kind::Document => Some(sign(tools, &label, &doc, sha)?),
        // Inputs are classified signed, document or scan; a signed PDF is
        // adopted above.
        Kind::Pades | Kind::Xades => {
            return Err("a self-signed document is adopted, never signed again".into())
        }
    };
    if let Some(sig) = signature {
        if meta.level.is_none() && meta.state == State::Archived {
            meta.level = Some(Level::BB);
        }
        let sig_name = format!("{name}.p7s");
        durable::write_new(&dir.join(&sig_name), &sig).map_err(|e| e.to_string())?;
        meta.files.push(FileEntry {
            name: sig_name,
            role: Role::Signature,
            sha256: crate::sha256_hex(&sig),
            size: sig.len() as u64,
        });
    }
    finish(ctx, input, meta, dir)
}

/// An existing signature (`X.p7s` of `input`, stored document `doc`):
/// verified strictly; passed and time-stamped → extended to B-LT; passed
/// B-B → with the validation data its check used; failed → refused, or
/// kept unchanged as accepted-failed.
fn adopt(
    ctx: &BuildContext<'_>,
    input: &Input,
    doc: &Path,
    meta: &mut RecordMeta,
) -> std::result::Result<Option<Vec<u8>>, String> {
    let tools = ctx.tools;
    let doc = doc.to_path_buf();
    let sig_path = input.signature.as_deref().unwrap_or(&input.path);
    let bytes = read_limited(sig_path)?;
    let label = sig_path.display().to_string();
    let (reports, evidence) = tools
        .verifier
        .verify_with_evidence(&label, &bytes, Some(&doc));
    meta.level = reports.first().and_then(|r| r.level);
    Ok(match verdict(&reports) {
        Ok(()) => {
            let stamped = reports.iter().all(|r| !r.timestamps.is_empty());
            match (stamped, &tools.augmenter) {
                (true, Some(augmenter)) if meta.level != Some(Level::BLta) => {
                    let extended = augmenter
                        .apply(&label, &bytes, Some(&doc))
                        .map_err(|e| format!("cannot extend to B-LT: {e}"))?;
                    meta.level = Some(Level::BLt);
                    Some(extended)
                }
                // B-B: it carries, like the archive's own, the
                // validation data its check used; its time of
                // existence comes from the evidence record.
                (false, _) => Some(
                    hozon_ltv::add_validation_data(
                        &bytes,
                        &evidence.certs,
                        &evidence.crls,
                        &evidence.ocsp,
                    )
                    .map(|w| w.der)
                    .map_err(|e| format!("cannot embed validation data: {e}"))?,
                ),
                _ => Some(bytes),
            }
        }
        Err(reason) => {
            if !ctx.options.accept_failed {
                return Err(reason);
            }
            meta.state = State::AcceptedFailed;
            meta.failure = Some(reason);
            Some(bytes)
        }
    })
}

fn finish(
    ctx: &BuildContext<'_>,
    input: &Input,
    mut meta: RecordMeta,
    dir: &Path,
) -> std::result::Result<RecordMeta, String> {
    meta.metadata = ctx
        .metadata
        .for_record(&input.path, dir, &meta)
        .map_err(|e| e.to_string())?;
    durable::write_new(&dir.join("record.json"), &meta.to_bytes()).map_err(|e| e.to_string())?;
    Ok(meta)
}

/// Signs `doc` (whose SHA-256 is `sha`) as B-B and embeds the validation
/// data of the strict check of the new signature.
fn sign(tools: &Tools, label: &str, doc: &Path, sha: &str) -> std::result::Result<Vec<u8>, String> {
    let signer = tools.signer.as_ref().ok_or(
        "no signer is configured (hozon archive init --key/--cert, --pkcs12 or --pkcs11-module)",
    )?;
    let sig = if signer.digest_algorithm() == hozon_cms::DigestAlgorithm::Sha256 {
        let digest = hex::decode(sha).map_err(|e| e.to_string())?;
        signer.sign_detached_digest(&digest)
    } else {
        signer.sign_detached(File::open(doc).map_err(|e| e.to_string())?)
    }
    .map_err(|e| format!("signing failed: {e}"))?;
    let (reports, evidence) = tools.verifier.verify_with_evidence(label, &sig, Some(doc));
    verdict(&reports).map_err(|e| {
        format!("the archive's own signature does not validate, so nothing was archived: {e}")
    })?;
    hozon_ltv::add_validation_data(&sig, &evidence.certs, &evidence.crls, &evidence.ocsp)
        .map(|w| w.der)
        .map_err(|e| format!("cannot embed validation data: {e}"))
}

#[allow(dead_code)]
fn _assert_error_is_send(e: Error) -> Box<dyn std::error::Error + Send + Sync> {
    Box::new(e)
}
