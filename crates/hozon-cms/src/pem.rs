//! PEM armour (RFC 7468), decoded with OpenSSL's base64.

use crate::Error;

/// The decoded bodies of every `-----BEGIN {label}-----` block in `input`,
/// in order. `Ok(None)` when `input` is not PEM text at all (so the caller
/// may try DER); an error when it is PEM but a block is malformed.
pub fn blocks(input: &[u8], label: &str) -> Result<Option<Vec<Vec<u8>>>, Error> {
    let start = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    if !input[start..].starts_with(b"-----BEGIN ") {
        return Ok(None);
    }
    let text = std::str::from_utf8(input).map_err(|_| Error::BadPem)?;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut body: Option<String> = None;
    for line in text.lines().map(str::trim) {
        match &mut body {
            None if line == begin => body = Some(String::new()),
            None => {}
            Some(b) if line == end => {
                let decoded = openssl::base64::decode_block(b).map_err(|_| Error::BadPem)?;
                out.push(decoded);
                body = None;
            }
            Some(_) if line.starts_with("-----") => return Err(Error::BadPem),
            Some(b) => b.push_str(line),
        }
    }
    if body.is_some() {
        return Err(Error::BadPem);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_blocks_and_noise() {
        let pem = b"-----BEGIN X509 CRL-----\nAAEC\n-----END X509 CRL-----\ntext\n-----BEGIN X509 CRL-----\nAwQ=\n-----END X509 CRL-----\n";
        let b = blocks(pem, "X509 CRL").unwrap().unwrap();
        assert_eq!(b, vec![vec![0, 1, 2], vec![3, 4]]);
    }

    #[test]
    fn not_pem_and_unterminated() {
        assert_eq!(blocks(b"\x30\x00", "X").unwrap(), None);
        assert_eq!(
            blocks(b"-----BEGIN X-----\nAA==\n", "X"),
            Err(Error::BadPem)
        );
    }
}
