//! The checks between arguments that clap's declarations cannot say
//! (which options a level or format needs, a complete signer), made once
//! after parsing: a failure is a usage error (exit 2).

use crate::args::{
    Cli, Command, ExtendLevel, LevelArg, ScanFormatArg, ScanLevelArg, SignFormatArg,
};
use crate::signer::signer_complete;

impl Cli {
    /// Checks what clap's declarations cannot express (a flag required by
    /// the value of another in some subcommands); errors exit with status 2
    /// like every usage error.
    pub fn validate(&self) -> Result<(), clap::Error> {
        use clap::CommandFactory;
        let needs_tsa = match &self.command {
            Command::Sign(a) => a.level != LevelArg::B && a.tsa.urls.is_empty(),
            Command::Extend(a) => a.level != ExtendLevel::Lt && a.tsa.urls.is_empty(),
            Command::Timestamp(a) => a.tsa.urls.is_empty(),
            Command::Scan(a) => a.sign && a.tsa.urls.is_empty(),
            _ => false,
        };
        let needs_trust = match &self.command {
            Command::Extend(a) => a.level != ExtendLevel::T && a.validation.trust.is_empty(),
            Command::Sign(a) => {
                matches!(a.level, LevelArg::Lt | LevelArg::Lta) && a.validation.trust.is_empty()
            }
            Command::Scan(a) => {
                a.sign && a.level != ScanLevelArg::T && a.validation.trust.is_empty()
            }
            _ => false,
        };
        if let Command::Sign(a) = &self.command {
            if a.format != SignFormatArg::Pades && (a.visible.visible || a.visible.reason.is_some())
            {
                return Err(Cli::command().error(
                    clap::error::ErrorKind::ArgumentConflict,
                    "--visible and --reason apply to --format pades (a signature inside the PDF)",
                ));
            }
        }
        if let Command::Scan(a) = &self.command {
            let pades = a.sign && a.format == ScanFormatArg::Pades;
            if !pades && (a.visible.visible || a.visible.reason.is_some()) {
                return Err(Cli::command().error(
                    clap::error::ErrorKind::ArgumentConflict,
                    "--visible and --reason apply to --sign --format pades (a signature inside the PDF)",
                ));
            }
            let env_module = std::env::var_os("HOZON_PKCS11_MODULE").is_some_and(|v| !v.is_empty());
            if a.sign && a.signer.is_none() && !env_module {
                return Err(Cli::command().error(
                    clap::error::ErrorKind::MissingRequiredArgument,
                    "--sign needs the signer: --key KEY --cert CERT, --pkcs12 FILE, or --pkcs11-module LIB",
                ));
            }
            if !a.sign && a.signer.is_some() {
                return Err(Cli::command().error(
                    clap::error::ErrorKind::ArgumentConflict,
                    "signer options apply to --sign only",
                ));
            }
        }
        let signer = match &self.command {
            Command::Sign(a) => Some(&a.signer),
            Command::Scan(a) if a.sign => a.signer.as_ref(),
            Command::Verify(a) if a.sign_report.sign_report => Some(&*a.sign_report.signer),
            _ => None,
        };
        if let Some(s) = signer {
            signer_complete(s).map_err(|(kind, message)| Cli::command().error(kind, message))?;
        }
        if needs_trust {
            return Err(Cli::command().error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--level lt and lta validate before embedding: --trust ROOTS.pem is needed",
            ));
        }
        if needs_tsa {
            return Err(Cli::command().error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "a time-stamp authority is needed: --tsa URL",
            ));
        }
        Ok(())
    }
}
