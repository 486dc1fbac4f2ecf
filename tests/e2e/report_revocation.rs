//! The revocation evidence in the printable report (docs/reports.md) for every format: the
//! engine records the CRLs and OCSP responses each signature's validation relied on, so a
//! PAdES B-LT (Document Security Store) and a XAdES B-LT (RevocationValues) list theirs as
//! embedded, and a PDF validated online lists what was fetched, with its URL.

use hozon_testkit::{fixed_ports, CrlServer, OcspServer, Pki, CRL_PORT, OCSP_PORT};

use crate::lta::long_lived_tsa;
use crate::util::{code, describe, testdata, Env, CHAIN, CRLS, TRUST};

/// `hozon sign FILE --format FORMAT --level LEVEL` by the doctor, with the CRLs, offline.
fn sign(env: &Env, file: &str, format: &str, level: &str, tsa: Option<&str>) {
    let mut args = vec![
        "sign",
        file,
        "--format",
        format,
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        CHAIN,
        "--crl",
        CRLS,
        "--trust",
        TRUST,
        "--offline",
        "--level",
        level,
    ];
    if let Some(url) = tsa {
        args.extend_from_slice(&["--tsa", url]);
    }
    let out = env.hozon(&args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

/// `hozon verify FILE --trust … --report report.html --lang LANG EXTRA` (exit 0); the HTML.
fn html_report(env: &Env, file: &str, lang: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "verify",
        file,
        "--trust",
        TRUST,
        "--report",
        "report.html",
        "--lang",
        lang,
    ];
    args.extend_from_slice(extra);
    let out = env.hozon(&args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    String::from_utf8(env.read("report.html")).unwrap()
}

/// The revocation table's rows of the report's only signature: each row's cells as text.
fn revocation_rows(html: &str) -> Vec<Vec<String>> {
    let start = html
        .find(r#"class="revocation""#)
        .unwrap_or_else(|| panic!("no revocation table in\n{html}"));
    let table = &html[start..];
    let table = &table[..table.find("</table>").unwrap()];
    table
        .split("<tr>")
        .skip(1)
        .filter(|row| row.contains("<td"))
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let cell = &cell[cell.find('>').unwrap() + 1..];
                    cell[..cell.find("</td>").unwrap()].trim().to_owned()
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_pades_b_lt_report_lists_the_dss_revocation_data_as_embedded() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    sign(&env, "a.pdf", "pades", "lt", Some(&tsa.url()));
    // Offline and without --crl: only what the PDF carries.
    let html = html_report(&env, "a.pdf", "ja", &["--offline"]);
    let rows = revocation_rows(&html);
    assert!(!rows.is_empty(), "{html}");
    assert!(
        rows.iter()
            .any(|r| r[0] == "CRL" && r[1].contains("Signing CA")),
        "{rows:?}"
    );
    for row in &rows {
        assert_eq!(row[3], "署名に埋め込み", "{rows:?}");
    }
    let html = html_report(&env, "a.pdf", "en", &["--offline"]);
    assert!(
        revocation_rows(&html)
            .iter()
            .all(|r| r[3] == "embedded in the signature"),
        "{html}"
    );
}

#[test]
fn a_xades_b_lt_report_lists_its_revocation_values_as_embedded() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.write(
        "rx.xml",
        std::fs::read(testdata().join("xml/prescription.xml")).unwrap(),
    );
    sign(&env, "rx.xml", "xades", "lt", Some(&tsa.url()));
    let html = html_report(&env, "rx.signed.xml", "ja", &["--offline"]);
    let rows = revocation_rows(&html);
    assert!(
        rows.iter()
            .any(|r| r[0] == "CRL" && r[1].contains("Signing CA")),
        "{rows:?}"
    );
    for row in &rows {
        assert_eq!(row[3], "署名に埋め込み", "{rows:?}");
    }
}

#[test]
fn a_pdf_validated_online_lists_what_was_fetched_and_from_where() {
    let _ports = fixed_ports();
    let env = Env::new();
    let pki = Pki::copy_to(&env.path("server-pki")).unwrap();
    let crl = CrlServer::start_on(&pki, CRL_PORT).unwrap();
    let ocsp = OcspServer::start_on(&pki, OCSP_PORT).unwrap();
    env.copy_doc("lab-report.pdf", "a.pdf");
    sign(&env, "a.pdf", "pades", "b", None);
    let html = html_report(&env, "a.pdf", "ja", &[]);
    assert!(crl.requests() + ocsp.requests() > 0, "nothing was fetched");
    let rows = revocation_rows(&html);
    assert!(!rows.is_empty(), "{html}");
    for row in &rows {
        assert!(
            row[3].starts_with("http://127.0.0.1:") && row[3].ends_with(" から取得"),
            "{rows:?}"
        );
    }
}
