#!/usr/bin/env python3
"""endesive 3.0.1 as a XAdES signer (crates/hozon-xades/tests/endesive.rs;
installed by scripts/setup into $HOZON_TOOLS/endesive-3.0.1, pinned in
scripts/endesive-requirements.txt). endesive has a XAdES-BES signer
(endesive.xades.BES) and no XAdES verifier.

  xades-endesive.py sign MODE IN OUT --key KEY.pem --cert CERT.pem
      MODE enveloped: IN (an XML document) with a ds:Signature appended to
      its document element (BES.enveloped);
      MODE enveloping: IN (any file) base64 in a ds:Object of the signature
      (BES.enveloping);
      writes OUT. No time stamp (tspurl None).
      --rfc4514-issuer: X509IssuerName as RFC 4514 (RFC 2253) says, the
      last RDN of the issuer first. endesive writes the RDNs in ASN.1 order
      (C=JP,O=...,CN=...), which names another issuer than the certificate's
      (TS 101 903 §7.2.2 and EN 319 132-1 §5.2.2 take the RFC 2253 form), so a
      strict verifier cannot match the IssuerSerial to the certificate.
"""

import argparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from endesive.xades import BES
from lxml import etree


def cmd_sign(args):
    with open(args.key, "rb") as f:
        key = load_pem_private_key(f.read(), password=None)
    with open(args.cert, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    der = cert.public_bytes(serialization.Encoding.DER)
    with open(args.input, "rb") as f:
        data = f.read()

    def signproc(tosign, algosig):
        assert algosig == "sha256"
        if isinstance(key, ec.EllipticCurvePrivateKey):
            raise SystemExit("endesive's XAdES writes RSA signature values only")
        return key.sign(tosign, padding.PKCS1v15(), hashes.SHA256())

    bes = BES()
    if args.rfc4514_issuer:
        bes._get_rdns_name = lambda rdns: x509.Name(rdns).rfc4514_string()
    if args.mode == "enveloped":
        tree = bes.enveloped(data, cert, der, signproc, None, None)
    else:
        tree = bes.enveloping(
            "data.xml", data, "application/xml", cert, der, signproc, base64encode=True
        )
    with open(args.output, "wb") as f:
        f.write(etree.tostring(tree, encoding="UTF-8", xml_declaration=True, standalone=False))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sign")
    s.add_argument("mode", choices=["enveloped", "enveloping"])
    s.add_argument("input")
    s.add_argument("output")
    s.add_argument("--key", required=True)
    s.add_argument("--cert", required=True)
    s.add_argument("--rfc4514-issuer", action="store_true")
    args = ap.parse_args()
    {"sign": cmd_sign}[args.cmd](args)


if __name__ == "__main__":
    main()
