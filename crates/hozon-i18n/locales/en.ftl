# hozon's English message catalogue (Project Fluent). Every message here
# has a counterpart in ja.ftl (checked by the crate's tests).

## Verdict words, shown beside the ETSI code.
verdict-TOTAL_PASSED = valid
verdict-TOTAL_FAILED = invalid
verdict-INDETERMINATE = indeterminate

## Indications (ETSI EN 319 102-1 Table 4): what they mean and what to do.
explain-TOTAL_PASSED = Every check passed: the signature is intact, the signer's certificate chains to a trusted anchor and was valid and not revoked when the signature was made.
    .action = Nothing to do. Keep the signature and its validation data; renew archive time stamps before their renew-by date.
explain-TOTAL_FAILED = The signature is proven invalid: the document or signature was changed, or the certificate was revoked or not valid when the signature was made.
    .action = Do not rely on this document as signed. Find the original or have it signed again, and record the incident.
explain-INDETERMINATE = The signature could be neither proven valid nor proven invalid with the data available.
    .action = Read the reason below; usually validation data (certificates, revocation data, time stamps) is missing and can be added.

## Sub-indications (ETSI EN 319 102-1 Table 5).
explain-FORMAT_FAILURE = The file is not a well-formed signature (CAdES/CMS, PDF or evidence record structure is broken).
    .action = Check that the right file was given and that it was not truncated or converted; obtain a new copy from the signer.
explain-HASH_FAILURE = The document differs from what was signed: its digest does not match the signed digest.
    .action = The document was changed after signing, or the wrong document is next to the signature. Find the original document.
explain-SIG_CRYPTO_FAILURE = The signature value does not verify with the signer's public key: the signature was damaged or forged.
    .action = Treat the document as not signed; obtain the original signature file.
explain-REVOKED = The signer's certificate was revoked before the signature was made.
    .action = The signature is not valid. Ask the signer's organisation why the certificate was revoked; have the document signed again.
explain-NOT_YET_VALID = The signer's certificate was not yet valid when the signature was made.
    .action = Check the signer's clock and certificate; have the document signed again with a valid certificate.
explain-EXPIRED = The signer's certificate had expired before the time the signature is proven to exist.
    .action = The signature was made with an expired certificate; have the document signed again.
explain-NO_SIGNING_CERTIFICATE_FOUND = The signer's certificate is not in the signature or does not match the signer identifier.
    .action = Give the signer's certificate with --certs, or obtain a signature that carries its certificate.
explain-NO_CERTIFICATE_CHAIN_FOUND = No chain of certificates leads from the signer's certificate to a trusted anchor.
    .action = Add the issuing CA (e.g. the HPKI root) with --trust, or the intermediate CA certificates with --certs.
explain-CERTIFICATE_CHAIN_GENERAL_FAILURE = A certificate of the chain is broken (for example its signature does not verify).
    .action = Check the CA certificates given; obtain correct copies from the certification authority.
explain-CHAIN_CONSTRAINTS_FAILURE = The chain breaks a rule of RFC 5280 or of the policy (key usage, path length, name constraints).
    .action = The certificate may not be used for signing documents; ask the certification authority.
explain-REVOKED_NO_POE = The signer's certificate is revoked and nothing proves the signature existed before the revocation.
    .action = Without a time stamp from before the revocation the signature cannot be trusted; look for an older time-stamped copy.
explain-REVOKED_CA_NO_POE = A CA certificate of the chain is revoked and nothing proves the signature existed before that.
    .action = Look for a time stamp or evidence record from before the CA's revocation; otherwise have the document signed again.
explain-OUT_OF_BOUNDS_NO_POE = The certificate's validity period ended before the time the signature can be proven to exist.
    .action = Renew the archive time stamp in time, or obtain a time stamp or evidence record proving the signature existed while the certificate was valid.
explain-OUT_OF_BOUNDS_NOT_REVOKED = The certificate's validity period ended before the time the signature can be proven to exist; it is known not to have been revoked.
    .action = Obtain a time stamp or evidence record proving the signature existed while the certificate was valid.
