//! `hozon archive search` and `hozon archive export`: records found by
//! their metadata from the catalog, and handed over as a BagIt bag. Both
//! are logged in the audit log as accesses (who, what, which records).
//! See docs/intake.md.

use std::path::Path;

use anyhow::Context;

use hozon_archive::export::{ExportError, ExportRequest};
use hozon_archive::lock::Wait;
use hozon_archive::search::{Query, QueryError};
use hozon_archive::Session;

use crate::args::archive::{ExportArgs, SearchArgs};
use crate::outcome::Outcome;
use crate::output;

/// A usage error (exit 2), as clap reports its own.
fn usage(message: impl std::fmt::Display) -> ! {
    clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{message}\n")).exit()
}

fn open(root: &Path, wait: bool, what: &str) -> anyhow::Result<Session> {
    let wait = if wait { Wait::Yes } else { Wait::No };
    Ok(Session::open(
        root,
        wait,
        &format!("hozon archive {what}"),
        &crate::archive_session::lock_waiting,
    )?)
}

/// Runs `archive search`.
pub fn search(root: &Path, a: SearchArgs) -> anyhow::Result<Outcome> {
    let query = Query {
        patient: a.patient,
        document_type: a.document_type,
        from: a.from,
        to: a.to,
        signer: a.signer,
        state: a.state,
        limit: Some(a.limit),
    }
    .checked()
    .unwrap_or_else(|e: QueryError| usage(e));
    let mut session = open(root, a.wait, "search")?;
    let who = hozon_archive::access::os_user();
    let result = hozon_archive::search::run(&mut session, &query, &who)?;
    if a.json {
        output::json(&result)?;
        return Ok(Outcome::Passed);
    }
    output::text(&result.to_text(crate::lang::cat()));
    Ok(Outcome::Passed)
}

/// Runs `archive export`.
pub fn export(root: &Path, a: ExportArgs) -> anyhow::Result<Outcome> {
    if a.records.is_empty() && a.patient.is_empty() {
        usage("archive export: give RECORD_ID… or --patient ID");
    }
    let mut session = crate::archive_session::open(root, &a.job, "export")?;
    let config = crate::archive_session::overridden(&session.config, &a.job)?;
    let verifier = hozon_archive::tools::verifier_setup(&config, None).build()?;
    let request = ExportRequest {
        records: a.records,
        patients: a.patient,
        to: a.to,
    };
    let who = hozon_archive::access::os_user();
    let report = match hozon_archive::export::run(&mut session, &request, &verifier, &who) {
        Ok(r) => r,
        Err(e @ (ExportError::UnknownRecord(_) | ExportError::NoRecords)) => usage(e),
        Err(e) => return Err(e).context("archive export"),
    };
    if a.job.json {
        output::json(&report)?;
    } else {
        output::text(&report.to_text(crate::lang::cat()));
    }
    Ok(if report.failed() {
        Outcome::Failed
    } else if report.indeterminate() {
        Outcome::Indeterminate
    } else {
        Outcome::Passed
    })
}
