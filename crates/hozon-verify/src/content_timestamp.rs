//! Content time stamps (id-aa-ets-contentTimestamp, EN 319 122-1 §5.2.8): a
//! signed attribute holding a time-stamp token over the signed content,
//! proof that the content existed before the signing. Each is validated as
//! the other stamps are (imprint, TSA signature and binding, TSA path at
//! genTime, algorithms) and reported with `kind: "content"`. A broken one
//! (altered imprint, bad TSA signature, malformed) fails the signature,
//! since the signer signed it; one that cannot be trusted (no path to an
//! anchor, no revocation data) proves nothing and is a warning: the
//! signature does not need it.

use hozon_cms::asn1::cms::signed_data::SignerInfo;
use hozon_cms::asn1::der::Encode;
use hozon_cms::attributes::all_values;
use hozon_cms::oid::rfc5126::ID_AA_ETS_CONTENT_TIMESTAMP;
use hozon_cms::{Cert, UnixTime};
use hozon_pki::CrlSet;

use crate::content::DigestCache;
use crate::findings::Findings;
use crate::report::{Indication, SignatureReport, SubIndication};
use crate::timestamp::Covered;
use crate::Verifier;

/// What content time stamps are checked against.
pub(crate) struct ContentStampContext<'a, 'b> {
    /// Certificates of the signature.
    pub(crate) certs: &'a [Cert],
    /// CRLs and OCSP responses.
    pub(crate) crls: &'a CrlSet,
    /// The signed content's digests.
    pub(crate) digests: &'a mut DigestCache<'b>,
    /// Until when the stamps must be trustworthy.
    pub(crate) trust_until: UnixTime,
}

impl Verifier {
    /// Validates the content time stamps of `si`, records them in the
    /// report and returns the latest genTime among those that passed.
    pub(crate) fn content_timestamps(
        &self,
        si: &SignerInfo,
        ctx: &mut ContentStampContext<'_, '_>,
        report: &mut SignatureReport,
        f: &mut Findings,
    ) -> Option<UnixTime> {
        let tokens: Vec<Vec<u8>> =
            all_values(si.signed_attrs.as_ref(), ID_AA_ETS_CONTENT_TIMESTAMP)
                .map(|v| v.to_der().unwrap_or_default())
                .collect();
        let mut latest = None;
        for (i, der) in tokens.iter().enumerate() {
            let label = if tokens.len() > 1 {
                format!("content time stamp {}", i + 1)
            } else {
                "content time stamp".to_owned()
            };
            let imprint_alg = match hozon_tsp::Token::parse(der, &label) {
                Ok(t) => t.imprint().0,
                Err(e) => {
                    f.fail(SubIndication::FormatFailure, format!("{label}: {e}"));
                    continue;
                }
            };
            let digest = match ctx.digests.get(imprint_alg) {
                Ok(d) => d,
                Err(e) => {
                    f.fail(
                        SubIndication::SignedDataNotFound,
                        format!("{label}: {}", e.message()),
                    );
                    continue;
                }
            };
            let mut cf = Findings::default();
            let (entry, passed, _) = self.check_timestamp(
                "content",
                &label,
                der,
                Covered::Content(imprint_alg, &digest),
                ctx.certs,
                ctx.crls,
                ctx.trust_until,
                &mut cf,
            );
            f.warnings.extend(cf.warnings);
            for (sub, message) in cf.problems {
                if sub.indication() == Indication::TotalFailed {
                    f.fail(sub, message);
                } else {
                    f.warn(format!("{message}: the content time stamp proves nothing"));
                }
            }
            report.timestamps.push(entry);
            if let Some(gen) = passed {
                latest = Some(latest.map_or(gen, |l: UnixTime| l.max(gen)));
            }
        }
        latest
    }
}