explain-CRYPTO_CONSTRAINTS_FAILURE_NO_POE = An algorithm or key size is no longer considered secure and nothing proves the signature existed while it was.
    .action = Add an archive time stamp with a current algorithm before the next algorithm deadline (see docs/crypto-policy.md).
explain-CRYPTO_CONSTRAINTS_FAILURE = An algorithm or key size is not acceptable at all (or not supported).
    .action = The signature cannot be relied on; have the document signed again with current algorithms.
explain-SIG_CONSTRAINTS_FAILURE = The signature lacks attributes the signature policy requires.
    .action = Have the document signed again with a profile that includes them.
explain-TIMESTAMP_ORDER_FAILURE = The time stamps are in an impossible order (a later one claims an earlier time).
    .action = The time-stamp authority's clock or the file is wrong; investigate before relying on the signature.
explain-NO_POE = Nothing proves when the signature or its validation data existed.
    .action = Add a time stamp (hozon extend) as soon as possible.
explain-TRY_LATER = Revocation data covering the time needed is not available yet.
    .action = Verify again later, when the CA has published newer revocation data.
explain-SIGNED_DATA_NOT_FOUND = The signed document is not available.
    .action = Put the document next to its signature (X for X.p7s) or give it with --content.

## The terminal output of `hozon verify`.
term-verdict = { $code }
term-error = error
term-warning = warning
term-timestamp = { $kind } time stamp { $time } by { $tsa }: { $result }
term-unidentified-tsa = an unidentified TSA
term-existed-at = { $object } existed at { $time }
term-renew-by = renew_by { $date }: the evidence record's next renewal is due before then
term-renew-by-because = , because { $reason }
term-signer-unknown = signer unknown
term-evidence-over = evidence record over { $object }
term-no-data-object = no data object
term-counter-signature = counter-signature by { $who }: { $verdict }
term-unsigned = UNSIGNED  { $file }  (a PDF without signatures)
term-summary = { $total } signature(s): { $passed } passed, { $failed } failed, { $indeterminate } indeterminate (validation time { $time })
term-evidence-summary = { $total } evidence record(s): { $passed } passed, { $failed } failed, { $indeterminate } indeterminate
term-report-written = report written: { $file }

## Progress bars (the label before the bar).
progress-verifying = verifying
progress-scanning = scanning
progress-signing = signing
progress-time-stamping = time-stamping
progress-extending = extending
progress-hashing = hashing
progress-archiving = archiving
progress-evidence = evidence
progress-renewing = renewing
progress-restoring = restoring

## The printable report (HTML and PDF).
report-title = Signature verification report
report-generated = Generated
report-page = Page { $page }
report-contents = Contents
report-summary = Summary
report-verdicts = Results by verdict
report-verdict = Verdict
report-count = Count
report-total = Total
report-by-level = By signature level
report-level = Level
report-by-signer = By signer and role
report-signer = Signer
report-role = Role (hcRole)
report-by-folder = By folder
report-folder = Folder
report-validation-time = Validation time
report-policy = Validation policy
report-trust-anchors = Trust anchors
report-fingerprint = SHA-256 fingerprint
report-crypto-policy = Crypto policy
report-revocation-mode = Revocation checking
report-version = hozon version
report-host = Host
report-meanings = What the verdicts mean
report-details = Details per file
report-group = { $verdict } ({ $count })
report-file = File
report-document = Document
report-sha256 = SHA-256
report-format = Format
report-issuer = Issuer
report-serial = Certificate serial
report-claimed-time = Claimed signing time
report-proven-time = Proven to exist at
report-timestamps = Time stamps
report-ts-kind = Kind
report-ts-time = Time
report-ts-tsa = TSA
report-ts-result = Result
report-revocation = Revocation evidence
report-evidence-records = Evidence records
report-data-object = Data object
report-archive-time-stamps = Archive time stamps
report-digest-algorithms = Digest algorithms
report-renew-by = Renew by
report-renew-by-reason = Why
report-errors = Errors
report-warnings = Warnings
report-meaning = Meaning
report-action = What to do
report-none = none
report-file-errors = Files that could not be verified
report-unsigned-files = PDFs without signatures
report-evidence-summary = Evidence records
report-no-signer = signer unknown
report-revocation-none = No revocation data is listed in the report data; see the warnings.
