//! Token discovery and login: loading the module, finding the token by
//! label or serial, the one login that is never retried, and the PKCS#11
//! return values in the words vendors print.

use std::path::Path;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::{Slot, TokenInfo};
use cryptoki::types::AuthPin;

use crate::{Error, SecretSource};

/// Loads and initialises a PKCS#11 module.
pub(super) fn load_module(module: &Path) -> Result<Pkcs11, Error> {
    let context = Pkcs11::new(module).map_err(|e| Error::Pkcs11Module {
        path: module.to_path_buf(),
        reason: match e {
            CkError::LibraryLoading(e) => format!("cannot load the module ({e})"),
            other => other.to_string(),
        },
    })?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(context),
        Err(e) => Err(Error::Pkcs11Module {
            path: module.to_path_buf(),
            reason: format!("C_Initialize failed: {}", short(&e)),
        }),
    }
}

/// The PKCS#11 return value's name (`CKR_PIN_INCORRECT`-style) and function,
/// without the specification's paragraph that cryptoki's Display adds.
pub(super) fn short(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, function) => format!("{function} returned {}", rv_name(*rv)),
        other => other.to_string(),
    }
}

fn rv_name(rv: RvError) -> String {
    // RvError's Debug is its CamelCase name; CKR_SNAKE_CASE is what vendor
    // documentation and pkcs11-tool print.
    let camel = format!("{rv:?}");
    let mut out = String::from("CKR");
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// Whether `e` means the token (or its sessions) went away. A key handle
/// that was valid when the signer was opened and is not any more means the
/// token was taken away or replaced (SoftHSM reports a deleted token so).
pub(super) fn is_token_lost(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::TokenNotRecognized
                | RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::DeviceError
                | RvError::UserNotLoggedIn
                | RvError::KeyHandleInvalid
                | RvError::ObjectHandleInvalid,
            _
        )
    )
}

pub(super) fn token_text(info: &TokenInfo) -> String {
    format!("'{}' (serial {})", info.label(), info.serial_number())
}

/// Finds the slot holding the token named by label or serial.
pub(super) fn find_token(
    context: &Pkcs11,
    module: &Path,
    wanted: Option<&str>,
) -> Result<(Slot, TokenInfo), Error> {
    let slots = context
        .get_slots_with_token()
        .map_err(|e| Error::Pkcs11Module {
            path: module.to_path_buf(),
            reason: format!("cannot list slots: {}", short(&e)),
        })?;
    let mut tokens = Vec::new();
    for slot in slots {
        if let Ok(info) = context.get_token_info(slot) {
            if info.token_initialized() {
                tokens.push((slot, info));
            }
        }
    }
    let available = || {
        if tokens.is_empty() {
            "no initialised token is present".to_owned()
        } else {
            let names: Vec<String> = tokens.iter().map(|(_, i)| token_text(i)).collect();
            format!("present: {}", names.join(", "))
        }
    };
    let matching: Vec<&(Slot, TokenInfo)> = match wanted {
        None => tokens.iter().collect(),
        Some(w) => {
            let by_label: Vec<_> = tokens.iter().filter(|(_, i)| i.label() == w).collect();
            if by_label.is_empty() {
                tokens
                    .iter()
                    .filter(|(_, i)| i.serial_number() == w)
                    .collect()
            } else {
                by_label
            }
        }
    };
    match matching.as_slice() {
        [(slot, info)] => Ok((*slot, info.clone())),
        [] => Err(Error::Pkcs11TokenNotFound {
            wanted: wanted.unwrap_or("any token").to_owned(),
            available: available(),
        }),
        _ => Err(Error::Pkcs11TokenNotFound {
            wanted: format!(
                "{} (more than one token matches; name one by serial with --pkcs11-token)",
                wanted.unwrap_or("a single token")
            ),
            available: available(),
        }),
    }
}

/// Logs the user in once. A refused or locked PIN is final: no retry.
pub(super) fn login(session: &Session, info: &TokenInfo, pin: &SecretSource) -> Result<(), Error> {
    let token = token_text(info);
    if info.user_pin_locked() {
        return Err(Error::Pkcs11PinLocked { token });
    }
    if !info.login_required() {
        return Ok(());
    }
    let result =
        if info.protected_authentication_path() && matches!(pin, SecretSource::Prompt { .. }) {
            // A reader with its own PIN pad: the PIN never passes through hozon.
            eprintln!("Enter the PIN on the reader's PIN pad for token {token}");
            session.login(UserType::User, None)
        } else {
            let secret = pin.read()?;
            let auth = AuthPin::from(secret.expose().to_owned());
            drop(secret);
            // `auth` is zeroed when it goes out of scope, right after C_Login.
            session.login(UserType::User, Some(&auth))
        };
    match result {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => Err(Error::Pkcs11WrongPin { token }),
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(Error::Pkcs11PinLocked { token }),
        Err(CkError::Pkcs11(RvError::PinExpired, _)) => Err(Error::Pkcs11 {
            token,
            reason: "the PIN has expired and must be changed with the card vendor's tool".into(),
        }),
        Err(e) => Err(Error::Pkcs11 {
            token,
            reason: format!("login failed: {}", short(&e)),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rv_names_are_pkcs11_constants() {
        assert_eq!(rv_name(RvError::PinIncorrect), "CKR_PIN_INCORRECT");
        assert_eq!(rv_name(RvError::DeviceRemoved), "CKR_DEVICE_REMOVED");
    }

    #[test]
    fn removal_errors_are_recognised() {
        use cryptoki::context::Function;
        assert!(is_token_lost(&CkError::Pkcs11(
            RvError::DeviceRemoved,
            Function::Sign
        )));
        assert!(is_token_lost(&CkError::Pkcs11(
            RvError::SessionHandleInvalid,
            Function::Sign
        )));
        assert!(!is_token_lost(&CkError::Pkcs11(
            RvError::PinIncorrect,
            Function::Login
        )));
    }
}
