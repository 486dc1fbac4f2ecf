#!/usr/bin/env python3
"""Generate the binary sample documents in testdata/docs/.

Only the Python 3 standard library is used.  Output is deterministic (no
timestamps, no random IDs), so re-running produces byte-identical files.

Generated files:
  lab-report.pdf         one-page PDF 1.4 with correct xref byte offsets
  empty.txt              zero-byte file
  chart-scan-300dpi.png  a scanned chart page: A5, 8-bit grey, 300 dpi (pHYs)
  chart-scan-150dpi.png  the same page scanned at 150 dpi (below the policy)

discharge-summary.xml and referral-letter.txt are hand-written and committed
as-is; this script does not touch them.

Usage: python3 make-docs.py   (writes next to this script)
"""

from __future__ import annotations

import pathlib
import re
import struct
import zlib

HERE = pathlib.Path(__file__).resolve().parent

TITLE = "Laboratory report - hozon test document"

# Lines of the page body (ASCII only: the standard Helvetica font with
# WinAnsiEncoding is used, so no font embedding is needed).
BODY_LINES = [
    "hozon Test Hospital - Clinical Laboratory",
    "Patient ID: P0000123 (fictitious)    Sex: F    DOB: 1960-04-01",
    "Specimen: serum    Collected: 2025-03-14 07:30 JST",
    "",
    "Test                 Result    Unit       Reference",
    "WBC                  6.2       10^3/uL    3.3 - 8.6",
    "CRP                  0.4       mg/dL      0.00 - 0.14   H",
    "AST                  22        U/L        13 - 30",
    "ALT                  18        U/L        7 - 23",
    "Creatinine           0.71      mg/dL      0.46 - 0.79",
    "",
    "This document is synthetic test data. It contains no real patient data.",
]


def pdf_string(text: str) -> bytes:
    """Encode text as a PDF literal string, escaping \\, ( and )."""
    text.encode("ascii")  # raise if not ASCII
    escaped = re.sub(r"([\\()])", r"\\\1", text)
    return b"(" + escaped.encode("ascii") + b")"


def content_stream() -> bytes:
    ops = [b"BT", b"/F1 18 Tf", b"72 760 Td", pdf_string(TITLE) + b" Tj", b"ET"]
    ops += [b"BT", b"/F2 10 Tf", b"12 TL", b"72 730 Td"]
    for line in BODY_LINES:
        ops.append(pdf_string(line) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def build_pdf() -> bytes:
    stream = content_stream()
    objects = [
        # 1: catalog
        b"<< /Type /Catalog /Pages 2 0 R >>",
        # 2: page tree
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        # 3: the page (A4)
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >>"
        b" /Contents 6 0 R >>",
        # 4, 5: standard 14 fonts, not embedded
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold"
        b" /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier"
        b" /Encoding /WinAnsiEncoding >>",
        # 6: page content
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        # 7: document information
        b"<< /Title " + pdf_string(TITLE) + b" /Producer (hozon make-docs.py) >>",
    ]

    out = bytearray()
    # Header plus a comment with high-bit bytes so tools treat it as binary.
    out += b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for num, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"

    xref_offset = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    # Each entry is exactly 20 bytes: 10-digit offset, space, 5-digit
    # generation, space, type, and a two-byte EOL (space + LF).
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (
        b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\n" % (len(objects) + 1)
        + b"startxref\n%d\n%%%%EOF\n" % xref_offset
    )
    return bytes(out)


def check_pdf(data: bytes) -> None:
    """Self-check: every xref entry must point at its 'N 0 obj' header."""
    m = re.search(rb"startxref\n(\d+)\n%%EOF\n$", data)
    assert m, "missing startxref"
    xref = int(m.group(1))
    assert data[xref:].startswith(b"xref\n"), "startxref does not point at xref"
    lines = data[xref:].split(b"\n")
    first, count = map(int, lines[1].split())
    assert first == 0
    for num in range(1, count):
        entry = lines[2 + num]  # lines[2] is the free entry of object 0
        assert len(entry) == 19 and entry.endswith(b" n "), f"bad xref entry {num}"
        off = int(entry[:10])
        assert data[off:].startswith(b"%d 0 obj\n" % num), f"bad offset for obj {num}"
    length = int(re.search(rb"/Length (\d+)", data).group(1))
    start = data.index(b"stream\n") + len(b"stream\n")
    assert data[start + length :].startswith(b"endstream"), "bad /Length"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def scanned_chart(dpi: int) -> bytes:
    """An A5 page (148 x 210 mm) scanned at `dpi`: 8-bit grey PNG with a
    pHYs chunk, white paper with a header bar, ruled lines and handwriting-
    like strokes, so that it is neither blank nor trivial."""
    width = round(148 / 25.4 * dpi)
    height = round(210 / 25.4 * dpi)
    unit = dpi / 300  # drawing scale: the same page at any resolution

    def ink(x: int, y: int) -> int:
        mx, my = x / unit, y / unit  # in 300-dpi pixels
        if 120 <= my < 200 and 120 <= mx < 1628:
            return 40  # header bar
        if my >= 300 and (int(my) - 300) % 90 < 3 and 120 <= mx < 1628:
            return 150  # ruled lines
        line = (int(my) - 300) // 90
        if my >= 300 and line < 20 and (int(my) - 300) % 90 in range(30, 60):
            # pen strokes: a deterministic pattern of short dark marks
            seed = (int(mx) // 24) * 7919 + line * 104729
            if 140 <= mx < 1500 - (line * 37) % 400 and seed % 5 != 0:
                return 25
        return 245  # paper

    rows = []
    for y in range(height):
        rows.append(b"\x00" + bytes(ink(x, y) for x in range(width)))
    ppm = round(dpi / 0.0254)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + png_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
        + png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + png_chunk(b"IEND", b"")
    )


def main() -> None:
    pdf = build_pdf()
    check_pdf(pdf)
    (HERE / "lab-report.pdf").write_bytes(pdf)
    (HERE / "empty.txt").write_bytes(b"")
    print(f"wrote lab-report.pdf ({len(pdf)} bytes) and empty.txt (0 bytes)")
    for dpi in (300, 150):
        png = scanned_chart(dpi)
        name = f"chart-scan-{dpi}dpi.png"
        (HERE / name).write_bytes(png)
        print(f"wrote {name} ({len(png)} bytes)")


if __name__ == "__main__":
    main()
