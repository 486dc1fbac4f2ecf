#!/usr/bin/env python3
"""signxml 5.2 (PyPI, pinned by scripts/setup) as the independent XAdES oracle of
crates/hozon-xades/tests/oracles.rs.

    xades-signxml.py sign IN.xml OUT.xml KEY.pem CERT.pem   XAdES-BES, enveloped
    xades-signxml.py verify IN.xml CA.pem                   XAdES verification;
                                                            exit 0 and "OK" when valid
"""
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree
from signxml import SignatureMethod
from signxml.xades import XAdESDataObjectFormat, XAdESSigner, XAdESVerifier


def sign(src, dst, key_path, cert_path):
    root = etree.parse(src, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    key = open(key_path, "rb").read()
    cert = open(cert_path, "r").read()
    loaded = serialization.load_pem_private_key(key, password=None)
    alg = SignatureMethod.ECDSA_SHA256 if isinstance(loaded, ec.EllipticCurvePrivateKey) else SignatureMethod.RSA_SHA256
    signer = XAdESSigner(
        signature_algorithm=alg,
        data_object_format=XAdESDataObjectFormat(Description="hozon test", MimeType="text/xml"),
    )
    signed = signer.sign(root, key=key, cert=cert)
    with open(dst, "wb") as f:
        f.write(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def verify(src, ca):
    data = open(src, "rb").read()
    results = XAdESVerifier().verify(data, ca_pem_file=ca)
    print("OK", len(results))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "sign":
        sign(*sys.argv[2:6])
    elif cmd == "verify":
        try:
            verify(*sys.argv[2:])
        except Exception as e:  # the verdict, for the test to read
            print("INVALID", type(e).__name__, e)
            sys.exit(1)
    else:
        sys.exit("usage: xades-signxml.py sign|verify ...")
