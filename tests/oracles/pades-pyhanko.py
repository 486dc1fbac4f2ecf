#!/usr/bin/env python3
"""pyHanko as the PAdES oracle of tests/e2e/pades.rs (pinned: pyhanko==0.38.0,
installed by scripts/setup into $HOZON_TOOLS/pyhanko-0.38.0).

  pades-pyhanko.py sign OUTDIR --pki DIR --tsa URL
      writes test PDFs signed by pyHanko with the test PKI: B-B, B-T, B-LT,
      B-LTA, a certification signature (/DocMDP P=2) with a later approval
      signature, two approval signatures, a document with xref streams, and
      one changed after signing (a page content stream added).
  pades-pyhanko.py base OUTDIR
      writes the unsigned born-digital PDF the signing tests start from
      (base.pdf, a classic cross-reference table) for hozon to sign.
  pades-pyhanko.py bench-sign PDF... --pki DIR
      signs each PDF in place at B-B, in one process (bench/pades.sh).
  pades-pyhanko.py validate PDF... --pki DIR
      prints one JSON object: for each file, pyHanko's verdict on each
      signature (bottom_line, intact, valid, trusted, coverage,
      modification_level, docmdp_ok, and whether its signature time stamp
      is valid) and document time stamp.
  pades-pyhanko.py validate-lta PDF... --pki DIR [--at ISO-TIME]
      pyHanko's AdES long-term validation (EN 319 102-1 §5.6.3: the chain
      of document time stamps as the evidence record) of each regular
      signature, with the test root as the only trust anchor, nothing
      fetched and no other certificate or CRL than the file's own (the DSS
      and the CMS), revocation information required; as of --at (default
      now). Prints {file: [{field, status, subindication, failure}]}.
"""

import argparse
import asyncio
import json
import os
import sys

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic, writer
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

# A fixed validation time would be better, but the test PKI's CRLs and the
# TSA's tokens are current: pyHanko validates "now", as hozon does.


def crls(pki):
    out = []
    for name in ("root-ca.crl.pem", "signing-ca.crl.pem"):
        with open(os.path.join(pki, name), "rb") as f:
            data = f.read()
        for _, _, der in pem.unarmor(data, multiple=True):
            out.append(asn1_crl.CertificateList.load(der))
    return out


def context(pki):
    return ValidationContext(
        trust_roots=[load_cert_from_pemder(os.path.join(pki, "root-ca.crt"))],
        other_certs=[
            load_cert_from_pemder(os.path.join(pki, "signing-ca.crt")),
            load_cert_from_pemder(os.path.join(pki, "tsa.crt")),
        ],
        crls=crls(pki),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def base_pdf(path, stream_xrefs=False):
    w = writer.PdfFileWriter(stream_xrefs=stream_xrefs)
    font = w.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
            }
        )
    )
    content = w.add_object(
        generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 760 Td (Discharge summary: 5 mg daily) Tj ET")
    )
    page = writer.PageObject(
        contents=content,
        media_box=generic.ArrayObject([generic.NumberObject(x) for x in (0, 0, 595, 842)]),
        resources=generic.DictionaryObject(
            {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font})}
        ),
    )
    w.insert_page(page)
    with open(path, "wb") as f:
        w.write(f)


def signer(pki):
    return signers.SimpleSigner.load(
        os.path.join(pki, "signer-doctor.key"),
        os.path.join(pki, "signer-doctor.crt"),
        ca_chain_files=(os.path.join(pki, "signing-ca.crt"),),
    )


def sign(src, dst, pki, field, tsa=None, **meta):
    vc = context(pki)
    with open(src, "rb") as f:
        w = IncrementalPdfFileWriter(f)
        m = signers.PdfSignatureMetadata(
            field_name=field,
            subfilter=fields.SigSeedSubFilter.PADES,
            validation_context=vc,
            **meta,
        )
        ts = timestamps.HTTPTimeStamper(tsa) if tsa else None
        with open(dst, "wb") as out:
            signers.PdfSigner(m, signer=signer(pki), timestamper=ts).sign_pdf(w, output=out)


