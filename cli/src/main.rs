//! The `hozon` command: a thin layer over the hozon crates. It parses
//! arguments, walks directories, runs batches in parallel, prints reports,
//! and computes the exit status once, from the worst outcome (DESIGN.md §3).
#![warn(clippy::unwrap_used, clippy::expect_used)]

mod archive;
mod archive_replica;
mod archive_report;
mod archive_search;
mod archive_serve;
mod archive_session;
mod archive_watch;
mod args;
mod assets;
mod augment;
mod batch;
mod demo;
mod error_kinds;
mod lang;
mod outcome;
mod output;
mod pades;
mod pades_visible;
mod pkcs11;
mod report;
mod scan;
mod sign;
mod signer;
mod signer_check;
mod stamp;
mod tsa;
mod validate;
mod verify;
mod verify_text;

mod xades;
mod xades_demo;
mod xades_extend;
mod xades_sign;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, Pkcs11Command};
use crate::outcome::Outcome;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = cli.validate() {
        e.exit();
    }
    lang::init_lang(cli.lang);
    let result = match cli.command {
        Command::Sign(a) if a.format == args::SignFormatArg::Pades => pades::sign(a),
        Command::Sign(a) => sign::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Extend(a) if pades::all_pdfs(&a.paths) => pades::extend(a),
        Command::Extend(a) if xades_extend::all_xades(&a.paths) => xades_extend::extend(a),
        Command::Extend(a) => stamp::extend(a),
        Command::Timestamp(a) => stamp::timestamp(a),
        Command::Demo(a) => demo::run(a),
        Command::Scan(a) => scan::run(a),
        Command::Pkcs11(Pkcs11Command::List(a)) => pkcs11::list(a),
        Command::Archive(a) => archive::run(a),
        Command::GenerateAssets(a) => assets::run(a),
    };
    match result {
        Ok(outcome) => outcome.exit_code(),
        // Already reported where it was decided.
        Err(e) if e.is::<report::SignerRefused>() => e
            .downcast_ref::<report::SignerRefused>()
            .map_or(Outcome::Error, |r| r.0)
            .exit_code(),
        Err(e) => {
            error_kinds::print(&e);
            Outcome::Error.exit_code()
        }
    }
}
