//! `hozon pkcs11 list`: what a PKCS#11 module offers — slots, tokens, and
//! each token's keys and certificates — so that the right `--pkcs11-token`
//! and `--pkcs11-key` can be picked. Only public attributes are read; a PIN,
//! when given, only logs in so that private keys become visible.

use anyhow::Context;
use serde_json::{json, Value};

use hozon_sign::{SecretSource, SlotListing};

use crate::args::Pkcs11ListArgs;
use crate::outcome::Outcome;
use crate::output;

pub fn list(args: Pkcs11ListArgs) -> anyhow::Result<Outcome> {
    let module = args
        .pkcs11_module
        .clone()
        .or_else(|| {
            std::env::var_os("HOZON_PKCS11_MODULE")
                .filter(|v| !v.is_empty())
                .map(Into::into)
        })
        .context("give --pkcs11-module LIB (or set HOZON_PKCS11_MODULE)")?;
    let pin = match (&args.pin_env, &args.pin_file) {
        (Some(var), _) => Some(SecretSource::Env(var.clone())),
        (None, Some(file)) => Some(SecretSource::File(file.clone())),
        (None, None) => None,
    };
    let slots = hozon_sign::pkcs11_list(&module, pin.as_ref(), args.pkcs11_token.as_deref())?;
    if args.json {
        output::json(&json!({
            "module": module.display().to_string(),
            "slots": slots.iter().map(slot_json).collect::<Vec<Value>>(),
        }))?;
    } else {
        output::text(&slots_text(&slots));
    }
    Ok(Outcome::Passed)
}

fn slot_json(slot: &SlotListing) -> Value {
    json!({
        "slot": slot.id,
        "description": slot.description,
        "token": slot.token.as_ref().map(|t| json!({
            "label": t.label,
            "serial": t.serial,
            "manufacturer": t.manufacturer,
            "model": t.model,
            "flags": t.flags,
            "max_sessions": t.max_sessions,
            "logged_in": t.logged_in,
            "objects": t.objects.iter().map(|o| json!({
                "class": o.class,
                "label": o.label,
                "id": o.id,
                "type": o.kind,
                "bits": o.bits,
                "can_sign": o.can_sign,
                "subject": o.subject,
            })).collect::<Vec<Value>>(),
        })),
    })
}

fn slots_text(slots: &[SlotListing]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for slot in slots {
        let _ = writeln!(out, "slot {} ({})", slot.id, slot.description);
        let Some(t) = &slot.token else {
            let _ = writeln!(out, "  no initialised token");
            continue;
        };
        let _ = writeln!(
            out,
            "  token '{}' serial {} ({} {})\n  flags {}",
            t.label,
            t.serial,
            t.manufacturer,
            t.model,
            t.flags.join(" ")
        );
        if !t.logged_in {
            let _ = writeln!(out, "  (not logged in: private keys are hidden; give --pin-env VAR or --pin-file FILE to see them)");
        }
        for o in &t.objects {
            let bits = o.bits.map(|b| format!(" {b} bits")).unwrap_or_default();
            let sign = match o.can_sign {
                Some(true) => " sign",
                Some(false) => " no-sign",
                None => "",
            };
            let subject = o
                .subject
                .as_deref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {:<11} label '{}' id {} {}{bits}{sign}{subject}",
                o.class, o.label, o.id, o.kind
            );
        }
    }
    out
}