def cmd_sign(args):
    os.makedirs(args.outdir, exist_ok=True)
    p = lambda name: os.path.join(args.outdir, name)
    base_pdf(p("base.pdf"))
    base_pdf(p("base-xref-stream.pdf"), stream_xrefs=True)
    sign(p("base.pdf"), p("b-b.pdf"), args.pki, "Signature1")
    sign(p("base-xref-stream.pdf"), p("b-b-xref-stream.pdf"), args.pki, "Signature1")
    sign(p("base.pdf"), p("b-t.pdf"), args.pki, "Signature1", tsa=args.tsa)
    sign(p("base.pdf"), p("b-lt.pdf"), args.pki, "Signature1", tsa=args.tsa, embed_validation_info=True)
    sign(
        p("base.pdf"),
        p("b-lta.pdf"),
        args.pki,
        "Signature1",
        tsa=args.tsa,
        embed_validation_info=True,
        use_pades_lta=True,
    )
    sign(
        p("base.pdf"),
        p("certified.pdf"),
        args.pki,
        "Certification",
        certify=True,
        docmdp_permissions=MDPPerm.FILL_FORMS,
    )
    sign(p("certified.pdf"), p("certified-then-approved.pdf"), args.pki, "Approval")
    sign(p("b-b.pdf"), p("two-signatures.pdf"), args.pki, "Signature2")
    # Changed after signing: a content stream added to the page.
    with open(p("b-b.pdf"), "rb") as f:
        w = IncrementalPdfFileWriter(f)
        extra = w.add_object(generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 700 Td (50 mg daily) Tj ET"))
        w.add_stream_to_page(0, extra)
        with open(p("modified-after-signing.pdf"), "wb") as out:
            w.write(out)
    os.rename(p("base.pdf"), p("unsigned.pdf"))
    os.remove(p("base-xref-stream.pdf"))


def cmd_base(args):
    os.makedirs(args.outdir, exist_ok=True)
    base_pdf(os.path.join(args.outdir, "base.pdf"))


def cmd_bench_sign(args):
    s = signer(args.pki)
    m = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES
    )
    for path in args.pdfs:
        with open(path, "rb") as f:
            w = IncrementalPdfFileWriter(f)
            out = signers.PdfSigner(m, signer=s).sign_pdf(w)
        with open(path, "wb") as f:
            f.write(out.getbuffer())


def cmd_validate(args):
    vc_args = args.pki
    out = {}
    for path in args.pdfs:
        entries = []
        with open(path, "rb") as f:
            r = PdfFileReader(f)
            for sig in r.embedded_signatures:
                vc = context(vc_args)
                if sig.sig_object.get("/Type") == "/DocTimeStamp":
                    st = validate_pdf_timestamp(sig, validation_context=vc)
                    entries.append(
                        {
                            "field": sig.field_name,
                            "kind": "document-timestamp",
                            "bottom_line": bool(st.valid and st.intact and st.trusted),
                            "intact": bool(st.intact),
                            "valid": bool(st.valid),
                            "trusted": bool(st.trusted),
                            "coverage": st.coverage.name if st.coverage else None,
                            "modification_level": st.modification_level.name
                            if st.modification_level
                            else None,
                        }
                    )
                else:
                    st = validate_pdf_signature(sig, vc)
                    entries.append(
                        {
                            "field": sig.field_name,
                            "kind": "signature",
                            "bottom_line": bool(st.bottom_line),
                            "intact": bool(st.intact),
                            "valid": bool(st.valid),
                            "trusted": bool(st.trusted),
                            "coverage": st.coverage.name if st.coverage else None,
                            "modification_level": st.modification_level.name
                            if st.modification_level
                            else None,
                            "docmdp_ok": st.docmdp_ok,
                            "signature_timestamp": None
                            if st.timestamp_validity is None
                            else bool(
                                st.timestamp_validity.valid
                                and st.timestamp_validity.intact
                                and st.timestamp_validity.trusted
                            ),
                        }
                    )
        out[os.path.basename(path)] = entries
    json.dump(out, sys.stdout, indent=1)
    print()


def cmd_validate_lta(args):
    from datetime import datetime, timezone

    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
    from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
    from pyhanko_certvalidator.registry import SimpleTrustManager

    root = load_cert_from_pemder(os.path.join(args.pki, "root-ca.crt"))
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[root]),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    if args.at:
        at = datetime.fromisoformat(args.at.replace("Z", "+00:00"))
        timing = ValidationTimingInfo(
            validation_time=at, best_signature_time=at, point_in_time_validation=True
        )
    else:
        timing = ValidationTimingInfo.now(tz=timezone.utc)
    out = {}
    for path in args.pdfs:
        entries = []
        with open(path, "rb") as f:
            r = PdfFileReader(f)
            for sig in r.embedded_regular_signatures:
                res = asyncio.run(ades_lta_validation(sig, spec, timing_info=timing))
                entries.append(
                    {
                        "field": sig.field_name,
                        "status": res.ades_subindic.status.name,
                        "subindication": str(res.ades_subindic),
                        "failure": res.failure_msg,
                    }
                )
        out[os.path.basename(path)] = entries
    json.dump(out, sys.stdout, indent=1)
    print()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sign")
    s.add_argument("outdir")
    s.add_argument("--pki", required=True)
    s.add_argument("--tsa", required=True)
    b = sub.add_parser("base")
    b.add_argument("outdir")
    bs = sub.add_parser("bench-sign")
    bs.add_argument("pdfs", nargs="+")
    bs.add_argument("--pki", required=True)
    v = sub.add_parser("validate")
    v.add_argument("pdfs", nargs="+")
    v.add_argument("--pki", required=True)
    lta = sub.add_parser("validate-lta")
    lta.add_argument("pdfs", nargs="+")
    lta.add_argument("--pki", required=True)
    lta.add_argument("--at")
    args = ap.parse_args()
    {
        "sign": cmd_sign,
        "base": cmd_base,
        "bench-sign": cmd_bench_sign,
        "validate": cmd_validate,
        "validate-lta": cmd_validate_lta,
    }[args.cmd](args)


if __name__ == "__main__":
    main()
