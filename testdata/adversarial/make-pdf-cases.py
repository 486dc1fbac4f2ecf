#!/usr/bin/env python3
"""Adds the hostile-PDF cases (PDF-Insecurity classes) to the adversarial
corpus: cases/pdf-*.pdf and their entries in manifest.json (entries whose id
starts with "pdf-" are replaced, every other case is left as it is).

Each PDF is written byte by byte here (Python's standard library and the
`openssl` command only), so that every offset, cross-reference entry and
/ByteRange is exactly what the attack needs: a signed one-page document,
then the attack as the attacker would make it. The control cases must pass;
every attack must be refused or reported as modified — no case may pass as
covering the whole document.

Usage: python3 testdata/adversarial/make-pdf-cases.py
Regenerate whenever testdata/pki is regenerated.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
PKI = os.path.normpath(os.path.join(HERE, "..", "pki"))
CRL_ARGS = ["--crl", "../pki/crls.pem"]
PASSED = [{"indication": "TOTAL_PASSED", "sub_indication": None}]
# A broken signature dictionary, byte range or file structure.
FORMAT = [{"indication": "TOTAL_FAILED", "sub_indication": "FORMAT_FAILURE"}]
# A sound signature over a revision that a later update changed.
MODIFIED = [{"indication": "TOTAL_FAILED", "sub_indication": "HASH_FAILURE"}]
CONTENTS_HEX = 16384  # hex digits reserved for /Contents
CASES = []


def run(*args, stdin=None):
    r = subprocess.run(list(args), input=stdin, capture_output=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{r.stderr.decode(errors='replace')}")
    return r.stdout


def cms_sign(data, signer="signer-doctor"):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return run(
            "openssl", "cms", "-sign", "-binary", "-md", "sha256", "-in", f.name,
            "-signer", os.path.join(PKI, signer + ".crt"), "-inkey", os.path.join(PKI, signer + ".key"),
            "-certfile", os.path.join(PKI, "chain.pem"), "-outform", "DER", "-cades",
        )


# ---------------------------------------------------------------------------
# Writing PDFs: objects appended to a byte buffer, one revision at a time.
# ---------------------------------------------------------------------------

def stream(dict_body, data):
    return b"<<" + dict_body + b" /Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


class Pdf:
    def __init__(self):
        self.data = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.pending = {}
        self.prev = None
        self.size = 1

    def add(self, num, body, gen=0):
        self.pending[num] = len(self.data)
        self.data += b"%d %d obj\n" % (num, gen) + body + b"\nendobj\n"
        self.size = max(self.size, num + 1)

    def raw(self, b):
        self.data += b

    def trailer_entries(self, root, extra):
        t = b"/Size %d /Root %d 0 R" % (self.size, root)
        if self.prev is not None:
            t += b" /Prev %d" % self.prev
        return t + extra

    def finish(self, root=1, extra=b"", entries=None):
        """A classic cross-reference table for the objects added since the
        last revision (or `entries`: {num: offset or None for free})."""
        entries = dict(self.pending if entries is None else entries)
        if self.prev is None:
            entries[0] = None
        off = len(self.data)
        out = b"xref\n"
        nums = sorted(entries)
        runs = []
        for n in nums:
            if runs and runs[-1][-1] == n - 1:
                runs[-1].append(n)
            else:
                runs.append([n])
        for r in runs:
            out += b"%d %d\n" % (r[0], len(r))
            for n in r:
                o = entries[n]
                out += b"0000000000 65535 f\r\n" if o is None else b"%010d 00000 n\r\n" % o
        out += b"trailer\n<<" + self.trailer_entries(root, extra) + b">>\nstartxref\n%d\n%%%%EOF\n" % off
        self.data += out
        self.prev = off
        self.pending = {}

    def finish_stream(self, num, root=1, compressed=None):
        """A cross-reference stream (object `num`) for the objects added
        since the last revision, and `compressed` {num: (stream, index)}."""
        compressed = compressed or {}
        self.size = max(self.size, num + 1, *(n + 1 for n in compressed))
        off = len(self.data)
        rows = dict((n, (1, o, 0)) for n, o in self.pending.items())
        rows[num] = (1, off, 0)
        for n, (s, i) in compressed.items():
            rows[n] = (2, s, i)
        nums = sorted(rows)
        index = []
        for n in nums:
            if index and index[-1][0] + index[-1][1] == n:
                index[-1][1] += 1
            else:
                index.append([n, 1])
        data = b"".join(bytes([rows[n][0]]) + rows[n][1].to_bytes(4, "big") + rows[n][2].to_bytes(2, "big") for n in nums)
        idx = b" ".join(b"%d %d" % (a, b) for a, b in index)
        d = b"/Type /XRef /W [1 4 2] /Index [" + idx + b"] " + self.trailer_entries(root, b"")
        self.data += b"%d 0 obj\n" % num + stream(d, data) + b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % off
        self.prev = off
        self.pending = {}

    def sign_last(self):
        """Fills the last /ByteRange and /Contents placeholders: the byte
        range covers the file as it is, except /Contents."""
        data = self.data
        br = data.rindex(b"/ByteRange [")
        ct = data.rindex(b"/Contents <")
        b = ct + len(b"/Contents ")
        c = b + CONTENTS_HEX + 2
        d = len(data) - c
        value = b"/ByteRange [0 %d %d %d]" % (b, c, d)
        width = len(b"/ByteRange [") + 40
        data[br:br + width] = value.ljust(width)
        signed = bytes(data[:b]) + bytes(data[c:])
        sig = cms_sign(signed).hex().encode()
        data[b + 1:b + 1 + len(sig)] = sig
        return (b, c, d)


def placeholder():
    return b"/ByteRange [" + b" " * 39 + b"] /Contents <" + b"0" * CONTENTS_HEX + b">"


PAGE_TEXT = b"BT /F1 18 Tf 72 760 Td (Discharge summary: 5 mg daily) Tj ET"


def docmdp(p):
    return (b"/Reference [<< /Type /SigRef /TransformMethod /DocMDP "
            b"/TransformParams << /Type /TransformParams /P %d /V /1.2 >> >>]" % p)


def signed_base(sig_extra=b"", content=PAGE_TEXT, hidden=None, catalog_extra=b""):
    """A one-page document signed in its first revision. Objects: 1 catalog,
    2 pages, 3 page, 4 content, 5 font, 6 AcroForm, 7 signature field and
    widget, 8 signature dictionary; `hidden` (bytes) is written as an
    unreferenced object 9 (a shadow attack's prepared payload)."""
    p = Pdf()
    p.add(1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R" + catalog_extra + b" >>")
    p.add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    p.add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
             b"/Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R] >>")
    p.add(4, stream(b"", content))
    p.add(5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    p.add(6, b"<< /Fields [7 0 R] /SigFlags 3 >>")
    p.add(7, b"<< /FT /Sig /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /T (Signature1) /V 8 0 R /P 3 0 R >>")
    if hidden is not None:
        p.add(9, hidden)
    p.add(8, b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached "
             + placeholder() + b" /M (D:20261126090000+09'00') " + sig_extra + b">>")
    p.finish()
    p.sign_last()
    return p


def case(name, data, expect, description, covers=False):
    fname = f"cases/pdf-{name}.pdf"
    with open(os.path.join(HERE, fname), "wb") as f:
        f.write(bytes(data))
    entry = {"id": f"pdf-{name}", "file": fname, "content": None, "args": CRL_ARGS,
             "description": description, "expect": expect}
    entry["covers_whole_document"] = covers
    CASES.append(entry)


def set_sig_entry(p, old, new):
    """Replaces bytes in the signature dictionary of the last revision
    without re-signing (a forger's edit)."""
    data = p.data
    i = data.rindex(old)
    data[i:i + len(old)] = new


def main():
    for f in os.listdir(os.path.join(HERE, "cases")):
        if f.startswith("pdf-"):
            os.remove(os.path.join(HERE, "cases", f))

    # --- controls ---------------------------------------------------------
    base = signed_base()
    case("control-signed", base.data, PASSED, "control: a one-page PDF signed in its only revision verifies", covers=True)

    p = signed_base()
    dss_certs = run("openssl", "x509", "-in", os.path.join(PKI, "signing-ca.crt"), "-outform", "DER")
    p.add(10, stream(b"", dss_certs))
    p.add(11, b"<< /Certs [10 0 R] >>")
    p.add(1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /DSS 11 0 R >>")
    p.finish()
    case("control-dss-added", p.data, PASSED, "control: a Document Security Store added after signing is an allowed update", covers=True)

    # --- certification signatures (/DocMDP) -------------------------------
    def annotate(p):
        p.add(10, b"<< /Type /Annot /Subtype /Text /Rect [500 780 520 800] /Contents (checked) /P 3 0 R >>")
        p.add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                 b"/Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R 10 0 R] >>")
        p.finish()

    p = signed_base(sig_extra=docmdp(3), catalog_extra=b" /Perms << /DocMDP 8 0 R >>")
    annotate(p)
    case("control-docmdp-p3-annotation", p.data, PASSED,
         "control: a note annotation added after a certification signature with /DocMDP P=3 is allowed", covers=True)

    p = signed_base(sig_extra=docmdp(2), catalog_extra=b" /Perms << /DocMDP 8 0 R >>")
    annotate(p)
    case("docmdp-p2-annotation", p.data, MODIFIED, "a note annotation added after a certification signature with /DocMDP P=2")

    p = signed_base(sig_extra=docmdp(1), catalog_extra=b" /Perms << /DocMDP 8 0 R >>")
    p.add(10, b"<< /FT /Sig /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /T (Signature2) /P 3 0 R >>")
    p.add(6, b"<< /Fields [7 0 R 10 0 R] /SigFlags 3 >>")
    p.add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
             b"/Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R 10 0 R] >>")
    p.finish()
    case("docmdp-p1-field-added", p.data, MODIFIED, "a signature field added after a certification signature with /DocMDP P=1 (no changes allowed)")

    # --- universal signature forgery (USF) ------------------------------
    usf = [
        ("usf-contents-missing", lambda p: set_sig_entry(p, b"/Contents <", b"/Contentz <"), "/Contents missing (renamed)"),
        ("usf-contents-null", None, "/Contents null"),
        ("usf-byterange-missing", lambda p: set_sig_entry(p, b"/ByteRange [", b"/ByteRangX ["), "/ByteRange missing (renamed)"),
        ("usf-byterange-null", None, "/ByteRange null"),
        ("usf-byterange-empty", None, "/ByteRange []"),
        ("usf-byterange-zero", None, "/ByteRange [0 0 0 0]"),
        ("usf-byterange-negative", None, "/ByteRange with a negative length"),
        ("usf-byterange-three", None, "/ByteRange with three integers"),
        ("usf-byterange-reals", None, "/ByteRange of real numbers"),
        ("usf-byterange-past-eof", None, "/ByteRange past the end of the file"),
        ("usf-byterange-overlap", None, "/ByteRange ranges overlapping"),
        ("usf-contents-zero", None, "/Contents all zeros (no CMS)"),
    ]
    for name, edit, what in usf:
        p = signed_base()
        data = p.data
        br = data.rindex(b"/ByteRange [")
        end = br + 52
        ct = data.rindex(b"/Contents <")
        cend = data.index(b">", ct) + 1
        old_br = bytes(data[br:end])
        nums = [int(x) for x in old_br[len(b"/ByteRange ["):old_br.index(b"]")].split()]

        def put_br(value):
            v = value.ljust(len(old_br))
            assert len(v) == len(old_br), value
            data[br:end] = v

        if edit is not None:
            edit(p)
        elif name == "usf-contents-null":
            data[ct:cend] = (b"/Contents null").ljust(cend - ct)
        elif name == "usf-byterange-null":
            put_br(b"/ByteRange null")
        elif name == "usf-byterange-empty":
            put_br(b"/ByteRange []")
        elif name == "usf-byterange-zero":
            put_br(b"/ByteRange [0 0 0 0]")
        elif name == "usf-byterange-negative":
            put_br(b"/ByteRange [0 %d %d -%d]" % (nums[1], nums[2], nums[3]))
        elif name == "usf-byterange-three":
            put_br(b"/ByteRange [0 %d %d]" % (nums[1], nums[2]))
        elif name == "usf-byterange-reals":
            put_br(b"/ByteRange [0 %d.0 %d %d]" % (nums[1], nums[2], nums[3]))
        elif name == "usf-byterange-past-eof":
            put_br(b"/ByteRange [0 %d %d %d]" % (nums[1], nums[2], nums[3] + 100))
        elif name == "usf-byterange-overlap":
            put_br(b"/ByteRange [0 %d %d %d]" % (nums[1] + 10, nums[2], nums[3]))
        elif name == "usf-contents-zero":
            data[ct + len(b"/Contents <"):cend - 1] = b"0" * (cend - 1 - ct - len(b"/Contents <"))
        case(name, data, FORMAT, f"universal signature forgery: {what}")

    # --- /ByteRange pointing into a comment -----------------------------
    # The dictionary's /Contents is zeros; the CMS sits in a comment after
    # it, and the byte range leaves out exactly that comment's hex string.
    p = Pdf()
    for n, body in [
        (1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>"),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R] >>"),
        (4, stream(b"", PAGE_TEXT)),
        (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
        (6, b"<< /Fields [7 0 R] /SigFlags 3 >>"),
        (7, b"<< /FT /Sig /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /T (Signature1) /V 8 0 R /P 3 0 R >>"),
    ]:
        p.add(n, body)
    p.add(8, b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [" + b" " * 39
             + b"] /Contents <" + b"0" * 64 + b"> >>")
    p.raw(b"%<" + b"0" * CONTENTS_HEX + b">\n")
    p.finish()
    data = p.data
    b = data.rindex(b"%<") + 1
    c = b + CONTENTS_HEX + 2
    d = len(data) - c
    br = data.rindex(b"/ByteRange [")
    data[br:br + 52] = (b"/ByteRange [0 %d %d %d]" % (b, c, d)).ljust(52)
    sig = cms_sign(bytes(data[:b]) + bytes(data[c:])).hex().encode()
    data[b + 1:b + 1 + len(sig)] = sig
    case("byterange-into-comment", data, FORMAT, "the /ByteRange gap is a hex string in a comment, not the signature's /Contents")

    # --- gap wider than /Contents (signed correctly) ---------------------
    p = signed_base(sig_extra=b"/Reason (approved)")
    data = p.data
    br = data.rindex(b"/ByteRange [")
    nums = [int(x) for x in data[br + 12:data.index(b"]", br)].split()]
    b, c = nums[1], nums[2]
    reason_end = data.index(b"(approved)", c) + len(b"(approved)")
    c2 = reason_end
    d2 = len(data) - c2
    data[br:br + 52] = (b"/ByteRange [0 %d %d %d]" % (b, c2, d2)).ljust(52)
    data[b + 1:c - 1] = b"0" * (c - 1 - b - 1)
    sig = cms_sign(bytes(data[:b]) + bytes(data[c2:])).hex().encode()
    data[b + 1:b + 1 + len(sig)] = sig
    case("byterange-gap-wider", data, FORMAT, "the /ByteRange gap leaves out /Contents and the bytes after it (unsigned /M and /Reason)")

    # --- signature wrapping (SWA) -----------------------------------------
    # The signed second range is moved to the end; the attacker's objects
    # sit in the gap, and /ByteRange names the moved bytes.
    p = signed_base()
    data = bytes(p.data)
    br = data.rindex(b"/ByteRange [")
    nums = [int(x) for x in data[br + 12:data.index(b"]", br)].split()]
    b, c, d = nums[1], nums[2], nums[3]
    evil = b"\n4 0 obj\n" + stream(b"", b"BT /F1 18 Tf 72 760 Td (Discharge summary: 50 mg daily) Tj ET") + b"\nendobj\n"
    moved = data[:c] + evil + data[c:]
    moved = bytearray(moved)
    moved[br:br + 52] = (b"/ByteRange [0 %d %d %d]" % (b, c + len(evil), d)).ljust(52)
    case("signature-wrapping", moved, FORMAT, "signature wrapping: the signed second range moved, attacker bytes in the gap")

    # --- incremental saving attacks (ISA) ----------------------------------
    p = signed_base()
    p.add(4, stream(b"", b"BT /F1 18 Tf 72 760 Td (Discharge summary: 50 mg daily) Tj ET"))
    p.finish()
    case("isa-content-replaced", p.data, MODIFIED, "incremental update replacing the page's content stream")

    p = signed_base()
    p.add(10, stream(b"", b"1 1 1 rg 60 740 400 40 re f BT /F1 18 Tf 72 760 Td (Discharge summary: 50 mg daily) Tj ET"))
    p.add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 10 0 R] "
             b"/Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R] >>")
    p.finish()
    case("isa-overlay", p.data, MODIFIED, "incremental update drawing an overlay over the page (a second content stream)")

    p = signed_base()
    p.add(10, stream(b"", b"BT /F1 18 Tf 72 760 Td (Consent withdrawn) Tj ET"))
    p.add(11, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 10 0 R /Resources << /Font << /F1 5 0 R >> >> >>")
    p.add(2, b"<< /Type /Pages /Kids [3 0 R 11 0 R] /Count 2 >>")
    p.finish()
    case("isa-page-added", p.data, MODIFIED, "incremental update adding a page")

    p = signed_base()
    p.add(10, b"<< /Type /Annot /Subtype /FreeText /Rect [60 740 460 780] /Contents (50 mg daily) /DA (/Helv 18 Tf 0 g) /P 3 0 R >>")
    p.add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
             b"/Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R 10 0 R] >>")
    p.finish()
    case("isa-annotation-overlay", p.data, MODIFIED, "incremental update adding a FreeText annotation over the text (no /DocMDP P=3)")

    p = signed_base()
    p.add(5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>")
    p.finish()
    case("isa-font-replaced", p.data, MODIFIED, "incremental update replacing the font")

    p = signed_base()
    p.add(10, b"<< /Type /Catalog /Pages 2 0 R >>")
    p.finish(root=10)
    case("isa-new-root", p.data, MODIFIED, "incremental update naming a different document catalog (/Root)")

    p = signed_base()
    p.finish(entries={4: None})
    case("isa-object-freed", p.data, MODIFIED, "incremental update marking the page content free")

    p = signed_base()
    p.add(7, b"<< /FT /Sig /Type /Annot /Subtype /Widget /Rect [60 740 460 780] /F 4 /T (Signature1) /V 8 0 R /P 3 0 R "
             b"/AP << /N 10 0 R >> >>")
    p.add(10, stream(b"/Type /XObject /Subtype /Form /BBox [0 0 400 40] /Resources << /Font << /F1 5 0 R >> >>",
                     b"1 1 1 rg 0 0 400 40 re f 0 g BT /F1 18 Tf 12 20 Td (50 mg daily) Tj ET"))
    p.finish()
    case("redefine-signature-field", p.data, MODIFIED, "a later revision redefines the signed signature field (visible appearance over the text)")

    p = signed_base()
    p.raw(b"% appended after signing\n4 0 obj\n" + stream(b"", b"BT (x) Tj ET") + b"\nendobj\n")
    case("bytes-after-eof", p.data, FORMAT, "bytes appended after the last %%EOF without a cross-reference section")

    # --- shadow attacks ----------------------------------------------------
    # Hide: the signed revision already holds an overlay that the attacker
    # later removes by making its content stream empty.
    cover = b"BT /F1 18 Tf 72 760 Td (Discharge summary: 5 mg daily) Tj ET"
    p = signed_base(content=cover + b" 1 1 1 rg 60 740 400 40 re f", hidden=None)
    p.add(4, stream(b"", cover))
    p.finish()
    case("shadow-hide", p.data, MODIFIED, "shadow attack (hide): a later update removes the covering rectangle from the content")

    # Replace: the signed revision has a prepared font; the update swaps it.
    p = signed_base(hidden=b"<< /Type /Font /Subtype /Type1 /BaseFont /Symbol >>")
    p.add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
             b"/Resources << /Font << /F1 9 0 R >> >> /Annots [7 0 R] >>")
    p.finish()
    case("shadow-replace", p.data, MODIFIED, "shadow attack (replace): the page's font replaced by one prepared in the signed revision")

    # Hide-and-replace: the signed revision holds a second, unreferenced
    # definition of the content stream (object 4); the update only adds a
    # cross-reference section pointing at it.
    evil = b"BT /F1 18 Tf 72 760 Td (Discharge summary: 50 mg daily) Tj ET"
    p = Pdf()
    objs = [
        (1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>"),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R] >>"),
        (4, stream(b"", PAGE_TEXT)),
        (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
        (6, b"<< /Fields [7 0 R] /SigFlags 3 >>"),
        (7, b"<< /FT /Sig /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /T (Signature1) /V 8 0 R /P 3 0 R >>"),
    ]
    for n, body in objs:
        p.add(n, body)
    good4 = p.pending[4]
    shadow_at = len(p.data)
    p.raw(b"4 0 obj\n" + stream(b"", evil) + b"\nendobj\n")
    p.pending[4] = good4
    p.add(8, b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached " + placeholder() + b" >>")
    p.finish()
    p.sign_last()
    p.finish(entries={4: shadow_at})
    case("shadow-hide-and-replace", p.data, MODIFIED, "shadow attack (hide-and-replace): an update's cross-reference entry points at a second object 4 hidden in the signed bytes")

    # Object and xref streams shadowing: the update is a cross-reference
    # stream whose object stream holds a new object 4... as a content
    # stream can't be compressed, the update shadows the page (object 3).
    p = signed_base()
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 10 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R] >>"
    p.add(10, stream(b"", evil))
    head = b"3 0 "
    objstm = stream(b"/Type /ObjStm /N 1 /First %d" % len(head), head + page)
    p.add(11, objstm)
    p.finish_stream(12, compressed={3: (11, 0)})
    case("shadow-objstm", p.data, MODIFIED, "object-stream shadowing: an xref-stream update redefines the page inside an object stream")

    p = signed_base()
    p.add(4, stream(b"", evil))
    p.finish_stream(10)
    case("shadow-xref-stream", p.data, MODIFIED, "xref-stream update redefining the page content")

    # --- /Prev pointing forward, and a revision with a broken entry ------
    p = signed_base()
    p.add(4, stream(b"", evil))
    p.finish()
    data = p.data
    i = data.rindex(b"/Prev ")
    j = data.index(b">>", i)
    data[i:j] = (b"/Prev %d" % (len(data) - 10)).ljust(j - i)
    case("prev-forward", data, FORMAT, "the update's /Prev points forward (a cross-reference loop)")

    manifest_path = os.path.join(HERE, "manifest.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    manifest["cases"] = [c for c in manifest["cases"] if not c["id"].startswith("pdf-")] + CASES
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(CASES)} PDF cases written to {HERE}")


if __name__ == "__main__":
    main()
